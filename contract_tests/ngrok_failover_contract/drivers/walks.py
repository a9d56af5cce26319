"""The paging tests' walks: the whole list read as a client reads it, each page checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..checks.judge import Judge
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
from ..live.client import ApiClient
from ..live.gate import Gate
from ..live.listing import walk_pages

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


def read_all(client: ApiClient, judge: Judge, limit: int, expected_at_most: int) -> Listing:
    """Every page at `limit` per page, each held to the paging properties.

    `expected_at_most` bounds how many backends can exist, so an endless list is caught
    even when its URLs never repeat.
    """
    listing = Listing()
    visited: set[str] = set()
    max_pages = expected_at_most // limit + PAGE_SLACK
    for exchange in walk_pages(client, limit):
        judge.status_in(Property.LIST_ANSWERS_200, {200}, exchange)
        page: dict[str, Any] = exchange.json()
        visited.add(exchange.url)
        listing.last = exchange
        judge.list_uri_is_collection(page, exchange)
        judge.page_within_limit(page, limit, exchange)
        judge.next_page_uri_absolute(page, exchange)
        judge.empty_page_is_last(page, exchange)
        for item in page.get("backends") or []:
            judge.listed_once(item["id"], listing.ids, exchange)
            listing.ids.append(item["id"])
            listing.items.append(item)
            listing.page_of[item["id"]] = exchange
        next_uri = page.get("next_page_uri")
        if next_uri is not None:
            judge.page_not_revisited(str(next_uri), visited, exchange)
            judge.list_ends(len(visited), max_pages, exchange)
    return listing


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
