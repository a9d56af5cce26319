"""`st run` (Schemathesis CLI) with every check, against the server in both reference modes.

Bounded (20 examples per operation, fixed seed) so it is quick and repeatable; raise
`--max-examples` by hand for a deeper run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import new_api_key, serve_in_thread

from .conftest import strict_config

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "failover.openapi.yaml"
STRICT_SETTINGS = Path(__file__).with_name("schemathesis-strict.toml")
ST = Path(sys.executable).with_name("st")


@pytest.mark.parametrize("mode", ["default", "strict"])
def test_st_run_with_all_checks_finds_no_failure(mode: str, tmp_path: Path) -> None:
    config = strict_config() if mode == "strict" else ServerConfig(api_key=new_api_key())
    settings = ["--config-file", str(STRICT_SETTINGS)] if mode == "strict" else []
    with serve_in_thread(config) as server:
        command = [
            str(ST),
            *settings,
            "run",
            str(SPEC),
            "--url",
            server.base_url,
            "-H",
            f"Authorization: Bearer {server.api_key}",
            "--checks",
            "all",
            "--max-examples",
            "20",
            "--seed",
            "1",
            "--no-color",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False
        )
    assert result.returncode == 0, (
        f"st run found failures in {mode} mode:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    )
    assert "No issues found" in result.stdout
