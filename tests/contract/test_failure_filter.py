"""The failures the suite drops are only those ngrok's documents allow (see keeps_failure):
the spec's own precision is guidance for clients, not a demand on servers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ngrok_failover_contract.checks.documented import ABSENT, Sent
from ngrok_failover_contract.checks.failures import keeps_failure
from ngrok_failover_contract.compat import (
    AcceptedNegativeData,
    JsonSchemaError,
    MissingHeaderNotRejected,
    UnsupportedMethodResponse,
)


def _unsupported(status: int) -> UnsupportedMethodResponse:
    return UnsupportedMethodResponse(
        operation="PUT /backends/failover",
        method="PUT",
        status_code=status,
        failure_reason="wrong_status",
        message=f"Unsupported method PUT returned {status}, expected 405",
    )


def _key_not_rejected(header: str, status: int) -> MissingHeaderNotRejected:
    return MissingHeaderNotRejected(
        operation="GET /backends/failover",
        header_name=header,
        status_code=status,
        expected_statuses=[401],
        message=f"Missing header not rejected: {header} answered {status}",
    )


LIST = Sent("GET", "/backends/failover", {}, {}, {"ngrok-version": "2"}, ABSENT, None)
CREATE = Sent(
    "POST",
    "/backends/failover",
    {},
    {},
    {"ngrok-version": "2"},
    {"backends": []},
    "application/json",
)
BACKEND = {
    "id": "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
    "uri": "https://api.ngrok.com/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
    "created_at": "2024-04-19T20:23:43Z",
    "description": "",
    "metadata": "",
    "backends": [],
}


def _accepted(sent: Sent) -> AcceptedNegativeData:
    return AcceptedNegativeData(
        operation=f"{sent.method} {sent.path}",
        message="accepted",
        status_code=200,
        expected_statuses=["4xx"],
    )


def _schema_error() -> JsonSchemaError:
    return JsonSchemaError.__new__(JsonSchemaError)  # only its kind matters here


@pytest.mark.parametrize("status", [400, 403, 404, 405, 499])
def test_any_4xx_to_an_unsupported_method_is_allowed_wherever_the_server_runs(
    status: int,
) -> None:
    """ngrok documents no 405: a loopback server is held to the docs, not to our choice."""
    assert not keeps_failure(_unsupported(status), LIST, status, None)


@pytest.mark.parametrize("status", [200, 204, 500])
def test_a_non_4xx_to_an_unsupported_method_is_a_violation(status: int) -> None:
    assert keeps_failure(_unsupported(status), LIST, status, None)


def test_a_missing_key_may_get_403_but_nothing_else() -> None:
    assert not keeps_failure(_key_not_rejected("Authorization", 403), LIST, 403, None)
    assert keeps_failure(_key_not_rejected("Authorization", 200), LIST, 200, None)
    assert keeps_failure(_key_not_rejected("Ngrok-Version", 403), LIST, 403, None)


@pytest.mark.parametrize(
    "query",
    [{"before_id": ""}, {"limit": "05"}, {"before_id": "bkdfo_unknown"}],
    ids=["empty before_id", "zero-padded limit", "malformed before_id"],
)
def test_accepting_what_only_the_spec_forbids_is_no_violation(query: dict[str, str]) -> None:
    sent = replace(LIST, query=query)
    assert not keeps_failure(_accepted(sent), sent, 200, None)


@pytest.mark.parametrize(
    "sent",
    [
        replace(LIST, query={"limit": "0"}),
        replace(LIST, query={"limit": "101"}),
        replace(LIST, query={"page": "2"}),
        replace(LIST, headers={}),
        replace(LIST, headers={"ngrok-version": "3"}),
        replace(CREATE, body={"backends": [], "name": "x"}),
        replace(CREATE, body={"backends": [], "description": "x" * 256}),
        replace(CREATE, body={"backends": ["bkdfo_short"]}),
        replace(CREATE, body=ABSENT),
        replace(CREATE, media_type="text/plain"),
    ],
    ids=[
        "limit 0",
        "limit 101",
        "unknown parameter",
        "no version",
        "version 3",
        "unknown field",
        "description too long",
        "malformed child",
        "no body",
        "not JSON",
    ],
)
def test_accepting_what_ngrok_documents_as_refused_is_a_violation(sent: Sent) -> None:
    assert keeps_failure(_accepted(sent), sent, 200, None)


@pytest.mark.parametrize(
    "created_at", ["2024-04-19T20:23:43.123Z", "2024-04-19T22:23:43+02:00", "2024-04-19t20:23:43z"]
)
def test_any_rfc_3339_created_at_is_no_violation(created_at: str) -> None:
    """Whole seconds and Z are only what every example shows (spec/facts.yaml)."""
    get = replace(LIST, path="/backends/failover/{id}")
    answer = {**BACKEND, "created_at": created_at}
    assert not keeps_failure(_schema_error(), get, 200, answer)


@pytest.mark.parametrize(
    "answer",
    [
        {**BACKEND, "created_at": "yesterday"},
        {k: v for k, v in BACKEND.items() if k != "metadata"},
        {**BACKEND, "uri": "/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"},
    ],
    ids=["not a timestamp", "a field missing", "relative uri"],
)
def test_an_answer_breaking_a_documented_constraint_is_a_violation(answer: object) -> None:
    get = replace(LIST, path="/backends/failover/{id}")
    assert keeps_failure(_schema_error(), get, 200, answer)


def test_an_error_body_without_msg_is_a_violation_and_without_error_code_is_not() -> None:
    error = {"error_code": "ERR_NGROK_6514", "status_code": 404, "msg": "gone", "details": {}}
    get = replace(LIST, path="/backends/failover/{id}")
    assert keeps_failure(_schema_error(), get, 404, {k: v for k, v in error.items() if k != "msg"})
    no_code = {k: v for k, v in error.items() if k != "error_code"}
    assert not keeps_failure(_schema_error(), get, 404, no_code)
