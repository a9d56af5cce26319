"""End to end with the generated client and with ngrok's official Python client."""

from __future__ import annotations

from collections.abc import Iterator

import ngrok
import pytest
from ngrok_failover_client import AuthenticatedClient
from ngrok_failover_client.api.failover_backends import (
    create_failover_backend,
    delete_failover_backend,
    get_failover_backend,
    list_failover_backends,
    update_failover_backend,
)
from ngrok_failover_client.models import (
    Error,
    FailoverBackend,
    FailoverBackendCreate,
    FailoverBackendList,
    FailoverBackendUpdate,
)
from ngrok_failover_client.types import UNSET

from ngrok_failover_server.testing import RunningServer, serve_in_thread

from .conftest import KNOWN, strict_config

MISSING = "bkdfo_" + "0" * 27


@pytest.fixture(params=["default", "strict"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    with serve_in_thread(strict_config() if request.param == "strict" else None) as running:
        yield running


def test_official_client_full_lifecycle(server: RunningServer) -> None:
    client = ngrok.Client(server.api_key, base_url=server.base_url)
    failover = client.backends.failover
    made = failover.create(description="acme failover", metadata="m", backends=[KNOWN])
    assert made.id.startswith("bkdfo_")
    assert failover.get(made.id).description == "acme failover"

    ids = [failover.create(description=f"n{i}").id for i in range(149)]
    listed = [b.id for b in failover.list(limit=7)]  # follows next_page_uri verbatim
    assert listed == [*reversed(ids), made.id]

    # The official client sends "backends": [] when none is given: children are cleared.
    updated = failover.update(made.id, metadata="m2")
    assert (updated.description, updated.metadata, updated.backends) == ("acme failover", "m2", [])

    failover.delete(made.id)
    with pytest.raises(ngrok.NotFoundError) as caught:
        failover.get(made.id)
    assert caught.value.error_code == "ERR_NGROK_6514"
    with pytest.raises(ngrok.NotFoundError):
        failover.delete(made.id)


def test_official_client_sees_ngrok_errors(server: RunningServer) -> None:
    client = ngrok.Client(server.api_key, base_url=server.base_url)
    with pytest.raises(ngrok.Error) as caught:
        client.backends.failover.create(description="d" * 256)
    assert caught.value.error_code == "ERR_NGROK_6503"
    assert caught.value.http_status_code == 400
    bad = ngrok.Client("wrong", base_url=server.base_url)
    with pytest.raises(ngrok.Error) as caught:
        bad.backends.failover.get(MISSING)
    assert caught.value.error_code == "ERR_NGROK_203"


def test_generated_client_full_lifecycle(server: RunningServer) -> None:
    with AuthenticatedClient(base_url=server.base_url, token=server.api_key) as client:
        made = create_failover_backend.sync(
            client=client,
            body=FailoverBackendCreate(backends=[KNOWN], description="acme", metadata="m"),
        )
        assert isinstance(made, FailoverBackend)
        got = get_failover_backend.sync(made.id, client=client)
        assert isinstance(got, FailoverBackend) and got.to_dict() == made.to_dict()

        ids = [made.id]
        for i in range(149):
            created = create_failover_backend.sync(
                client=client, body=FailoverBackendCreate(backends=[], description=f"n{i}")
            )
            assert isinstance(created, FailoverBackend)
            ids.append(created.id)
        seen: list[str] = []
        before: str | None = None
        while True:
            page = list_failover_backends.sync(
                client=client, limit="7", before_id=before if before else UNSET
            )
            assert isinstance(page, FailoverBackendList)
            seen += [b.id for b in page.backends]
            if page.next_page_uri is None:
                break
            before = seen[-1]
            assert f"before_id={before}" in str(page.next_page_uri)
        assert seen == ids[::-1]

        updated = update_failover_backend.sync(
            made.id, client=client, body=FailoverBackendUpdate(metadata="m2")
        )
        assert isinstance(updated, FailoverBackend)
        assert (updated.description, updated.metadata, updated.backends) == ("acme", "m2", [KNOWN])

        deleted = delete_failover_backend.sync_detailed(made.id, client=client)
        assert deleted.status_code == 204
        missing = get_failover_backend.sync(made.id, client=client)
        assert isinstance(missing, Error) and missing.error_code == "ERR_NGROK_6514"
        gone = delete_failover_backend.sync_detailed(made.id, client=client)
        assert gone.status_code == 404
