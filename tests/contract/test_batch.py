"""Requests side by side, judged in the program's order (`Ledger.answers`): against the
reference server, with a wrapper that holds chosen answers back until the others are out
(no clock decides the order) and answers chosen requests wrongly."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pytest

from mutation.asgi import ASGIApp, Forward, Handle, Reply, Request
from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.core.api import COLLECTION
from ngrok_failover_contract.core.registry import ContractViolation, Property
from ngrok_failover_contract.drivers.nearmiss import key_near_misses, send_key_near_misses
from ngrok_failover_contract.live import batch
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import Ledger
from ngrok_failover_server.testing import serve_in_thread

TAG = "x-batch"  # which request of the program this is: the wrapper's handle on it
RUN_ID = "20261201T101011Z-204c1c"
HOLD_S = 10.0  # a held answer gives up waiting (the test then fails on the order)


@dataclass
class Orderly:
    """Holds the answers tagged `held` until every other request of `total` was answered;
    answers those tagged `wrong` with a backend that does not exist (200 for a 404), and
    creates tagged `wrong` with 200 instead of 201. `answered`: the tags, as answered."""

    total: int
    held: set[str] = field(default_factory=set)
    wrong: set[str] = field(default_factory=set)
    answered: list[str] = field(default_factory=list)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def handle(request: Request, forward: Forward) -> Reply:
            tag = request.headers.get(TAG, "")
            reply = await forward(request)
            if tag in self.held:
                others = self.total - len(self.held)
                for _ in range(int(HOLD_S / 0.005)):
                    if len(self.answered) >= others:
                        break
                    await asyncio.sleep(0.005)  # a poll, not a timer: the others decide
            if tag in self.wrong:
                reply = _wrong(request, reply)
            self.answered.append(tag)
            return reply

        return Handle(app, handle)


def _wrong(request: Request, reply: Reply) -> Reply:
    if request.method == "POST":
        return replace(reply, status=200)
    found = {"id": request.path.rsplit("/", 1)[-1], "description": "", "metadata": ""}
    return reply.with_json({**found, "backends": [], "uri": "x", "created_at": "x"}, 200)


@contextmanager
def ledger_of(orderly: Orderly) -> Iterator[Ledger]:
    with serve_in_thread(wrap=orderly.wrap) as server:
        client = ApiClient(server.base_url, server.api_key, Gate(""))
        try:
            yield Ledger(client, Judge(), 0, (), RUN_ID)
        finally:
            client.close()


def tagged(ledger: Ledger, tag: int, request: batch.Request) -> batch.Request:
    return replace(request, headers={**ledger.client.headers, TAG: str(tag)})


def gets_of_made_up_ids(ledger: Ledger, count: int) -> list[batch.Request]:
    """Gets the model predicts 404 for, whatever order they are answered in."""
    rng = random.Random(0)
    paths = [f"{COLLECTION}/{ledger.fresh_id(rng)}" for _ in range(count)]
    return [tagged(ledger, n, batch.Request("GET", path)) for n, path in enumerate(paths)]


def tag_of(violation: ContractViolation) -> str:
    assert violation.exchange is not None
    return violation.exchange.request_headers[TAG]


def test_the_first_wrong_answer_in_the_programs_order_is_named_though_it_came_last() -> None:
    orderly = Orderly(total=3, held={"0"}, wrong={"0", "2"})
    with ledger_of(orderly) as ledger, pytest.raises(ContractViolation) as caught:
        ledger.request_all(gets_of_made_up_ids(ledger, 3), workers=3)
    assert orderly.answered[-1] == "0"  # the others were answered while it was held
    assert caught.value.prop is Property.NEVER_CREATED_IS_404
    assert tag_of(caught.value) == "0"


def test_the_answers_before_the_first_wrong_one_are_judged_in_turn() -> None:
    orderly = Orderly(total=3, held={"0"}, wrong={"2"})
    with ledger_of(orderly) as ledger, pytest.raises(ContractViolation) as caught:
        ledger.request_all(gets_of_made_up_ids(ledger, 3), workers=3)
    assert orderly.answered[-1] == "0"
    assert tag_of(caught.value) == "2"


def test_one_worker_sends_each_request_once_the_one_before_it_was_judged() -> None:
    orderly = Orderly(total=3, wrong={"0"})
    with ledger_of(orderly) as ledger, pytest.raises(ContractViolation) as caught:
        ledger.request_all(gets_of_made_up_ids(ledger, 3), workers=1)
    assert tag_of(caught.value) == "0"
    assert orderly.answered == ["0"]  # the rest never sent, as one by one always was


def test_what_creates_past_the_first_wrong_answer_made_is_still_the_runs() -> None:
    """Every create of a batch is entered once all are answered: the cleanup deletes what
    a wrong server made, though the batch stopped at the first wrong answer."""
    orderly = Orderly(total=3, held={"0"}, wrong={"0"})
    with ledger_of(orderly) as ledger:
        body = ledger.client.marked({"backends": []}, create=True)
        creates = [tagged(ledger, n, batch.Request("POST", COLLECTION, body)) for n in range(3)]
        with pytest.raises(ContractViolation) as caught:
            ledger.request_all(creates, workers=3)
        assert tag_of(caught.value) == "0"
        assert len(ledger.created) == 3 and ledger.lost_creates == 0


def refused_but_written(app: ASGIApp) -> ASGIApp:
    """A near-miss key's update is answered 401, and written all the same."""
    key: list[str] = []

    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        auth = request.headers.get("authorization", "")
        if reply.status not in (401, 403) and not key:
            key.append(auth)
        if request.method == "PATCH" and reply.status == 401 and key:
            await forward(replace(request, headers={**request.headers, "authorization": key[0]}))
        return reply

    return Handle(app, handle)


def test_the_read_after_near_misses_side_by_side_shows_what_a_refused_one_wrote() -> None:
    with serve_in_thread(wrap=refused_but_written) as server:
        client = ApiClient(server.base_url, server.api_key, Gate(""))
        ledger = Ledger(client, Judge(), 0, (), RUN_ID)
        backend_id = str(ledger.create({"description": "d", "backends": []})[1]["id"])
        send_key_near_misses(ledger, key_near_misses(ledger, backend_id), workers=8)
        with pytest.raises(ContractViolation) as caught:
            ledger.get(backend_id)
        client.close()
    assert caught.value.prop is Property.REFUSED_REQUEST_CHANGES_NOTHING


def test_at_once_gives_each_tasks_result_or_error_in_the_tasks_order() -> None:
    def fails() -> int:
        raise ValueError("two")

    outcomes = batch.at_once([lambda: 1, fails, lambda: 3], workers=3)
    assert outcomes[0] == 1 and outcomes[2] == 3
    assert isinstance(outcomes[1], ValueError)
