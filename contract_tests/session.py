"""The state of one contract session, kept in pytest's `config.stash` and handed along."""

from __future__ import annotations

import signal
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import FrameType

from .coverage import Coverage
from .gate import Gate
from .ledger import Ledger
from .options import Options
from .report import Finding
from .sweep import Swept


@dataclass
class ContractSession:
    """One run: its options, its gate, its ledger once made, what it found and what ended it."""

    options: Options
    gate: Gate
    ledger: Ledger | None = None
    findings: list[Finding] = field(default_factory=list)
    signalled: str | None = None  # the stop signal received, if any
    swept: Swept | None = None  # the cleanup's result, once it ran
    cannot_run: str | None = None  # why the run stopped before a verdict (exit status 2)
    closing: ExitStack = field(default_factory=ExitStack)
    coverage: Coverage = field(default_factory=Coverage)

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """The handler of Ctrl-C and SIGTERM: the gate raises `Stopped` at the run's next
        request or pause. Raising here instead could land inside any library's critical
        section (see `Stopped`). The session's end reads `signalled` too, so a run stopped
        after its last request is never reported as a pass.
        """
        self.signalled = signal.Signals(signum).name
        self.gate.stop(f"stopped by {self.signalled}")
