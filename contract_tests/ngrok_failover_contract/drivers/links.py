"""Schemathesis's state machine over the spec's links (create to get, update and delete), run
by one shard: its cases made safe, sent on the shard's session and entered in its lane; what
a scenario still holds at its end is deleted then."""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from schemathesis import stateful

from ..checks.adapters import Check
from ..checks.failures import GeneratedCase as Case
from ..live.ledger import Ledger
from .fresh import FreshStart
from .schema import call_kwargs, judged_by_schemathesis, prepare_case, send_case, validated


def links_machine(
    linked: type[stateful.APIStateMachine],
    lane: Ledger,
    session: requests.Session,
    checks: list[Check],
    *,
    fresh: bool = False,
) -> type[stateful.APIStateMachine]:
    """`linked` (the configured schema's `as_state_machine()`) for one shard's lane;
    `fresh`: its scenarios begin with `FreshStart` (a shard after the first)."""
    bases = (linked, FreshStart) if fresh else (linked,)

    class Machine(*bases):  # type: ignore[misc]
        def before_call(self, case: Case) -> None:
            prepare_case(lane, case)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return call_kwargs(lane, session)

        def call(self, case: Case, **kwargs: Any) -> schemathesis.Response:
            return send_case(lane, case, lambda: super(Machine, self).call(case, **kwargs))

        def validate_response(
            self,
            response: schemathesis.Response,
            case: Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            if not judged_by_schemathesis(lane):
                return
            every = [*(additional_checks or []), *checks]
            validated(
                response,
                lambda: super(Machine, self).validate_response(
                    response, case, additional_checks=every, **kwargs
                ),
            )

        def teardown(self) -> None:
            """The scenario's backends go with it, as the model's do: every list walk of the
            run reads each one left (they were judged while the scenario used them)."""
            lane.end_scenario()

    return Machine
