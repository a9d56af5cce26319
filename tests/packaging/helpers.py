"""Running the built distributions as users do: fresh virtual environments in temporary
folders outside the checkout, and an environment that does not lead back to it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Distribution -> the folder `uv build` builds it from (`make build` builds the same three).
PROJECTS = {
    "ngrok-failover-client": ROOT / "generated",
    "ngrok-failover-server": ROOT,
    "ngrok-failover-contract": ROOT / "contract_tests",
}
GUARD_S = 900  # a subprocess guard only: nothing asserts how long a step takes


def uv() -> str:
    """The pinned uv `make` installs into .tools/, else one on PATH."""
    pinned = ROOT / ".tools" / "bin" / "uv"
    found = str(pinned) if pinned.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: run `make setup` (it installs the pinned uv into .tools/)")
    return found


def outside_env(**extra: str) -> dict[str, str]:
    """The environment minus what ties a process to the checkout's own virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # pytest reads these from the environment: the checkout's own test run must not leak in.
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    env.pop("NGROK_API_KEY", None)  # each run names the key it means
    return {**env, **extra}


def run_checked(command: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=outside_env(),
        capture_output=True,
        text=True,
        timeout=GUARD_S,
        check=False,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result.stdout


@dataclass(frozen=True)
class Venv:
    root: Path
    # Where its commands are run from, when not its own bin/: a chroot's scripts (pythons.py).
    commands: Path | None = None

    @property
    def bin(self) -> Path:
        return self.commands or self.root / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a shell with this venv first on PATH (as `activate` makes it)."""
        return outside_env(PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}", **extra)


def new_venv(folder: Path, *, seed: bool = False) -> Venv:
    """A fresh virtual environment on this Python's own interpreter; `seed` adds pip."""
    root = folder / "venv"
    run_checked(
        [
            uv(),
            "venv",
            "--quiet",
            *(["--seed"] if seed else []),
            "--python",
            sys.executable,
            str(root),
        ]
    )
    return Venv(root)
