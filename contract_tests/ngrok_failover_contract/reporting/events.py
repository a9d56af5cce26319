"""What the suite's pytest tells the command while it runs: one JSON object a line on a pipe.

The command (`runner.run`) opens the pipe and names its write end in `CHANNEL_ENV`; the
suite's plugin (`runner.progress`) writes these events to it, and the command's console
(`reporting.console`) renders them. pytest's own output goes elsewhere (`pytest.log`), so a
line here is never mixed with it. Without `CHANNEL_ENV` (pytest run directly) nothing is
written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from ..core.verdict import Kind
from .findings import Finding

# The file descriptor, in the suite's pytest, of the pipe's write end.
CHANNEL_ENV = "NGROK_FAILOVER_CONTRACT_EVENTS_FD"


@dataclass(frozen=True, slots=True)
class Ready:
    """The suite's stop handlers are installed: a stop signal is acted on from now on."""

    name: ClassVar[str] = "ready"


@dataclass(frozen=True, slots=True)
class Collected:
    """How many tests the run will run (after deselection)."""

    name: ClassVar[str] = "collected"
    tests: int


@dataclass(frozen=True, slots=True)
class Running:
    """A test began (its node id, as pytest names it)."""

    name: ClassVar[str] = "running"
    test: str


@dataclass(frozen=True, slots=True)
class Requests:
    """Requests the run has sent so far (all tests, all shards)."""

    name: ClassVar[str] = "requests"
    count: int


@dataclass(frozen=True, slots=True)
class Finished:
    """A test ended, whatever its phase that failed."""

    name: ClassVar[str] = "finished"
    test: str
    outcome: str  # passed, failed, error (its setup or teardown failed), skipped, differs
    requests: int  # sent while it ran
    seconds: float


@dataclass(frozen=True, slots=True)
class Ended:
    """The run's end: its verdict, its findings, and what it created and deleted."""

    name: ClassVar[str] = "ended"
    status: int
    findings: tuple[Finding, ...]
    requests: int
    creates: int
    removed: int | None  # None: the cleanup never ran (no ledger was made)
    left: tuple[str, ...] = ()
    signalled: str | None = None
    cannot_run: str | None = None


Event = Ready | Collected | Running | Requests | Finished | Ended
_TYPES: dict[str, type[Event]] = {
    kind.name: kind for kind in (Ready, Collected, Running, Requests, Finished, Ended)
}


def encode(event: Event) -> str:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    if isinstance(event, Ended):
        fields["findings"] = [dataclasses.asdict(finding) for finding in event.findings]
    return json.dumps({"event": event.name, **fields}) + "\n"


class EventError(ValueError):
    """A line of the channel that is no event of this protocol."""


def decode(line: str) -> Event:
    """The event a line holds; `EventError` names what is wrong with it."""
    try:
        raw = json.loads(line)
        kind = _TYPES[raw.pop("event")]
        if kind is Ended:
            raw["findings"] = tuple(_finding(item) for item in raw["findings"])
            raw["left"] = tuple(raw.get("left", ()))
        return kind(**raw)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise EventError(
            f"not an event of the suite ({type(err).__name__}: {err}): {line!r}"
        ) from err


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(**{**item, "kind": Kind(item["kind"])})


@dataclass
class Channel:
    """The suite's end of the pipe; thread-safe (shards report side by side). A command that
    went away (its end closed) silences it: the run goes on, and still cleans up."""

    stream: IO[str] | None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_env(cls) -> Channel:
        # Popped: a process this one starts must not write to whatever has that number there.
        fd = os.environ.pop(CHANNEL_ENV, "")
        if not fd:
            return cls(None)
        try:
            os.set_inheritable(int(fd), False)
            return cls(os.fdopen(int(fd), "w", encoding="utf-8", buffering=1))
        except (ValueError, OSError):
            return cls(None)

    @property
    def open(self) -> bool:
        return self.stream is not None

    def send(self, event: Event) -> None:
        with self._lock:
            if self.stream is None:
                return
            try:
                self.stream.write(encode(event))
            except (OSError, ValueError):
                self.stream = None

    def close(self) -> None:
        with self._lock:
            stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
