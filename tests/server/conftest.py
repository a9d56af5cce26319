"""Shared fixtures: live servers in both reference modes, and an HTTP helper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ngrok_failover_server.__main__ import main
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.store import MemoryStore, References, SqliteStore, Store
from ngrok_failover_server.testing import RunningServer, new_api_key, serve_in_thread

# A backend that exists elsewhere (an HTTP-response backend), known to strict servers.
KNOWN = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"
OTHER = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j977"  # well formed, known to no one


class Api:
    """An httpx client that sends the API key and version, with a few shortcuts."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {server.api_key}", "Ngrok-Version": "2"},
        )

    def create(self, **body: Any) -> dict[str, Any]:
        body.setdefault("backends", [])
        response = self.http.post("/backends/failover", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def everything(self) -> list[dict[str, Any]]:
        """Every stored backend, newest first, following next_page_uri to the end."""
        found: list[dict[str, Any]] = []
        url: str | None = "/backends/failover?limit=100"
        while url is not None:
            page = self.http.get(url)
            assert page.status_code == 200, page.text
            found += page.json()["backends"]
            url = page.json()["next_page_uri"]
        return found

    def close(self) -> None:
        self.http.close()


def refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What the command prints refusing `argv`: it must exit 2, argparse's way."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    return capsys.readouterr().err


def strict_config(**kwargs: Any) -> ServerConfig:
    return ServerConfig(
        api_key=new_api_key(), strict_references=True, known_backends=frozenset({KNOWN}), **kwargs
    )


@pytest.fixture
def api() -> Iterator[Api]:
    """A client of a fresh default-mode server (memory store, form-only references)."""
    with serve_in_thread() as server:
        client = Api(server)
        yield client
        client.close()


@pytest.fixture
def strict_api() -> Iterator[Api]:
    """A client of a fresh strict-references server that knows `KNOWN`."""
    with serve_in_thread(strict_config()) as server:
        client = Api(server)
        yield client
        client.close()


@pytest.fixture(params=["default", "strict"])
def any_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    """A client of a fresh server in each reference mode."""
    config = strict_config() if request.param == "strict" else None
    with serve_in_thread(config) as server:
        client = Api(server)
        yield client
        client.close()


@pytest.fixture(params=["memory", "sqlite"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Makes stores of one kind; closes them after the test."""
    made: list[Store] = []

    def make(references: References | None = None) -> Store:
        store: Store
        if request.param == "memory":
            store = MemoryStore(references)
        else:
            store = SqliteStore(str(tmp_path / f"store{len(made)}.db"), references)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()
