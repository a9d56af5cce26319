"""The catalogue of planted faults: transport, schema and semantic bugs.

Each entry names the bug, says in one line how a real server would get it wrong, and names
the checker expected to catch it (any catch counts; the name documents intent).
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..api import COLLECTION, FAILOVER_ID_RE, WRITABLE_FIELDS
from ..api import item_id as api_item_id
from ..violations import Property
from .asgi import ASGIApp, Fault, Receive, Reply, Request, Scope, Send

Wrap = Callable[[ASGIApp], ASGIApp]


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str
    description: str
    catcher: str  # the check meant to catch it
    wrap: Wrap
    sample: bool  # part of CI's representative subset
    min_workers: int = 1  # requests side by side it takes to show (a race)


MUTANTS: dict[str, Mutant] = {}
# Variants that differ from the reference server only where ngrok documents no answer: the
# suite must pass against each (no false alarm).
BENIGN: dict[str, Mutant] = {}


def fault(
    name: str, description: str, catcher: str, *, sample: bool = False, min_workers: int = 1
) -> Callable[[Wrap], Wrap]:
    Property(catcher)  # every fault names a property of the registry: a typo fails at import

    def register(wrap: Wrap) -> Wrap:
        MUTANTS[name] = Mutant(name, description, catcher, wrap, sample, min_workers)
        return wrap

    return register


def benign(name: str, description: str, *, sample: bool = False) -> Callable[[Wrap], Wrap]:
    def register(wrap: Wrap) -> Wrap:
        BENIGN[name] = Mutant(name, description, "", wrap, sample)
        return wrap

    return register


def get_mutant(name: str) -> Mutant:
    """A planted fault or a benign variant, by name."""
    known = {**MUTANTS, **BENIGN}
    try:
        return known[name]
    except KeyError:
        raise KeyError(f"no mutant {name!r}; known: {', '.join(sorted(known))}") from None


# -- Helpers ----------------------------------------------------------------------------------


def is_item(request: Request, method: str) -> bool:
    return request.method == method and api_item_id(request.path) is not None


def is_collection(request: Request, method: str) -> bool:
    return request.method == method and request.path == COLLECTION


def is_id(value: str) -> bool:
    return FAILOVER_ID_RE.fullmatch(value) is not None


def item_id(request: Request) -> str:
    return api_item_id(request.path) or ""


def map_resources(reply: Reply, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Reply:
    """Apply `change` to the backend of a 200/201 answer, or to each one of a list."""
    body = reply.json()
    if reply.status not in (200, 201) or not isinstance(body, dict):
        return reply
    if "next_page_uri" in body and isinstance(body.get("backends"), list):
        body["backends"] = [change(dict(item)) for item in body["backends"]]
        return reply.with_json(body)
    return reply.with_json(change(body))


def error_reply(status: int, code: str, msg: str) -> Reply:
    """An answer with ngrok's error body, as a faulty server would send it."""
    body = {"error_code": code, "status_code": status, "msg": msg, "details": {}}
    return Reply(status, {"content-type": "application/json"}, b"").with_json(body)


def with_query(uri: str, **params: str) -> str:
    parts = urlsplit(uri)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def list_page(request: Request, reply: Reply) -> dict[str, Any] | None:
    body = reply.json()
    if is_collection(request, "GET") and reply.status == 200 and isinstance(body, dict):
        return body
    return None


def rewrite_field(field: str, change: Callable[[Any], Any]) -> Wrap:
    """A fault that changes one field of each create and update body before the server sees it."""

    def wrap(app: ASGIApp) -> ASGIApp:
        def on_request(request: Request) -> Request:
            body = request.json()
            if request.method in ("POST", "PATCH") and isinstance(body, dict) and field in body:
                return request.with_json({**body, field: change(body[field])})
            return request

        return Fault(app, on_request=on_request)

    return wrap


def _all_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# -- Transport --------------------------------------------------------------------------------


@fault("text_content_type", "answers JSON labelled text/plain", "content_type_conformance")
def text_content_type(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        if not reply.body:
            return reply
        return replace(reply, headers={**reply.headers, "content-type": "text/plain"})

    return Fault(app, on_reply=on_reply)


@fault(
    "version_not_required",
    "serves requests without the Ngrok-Version header",
    "missing_required_header",
)
def version_not_required(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        return replace(request, headers={"ngrok-version": "2", **request.headers})

    return Fault(app, on_request=on_request)


@fault("auth_ignored", "serves requests whatever their API key", "ignored_auth", sample=True)
def auth_ignored(app: ASGIApp) -> ASGIApp:
    # The reference server's key is learnt from the first request that gets past auth.
    key: dict[str, str] = {}

    def on_request(request: Request) -> Request:
        auth = request.headers.get("authorization")
        if "good" not in key and auth:
            key["candidate"] = auth
        good = key.get("good") or key.get("candidate")
        return replace(request, headers={**request.headers, "authorization": good or ""})

    def on_reply(request: Request, reply: Reply) -> Reply:
        if reply.status not in (401, 403) and "candidate" in key:
            key.setdefault("good", key["candidate"])
        return reply

    return Fault(app, on_request=on_request, on_reply=on_reply)


@fault(
    "create_answers_200", "answers a create with 200 instead of 201", "create_accepts_valid_input"
)
def create_answers_200(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_collection(request, "POST") and reply.status == 201:
            return replace(reply, status=200)
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "delete_answers_200_body",
    "answers a delete with 200 and the deleted backend",
    "delete_answers_204",
)
def delete_answers_200_body(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "DELETE") and reply.status == 204:
            return reply.with_json({"id": item_id(request)}, status=200)
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "crash_on_empty_children",
    "crashes (500) on a create with no child backends",
    "create_accepts_valid_input",
)
def crash_on_empty_children(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = request.json()
        if is_collection(request, "POST") and isinstance(body, dict) and body.get("backends") == []:
            return Reply(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return reply

    return Fault(app, on_reply=on_reply)


# -- Schema -----------------------------------------------------------------------------------


@fault(
    "created_at_not_rfc3339",
    "renders created_at without T and zone (2024-04-19 20:23:43): not RFC 3339",
    "response_schema_conformance",
)
def created_at_not_rfc3339(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        return map_resources(
            reply, lambda r: {**r, "created_at": r["created_at"][:-1].replace("T", " ")}
        )

    return Fault(app, on_reply=on_reply)


@fault("uri_relative", "gives each backend a relative uri", "uri_is_own", sample=True)
def uri_relative(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        return map_resources(reply, lambda r: {**r, "uri": urlsplit(r["uri"]).path})

    return Fault(app, on_reply=on_reply)


@fault("error_without_msg", "sends error bodies without msg", "error_body_matches_status")
def error_without_msg(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        body = reply.json()
        if reply.status >= 400 and isinstance(body, dict):
            return reply.with_json({k: v for k, v in body.items() if k != "msg"})
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "error_status_code_wrong",
    'every error body says "status_code": 400, whatever the status',
    "error_body_matches_status",
)
def error_status_code_wrong(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        body = reply.json()
        if reply.status >= 400 and isinstance(body, dict):
            return reply.with_json({**body, "status_code": 400})
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "empty_metadata_omitted",
    "omits metadata from a backend when it is empty",
    "backend_has_every_field",
)
def empty_metadata_omitted(app: ASGIApp) -> ASGIApp:
    def drop(resource: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in resource.items() if not (k == "metadata" and v == "")}

    return Fault(app, on_reply=lambda _, reply: map_resources(reply, drop))


# -- Semantic: what is written reads back --------------------------------------------------------


fault("metadata_stripped", "strips surrounding whitespace from metadata", "metadata_reads_back")(
    rewrite_field("metadata", lambda value: value.strip() if isinstance(value, str) else value)
)

fault(
    "children_sorted",
    "stores child backends sorted, not in the given order",
    "backends_reads_back",
    sample=True,
)(rewrite_field("backends", lambda value: sorted(value) if _all_strings(value) else value))

fault(
    "description_truncated", "truncates descriptions to 200 characters", "description_reads_back"
)(rewrite_field("description", lambda value: value[:200] if isinstance(value, str) else value))


@fault(
    "metadata_nfc_normalized",
    "stores metadata NFC-normalised (e and a combining acute come back as é)",
    "metadata_reads_back",
)
def metadata_nfc_normalized(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if request.method in ("POST", "PATCH") and isinstance(metadata, str):
            return request.with_json({**body, "metadata": unicodedata.normalize("NFC", metadata)})
        return request

    return Fault(app, on_request=on_request)


# -- Semantic: update -----------------------------------------------------------------------------


@fault(
    "update_clears_absent",
    "an update resets the fields its body leaves out",
    "update_keeps_absent_fields",
    sample=True,
)
def update_clears_absent(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        if is_item(request, "PATCH") and isinstance(body, dict):
            return request.with_json({"description": "", "metadata": "", "backends": [], **body})
        return request

    return Fault(app, on_request=on_request)


@fault(
    "update_ignores_empty_children",
    'an update treats "backends": [] as absent',
    "backends_reads_back",
)
def update_ignores_empty_children(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        if is_item(request, "PATCH") and isinstance(body, dict) and body.get("backends") == []:
            return request.with_json({k: v for k, v in body.items() if k != "backends"})
        return request

    return Fault(app, on_request=on_request)


@fault(
    "update_zeroes_created_at",
    "an update forgets created_at (Go's zero time)",
    "created_at_never_changes",
)
def update_zeroes_created_at(app: ASGIApp) -> ASGIApp:
    zeroed: set[str] = set()

    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "PATCH") and reply.status == 200:
            zeroed.add(item_id(request))

        def change(resource: dict[str, Any]) -> dict[str, Any]:
            if resource.get("id") in zeroed:
                return {**resource, "created_at": "0001-01-01T00:00:00Z"}
            return resource

        return map_resources(reply, change)

    return Fault(app, on_reply=on_reply)


@fault("update_upserts", "an update of an unknown id creates it", "gone_after_delete")
def update_upserts(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = request.json()
        if is_item(request, "PATCH") and reply.status == 404 and isinstance(body, dict):
            resource = {"description": "", "metadata": "", "backends": [], **body}
            resource.update(
                id=item_id(request),
                uri=f"http://{request.headers.get('host', 'localhost')}{request.path}",
                created_at="2024-04-19T20:23:43Z",
            )
            return Reply(200, {"content-type": "application/json"}, b"").with_json(resource)
        return reply

    return Fault(app, on_reply=on_reply)


# -- Semantic: identity -----------------------------------------------------------------------


@fault(
    "id_reused_after_delete", "hands a deleted backend's id to the next create", "ids_are_unique"
)
def id_reused_after_delete(app: ASGIApp) -> ASGIApp:
    freed: list[str] = []

    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "DELETE") and reply.status == 204:
            freed.append(item_id(request))
        elif is_collection(request, "POST") and reply.status == 201 and freed:
            old = freed.pop()
            body = reply.json()
            return reply.with_json(
                {**body, "id": old, "uri": body["uri"].rsplit("/", 1)[0] + "/" + old}
            )
        return reply

    return Fault(app, on_reply=on_reply)


# The window in which a second create counts as in flight with the first: long enough that
# creates sent side by side overlap, short enough not to slow a run that sends them in turn.
RACE_WINDOW_S = 0.005


@fault(
    "create_ids_collide",
    "two creates in flight at once get the same id (a racy id counter): only a run that "
    "sends requests side by side (--workers 2 or more) can see it",
    "ids_are_unique",
    min_workers=2,
)
def create_ids_collide(app: ASGIApp) -> ASGIApp:
    in_flight = [0]
    shared: list[str] = []  # the id the first of overlapping creates answered

    def on_reply(request: Request, reply: Reply) -> Reply:
        if not (is_collection(request, "POST") and reply.status == 201):
            return reply
        body = reply.json()
        if shared:
            old = shared[0]
            return reply.with_json(
                {**body, "id": old, "uri": body["uri"].rsplit("/", 1)[0] + "/" + old}
            )
        if in_flight[0] > 1:
            shared.append(body["id"])
        return reply

    inner = Fault(app, on_reply=on_reply)

    async def racy(scope: Scope, receive: Receive, send: Send) -> None:
        create = scope["type"] == "http" and scope["method"] == "POST"
        if not (create and scope["path"] == COLLECTION):
            await inner(scope, receive, send)
            return
        in_flight[0] += 1
        try:
            await asyncio.sleep(RACE_WINDOW_S)
            await inner(scope, receive, send)
        finally:
            in_flight[0] -= 1
            if not in_flight[0]:
                shared.clear()

    return racy


@fault("get_answers_other_id", "a get answers with the id in upper case", "list_matches_get")
def get_answers_other_id(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "GET") and reply.status == 200:
            body = reply.json()
            swapped = "bkdfo_" + body["id"][6:].swapcase()
            return reply.with_json(
                {**body, "id": swapped, "uri": body["uri"][: -len(swapped)] + swapped}
            )
        return reply

    return Fault(app, on_reply=on_reply)


# -- Semantic: delete and availability ----------------------------------------------------------


@fault(
    "delete_is_noop",
    "answers 204 to a delete but keeps the backend",
    "gone_after_delete",
    sample=True,
)
def delete_is_noop(app: ASGIApp) -> ASGIApp:
    # The delete becomes a read: the server answers 200, the fault turns it into a 204.
    def on_request(request: Request) -> Request:
        if is_item(request, "DELETE"):
            return replace(request, method="GET", headers={**request.headers, "x-was-delete": "1"})
        return request

    def on_reply(request: Request, reply: Reply) -> Reply:
        if request.headers.get("x-was-delete") and reply.status == 200:
            return Reply(204, {}, b"")
        return reply

    return Fault(app, on_request=on_request, on_reply=on_reply)


@fault(
    "delete_unknown_204",
    "answers 204 to a delete of an id that does not exist",
    "gone_after_delete",
)
def delete_unknown_204(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "DELETE") and reply.status == 404:
            return Reply(204, {}, b"")
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "deleted_still_listed",
    "keeps deleted backends in the list (soft delete)",
    "deleted_backend_not_listed",
)
def deleted_still_listed(app: ASGIApp) -> ASGIApp:
    ghosts: dict[str, dict[str, Any]] = {}
    known: dict[str, dict[str, Any]] = {}

    def on_reply(request: Request, reply: Reply) -> Reply:
        body = reply.json()
        if reply.status in (200, 201) and isinstance(body, dict) and "id" in body:
            known[body["id"]] = body
        if is_item(request, "DELETE") and reply.status == 204 and item_id(request) in known:
            ghosts[item_id(request)] = known[item_id(request)]
        page = list_page(request, reply)
        if page is not None and page["next_page_uri"] is None and ghosts:
            page["backends"] = page["backends"] + list(ghosts.values())
            return reply.with_json(page)
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "create_not_persisted",
    "answers 201 to a create whose write is lost",
    "update_answers_200",
)
def create_not_persisted(app: ASGIApp) -> ASGIApp:
    counter = {"n": 0}

    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_collection(request, "POST") and reply.status == 201:
            counter["n"] += 1
            if counter["n"] % 4 == 0:  # one write in four is lost (a racy cache)
                body = reply.json()
                lost = body["id"][:-6] + f"{counter['n']:06d}"
                return reply.with_json(
                    {**body, "id": lost, "uri": body["uri"][: -len(lost)] + lost}
                )
        return reply

    return Fault(app, on_reply=on_reply)


# -- Semantic: list and paging ----------------------------------------------------------------


@fault("list_oldest_first", "lists oldest first", "list_is_newest_first", sample=True)
def list_oldest_first(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None:
            return reply
        return reply.with_json({**page, "backends": list(reversed(page["backends"]))})

    return Fault(app, on_reply=on_reply)


@fault(
    "list_stale_after_update",
    "lists each backend as it was created, not as updated (a stale cache)",
    "list_matches_get",
)
def list_stale_after_update(app: ASGIApp) -> ASGIApp:
    created: dict[str, dict[str, Any]] = {}  # each id's first version, from its 201

    def on_reply(request: Request, reply: Reply) -> Reply:
        body = reply.json()
        if is_collection(request, "POST") and reply.status == 201 and isinstance(body, dict):
            created.setdefault(str(body.get("id")), body)
        page = list_page(request, reply)
        if page is None:
            return reply
        stale = [created.get(str(item.get("id")), item) for item in page["backends"]]
        return reply.with_json({**page, "backends": stale})

    return Fault(app, on_reply=on_reply)


@fault("limit_ignored", "ignores limit and answers up to 100 backends", "limit_is_honoured")
def limit_ignored(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        if is_collection(request, "GET"):
            query = [(k, v) for k, v in parse_qsl(request.query) if k != "limit"]
            return replace(request, query=urlencode(query))
        return request

    return Fault(app, on_request=on_request)


@fault(
    "next_page_never_null",
    "always links a next page, even after the last",
    "last_page_has_null_next",
)
def next_page_never_null(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is not None:
            return reply
        last = page["backends"][-1]["id"] if page["backends"] else None
        before = last or dict(parse_qsl(request.query)).get("before_id", "")
        if not before:
            return reply
        return reply.with_json({**page, "next_page_uri": with_query(page["uri"], before_id=before)})

    return Fault(app, on_reply=on_reply)


@fault("next_page_relative", "gives next_page_uri as a relative path", "next_page_uri_is_absolute")
def next_page_relative(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is None:
            return reply
        parts = urlsplit(page["next_page_uri"])
        return reply.with_json({**page, "next_page_uri": f"{parts.path}?{parts.query}"})

    return Fault(app, on_reply=on_reply)


@fault(
    "page_drops_last",
    "drops the last backend of each full page (off by one)",
    "every_existing_backend_listed",
)
def page_drops_last(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is None or len(page["backends"]) < 2:
            return reply
        return reply.with_json({**page, "backends": page["backends"][:-1]})

    return Fault(app, on_reply=on_reply)


@fault(
    "page_repeats_boundary",
    "starts each next page with the previous page's last backend",
    "listed_exactly_once",
)
def page_repeats_boundary(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is None or len(page["backends"]) < 2:
            return reply
        before = page["backends"][-2]["id"]
        return reply.with_json(
            {**page, "next_page_uri": with_query(page["next_page_uri"], before_id=before)}
        )

    return Fault(app, on_reply=on_reply)


@fault("page_loop", "links the third page back to the first", "no_page_loop")
def page_loop(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is None or "before_id" not in request.query:
            return reply
        first = with_query(page["uri"], limit=dict(parse_qsl(request.query)).get("limit", "100"))
        return reply.with_json({**page, "next_page_uri": first})

    return Fault(app, on_reply=on_reply)


# -- Input validation -------------------------------------------------------------------------


fault(
    "long_description_accepted",
    "accepts descriptions over 255 characters (cut silently)",
    "negative_data_rejection",
)(rewrite_field("description", lambda value: value[:255] if isinstance(value, str) else value))


@fault(
    "unknown_fields_ignored",
    "ignores unknown fields in a body instead of rejecting them",
    "negative_data_rejection",
    sample=True,
)
def unknown_fields_ignored(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        if request.method in ("POST", "PATCH") and isinstance(body, dict):
            known = {k: v for k, v in body.items() if k in WRITABLE_FIELDS}
            return request.with_json(known)
        return request

    return Fault(app, on_request=on_request)


@fault(
    "non_ascii_rejected", "rejects a description with non-ASCII text", "create_accepts_valid_input"
)
def non_ascii_rejected(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = request.json()
        if request.method in ("POST", "PATCH") and isinstance(body, dict):
            text = body.get("description")
            if isinstance(text, str) and not text.isascii():
                return error_reply(400, "ERR_NGROK_215", "invalid")
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "limit_100_refused",
    "refuses limit=100, the documented maximum, with 400 ERR_NGROK_233",
    "list_answers_200",
)
def limit_100_refused(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_collection(request, "GET") and dict(parse_qsl(request.query)).get("limit") == "100":
            return error_reply(400, "ERR_NGROK_233", "limit must be between 1 and 99")
        return reply

    return Fault(app, on_reply=on_reply)


# -- Benign variants: ngrok documents no single answer here ----------------------------------


@benign("auth_answers_403", "answers a missing or bad API key with 403 instead of 401")
def auth_answers_403(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        body = reply.json()
        if reply.status == 401 and isinstance(body, dict):
            return reply.with_json({**body, "status_code": 403}, status=403)
        return reply

    return Fault(app, on_reply=on_reply)


@benign(
    "unsupported_method_404",
    "answers a method the API lacks with 404, no Allow (ngrok documents no 405)",
    sample=True,
)
def unsupported_method_404(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        body = reply.json()
        if reply.status == 405 and isinstance(body, dict):
            headers = {k: v for k, v in reply.headers.items() if k != "allow"}
            return Reply(404, headers, b"").with_json({**body, "status_code": 404})
        return reply

    return Fault(app, on_reply=on_reply)


@benign(
    "before_id_empty_or_unknown_is_absent",
    "treats an empty or malformed before_id as absent (ngrok documents neither answer)",
    sample=True,
)
def before_id_empty_or_unknown_is_absent(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        before_id = query.get("before_id")
        # Empty, or no id at all: the first page.
        if is_collection(request, "GET") and before_id is not None and not is_id(before_id):
            del query["before_id"]
            return replace(request, query=urlencode(query))
        return request

    return Fault(app, on_request=on_request)


@benign("created_at_fractional", "renders created_at with milliseconds (RFC 3339 allows it)")
def created_at_fractional(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        return map_resources(reply, lambda r: {**r, "created_at": r["created_at"][:-1] + ".000Z"})

    return Fault(app, on_reply=on_reply)


@benign("created_at_offset", "renders created_at in +02:00 rather than Z (the same instant)")
def created_at_offset(app: ASGIApp) -> ASGIApp:
    def shift(stamp: str) -> str:
        instant = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return instant.astimezone(timezone(timedelta(hours=2))).isoformat()

    def on_reply(_: Request, reply: Reply) -> Reply:
        return map_resources(reply, lambda r: {**r, "created_at": shift(r["created_at"])})

    return Fault(app, on_reply=on_reply)


@benign("error_code_omitted", "sends error bodies without error_code (ngrok's may lack it)")
def error_code_omitted(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        body = reply.json()
        if reply.status >= 400 and isinstance(body, dict) and "error_code" in body:
            return reply.with_json({k: v for k, v in body.items() if k != "error_code"})
        return reply

    return Fault(app, on_reply=on_reply)


@benign("limit_zero_padded_accepted", 'reads limit "05" as 5 (ngrok documents only the range)')
def limit_zero_padded_accepted(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        limit = query.get("limit", "")
        padded = is_collection(request, "GET") and re.fullmatch(r"0+[0-9]{1,3}", limit)
        if padded and 1 <= int(limit) <= 100:
            query["limit"] = str(int(limit))
            return replace(request, query=urlencode(query))
        return request

    return Fault(app, on_request=on_request)


@benign(
    "create_without_backends_accepted",
    "creates a backend with no children when backends is absent (ngrok's Go client omits it)",
)
def create_without_backends_accepted(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        if is_collection(request, "POST") and isinstance(body, dict) and "backends" not in body:
            return request.with_json({**body, "backends": []})
        return request

    return Fault(app, on_request=on_request)


@benign("malformed_id_400", "answers a malformed id with 400 ERR_NGROK_242 rather than 404")
def malformed_id_400(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = reply.json()
        malformed = not is_id(item_id(request))
        if api_item_id(request.path) and malformed and reply.status == 404 and body:
            error = {**body, "error_code": "ERR_NGROK_242", "status_code": 400}
            return reply.with_json(error, status=400)
        return reply

    return Fault(app, on_reply=on_reply)
