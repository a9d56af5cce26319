"""Running the contract suite as a user does, in a subprocess, and reading its verdict."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ngrok_failover_contract.runner.options import CI_SEED

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["CI_SEED", "ROOT", "Verdict", "contract_command", "run_contract", "traceback_lines"]
# What a traceback prints, Python's or pytest's: its header, a frame, an `E` line, the section.
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|\.py:\d+: in |^E {3}|= FAILURES =|site-packages",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Verdict:
    returncode: int
    output: str
    summary: str
    reports: Path


def contract_command(reports: Path, *args: str) -> list[str]:
    """`make contract`'s command with `args`, reports in `reports`."""
    return [sys.executable, "-m", "scripts.run_contract", f"--reports-dir={reports}", *args]


def run_contract(reports: Path, *args: str, env: dict[str, str] | None = None) -> Verdict:
    """`make contract`'s command with `args`, reports in `reports`; its exit code and summary."""
    command = contract_command(reports, *args)
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        command, cwd=ROOT, env=full_env, capture_output=True, text=True, check=False
    )
    summary_path = reports / "summary.md"
    summary = summary_path.read_text(encoding="utf-8") if summary_path.exists() else ""
    return Verdict(result.returncode, result.stdout + result.stderr, summary, reports)


def traceback_lines(output: str) -> list[str]:
    """The lines of `output` that belong to a traceback (none on a quiet console)."""
    return [line for line in output.splitlines() if TRACEBACK.search(line)]
