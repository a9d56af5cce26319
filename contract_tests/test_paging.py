"""Directed paging: the whole list, read as a client reads it, at several page sizes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .model import FOREIGN_ALLOWANCE
from .paging import check_listing, read_all
from .run import MARKER, Run
from .settings import Profile


@pytest.fixture(scope="module")
def paged(run: Run, profile: Profile) -> Iterator[Run]:
    """Enough backends of the run's own for several pages; two of them deleted again."""
    made = [
        run.create({"description": f"{MARKER} page {n}", "backends": []})[1]["id"]
        for n in range(profile.paging_backends)
    ]
    for backend_id in (made[1], made[-2]):
        assert run.client.delete(backend_id).status == 204, "setup: delete of a fresh backend"
        run.record_deleted(backend_id)
    yield run


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_every_page_followed_lists_each_live_backend_once_newest_first(
    paged: Run, limit: int
) -> None:
    listing = read_all(paged.client, limit, len(paged.created) + FOREIGN_ALLOWANCE)
    check_listing(listing, paged.live, paged.deleted)
