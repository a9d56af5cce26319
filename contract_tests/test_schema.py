"""Schemathesis over all five operations, positive and negative data, with the named checks."""

from __future__ import annotations

import pytest

from .client import REQUEST_TIMEOUT_S
from .ledger import Ledger
from .schema import GeneratedCase as Case
from .schema import configure, explicit_cases, load_spec, operation_labels, prepare_case, shard_test
from .schema_checks import contract_checks, send_case
from .session import ContractSession
from .workers import Shard, run_shards, shards_for

schema = load_spec()


@pytest.mark.parametrize("label", operation_labels(schema))
def test_operation_honours_spec(contract: ContractSession, ledger: Ledger, label: str) -> None:
    """Every generated request gets an answer the spec allows and the named properties hold."""
    options = contract.options
    configure(schema, options)  # what validate_response reads: the checks' configuration
    explicit = explicit_cases(schema, options, label)

    def run(shard: Shard) -> None:
        lane = ledger.lane(shard.seed)
        semantic = contract_checks(lane) if lane.stateful else []

        def check(case: Case) -> None:
            if not prepare_case(lane, case):
                return  # a change the run may not make (see prepare_case)
            response = send_case(
                lane,
                case,
                lambda: case.call(base_url=lane.client.base_url, timeout=REQUEST_TIMEOUT_S),
            )
            case.validate_response(response, additional_checks=semantic)

        shard_test(schema, options, label, shard=shard, explicit=explicit, test=check)()

    run_shards(contract.gate, shards_for(options, options.profile.schema_examples), run)
