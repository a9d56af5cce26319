"""Concurrency: threads calling at once on a few backends; some order explains every answer."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial

from ..core.api import COLLECTION
from ..drivers.histories import judge_history, programs, record
from ..drivers.workers import shard_seed, side_by_side
from ..live.batch import Request
from ..live.ledger import Ledger
from ..runner.session import ContractSession

THREADS = 3  # calls in flight at once, whatever --workers says: the point is overlap
STEPS = 4  # calls per thread
TARGETS = 2  # backends the threads share


def test_concurrent_calls_have_an_order_the_model_explains(
    contract: ContractSession, ledger: Ledger
) -> None:
    """Each history: two fresh backends, three threads of four calls each started at once,
    then a read of each backend; the model must explain some order of all of them. Its
    creates and its deletes go out side by side (`Ledger.request_all`), judged in turn."""
    run = contract.drivers
    # A history's own creates, deletes and final reads side by side, as many as its threads.
    in_flight = 1 if contract.comparing else min(run.workers, THREADS)

    def history(number: int) -> None:
        lane = ledger.lane(shard_seed(run.seed, 1000 + number))
        body = {"description": f"history {number}", "backends": []}
        targets = [str(made["id"]) for made in lane.create_all([body] * TARGETS, in_flight)]
        seed = f"seed {run.seed}, history {number}"
        plans = programs(random.Random(seed), THREADS, STEPS, len(targets))
        recorded = record(lane, plans, targets, in_flight)
        lane.oracle.world = judge_history(lane, recorded, lane.oracle.world, seed)
        held = [f"{COLLECTION}/{backend.id}" for backend in lane.oracle.world.held]
        lane.request_all([Request("DELETE", path) for path in held], in_flight)  # they go

    # Each history has a lane and a seed of its own: with workers to spare, several at once
    # (one by one in a comparison: both sides must get its requests in one order).
    histories: list[Callable[[], None]] = [
        partial(history, n) for n in range(run.profile.property_examples)
    ]
    at_once = 1 if contract.comparing else max(1, run.workers // THREADS)
    side_by_side(contract.gate, histories, at_once)
