"""Directed lifecycle checks: the seed's own examples of update and delete, step by step."""

from __future__ import annotations

import random

from . import properties
from .run import Run

FIELDS = ("description", "metadata", "backends")


def test_update_keeps_absent_fields_and_replaces_present_ones(run: Run) -> None:
    """The seed's update: metadata only; then `"backends": []` clears the children."""
    children = list(run.children[:2])
    body = {
        "description": "update",
        "metadata": ' {"environment": "staging"} ',
        "backends": children,
    }
    _, created = run.create(body)
    backend_id = created["id"]
    steps: list[dict[str, object]] = [
        {"metadata": '{"environment": "production"}'},
        {},
        {"backends": []},
        {"description": "", "backends": list(reversed(children))},
    ]
    before = created
    for step in steps:
        exchange = run.client.update(backend_id, step)
        properties.status_in("update_answers_200", {200}, exchange)
        patch = exchange.sent_json()  # a description is sent behind the run marker
        after = exchange.json()
        properties.has_every_field(after, exchange)
        for field in FIELDS:
            if field in patch:
                properties.field_reads_back(field, patch[field], after, exchange)
            else:
                properties.update_keeps_absent(field, before, after, exchange)
        for field in ("id", "created_at"):
            properties.identity_unchanged(field, created, after, exchange)
        read = run.client.get(backend_id)
        for field in FIELDS:
            properties.field_reads_back(field, after[field], read.json(), read)
        before = after


def test_deleted_backend_is_gone_everywhere(run: Run) -> None:
    """After a delete (204): get, update and delete give 404, and the list no longer has it."""
    _, created = run.create({"description": "delete", "backends": list(run.children[:1])})
    backend_id = created["id"]
    exchange = run.client.delete(backend_id)
    properties.status_in("delete_answers_204", {204}, exchange)
    run.record_deleted(backend_id)
    properties.not_found("gone_after_delete", run.client.get(backend_id))
    properties.not_found("gone_after_delete", run.client.update(backend_id, {"metadata": "x"}))
    properties.not_found("gone_after_delete", run.client.delete(backend_id))
    listing = run.client.list_page(limit=100)
    listed = {item["id"] for item in listing.json()["backends"]}
    properties.deleted_not_listed(backend_id, listed, listing)


def test_never_created_id_is_404_and_update_does_not_create(run: Run) -> None:
    backend_id = run.fresh_id(random.Random(run.seed))
    properties.not_found("never_created_is_404", run.client.get(backend_id))
    properties.not_found("never_created_is_404", run.client.update(backend_id, {"backends": []}))
    properties.not_found("update_must_not_create", run.client.get(backend_id))
    properties.not_found("never_created_is_404", run.client.delete(backend_id))
