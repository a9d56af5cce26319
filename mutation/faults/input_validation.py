"""Planted faults of input validation: what must be refused, what must be accepted."""

from __future__ import annotations

from urllib.parse import parse_qsl

from ngrok_failover_contract.core.api import WRITABLE_FIELDS

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import fault
from ..rewrite import error_reply, is_collection, rewrite_field

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
