"""Stop signals (SIGINT, SIGTERM) from the command's first moment to its end.

The suite runs in a pytest child that acts on a stop only once its plugin has installed its
handlers (it then deletes what the run created, and ends with exit status 130). So the child
starts with both signals ignored, whatever this process inherited (ignored in a script's
background job or under nohup, default elsewhere): a stop sent to it earlier is neither lost
nor a KeyboardInterrupt traceback. This process records every stop from the moment the
command starts, holds it while the child starts, and passes it on once the child says it is
ready (`reporting.events.Ready`). Standard library only: the command installs this before it
loads anything else.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handler = Any  # what signal.signal returns: a callable, SIG_DFL, SIG_IGN or None


def ignore_stops() -> None:
    """In the child, before it runs anything (`preexec_fn`): both signals ignored, until the
    suite's plugin installs its own handlers."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


class Stops:
    """Every stop this process receives, passed on to each child once it is ready."""

    def __init__(self) -> None:
        self.received: list[signal.Signals] = []
        # Each child that takes the stops: whether it is ready, how many it was sent.
        self._children: list[_Child] = []
        self._previous: dict[signal.Signals, Handler] = {}

    def catch(self) -> Stops:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def release(self) -> None:
        """The handlers this process had before."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    @property
    def stopped(self) -> str | None:
        """The first stop's name (SIGINT, SIGTERM), if one came."""
        return self.received[0].name if self.received else None

    def attach(self, child: subprocess.Popen[Any]) -> None:
        """A child that will take the stops, once ready (a run may have several)."""
        self._children.append(_Child(child))

    def ready(self, child: subprocess.Popen[Any] | None = None) -> None:
        """`child`'s handlers are installed (None: every child's): what was held is passed
        on to it now."""
        for each in self._children:
            if child is None or each.process is child:
                each.ready = True
        self._pass_on()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signal.Signals(signum))
        self._pass_on()

    def _pass_on(self) -> None:
        for child in self._children:
            if not child.ready:
                continue
            while child.passed < len(self.received):
                signum = self.received[child.passed]
                child.passed += 1
                if child.process.poll() is None:
                    child.process.send_signal(signum)


class _Child:
    def __init__(self, process: subprocess.Popen[Any]) -> None:
        self.process = process
        self.ready = False
        self.passed = 0  # how many of the stops received it was sent
