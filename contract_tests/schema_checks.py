"""The named properties as Schemathesis checks, so every generated request is held to them.

`contract_checks(ledger)` gives them for one run (passed to `validate_response` as additional
checks); each turns the Schemathesis response into an `Exchange` and defers to one property
of `properties`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from urllib.parse import parse_qsl, urlsplit

from schemathesis import CheckContext, Response

from . import properties
from .api import COLLECTION, FAILOVER_ID_RE, WRITABLE_FIELDS, item_id, json_or_none
from .client import Exchange
from .ledger import Ledger
from .schema import GeneratedCase as Case
from .violations import Property

Check = Callable[[CheckContext, Response, Case], bool | None]


def exchange_of(response: Response) -> Exchange:
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


def _path_id(response: Response) -> str | None:
    """The failover backend id the request's path names, if it is a well-formed one."""
    requested = item_id(urlsplit(str(response.request.url)).path)
    return requested if requested and FAILOVER_ID_RE.fullmatch(requested) else None


def _is_list(response: Response) -> bool:
    request = response.request
    return request.method == "GET" and urlsplit(str(request.url)).path.endswith(COLLECTION)


def record_outcome(ledger: Ledger, case: Case, response: Response) -> None:
    """Enter what a generated request created (its id must be new) or deleted in the ledger."""
    method = case.method.upper()
    body = json_or_none(response.text)
    if method == "POST" and case.path == COLLECTION and response.status_code == 201:
        if isinstance(body, dict):
            ledger.record_created(str(body.get("id")), exchange_of(response))
    elif method == "DELETE" and response.status_code == 204:
        ledger.record_deleted(str((case.path_parameters or {}).get("id")))
    elif _is_list(response) and response.status_code == 200 and isinstance(body, dict):
        items = body.get("backends")
        if isinstance(items, list):
            ledger.note_listed([str(i.get("id")) for i in items if isinstance(i, dict)])


def send_case(ledger: Ledger, case: Case, send: Callable[[], Response]) -> Response:
    """Send a generated case and enter its outcome in the ledger; a create is in flight
    (`Ledger.creating`) until then, so no list answered meanwhile calls its backend foreign."""
    creating = case.method.upper() == "POST" and case.path == COLLECTION
    with ledger.creating() if creating else nullcontext():
        response = send()
        record_outcome(ledger, case, response)
    return response


def written_fields_read_back(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A create (201) or update (200) answers with every field its body wrote, as written."""
    written = case.body if isinstance(case.body, dict) else {}
    method = response.request.method
    if (method, response.status_code) not in (("POST", 201), ("PATCH", 200)):
        return None
    resource = json_or_none(response.text)
    if not isinstance(resource, dict):
        return None
    for field in WRITABLE_FIELDS:
        if field in written:
            properties.field_reads_back(field, written[field], resource, exchange_of(response))
    return None


def answers_requested_id(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A get or update of `{id}` answers with the backend that has that id."""
    requested = _path_id(response)
    resource = json_or_none(response.text)
    if requested and response.status_code == 200 and isinstance(resource, dict):
        properties.answers_requested_id(requested, resource, exchange_of(response))
    return None


def resource_uri_is_own(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every backend in an answer has an absolute `uri` ending in its own id."""
    body = json_or_none(response.text)
    if response.status_code not in (200, 201) or not isinstance(body, dict):
        return None
    items = body.get("backends") if _is_list(response) else [body]
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and "id" in item:
            properties.uri_is_own(item, exchange_of(response))
    return None


def list_page_is_well_formed(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A list page: collection uri, at most `limit` items, a next page only if it has items."""
    page = json_or_none(response.text)
    if not _is_list(response) or response.status_code != 200 or not isinstance(page, dict):
        return None
    exchange = exchange_of(response)
    properties.list_uri_is_collection(page, exchange)
    properties.next_page_uri_absolute(page, exchange)
    limit = dict(parse_qsl(urlsplit(str(response.request.url)).query)).get("limit", "100")
    if limit.isdigit() and 1 <= int(limit) <= 100:
        properties.page_within_limit(page, int(limit), exchange)
    properties.empty_page_is_last(page, exchange)
    return None


def error_body_matches_status(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx and 5xx JSON answer says its own status as `status_code`, and has `msg`."""
    if response.status_code >= 400:
        properties.error_body_matches_status(exchange_of(response))
    return None


def contract_checks(ledger: Ledger) -> list[Check]:
    """The named checks for one run: the last needs the run's ledger."""

    def never_created_is_404(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        """A well-formed id this run never created does not exist: an update must not create."""
        requested = _path_id(response)
        if requested is None or ledger.ever_created(requested) or requested in ledger.children:
            return None
        if 200 <= response.status_code < 300:
            properties.not_found(Property.NEVER_CREATED_IS_404, exchange_of(response))
        return None

    return [
        written_fields_read_back,
        answers_requested_id,
        resource_uri_is_own,
        list_page_is_well_formed,
        error_body_matches_status,
        never_created_is_404,
    ]
