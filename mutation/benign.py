"""Benign variants: servers that differ from the reference server only where ngrok documents
no single answer. The suite must pass against each (no false alarm)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ngrok_failover_contract.core.api import (
    BASE62,
    COLLECTION,
    DESCRIPTION_MAX,
    ID_LENGTH,
    METADATA_MAX,
)
from ngrok_failover_contract.core.api import item_id as api_item_id

from .asgi import ASGIApp, Fault, Forward, Handle, Reply, Request
from .registry import benign
from .rewrite import (
    derived,
    error_reply,
    is_collection,
    is_id,
    is_item,
    item_id,
    map_resources,
    on_deleted_cursor,
    reordered,
)


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


@benign(
    "update_body_other_id_ignored",
    "reads an update body's id other than the path's as absent (ngrok documents no answer)",
)
def update_body_other_id_ignored(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        body = request.json()
        if is_item(request, "PATCH") and isinstance(body, dict):
            body_id = body.get("id")
            if isinstance(body_id, str) and body_id != item_id(request):
                return request.with_json({k: v for k, v in body.items() if k != "id"})
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


# An id of another kind: a prefix (bkdhr_, ep_) and an id's length of base62 after it.
_OTHER_KIND_RE = re.compile(rf"[a-z]+_[{re.escape(BASE62)}]{{{ID_LENGTH}}}")


@benign(
    "other_kind_id_400",
    "answers an id of another kind (bkdhr_... where bkdfo_... belongs) with 400 ERR_NGROK_243 "
    "and any other malformed id with 400 ERR_NGROK_242, rather than 404",
)
def other_kind_id_400(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = reply.json()
        asked = item_id(request)
        if not (api_item_id(request.path) and not is_id(asked) and reply.status == 404 and body):
            return reply
        code = "ERR_NGROK_243" if _OTHER_KIND_RE.fullmatch(asked) else "ERR_NGROK_242"
        return reply.with_json({**body, "error_code": code, "status_code": 400}, status=400)

    return Fault(app, on_reply=on_reply)


# The limits' numbers are the spec's; the codes are ngrok's (spec/facts.yaml, text_limits).
_TEXT_LIMITS = {"description": DESCRIPTION_MAX, "metadata": METADATA_MAX}
_TOO_LONG = {"ERR_NGROK_6503": "description", "ERR_NGROK_6504": "metadata"}


def _utf8_length(text: str) -> int | None:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: the server refuses it on its own
        return None


@benign(
    "text_limits_in_bytes",
    f"counts the text limits in UTF-8 bytes, as ngrok's other resources do: a description "
    f"over {DESCRIPTION_MAX} bytes or metadata over {METADATA_MAX} is refused (6503, 6504)",
)
def text_limits_in_bytes(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        body = request.json()
        if request.method not in ("POST", "PATCH") or not isinstance(body, dict):
            return await forward(request)
        over: dict[str, int] = {}
        for name, limit in _TEXT_LIMITS.items():
            value = body.get(name)
            if not isinstance(value, str):
                continue
            size = _utf8_length(value)
            if size is not None and len(value) <= limit < size:
                over[name] = size
        if not over:
            return await forward(request)
        # The server refuses a text one character too long after its own earlier checks
        # (key, version, path, body, unknown fields), so each keeps its place in the order.
        longer = {name: "x" * (_TEXT_LIMITS[name] + 1) for name in over}
        reply = await forward(request.with_json({**body, **longer}))
        error = reply.json()
        field = _TOO_LONG.get(error.get("error_code", "")) if isinstance(error, dict) else None
        if reply.status != 400 or field not in over:
            return reply
        msg = f"{field}: {over[field]} bytes, more than the {_TEXT_LIMITS[field]} allowed"
        return reply.with_json({**error, "msg": msg})

    return Handle(app, handle)


CLOCK_AHEAD_S = 90


def _moved(stamp: str, by: timedelta) -> str:
    """A `created_at` of the reference server's (UTC, whole seconds) moved `by`."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + by
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@benign(
    "clock_ahead_90s",
    f"runs its clock {CLOCK_AHEAD_S} s ahead of the suite's: each created_at a little in the "
    "future, within a clock-skew allowance",
)
def clock_ahead_90s(app: ASGIApp) -> ASGIApp:
    ahead = timedelta(seconds=CLOCK_AHEAD_S)

    def on_reply(_: Request, reply: Reply) -> Reply:
        return map_resources(reply, lambda r: {**r, "created_at": _moved(r["created_at"], ahead)})

    return Fault(app, on_reply=on_reply)


@benign(
    "before_id_deleted_400",
    "refuses a before_id naming a deleted backend with 400 (ngrok documents no answer to a "
    "cursor naming no backend; the spec's list answers no 404)",
)
def before_id_deleted_400(app: ASGIApp) -> ASGIApp:
    return on_deleted_cursor(
        app,
        lambda before: error_reply(400, "ERR_NGROK_215", f"before_id {before!r} names no backend."),
    )


@benign(
    "same_second_by_hash",
    "orders backends created in the same second by a hash of their ids, pages and cursors "
    "following it (the docs leave that order free: rules.list_order_within_one_second)",
)
def same_second_by_hash(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        return await reordered(request, forward, lambda i: hashlib.sha256(i.encode()).hexdigest())

    return Handle(app, handle)


PAGE_MOST = 50


@benign(
    "pages_of_at_most_50",
    f"answers at most {PAGE_MOST} backends a page whatever the limit, linking the rest (a "
    "limit is the most a page holds: spec, listFailoverBackends)",
)
def pages_of_at_most_50(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        limit = query.get("limit", "100")
        if is_collection(request, "GET") and limit.isdigit() and int(limit) > PAGE_MOST:
            return replace(request, query=urlencode({**query, "limit": str(PAGE_MOST)}))
        return request

    return Fault(app, on_request=on_request)


# More than the largest page holds. Not sampled: its own test shows what it costs the model
# (tests/contract/test_verdicts.py); `make mutation` runs it too.
OLDER_BACKENDS = 120


@benign(
    "account_with_older_backends",
    f"holds {OLDER_BACKENDS} backends of another user's, made a day before the run (a "
    "shared account's, or a team's long-running server's), listed after all of the run's",
)
def account_with_older_backends(app: ASGIApp) -> ASGIApp:
    older: set[str] = set()
    lock = asyncio.Lock()

    async def handle(request: Request, forward: Forward) -> Reply:
        async with lock:  # made on the first request whose key is good, before its answer
            for _ in range(OLDER_BACKENDS - len(older)):
                body = {"description": "another user's", "backends": []}
                made = (await forward(derived(request, "POST", COLLECTION, body=body))).json()
                if not isinstance(made, dict) or "id" not in made:
                    break  # not a good key: the next request makes them
                older.add(str(made["id"]))
        reply = await forward(request)

        def dated(resource: dict[str, Any]) -> dict[str, Any]:
            if resource.get("id") in older:
                return {
                    **resource,
                    "created_at": _moved(resource["created_at"], -timedelta(days=1)),
                }
            return resource

        return map_resources(reply, dated)

    return Handle(app, handle)
