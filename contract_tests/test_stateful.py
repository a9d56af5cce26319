"""Stateful: Schemathesis chains create to get, update and delete through the spec's links."""

from __future__ import annotations

from typing import Any

from schemathesis import Response

from .client import REQUEST_TIMEOUT_S
from .options import current
from .run import Run
from .schema import GeneratedCase as Case
from .schema import load_schema, prepare_case
from .schema_checks import record_outcome
from .settings import Profile, hypothesis_settings

schema = load_schema(current())
LinkedMachine = schema.as_state_machine()


def test_links_chain_operations(run: Run, profile: Profile) -> None:
    """Each create's id, followed by its links, behaves as the spec says (use after free too)."""

    class Machine(LinkedMachine):  # type: ignore[misc, valid-type]
        def before_call(self, case: Case) -> None:
            prepare_case(run, case)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": run.client.base_url, "timeout": REQUEST_TIMEOUT_S}

        def after_call(self, response: Response, case: Case) -> None:
            record_outcome(run, case, response)

    Machine.run(settings=hypothesis_settings(profile, profile.stateful_examples))
