"""The model as a Schemathesis check, so every generated request is held to it, and a
Schemathesis response as the suite's own record of the exchange.

`model_checks(oracle)` is passed to `validate_response` as additional checks: the lane's
model judged the answer when it came (`drivers.schema.send_case`), and the check raises what
it found among Schemathesis's own failures.
"""

from __future__ import annotations

from collections.abc import Callable

from schemathesis import CheckContext, Response

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
