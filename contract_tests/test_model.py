"""Stateful: a model-based Hypothesis machine chains create, get, update, list and delete."""

from __future__ import annotations

from hypothesis import seed
from hypothesis.stateful import run_state_machine_as_test

from .ledger import Ledger
from .model import model_machine
from .session import ContractSession
from .settings import hypothesis_settings
from .workers import Shard, run_shards, shards_for


def test_backends_behave_like_the_model(contract: ContractSession, ledger: Ledger) -> None:
    """Every answer matches what the seed and spec say the server holds."""
    profile = contract.options.profile

    def run(shard: Shard) -> None:
        machine = seed(shard.seed)(model_machine(ledger.lane(shard.seed)))
        run_state_machine_as_test(machine, settings=hypothesis_settings(profile, shard.examples))

    run_shards(contract.gate, shards_for(contract.options, profile.stateful_examples), run)
