"""Stateful: Schemathesis chains create to get, update and delete through the spec's links."""

from __future__ import annotations

from typing import Any

from hypothesis import seed
from schemathesis import Response

from .client import REQUEST_TIMEOUT_S
from .ledger import Ledger
from .schema import GeneratedCase as Case
from .schema import configure, load_spec, prepare_case
from .schema_checks import contract_checks, send_case
from .session import ContractSession
from .settings import hypothesis_settings
from .workers import Shard, run_shards, shards_for


def test_links_chain_operations(contract: ContractSession, ledger: Ledger) -> None:
    """Each create's id, followed by its links, behaves as the spec says (use after free too)."""
    options = contract.options
    linked = configure(load_spec(), options).as_state_machine()

    def run(shard: Shard) -> None:
        lane = ledger.lane(shard.seed)
        checks = contract_checks(lane)

        class Machine(linked):  # type: ignore[misc, valid-type]
            def before_call(self, case: Case) -> None:
                prepare_case(lane, case)

            def get_call_kwargs(self, case: Case) -> dict[str, Any]:
                return {"base_url": lane.client.base_url, "timeout": REQUEST_TIMEOUT_S}

            def call(self, case: Case, **kwargs: Any) -> Response:
                return send_case(lane, case, lambda: super(Machine, self).call(case, **kwargs))

            def validate_response(
                self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
            ) -> None:
                super().validate_response(
                    response,
                    case,
                    additional_checks=[*(additional_checks or []), *checks],
                    **kwargs,
                )

        seed(shard.seed)(Machine)
        Machine.run(settings=hypothesis_settings(options.profile, shard.examples))

    run_shards(contract.gate, shards_for(options, options.profile.stateful_examples), run)
