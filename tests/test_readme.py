"""The README's Python examples pass mypy --strict and run against the reference server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ngrok_failover_server.testing import serve_in_thread

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
CLIENT_EXAMPLE = next(block for block in BLOCKS if "iter_failover_backends(" in block)


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_readme_block_passes_mypy_strict(n: int, tmp_path: Path) -> None:
    source = tmp_path / f"readme_block_{n}.py"
    source.write_text(BLOCKS[n])
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_client_example_runs_against_the_reference_server(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(CLIENT_EXAMPLE)
    with serve_in_thread() as server:
        env = {**os.environ, "NGROK_API_URL": server.base_url, "NGROK_API_KEY": server.api_key}
        result = subprocess.run(
            [sys.executable, str(source)], env=env, capture_output=True, text=True, check=False
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bkdfo_")
    assert lines[1] == f"{lines[0].split()[0]} acme failover"  # the walk found it
