"""Where a quick run's time goes: the suite's pytest under pyinstrument, its samples by part.

The suite runs as `make contract` runs it (its pytest command, seed 0, one worker) against a
counting reference server in a process of its own (`bench/instrumented_server.py`), so the
profile holds the suite alone; its wait for each answer is the HTTP clients' share. Every
sample is charged to one part: an import anywhere on its stack makes it an import's; loading
the spec or Schemathesis's schema makes it schema loading's; else the innermost frame that
belongs to a known package names the part (Hypothesis, Schemathesis, jsonschema, the HTTP
stack, the suite's model and properties, the rest of the suite, pytest).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .common import ROOT, Section, free_port, running
from .contract import SEED
from .server_vs_prism import KEY

PROFILE = "quick"
# (part, markers): a frame whose file path holds a marker belongs to the part; first match.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Schemathesis's checks and validation (jsonschema)", ("jsonschema", "referencing")),
    ("Hypothesis: generation, engine, stateful runner", ("/hypothesis/",)),
    ("Schemathesis: cases, links, state machine", ("/schemathesis/",)),
    (
        "HTTP clients and the wait for each answer",
        ("/httpx/", "/httpcore/", "/h11/", "/requests/", "/urllib3/", "http/client", "socket"),
    ),
    ("the model and our properties (checks/)", ("ngrok_failover_contract/checks/",)),
    ("the suite's drivers, gate, ledger, reports", ("ngrok_failover_contract/",)),
    ("pytest and pluggy", ("/_pytest/", "/pluggy/")),
)
IMPORTS = "interpreter and imports"
LOADING = "schema loading (the spec, Schemathesis's schema)"
OTHER = "other (standard library, threads)"
LOADERS = ("core/spec.py", "schemathesis/openapi/loaders", "schemathesis/specs/openapi/schemas")


def part_of(stack: list[tuple[str, str]]) -> str:
    """The part a sample belongs to; `stack`: (function, file) pairs, outermost first."""
    if any(function == "_find_and_load" for function, _ in stack):
        return IMPORTS
    if any(loader in file for _, file in stack for loader in LOADERS):
        return LOADING
    for _, file in reversed(stack):
        for part, markers in PARTS:
            if any(marker in file for marker in markers):
                return part
    return OTHER


def shares(session: Any) -> Counter[str]:
    """Seconds of the session's samples by part."""
    seconds: Counter[str] = Counter()
    for frames, duration in session.frame_records:
        stack = []
        for identifier in frames:
            function, file, *_ = identifier.split("\x00")
            stack.append((function, file))
        seconds[part_of(stack)] += duration
    return seconds


def profiled_run(output: Path) -> tuple[float, float]:
    """The suite's quick run under pyinstrument into `output`; its wall and CPU seconds."""
    from ngrok_failover_contract.runner.command import ENTRY, suite_command  # noqa: PLC0415

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = [sys.executable, "-m", "bench.instrumented_server", f"--port={port}"]
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        pytest = suite_command(
            f"--base-url={url}",
            f"--profile={PROFILE}",
            f"--seed={SEED}",
            "--workers=1",
            f"--reports-dir={tmp}/reports",
        )
        command = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(output)]
        # `-m pytest` itself: the suite's entry ends the process before pyinstrument writes.
        command += ["-m", "pytest", *pytest[pytest.index(ENTRY) + 1 :]]
        env = {"NGROK_API_KEY": KEY, "PATH": "/usr/bin:/bin"}
        with running([*server, f"--api-key={KEY}"], port):
            began = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
            wall = time.perf_counter() - began
    from pyinstrument.session import Session  # noqa: PLC0415

    return wall, Session.load(str(output)).cpu_time


def run(*, quick: bool = False) -> Section:
    from pyinstrument.session import Session  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        output = Path(tmp) / "quick.pyisession"
        wall, cpu = profiled_run(output)
        session = Session.load(str(output))
    seconds = shares(session)
    total = sum(seconds.values())
    section = Section(
        "profile",
        "7. Where a quick run's time goes (pyinstrument)",
        ["part", "seconds", "share"],
    )
    for part, spent in seconds.most_common():
        section.rows.append([part, f"{spent:.2f}", f"{spent / total:.0%}"])
    section.notes.append(
        f"The suite's pytest (seed {SEED}, profile {PROFILE}, one worker) under pyinstrument, "
        f"against the reference server in its own process: {wall:.1f} s wall with the "
        f"profiler, {cpu:.1f} s of CPU, {session.duration:.1f} s sampled in the main thread. "
        "Each sample is charged to one part (bench/profile.py says how). The profiler slows "
        "Python code more than waiting: read the shares, not the seconds."
    )
    return section
