"""Every Python example in the READMEs (the project's and the published client's) passes
mypy --strict and runs.

A block that defines tests runs under pytest (with this package's plugin); a block that
reads NGROK_API_KEY runs against a reference server; any other block runs as a script.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ngrok_failover_server.testing import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
READMES = [ROOT / "README.md", ROOT / "generated" / "README.md"]
BLOCKS = [
    block
    for readme in READMES
    for block in re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.DOTALL)
]


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )


def test_readme_has_client_and_server_examples() -> None:
    assert any("iter_failover_backends(" in block for block in BLOCKS)
    assert any("def test_" in block for block in BLOCKS)
    assert any("serve_in_thread(" in block for block in BLOCKS)


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_readme_block_passes_mypy_strict(n: int, tmp_path: Path) -> None:
    source = tmp_path / f"readme_block_{n}.py"
    source.write_text(BLOCKS[n])
    result = _run(["-m", "mypy", "--strict", "--no-incremental", str(source)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_readme_block_runs(n: int, tmp_path: Path) -> None:
    block = BLOCKS[n]
    source = tmp_path / f"test_readme_block_{n}.py"
    source.write_text(block)
    if "def test_" in block:
        result = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", str(source)])
        assert result.returncode == 0, result.stdout + result.stderr
        assert " passed" in result.stdout
        return
    if "NGROK_API_KEY" not in block:
        result = _run([str(source)])
        assert result.returncode == 0, result.stdout + result.stderr
        return
    with serve_in_thread() as server:
        env = {**os.environ, "NGROK_API_URL": server.base_url, "NGROK_API_KEY": server.api_key}
        result = _run([str(source)], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    created_id = result.stdout.split()[0]
    assert created_id.startswith("bkdfo_")
    assert f"{created_id} acme failover" in result.stdout.splitlines()  # the walk found it
