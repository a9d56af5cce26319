"""Directed paging: the whole list, read as a client reads it, at several page sizes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial

import pytest

from ..core.profiles import Profile
from ..drivers.walks import read_all, settled
from ..drivers.workers import side_by_side
from ..live.ledger import Ledger
from ..runner.session import ContractSession

LIMITS = (1, 2, 3, 100)


@pytest.fixture(scope="module")
def paged(contract: ContractSession, ledger: Ledger, profile: Profile) -> Iterator[Ledger]:
    """Enough backends of the run's own for several pages, and for more than the largest
    page (100) where the profile allows it; two of them deleted again, the rest once the
    walks are done (every later walk of the list would read them all again).

    They span two seconds at least: order within one second is not documented, so a list
    in the wrong order is only visible across a second's boundary.
    """
    backends = [
        ledger.create({"description": f"page {n}", "backends": []})[1]
        for n in range(profile.paging_backends)
    ]
    if backends[0]["created_at"] == backends[-1]["created_at"]:
        time.sleep(1.0)
        backends.append(ledger.create({"description": "page last", "backends": []})[1])
    made = [str(backend["id"]) for backend in backends]
    for backend_id in (made[1], made[-2]):
        ledger.delete(backend_id)
    yield ledger
    ledger.discard([i for i in made if i not in ledger.deleted], contract.options.workers)


def test_every_page_followed_lists_each_existing_backend_once_newest_first(
    contract: ContractSession, paged: Ledger
) -> None:
    """At 1, 2, 3 and 100 per page, side by side (each walk's pages follow one another)."""

    def walk(limit: int) -> None:
        read_all(paged, limit)

    walks: list[Callable[[], None]] = [
        partial(settled, paged.client.gate, partial(walk, limit)) for limit in LIMITS
    ]
    side_by_side(contract.gate, walks, contract.options.workers)
