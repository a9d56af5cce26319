"""Schemathesis over all five operations, positive and negative data, with the named checks."""

from __future__ import annotations

import pytest

from ..checks.adapters import auth_probes_once, model_checks
from ..checks.failures import GeneratedCase as Case
from ..drivers.schema import (
    call_kwargs,
    configure,
    explicit_cases,
    judged_by_schemathesis,
    load_spec,
    operation_labels,
    prepare_case,
    send_case,
    shard_test,
    validated,
)
from ..drivers.workers import Shard, run_shards
from ..live.gate import gated_session
from ..live.ledger import Ledger
from ..runner.session import ContractSession

schema = load_spec()


@pytest.mark.parametrize("label", operation_labels(schema))
def test_operation_honours_spec(contract: ContractSession, ledger: Ledger, label: str) -> None:
    """Every generated request gets an answer the spec allows and the named properties hold."""
    run = contract.drivers
    configure(schema, run)  # what validate_response reads: the checks' configuration
    explicit = explicit_cases(schema, run, label)

    def one(shard: Shard) -> None:
        lane = ledger.lane(shard.seed)
        checks = [auth_probes_once(ledger.auth_proven, run.api_key)]
        checks += model_checks(lane.oracle) if lane.stateful else []
        with gated_session(contract.gate, lane.client.base_url) as session:
            kwargs = call_kwargs(lane, session)

            def check(case: Case) -> None:
                if not prepare_case(lane, case):
                    return  # a change the run may not make (see prepare_case)
                response = send_case(lane, case, lambda: case.call(**kwargs))
                if not judged_by_schemathesis(lane):
                    return
                validated(
                    response,
                    lambda: case.validate_response(
                        response, additional_checks=checks, transport_kwargs=kwargs
                    ),
                )

            shard_test(schema, run, label, shard=shard, explicit=explicit, test=check)()

    run_shards(contract.gate, run.shards(run.profile.schema_examples), one)
