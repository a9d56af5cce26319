"""How the command reads a suite pytest's end: its output copied to its log, and a child
that ended before its verdict told as a refused target or a crash."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from ..core.verdict import ExitStatus
from ..reporting.console import RunConsole
from ..reporting.events import CHANNEL_ENV
from .stops import Stops, ignore_stops

# pytest's own code for a refused target (unreachable, key refused, wrong base path): the
# suite's plugin sets every other status itself (`ExitStatus`).
PYTEST_USAGE_ERROR = 4
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def start_suite(
    command: list[str], stops: Stops, env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[str], int]:
    """Start a suite pytest in its own session, with both stop signals ignored until its
    plugin is ready (`runner.stops`), and its events' pipe: the process, and the pipe's read
    end (the child holds the only write end: its exit ends the reading). Call it before any
    thread of this process starts: `preexec_fn` runs in the forked child."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        pass_fds=(write_end,),
        env={**os.environ, **(env or {}), CHANNEL_ENV: str(write_end)},
        preexec_fn=ignore_stops,  # noqa: PLW1509 (no thread of the command's started yet)
    )
    os.close(write_end)
    stops.attach(process)
    return process, read_end


def copy_output(
    output: IO[str], log: IO[str], shown: IO[str] | None, scrub: Callable[[str], str]
) -> None:
    for raw in output:
        line = scrub(raw)
        log.write(line)
        log.flush()
        if shown is not None:
            shown.write(line)
            shown.flush()


def without_verdict(console: RunConsole, returncode: int, log_path: Path) -> int:
    """The suite ended before its verdict: a refused target (pytest's usage error, one
    message), or a crash of its own (the log has it)."""
    if returncode == PYTEST_USAGE_ERROR:
        console.say(f"could not run: {usage_error(log_path)}")
        return ExitStatus.CANNOT_RUN
    console.say(f"the suite ended with status {returncode} before its verdict: see {log_path}")
    if returncode < 0:  # killed by a signal
        return ExitStatus.INTERRUPTED
    return returncode or ExitStatus.VIOLATIONS  # no verdict is no pass


def usage_error(log_path: Path) -> str:
    """The message pytest printed for a usage error (`ERROR: ...` and what follows)."""
    lines = [_ANSI.sub("", line) for line in log_path.read_text("utf-8").splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("ERROR: ")), None)
    if start is None:
        return f"see {log_path}"
    message = [line for line in lines[start:] if line.strip()]
    return "\n".join([message[0].removeprefix("ERROR: "), *message[1:]])
