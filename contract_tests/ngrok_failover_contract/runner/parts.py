"""Parts: the suite's tests shared by several pytest processes that run side by side.

Hypothesis, Schemathesis and the model cost the suite's own CPU for every request, and one
Python process uses one core, so against a server on this machine a run is bound by the
suite, not the server. The command (`runner.run_parts`) starts one process a core, each
running a share of the tests with a run id, reports folder, gate and cleanup of its own,
and merges what they found into one verdict. Which test goes where depends only on the
tests and the number of parts (`assign`), and each test's examples only on the seed, so a
seed means the same tests whatever the part they run in.

Only where the suite's CPU is the bound and no account is at stake: a remote server is
someone's account with a rate limit (one process keeps it), a comparison pairs each request
with the other side's in one order, and a shard is reproduced alone. Without --base-url each
part starts a reference server of its own (a test rig's planted fault in each), so parts
never see one another's backends; on one server they do, each as another client's.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..live.safety import MAX_CHOSEN_WORKERS, SUITE_S_PER_REQUEST

# The part a suite process runs, "K/N", set by the command for each process it starts.
PART_ENV = "NGROK_FAILOVER_CONTRACT_PART"
# Each part's reports, under the run's: parts/1/, parts/2/, ...
PARTS_DIR = "parts"
# More processes than this gain nothing: the largest tests (a state machine) then run alone.
MAX_PROCESSES = 4
# Each test's cost in a quick run on loopback, in seconds (docs/benchmarks.md, section 4),
# by the start of its pytest name; a test not named here weighs DEFAULT_WEIGHT.
WEIGHTS: tuple[tuple[str, float], ...] = (
    ("test_links_chain_operations", 3.0),
    ("test_backends_behave_like_the_model", 1.6),
    ("test_every_page_followed", 1.4),
    ("test_operation_honours_spec[POST", 0.9),
    ("test_operation_honours_spec[PATCH", 0.4),
    ("test_operation_honours_spec[GET /backends/failover]", 0.4),
    ("test_concurrent_calls_have_an_order", 0.5),
    ("test_operation_honours_spec[GET", 0.2),
    ("test_operation_honours_spec[DELETE", 0.1),
)
DEFAULT_WEIGHT = 0.05
# Where a process's most workers no longer hide the round trip (`live.safety.workers_for`).
LATENCY_BOUND_S = MAX_CHOSEN_WORKERS * SUITE_S_PER_REQUEST


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


def part_folder(reports_dir: Path, part: Part) -> Path:
    return reports_dir / PARTS_DIR / str(part.number)


def run_folder(reports_dir: Path, part: Part | None) -> Path:
    """The whole run's reports folder, from a process's own (a part's is `part_folder`):
    where every part keeps its journal, so `cleanup` finds them all in one place."""
    return reports_dir.parents[1] if part is not None else reports_dir


def weight(name: str) -> float:
    return next((w for start, w in WEIGHTS if name.startswith(start)), DEFAULT_WEIGHT)


def assign(names: list[str], count: int) -> list[int]:
    """The part (1-based) of each test: the heaviest first, each to the part with the least
    so far (the lowest number on a tie); `names` in any order, the answer in theirs."""
    loads = [0.0] * count
    placed = [0] * len(names)
    for index in sorted(range(len(names)), key=lambda i: (-weight(names[i]), names[i])):
        lightest = min(range(count), key=lambda k: (loads[k], k))
        loads[lightest] += weight(names[index])
        placed[index] = lightest + 1
    return placed


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


def processes_for(
    given: int | None,
    *,
    remote: bool,
    shard: bool,
    cores: int | None,
    round_trip_s: float | None = None,
) -> Processes:
    """How many suite processes a run starts, and why; `round_trip_s`: the server's, when
    measured (None: the reference server the run starts, on this machine)."""
    if given is not None:
        return Processes(given, "as given")
    if remote:
        return Processes(1, "a remote account: one process keeps its rate limit")
    if shard:
        return Processes(1, "one shard is reproduced alone")
    if round_trip_s is not None and round_trip_s >= LATENCY_BOUND_S:
        # Beyond what the most workers hide the run waits on the network: a second process
        # would double the requests in flight on the server, not shorten the run.
        return Processes(
            1,
            f"the server's round trip is {round_trip_s * 1000:.0f} ms, more than "
            f"{MAX_CHOSEN_WORKERS} workers hide: the run waits on the network, not the CPU",
        )
    usable = max(1, min(cores or 1, MAX_PROCESSES))
    return Processes(usable, f"one a core ({cores or 1} here, at most {MAX_PROCESSES})")


def usable_cores() -> int | None:
    """The cores this process may run on (a container's or taskset's limit, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()
