"""The coverage report: documented statuses seen per operation, properties exercised, and
`--require-coverage` failing a run that never saw one."""

from __future__ import annotations

import json
from pathlib import Path

from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.reporting.coverage import Coverage, documented_statuses, operation_of

from .helpers import CI_SEED, run_contract

ITEM = "http://h/backends/failover/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"


def test_requests_are_counted_against_the_operation_they_reach() -> None:
    assert operation_of("POST", "http://h/api/backends/failover") == "createFailoverBackend"
    assert operation_of("get", "http://h/backends/failover?limit=1") == "listFailoverBackends"
    assert operation_of("DELETE", ITEM) == "deleteFailoverBackend"
    assert operation_of("PUT", ITEM) is None and operation_of("GET", "http://h/other") is None


def test_every_documented_status_but_5xx_is_listed_and_401_403_count_as_one() -> None:
    statuses = documented_statuses()
    assert statuses["getFailoverBackend"] == ("200", "400", "401/403", "404", "429")
    assert statuses["createFailoverBackend"] == ("201", "400", "401/403", "429")


def test_a_status_never_seen_is_missing_and_429_is_not_required() -> None:
    coverage = Coverage()
    for operation, statuses in documented_statuses().items():
        method, url = {
            "createFailoverBackend": ("POST", "http://h/backends/failover"),
            "listFailoverBackends": ("GET", "http://h/backends/failover"),
            "getFailoverBackend": ("GET", ITEM),
            "updateFailoverBackend": ("PATCH", ITEM),
            "deleteFailoverBackend": ("DELETE", ITEM),
        }[operation]
        for status in statuses:
            if (operation, status) != ("getFailoverBackend", "404") and status != "429":
                coverage.observe(method, url, 403 if status == "401/403" else int(status))
    assert coverage.missing() == [("getFailoverBackend", "404")]
    coverage.checked("uri_is_own", held=True)
    coverage.checked("uri_is_own", held=False)
    table = coverage.as_markdown()
    assert "| getFailoverBackend | 1 | - | - | 1 | 1 | **not seen** | **not seen** |" in table
    assert "| uri_is_own | 2 | 1 |" in table
    assert coverage.as_json()["missing"] == ["getFailoverBackend 404"]


def test_require_coverage_fails_a_run_that_never_saw_a_documented_status(tmp_path: Path) -> None:
    """The lifecycle tests alone never send a malformed request: no 400, no 401/403."""
    verdict = run_contract(
        tmp_path, f"--seed={CI_SEED}", "--require-coverage", "--", "-k", "test_lifecycle"
    )
    assert verdict.returncode == ExitStatus.VIOLATIONS, verdict.summary or verdict.output
    assert "## 1. documented_statuses_seen" in verdict.summary
    assert "createFailoverBackend 400" in verdict.summary
    report = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    assert report["operations"]["createFailoverBackend"]["201"] > 0
    assert "createFailoverBackend 400" in report["missing"]
