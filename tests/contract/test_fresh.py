"""Shards after the first skip Hypothesis's simplest case (`drivers.fresh`): a test split into
one-example shards runs as many different scenarios, not one scenario many times."""

from __future__ import annotations

from typing import Any

from hypothesis import example, seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from ngrok_failover_contract.checks.failures import GeneratedCase
from ngrok_failover_contract.compat import explicit_examples
from ngrok_failover_contract.core.profiles import PROFILES
from ngrok_failover_contract.drivers.config import DriverConfig
from ngrok_failover_contract.drivers.fresh import FreshStart, fresh_shard
from ngrok_failover_contract.drivers.schema import configure, load_spec, shard_test
from ngrok_failover_contract.drivers.workers import Shard, split

RUN = DriverConfig(seed=0, profile=PROFILES["quick"], api_key="k" * 20, workers=4)


def _scenario(shard: Shard, *, guarded: bool = True) -> list[tuple[str, int]]:
    """The steps the one scenario of `shard` took, on a machine of two rules."""
    steps: list[tuple[str, int]] = []

    class Toy(RuleBasedStateMachine):
        @rule(n=st.integers(0, 1000))
        def a(self, n: int) -> None:
            steps.append(("a", n))

        @rule(n=st.integers(0, 1000))
        def b(self, n: int) -> None:
            steps.append(("b", n))

    bases = (Toy, FreshStart) if guarded and fresh_shard(shard) else (Toy,)
    machine = type("OfShard", bases, {})
    settings = RUN.hypothesis_settings(shard.examples, shard if guarded else None)
    run_state_machine_as_test(seed(shard.seed)(machine), settings=settings)
    return steps


def test_every_shard_after_the_first_runs_a_scenario_of_its_own() -> None:
    shards = split(0, 4, 4)
    scenarios = [_scenario(shard) for shard in shards]
    simplest = [("a", 0)] * RUN.profile.stateful_steps
    assert scenarios[0] == simplest  # shard 1: the run in one shard, as it always was
    assert all(s != simplest for s in scenarios[1:])
    assert len({tuple(s) for s in scenarios}) == len(shards)
    # The fresh start's step is added: each scenario sends as many steps as shard 1's.
    assert all(len(s) == RUN.profile.stateful_steps for s in scenarios)


def test_without_the_fresh_start_every_shard_repeats_the_simplest_scenario() -> None:
    """What the fresh start is for: Hypothesis begins with its simplest case whatever the seed."""
    scenarios = [_scenario(shard, guarded=False) for shard in split(0, 4, 4)]
    assert len({tuple(s) for s in scenarios}) == 1


def _generated(shard: Shard) -> list[dict[str, Any]]:
    schema = configure(load_spec(), RUN)
    bodies: list[dict[str, Any]] = []

    def record(case: GeneratedCase) -> None:
        bodies.append(dict(case.body) if isinstance(case.body, dict) else {"body": case.body})

    shard_test(schema, RUN, "POST /backends/failover", shard=shard, explicit=[], test=record)()
    return bodies


def test_each_shard_of_an_operations_fuzzing_draws_its_own_case() -> None:
    cases = [_generated(shard) for shard in split(0, 4, 4)]
    assert all(len(c) == 1 for c in cases)
    assert cases[1:].count(cases[0]) == 0  # shard 1 drew the simplest case, the others not
    assert len({repr(c) for c in cases}) == 4


def test_a_fresh_shard_still_runs_its_share_of_the_explicit_cases() -> None:
    schema = configure(load_spec(), RUN)
    seen: list[object] = []
    shard = split(0, 4, 4)[1]
    explicit = [_explicit_case(schema, n) for n in range(8)]
    shard_test(
        schema,
        RUN,
        "POST /backends/failover",
        shard=shard,
        explicit=explicit,
        test=lambda case: seen.append(case.body),
    )()
    # Shard 2 of 4: explicit cases 2 and 6, then its one generated case.
    explicit_seen = [body for body in seen[:2] if isinstance(body, dict)]
    assert sorted(b["description"] for b in explicit_seen) == ["explicit 1", "explicit 5"]
    assert len(seen) == 3


def _explicit_case(schema: Any, number: int) -> Any:
    operation = schema.find_operation_by_label("POST /backends/failover")
    case = operation.Case(body={"description": f"explicit {number}"}, media_type="application/json")
    marked = example(case=case)(lambda case: None)
    return explicit_examples(marked)[0]
