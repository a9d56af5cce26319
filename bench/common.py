"""What every section shares: its result table, the spread of repeated samples, tools.

A section returns a `Section`: a title, a table whose cells are already formatted, and
notes (how it was measured, which targets were met). The runner prints it and writes it
to docs/benchmarks.md. No section asserts a time: figures are reported, never checked.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


@dataclass(frozen=True, slots=True)
class Spread:
    """Repeated samples of one figure: reported as the median and the min-max range."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def show(self, digits: int = 0, unit: str = "") -> str:
        """`1,234 (1,100-1,300)`: the median, then the range when there are several samples."""
        median = f"{self.median:,.{digits}f}{unit}"
        if len(self.samples) < 2:
            return median
        return f"{median} ({self.low:,.{digits}f}-{self.high:,.{digits}f})"


def spread(samples: Sequence[float]) -> Spread:
    return Spread(tuple(samples))


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


@dataclass(slots=True)
class Section:
    """One section's results, ready to print: a table and the notes that explain it."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("| " + " | ".join("---" for _ in self.headers) + " |")
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        if self.targets:
            lines += ["", *(f"- Target: {t}" for t in self.targets)]
        for note in self.notes:
            lines += ["", note]
        return "\n".join(lines) + "\n"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes]) -> None:
    """Return once 127.0.0.1:port accepts connections; fail if `process` dies or time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s")


@contextmanager
def running(command: list[str], port: int, *, timeout: float = 30.0) -> Iterator[int]:
    """Run `command` (a server listening on 127.0.0.1:port) until the block ends; yield its pid."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, timeout, process)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) process `pid` has used so far; Linux's /proc. Unlike a
    rate, CPU per request barely moves when other processes share the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def version_of(command: list[str]) -> str:
    """The first line a tool prints for its version, or "not installed"."""
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        return "not installed"
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "unknown"
