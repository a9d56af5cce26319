"""The model's judgement of a list's page: each backend on it as the lane holds it, newest
first, once; none deleted; the newest on the first page; a page after a cursor older than it."""

from __future__ import annotations

from typing import Any

from ...core.api import LIMIT_DEFAULT
from ...core.exchange import Exchange
from ...core.registry import Property
from .. import freedoms
from ..judge import Judge
from .calls import Call
from .expectation import Branch, Context, why_wrong
from .world import World


def listed(world: World, call: Call, context: Context) -> Branch:
    def then(exchange: Exchange, judge: Judge) -> World:
        page = exchange.json()
        page = page if isinstance(page, dict) else {}
        judge.list_uri_is_collection(page, exchange)
        judge.next_page_uri_absolute(page, exchange)
        judge.empty_page_is_last(page, exchange)
        judge.page_within_limit(page, _limit(call), exchange)
        items = [i for i in page.get("backends") or [] if isinstance(i, dict)]
        seen: list[str] = []
        for item in items:
            judge.listed_once(str(item.get("id")), seen, exchange)
            seen.append(str(item.get("id")))
        if context.ordered:
            judge.newest_first(items, exchange)
        after = world
        for item in items:
            backend_id = str(item.get("id"))
            if backend_id in world.gone:
                judge.deleted_not_listed(backend_id, seen, exchange)
            held = world.get(backend_id)
            fixed = context.fixed.get(backend_id)
            if held is not None:
                # A list unlike the model: list_matches_get (a stale copy, say), unless a
                # refused write to it stored something after all.
                why = why_wrong(world, backend_id)
                why = why if why is Property.REFUSED_REQUEST_CHANGES_NOTHING else None
                judge.listed_as_held(held.as_json(), item, exchange, why)
                after = after.read_back(backend_id)
            elif fixed is not None:
                judge.listed_as_held(fixed.as_json(), item, exchange, None)
            elif context.other_account(backend_id):
                judge.require(
                    False,
                    Property.ACCOUNTS_KEPT_APART,
                    f"the list holds {backend_id}, a backend this run created with another "
                    "account's key: a key sees only its own account's backends",
                    exchange,
                    backend_id,
                )
            elif context.stray(item):
                judge.require(
                    False,
                    Property.REFUSED_REQUEST_CHANGES_NOTHING,
                    f"the list holds {backend_id}, marked by this run and holding what a create "
                    "the server refused (4xx) sent, and no create of the run was answered 201 "
                    "with it: the refused create stored it",
                    exchange,
                )
        cursor = call.query.get("before_id")
        known = (world.get(cursor) or context.fixed.get(cursor)) if cursor else None
        if known is not None:
            judge.page_after_cursor(
                known.id, known.created_at, items, exchange, ordered=context.ordered
            )
        if cursor is None:
            missing = _missing_from_first_page(world, items, page, ordered=context.ordered)
            judge.first_page_holds_newest(missing, exchange)
        return after

    return Branch(frozenset({200}), then, "with a page of the list")


def _limit(call: Call) -> int:
    text = call.query.get("limit")
    return int(text) if text is not None and text.isdigit() and int(text) > 0 else LIMIT_DEFAULT


def _missing_from_first_page(
    world: World, items: list[dict[str, Any]], page: dict[str, Any], *, ordered: bool
) -> list[str]:
    """A first page holds the newest backends: with no next page, all the lane holds; else
    (`ordered`) every one of the lane's newer (by a second at least) than one it shows."""
    listed = {str(item.get("id")) for item in items}
    held = list(world)
    if page.get("next_page_uri") is None:
        return [b.id for b in held if b.id not in listed]
    if not ordered:
        return []
    shown = [b for b in held if b.id in listed]
    return [
        b.id
        for b in held
        if b.id not in listed
        and any(not freedoms.listed_after(s.created_at, b.created_at) for s in shown)
    ]
