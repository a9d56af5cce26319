"""Planted faults only requests side by side show: a run's workers, or a history's threads."""

from __future__ import annotations

import asyncio

from ngrok_failover_contract.core.api import COLLECTION, WRITABLE_FIELDS

from ..asgi import ASGIApp, Fault, Forward, Handle, Receive, Reply, Request, Scope, Send
from ..registry import fault
from ..rewrite import derived, is_collection, is_item

# The window in which a second create counts as in flight with the first: long enough that
# creates sent side by side from threads overlap on a loaded 2-core machine (5 ms did not at a
# load of 7), short enough that a run sending creates in turn loses a few seconds at most.
RACE_WINDOW_S = 0.05
# Between an update's read and its write: wide enough that two updates sent side by side
# from two threads overlap on a loaded 2-core machine; asyncio.sleep lets others proceed.
LOST_UPDATE_WINDOW_S = 0.02


@fault(
    "create_ids_collide",
    "two creates in flight at once get the same id (a racy id counter): only a run that "
    "sends requests side by side (--workers 2 or more) can see it",
    "ids_are_unique",
    min_workers=2,
)
def create_ids_collide(app: ASGIApp) -> ASGIApp:
    in_flight = [0]
    shared: list[str] = []  # the id the first of overlapping creates answered

    def on_reply(request: Request, reply: Reply) -> Reply:
        if not (is_collection(request, "POST") and reply.status == 201):
            return reply
        body = reply.json()
        if shared:
            old = shared[0]
            return reply.with_json(
                {**body, "id": old, "uri": body["uri"].rsplit("/", 1)[0] + "/" + old}
            )
        if in_flight[0] > 1:
            shared.append(body["id"])
        return reply

    inner = Fault(app, on_reply=on_reply)

    async def racy(scope: Scope, receive: Receive, send: Send) -> None:
        create = scope["type"] == "http" and scope["method"] == "POST"
        if not (create and scope["path"] == COLLECTION):
            await inner(scope, receive, send)
            return
        in_flight[0] += 1
        try:
            await asyncio.sleep(RACE_WINDOW_S)
            await inner(scope, receive, send)
        finally:
            in_flight[0] -= 1
            if not in_flight[0]:
                shared.clear()

    return racy


@fault(
    "update_loses_concurrent_update",
    "an update reads the whole backend, works a moment, and writes the whole backend back: "
    "a concurrent update of another field is lost",
    "history_is_linearizable",
    sample=True,
)
def update_loses_concurrent_update(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        body = request.json()
        if not (is_item(request, "PATCH") and isinstance(body, dict)):
            return await forward(request)
        read = await forward(derived(request, "GET", request.path))
        current = read.json()
        if read.status != 200 or not isinstance(current, dict):
            return await forward(request)  # its own 401, 404 or 400
        await asyncio.sleep(LOST_UPDATE_WINDOW_S)
        whole = {name: current[name] for name in WRITABLE_FIELDS} | body
        return await forward(request.with_json(whole))

    return Handle(app, handle)
