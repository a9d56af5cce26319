"""Reading the whole list as a client does: following `next_page_uri` until it is null."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import properties
from .client import ApiClient, Exchange

# More pages than this (for the backends that exist) means the list never ends.
PAGE_SLACK = 5


@dataclass
class Listing:
    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    last: Exchange | None = None


def read_all(client: ApiClient, limit: int, expected_at_most: int) -> Listing:
    """Every page at `limit` per page, each held to the paging properties.

    `expected_at_most` bounds how many backends can exist, so an endless list is caught
    even when its URLs never repeat.
    """
    listing = Listing()
    visited: set[str] = set()
    exchange = client.list_page(limit=limit)
    max_pages = expected_at_most // limit + PAGE_SLACK
    while True:
        properties.status_in("list_answers_200", {200}, exchange)
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
        next_uri = page.get("next_page_uri")
        if next_uri is None:
            return listing
        properties.page_not_revisited(str(next_uri), visited, exchange)
        properties.list_ends(len(visited), max_pages, exchange)
        exchange = client.request("GET", str(next_uri))


def check_listing(
    listing: Listing, live: list[str], deleted: set[str], *, order: bool = True
) -> None:
    """Every live backend of the run listed once; none of its deleted ones; newest first.

    Order shows only across a second's boundary (`newest_first`): a caller whose backends
    may all share one second (the model machine, replayed by Hypothesis) passes order=False.
    """
    assert listing.last is not None
    listed = set(listing.ids)
    properties.live_backends_listed([i for i in live if i not in listed], listing.last)
    for backend_id in deleted:
        properties.deleted_not_listed(backend_id, listed, listing.last)
    if order:
        properties.newest_first(listing.items, listing.last)
