"""Running the contract suite as a user does, in a subprocess, and reading its verdict."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# CI's fixed seed; the seeds test adds others.
CI_SEED = 0


@dataclass(frozen=True)
class Verdict:
    returncode: int
    output: str
    summary: str
    reports: Path


def run_contract(reports: Path, *args: str, env: dict[str, str] | None = None) -> Verdict:
    """`scripts/run_contract.py` with `args`, reports in `reports`; its exit code and summary."""
    command = [
        sys.executable,
        "scripts/run_contract.py",
        f"--reports-dir={reports}",
        *args,
    ]
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        command, cwd=ROOT, env=full_env, capture_output=True, text=True, check=False
    )
    summary_path = reports / "summary.md"
    summary = summary_path.read_text(encoding="utf-8") if summary_path.exists() else ""
    return Verdict(result.returncode, result.stdout + result.stderr, summary, reports)
