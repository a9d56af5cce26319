"""Directed paging: the whole list, read as a client reads it, at several page sizes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from functools import partial
from typing import Any

import pytest

from ..core.profiles import Profile
from ..drivers.walks import Ahead, read_all, settled
from ..drivers.workers import shard_seed, side_by_side
from ..live.ledger import Ledger
from ..runner.session import ContractSession

LIMITS = (1, 2, 3, 100)
PAGING_LANES = 2000  # the creating lanes' seeds: shard_seed(seed, 2000 + k)


@pytest.fixture(scope="module")
def paged(contract: ContractSession, ledger: Ledger, profile: Profile) -> Iterator[Ledger]:
    """Enough backends of the run's own for several pages, and for more than the largest
    page (100) where the profile allows it; two of them deleted again, the rest once the
    walks are done (every later walk of the list would read them all again).

    With the run's anchors, which every walk lists too, they span two seconds at least:
    order within one second is not documented, so a list in the wrong order is only visible
    across a second's boundary. The anchors were made before any test, so this is mostly
    so already. Else: the first create was stored in some second S before its answer
    arrived, so S is over at most one second after that answer, and a create sent then is
    stored in a later second, whatever the server's clock reads. A comparison always waits:
    its requests must not hang on one side's clock (a replay repeats them).
    """
    workers = contract.options.workers
    descriptions = [f"page {n}" for n in range(profile.paging_backends)]
    made, owner, first_answer = _create(contract, ledger, descriptions)
    stamps = {str(created["created_at"]) for created in made}
    stamps |= {anchor.created_at for anchor in ledger.fixed.values()}
    if len(stamps) == 1 or contract.comparing:
        first = min(first_answer, ledger.anchored_at or first_answer)
        contract.gate.pause(first + 1.0 - time.monotonic())
        made += _create(contract, ledger, ["page last"])[0]
    ids = [str(backend["id"]) for backend in made]
    # Each by the lane that made it, side by side when two lanes made them (a lane's model
    # takes one request at a time).
    gone = {i: owner.get(i, ledger) for i in (ids[1], ids[-2])}
    deletes: list[Callable[[], None]] = [partial(_delete, lane, i) for i, lane in gone.items()]
    side_by_side(contract.gate, deletes, len({id(lane) for lane in gone.values()}))
    yield ledger
    ledger.discard_many([i for i in ids if i not in ledger.deleted], workers)


def _delete(lane: Ledger, backend_id: str) -> None:
    lane.delete(backend_id)


def _create(
    contract: ContractSession, ledger: Ledger, descriptions: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Ledger], float]:
    """A backend for each description, in their order; with more than one worker, that many
    at a time, each worker's share made by a lane of its own (a lane's model takes one
    request at a time); also the lane that made each (that one deletes it, as its model
    expects), and when the first answer arrived (`time.monotonic`)."""
    bodies = [{"description": d, "backends": []} for d in descriptions]
    # A comparison sends them one by one: both sides must get them in one order.
    workers = 1 if contract.comparing else min(contract.options.workers, len(bodies))
    answered: list[float] = []

    def create(lane: Ledger, body: dict[str, Any]) -> dict[str, Any]:
        created = lane.create(body)[1]
        answered.append(time.monotonic())
        return created

    if workers <= 1:
        return [create(ledger, body) for body in bodies], {}, min(answered)
    lanes = [ledger.lane(shard_seed(ledger.seed, PAGING_LANES + k)) for k in range(workers)]
    made: dict[int, dict[str, Any]] = {}

    def share(k: int) -> None:
        for n in range(k, len(bodies), workers):
            made[n] = create(lanes[k], bodies[n])

    side_by_side(contract.gate, [partial(share, k) for k in range(workers)], workers)
    owner = {str(made[n]["id"]): lanes[n % workers] for n in made}
    return [made[n] for n in range(len(bodies))], owner, min(answered)


def test_every_page_followed_lists_each_existing_backend_once_newest_first(
    contract: ContractSession, paged: Ledger
) -> None:
    """At 1, 2, 3 and 100 per page, side by side; each walk follows its pages one after
    another, with the pages it expects next asked ahead (`Ahead`: the run's workers in
    flight across the walks; one worker, or a comparison: one page at a time)."""
    workers = contract.options.workers
    pipelined = workers > 1 and not contract.comparing
    with Ahead(workers) if pipelined else nullcontext() as ahead:

        def walk(limit: int) -> None:
            read_all(paged, limit, ahead=ahead)

        walks: list[Callable[[], None]] = [
            partial(settled, paged.client.gate, partial(walk, limit)) for limit in LIMITS
        ]
        side_by_side(contract.gate, walks, workers)
