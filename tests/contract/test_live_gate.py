"""Before a run touches a target: the plan and the live gate, and one clear message for a
target that cannot be tested (unreachable, wrong key, wrong base path), and the key never
written anywhere."""

from __future__ import annotations

import http.server
import socket
import threading
from pathlib import Path

import pytest

from mutation import get_mutant
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.live.safety import PreflightError, preflight
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import new_api_key, serve_in_thread

from .accounts import account
from .helpers import CI_SEED, run_contract

CANNOT_RUN = ExitStatus.CANNOT_RUN


def test_remote_target_prints_its_plan_and_needs_live(tmp_path: Path) -> None:
    """With no PROFILE given, a remote host gets the live profile."""
    with account() as acct:
        verdict = run_contract(
            tmp_path,
            f"--base-url={acct.server.base_url}",
            "--assume-remote",  # a loopback server standing in for api.ngrok.com
            env={"NGROK_API_KEY": acct.server.api_key},
        )
        assert verdict.returncode == CANNOT_RUN
        assert "profile live" in verdict.output, verdict.output
        assert (
            "at most 900 requests, its cleanup's deletes besides, at most 100 requests per minute"
            in verdict.output
        )
        assert "at most 250 create requests" in verdict.output
        assert "LIVE=1" in verdict.output
        assert acct.spy.requests == 0, "nothing may be sent before LIVE=1"


def test_dry_run_prints_the_plan_and_sends_nothing(tmp_path: Path) -> None:
    """Even with LIVE=1; and it needs no key, since nothing is sent."""
    with account() as acct:
        verdict = run_contract(
            tmp_path,
            f"--base-url={acct.server.base_url}",
            "--assume-remote",
            "--profile=live",
            env={"NGROK_API_KEY": "", "DRY_RUN": "1", "LIVE": "1"},
        )
        assert verdict.returncode == 0, verdict.output
        assert "contract plan for" in verdict.output and "DRY_RUN" in verdict.output
        assert acct.spy.requests == 0


def test_a_target_without_a_key_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with account() as acct:
        verdict = run_contract(
            tmp_path, f"--base-url={acct.server.base_url}", env={"NGROK_API_KEY": ""}
        )
        assert verdict.returncode == CANNOT_RUN, verdict.output
        assert "(BASE_URL) needs the API key in $NGROK_API_KEY" in verdict.output
        assert acct.spy.requests == 0


def _refused(tmp_path: Path, base_url: str, key: str) -> str:
    verdict = run_contract(tmp_path, f"--base-url={base_url}", env={"NGROK_API_KEY": key})
    assert verdict.returncode == CANNOT_RUN, verdict.output[-3000:]
    assert "passed" not in verdict.output and "failed" not in verdict.output
    return verdict.output


def test_unreachable_server_ends_at_once(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    output = _refused(tmp_path, f"http://127.0.0.1:{port}", "any-key")
    assert f"cannot reach http://127.0.0.1:{port}" in output


def test_wrong_key_ends_at_once(tmp_path: Path) -> None:
    with serve_in_thread() as server:
        output = _refused(tmp_path, server.base_url, "not-the-key")
    assert "the API key was refused (401 ERR_NGROK_203)" in output
    assert "not-the-key" not in output


def test_wrong_base_path_ends_at_once(tmp_path: Path) -> None:
    with serve_in_thread() as server:
        output = _refused(tmp_path, server.base_url + "/v2", server.api_key)
    assert "does not look like the ngrok API (GET /backends/failover answered 404)" in output
    assert "check the base path" in output


class _BadGateway(http.server.BaseHTTPRequestHandler):
    """A proxy whose upstream is down: 502 and a page of HTML for everything."""

    def do_GET(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def test_a_failing_proxy_is_not_called_a_wrong_base_path() -> None:
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BadGateway) as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        try:
            with pytest.raises(PreflightError) as refused:
                preflight(url, "any-key")
        finally:
            proxy.shutdown()
    assert str(refused.value) == (
        f"{url} does not look like the ngrok API (GET /backends/failover answered 502, not "
        "JSON): the server, or a proxy in front of it, is failing"
    )


def test_api_key_is_in_nothing_a_live_run_writes_or_prints(tmp_path: Path) -> None:
    """A remote-treated run with a planted fault: output, reports, temporary files."""
    key = new_api_key()
    reports, temp = tmp_path / "reports", tmp_path / "tmp"
    temp.mkdir()
    wrap = get_mutant("children_sorted").wrap
    with serve_in_thread(ServerConfig(api_key=key), wrap=wrap) as server:
        verdict = run_contract(
            reports,
            f"--seed={CI_SEED}",
            "--profile=live",
            f"--base-url={server.base_url}",
            "--assume-remote",
            "--live",
            "--max-rpm=0",  # no limit: the server is local
            env={"NGROK_API_KEY": key, "TMPDIR": str(temp)},
        )
    assert verdict.returncode == 1, verdict.output[-3000:]
    assert "contract plan for" in verdict.output
    assert key not in verdict.output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "the run wrote its reports"
    leaking = [p for p in written if key.encode() in p.read_bytes()]
    assert not leaking, f"the API key is written in {leaking}"
