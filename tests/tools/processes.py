"""A tool run as a server for one test: started, its address read from its output, stopped."""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(command: list[str | Path], ready: str, lines: int = 200) -> Iterator[str]:
    """Run `command`; yield group 1 of the first output line matching `ready` (within
    `lines` lines); terminate it on exit."""
    proc = subprocess.Popen(
        [str(part) for part in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        seen = []
        for _ in range(lines):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if match := re.search(ready, line):
                yield match.group(1)
                return
        raise AssertionError(f"{command[0]} never printed {ready!r}: {''.join(seen)[-2000:]}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
