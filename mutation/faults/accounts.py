"""Planted faults of tenancy: one account's key reaching another account's backends.

The suite's self-started reference server has two accounts (`LOCAL_KEY`, `LOCAL_OTHER_KEY`);
a fault here answers a request made with one key as the other account would.
"""

from __future__ import annotations

from dataclasses import replace

from ngrok_failover_contract.runner.options import LOCAL_KEY, LOCAL_OTHER_KEY

from ..asgi import ASGIApp, Forward, Handle, Reply, Request
from ..registry import fault
from ..rewrite import is_item, list_page
from .near_miss import bearer_token

OTHER = {LOCAL_KEY: LOCAL_OTHER_KEY, LOCAL_OTHER_KEY: LOCAL_KEY}


def as_other_account(request: Request) -> Request | None:
    """The same request with the other account's key, or None for any other key."""
    other = OTHER.get(bearer_token(request) or "")
    if other is None:
        return None
    return replace(request, headers={**request.headers, "authorization": f"Bearer {other}"})


@fault(
    "list_shows_every_account",
    "the list query forgets its account filter: a page shows every account's backends",
    "accounts_kept_apart",
)
def list_shows_every_account(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        page = list_page(request, reply)
        other = as_other_account(request)
        if page is None or other is None or "before_id" in request.query:
            return reply
        theirs = list_page(other, await forward(other))
        if not theirs:
            return reply
        # Still in the documented order (ids sort as they were made, newest first), so the
        # page breaks nothing but the account filter, whichever second the backends fall in.
        both = sorted(page["backends"] + theirs["backends"], key=lambda b: b["id"], reverse=True)
        return reply.with_json({**page, "backends": both})

    return Handle(app, handle)


@fault(
    "update_ignores_account",
    "an update finds its backend by id alone, whichever account it belongs to",
    "accounts_kept_apart",
)
def update_ignores_account(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        other = as_other_account(request)
        if is_item(request, "PATCH") and reply.status == 404 and other is not None:
            return await forward(other)
        return reply

    return Handle(app, handle)
