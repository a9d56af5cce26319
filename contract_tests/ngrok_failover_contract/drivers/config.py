"""What the drivers need of a run's options: its seed, profile and key, and how many requests
it keeps in flight (the runner builds it from its options)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, settings

from ..core.profiles import Profile
from .fresh import fresh_steps
from .workers import Shard, split


@dataclass(frozen=True, slots=True)
class DriverConfig:
    seed: int
    profile: Profile
    api_key: str = field(repr=False)
    workers: int = 1
    shard: int | None = None  # run only this shard (1-based) of each split test

    def shards(self, examples: int) -> list[Shard]:
        """A test's `examples` split for this run's workers (or its one shard)."""
        return split(self.seed, examples, self.workers, self.shard)

    def hypothesis_settings(self, examples: int, shard: Shard | None = None) -> settings:
        """Settings for one Hypothesis test (of `shard`, when split): no example database,
        so a seed alone reproduces a run."""
        profile = self.profile
        return settings(
            max_examples=examples,
            database=None,
            deadline=None,
            print_blob=False,
            suppress_health_check=list(HealthCheck),
            stateful_step_count=fresh_steps(profile.stateful_steps, shard),
            phases=[p for p in Phase if profile.shrink or p not in (Phase.shrink, Phase.explain)],
        )
