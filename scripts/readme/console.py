"""Commands run as a reader would type them in the checkout, and their consoles as printed."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ".venv/bin/python"
# A terminal of the usual width, whatever runs make readme: argparse wraps --help to it.
COLUMNS = "80"
# What a reader's shell would not have set: the suite reads these, make exports them.
UNSET = (
    "NGROK_API_KEY",
    "NGROK_OTHER_ACCOUNT_KEY",
    "BASE_URL",
    "CHILD_BACKENDS",
    "PROFILE",
    "SEED",
    "REPORTS_DIR",
    "WORKERS",
    "SHARD",
    "LIVE",
    "DRY_RUN",
    "MAX_RPM",
    "REQUIRE_COVERAGE",
    "VERBOSE",
    "CI",
    "MAKEFLAGS",
    "MAKELEVEL",
    "MFLAGS",
    "PYTEST_ADDOPTS",
    "PYTEST_XDIST_WORKER",
    "PYTEST_CURRENT_TEST",
)


class RunError(Exception):
    """A command the README quotes did not end as the README says it does."""


@dataclass(frozen=True, slots=True)
class Console:
    """A command as shown (`$ ...`), what it printed (stdout, then stderr), its exit status."""

    shown: str
    output: str
    status: int

    def transcript(self) -> str:
        return f"$ {self.shown}\n{self.output}"


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return {**env, "COLUMNS": COLUMNS, "NO_COLOR": "1", "TERM": "dumb", **extra}


def shown(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """`argv` as typed, with its variables before it (`NGROK_API_KEY=secret make ...`)."""
    words = [f"{k}={shlex.quote(v)}" for k, v in (env or {}).items()]
    return " ".join([*words, *(shlex.quote(a) for a in argv)])


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    statuses: Sequence[int] = (0,),
    cwd: Path = ROOT,
    timeout: float = 900,
) -> Console:
    """Run `argv` in `cwd` (the checkout) with `env` added; `RunError` if its exit status is
    not one of `statuses`. Both streams go to one pipe, unbuffered, in a terminal's order."""
    result = subprocess.run(
        list(argv),
        cwd=cwd,
        env=environment(PYTHONUNBUFFERED="1", **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout
    if result.returncode not in statuses:
        raise RunError(
            f"{shown(argv, env)} exited with {result.returncode}, not {list(statuses)}:\n"
            f"{output[-3000:]}"
        )
    return Console(shown(argv, env), output, result.returncode)


def fenced(body: str, language: str = "console") -> str:
    """A fenced code block holding `body`."""
    return f"```{language}\n{body.rstrip(chr(10))}\n```\n"
