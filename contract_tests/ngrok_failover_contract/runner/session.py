"""The state of one contract session, kept in pytest's `config.stash` and handed along."""

from __future__ import annotations

import signal
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

from ..checks.judge import Judge
from ..drivers.config import DriverConfig
from ..live.gate import Gate
from ..live.ledger import Ledger
from ..live.safety import workers_for
from ..live.sweep import Swept
from ..reporting.coverage import Coverage
from ..reporting.findings import Finding
from .options import Options
from .parts import Part

if TYPE_CHECKING:
    from .comparing import Comparing


@dataclass
class ContractSession:
    """One run: its options, its gate, its checks and their tally, its ledger once made,
    what it found and what ended it."""

    options: Options
    gate: Gate
    ledger: Ledger | None = None
    findings: list[Finding] = field(default_factory=list)
    signalled: str | None = None  # the stop signal received, if any
    swept: Swept | None = None  # the cleanup's result, once it ran
    cannot_run: str | None = None  # why the run stopped before a verdict (exit status 2)
    workers_why: str = "as given"  # why the run has its workers (`choose_workers`)
    closing: ExitStack = field(default_factory=ExitStack)
    coverage: Coverage = field(default_factory=Coverage)
    judge: Judge = field(init=False)
    comparing: Comparing | None = None  # a comparison's other side (`runner.comparing`)
    part: Part | None = None  # the share of the tests this process runs (`runner.parts`)

    def __post_init__(self) -> None:
        self.judge = Judge(self.coverage)

    @property
    def drivers(self) -> DriverConfig:
        """What the drivers need of the options."""
        options = self.options
        return DriverConfig(
            options.seed, options.profile, options.api_key, options.workers, options.shard
        )

    def choose_workers(self, round_trip_s: float) -> None:
        """The workers from the preflight's round trip, unless `--workers` gave them or the
        run is a comparison (each request to one side, then the other: one at a time)."""
        if self.options.workers_given:
            return
        if self.comparing is not None:
            self.workers_why = "a comparison sends one request at a time"
            return
        chosen = workers_for(round_trip_s, self.options.max_rpm)
        self.options = self.options.with_workers(chosen.count)
        self.workers_why = chosen.why

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """The handler of Ctrl-C and SIGTERM: the gate raises `Stopped` at the run's next
        request or pause. Raising here instead could land inside any library's critical
        section (see `Stopped`). The session's end reads `signalled` too, so a run stopped
        after its last request is never reported as a pass.
        """
        self.signalled = signal.Signals(signum).name
        self.gate.stop(f"stopped by {self.signalled}")
        if self.comparing is not None:
            self.comparing.stop(f"stopped by {self.signalled}")
