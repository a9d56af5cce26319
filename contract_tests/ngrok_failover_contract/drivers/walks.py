"""The paging tests' walks: the whole list read as a client reads it, each page checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from ..checks.judge import Judge
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
from ..live.gate import Gate
from ..live.ledger import Ledger

Walked = TypeVar("Walked")

# More pages than this (for the backends that exist) means the list never ends.
PAGE_SLACK = 5


@dataclass
class Listing:
    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    last: Exchange | None = None
    # The page each id was listed on: a finding about one item shows that page's request.
    page_of: dict[str, Exchange] = field(default_factory=dict)


def read_all(ledger: Ledger, limit: int, *, order: bool = True) -> Listing | None:
    """Every page at `limit` per page, each page judged by the lane's model, the walk held to
    the paging properties: no page twice, no backend twice, an end; then `check_listing`.

    The ledger's `list_bound` (how many backends can exist) bounds the pages, so an endless
    list is caught even when its URLs never repeat. In a comparison each side walks its own
    list, following its own pages, and the twin compares the walks (None: the walk broke on
    the base side; the comparison holds the verdict).
    """
    twin = ledger.twin
    if twin is not None and twin.active:
        return twin.walk(ledger, lambda lane: _walk(lane, limit, order=order))
    return _walk(ledger, limit, order=order)


def _walk(ledger: Ledger, limit: int, *, order: bool) -> Listing:
    judge = ledger.judge
    listing = Listing()
    visited: set[str] = set()
    max_pages = ledger.list_bound() // limit + PAGE_SLACK
    exchange = _diagnosed(ledger, lambda: ledger.list_page(limit=limit))
    while True:
        page = exchange.json()
        visited.add(exchange.url)
        listing.last = exchange
        for item in page.get("backends") or []:
            judge.listed_once(item["id"], listing.ids, exchange)
            listing.ids.append(item["id"])
            listing.items.append(item)
            listing.page_of[item["id"]] = exchange
        next_uri = page.get("next_page_uri")
        if not next_uri:
            break
        judge.page_not_revisited(str(next_uri), visited, exchange)
        judge.list_ends(len(visited), max_pages, exchange)
        exchange = _diagnosed(ledger, partial(ledger.request, "GET", str(next_uri)))
    check_listing(judge, listing, ledger.existing, ledger.deleted, order=order)
    return listing


def _diagnosed(ledger: Ledger, read_page: Callable[[], Exchange]) -> Exchange:
    """A page read; a backend it shows unlike the model is read by itself: if a get shows
    the same, the backend itself changed (the get names why), else the list is stale."""
    try:
        return read_page()
    except ContractViolation as violation:
        known = violation.subject in ledger.oracle.world or violation.subject in ledger.fixed
        if violation.prop is Property.LIST_MATCHES_GET and known:
            ledger.get(str(violation.subject))
        raise


def settled(gate: Gate, walk: Callable[[], Walked]) -> Walked:
    """`walk` (a read of the whole list, and its checks), trusted only on a list that stood
    still: a violation seen while another shard of the run deleted a backend may come from
    that delete (the backend a next page starts after, gone), so the walk is made again with
    the run's deletes held back, and that walk's verdict is the one that counts.
    """
    mark = gate.deletes_mark()
    try:
        return walk()
    except ContractViolation:
        if not gate.disturbed(mark):
            raise
    with gate.quiet():
        return walk()


def check_listing(
    judge: Judge,
    listing: Listing,
    existing: list[str],
    deleted: set[str],
    *,
    order: bool = True,
) -> None:
    """Every existing backend of the run listed once; none of its deleted ones; newest first.

    Order shows only across a second's boundary (`newest_first`): a caller whose backends
    may all share one second (the model machine, replayed by Hypothesis) passes order=False.
    """
    assert listing.last is not None
    listed = set(listing.ids)
    judge.live_backends_listed([i for i in existing if i not in listed], listing.last)
    for backend_id in deleted:
        judge.deleted_not_listed(backend_id, listed, listing.last)
    if order:
        judge.newest_first(listing.items, listing.last)
