"""Every shard explores: none repeats Hypothesis's simplest case.

Hypothesis begins every test with its simplest case (each choice its smallest), whatever the
seed. Split into thirty shards of one scenario each, a test would run that one scenario
thirty times: the model machine's was a create and fourteen cleared descriptions, the link
machine's fifteen creates. Shard 1 keeps it, as a run in one shard always had it; every
other shard begins with a draw that case fails (`FRESH`: its simplest value, 0, is
rejected), so Hypothesis goes on to a case of the shard's own seed. The rejected case sends
nothing: the draw comes before the first request.
"""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize

from .workers import Shard

FRESH = st.integers(0, 2**32 - 1)  # 0 only in the simplest case (and 1 in 2**32 others)


def fresh_shard(shard: Shard | None) -> bool:
    """Whether `shard` turns Hypothesis's simplest case away (every shard but the first)."""
    return shard is not None and shard.number > 1


def refuse_simplest(draw: int) -> None:
    """End the case, before it sends anything, when `draw` (from `FRESH`) is the simplest."""
    assume(draw != 0)


class FreshStart(RuleBasedStateMachine):
    """A machine whose first step is `FRESH`'s draw: mixed into a shard's machine after the
    first. Hypothesis takes initialize rules in name order in its simplest case, so this one,
    named with an underscore, runs before any that sends a request."""

    @initialize(draw=FRESH)
    def _fresh_start(self, draw: int) -> None:
        refuse_simplest(draw)


def fresh_steps(steps: int, shard: Shard | None) -> int:
    """A scenario's steps with the fresh start's own step added, so that every shard's
    scenarios take as many steps that send requests as shard 1's."""
    return steps + 1 if fresh_shard(shard) else steps
