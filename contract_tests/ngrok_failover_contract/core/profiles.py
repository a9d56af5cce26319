"""The suite's run profiles: how much each kind of test explores, and what it may spend.

Plain numbers every layer reads: the plan a live run prints (live), the examples and steps
the drivers run, the option that picks one (runner)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    """How hard one run explores; `quick` stays under a minute against a local server.

    `max_requests` and `max_creates` bound the run (the run's gate stops it past them): the
    plan printed before a live run promises them. Measured use is about half for live and
    quick, and up to 55,000 requests for thorough (seed 0), which varies more from run to run.
    """

    name: str
    schema_examples: int  # fuzzing examples per operation (Schemathesis)
    stateful_examples: int  # scenarios of each state machine
    stateful_steps: int  # steps per scenario at most
    property_examples: int  # examples per directed property test
    paging_backends: int  # backends the paging test creates
    shrink: bool  # minimise a failing example (slow against a server: every step is a request)
    max_requests: int
    max_creates: int
    # False: the schema alone (every operation's answers against the spec, documented
    # rejections), no state machines and no semantic properties: for a stateless mock.
    semantic: bool = True


PROFILES: dict[str, Profile] = {
    # For a real account: a few minutes at ngrok's rate limit.
    "live": Profile("live", 5, 4, 8, 3, 5, shrink=False, max_requests=900, max_creates=250),
    # quick and thorough: a list walk over more backends than the largest page holds (100).
    "quick": Profile(
        "quick", 25, 30, 15, 10, 104, shrink=False, max_requests=8000, max_creates=1500
    ),
    "thorough": Profile(
        "thorough", 150, 120, 40, 80, 120, shrink=True, max_requests=150000, max_creates=15000
    ),
    # For a mock that keeps no state (Prism): answers checked against the spec only.
    "schema": Profile(
        "schema", 25, 0, 2, 0, 0, shrink=False, max_requests=8000, max_creates=1500, semantic=False
    ),
}
