"""The tenancy faults (`mutation/faults/accounts.py`) do what they say, on a reference server
with the two accounts the suite's self-started one has, and nothing with any other key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from mutation import get_mutant
from ngrok_failover_contract.core.exchange import auth_headers
from ngrok_failover_contract.runner.options import LOCAL_KEY, LOCAL_OTHER_KEY
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

COLLECTION = "/backends/failover"


@contextmanager
def two_accounts(fault: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    config = ServerConfig(api_key=LOCAL_KEY, accounts=(("other", LOCAL_OTHER_KEY),))
    with (
        serve_in_thread(config, wrap=get_mutant(fault).wrap) as server,
        httpx.Client(base_url=server.base_url, headers=auth_headers(LOCAL_KEY)) as ours,
        httpx.Client(base_url=server.base_url, headers=auth_headers(LOCAL_OTHER_KEY)) as theirs,
    ):
        yield ours, theirs


def create(client: httpx.Client, description: str) -> str:
    answer = client.post(COLLECTION, json={"description": description, "backends": []})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def listed(client: httpx.Client) -> list[str]:
    return [b["id"] for b in client.get(COLLECTION, params={"limit": "100"}).json()["backends"]]


def test_a_list_shows_the_other_account_s_backends_too() -> None:
    with two_accounts("list_shows_every_account") as (ours, theirs):
        mine, other = create(ours, "mine"), create(theirs, "theirs")
        assert set(listed(ours)) == {mine, other}
        assert set(listed(theirs)) == {mine, other}
        assert ours.get(f"{COLLECTION}/{other}").status_code == 404  # a get still stays apart


def test_an_update_reaches_the_other_account_s_backend() -> None:
    with two_accounts("update_ignores_account") as (ours, theirs):
        other = create(theirs, "theirs")
        answer = ours.patch(f"{COLLECTION}/{other}", json={"metadata": "not yours"})
        assert answer.status_code == 200 and answer.json()["metadata"] == "not yours"
        assert theirs.get(f"{COLLECTION}/{other}").json()["metadata"] == "not yours"
        missing = ours.patch(f"{COLLECTION}/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu", json={})
        assert missing.status_code == 404  # an id no account has is still not found


def test_without_the_faults_the_accounts_stay_apart() -> None:
    config = ServerConfig(api_key=LOCAL_KEY, accounts=(("other", LOCAL_OTHER_KEY),))
    with (
        serve_in_thread(config) as server,
        httpx.Client(base_url=server.base_url, headers=auth_headers(LOCAL_KEY)) as ours,
        httpx.Client(base_url=server.base_url, headers=auth_headers(LOCAL_OTHER_KEY)) as theirs,
    ):
        mine, other = create(ours, "mine"), create(theirs, "theirs")
        assert listed(ours) == [mine] and listed(theirs) == [other]
        assert ours.patch(f"{COLLECTION}/{other}", json={"metadata": "x"}).status_code == 404
