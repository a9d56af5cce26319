"""The isolation checks' second account: its key from `NGROK_OTHER_ACCOUNT_KEY` only, checked
before the run like the key, never shown; without it the isolation test says what it needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.runner.options import LOCAL_OTHER_KEY, OptionsError, resolve
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import new_api_key, serve_in_thread

from .helpers import CI_SEED, Verdict, run_contract

LOCAL = "http://127.0.0.1:8080"


def test_the_other_key_comes_from_the_environment_or_the_self_started_server() -> None:
    assert resolve({}, []).other_api_key == LOCAL_OTHER_KEY
    env = {"NGROK_API_KEY": "key-a", "NGROK_OTHER_ACCOUNT_KEY": "key-of-team-b"}
    given = resolve(env, [f"--base-url={LOCAL}"])
    assert given.other_api_key == "key-of-team-b" and "key-of-team-b" not in repr(given)
    assert resolve({"NGROK_API_KEY": "a"}, [f"--base-url={LOCAL}"]).other_api_key is None
    with pytest.raises(OptionsError, match="NGROK_OTHER_ACCOUNT_KEY is the key of"):
        resolve({"NGROK_API_KEY": "a", "NGROK_OTHER_ACCOUNT_KEY": "a"}, [f"--base-url={LOCAL}"])


def _isolation_test(reports: Path, base_url: str, env: dict[str, str]) -> Verdict:
    """The suite's isolation test alone, against the server at `base_url`."""
    common = (f"--seed={CI_SEED}", f"--base-url={base_url}", "--profile=live")
    return run_contract(reports, *common, "--", "-k", "accounts", env=env)


def test_two_accounts_of_a_server_are_checked_apart_and_neither_key_shown(tmp_path: Path) -> None:
    key, other = new_api_key(), new_api_key()
    with serve_in_thread(ServerConfig(api_key=key, accounts=(("team-b", other),))) as server:
        env = {"NGROK_API_KEY": key, "NGROK_OTHER_ACCOUNT_KEY": other}
        verdict = _isolation_test(tmp_path, server.base_url, env)
    assert verdict.returncode == ExitStatus.CONFORMANT, verdict.output[-3000:]
    assert "passed  suite/test_accounts.py" in verdict.output, verdict.output[-3000:]
    written = "".join(p.read_text("utf-8") for p in tmp_path.rglob("*") if p.is_file())
    assert key not in verdict.output + written and other not in verdict.output + written


def test_without_a_second_key_the_isolation_test_is_skipped_saying_why(tmp_path: Path) -> None:
    with serve_in_thread() as server:
        verdict = _isolation_test(tmp_path, server.base_url, {"NGROK_API_KEY": server.api_key})
    assert verdict.returncode == ExitStatus.CONFORMANT, verdict.output[-3000:]
    log = (tmp_path / "pytest.log").read_text("utf-8")
    assert "skipped" in verdict.output and "NGROK_OTHER_ACCOUNT_KEY" in log


def test_a_refused_second_key_ends_the_run_in_one_line(tmp_path: Path) -> None:
    with serve_in_thread() as server:
        verdict = run_contract(
            tmp_path,
            f"--base-url={server.base_url}",
            env={"NGROK_API_KEY": server.api_key, "NGROK_OTHER_ACCOUNT_KEY": "not-a-key"},
        )
    assert verdict.returncode == ExitStatus.CANNOT_RUN, verdict.output[-3000:]
    assert "the API key was refused (401 ERR_NGROK_203): check NGROK_OTHER_ACCOUNT_KEY" in (
        verdict.output
    )
