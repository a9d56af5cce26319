"""Reading the whole list as a client does: following `next_page_uri` until it is null."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import properties
from .api import LIMIT_MAX
from .client import ApiClient, Exchange
from .gate import Gate
from .violations import ContractViolation, Property

Walked = TypeVar("Walked")

# More pages than this (for the backends that exist) means the list never ends.
PAGE_SLACK = 5
MAX_PAGES = 10_000  # a listing of everything: 1,000,000 backends; past that the list loops


@dataclass
class Listing:
    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    last: Exchange | None = None
    # The page each id was listed on: a finding about one item shows that page's request.
    page_of: dict[str, Exchange] = field(default_factory=dict)


def walk_pages(client: ApiClient, limit: int) -> Iterator[Exchange]:
    """Each page's exchange, the first at `limit`, then each `next_page_uri` as given.

    The caller checks a page before asking for the next, so a bad page ends the walk.
    """
    exchange = client.list_page(limit=limit)
    while True:
        yield exchange
        page = exchange.json()
        next_uri = page.get("next_page_uri") if isinstance(page, dict) else None
        if not next_uri:
            return
        exchange = client.request("GET", str(next_uri))


def read_all(client: ApiClient, limit: int, expected_at_most: int) -> Listing:
    """Every page at `limit` per page, each held to the paging properties.

    `expected_at_most` bounds how many backends can exist, so an endless list is caught
    even when its URLs never repeat.
    """
    listing = Listing()
    visited: set[str] = set()
    max_pages = expected_at_most // limit + PAGE_SLACK
    for exchange in walk_pages(client, limit):
        properties.status_in(Property.LIST_ANSWERS_200, {200}, exchange)
        page: dict[str, Any] = exchange.json()
        visited.add(exchange.url)
        listing.last = exchange
        properties.list_uri_is_collection(page, exchange)
        properties.page_within_limit(page, limit, exchange)
        properties.next_page_uri_absolute(page, exchange)
        properties.empty_page_is_last(page, exchange)
        for item in page.get("backends") or []:
            properties.listed_once(item["id"], listing.ids, exchange)
            listing.ids.append(item["id"])
            listing.items.append(item)
            listing.page_of[item["id"]] = exchange
        next_uri = page.get("next_page_uri")
        if next_uri is not None:
            properties.page_not_revisited(str(next_uri), visited, exchange)
            properties.list_ends(len(visited), max_pages, exchange)
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


def list_everything(client: ApiClient) -> list[dict[str, Any]]:
    """Every backend on the server, newest first: what the run's survey and cleanup read."""
    found: list[dict[str, Any]] = []
    for pages, exchange in enumerate(walk_pages(client, LIMIT_MAX), start=1):
        properties.status_in(Property.LIST_ANSWERS_200, {200}, exchange)
        page = exchange.json()
        found += [item for item in _items(page) if isinstance(item, dict)]
        properties.list_ends(pages, MAX_PAGES, exchange)
    return found


def _items(page: Any) -> list[Any]:
    items = page.get("backends") if isinstance(page, dict) else None
    return items if isinstance(items, list) else []


def check_listing(
    listing: Listing, existing: list[str], deleted: set[str], *, order: bool = True
) -> None:
    """Every existing backend of the run listed once; none of its deleted ones; newest first.

    Order shows only across a second's boundary (`newest_first`): a caller whose backends
    may all share one second (the model machine, replayed by Hypothesis) passes order=False.
    """
    assert listing.last is not None
    listed = set(listing.ids)
    properties.live_backends_listed([i for i in existing if i not in listed], listing.last)
    for backend_id in deleted:
        properties.deleted_not_listed(backend_id, listed, listing.last)
    if order:
        properties.newest_first(listing.items, listing.last)
