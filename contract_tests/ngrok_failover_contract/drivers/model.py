"""A model-based state machine: create, get, update, list and delete against a model.

The model is what the seed and spec say the server must hold; every answer is compared to
it through the run's `Judge`. The machine is one class; `model_machine(ledger)` gives the
subclass Hypothesis runs for one shard (holding its lane of the run's ledger), and its
bodies draw child ids from that ledger at run time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, rule

from ..core.api import WRITABLE_FIELDS
from ..core.registry import Property
from ..live.ledger import Ledger
from .strategies import create_bodies, update_bodies
from .walks import Listing, check_listing, read_all, settled


def _bodies(build: Callable[[tuple[str, ...]], st.SearchStrategy[dict[str, Any]]]) -> Any:
    """Bodies naming the children of the machine that draws them (`st.runner()` is it)."""
    return st.runner().flatmap(lambda machine: build(machine.ledger.children))


class BackendModel(RuleBasedStateMachine):
    backends = Bundle("backends")
    gone = Bundle("gone")
    ledger: ClassVar[Ledger]  # the shard's lane of the run's ledger (see `model_machine`)

    def __init__(self) -> None:
        super().__init__()
        self.judge = self.ledger.judge
        self.client = self.ledger.client
        self.model: dict[str, dict[str, Any]] = {}

    @initialize(target=backends, body=_bodies(create_bodies))
    def first(self, body: dict[str, Any]) -> str:
        return str(self.create(body))

    @rule(target=backends, body=_bodies(create_bodies))
    def create(self, body: dict[str, Any]) -> str:
        exchange, resource = self.ledger.create(body)
        backend_id = str(resource["id"])
        sent = exchange.sent_json()  # the body with the run marker
        for field in WRITABLE_FIELDS:
            if field in sent:
                self.judge.field_reads_back(field, sent[field], resource, exchange)
        self.judge.uri_is_own(resource, exchange)
        self.model[backend_id] = resource
        # Available at once after create, and reading back what was written.
        self._get_matches(backend_id)
        return backend_id

    def _get_matches(self, backend_id: str) -> None:
        exchange = self.client.get(backend_id)
        self.judge.status_in(Property.CREATED_BACKEND_IS_AVAILABLE, {200}, exchange)
        got = exchange.json()
        self.judge.has_every_field(got, exchange)
        expected = self.model[backend_id]
        self.judge.answers_requested_id(backend_id, got, exchange)
        for field in WRITABLE_FIELDS:
            self.judge.field_reads_back(field, expected[field], got, exchange)
        for field in ("id", "created_at"):
            self.judge.identity_unchanged(field, expected, got, exchange)

    @rule(backend_id=backends)
    def get(self, backend_id: str) -> None:
        self._get_matches(backend_id)

    @rule(backend_id=backends, body=_bodies(update_bodies))
    def update(self, backend_id: str, body: dict[str, Any]) -> None:
        exchange = self.client.update(backend_id, body)
        self.judge.status_in(Property.UPDATE_ANSWERS_200, {200}, exchange)
        body = exchange.sent_json()  # a description is sent behind the run marker
        before, after = self.model[backend_id], exchange.json()
        self.judge.has_every_field(after, exchange)
        for field in WRITABLE_FIELDS:
            if field in body:
                self.judge.field_reads_back(field, body[field], after, exchange)
            else:
                self.judge.update_keeps_absent(field, before, after, exchange)
        for field in ("id", "created_at"):
            self.judge.identity_unchanged(field, before, after, exchange)
        self.model[backend_id] = {**before, **body}
        self._get_matches(backend_id)

    @rule(target=gone, backend_id=consumes(backends))
    def delete(self, backend_id: str) -> str:
        exchange = self.client.delete(backend_id)
        self.judge.status_in(Property.DELETE_ANSWERS_204, {204}, exchange)
        self.ledger.record_deleted(backend_id)
        del self.model[backend_id]
        return backend_id

    @rule(backend_id=gone)
    def use_after_delete(self, backend_id: str) -> None:
        gone = Property.GONE_AFTER_DELETE
        self.judge.not_found(gone, self.client.get(backend_id))
        self.judge.not_found(gone, self.client.update(backend_id, {}))
        self.judge.not_found(gone, self.client.delete(backend_id))

    @rule(salt=st.integers(0, 2**32))
    def unknown_id(self, salt: int) -> None:
        backend_id = self.ledger.fresh_id(random.Random(salt))
        never = Property.NEVER_CREATED_IS_404
        self.judge.not_found(never, self.client.get(backend_id))
        self.judge.not_found(never, self.client.update(backend_id, {"description": "x"}))
        # An update must not create: the id still does not exist.
        self.judge.not_found(Property.UPDATE_MUST_NOT_CREATE, self.client.get(backend_id))
        self.judge.not_found(never, self.client.delete(backend_id))

    def teardown(self) -> None:
        """The scenario's backends go with it: every list walk of the run reads all that
        exist, so each one left would lengthen every later walk by a page."""
        for backend_id in list(self.model):
            if self.client.delete(backend_id).status in (204, 404):
                self.ledger.record_deleted(backend_id)

    @rule(limit=st.integers(1, 4))
    def list_all(self, limit: int) -> None:
        settled(self.client.gate, lambda: self._list_all(limit))

    def _list_all(self, limit: int) -> None:
        ledger = self.ledger
        listing = read_all(self.client, self.judge, limit, ledger.list_bound())
        # Order is the paging test's: here it would hinge on the clock, and replay flakily.
        check_listing(self.judge, listing, ledger.existing, ledger.deleted, order=False)
        self._listed_as_held(listing)

    def _listed_as_held(self, listing: Listing) -> None:
        """Each listed backend the model holds is listed as get last read it (no stale copy).

        The model is what create and update wrote, which `_get_matches` read back.
        """
        for item in listing.items:
            expected = self.model.get(str(item.get("id")))
            if expected is not None:
                exchange = listing.page_of[item["id"]]
                self.judge.list_matches_get(item, expected, exchange)


def model_machine(ledger: Ledger) -> type[BackendModel]:
    """The machine of one shard: `BackendModel` with the shard's lane of the run's ledger."""

    class OfShard(BackendModel):
        pass

    OfShard.ledger = ledger
    return OfShard
