"""What the planted faults share: which request an answer is to, and how to rewrite it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ngrok_failover_contract.core.api import COLLECTION, FAILOVER_ID_RE
from ngrok_failover_contract.core.api import item_id as api_item_id

from .asgi import ASGIApp, Fault, Forward, Reply, Request
from .registry import Wrap


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


def item_path(backend_id: str) -> str:
    return f"{COLLECTION}/{backend_id}"


def derived(
    request: Request, method: str, path: str, *, query: str = "", body: dict[str, Any] | None = None
) -> Request:
    """Another request to the same server with `request`'s headers (its key, its version):
    what a faulty server's handler does inside, as a request the reference server answers."""
    raw = b"" if body is None else json.dumps(body).encode()
    return replace(request, method=method, path=path, query=query, body=raw)


def crash_reply() -> Reply:
    """An unhandled exception's answer."""
    return Reply(500, {"content-type": "text/plain"}, b"Internal Server Error")


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


def all_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


TieKey = Callable[[str], str]


async def reordered(request: Request, forward: Forward, tie: TieKey) -> Reply:
    """The answer to a list request from a server that orders backends created in the same
    second by `tie` (of each id) instead of the reference server's order, pages and cursors
    following that order. Any other answer (a refusal, an unknown cursor) is the reference
    server's own."""
    reply = await forward(request)
    page = list_page(request, reply)
    if page is None:
        return reply
    everything = await _all_listed(request, forward)
    order = sorted(everything, key=lambda b: (b["created_at"], tie(str(b["id"]))), reverse=True)
    ids = [str(b["id"]) for b in order]
    query = dict(parse_qsl(request.query, keep_blank_values=True))
    before = query.get("before_id")
    if before is not None and before not in ids:
        return reply
    start = ids.index(before) + 1 if before is not None else 0
    limit = int(query.get("limit") or 100)
    shown = order[start : start + limit]
    more = start + limit < len(order) and shown
    extra = {"limit": query["limit"]} if "limit" in query else {}
    after = with_query(page["uri"], before_id=str(shown[-1]["id"]), **extra) if more else None
    return reply.with_json({**page, "backends": shown, "next_page_uri": after})


async def _all_listed(request: Request, forward: Forward) -> list[dict[str, Any]]:
    """Every backend the key's account holds, as the reference server lists them."""
    listed: list[dict[str, Any]] = []
    query = "limit=100"
    while True:
        page = list_page(request, await forward(derived(request, "GET", COLLECTION, query=query)))
        if page is None:
            return listed
        listed += page["backends"]
        if page["next_page_uri"] is None:
            return listed
        query = urlsplit(page["next_page_uri"]).query


def on_deleted_cursor(app: ASGIApp, answer: Callable[[str], Reply]) -> ASGIApp:
    """`app`, answering a list it would serve whose before_id names a backend it deleted
    with `answer(cursor)` instead."""
    deleted: set[str] = set()

    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "DELETE") and reply.status == 204:
            deleted.add(item_id(request))
        before = dict(parse_qsl(request.query, keep_blank_values=True)).get("before_id")
        if is_collection(request, "GET") and reply.status == 200 and before in deleted:
            return answer(before)
        return reply

    return Fault(app, on_reply=on_reply)
