"""The suite's side of the console: pytest's hooks told to the command as events
(`reporting.events`), which its console renders (`reporting.console`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from ..core.verdict import ExitStatus
from ..reporting.events import (
    Channel,
    Collected,
    Ended,
    Finished,
    Ready,
    Requests,
    Running,
)
from .session import ContractSession

# Requests are told at most this often: a run sends thousands a minute.
REQUESTS_EVERY_S = 0.25


class ProgressReport:
    """A pytest plugin object: each test's start and end, and the requests sent so far."""

    def __init__(self, channel: Channel, clock: Callable[[], float] = time.monotonic) -> None:
        self.channel, self.clock = channel, clock
        self.sent: Callable[[], int] = lambda: 0  # the run's requests so far (its gate's)
        self._told = 0.0
        self._lock = threading.Lock()
        self._started: tuple[float, int] = (0.0, 0)
        self._outcome = "passed"
        # A test's outcome as told (a comparison tells a passed test that differed so).
        self.relabel: Callable[[str, str], str] = lambda nodeid, outcome: outcome

    def ready(self) -> None:
        self.channel.send(Ready())

    def answered(self) -> None:
        """An answer arrived (any shard's thread): tell the count, now and then."""
        with self._lock:
            now = self.clock()
            if now - self._told < REQUESTS_EVERY_S:
                return
            self._told = now
        self.channel.send(Requests(self.sent()))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.channel.send(Collected(len(session.items)))

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self._started, self._outcome = (self.clock(), self.sent()), "passed"
        self.channel.send(Running(nodeid))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self._outcome = "failed" if report.when == "call" else "error"
        elif report.skipped and self._outcome == "passed":
            self._outcome = "skipped"

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        began, sent = self._started
        requests, seconds = self.sent() - sent, self.clock() - began
        outcome = self.relabel(nodeid, self._outcome)
        self.channel.send(Finished(nodeid, outcome, requests, round(seconds, 2)))

    def ended(self, contract: ContractSession, status: ExitStatus) -> None:
        swept = contract.swept
        self.channel.send(
            Ended(
                status=int(status),
                findings=tuple(contract.findings),
                requests=contract.gate.requests,
                creates=contract.gate.creates,
                removed=None if swept is None else len(swept.removed),
                left=() if swept is None else tuple(sorted(swept.left)),
                signalled=contract.signalled,
                cannot_run=contract.cannot_run,
            )
        )
