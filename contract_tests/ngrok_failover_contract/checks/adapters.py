"""The model as a Schemathesis check, so every generated request is held to it, and a
Schemathesis response as the suite's own record of the exchange.

`model_checks(oracle)` is passed to `validate_response` as additional checks: the lane's
model judged the answer when it came (`drivers.schema.send_case`), and the check raises what
it found among Schemathesis's own failures. `auth_probes_once` is Schemathesis's
`ignored_auth`, its probes sent once per operation and run.
"""

from __future__ import annotations

from collections.abc import Callable

from schemathesis import CheckContext, Response

from ..compat import ignored_auth as schemathesis_ignored_auth
from ..core.exchange import Exchange
from .failures import GeneratedCase as Case
from .model.oracle import Oracle

Check = Callable[[CheckContext, Response, Case], bool | None]


def exchange_of(response: Response) -> Exchange:
    """A Schemathesis response as the suite's own record of the exchange."""
    request = response.request
    raw = request.body
    body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if body is not None and not isinstance(body, str):
        body = "(streamed body)"
    return Exchange(
        method=str(request.method),
        url=str(request.url),
        request_headers={k: str(v) for k, v in request.headers.items()},
        request_body=body,
        status=response.status_code,
        response_headers={k.lower(): ", ".join(v) for k, v in response.headers.items()},
        response_text=response.text or "",
    )


def model_checks(oracle: Oracle) -> list[Check]:
    """The check that raises the lane model's verdict on each answer (judged as it came,
    `Oracle.defer`), beside Schemathesis's own checks of it."""

    def agrees_with_model(ctx: CheckContext, response: Response, case: Case) -> None:
        """The answer is one the model of the documented API allows, and the lane's backends
        read back as the model holds them."""
        oracle.raise_deferred()

    return [agrees_with_model]


def auth_probes_once(confirmed: set[str], api_key: str) -> Check:
    """Schemathesis's `ignored_auth` (configured off, `drivers.schema.schema_config`, so that
    it runs as this one): after each answer of 2xx to the run's key it sends the request
    again without a key and with a wrong one, and both must be refused. Once an operation
    refused them, the run holds that proven, as `st run` does: its further answers are
    checked by everything else but not probed again (1,000 of a quick run's requests, each
    on a connection of its own, that found nothing new). A 2xx to any other key is checked
    every time, and the model judges every request sent with a wrong key or none.
    """
    valid = f"Bearer {api_key}"

    def ignored_auth(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        label = case.operation.label
        # What the probes are sent for: a valid request (a negative one may miss the
        # operation, and is not probed) answered 2xx with the run's key.
        proving = (
            200 <= response.status_code < 300
            and response.request.headers.get("Authorization") == valid
            and case.meta is not None
            and case.meta.generation.mode.is_positive
        )
        if proving and label in confirmed:
            return None
        result = schemathesis_ignored_auth(ctx, response, case)
        if proving:
            confirmed.add(label)  # it raised otherwise: both probes were refused
        return result

    return ignored_auth
