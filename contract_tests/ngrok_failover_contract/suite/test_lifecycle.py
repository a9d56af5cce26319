"""Directed lifecycle checks: the seed's own examples of update and delete, step by step."""

from __future__ import annotations

import random

from ..checks.checker import Resource
from ..core.api import LIMIT_MAX, WRITABLE_FIELDS
from ..core.registry import Property
from ..drivers.walks import read_all
from ..live.ledger import Ledger


def test_update_keeps_absent_fields_and_replaces_present_ones(ledger: Ledger) -> None:
    """The seed's update: metadata only; then `"backends": []` clears the children; the list
    then shows the backend as updated."""
    children = list(ledger.children[:2])
    body = {
        "description": "update",
        "metadata": ' {"environment": "staging"} ',
        "backends": children,
    }
    _, created = ledger.create(body)
    backend_id = created["id"]
    steps: list[dict[str, object]] = [
        {"metadata": '{"environment": "production"}'},
        {},
        {"backends": []},
        {"description": "", "backends": list(reversed(children))},
    ]
    before = created
    for step in steps:
        exchange = ledger.client.update(backend_id, step)
        ledger.judge.status_in(Property.UPDATE_ANSWERS_200, {200}, exchange)
        patch = exchange.sent_json()  # a description is sent behind the run marker
        after = exchange.json()
        ledger.judge.has_every_field(after, exchange)
        for field in WRITABLE_FIELDS:
            if field in patch:
                ledger.judge.field_reads_back(field, patch[field], after, exchange)
            else:
                ledger.judge.update_keeps_absent(field, before, after, exchange)
        for field in ("id", "created_at"):
            ledger.judge.identity_unchanged(field, created, after, exchange)
        read = ledger.client.get(backend_id)
        for field in WRITABLE_FIELDS:
            ledger.judge.field_reads_back(field, after[field], read.json(), read)
        before = after
    _listed_as_read(ledger, backend_id, read.json())


def _listed_as_read(ledger: Ledger, backend_id: str, read: Resource) -> None:
    """After the updates the list shows the backend as a get does: not as it was created."""
    listing = read_all(ledger.client, ledger.judge, LIMIT_MAX, ledger.list_bound())
    assert listing.last is not None
    missing = [i for i in (backend_id,) if i not in listing.page_of]
    ledger.judge.live_backends_listed(missing, listing.last)
    listed = listing.items[listing.ids.index(backend_id)]
    ledger.judge.list_matches_get(listed, read, listing.page_of[backend_id])


def test_deleted_backend_is_gone_everywhere(ledger: Ledger) -> None:
    """After a delete (204): get, update and delete give 404, and the list no longer has it."""
    _, created = ledger.create({"description": "delete", "backends": list(ledger.children[:1])})
    backend_id = created["id"]
    exchange = ledger.client.delete(backend_id)
    ledger.judge.status_in(Property.DELETE_ANSWERS_204, {204}, exchange)
    ledger.record_deleted(backend_id)
    ledger.judge.not_found(Property.GONE_AFTER_DELETE, ledger.client.get(backend_id))
    ledger.judge.not_found(
        Property.GONE_AFTER_DELETE, ledger.client.update(backend_id, {"metadata": "x"})
    )
    ledger.judge.not_found(Property.GONE_AFTER_DELETE, ledger.client.delete(backend_id))
    listing = ledger.client.list_page(limit=100)
    listed = {item["id"] for item in listing.json()["backends"]}
    ledger.judge.deleted_not_listed(backend_id, listed, listing)


def test_never_created_id_is_404_and_update_does_not_create(ledger: Ledger) -> None:
    backend_id = ledger.fresh_id(random.Random(ledger.seed))
    ledger.judge.not_found(Property.NEVER_CREATED_IS_404, ledger.client.get(backend_id))
    ledger.judge.not_found(
        Property.NEVER_CREATED_IS_404, ledger.client.update(backend_id, {"backends": []})
    )
    ledger.judge.not_found(Property.UPDATE_MUST_NOT_CREATE, ledger.client.get(backend_id))
    ledger.judge.not_found(Property.NEVER_CREATED_IS_404, ledger.client.delete(backend_id))
