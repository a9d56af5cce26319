"""The named properties as Schemathesis checks, so every generated request is held to them.

`contract_checks(judge, known)` gives them for one run (passed to `validate_response` as
additional checks); each turns the Schemathesis response into an `Exchange` and defers to
one property of the run's `Judge`.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from schemathesis import CheckContext, Response

from ..core.api import (
    COLLECTION,
    FAILOVER_ID_RE,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    LIMIT_MIN,
    WRITABLE_FIELDS,
    item_id,
)
from ..core.exchange import Exchange, json_or_none
from ..core.registry import Property
from .failures import GeneratedCase as Case
from .judge import Judge

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


def path_id(response: Response) -> str | None:
    """The failover backend id the request's path names, if it is a well-formed one."""
    requested = item_id(urlsplit(str(response.request.url)).path)
    return requested if requested and FAILOVER_ID_RE.fullmatch(requested) else None


def is_list(response: Response) -> bool:
    request = response.request
    return request.method == "GET" and urlsplit(str(request.url)).path.endswith(COLLECTION)


def contract_checks(judge: Judge, known: Callable[[str], bool]) -> list[Check]:
    """The named checks for one run; `known(id)` says whether the run created `id` or
    knows it as a child (any other well-formed id must not exist)."""

    def written_fields_read_back(ctx: CheckContext, response: Response, case: Case) -> None:
        """A create (201) or update (200) answers with every field its body wrote, as written."""
        written = case.body if isinstance(case.body, dict) else {}
        method = response.request.method
        if (method, response.status_code) not in (("POST", 201), ("PATCH", 200)):
            return
        resource = json_or_none(response.text)
        if not isinstance(resource, dict):
            return
        for field in WRITABLE_FIELDS:
            if field in written:
                judge.field_reads_back(field, written[field], resource, exchange_of(response))

    def answers_requested_id(ctx: CheckContext, response: Response, case: Case) -> None:
        """A get or update of `{id}` answers with the backend that has that id."""
        requested = path_id(response)
        resource = json_or_none(response.text)
        if requested and response.status_code == 200 and isinstance(resource, dict):
            judge.answers_requested_id(requested, resource, exchange_of(response))

    def resource_uri_is_own(ctx: CheckContext, response: Response, case: Case) -> None:
        """Every backend in an answer has an absolute `uri` ending in its own id."""
        body = json_or_none(response.text)
        if response.status_code not in (200, 201) or not isinstance(body, dict):
            return
        items = body.get("backends") if is_list(response) else [body]
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "id" in item:
                judge.uri_is_own(item, exchange_of(response))

    def list_page_is_well_formed(ctx: CheckContext, response: Response, case: Case) -> None:
        """A list page: collection uri, at most `limit` items, a next page only if it has items."""
        page = json_or_none(response.text)
        if not is_list(response) or response.status_code != 200 or not isinstance(page, dict):
            return
        exchange = exchange_of(response)
        judge.list_uri_is_collection(page, exchange)
        judge.next_page_uri_absolute(page, exchange)
        query = dict(parse_qsl(urlsplit(str(response.request.url)).query))
        limit = query.get("limit", str(LIMIT_DEFAULT))
        if limit.isdigit() and LIMIT_MIN <= int(limit) <= LIMIT_MAX:
            judge.page_within_limit(page, int(limit), exchange)
        judge.empty_page_is_last(page, exchange)

    def error_body_matches_status(ctx: CheckContext, response: Response, case: Case) -> None:
        """Every 4xx and 5xx JSON answer says its own status as `status_code`, and has `msg`."""
        if response.status_code >= 400:
            judge.error_body_matches_status(exchange_of(response))

    def never_created_is_404(ctx: CheckContext, response: Response, case: Case) -> None:
        """A well-formed id this run never created does not exist: an update must not create."""
        requested = path_id(response)
        if requested is None or known(requested):
            return
        if 200 <= response.status_code < 300:
            judge.not_found(Property.NEVER_CREATED_IS_404, exchange_of(response))

    return [
        written_fields_read_back,
        answers_requested_id,
        resource_uri_is_own,
        list_page_is_well_formed,
        error_body_matches_status,
        never_created_is_404,
    ]
