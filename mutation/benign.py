"""Benign variants: servers that differ from the reference server only where ngrok documents
no single answer. The suite must pass against each (no false alarm)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode

from ngrok_failover_contract.core.api import item_id as api_item_id

from .asgi import ASGIApp, Fault, Reply, Request
from .registry import benign
from .rewrite import is_collection, is_id, item_id, map_resources


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
