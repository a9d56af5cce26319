"""The command line: options, their errors, and what it prints on start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_subprocess

from .conftest import KNOWN, OTHER, Api, refusal


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--port", "70000"], "70000"),
        (["--port", "http"], "'http'"),
        (["--rate-limit", "0"], "at least 1"),
        (["--rate-limit", "x"], "'x'"),
        (["--public-url", "ftp://x"], "ftp://x"),
        (["--public-url", "https://x/?q=1"], "https://x/?q=1"),
        (["--public-url", "https://x/1/2/3/4/5/6/7/8/9"], "at most 8 segments"),
        (["--public-url", "https://x/a//b"], "none empty"),
        (["--api-key", "a b"], "at least one character (3 characters given)"),
        (["--strict-references", "--known-backend", "nope"], "'nope'"),
        (["--known-backend", KNOWN], "--strict-references"),
        (["--db", "/nonexistent-dir/x.db"], "/nonexistent-dir/x.db"),
        (["--wat"], "--wat"),
        (["--header-timeout", "0"], "--header-timeout: '0': must be more than 0 seconds"),
        (["--body-timeout", "soon"], "--body-timeout: 'soon' is not a number of seconds"),
        (["--max-connections", "0"], "--max-connections: '0': must be at least 1"),
        (["--max-header-bytes", "32k"], "--max-header-bytes: '32k' is not a whole number"),
        (["--http", "zttp"], "--http: invalid choice: 'zttp'"),
    ],
)
def test_bad_options_exit_2_naming_the_problem(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert named in refusal(argv, capsys)


def test_module_prints_url_and_key_and_serves_with_every_option(tmp_path: Path) -> None:
    config = ServerConfig(
        api_key="secret",
        strict_references=True,
        known_backends=frozenset({KNOWN}),
        db_path=str(tmp_path / "x.db"),
        public_url="https://proxy.example",
        rate_limit=100,
    )
    with serve_in_subprocess(config) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        api = Api(server)
        made = api.create(backends=[KNOWN])
        assert made["uri"].startswith("https://proxy.example/backends/failover/")
        missing = api.http.post("/backends/failover", json={"backends": [OTHER]})
        assert missing.json()["error_code"] == "ERR_NGROK_6501"
        api.close()


def test_known_backends_may_be_comma_separated(tmp_path: Path) -> None:
    with serve_in_subprocess(
        ServerConfig(api_key="k", strict_references=True),
        extra_args=("--known-backend", f"{KNOWN},{OTHER}"),
    ) as server:
        api = Api(server)
        assert api.create(backends=[KNOWN, OTHER])["backends"] == [KNOWN, OTHER]
        api.close()


def test_console_script_help_lists_the_options() -> None:
    script = Path(sys.executable).with_name("ngrok-failover-server")
    out = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    for option in (
        "--strict-references",
        "--known-backend",
        "--db",
        "--public-url",
        "--rate-limit",
    ):
        assert option in out
