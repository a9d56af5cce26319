"""Contains endpoint functions for accessing the API"""

from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

from ... import errors
from ...client import AuthenticatedClient
from ...models.error import Error
from ...models.failover_backend import FailoverBackend
from ...models.failover_backend_list import FailoverBackendList
from ...types import UNSET, Response, Unset
from . import list_failover_backends

__all__ = ["PageLoopError", "aiter_failover_backends", "iter_failover_backends"]


class PageLoopError(RuntimeError):
    """The server's next_page_uri led back to a page already read."""


def iter_failover_backends(*, client: AuthenticatedClient, limit: str | Unset = UNSET) -> Iterator[FailoverBackend]:
    """Yield every failover backend on the account, newest first, page after page.

    Follows each page's ``next_page_uri`` until it is null. Raises
    ``errors.UnexpectedStatus`` when a page is not answered with 200, and
    ``PageLoopError`` when the server sends a page it already sent.
    """
    before_id: str | Unset = UNSET
    seen: set[str] = set()
    while True:
        response = list_failover_backends.sync_detailed(client=client, before_id=before_id, limit=limit)
        page = _page(response)
        yield from page.backends
        cursor = _next_cursor(page, seen)
        if cursor is None:
            return
        before_id, limit = cursor


async def aiter_failover_backends(
    *, client: AuthenticatedClient, limit: str | Unset = UNSET
) -> AsyncIterator[FailoverBackend]:
    """Async twin of ``iter_failover_backends``."""
    before_id: str | Unset = UNSET
    seen: set[str] = set()
    while True:
        response = await list_failover_backends.asyncio_detailed(client=client, before_id=before_id, limit=limit)
        page = _page(response)
        for backend in page.backends:
            yield backend
        cursor = _next_cursor(page, seen)
        if cursor is None:
            return
        before_id, limit = cursor


def _page(response: Response[Error | FailoverBackendList]) -> FailoverBackendList:
    if response.status_code != 200 or not isinstance(response.parsed, FailoverBackendList):
        raise errors.UnexpectedStatus(response.status_code, response.content)
    return response.parsed


def _next_cursor(page: FailoverBackendList, seen: set[str]) -> tuple[str, str | Unset] | None:
    """The before_id and limit of the next page, read from next_page_uri as a client would.

    Only the query is used, so a server behind a proxy or on a local port pages the same way.
    """
    if page.next_page_uri is None:
        return None
    query = parse_qs(urlsplit(page.next_page_uri).query)
    before = query.get("before_id")
    if not before:
        raise ValueError(f"next_page_uri has no before_id: {page.next_page_uri!r}")
    if before[0] in seen:
        raise PageLoopError(f"next_page_uri repeats before_id={before[0]!r}: {page.next_page_uri!r}")
    seen.add(before[0])
    limits = query.get("limit")
    return before[0], limits[0] if limits else UNSET
