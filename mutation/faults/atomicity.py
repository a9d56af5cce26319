"""Planted faults of atomicity and frame: refused requests that still write, and writes that
reach a backend the request did not name."""

from __future__ import annotations

from urllib.parse import urlencode

from ngrok_failover_contract.core.api import COLLECTION, WRITABLE_FIELDS

from ..asgi import ASGIApp, Forward, Handle, Reply, Request
from ..registry import fault
from ..rewrite import derived, is_collection, is_item, item_id, item_path, list_page


@fault(
    "refused_update_keeps_valid_fields",
    "an update writes each field as it validates it: one bad field beside good ones is "
    "answered 400 after the good ones were stored",
    "refused_request_changes_nothing",
    sample=True,
)
def refused_update_keeps_valid_fields(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        body = request.json()
        if is_item(request, "PATCH") and reply.status == 400 and isinstance(body, dict):
            fields = [name for name in WRITABLE_FIELDS if name in body]
            if len(body) > 1:  # alone, each field would be refused as the whole body was
                for name in fields:
                    await forward(request.with_json({name: body[name]}))  # the bad one: 400
        return reply

    return Handle(app, handle)


@fault(
    "refused_create_still_stored",
    "a create inserts the row with its description before it validates metadata and "
    "children, and answers their 400 without rolling the insert back",
    "refused_request_changes_nothing",
)
def refused_create_still_stored(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        body = request.json()
        if is_collection(request, "POST") and reply.status == 400 and isinstance(body, dict):
            # A bad description (or key, version, query) refuses the insert too: nothing stays.
            row = {"description": body.get("description", ""), "metadata": "", "backends": []}
            await forward(request.with_json(row))
        return reply

    return Handle(app, handle)


@fault(
    "update_reaches_older_neighbour",
    "an update's metadata is also written to the backend created just before it (an off by "
    "one in a batch write)",
    "operation_changes_only_its_target",
)
def update_reaches_older_neighbour(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        body = request.json()
        if not (is_item(request, "PATCH") and reply.status == 200 and isinstance(body, dict)):
            return reply
        if "metadata" not in body:
            return reply
        query = urlencode({"before_id": item_id(request), "limit": "1"})
        older = await forward(derived(request, "GET", COLLECTION, query=query))
        page = list_page(derived(request, "GET", COLLECTION), older)
        if page is not None and page["backends"]:
            neighbour = item_path(page["backends"][0]["id"])
            await forward(derived(request, "PATCH", neighbour, body={"metadata": body["metadata"]}))
        return reply

    return Handle(app, handle)
