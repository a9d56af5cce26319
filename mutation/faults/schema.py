"""Planted faults a schema catches: field forms, error bodies, missing fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import fault
from ..rewrite import map_resources


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


@fault("uri_relative", "gives each backend a relative uri", "uri_is_own")
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
