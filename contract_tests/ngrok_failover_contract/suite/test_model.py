"""Stateful: a model-based Hypothesis machine chains create, get, update, list and delete."""

from __future__ import annotations

from contextlib import nullcontext

from hypothesis import seed
from hypothesis.stateful import run_state_machine_as_test

from ..drivers.fresh import fresh_shard
from ..drivers.model import model_machine
from ..drivers.walks import Ahead
from ..drivers.workers import Shard, run_shards
from ..live.ledger import Ledger
from ..runner.session import ContractSession

# How far each walk asks ahead at its start: the shards' own creates and deletes move the
# list under it, so most pages asked far ahead would be thrown away (seed 0 at 150 ms: 2
# pages a walk, 2,058 requests in 20.0 s; all 32, 2,588 in 20.5 s).
FIRST_DEPTH = 2


def test_backends_behave_like_the_model(contract: ContractSession, ledger: Ledger) -> None:
    """Every answer matches what the seed and spec say the server holds."""
    run = contract.drivers
    shards = run.shards(run.profile.stateful_examples)
    # The shards' list walks ask pages ahead, all of the test's requests held to its
    # workers in flight; one shard, or a comparison: one page at a time.
    pipelined = len(shards) > 1 and not contract.comparing
    with (
        contract.gate.in_flight_at_most(run.workers) if pipelined else nullcontext(),
        Ahead(run.workers, first_depth=FIRST_DEPTH) if pipelined else nullcontext() as ahead,
    ):

        def one(shard: Shard) -> None:
            lane = ledger.lane(shard.seed)
            fresh = fresh_shard(shard)
            machine = model_machine(lane, fresh=fresh, ahead=ahead, workers=run.workers)
            settings = run.hypothesis_settings(shard.examples, shard)
            run_state_machine_as_test(seed(shard.seed)(machine), settings=settings)

        run_shards(contract.gate, shards, one)
