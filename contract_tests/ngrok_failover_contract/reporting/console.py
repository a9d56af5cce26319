"""What a person watching a run reads: a line per test as it ends (with a live progress bar
on a terminal), then the findings as the summary states them, the verdict and where the
reports are. Fed the suite's events (`reporting.events`); pytest's own output is in
`pytest.log`, never here unless asked for (`--verbose`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ..core.verdict import ExitStatus
from .events import Collected, Ended, Event, Finished, Requests, Running
from .summary import outline, render_findings

PREFIX = "contract:"
LOG_NAME = "pytest.log"
# Plain output (CI, a pipe): a long test says it is still running at most this often.
HEARTBEAT_S = 30.0
_OUTCOMES = {
    "passed": "passed",
    "failed": "FAILED",
    "error": "ERROR",
    "skipped": "skipped",
    "differs": "DIFFERS",  # a comparison's test whose two sides answered unlike each other
}


class Screen(Protocol):
    """Where the console writes: plain lines, or lines above a live progress bar."""

    def line(self, text: str) -> None: ...

    def progress(self, done: int, total: int | None, test: str | None, requests: int) -> None:
        """The run's progress changed (a live display shows it; plain lines do not)."""

    def close(self) -> None: ...


class PlainScreen:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def progress(self, done: int, total: int | None, test: str | None, requests: int) -> None:
        pass

    def close(self) -> None:
        pass


class LiveScreen:
    """rich's progress bar: the test running, tests done of all, requests, time."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[requests]} requests", markup=False),
            TimeElapsedColumn(),
            console=console,
            transient=True,  # once the run ends, its lines stay and the bar goes
        )
        self.task: TaskID = self.bar.add_task("starting", total=None, requests=0)
        self.bar.start()

    def line(self, text: str) -> None:
        self.bar.console.print(Text(text), soft_wrap=True)

    def progress(self, done: int, total: int | None, test: str | None, requests: int) -> None:
        if test is None:
            test = "starting" if total is None else "cleaning up" if done >= total else "..."
        self.bar.update(self.task, description=test, completed=done, total=total, requests=requests)

    def close(self) -> None:
        self.bar.stop()


def screen_for(stream: IO[str], *, live: bool | None = None) -> Screen:
    """A live bar on a terminal (`live` None: whether `stream` is one), else plain lines."""
    console = Console(file=stream, highlight=False)
    if live is None:
        live = console.is_terminal and not console.is_dumb_terminal
    return LiveScreen(console) if live else PlainScreen(stream)


class RunConsole:
    """Renders one run's events on a `Screen`; every line passes `redact` first."""

    prefix = PREFIX  # what the command's own lines start with

    def __init__(
        self,
        screen: Screen,
        redact: Callable[[str], str] = str,
        *,
        quiet: bool = False,  # --verbose: pytest's output is shown instead of these lines
        clock: Callable[[], float] = time.monotonic,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.screen, self.redact, self.quiet = screen, redact, quiet
        self.clock, self.heartbeat_s = clock, heartbeat_s
        self.total: int | None = None
        self.done = 0
        self.test: str | None = None
        self.requests = 0
        self._said = 0.0  # when the running test last said it was running (plain lines)

    def say(self, text: str) -> None:
        """A line of the command's own (prefixed)."""
        self.screen.line(self.redact(f"{self.prefix} {text}"))

    def handle(self, event: Event) -> None:
        if isinstance(event, Collected):
            self.total = event.tests
        elif isinstance(event, Running):
            self.test, self._said = event.test, self.clock()
        elif isinstance(event, Requests):
            self.requests = event.count
            self._heartbeat()
        elif isinstance(event, Finished):
            self.done += 1
            self.test = None
            outcome = _OUTCOMES.get(event.outcome, event.outcome)
            self._test_line(
                self.done,
                f"{outcome:<7} {event.test}  ({_requests(event.requests)}, {event.seconds:.1f} s)",
            )
        self.screen.progress(self.done, self.total, self.test, self.requests)

    def _heartbeat(self) -> None:
        if self.test is None or not isinstance(self.screen, PlainScreen):
            return  # a live bar shows the count itself
        if self.clock() - self._said >= self.heartbeat_s:
            self._said = self.clock()
            self._test_line(
                self.done + 1, f"running {self.test}  ({_requests(self.requests)} so far)"
            )

    def _test_line(self, number: int, text: str) -> None:
        """`  [ 3/11] text`: the test's place among all."""
        if self.quiet:
            return
        total = str(self.total) if self.total is not None else "?"
        self.screen.line(self.redact(f"  [{number:>{len(total)}}/{total}] {text}"))

    def end(self, ended: Ended, reports: Path) -> None:
        """The cleanup, the findings as the summary states them, the verdict, the reports."""
        if self.test is not None:  # stopped, or the run cut short (pytest -x, a fixture's exit)
            self._test_line(
                self.done + 1, f"stopped {self.test}  ({_requests(ended.requests)} in all)"
            )
        self.screen.close()
        status = ExitStatus(ended.status)
        cleanup = _cleanup_line(ended)
        if cleanup:
            self.say(cleanup)
        told = outline(list(ended.findings), status)
        if not self.quiet:
            for line in render_findings(told):
                self.screen.line(self.redact(line))
            if told.problems or told.transport:
                self.screen.line("")
        if status is ExitStatus.CANNOT_RUN:
            self.say(f"could not run: {ended.cannot_run or 'see ' + LOG_NAME}")
        elif status is ExitStatus.INTERRUPTED:
            self.say(_interrupted_line(ended, told.verdict_line))
        else:
            self.say(told.verdict_line)
        self.say(reports_line(reports))

    def close(self) -> None:
        self.screen.close()


def _requests(count: int) -> str:
    return f"{count:,} request" + ("" if count == 1 else "s")


def _cleanup_line(ended: Ended) -> str | None:
    if ended.removed is None or (ended.creates == 0 and not ended.removed and not ended.left):
        return None
    left = f"; NOT deleted: {', '.join(ended.left)}" if ended.left else ", none left"
    return f"cleanup: deleted {ended.removed} backends this run created{left}"


def startup_stop_line(signalled: str | None) -> str:
    """The one line of a run stopped before it created anything."""
    return (
        f"INTERRUPTED: stopped by {signalled or 'a stop signal'} during start-up, before the "
        f"run created anything (exit status {int(ExitStatus.INTERRUPTED)})"
    )


def _interrupted_line(ended: Ended, verdict: str) -> str:
    """The one line a stopped run ends with: by what, and whether it had begun."""
    if ended.creates == 0:
        return startup_stop_line(ended.signalled)
    by = f"INTERRUPTED: stopped by {ended.signalled or 'a stop signal'}"
    return verdict.replace("INTERRUPTED:", f"{by};", 1)


def reports_line(reports: Path) -> str:
    return (
        f"reports in {reports}/ (summary.md first, coverage.md, junit.xml); "
        f"pytest's whole output in {reports / LOG_NAME}"
    )
