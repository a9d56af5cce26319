"""Shards: one test's examples split into parts that run side by side, in threads.

Against a distant server a run's time is its requests times the round trip; the suite keeps
up to `--workers` requests in flight by running each Hypothesis test as that many shards,
each with its share of the examples, a seed of its own and backends of its own (a lane of
the run's ledger). Shard 1 keeps the run's seed, so `--workers 1` is the run as it always
was; shard k's seed is derived from the run's seed and k, so `--workers N --shard k`
replays that shard alone (and skips Hypothesis's simplest case, `fresh`, so that shards of
one example each do not all run that one). The first shard to fail cancels the others at their next
request; its failure is the test's, and carries the shard that reproduces it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from ..compat import ast_parse_serialized
from ..live.gate import Cancelled, Gate


@dataclass(frozen=True, slots=True)
class Shard:
    number: int  # 1-based, as `--shard` takes it
    count: int
    seed: int
    examples: int


def shard_seed(seed: int, number: int) -> int:
    """Shard 1 runs on the run's seed; the others on seeds derived from it (32 bits)."""
    if number == 1:
        return seed
    digest = hashlib.sha256(f"{seed}/{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def split(seed: int, examples: int, workers: int, only: int | None = None) -> list[Shard]:
    """`examples` shared by min(workers, examples) shards, the first ones one more when
    they do not divide evenly; `only` (1-based) keeps that shard alone, if the test has it."""
    count = max(1, min(workers, examples))
    base, extra = divmod(examples, count)
    shards = [
        Shard(number, count, shard_seed(seed, number), base + (1 if number <= extra else 0))
        for number in range(1, count + 1)
    ]
    return [s for s in shards if s.number == only] if only is not None else shards


SHARD_ATTRIBUTE = "contract_shard"


def shard_of(error: BaseException) -> Shard | None:
    """The shard a test's failure came from, if the test ran in shards."""
    shard = getattr(error, SHARD_ATTRIBUTE, None)
    return shard if isinstance(shard, Shard) else None


def run_shards(gate: Gate, shards: list[Shard], body: Callable[[Shard], None]) -> None:
    """Run `body` for each shard, side by side; raise the first failure, marked with its shard."""
    side_by_side(gate, [partial(_run_marked, body, shard) for shard in shards], len(shards))


def side_by_side(gate: Gate, tasks: list[Callable[[], None]], workers: int) -> None:
    """Run `tasks`, `workers` at a time; the first to fail cancels the others at their next
    request, and its failure is raised (a stop signal's first: the run ends).

    One worker runs them in the calling thread, one after the other, as a run always did.
    """
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            task()
        return
    cancel = threading.Event()
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(task: Callable[[], None]) -> None:
        with gate.cancelled_by(cancel):
            try:
                task()
            except Cancelled:
                pass
            except BaseException as error:
                with lock:
                    failures.append(error)
                cancel.set()

    pool = ThreadPoolExecutor(min(workers, len(tasks)), thread_name_prefix="contract")
    # Hypothesis parses source in every thread: CPython 3.11 needs that one at a time.
    with ast_parse_serialized(), pool:
        for future in [pool.submit(run, task) for task in tasks]:
            future.result()
    if failures:
        stopped = [f for f in failures if isinstance(f, KeyboardInterrupt)]
        raise (stopped or failures)[0]


def _run_marked(body: Callable[[Shard], None], shard: Shard) -> None:
    try:
        body(shard)
    except BaseException as error:
        if not isinstance(error, Cancelled) and shard.count > 1:
            setattr(error, SHARD_ATTRIBUTE, shard)
        raise
