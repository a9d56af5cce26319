"""The generated client against a scripted transport: headers, parsing, and page walking.

End-to-end runs against the reference server live in tests/server/.
"""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Callable

import httpx
import pytest
from ngrok_failover_client import AuthenticatedClient, errors
from ngrok_failover_client.api.failover_backends import (
    PageLoopError,
    aiter_failover_backends,
    create_failover_backend,
    delete_failover_backend,
    get_failover_backend,
    iter_failover_backends,
    list_failover_backends,
    update_failover_backend,
)
from ngrok_failover_client.models import (
    Error,
    FailoverBackend,
    FailoverBackendCreate,
    FailoverBackendUpdate,
)
from ngrok_failover_client.types import Unset

BASE = "https://api.ngrok.com"
Handler = Callable[[httpx.Request], httpx.Response]


def _id(n: int) -> str:
    return f"bkdfo_{n:027d}"


def _backend(n: int) -> dict[str, object]:
    return {
        "id": _id(n),
        "uri": f"{BASE}/backends/failover/{_id(n)}",
        "created_at": "2024-04-19T20:23:43Z",
        "description": f"backend {n}",
        "metadata": "",
        "backends": [],
    }


def _client(handler: Handler) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE,
        token="secret-key",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


def _paged(total: int, absolute: str = BASE) -> tuple[Handler, list[str]]:
    """A server holding `total` backends, newest (highest n) first; records each query."""
    queries: list[str] = []
    newest_first = list(range(total, 0, -1))

    def handler(request: httpx.Request) -> httpx.Response:
        queries.append(request.url.query.decode())
        limit = int(request.url.params.get("limit", "100"))
        before = request.url.params.get("before_id")
        rows = [n for n in newest_first if before is None or _id(n) < before][:limit]
        more = rows and rows[-1] != newest_first[-1]
        next_uri = f"{absolute}/backends/failover?before_id={_id(rows[-1])}&limit={limit}"
        body = {
            "backends": [_backend(n) for n in rows],
            "uri": f"{absolute}/backends/failover",
            "next_page_uri": next_uri if more else None,
        }
        return httpx.Response(200, json=body)

    return handler, queries


def test_every_operation_sends_version_and_bearer_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.method == "GET" and request.url.path == "/backends/failover":
            return httpx.Response(200, json={"backends": [], "uri": "x", "next_page_uri": None})
        return httpx.Response(201 if request.method == "POST" else 200, json=_backend(1))

    client = _client(handler)
    create_failover_backend.sync(client=client, body=FailoverBackendCreate(backends=[]))
    get_failover_backend.sync(_id(1), client=client)
    list_failover_backends.sync(client=client)
    update_failover_backend.sync(_id(1), client=client, body=FailoverBackendUpdate(metadata="m"))
    delete_failover_backend.sync_detailed(_id(1), client=client)
    assert [r.method for r in seen] == ["POST", "GET", "GET", "PATCH", "DELETE"]
    for request in seen:
        assert request.headers["Ngrok-Version"] == "2"
        assert request.headers["Authorization"] == "Bearer secret-key"


def test_update_sends_only_the_fields_given() -> None:
    bodies: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=_backend(1))

    update_failover_backend.sync(
        _id(1), client=_client(handler), body=FailoverBackendUpdate(metadata="m")
    )
    assert bodies == [{"metadata": "m"}]


def test_a_backend_parses_into_typed_fields() -> None:
    client = _client(lambda request: httpx.Response(200, json=_backend(7)))
    backend = get_failover_backend.sync(_id(7), client=client)
    assert isinstance(backend, FailoverBackend)
    assert backend.created_at == datetime.datetime(2024, 4, 19, 20, 23, 43, tzinfo=datetime.UTC)
    assert backend.backends == []


def test_an_error_status_parses_into_error() -> None:
    body = {
        "error_code": "ERR_NGROK_6514",
        "status_code": 404,
        "msg": "Backend not found.",
        "details": {"operation_id": "op_1"},
    }
    client = _client(lambda request: httpx.Response(404, json=body))
    error = get_failover_backend.sync(_id(9), client=client)
    assert isinstance(error, Error)
    assert (error.error_code, error.status_code, error.msg) == (
        "ERR_NGROK_6514",
        404,
        "Backend not found.",
    )
    assert error.details.additional_properties == {"operation_id": "op_1"}


def test_an_error_without_error_code_still_parses() -> None:
    body = {"status_code": 404, "msg": "Backend not found.", "details": {}}
    error = get_failover_backend.sync(
        _id(9), client=_client(lambda r: httpx.Response(404, json=body))
    )
    assert isinstance(error, Error)
    assert isinstance(error.error_code, Unset)


def test_next_page_uri_is_optional_null() -> None:
    handler, _ = _paged(total=3)
    page = list_failover_backends.sync(client=_client(handler))
    assert page is not None and not isinstance(page, Error)
    assert page.next_page_uri is None


def test_iter_walks_every_page_newest_first() -> None:
    handler, queries = _paged(total=17)
    ids = [b.id for b in iter_failover_backends(client=_client(handler), limit="5")]
    assert ids == [_id(n) for n in range(17, 0, -1)]
    assert len(queries) == 4
    assert queries[1] == f"before_id={_id(13)}&limit=5"


def test_iter_pages_through_a_server_with_another_public_url() -> None:
    # The cursor is read from next_page_uri's query, so a proxy's host does not matter.
    handler, _ = _paged(total=9, absolute="https://proxy.example")
    ids = [b.id for b in iter_failover_backends(client=_client(handler), limit="4")]
    assert len(ids) == 9


def test_aiter_walks_every_page_newest_first() -> None:
    handler, queries = _paged(total=11)

    async def collect() -> list[str]:
        return [b.id async for b in aiter_failover_backends(client=_client(handler), limit="3")]

    assert asyncio.run(collect()) == [_id(n) for n in range(11, 0, -1)]
    assert len(queries) == 4


def test_iter_stops_on_a_page_loop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "backends": [_backend(1)],
            "uri": f"{BASE}/backends/failover",
            "next_page_uri": f"{BASE}/backends/failover?before_id={_id(1)}&limit=1",
        }
        return httpx.Response(200, json=body)

    with pytest.raises(PageLoopError, match=_id(1)):
        list(iter_failover_backends(client=_client(handler)))


def test_iter_raises_on_an_error_page() -> None:
    body = {"error_code": "ERR_NGROK_203", "status_code": 401, "msg": "bad key", "details": {}}
    with pytest.raises(errors.UnexpectedStatus) as raised:
        list(iter_failover_backends(client=_client(lambda r: httpx.Response(401, json=body))))
    assert raised.value.status_code == 401
