"""pytest fixtures for client users: a live reference server on a free port.

Registered as a pytest plugin (entry point `pytest11`), so installing the package is
enough:

    def test_create(failover_server):
        client = ngrok.Client(failover_server.api_key, base_url=failover_server.base_url)
        assert client.backends.failover.create(backends=[]).id.startswith("bkdfo_")
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .config import ServerConfig
from .testing import RunningServer, new_api_key, serve_in_thread


@pytest.fixture
def failover_server() -> Iterator[RunningServer]:
    """A fresh server per test: empty memory store, random API key, form-only references."""
    with serve_in_thread() as server:
        yield server


@pytest.fixture(scope="session")
def failover_server_session() -> Iterator[RunningServer]:
    """One server for the whole session (faster; state is shared between tests)."""
    with serve_in_thread() as server:
        yield server


@pytest.fixture
def failover_server_accounts() -> Iterator[RunningServer]:
    """A fresh server with two accounts, `default` and `other`, each with a random key
    (`server.accounts["other"]`): neither sees nor changes the other's backends."""
    config = ServerConfig(api_key=new_api_key(), accounts=(("other", new_api_key()),))
    with serve_in_thread(config) as server:
        yield server
