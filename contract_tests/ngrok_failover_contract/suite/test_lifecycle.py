"""Directed lifecycle scenarios: the seed's own examples of update and delete, step by step,
every answer judged by the run's model of the API."""

from __future__ import annotations

import random

from ..core.api import COLLECTION, LIMIT_MAX
from ..drivers.nearmiss import id_near_misses, key_near_misses, send_key_near_misses
from ..drivers.walks import read_all
from ..live.batch import Request
from ..live.ledger import Ledger
from ..runner.session import ContractSession


def test_update_keeps_absent_fields_and_replaces_present_ones(ledger: Ledger) -> None:
    """The seed's update: metadata only; then `"backends": []` clears the children; the list
    then shows the backend as updated. One request at a time: each step's answer is
    predicted from what the step before it wrote."""
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


def test_deleted_backend_is_gone_everywhere(contract: ContractSession, ledger: Ledger) -> None:
    """After a delete (204): get, update and delete give 404, and the list no longer has it.
    Those four side by side: each answer is predicted whatever the others did, and a server
    that kept or brought back the backend shows it in the answer of its own."""
    _, created = ledger.create({"description": "delete", "backends": list(ledger.children[:1])})
    backend_id = created["id"]
    ledger.delete(backend_id)
    path = f"{COLLECTION}/{backend_id}"
    after = [
        Request("GET", path),
        Request("PATCH", path, ledger.client.marked({"metadata": "x"})),
        Request("DELETE", path),
        Request("GET", ledger.client.list_path(limit=100)),
    ]
    ledger.request_all(after, contract.options.workers)


def test_never_created_id_is_404_and_update_does_not_create(
    contract: ContractSession, ledger: Ledger
) -> None:
    """A get and an update of an id nobody made, side by side: 404 both; then a get (the
    update did not create it) and a delete: 404 both."""
    backend_id = ledger.fresh_id(random.Random(ledger.seed))
    path = f"{COLLECTION}/{backend_id}"
    workers = contract.options.workers
    update = Request("PATCH", path, ledger.client.marked({"backends": []}))
    ledger.request_all([Request("GET", path), update], workers)
    ledger.request_all([Request("GET", path), Request("DELETE", path)], workers)


def test_keys_one_edit_away_are_refused_on_every_operation(
    contract: ContractSession, ledger: Ledger
) -> None:
    """Each near miss of the key (appended, cut, changed, case, a space, another scheme,
    doubled) on each operation: refused (401 or 403), and nothing changed. The near misses
    go out side by side (each one's answer is predicted whatever the others did), the read
    after all of them."""
    _, created = ledger.create({"description": "near-miss keys", "backends": []})
    backend_id = str(created["id"])
    send_key_near_misses(ledger, key_near_misses(ledger, backend_id), contract.options.workers)
    ledger.get(backend_id)  # as it was


def test_ids_one_edit_away_are_not_found(contract: ContractSession, ledger: Ledger) -> None:
    """An id in another letter case, or one character changed, names no backend (ids are
    case-sensitive): not found by get, update or delete, and the original is unchanged. The
    near misses go out side by side, the read after all of them."""
    _, created = ledger.create({"description": "near-miss ids", "backends": []})
    backend_id = str(created["id"])
    ledger.request_all(id_near_misses(ledger, backend_id), contract.options.workers)
    ledger.get(backend_id)


def test_a_page_after_a_backend_holds_those_older_than_it(
    contract: ContractSession, ledger: Ledger
) -> None:
    """`before_id` beside a limit (as a walk's next_page_uri carries it) and alone (the
    default page; ngrok's clients send only what they are given): never the cursor itself,
    nothing created after it. The creates go out side by side, the two reads so too."""
    workers = contract.options.workers
    bodies = [{"description": f"after {n}", "backends": []} for n in range(3)]
    made = [str(backend["id"]) for backend in ledger.create_all(bodies, workers)]
    pages = [
        ledger.client.list_path(limit=2, before_id=made[1]),
        ledger.client.list_path(None, made[1]),
    ]
    ledger.request_all([Request("GET", page) for page in pages], workers)
    ledger.request_all([Request("DELETE", f"{COLLECTION}/{i}") for i in made], workers)


def test_a_page_after_a_deleted_backend_is_answered(
    contract: ContractSession, ledger: Ledger
) -> None:
    """A `before_id` naming a backend deleted just before: read as absent, refused, or the
    backends older than it; never a server error (`empty_before_id` in the facts). The
    creates go out side by side (which is older, their answers say), the two reads so too."""
    workers = contract.options.workers
    bodies = [{"description": f"cursor {n}", "backends": []} for n in range(3)]
    gone = str(ledger.create_all(bodies, workers)[1]["id"])
    ledger.delete(gone)
    pages = [ledger.client.list_path(limit=1, before_id=gone), ledger.client.list_path(None, gone)]
    ledger.request_all([Request("GET", page) for page in pages], workers)
