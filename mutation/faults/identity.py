"""Planted faults of identity: ids reused or answered for another."""

from __future__ import annotations

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import fault
from ..rewrite import is_collection, is_item, item_id


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


@fault("get_answers_other_id", "a get answers with the id in upper case", "answers_requested_id")
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
