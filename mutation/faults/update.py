"""Planted faults of update: absent fields, empty children, identity."""

from __future__ import annotations

from typing import Any

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import Wrap, fault
from ..rewrite import error_reply, is_item, item_id, map_resources


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


def update_ignores_empty(field: str, empty: object) -> Wrap:
    """A fault whose update reads `field` holding `empty` as absent (a test for truth)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        def on_request(request: Request) -> Request:
            body = request.json()
            if is_item(request, "PATCH") and isinstance(body, dict) and body.get(field) == empty:
                return request.with_json({k: v for k, v in body.items() if k != field})
            return request

        return Fault(app, on_request=on_request)

    return wrap


fault(
    "update_ignores_empty_children",
    'an update treats "backends": [] as absent',
    "backends_reads_back",
)(update_ignores_empty("backends", []))

fault(
    "update_ignores_empty_description",
    'an update tests the description for truth (if body.description:): "" is ignored',
    "description_reads_back",
)(update_ignores_empty("description", ""))


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


@fault(
    "update_body_own_id_refused",
    "refuses an update whose body carries the path's own id, as ngrok's JavaScript client sends",
    "update_answers_200",
)
def update_body_own_id_refused(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = request.json()
        updated = is_item(request, "PATCH") and reply.status == 200
        if updated and isinstance(body, dict) and body.get("id") == item_id(request):
            return error_reply(400, "ERR_NGROK_214", "unknown field 'id'")
        return reply

    return Fault(app, on_reply=on_reply)
