"""The API key of a server under test appears in no output and no report, even on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutation import get_mutant
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.runner import run as run_module
from ngrok_failover_contract.runner.cli import main
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import new_api_key, serve_in_thread

from .helpers import CI_SEED, run_contract, traceback_lines


def test_api_key_never_appears_in_output_or_reports(tmp_path: Path) -> None:
    key = new_api_key()
    wrap = get_mutant("children_sorted").wrap
    with serve_in_thread(ServerConfig(api_key=key), wrap=wrap) as server:
        verdict = run_contract(
            tmp_path,
            f"--seed={CI_SEED}",
            f"--base-url={server.base_url}",
            "--verbose",  # pytest's whole output on the console: the key out of it too
            "--",
            "-x",  # the first violation is enough: its report must not hold the key
            env={"NGROK_API_KEY": key},
        )
    assert verdict.returncode != 0, "the planted fault should have been reported"
    assert key not in verdict.output
    assert traceback_lines(verdict.output), "--verbose shows pytest's own output"
    leaking = [p for p in tmp_path.rglob("*") if p.is_file() and key in p.read_text("utf-8")]
    assert not leaking, f"the API key is written in {leaking}"
    assert "$NGROK_API_KEY" in verdict.summary, "the curl command names the key's variable"


def test_a_fault_of_the_suite_s_own_shows_its_traceback_without_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exception's message may hold a header value (http.client's 'Invalid header
    value'): the traceback is shown, the key replaced, and the run could not run."""
    key = new_api_key()
    monkeypatch.setenv("NGROK_API_KEY", f"{key}\n")

    def broken(*_: object) -> int:
        raise ValueError(f"Invalid header value {('Bearer ' + key + chr(10)).encode()!r}")

    monkeypatch.setattr(run_module, "run", broken)
    status = main(["--base-url=http://127.0.0.1:9"])
    shown = capsys.readouterr()
    assert status == ExitStatus.CANNOT_RUN
    assert "ValueError: Invalid header value b'Bearer [REDACTED]\\n'" in shown.err
    assert "the suite itself failed" in shown.err
    assert key not in shown.err + shown.out
