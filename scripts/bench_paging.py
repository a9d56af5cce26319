"""Paging cost against store size: the first and the last page of 10^3..10^6 backends.

Stores N backends straight through the store API (bulk insert, one transaction), then
times `page()` for the newest page and for the oldest one (its `before_id` is the id
just after the last page), in memory and in SQLite. Prints the median of several runs.
A page should cost O(limit): the last page as fast as the first, at every size.

    .venv/bin/python scripts/bench_paging.py [--max-exp 6] [--limit 100] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ngrok_failover_server.ids import KSUID_EPOCH, encode_base62
from ngrok_failover_server.store import FailoverBackend, MemoryStore, SqliteStore, Store
from ngrok_failover_server.store.base import rfc3339

CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"


def make_records(n: int) -> list[FailoverBackend]:
    """N records with increasing ids, as the id generator would make them (fast path)."""
    start = int(time.time()) - KSUID_EPOCH - n  # one second apart, ending now
    records = []
    for i in range(n):
        seconds = start + i
        backend_id = "bkdfo_" + encode_base62((seconds << 128) | (i * 7919))
        records.append(
            FailoverBackend(
                backend_id, rfc3339(seconds + KSUID_EPOCH), f"backend {i}", "", (CHILD,)
            )
        )
    return records


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def bench(name: str, store: Store, records: list[FailoverBackend], limit: int, runs: int) -> None:
    began = time.perf_counter()
    store.bulk_insert(records)
    filled = time.perf_counter() - began
    n = len(records)
    # The last page holds the `limit` oldest; its before_id is the id just newer than them.
    last_before = records[limit].id if n > limit else None
    first = median_ms(lambda: store.page(None, limit), runs)
    last = median_ms(lambda: store.page(last_before, limit), runs)
    page = store.page(last_before, limit)
    assert not page.has_more and len(page.items) == min(limit, n)  # it is the last page
    print(
        f"{name:<7} {n:>9,}  fill {filled:7.2f} s   first page {first:7.3f} ms   "
        f"last page {last:7.3f} ms   ratio {last / first:5.2f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--max-exp", type=int, default=6, help="largest size is 10^N (6)")
    parser.add_argument("--limit", type=int, default=100, help="page size (100)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (7)")
    args = parser.parse_args(argv)
    print(f"page size {args.limit}, median of {args.runs} runs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        for exp in range(3, args.max_exp + 1):
            records = make_records(10**exp)
            memory = MemoryStore()
            bench("memory", memory, records, args.limit, args.runs)
            memory.close()
            sqlite = SqliteStore(str(Path(tmp) / f"bench{exp}.db"))
            bench("sqlite", sqlite, records, args.limit, args.runs)
            sqlite.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
