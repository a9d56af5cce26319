"""Planted faults only requests side by side show (--workers 2 or more)."""

from __future__ import annotations

import asyncio

from ngrok_failover_contract.core.api import COLLECTION

from ..asgi import ASGIApp, Fault, Receive, Reply, Request, Scope, Send
from ..registry import fault
from ..rewrite import is_collection

# The window in which a second create counts as in flight with the first: long enough that
# creates sent side by side overlap, short enough not to slow a run that sends them in turn.
RACE_WINDOW_S = 0.005


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
