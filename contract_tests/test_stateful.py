"""Stateful: Schemathesis chains create to get, update and delete through the spec's links."""

from __future__ import annotations

from typing import Any

from schemathesis import Response

from .client import REQUEST_TIMEOUT_S
from .ledger import Ledger
from .schema import GeneratedCase as Case
from .schema import configure, load_spec, prepare_case
from .schema_checks import contract_checks, record_outcome
from .session import ContractSession
from .settings import hypothesis_settings


def test_links_chain_operations(contract: ContractSession, ledger: Ledger) -> None:
    """Each create's id, followed by its links, behaves as the spec says (use after free too)."""
    options = contract.options
    checks = contract_checks(ledger)
    linked = configure(load_spec(), options).as_state_machine()

    class Machine(linked):  # type: ignore[misc, valid-type]
        def before_call(self, case: Case) -> None:
            prepare_case(ledger, case)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": ledger.client.base_url, "timeout": REQUEST_TIMEOUT_S}

        def after_call(self, response: Response, case: Case) -> None:
            record_outcome(ledger, case, response)

        def validate_response(
            self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            super().validate_response(
                response, case, additional_checks=[*(additional_checks or []), *checks], **kwargs
            )

    Machine.run(settings=hypothesis_settings(options.profile, options.profile.stateful_examples))
