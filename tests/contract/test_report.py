"""Unit tests of the report pieces: curl commands, findings, redaction, seeds."""

from __future__ import annotations

from pathlib import Path

import httpx
import hypothesis
import pytest
import requests
from hypothesis.errors import FlakyStrategyDefinition

from mutation import MUTANTS
from ngrok_failover_contract.compat import AcceptedNegativeData
from ngrok_failover_contract.core.exchange import Exchange, attach_exchange
from ngrok_failover_contract.core.registry import ContractViolation, Property
from ngrok_failover_contract.core.verdict import ExitStatus, Kind
from ngrok_failover_contract.live.gate import RunAborted
from ngrok_failover_contract.reporting.curl import as_curl
from ngrok_failover_contract.reporting.findings import Finding, finding_from
from ngrok_failover_contract.reporting.merge import merge_junit
from ngrok_failover_contract.reporting.redaction import REDACTED, redact, redact_tree
from ngrok_failover_contract.reporting.summary import render_summary
from ngrok_failover_contract.reporting.summary import status_of as exit_status

EXCHANGE = Exchange(
    method="PATCH",
    url="http://127.0.0.1:1/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
    request_headers={"Authorization": "Bearer sekret", "Ngrok-Version": "2", "User-Agent": "x"},
    request_body='{"metadata": "it\'s"}',
    status=200,
    response_headers={"content-type": "application/json"},
    response_text="{}",
)


def test_curl_names_the_key_variable_and_quotes_the_body() -> None:
    curl = as_curl(EXCHANGE)
    assert "sekret" not in curl
    assert '"Authorization: Bearer $NGROK_API_KEY"' in curl
    assert "-X PATCH" in curl and "'Ngrok-Version: 2'" in curl and "User-Agent" not in curl
    assert """'{"metadata": "it'"'"'s"}'""" in curl


def test_a_group_of_violations_gives_one_finding_each() -> None:
    first = ContractViolation(Property.URI_IS_OWN, "first", EXCHANGE)
    group = ExceptionGroup("two", [first, ContractViolation(Property.IDS_ARE_UNIQUE, "second")])
    findings = finding_from("test_x", group)
    assert [f.prop for f in findings] == ["uri_is_own", "ids_are_unique"]
    assert findings[0].curl is not None and findings[1].curl is None


def _accepted(operation: str, message: str) -> AcceptedNegativeData:
    """Schemathesis's failure for a request the spec calls invalid that was accepted."""
    return AcceptedNegativeData(
        operation=operation, message=message, status_code=200, expected_statuses=["4xx"]
    )


def _summary(findings: list[Finding], status: ExitStatus) -> str:
    return render_summary(
        findings, seed=42, target="here", profile="quick", reproduce="make x", status=status
    )


def test_summary_gives_verdict_seed_and_reproduction() -> None:
    findings = finding_from("t", ContractViolation(Property.URI_IS_OWN, "bad uri", EXCHANGE))
    assert exit_status(findings, interrupted=False) is ExitStatus.VIOLATIONS
    text = _summary(findings, ExitStatus.VIOLATIONS)
    assert "FAIL: 1 violation(s)" in text and "Seed: 42" in text and "## 1. uri_is_own" in text
    assert "(exit status 1, violations)" in text
    assert "PASS" in _summary([], exit_status([], interrupted=False))


def test_the_same_finding_from_many_tests_is_listed_once() -> None:
    """A session fixture that fails (a valid list refused) fails every test the same way."""
    violation = ContractViolation(Property.LIST_ANSWERS_200, "limit=100 answered 400", EXCHANGE)
    findings = [f for n in range(14) for f in finding_from(f"test_{n}", violation)]
    text = _summary(findings, exit_status(findings, interrupted=False))
    assert "FAIL: 1 violation(s)" in text and text.count("## ") == 1
    assert "Tests (14): `test_0`" in text


@pytest.mark.parametrize(
    "error",
    [
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        requests.exceptions.ConnectionError("Connection reset by peer"),
        httpx.ReadTimeout("timed out"),
    ],
    ids=["answer lost", "reset", "timeout"],
)
def test_a_transport_fault_alone_is_inconclusive_not_a_violation(error: Exception) -> None:
    try:
        raise RuntimeError("the test failed") from error
    except RuntimeError as wrapped:
        findings = finding_from("t", wrapped)
    assert [f.kind for f in findings] == [Kind.TRANSPORT]
    assert exit_status(findings, interrupted=False) is ExitStatus.INCONCLUSIVE
    text = _summary(findings, ExitStatus.INCONCLUSIVE)
    assert "INCONCLUSIVE: 1 transport fault(s)" in text and "## Transport faults: 1" in text
    violation = finding_from("u", ContractViolation(Property.URI_IS_OWN, "bad", EXCHANGE))
    assert exit_status(findings + violation, interrupted=False) is ExitStatus.VIOLATIONS
    assert exit_status(findings, interrupted=True) is ExitStatus.INTERRUPTED


def test_a_spent_budget_is_no_verdict_and_the_tests_it_cut_short_are_its_consequence() -> None:
    """The suite's own limit stopped it: not a violation of the server (exit 3), and the
    replay Hypothesis could not repeat without the refused requests is one more of it."""
    spent = "the run's budget of 8000 requests is spent (the account held 1439 backends)"
    try:
        raise RuntimeError("the test failed") from RunAborted(spent)
    except RuntimeError as wrapped:
        findings = finding_from("t", wrapped)
    assert [(f.kind, f.prop, f.message) for f in findings] == [(Kind.ABORTED, "RunAborted", spent)]
    replay = finding_from("u", FlakyStrategyDefinition("Inconsistent data generation!"))
    assert [f.kind for f in replay] == [Kind.FLAKY]
    assert exit_status(findings + replay, interrupted=False) is ExitStatus.INCONCLUSIVE
    text = _summary(findings + replay, ExitStatus.INCONCLUSIVE)
    assert f"INCONCLUSIVE: the run stopped before its verdict: {spent}" in text
    assert "## 1. RunAborted (no verdict)" in text
    violation = finding_from("v", ContractViolation(Property.URI_IS_OWN, "bad", EXCHANGE))
    assert exit_status(findings + violation, interrupted=False) is ExitStatus.VIOLATIONS


def test_a_schemathesis_failure_is_named_by_its_check() -> None:
    failure = _accepted("GET /backends/failover", "limit=0 accepted")
    [finding] = finding_from("t", failure)
    assert (finding.kind, finding.prop) == (Kind.VIOLATION, "negative_data_rejection")
    assert finding.message.startswith("ST201")


def test_a_check_the_registry_does_not_know_is_a_finding_of_its_own() -> None:
    """Schemathesis may add a check in an upgrade: its failure is shown under its own name,
    never a crash in the pytest hook that makes the findings."""
    failure = _accepted("GET /backends/failover", "accepted")
    failure.checks = ("a_check_from_the_future",)  # type: ignore[misc]
    [finding] = finding_from("t", failure, EXCHANGE)
    assert (finding.kind, finding.prop) == (
        Kind.VIOLATION,
        "unregistered check a_check_from_the_future",
    )
    assert finding.curl == as_curl(EXCHANGE) and finding.response is not None


def test_a_schemathesis_failure_shows_the_suites_own_exchange_as_curl() -> None:
    """The curl comes from the exchange the failure group carries, not from its text."""
    failure = _accepted("PATCH /backends/failover/{id}", "accepted")
    group = ExceptionGroup("Schemathesis found 1 failure\ncurl -X GET http://elsewhere", [failure])
    attach_exchange(group, EXCHANGE)
    [finding] = finding_from("t", group)
    assert finding.curl == as_curl(EXCHANGE) and "elsewhere" not in finding.curl


def test_exit_statuses_are_the_documented_ones() -> None:
    assert {s.name: int(s) for s in ExitStatus} == {
        "CONFORMANT": 0,
        "VIOLATIONS": 1,
        "CANNOT_RUN": 2,
        "INCONCLUSIVE": 3,
        "INTERRUPTED": 130,
    }


def test_redact_tree_scrubs_every_report_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.xml").write_text("<x>Bearer sekret</x>", encoding="utf-8")
    redact_tree(tmp_path, "sekret")
    assert "sekret" not in (tmp_path / "sub" / "r.xml").read_text(encoding="utf-8")


def test_a_short_key_is_redacted_where_it_stands_alone_and_a_long_one_everywhere() -> None:
    said = "Bearer test; 'test' test_model tests attest"
    assert redact(said, "test") == f"Bearer {REDACTED}; '{REDACTED}' test_model tests attest"
    key = "fake_Kx3p-9ZqT1abcd"
    assert redact(f"x{key}x Bearer {key}", key) == f"x{REDACTED}x Bearer {REDACTED}"


def test_reports_stay_well_formed_under_a_short_key(tmp_path: Path) -> None:
    """A local server's key "test" spells JUnit's element names: they stay as written."""
    junit = (
        '<testsuites name="pytest tests"><testsuite name="contract" tests="1">'
        '<testcase classname="suite.test_model" name="test_a" /></testsuite></testsuites>'
    )
    for part in ("1", "2"):
        (tmp_path / part).mkdir()
        (tmp_path / part / "junit.xml").write_text(junit, encoding="utf-8")
    redact_tree(tmp_path, "test")
    merged = tmp_path / "junit.xml"
    merge_junit([tmp_path / part / "junit.xml" for part in ("1", "2")], merged)
    assert merged.read_text(encoding="utf-8").count('<testcase classname="suite.test_model"') == 2


def test_at_least_twenty_planted_faults_each_described_and_named_by_a_property() -> None:
    assert len(MUTANTS) >= 20
    for mutant in MUTANTS.values():
        assert mutant.description and Property(mutant.catcher), mutant.name
    assert 5 <= sum(m.sample for m in MUTANTS.values()) <= 7  # CI runs each: keep it light


def test_an_assertion_inside_hypothesis_is_a_broken_replay_not_a_violation() -> None:
    """Hypothesis's state machine asserts on its own replay when lost answers made it go
    otherwise: like `Flaky`, a consequence of the transport faults in such a run."""
    inside = str(Path(hypothesis.__file__).parent / "stateful.py")
    try:
        exec(compile("assert 0 >= 1", inside, "exec"))  # a frame in Hypothesis
    except AssertionError as err:
        replay = finding_from("t", err)[0]
    try:
        exec(compile("assert 0 >= 1", __file__, "exec"))  # a frame of ours
    except AssertionError as err:
        ours = finding_from("t", err)[0]
    assert replay.kind is Kind.FLAKY and ours.kind is Kind.ERROR
    lost = Finding("t", Kind.TRANSPORT, "transport", "reset", None, None)
    assert exit_status([replay, lost], interrupted=False) is ExitStatus.INCONCLUSIVE
    assert exit_status([replay], interrupted=False) is ExitStatus.VIOLATIONS
