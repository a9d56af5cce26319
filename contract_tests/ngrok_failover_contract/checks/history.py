"""Is a concurrent history explained by some order of its operations? (Wing & Gong, 1993)

Each operation of a history was invoked at one instant and answered at a later one, by one
of several threads. The history is linearizable if its operations can be put in one order
that keeps real time (an operation answered before another was invoked comes first) and in
which the sequential model accepts every answer as it was observed. The search is Wing and
Gong's, with Lowe's memo of (operations placed, model state) already tried, which keeps the
histories of a few dozen operations that the suite records to milliseconds.

The model is a `Step`: the states an operation may leave, given the state before it and the
answer it got (none when the model cannot have given that answer). An operation whose answer
was lost (`answer` None) may have taken effect at any point after its invocation, or never.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

State = TypeVar("State", bound=Hashable)
Call = TypeVar("Call")
Answer = TypeVar("Answer")


@dataclass(frozen=True, slots=True)
class Operation(Generic[Call, Answer]):
    """One call of a thread: what it asked, what came back (None: the answer was lost), and
    when (any clock, as long as one clock times the whole history)."""

    thread: int
    call: Call
    answer: Answer | None
    invoked: float
    answered: float = math.inf  # inf: the answer was lost

    @property
    def lost(self) -> bool:
        return self.answer is None


Step = Callable[[State, Call, Answer | None], Iterable[State]]


@dataclass(frozen=True, slots=True)
class Verdict(Generic[Call, Answer]):
    """`order` is a linearization (indices into the history) when `linearizable`; otherwise
    the longest order found that the model accepts, and the operations none of whose places
    after it the model accepts (the evidence a report shows)."""

    linearizable: bool
    order: tuple[int, ...]
    stuck: tuple[int, ...] = ()
    explored: int = 0  # (placed, state) pairs tried: the search's cost


def check(
    history: Sequence[Operation[Call, Answer]],
    initial: State,
    step: Step[State, Call, Answer],
    *,
    max_explored: int = 1_000_000,
) -> Verdict[Call, Answer]:
    """Search for an order of `history` that real time allows and `step` accepts.

    Raises `SearchTooLong` past `max_explored` tried pairs: a history that size has no
    verdict (the suite keeps its histories short so this never happens).
    """
    count = len(history)
    every = (1 << count) - 1
    tried: set[tuple[int, State]] = set()
    best: list[int] | None = None  # the longest order found, and what could not follow it
    best_stuck: list[int] = []

    def candidates(placed: int) -> list[int]:
        """The operations that may come next: none still open was answered before them."""
        open_ = [i for i in range(count) if not placed >> i & 1]
        horizon = min(history[i].answered for i in open_)
        return [i for i in open_ if history[i].invoked <= horizon]

    def search(placed: int, state: State, order: list[int]) -> list[int] | None:
        nonlocal best, best_stuck
        if placed == every:
            return order
        if (placed, state) in tried:
            return None
        tried.add((placed, state))
        if len(tried) > max_explored:
            raise SearchTooLong(len(tried))
        nexts = candidates(placed)
        if best is None or len(order) > len(best):
            best, best_stuck = list(order), nexts
        for index in nexts:
            operation = history[index]
            for after in step(state, operation.call, operation.answer):
                found = search(placed | 1 << index, after, [*order, index])
                if found is not None:
                    return found
            if operation.lost:  # it may never have reached the server
                found = search(placed | 1 << index, state, [*order, index])
                if found is not None:
                    return found
        return None

    order = search(0, initial, [])
    if order is not None:
        return Verdict(True, tuple(order), explored=len(tried))
    return Verdict(False, tuple(best or ()), tuple(best_stuck), explored=len(tried))


class SearchTooLong(Exception):
    """The history is too long (or too concurrent) to decide within the search's budget."""

    def __init__(self, explored: int) -> None:
        super().__init__(f"gave up after {explored} (placed, state) pairs")
        self.explored = explored
