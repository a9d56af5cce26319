"""Unit tests of the report pieces: curl commands, findings, redaction, seeds."""

from __future__ import annotations

from pathlib import Path

from contract_tests.client import Exchange
from contract_tests.mutants import MUTANTS
from contract_tests.report import as_curl, finding_from, redact_tree, render_summary
from contract_tests.violations import ContractViolation

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
    group = ExceptionGroup(
        "two", [ContractViolation("a", "first", EXCHANGE), ContractViolation("b", "second")]
    )
    findings = finding_from("test_x", group)
    assert [f.prop for f in findings] == ["a", "b"]
    assert findings[0].curl is not None and findings[1].curl is None


def test_summary_gives_verdict_seed_and_reproduction() -> None:
    findings = finding_from("t", ContractViolation("uri_is_own", "bad uri", EXCHANGE))
    text = render_summary(findings, seed=42, target="here", profile="quick", reproduce="make x")
    assert "FAIL: 1 violation(s)" in text and "Seed: 42" in text and "## 1. uri_is_own" in text
    assert "PASS" in render_summary([], seed=1, target="t", profile="quick", reproduce="r")


def test_redact_tree_scrubs_every_report_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.xml").write_text("<x>Bearer sekret</x>", encoding="utf-8")
    redact_tree(tmp_path, "sekret")
    assert "sekret" not in (tmp_path / "sub" / "r.xml").read_text(encoding="utf-8")


def test_at_least_twenty_planted_faults_each_described() -> None:
    assert len(MUTANTS) >= 20
    for mutant in MUTANTS.values():
        assert mutant.description and mutant.catcher, mutant.name
    assert 5 <= sum(m.sample for m in MUTANTS.values()) <= 6
