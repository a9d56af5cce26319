"""Reading every page of the list as a client does: following `next_page_uri` until null.

What the run's survey, its cleanup and `cleanup` read; the paging tests' checked walks
(`drivers.walks`) follow the same pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..checks.judge import Judge
from ..core.api import LIMIT_MAX
from ..core.exchange import Exchange
from ..core.registry import Property
from .client import ApiClient

MAX_PAGES = 10_000  # a listing of everything: 1,000,000 backends; past that the list loops


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


def list_everything(client: ApiClient, judge: Judge) -> list[dict[str, Any]]:
    """Every backend on the server, newest first: what the run's survey and cleanup read."""
    found: list[dict[str, Any]] = []
    for pages, exchange in enumerate(walk_pages(client, LIMIT_MAX), start=1):
        judge.status_in(Property.LIST_ANSWERS_200, {200}, exchange)
        page = exchange.json()
        found += [item for item in _items(page) if isinstance(item, dict)]
        judge.list_ends(pages, MAX_PAGES, exchange)
    return found


def _items(page: Any) -> list[Any]:
    items = page.get("backends") if isinstance(page, dict) else None
    return items if isinstance(items, list) else []
