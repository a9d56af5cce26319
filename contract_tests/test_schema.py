"""Schemathesis over all five operations, positive and negative data, with the named checks."""

from __future__ import annotations

from .client import REQUEST_TIMEOUT_S
from .ledger import Ledger
from .schema import GeneratedCase as Case
from .schema import load_spec, prepare_case
from .schema_checks import contract_checks, record_outcome

# The run's settings are applied when the tests are collected (the conftest's makeitem hook).
schema = load_spec()


@schema.parametrize()
def test_operation_honours_spec(case: Case, ledger: Ledger) -> None:
    """Every generated request gets an answer the spec allows and the named properties hold."""
    if not prepare_case(ledger, case):
        return  # a change the run may not make (see prepare_case)
    response = case.call(base_url=ledger.client.base_url, timeout=REQUEST_TIMEOUT_S)
    record_outcome(ledger, case, response)
    semantic = contract_checks(ledger) if ledger.stateful else []
    case.validate_response(response, additional_checks=semantic)
