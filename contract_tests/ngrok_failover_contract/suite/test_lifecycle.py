"""Directed lifecycle scenarios: the seed's own examples of update and delete, step by step,
every answer judged by the run's model of the API."""

from __future__ import annotations

import random

from ..core.api import LIMIT_MAX
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
    for step in steps:
        ledger.update(backend_id, step)
        ledger.get(backend_id)
    read_all(ledger, LIMIT_MAX)  # the list shows it as a get does, not as it was created


def test_deleted_backend_is_gone_everywhere(ledger: Ledger) -> None:
    """After a delete (204): get, update and delete give 404, and the list no longer has it."""
    _, created = ledger.create({"description": "delete", "backends": list(ledger.children[:1])})
    backend_id = created["id"]
    ledger.delete(backend_id)
    ledger.get(backend_id)
    ledger.update(backend_id, {"metadata": "x"})
    ledger.delete(backend_id)
    ledger.list_page(limit=100)


def test_never_created_id_is_404_and_update_does_not_create(ledger: Ledger) -> None:
    backend_id = ledger.fresh_id(random.Random(ledger.seed))
    ledger.get(backend_id)
    ledger.update(backend_id, {"backends": []})
    ledger.get(backend_id)  # the update did not create it
    ledger.delete(backend_id)
