"""Schemathesis over all five operations, positive and negative data, with the named checks."""

from __future__ import annotations

from .client import REQUEST_TIMEOUT_S
from .options import current
from .run import Run
from .schema import GeneratedCase as Case
from .schema import load_schema, prepare_case
from .schema_checks import record_outcome

schema = load_schema(current())


@schema.parametrize()
def test_operation_honours_spec(case: Case, run: Run) -> None:
    """Every generated request gets an answer the spec allows and the named properties hold."""
    if not prepare_case(run, case):
        return  # a change the run may not make (see prepare_case)
    response = case.call(base_url=run.client.base_url, timeout=REQUEST_TIMEOUT_S)
    record_outcome(run, case, response)
    case.validate_response(response)
