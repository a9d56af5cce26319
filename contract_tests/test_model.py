"""Stateful: a model-based Hypothesis machine chains create, get, update, list and delete."""

from __future__ import annotations

from hypothesis.stateful import run_state_machine_as_test

from .ledger import Ledger
from .model import model_machine
from .settings import Profile, hypothesis_settings


def test_backends_behave_like_the_model(ledger: Ledger, profile: Profile) -> None:
    """Every answer matches what the seed and spec say the server holds."""
    machine = model_machine(ledger)
    run_state_machine_as_test(
        machine, settings=hypothesis_settings(profile, profile.stateful_examples)
    )
