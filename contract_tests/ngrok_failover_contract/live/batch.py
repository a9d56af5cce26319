"""Requests sent side by side, to be judged in the program's order once all are answered.

Against a distant server a run's time is its requests times the round trip. Requests whose
predicted answers do not depend on one another's order (the near misses of a key, say: each
refused, nothing changed) may go out together; judged afterwards in the order the program
listed them, the first wrong answer in that order is the one reported, whatever order the
server answered them in (`Ledger.answers`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from ..checks.freedoms import Window
from ..core.exchange import Exchange
from ..core.registry import ContractViolation

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Request:
    """One request of a batch, as `Ledger.request` takes it (a path or an absolute URL)."""

    method: str
    url: str
    body: object = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """A request's exchange, when it could have been served, and what entering it found (a
    reused id): what `Ledger.judged` takes."""

    exchange: Exchange
    window: Window
    entered: ContractViolation | None


def at_once(tasks: Sequence[Callable[[], T]], workers: int) -> list[T | BaseException]:
    """Run every task, up to `workers` at a time; what each returned or raised, in the tasks'
    order (a task that fails stops no other: each is one request, already on its way)."""

    def run(task: Callable[[], T]) -> T | BaseException:
        try:
            return task()
        except BaseException as error:  # a stop, a transport fault: the caller's to raise
            return error

    if workers <= 1 or len(tasks) <= 1:
        return [run(task) for task in tasks]
    with ThreadPoolExecutor(min(workers, len(tasks)), thread_name_prefix="contract-batch") as pool:
        return list(pool.map(run, tasks))
