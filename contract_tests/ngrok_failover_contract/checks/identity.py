"""Identity and URIs: ids are unique, each `uri` names its own resource."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from ..core.api import COLLECTION
from ..core.exchange import Exchange
from ..core.registry import Property
from .checker import Checker, Resource


class Identity(Checker):
    """Ids and URIs."""

    def id_is_new(self, new_id: str, earlier: Collection[str], exchange: Exchange) -> None:
        """Each create gives an id no earlier backend had (seed: "unique identifier")."""
        self.require(
            new_id not in earlier,
            Property.IDS_ARE_UNIQUE,
            f"create answered id {new_id}, which an earlier backend already had (of this run, or "
            "there before it); the seed says id is a unique identifier",
            exchange,
        )

    def uri_is_own(self, resource: Resource, exchange: Exchange) -> None:
        """`uri` is absolute and names this very resource: `.../backends/failover/<its id>`."""
        uri = str(resource.get("uri", ""))
        parts = urlsplit(uri)
        own = f"{COLLECTION}/{resource.get('id')}"
        self.require(
            bool(parts.scheme and parts.netloc) and parts.path.endswith(own) and not parts.query,
            Property.URI_IS_OWN,
            f"backend {resource.get('id')} has uri {uri!r}; the seed's uri is the absolute URL of "
            f"the resource, ending in {own}",
            exchange,
        )

    def list_uri_is_collection(self, page: Resource, exchange: Exchange) -> None:
        """The list's `uri` is the absolute URL of the collection, without paging parameters."""
        uri = str(page.get("uri", ""))
        parts = urlsplit(uri)
        self.require(
            bool(parts.scheme and parts.netloc) and parts.path.endswith(COLLECTION),
            Property.LIST_URI_IS_COLLECTION,
            f"the list's uri is {uri!r}; the seed's is the collection's absolute URL "
            f"(https://api.ngrok.com{COLLECTION})",
            exchange,
        )
