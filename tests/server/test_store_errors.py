"""The store's domain errors as HTTP answers: exact statuses, codes and messages."""

from __future__ import annotations

import httpx
import pytest

from ngrok_failover_server.app import _STORE_ERRORS, create_app
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.store import FailoverBackend, MemoryStore, StoreError
from ngrok_failover_server.testing import new_api_key, serve_in_thread

from .conftest import KNOWN, OTHER, Api

COLL = "/backends/failover"
UNKNOWN_ID = "bkdfo_" + "0" * 27


def _answer(response: httpx.Response) -> tuple[int, str | None, str]:
    body = response.json()
    return response.status_code, body.get("error_code"), body["msg"]


def test_every_store_error_has_an_answer() -> None:
    # A store error missing from the table would be a 500.
    assert set(_STORE_ERRORS) == set(StoreError.__subclasses__())


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    ("backend_id", "shown"),
    [
        (UNKNOWN_ID, UNKNOWN_ID),
        ("nope", "nope"),
        ("x" * 200, "x" * 80),  # a malformed id is cut short in the message
    ],
)
def test_not_found(api: Api, method: str, backend_id: str, shown: str) -> None:
    body: dict[str, str] | None = {} if method == "PATCH" else None
    response = api.http.request(method, f"{COLL}/{backend_id}", json=body)
    assert _answer(response) == (404, "ERR_NGROK_6514", f"Failover backend {shown!r} not found.")


def test_missing_children_on_create_and_update(strict_api: Api) -> None:
    made = strict_api.create()
    msg = f"A referenced backend does not exist: {OTHER}."
    created = strict_api.http.post(COLL, json={"backends": [KNOWN, OTHER]})
    assert _answer(created) == (400, "ERR_NGROK_6501", msg)
    updated = strict_api.http.patch(f"{COLL}/{made['id']}", json={"backends": [OTHER]})
    assert _answer(updated) == (400, "ERR_NGROK_6501", msg)


def test_still_referenced_on_delete(strict_api: Api) -> None:
    child = strict_api.create()["id"]
    parent = strict_api.create(backends=[child])["id"]
    response = strict_api.http.delete(f"{COLL}/{child}")
    assert _answer(response) == (
        400,
        "ERR_NGROK_6502",
        f"The backend {child} is referenced by another backend ({parent}) and cannot be deleted.",
    )


class BrokenStore(MemoryStore):
    def get(self, backend_id: str) -> FailoverBackend:
        raise StoreError("the disk is on fire")


def test_a_store_error_outside_the_table_is_a_500() -> None:
    config = ServerConfig(api_key=new_api_key())
    app = create_app(config, BrokenStore())
    with serve_in_thread(config, wrap=lambda _inner: app) as server:
        api = Api(server)
        response = api.http.get(f"{COLL}/{UNKNOWN_ID}")
        api.close()
    assert _answer(response) == (500, None, "Internal server error.")
