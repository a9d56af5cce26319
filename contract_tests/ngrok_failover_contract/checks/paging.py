"""Paging: what a list page holds and where `next_page_uri` leads (spec, listFailoverBackends;
ngrok's API conventions page)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from urllib.parse import urlsplit

from ..core.api import COLLECTION
from ..core.exchange import Exchange
from ..core.registry import Property
from .checker import Checker, Resource
from .freedoms import listed_after


class Paging(Checker):
    """List pages and the walk across them."""

    def page_within_limit(self, page: Resource, limit: int, exchange: Exchange) -> None:
        """A page holds at most `limit` backends (spec, listFailoverBackends)."""
        count = len(page.get("backends") or [])
        self.require(
            count <= limit,
            Property.LIMIT_IS_HONOURED,
            f"asked for limit={limit} and got {count} backends on one page",
            exchange,
        )

    def next_page_uri_absolute(self, page: Resource, exchange: Exchange) -> None:
        """`next_page_uri` is an absolute URL a client can follow verbatim, or null."""
        uri = page.get("next_page_uri")
        parts = urlsplit(str(uri))
        self.require(
            uri is None or bool(parts.scheme and parts.netloc and parts.path.endswith(COLLECTION)),
            Property.NEXT_PAGE_URI_IS_ABSOLUTE,
            f"next_page_uri is {uri!r}; ngrok's clients follow it verbatim, so it must be the "
            f"absolute URL of the collection ({COLLECTION}?before_id=...)",
            exchange,
        )

    def empty_page_is_last(self, page: Resource, exchange: Exchange) -> None:
        """A page with no backends is the last one: its `next_page_uri` is null.

        The seed says next_page_uri is null "if there is no next page"; a page without backends
        cannot be followed by more (they would be on it). Whether pages before the last are full
        is not documented, so it is not asserted.
        """
        count = len(page.get("backends") or [])
        self.require(
            count > 0 or page.get("next_page_uri") is None,
            Property.LAST_PAGE_HAS_NULL_NEXT,
            f"an empty page has next_page_uri {page.get('next_page_uri')!r}; the seed says it is "
            "null when there is no next page",
            exchange,
        )

    def page_not_revisited(self, url: str, visited: Collection[str], exchange: Exchange) -> None:
        """Following `next_page_uri` never leads back to a page already read (a page loop)."""
        self.require(
            url not in visited,
            Property.NO_PAGE_LOOP,
            f"next_page_uri leads back to {url}, a page already read: a client following it "
            "would loop forever",
            exchange,
        )

    def list_ends(self, pages_read: int, max_pages: int, exchange: Exchange) -> None:
        """A list of at most N backends ends within N / limit pages (plus slack)."""
        self.require(
            pages_read <= max_pages,
            Property.NO_PAGE_LOOP,
            f"read {pages_read} pages and next_page_uri is still not null, more than the backends "
            "that exist can fill: the list never ends",
            exchange,
        )

    def listed_once(self, backend_id: str, seen: Collection[str], exchange: Exchange) -> None:
        """Across all pages each backend appears once."""
        self.require(
            backend_id not in seen,
            Property.LISTED_EXACTLY_ONCE,
            f"{backend_id} appears on more than one page (or twice on one)",
            exchange,
        )

    def live_backends_listed(self, missing: Sequence[str], exchange: Exchange) -> None:
        """Every live backend appears in the list, across its pages."""
        self.require(
            not missing,
            Property.EVERY_EXISTING_BACKEND_LISTED,
            "after reading every page, these backends that exist were never listed: "
            f"{list(missing)}",
            exchange,
        )

    def newest_first(self, listed: Sequence[Resource], ex: Exchange) -> None:
        """Backends are listed newest first: `created_at` never increases down the list.

        ngrok's ids are KSUIDs (whole seconds, then random bits), so two backends made in the
        same second may come in either order (`freedoms.listed_after`).
        """
        stamps = [item.get("created_at") for item in listed]
        later = next(
            (i for i in range(1, len(stamps)) if not listed_after(stamps[i - 1], stamps[i])), None
        )
        self.require(
            later is None,
            Property.LIST_IS_NEWEST_FIRST,
            "the list is not newest first: "
            + (
                f"{listed[later].get('id')} (created {stamps[later]}) comes after "
                f"{listed[later - 1].get('id')} (created {stamps[later - 1]})"
                if later is not None
                else ""
            ),
            ex,
        )

    def page_after_cursor(
        self,
        cursor_id: str,
        created_at: str,
        listed: Sequence[Resource],
        ex: Exchange,
        *,
        ordered: bool,
    ) -> None:
        """A page with `before_id` holds the backends older than the cursor (a backend that
        exists, created at `created_at`): never the cursor itself, which its own page listed,
        and (`ordered`: where the order is judged) none created in a later second (that
        second's order is free)."""
        ids = [str(item.get("id")) for item in listed]
        self.require(
            cursor_id not in ids,
            Property.LISTED_EXACTLY_ONCE,
            f"the page before_id={cursor_id} lists {cursor_id} itself: it holds the backends "
            "older than its cursor, and the page before it listed the cursor already (a server "
            "that ignored before_id answers the first page)",
            ex,
            cursor_id,
        )
        if not ordered:
            return
        newer = next((i for i in listed if not listed_after(created_at, i.get("created_at"))), None)
        self.require(
            newer is None,
            Property.LIST_IS_NEWEST_FIRST,
            f"the page before_id={cursor_id} (created {created_at}) lists "
            f"{(newer or {}).get('id')}, created later ({(newer or {}).get('created_at')}): a "
            "page after a cursor holds backends older than it",
            ex,
        )

    def first_page_holds_newest(self, missing: Sequence[str], exchange: Exchange) -> None:
        """A page without `before_id` holds the newest backends: every backend newer (by a
        second) than one it shows, and all of them when it is the last page."""
        self.require(
            not missing,
            Property.EVERY_EXISTING_BACKEND_LISTED,
            f"the first page leaves out {list(missing)}, which exist and are newer than a "
            "backend it shows (or it is the only page); the list is newest first",
            exchange,
        )
