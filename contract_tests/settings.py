"""The suite's run profiles: how much each kind of test explores."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings


@dataclass(frozen=True, slots=True)
class Profile:
    """How hard one run explores; `quick` stays under a minute against a local server."""

    name: str
    schema_examples: int  # fuzzing examples per operation (Schemathesis)
    stateful_examples: int  # scenarios of each state machine
    stateful_steps: int  # steps per scenario at most
    property_examples: int  # examples per directed property test
    paging_backends: int  # backends the paging test creates
    shrink: bool  # minimise a failing example (slow against a server: every step is a request)


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", 25, 30, 15, 10, 7, shrink=False),
    "thorough": Profile("thorough", 150, 120, 40, 80, 23, shrink=True),
}

# Anchor backends the run creates first, to serve as children of everything else it creates.
ANCHOR_COUNT = 3


def hypothesis_settings(profile: Profile, examples: int) -> settings:
    """Settings for one Hypothesis test: no example database, so a seed alone reproduces a run."""
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        stateful_step_count=profile.stateful_steps,
        phases=[p for p in Phase if profile.shrink or p not in (Phase.shrink, Phase.explain)],
    )
