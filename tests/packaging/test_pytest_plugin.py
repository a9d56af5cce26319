"""The server's pytest plugin in a user's own test environment: the client's and the server's
wheels beside the user's pytest and ngrok's Python client (`make test-install`). The user's
tests are the README's example, as printed, and a lifecycle with this toolkit's client, sync
and async; the `failover_server` fixture comes from the installed plugin alone."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .helpers import GUARD_S, ROOT, Venv
from .pythons import Python, install_wheels

pytestmark = pytest.mark.install
USERS_OWN = ("pytest", "ngrok-api")  # at the checkout's versions: its dev group's pins
OURS = ("ngrok-failover-client", "ngrok-failover-server")

TOOLKITS_CLIENT = """
import asyncio

from ngrok_failover_client import AuthenticatedClient
from ngrok_failover_client.api.failover_backends import (
    create_failover_backend,
    delete_failover_backend,
    get_failover_backend,
    iter_failover_backends,
)
from ngrok_failover_client.models import FailoverBackend, FailoverBackendCreate


def client_of(server):
    return AuthenticatedClient(base_url=server.base_url, token=server.api_key)


def test_the_toolkits_client(failover_server):
    with client_of(failover_server) as client:
        body = FailoverBackendCreate(backends=[], description="acme")
        created = create_failover_backend.sync(client=client, body=body)
        assert isinstance(created, FailoverBackend)
        assert [backend.id for backend in iter_failover_backends(client=client)] == [created.id]
        assert delete_failover_backend.sync_detailed(created.id, client=client).status_code == 204


def test_the_toolkits_async_client(failover_server):
    async def lifecycle():
        async with client_of(failover_server) as client:
            body = FailoverBackendCreate(backends=[], description="acme")
            created = await create_failover_backend.asyncio(client=client, body=body)
            assert isinstance(created, FailoverBackend)
            fetched = await get_failover_backend.asyncio(created.id, client=client)
            assert isinstance(fetched, FailoverBackend) and fetched.description == "acme"

    asyncio.run(lifecycle())
"""


def readme_example() -> str:
    """The README's pytest example ("In your pytest tests")."""
    readme = (ROOT / "README.md").read_text("utf-8")
    found = re.search(r"### In your pytest tests\n.*?```python\n(.*?)```", readme, re.DOTALL)
    assert found, "README.md has no pytest example under 'In your pytest tests'"
    return found.group(1)


def users_own() -> list[str]:
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["dependency-groups"]["dev"]
    pins = [line for line in dev if canonicalize_name(Requirement(line).name) in USERS_OWN]
    assert len(pins) == len(USERS_OWN), pins
    return pins


@pytest.fixture(scope="session")
def users_venv(
    python: Python, resolution: str, wheels: Path, tmp_path_factory: pytest.TempPathFactory
) -> Venv:
    """A user's test environment: the client and the server (not the suite), pytest, ngrok-api."""
    ours = [
        w for w in sorted(wheels.glob("*.whl")) if canonicalize_name(w.name.split("-")[0]) in OURS
    ]
    assert len(ours) == len(OURS), ours
    venv = python.new_venv(tmp_path_factory.mktemp("users"))
    install_wheels(python, venv, resolution, ours, *users_own())
    return venv


def test_the_plugins_fixture_serves_both_clients(users_venv: Venv, tmp_path: Path) -> None:
    (tmp_path / "test_readme_example.py").write_text(readme_example(), "utf-8")
    (tmp_path / "test_toolkits_client.py").write_text(TOOLKITS_CLIENT, "utf-8")
    result = subprocess.run(
        [str(users_venv.bin / "pytest"), "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path,
        env=users_venv.env(),
        capture_output=True,
        text=True,
        timeout=GUARD_S,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "3 passed" in output, output[-3000:]
