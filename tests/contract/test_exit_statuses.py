"""Verdict classes a CI can branch on: a server whose answers get lost is no violation of the
API, but no verdict either (exit 3), and the run still removes everything it created."""

from __future__ import annotations

from pathlib import Path

from mutation.lossy import LosesEveryFifthCreateAnswer
from ngrok_failover_contract.core.verdict import ExitStatus

from .accounts import account
from .helpers import CI_SEED, run_contract, traceback_lines


def test_lost_answers_make_the_run_inconclusive_and_everything_is_cleaned_up(
    tmp_path: Path,
) -> None:
    lossy = LosesEveryFifthCreateAnswer()
    with account(extra=lossy) as acct:
        before = acct.listing()
        lossy.armed = True
        verdict = run_contract(
            tmp_path,
            f"--seed={CI_SEED}",
            f"--base-url={acct.server.base_url}",
            "--workers=8",  # lost answers in several shards at once: still no false violation
            env={"NGROK_API_KEY": acct.server.api_key},
        )
        assert verdict.returncode == ExitStatus.INCONCLUSIVE, verdict.summary or verdict.output
        assert "INCONCLUSIVE:" in verdict.summary and "## Transport faults:" in verdict.summary
        assert "## 1." not in verdict.summary, verdict.summary  # no violation claimed
        assert "Traceback" not in verdict.summary
        assert "none left" in verdict.summary
        # The console's end is the summary's: the faults, the requests they hit, the verdict.
        faults = [line for line in verdict.summary.splitlines() if line.startswith("- `")]
        assert faults, verdict.summary
        for fault in faults:
            request, told = fault.removeprefix("- `").split("`: ", 1)
            assert f"- {request}: {told.replace('`', '')}" in verdict.output, verdict.output
        assert "contract: INCONCLUSIVE: " in verdict.output, verdict.output
        assert traceback_lines(verdict.output) == [], verdict.output
        assert "httpcore" not in verdict.output
        assert "pytest's whole output in" in verdict.output
        assert traceback_lines((tmp_path / "pytest.log").read_text("utf-8"))  # the details
        assert acct.listing() == before  # lost creates carried the marker: swept too
