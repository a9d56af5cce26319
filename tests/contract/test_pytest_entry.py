"""The suite's pytest entry (`runner.pytest_entry`): pytest's exit status and everything it
wrote, without the interpreter's teardown after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ngrok_failover_contract.runner.command import ENTRY

TESTS = """\
import atexit
import pathlib
import sys

atexit.register(pathlib.Path("torn-down").touch)  # an exit handler: skipped by the entry


def test_fails():
    print("said before the failure", file=sys.stderr)
    assert False


def test_passes():
    print("said and kept", end="")  # no newline: only a flush writes it out
"""


def test_the_entry_ends_as_pytest_does_with_all_it_wrote_and_no_teardown(tmp_path: Path) -> None:
    (tmp_path / "test_entry.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", ENTRY, "-p", "no:cacheprovider", "-q", "-rA", "--junitxml=j.xml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "said before the failure" in result.stdout and "said and kept" in result.stdout
    assert (tmp_path / "j.xml").exists()
    assert not (tmp_path / "torn-down").exists()
