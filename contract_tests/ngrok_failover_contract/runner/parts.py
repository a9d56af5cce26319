"""Parts: the suite's tests shared by several pytest processes that run side by side.

Hypothesis, Schemathesis and the model cost the suite's own CPU for every request, and one
Python process uses one core, so against a server on this machine a run is bound by the
suite, not the server. The command (`runner.run_parts`) starts one process a core (two a
core when the server's round trip, which it measures first, outlasts the suite's own work:
its tests then wait more than they compute), each running tests with a run id, reports
folder, gate and cleanup of its own, and merges what they found into one verdict. Every
part collects every test and takes them heaviest first, each the next one no other part has
claimed (`Claims`): a part that is free takes the next, so the parts stay busy whatever the
tests cost where the server is (the CPU on loopback, the round trips of a distant one).
Which part runs a test is the timing's; what the test sends is the seed's (each test's
examples come from it alone), so a seed means the same tests.

Only where no account is at stake: a remote server is
someone's account with a rate limit (one process keeps it), a comparison pairs each request
with the other side's in one order, and a shard is reproduced alone. Without --base-url each
part starts a reference server of its own (a test rig's planted fault in each), so parts
never see one another's backends; on one server they do, each as another client's.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import struct
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..live.safety import SUITE_S_PER_REQUEST

# The part a suite process runs, "K/N", set by the command for each process it starts.
PART_ENV = "NGROK_FAILOVER_CONTRACT_PART"
# The server's round trip as the command measured it (seconds): each part's preflight then
# checks the key and the base path with one call instead of measuring it again.
ROUND_TRIP_ENV = "NGROK_FAILOVER_CONTRACT_ROUND_TRIP"
# Each part's reports, under the run's: parts/1/, parts/2/, ...; the tests they claimed.
PARTS_DIR = "parts"
CLAIMS = "claims"
SPENT = "spent"
# More processes than this gain nothing: the largest tests (a state machine) then run alone.
MAX_PROCESSES = 4
# Each test's cost in a quick run on loopback, in seconds (docs/benchmarks.md, section 4),
# by the start of its pytest name (a test not named here weighs DEFAULT_WEIGHT): only the
# order parts take tests in, heaviest first.
WEIGHTS: tuple[tuple[str, float], ...] = (
    ("test_links_chain_operations", 3.0),
    ("test_backends_behave_like_the_model", 1.6),
    ("test_every_page_followed", 0.5),
    ("test_operation_honours_spec[POST", 0.9),
    ("test_operation_honours_spec[PATCH", 0.4),
    ("test_operation_honours_spec[GET /backends/failover]", 0.4),
    ("test_concurrent_calls_have_an_order", 0.5),
    ("test_operation_honours_spec[GET", 0.2),
    ("test_operation_honours_spec[DELETE", 0.1),
)
DEFAULT_WEIGHT = 0.05


# The suite's order of its test modules (`runner.plugin` sorts by it): the directed
# scenarios first (the plainest findings), the histories of several threads last.
ORDER = (
    "test_lifecycle.py",
    "test_accounts.py",
    "test_paging.py",
    "test_model.py",
    "test_schema.py",
    "test_stateful.py",
    "test_histories.py",
)


def in_suite_order(test: str) -> int:
    """Where a test's module comes in `ORDER` (a finding of no test, the cleanup's or the
    coverage's, after all)."""
    module = test.split("::", 1)[0].rsplit("/", 1)[-1]
    return ORDER.index(module) if module in ORDER else len(ORDER)


class PartError(ValueError):
    """A part that is no part of a run (`PART_ENV` malformed)."""


@dataclass(frozen=True, slots=True)
class Part:
    number: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


def part_from_env(env: Mapping[str, str]) -> Part | None:
    """The part this process runs (None: all the tests, as one process)."""
    raw = env.get(PART_ENV, "")
    if not raw:
        return None
    number, _, count = raw.partition("/")
    try:
        part = Part(int(number), int(count))
    except ValueError:
        raise PartError(f"${PART_ENV}={raw!r} is not a part like 1/2") from None
    if not 1 <= part.number <= part.count:
        raise PartError(f"${PART_ENV}={raw!r}: the part is not between 1 and {part.count}")
    return part


def round_trip_from_env(env: Mapping[str, str]) -> float | None:
    """The round trip the command measured (None: none, as for one process)."""
    raw = env.get(ROUND_TRIP_ENV, "")
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 3600:
        raise PartError(f"${ROUND_TRIP_ENV}={raw!r} is not a round trip in seconds")
    return seconds


def part_folder(reports_dir: Path, part: Part) -> Path:
    return reports_dir / PARTS_DIR / str(part.number)


def run_folder(reports_dir: Path, part: Part | None) -> Path:
    """The whole run's reports folder, from a process's own (a part's is `part_folder`):
    where every part keeps its journal, so `cleanup` finds them all in one place."""
    return reports_dir.parents[1] if part is not None else reports_dir


def weight(name: str) -> float:
    return next((w for start, w in WEIGHTS if name.startswith(start)), DEFAULT_WEIGHT)


def claim_order(names: list[str]) -> list[int]:
    """The order parts take tests in: the heaviest first (a long test started last would
    leave the other parts idle), then as collected; indexes into `names`."""
    return sorted(range(len(names)), key=lambda i: (-weight(names[i]), i))


class Claims:
    """Which part runs each test: the first part to claim it, in a file the parts share
    (locked while read and written; POSIX, as the command's process handling is)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def take(self, test: str) -> bool:
        """Claim `test` for this process: False when another part has it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as claims:
            fcntl.flock(claims, fcntl.LOCK_EX)  # released as the file closes
            claims.seek(0)
            if test in claims.read().splitlines():
                return False
            claims.write(test + "\n")
            return True


def shared_file(reports_dir: Path, part: Part | None, name: str) -> Path:
    """A file all the run's parts share (`CLAIMS`, `SPENT`), from a part's reports folder or
    (None) the run's own."""
    return run_folder(reports_dir, part) / PARTS_DIR / name


def start_shared(reports_dir: Path) -> None:
    """Before a run's parts start: no test claimed, nothing of the budget spent."""
    for name in (CLAIMS, SPENT):
        path = shared_file(reports_dir, None, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def claims_of(reports_dir: Path, part: Part | None) -> Claims:
    return Claims(shared_file(reports_dir, part, CLAIMS))


class Spent:
    """The run's requests and creates so far, counted by all its parts in a file they share
    (two counters, locked while read and written): the run's budget is spent by the run,
    whichever part's test makes the most of it (the link state machine's creates with many
    workers are half a quick run's budget)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()  # threads of one process share the flock

    def add(self, requests: int, creates: int) -> tuple[int, int]:
        """Count these in; the run's totals with them."""
        with self._lock:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                held = os.pread(self._fd, _COUNTS.size, 0)
                before = _COUNTS.unpack(held) if len(held) == _COUNTS.size else (0, 0)
                totals = (before[0] + requests, before[1] + creates)
                os.pwrite(self._fd, _COUNTS.pack(*totals), 0)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        return totals


_COUNTS = struct.Struct("<QQ")


def spent_of(reports_dir: Path, part: Part | None) -> Spent:
    return Spent(shared_file(reports_dir, part, SPENT))


def part_run_id(run_id: str, number: int) -> str:
    """Part 1 keeps the run's id; part k's shares its time and has hex digits of its own
    (a run id is a time and six hex digits: every marker of the part names it)."""
    if number == 1:
        return run_id
    stamp, _, _ = run_id.rpartition("-")
    digest = hashlib.sha256(f"{run_id}/{number}".encode()).hexdigest()[:6]
    return f"{stamp}-{digest}"


@dataclass(frozen=True, slots=True)
class Processes:
    count: int
    why: str
    round_trip_s: float | None = None  # the command's measure, when it chose by it


def processes_for(
    given: int | None,
    *,
    remote: bool,
    shard: bool,
    cores: int | None,
    measure: Callable[[], float | None] | None = None,
) -> Processes:
    """How many suite processes a run starts, and why: one a core where the suite's CPU is
    the bound (a server on this machine answering at once); two a core where the round trip
    (`measure`, called only where it can choose) is longer than the suite's own time per
    request: a distant server behind a loopback port (a tunnel, a port-forward, a test
    double that sleeps), whose tests wait on it one request after another in parts of their
    own (at 150 ms on 2 cores: 15 s with two, 11 s with four; on loopback 4.6 s with two,
    6.1 s with four: docs/benchmarks.md)."""
    if given is not None:
        return Processes(given, "as given")
    if remote:
        return Processes(1, "a remote account: one process keeps its rate limit")
    if shard:
        return Processes(1, "one shard is reproduced alone")
    usable = max(1, min(cores or 1, MAX_PROCESSES))
    round_trip_s = measure() if measure is not None else None
    if round_trip_s is not None and round_trip_s > SUITE_S_PER_REQUEST:
        waiting = max(1, min(2 * (cores or 1), MAX_PROCESSES))
        ms = f"{round_trip_s * 1000:.0f} ms"
        return Processes(
            waiting,
            f"the server's round trip was {ms}: tests waiting on it overlap, two a core "
            f"({cores or 1} here, at most {MAX_PROCESSES})",
            round_trip_s,
        )
    why = f"one a core ({cores or 1} here, at most {MAX_PROCESSES})"
    return Processes(usable, why, round_trip_s)


def usable_cores() -> int | None:
    """The cores this process may run on (a container's or taskset's limit, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()
