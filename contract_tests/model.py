"""A model-based state machine: create, get, update, list and delete against a model.

The model is what the seed and spec say the server must hold; every answer is compared to
it through the named properties.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, rule

from . import properties
from .api import WRITABLE_FIELDS
from .ledger import Ledger
from .paging import Listing, check_listing, read_all, settled
from .strategies import create_bodies, update_bodies
from .violations import Property


def model_machine(ledger: Ledger) -> type[RuleBasedStateMachine]:
    """The machine class for `ledger`: its bodies use the run's known children."""
    pool = ledger.children

    class BackendModel(RuleBasedStateMachine):
        backends = Bundle("backends")
        gone = Bundle("gone")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, dict[str, Any]] = {}

        @initialize(target=backends, body=create_bodies(pool))
        def first(self, body: dict[str, Any]) -> str:
            return str(self.create(body))

        @rule(target=backends, body=create_bodies(pool))
        def create(self, body: dict[str, Any]) -> str:
            exchange, resource = ledger.create(body)
            backend_id = str(resource["id"])
            sent = exchange.sent_json()  # the body with the run marker
            for field in WRITABLE_FIELDS:
                if field in sent:
                    properties.field_reads_back(field, sent[field], resource, exchange)
            properties.uri_is_own(resource, exchange)
            self.model[backend_id] = resource
            # Available at once after create, and reading back what was written.
            self._get_matches(backend_id)
            return backend_id

        def _get_matches(self, backend_id: str) -> None:
            exchange = ledger.client.get(backend_id)
            properties.status_in(Property.CREATED_BACKEND_IS_AVAILABLE, {200}, exchange)
            got = exchange.json()
            properties.has_every_field(got, exchange)
            expected = self.model[backend_id]
            properties.answers_requested_id(backend_id, got, exchange)
            for field in WRITABLE_FIELDS:
                properties.field_reads_back(field, expected[field], got, exchange)
            for field in ("id", "created_at"):
                properties.identity_unchanged(field, expected, got, exchange)

        @rule(backend_id=backends)
        def get(self, backend_id: str) -> None:
            self._get_matches(backend_id)

        @rule(backend_id=backends, body=update_bodies(pool))
        def update(self, backend_id: str, body: dict[str, Any]) -> None:
            exchange = ledger.client.update(backend_id, body)
            properties.status_in(Property.UPDATE_ANSWERS_200, {200}, exchange)
            body = exchange.sent_json()  # a description is sent behind the run marker
            before, after = self.model[backend_id], exchange.json()
            properties.has_every_field(after, exchange)
            for field in WRITABLE_FIELDS:
                if field in body:
                    properties.field_reads_back(field, body[field], after, exchange)
                else:
                    properties.update_keeps_absent(field, before, after, exchange)
            for field in ("id", "created_at"):
                properties.identity_unchanged(field, before, after, exchange)
            self.model[backend_id] = {**before, **body}
            self._get_matches(backend_id)

        @rule(target=gone, backend_id=consumes(backends))
        def delete(self, backend_id: str) -> str:
            exchange = ledger.client.delete(backend_id)
            properties.status_in(Property.DELETE_ANSWERS_204, {204}, exchange)
            ledger.record_deleted(backend_id)
            del self.model[backend_id]
            return backend_id

        @rule(backend_id=gone)
        def use_after_delete(self, backend_id: str) -> None:
            properties.not_found(Property.GONE_AFTER_DELETE, ledger.client.get(backend_id))
            properties.not_found(Property.GONE_AFTER_DELETE, ledger.client.update(backend_id, {}))
            properties.not_found(Property.GONE_AFTER_DELETE, ledger.client.delete(backend_id))

        @rule(salt=st.integers(0, 2**32))
        def unknown_id(self, salt: int) -> None:
            backend_id = ledger.fresh_id(random.Random(salt))
            properties.not_found(Property.NEVER_CREATED_IS_404, ledger.client.get(backend_id))
            properties.not_found(
                Property.NEVER_CREATED_IS_404,
                ledger.client.update(backend_id, {"description": "x"}),
            )
            # An update must not create: the id still does not exist.
            properties.not_found(Property.UPDATE_MUST_NOT_CREATE, ledger.client.get(backend_id))
            properties.not_found(Property.NEVER_CREATED_IS_404, ledger.client.delete(backend_id))

        def teardown(self) -> None:
            """The scenario's backends go with it: every list walk of the run reads all that
            exist, so each one left would lengthen every later walk by a page."""
            for backend_id in list(self.model):
                if ledger.client.delete(backend_id).status in (204, 404):
                    ledger.record_deleted(backend_id)

        @rule(limit=st.integers(1, 4))
        def list_all(self, limit: int) -> None:
            settled(ledger.client.gate, lambda: self._list_all(limit))

        def _list_all(self, limit: int) -> None:
            listing = read_all(ledger.client, limit, ledger.list_bound())
            # Order is the paging test's: here it would hinge on the clock, and replay flakily.
            check_listing(listing, ledger.existing, ledger.deleted, order=False)
            self._listed_as_held(listing)

        def _listed_as_held(self, listing: Listing) -> None:
            """Each listed backend the model holds is listed as get last read it (no stale copy).

            The model is what create and update wrote, which `_get_matches` read back.
            """
            for item in listing.items:
                expected = self.model.get(str(item.get("id")))
                if expected is not None:
                    exchange = listing.page_of[item["id"]]
                    properties.list_matches_get(item, expected, exchange)

    return BackendModel
