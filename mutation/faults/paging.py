"""Planted faults of lists and paging: order, limit, next pages, loops, scale, cursors."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ngrok_failover_contract.core.api import COLLECTION

from ..asgi import ASGIApp, Fault, Forward, Handle, Reply, Request
from ..registry import fault
from ..rewrite import (
    crash_reply,
    derived,
    is_collection,
    list_page,
    on_deleted_cursor,
    reordered,
    with_query,
)


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


# The rows the list query reads at most, all pages together.
LIST_CAP = 60


@fault(
    "list_capped",
    f"reads the list from a query capped at {LIST_CAP} rows (a LIMIT before the paging): a "
    f"walk ends after the {LIST_CAP} newest backends and says there is no next page",
    "every_existing_backend_listed",
)
def list_capped(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        page = list_page(request, reply)
        if page is None:
            return reply
        newest = await forward(derived(request, "GET", COLLECTION, query=f"limit={LIST_CAP}"))
        top = list_page(derived(request, "GET", COLLECTION), newest)
        if top is None or len(top["backends"]) < LIST_CAP:
            return reply  # the account holds no more than the cap
        capped = [backend["id"] for backend in top["backends"]]
        kept = [backend for backend in page["backends"] if backend["id"] in capped]
        if len(kept) == len(page["backends"]) and capped[-1] not in {b["id"] for b in kept}:
            return reply  # a page above the cap's last row: its next page is true
        return reply.with_json({**page, "backends": kept, "next_page_uri": None})

    return Handle(app, handle)


@fault(
    "before_id_deleted_500",
    "looks the cursor up among the rows, tombstones included, and crashes (500) on the "
    "missing position of a deleted backend's before_id",
    "list_answers_200",
)
def before_id_deleted_500(app: ASGIApp) -> ASGIApp:
    return on_deleted_cursor(app, lambda _: crash_reply())


@fault(
    "same_second_unstable",
    "orders backends created in the same second anew for each list request (ORDER BY "
    "created_at alone: ties come as the database finds them), so pages repeat some and skip "
    "others",
    "listed_exactly_once",
)
def same_second_unstable(app: ASGIApp) -> ASGIApp:
    asked = itertools.count()

    async def handle(request: Request, forward: Forward) -> Reply:
        salt = str(next(asked))
        return await reordered(
            request, forward, lambda i: hashlib.sha256((salt + i).encode()).hexdigest()
        )

    return Handle(app, handle)


@fault(
    "before_id_needs_limit",
    "reads before_id only beside a limit: a page after a cursor without one is the first page",
    "listed_exactly_once",
)
def before_id_needs_limit(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        if is_collection(request, "GET") and "limit" not in query and "before_id" in query:
            del query["before_id"]
            return replace(request, query=urlencode(query))
        return request

    return Fault(app, on_request=on_request)
