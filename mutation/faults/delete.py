"""Planted faults of delete and availability: what is gone, what was never there."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import fault
from ..rewrite import is_collection, is_item, item_id, list_page


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
    "created_backend_is_available",
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
