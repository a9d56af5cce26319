"""Paging: what a list page holds and where `next_page_uri` leads (spec, listFailoverBackends;
ngrok's API conventions page)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..core.api import COLLECTION
from ..core.exchange import Exchange
from ..core.registry import Property
from .checker import Checker, Resource


def _instant(stamp: str) -> datetime | None:
    """An RFC 3339 timestamp as an instant: any offset, any fraction of a second (only whole
    seconds and `Z` are what ngrok's examples show; the docs say RFC 3339). None when it is
    malformed: the schema checks say what is wrong with it."""
    try:
        instant = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _later(instants: Sequence[datetime | None], i: int) -> bool:
    this, before = instants[i], instants[i - 1]
    return this is not None and before is not None and this > before


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
        same second may come in either order: only `created_at` is compared, as instants (ngrok
        docs: list "newest first", created_at RFC 3339; `spec/facts.yaml`).
        """
        stamps = [str(item.get("created_at")) for item in listed]
        instants = [_instant(stamp) for stamp in stamps]
        later = next((i for i in range(1, len(instants)) if _later(instants, i)), None)
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
