"""Histories judged whole (`drivers.histories.judge_history`): two updates of one backend in
flight at once, then a read. Made by hand, so no test depends on how threads interleave."""

from __future__ import annotations

import json
import random

import pytest

from ngrok_failover_contract.checks.history import Operation
from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.checks.model.world import Backend, World
from ngrok_failover_contract.core.exchange import Exchange
from ngrok_failover_contract.core.registry import ContractViolation, Property
from ngrok_failover_contract.drivers.histories import KINDS, judge_history, programs
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import Ledger

BASE = "http://127.0.0.1:1"
KEY = "history-key"
ID = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
HELD = {"id": ID, "uri": f"{BASE}/backends/failover/{ID}", "created_at": "2026-12-01T10:00:00Z",
        "description": "d0", "metadata": "m0", "backends": []}  # fmt: skip


def ledger() -> Ledger:
    lane = Ledger(ApiClient(BASE, KEY, Gate("")), Judge(), 0, (), "20261201T101011Z-204c1c")
    lane.oracle.world = World().created(Backend.answered(HELD)).read_back(ID)
    return lane


def call(method: str, body: object, answer: object, status: int = 200) -> Exchange:
    return Exchange(
        method=method,
        url=f"{BASE}/backends/failover/{ID}",
        request_headers={
            "Authorization": f"Bearer {KEY}",
            "Ngrok-Version": "2",
            **({"Content-Type": "application/json"} if body is not None else {}),
        },
        request_body=None if body is None else json.dumps(body),
        status=status,
        response_headers={"content-type": "application/json"},
        response_text=json.dumps(answer),
    )


def history(
    first: dict[str, str], second: dict[str, str], final: dict[str, str]
) -> list[Operation[Exchange, Exchange]]:
    """An update of description and one of metadata side by side, then a read after both."""
    a = call("PATCH", {"description": "d1"}, {**HELD, **first})
    b = call("PATCH", {"metadata": "m1"}, {**HELD, **second})
    read = call("GET", None, {**HELD, **final})
    return [
        Operation(0, a, a, 0.0, 10.0),
        Operation(1, b, b, 1.0, 11.0),
        Operation(2, read, read, 20.0, 21.0),
    ]


def test_two_updates_each_seeing_the_other_in_some_order_are_explained() -> None:
    lane = ledger()
    world = judge_history(
        lane,
        history(
            {"description": "d1"},
            {"description": "d1", "metadata": "m1"},
            {"description": "d1", "metadata": "m1"},
        ),
        lane.oracle.world,
        "seed 0",
    )
    assert world.get(ID) == Backend.answered({**HELD, "description": "d1", "metadata": "m1"})


def test_a_lost_update_has_no_order_and_is_reported_with_every_call() -> None:
    lane = ledger()
    lost = history({"description": "d1"}, {"metadata": "m1"}, {"metadata": "m1"})
    with pytest.raises(ContractViolation) as caught:
        judge_history(lane, lost, lane.oracle.world, "seed 7, history 3")
    violation = caught.value
    assert violation.prop is Property.HISTORY_IS_LINEARIZABLE
    assert "seed 7, history 3" in violation.message and "thread 1" in violation.message
    assert violation.message.count("PATCH") == 2 and "GET" in violation.message


def test_programs_come_from_the_seed_and_write_unique_values() -> None:
    plans = programs(random.Random("seed 0"), 3, 4, 2)
    assert plans == programs(random.Random("seed 0"), 3, 4, 2)
    values = [step.value for plan in plans for step in plan if step.kind == "update"]
    assert len(values) == len(set(values))
    assert {step.kind for plan in plans for step in plan} <= set(KINDS)
