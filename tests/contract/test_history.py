"""The linearizability search (`checks.history`) on a register and a record: histories
whose verdicts are known by hand."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ngrok_failover_contract.checks.history import Operation, SearchTooLong, check

# A register: ("write", v) answers "ok"; ("read", None) answers the value.
Call = tuple[str, int | None]


def register(state: int, call: Call, answer: object) -> Iterator[int]:
    kind, value = call
    if kind == "write" and answer in ("ok", None):
        yield int(value or 0)
    elif kind == "read" and answer in (state, None):
        yield state


Op = Operation[Call, object]


def op(thread: int, call: Call, answer: object, invoked: float, answered: float) -> Op:
    return Operation(thread, call, answer, invoked, answered)


def test_a_sequential_history_is_its_own_order() -> None:
    history = [op(0, ("write", 1), "ok", 0, 1), op(0, ("read", None), 1, 2, 3)]
    verdict = check(history, 0, register)
    assert verdict.linearizable and verdict.order == (0, 1)


def test_a_read_of_the_old_value_after_the_write_answered_is_no_order() -> None:
    history = [op(0, ("write", 1), "ok", 0, 1), op(1, ("read", None), 0, 2, 3)]
    verdict = check(history, 0, register)
    assert not verdict.linearizable
    assert verdict.order == (0,) and verdict.stuck == (1,)


def test_overlapping_calls_may_be_ordered_either_way() -> None:
    # The read overlaps the write: it may see the old value or the new one.
    for seen in (0, 1):
        history = [op(0, ("write", 1), "ok", 0, 10), op(1, ("read", None), seen, 1, 2)]
        assert check(history, 0, register).linearizable


def test_real_time_order_is_kept_even_when_a_reordering_would_explain_the_answers() -> None:
    # write 1 answered, then write 2 answered, then a read of 1: only write 2, write 1, read
    # explains it, and real time forbids it.
    history = [
        op(0, ("write", 1), "ok", 0, 1),
        op(1, ("write", 2), "ok", 2, 3),
        op(0, ("read", None), 1, 4, 5),
    ]
    assert not check(history, 0, register).linearizable


def test_a_lost_answer_may_have_taken_effect_or_not() -> None:
    lost: Op = Operation(1, ("write", 7), None, 0)
    assert check([lost, op(0, ("read", None), 7, 1, 2)], 0, register).linearizable
    assert check([lost, op(0, ("read", None), 0, 1, 2)], 0, register).linearizable
    assert not check([lost, op(0, ("read", None), 5, 1, 2)], 0, register).linearizable


def test_a_search_past_its_budget_says_so() -> None:
    # All overlapping, and a final answer nothing explains: every order is tried.
    history = [op(i, ("write", i), "ok", 0, 100) for i in range(8)]
    history.append(op(9, ("read", None), 99, 200, 201))
    with pytest.raises(SearchTooLong):
        check(history, 0, register, max_explored=50)


@given(st.lists(st.integers(0, 3), min_size=1, max_size=7))
def test_any_sequential_run_of_the_model_is_linearizable(values: list[int]) -> None:
    """Run the register for real, one call at a time: its history always has an order."""
    state, history, clock = 0, [], itertools.count()
    for value in values:
        if value % 2:
            state = value
            history.append(op(0, ("write", value), "ok", next(clock), next(clock)))
        else:
            history.append(op(0, ("read", None), state, next(clock), next(clock)))
    assert check(history, 0, register).linearizable


def test_a_lost_update_between_two_writers_of_one_record_has_no_order() -> None:
    """Two threads each update one field of a record; each answer shows the other field as
    before, and a read after both shows one write lost: the shape the suite must catch."""

    def record(
        state: tuple[int, int], call: tuple[str, int], answer: object
    ) -> Iterator[tuple[int, int]]:
        kind, value = call
        new = {"a": (value, state[1]), "b": (state[0], value), "read": state}[kind]
        if answer in (new, None):
            yield new

    history = [
        Operation(0, ("a", 1), (1, 0), 0, 10),
        Operation(1, ("b", 2), (0, 2), 1, 11),
        Operation(0, ("read", 0), (0, 2), 20, 21),
    ]
    assert not check(history, (0, 0), record).linearizable
