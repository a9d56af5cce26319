"""Histories: several threads create, update, read, list and delete a few of the lane's own
backends at once, each call's start and end recorded, then the whole history checked for an
order of its calls that the model explains (`checks.history`, Wing and Gong's search).

A lost update shows only here: two updates of one backend in flight at once, each answered
as if the other had not happened, and a read after both that keeps one of them. The program
of each thread comes from the seed; the interleaving is the server's, so a violation is
reported with every call, its times and the seed, not replayed by Hypothesis.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from ..checks.history import Operation, check
from ..checks.judge import Judge
from ..checks.model.expect import expect
from ..checks.model.world import World
from ..core.api import COLLECTION
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
from ..live.batch import at_once
from ..live.ledger import Ledger

KINDS = ("get", "update", "update", "update", "list", "create", "delete")


@dataclass(frozen=True, slots=True)
class Step:
    """One call of a thread's program: what, on which of the scenario's backends, with what."""

    kind: str
    target: int
    field: str = ""
    value: str = ""


def programs(rng: random.Random, threads: int, steps: int, targets: int) -> list[list[Step]]:
    """Each thread's calls, drawn from `rng`; every written value is unique in the history."""
    found = []
    for thread in range(threads):
        program = []
        for number in range(steps):
            kind = rng.choice(KINDS)
            field = rng.choice(("description", "metadata")) if kind == "update" else ""
            value = f"t{thread}.{number}" if kind == "update" else ""
            program.append(Step(kind, rng.randrange(targets), field, value))
        found.append(program)
    return found


def _send(lane: Ledger, step: Step, targets: list[str]) -> Exchange:
    """One step, sent as it is (unjudged: the history is judged whole, afterwards)."""
    client, target = lane.client, targets[step.target]
    if step.kind == "get":
        return client.get(target)
    if step.kind == "update":
        return client.update(target, {step.field: step.value})
    if step.kind == "list":
        return client.list_page(limit=100)
    if step.kind == "delete":
        return client.delete(target)
    with lane.creating():
        exchange = client.create({"backends": []})
        lane.enter(exchange)
    return exchange


def record(
    lane: Ledger, plans: list[list[Step]], targets: list[str], reads_at_once: int = 1
) -> list[Operation[Exchange, Exchange]]:
    """Run the threads' programs side by side from one start, then read every target back
    (`reads_at_once` at a time); each call as an operation with its times (one monotonic
    clock)."""
    history: list[Operation[Exchange, Exchange]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(plans))
    errors: list[BaseException] = []

    def run(thread: int, plan: list[Step]) -> None:
        try:
            start.wait()
            for step in plan:
                invoked = time.monotonic()
                exchange = _send(lane, step, targets)
                answered = time.monotonic()
                if step.kind == "delete" and exchange.status == 204:
                    lane.record_deleted(targets[step.target])
                with lock:
                    history.append(Operation(thread, exchange, exchange, invoked, answered))
        except BaseException as error:  # a stop, a transport fault: the test's, not a verdict
            errors.append(error)

    workers = [
        threading.Thread(target=run, args=(n, plan), name=f"contract-history-{n}")
        for n, plan in enumerate(plans)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]

    def read(target: str) -> Operation[Exchange, Exchange]:
        invoked = time.monotonic()
        exchange = lane.client.get(target)
        return Operation(len(plans), exchange, exchange, invoked, time.monotonic())

    # After every thread: what each backend holds at the end.
    for read_back in at_once([partial(read, target) for target in targets], reads_at_once):
        if isinstance(read_back, BaseException):
            raise read_back
        history.append(read_back)
    return history


def judge_history(
    lane: Ledger, history: list[Operation[Exchange, Exchange]], initial: World, seed: str
) -> World:
    """The world some order of `history` leaves, if an order the model explains exists;
    else `history_is_linearizable` with every call, its times and the seed."""
    oracle = lane.oracle
    quiet = Judge()  # the search tries many orders: only the verdict counts in the tally

    def step(world: World, call: Exchange, answer: Exchange | None) -> Iterator[World]:
        if answer is None:
            return
        try:
            yield expect(world, oracle.call(call), oracle.context).judge(answer, quiet)
        except ContractViolation:
            return

    verdict = check(history, initial, step)
    if not verdict.linearizable:
        lane.judge.require(
            False,
            Property.HISTORY_IS_LINEARIZABLE,
            _describe(history, verdict.order, verdict.stuck, seed),
            history[verdict.stuck[0]].call if verdict.stuck else None,
        )
    lane.judge.require(True, Property.HISTORY_IS_LINEARIZABLE, "", None)
    world = initial
    for index in verdict.order:
        world = next(step(world, history[index].call, history[index].answer))
    return world


def _describe(
    history: list[Operation[Exchange, Exchange]],
    order: tuple[int, ...],
    stuck: tuple[int, ...],
    seed: str,
) -> str:
    """Every call of the history, with its thread and times (ms from the first), and what
    the search found: the longest order the model explains, and the calls none of whose
    next places it explains."""
    zero = min(op.invoked for op in history)
    lines = [
        f"no order of these {len(history)} calls (threads side by side, then a read of "
        f"each backend) explains every answer (history {seed}):"
    ]
    for index, op in enumerate(history):
        exchange = op.call
        body = exchange.request_body or ""
        answer = exchange.response_text[:160]
        lines.append(
            f"  [{index}] thread {op.thread} {1000 * (op.invoked - zero):8.1f}-"
            f"{1000 * (op.answered - zero):8.1f} ms  {exchange.method} "
            f"{exchange.url.split(COLLECTION, 1)[-1] or '/'} {body[:80]} -> "
            f"{exchange.status} {answer}"
        )
    lines.append(f"the longest order explained: {list(order)}; none explains next: {list(stuck)}")
    return "\n".join(lines)
