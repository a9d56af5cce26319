"""Stateful: a model-based Hypothesis machine chains create, get, update, list and delete."""

from __future__ import annotations

from hypothesis import seed
from hypothesis.stateful import run_state_machine_as_test

from ..drivers.fresh import fresh_shard
from ..drivers.model import model_machine
from ..drivers.workers import Shard, run_shards
from ..live.ledger import Ledger
from ..runner.session import ContractSession


def test_backends_behave_like_the_model(contract: ContractSession, ledger: Ledger) -> None:
    """Every answer matches what the seed and spec say the server holds."""
    run = contract.drivers

    def one(shard: Shard) -> None:
        machine = model_machine(ledger.lane(shard.seed), fresh=fresh_shard(shard))
        settings = run.hypothesis_settings(shard.examples, shard)
        run_state_machine_as_test(seed(shard.seed)(machine), settings=settings)

    run_shards(contract.gate, run.shards(run.profile.stateful_examples), one)
