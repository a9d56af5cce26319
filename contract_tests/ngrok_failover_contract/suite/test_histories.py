"""Concurrency: threads calling at once on a few backends; some order explains every answer."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial

from ..drivers.histories import judge_history, programs, record
from ..drivers.workers import shard_seed, side_by_side
from ..live.ledger import Ledger
from ..runner.session import ContractSession

THREADS = 3  # calls in flight at once, whatever --workers says: the point is overlap
STEPS = 4  # calls per thread
TARGETS = 2  # backends the threads share


def test_concurrent_calls_have_an_order_the_model_explains(
    contract: ContractSession, ledger: Ledger
) -> None:
    """Each history: two fresh backends, three threads of four calls each started at once,
    then a read of each backend; the model must explain some order of all of them."""
    run = contract.drivers

    def history(number: int) -> None:
        lane = ledger.lane(shard_seed(run.seed, 1000 + number))
        made = [lane.create({"description": f"history {number}", "backends": []}) for _ in "ab"]
        targets = [str(resource["id"]) for _, resource in made[:TARGETS]]
        seed = f"seed {run.seed}, history {number}"
        plans = programs(random.Random(seed), THREADS, STEPS, len(targets))
        recorded = record(lane, plans, targets)
        lane.oracle.world = judge_history(lane, recorded, lane.oracle.world, seed)
        for backend in lane.oracle.world.held:  # each history's backends go with it
            lane.delete(backend.id)

    # Each history has a lane and a seed of its own: with workers to spare, several at once
    # (one by one in a comparison: both sides must get its requests in one order).
    histories: list[Callable[[], None]] = [
        partial(history, n) for n in range(run.profile.property_examples)
    ]
    at_once = 1 if contract.comparing else max(1, run.workers // THREADS)
    side_by_side(contract.gate, histories, at_once)
