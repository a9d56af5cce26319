"""A state machine that drives the model: create, get, update, list and delete, near misses
of the key and of ids, refused writes, and read-backs of everything the lane holds.

The lane's model (`checks.model`, reached through the lane's ledger) predicts and judges
every answer; the machine only chooses what to send. It is one module-level class;
`model_machine(ledger)` gives the subclass Hypothesis runs for one shard (holding its lane
of the run's ledger), and its bodies draw child ids from that ledger at run time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    multiple,
    precondition,
    rule,
)

from ..core.api import COLLECTION
from ..live.batch import Request
from ..live.ledger import Ledger
from .fresh import FreshStart
from .nearmiss import ID_EDITS, KEY_EDITS, near_miss_id, send_with_near_miss
from .strategies import create_bodies, refused_bodies, update_bodies
from .walks import Ahead, read_all, settled


def _bodies(build: Callable[[tuple[str, ...]], st.SearchStrategy[dict[str, Any]]]) -> Any:
    """Bodies naming the children of the machine that draws them (`st.runner()` is it)."""
    return st.runner().flatmap(lambda machine: build(machine.ledger.children))


class BackendModel(RuleBasedStateMachine):
    backends = Bundle("backends")
    gone = Bundle("gone")
    ledger: ClassVar[Ledger]  # the shard's lane of the run's ledger (see `model_machine`)
    ahead: ClassVar[Ahead | None] = None  # where its walks ask pages ahead (all shards')
    workers: ClassVar[int] = 1  # requests of one step that may go out side by side

    def __init__(self) -> None:
        super().__init__()
        self.violations_before = self.ledger.oracle.violations
        self.started = False  # a scenario the fresh start refused sends nothing

    @initialize(target=backends, body=_bodies(create_bodies))
    def first(self, body: dict[str, Any]) -> Any:
        self.started = True
        return self._create(body)

    @rule(target=backends, body=_bodies(create_bodies))
    def create(self, body: dict[str, Any]) -> Any:
        return self._create(body)

    def _create(self, body: dict[str, Any]) -> Any:
        exchange, resource = self.ledger.create(body)
        if exchange.status != 201:  # a refusal the docs allow (a text over its limit in bytes)
            return multiple()
        backend_id = str(resource["id"])
        self.ledger.get(backend_id)  # available at once, as written
        return backend_id

    @rule(backend_id=backends)
    def get(self, backend_id: str) -> None:
        self.ledger.get(backend_id)

    @rule(backend_id=backends, body=_bodies(update_bodies))
    def update(self, backend_id: str, body: dict[str, Any]) -> None:
        self.ledger.update(backend_id, body)
        self.ledger.get(backend_id)

    @rule(backend_id=backends)
    def clear_description(self, backend_id: str) -> None:
        """An empty description, sent unmarked: the run's journal finds the backend after a
        crash (`live.journal`), the marker cannot."""
        self.ledger.update(backend_id, {"description": ""}, unmarked=True)
        self.ledger.get(backend_id)

    @rule(backend_id=backends, body=_bodies(refused_bodies))
    def refused_update(self, backend_id: str, body: dict[str, Any]) -> None:
        """Valid fields beside an invalid one: refused, and nothing of it stored."""
        self.ledger.update(backend_id, body)
        self.ledger.get(backend_id)

    @rule(body=_bodies(refused_bodies))
    def refused_create(self, body: dict[str, Any]) -> None:
        """A create with one invalid field is refused and stores nothing: the first page
        (the newest backends) shows no backend of this run that no create was answered for."""
        self.ledger.request("POST", COLLECTION, self.ledger.client.marked(body, create=True))
        self.ledger.list_page(limit=100)

    @rule(target=gone, backend_id=consumes(backends))
    def delete(self, backend_id: str) -> str:
        self.ledger.delete(backend_id)
        return backend_id

    @rule(backend_id=gone)
    def use_after_delete(self, backend_id: str) -> None:
        self.ledger.get(backend_id)
        self.ledger.update(backend_id, {})
        self.ledger.delete(backend_id)

    @rule(salt=st.integers(0, 2**32))
    def unknown_id(self, salt: int) -> None:
        backend_id = self.ledger.fresh_id(random.Random(salt))
        self.ledger.get(backend_id)
        self.ledger.update(backend_id, {"description": "x"})
        self.ledger.get(backend_id)  # an update must not create it
        self.ledger.delete(backend_id)

    @rule(backend_id=backends, edit=st.sampled_from(ID_EDITS), salt=st.integers(0, 2**32))
    def near_miss_id_rule(self, backend_id: str, edit: str, salt: int) -> None:
        """An id one edit from one the lane holds names no backend (ids are case-sensitive)."""
        other = near_miss_id(backend_id, edit, random.Random(salt))
        if other is None or other in self.ledger.oracle.world:
            return
        self.ledger.allow(other)
        self.ledger.get(other)
        self.ledger.update(other, {"metadata": "near miss"})
        self.ledger.delete(other)
        self.ledger.get(backend_id)  # the backend it resembles is as it was

    @rule(
        backend_id=backends,
        edit=st.sampled_from(KEY_EDITS),
        operation=st.sampled_from(("create", "list", "get", "update", "delete")),
    )
    def near_miss_key_rule(self, backend_id: str, edit: str, operation: str) -> None:
        """A key one edit from the key is refused, on every operation, and changes nothing."""
        path = f"{COLLECTION}/{backend_id}"
        marked = self.ledger.client.marked
        method, url, body = {
            "create": ("POST", COLLECTION, marked({"backends": []}, create=True)),
            "list": ("GET", COLLECTION, None),
            "get": ("GET", path, None),
            "update": ("PATCH", path, marked({"metadata": "near miss"})),
            "delete": ("DELETE", path, None),
        }[operation]
        if send_with_near_miss(self.ledger, method, url, body, edit):
            self.ledger.get(backend_id)

    @rule(limit=st.integers(1, 4))
    def list_all(self, limit: int) -> None:
        """The whole list as the lane's model holds it, to the run's oldest backends: older
        ones (there before the run) are the paging test's to read (`past_run`)."""
        ledger = self.ledger
        walk = partial(read_all, ledger, limit, order=False, ahead=self.ahead, past_run=True)
        settled(ledger.client.gate, walk)

    @precondition(lambda self: len(self.ledger.oracle.world.held) > 1)
    @rule()
    def frame(self) -> None:
        self.read_back_everything()

    def read_back_everything(self) -> None:
        """Every backend the lane holds, and the run's anchors, read back as the model holds
        them: an operation changes only its target."""
        ledger = self.ledger
        ids = [*(backend.id for backend in ledger.oracle.world.held), *ledger.fixed]
        # Reads of distinct backends, no write among them: their answers do not depend on
        # one another's order, so they go out side by side (`Ledger.answers`).
        ledger.request_all([Request("GET", f"{COLLECTION}/{i}") for i in ids], self.workers)

    def teardown(self) -> None:
        """The scenario's backends go with it, after a last read-back: every list walk of the
        run reads all that exist, so each one left would lengthen every later walk."""
        ledger = self.ledger
        if not self.started:
            return
        try:
            if ledger.oracle.violations == self.violations_before:  # else the failure stands
                self.read_back_everything()
        finally:
            ledger.end_scenario()


def model_machine(
    ledger: Ledger, *, fresh: bool = False, ahead: Ahead | None = None, workers: int = 1
) -> type[BackendModel]:
    """The machine of one shard: `BackendModel` with the shard's lane of the run's ledger;
    `fresh`: its scenarios begin with `FreshStart` (a shard after the first); `ahead`: the
    test's, shared by its shards, whose walks then ask pages ahead; `workers`: how many of
    a step's reads that do not depend on one another's order go out side by side."""

    class OfShard(BackendModel, *((FreshStart,) if fresh else ())):  # type: ignore[misc]
        pass

    OfShard.ledger = ledger
    OfShard.ahead = ahead
    OfShard.workers = workers
    return OfShard
