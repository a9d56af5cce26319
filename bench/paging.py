"""Paging cost against store size: the first and the last page of 10^3..10^6 backends.

Stores N backends straight through the store API (bulk insert, one transaction), then
times `page()` for the newest page and for the oldest one (its `before_id` is the id
just newer than the last page), in memory and in SQLite, interleaved first, last, first...
A page should cost O(limit): the last page as fast as the first, at every size.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ngrok_failover_server.ids import KSUID_EPOCH, encode_base62
from ngrok_failover_server.store import FailoverBackend, MemoryStore, SqliteStore, Store
from ngrok_failover_server.store.base import rfc3339

from .common import Section, Spread, ratio, spread, verdict

CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"
LIMIT = 100
# The last page may cost this much more than the first and still count as flat (noise).
FLAT_RATIO = 2.0


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


@dataclass(frozen=True, slots=True)
class PagingPoint:
    store: str
    size: int
    fill_seconds: float
    first_ms: Spread
    last_ms: Spread


def _ms(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def measure(name: str, store: Store, records: list[FailoverBackend], runs: int) -> PagingPoint:
    began = time.perf_counter()
    store.bulk_insert(records)
    filled = time.perf_counter() - began
    n = len(records)
    # The last page holds the LIMIT oldest; its before_id is the id just newer than them.
    last_before = records[LIMIT].id if n > LIMIT else None
    page = store.page(last_before, LIMIT)
    if page.has_more or len(page.items) != min(LIMIT, n):
        raise RuntimeError(f"{name}: before_id {last_before} does not give the last page")
    store.page(None, LIMIT)  # warm the caches both ways once
    first, last = [], []
    for _ in range(runs):
        first.append(_ms(lambda: store.page(None, LIMIT)))
        last.append(_ms(lambda: store.page(last_before, LIMIT)))
    return PagingPoint(name, n, filled, spread(first), spread(last))


def collect(max_exp: int, runs: int) -> list[PagingPoint]:
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for exp in range(3, max_exp + 1):
            records = make_records(10**exp)
            memory = MemoryStore()
            points.append(measure("memory", memory, records, runs))
            memory.close()
            sqlite = SqliteStore(str(Path(tmp) / f"bench{exp}.db"))
            points.append(measure("sqlite", sqlite, records, runs))
            sqlite.close()
    return points


def plot(points: list[PagingPoint], path: Path) -> None:
    """First and last page time against store size, one line each per store."""
    import matplotlib  # noqa: PLC0415  (only this section needs it, and it is slow to import)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    for store, colour in (("memory", "tab:blue"), ("sqlite", "tab:orange")):
        mine = [p for p in points if p.store == store]
        sizes = [p.size for p in mine]
        for which, style in (("first", "-o"), ("last", "--s")):
            medians = [getattr(p, f"{which}_ms").median for p in mine]
            axes.plot(sizes, medians, style, color=colour, label=f"{store}, {which} page")
    axes.set_xscale("log")
    axes.set_ylim(bottom=0)
    axes.set_xlabel("failover backends stored")
    axes.set_ylabel(f"time for one page of {LIMIT} (ms, median)")
    axes.set_title("Paging cost against store size (flat is O(limit))")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def run(*, quick: bool = False, plot_path: Path | None = None) -> Section:
    max_exp, runs = (4, 5) if quick else (6, 21)
    points = collect(max_exp, runs)
    section = Section(
        "paging",
        f"2. Paging scale (store API, page of {LIMIT})",
        ["store", "backends", "fill s", "first page ms", "last page ms", "last / first"],
    )
    for p in points:
        section.rows.append(
            [
                p.store,
                f"{p.size:,}",
                f"{p.fill_seconds:.2f}",
                p.first_ms.show(3),
                p.last_ms.show(3),
                ratio(p.last_ms.median, p.first_ms.median),
            ]
        )
    for store in ("memory", "sqlite"):
        mine = [p for p in points if p.store == store]
        small, large = mine[0], mine[-1]
        # Within a size, first and last interleave: their ratio is the sharp figure. Across
        # sizes, runs are seconds apart, so the growth figure carries the machine's drift.
        deepest = large.last_ms.median / large.first_ms.median
        growth = max(large.first_ms.median, large.last_ms.median) / small.first_ms.median
        flat_here = deepest <= FLAT_RATIO and growth <= FLAT_RATIO
        section.targets.append(
            f"flat (O(limit)) in {store}: at {large.size:,} backends the last page costs "
            f"{deepest:.2f}x the first, and the slower of them {growth:.2f}x the first page "
            f"at {small.size:,} ({verdict(flat_here)}; flat: both at most {FLAT_RATIO:.0f}x)"
        )
    section.notes.append(
        f"Each size is filled by one bulk insert; then first and last page alternate, {runs} "
        "times each, after one warm-up; figures are the median (min-max) in ms."
    )
    if plot_path is not None:
        plot(points, plot_path)
        section.notes.append(f"Plot: [{plot_path.name}]({plot_path.name}).")
    return section
