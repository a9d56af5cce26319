"""Several accounts on one server, in memory and in SQLite: a key sees and changes only its
own account's backends. Another account's id answers 404 (as ngrok answers an id that does
not exist) on get, update and delete, changes nothing, and is never listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ngrok_failover_server.__main__ import parse_config
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.rules import NewBackend
from ngrok_failover_server.store import NotFound, SqliteDatabase
from ngrok_failover_server.testing import (
    RunningServer,
    new_api_key,
    serve_in_subprocess,
    serve_in_thread,
)

from .conftest import KNOWN, refusal

COLL = "/backends/failover"


def client(server: RunningServer, account: str) -> httpx.Client:
    key = server.accounts[account]
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {key}", "Ngrok-Version": "2"}
    )


def listing(c: httpx.Client) -> list[dict[str, Any]]:
    page = c.get(COLL, params={"limit": "100"})
    assert page.status_code == 200, page.text
    backends: list[dict[str, Any]] = page.json()["backends"]
    return backends


def two_accounts(tmp_path: Path, store: str, **kwargs: Any) -> ServerConfig:
    return ServerConfig(
        api_key=new_api_key(),
        accounts=(("team-b", new_api_key()),),
        db_path=str(tmp_path / "shared.db") if store == "sqlite" else None,
        **kwargs,
    )


@pytest.fixture(params=["memory", "sqlite"])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with serve_in_thread(two_accounts(tmp_path, request.param)) as server:
        a, b = client(server, "default"), client(server, "team-b")
        yield a, b
        a.close()
        b.close()


def test_each_account_lists_only_its_own(pair: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = pair
    mine = [
        a.post(COLL, json={"backends": [], "description": f"a{i}"}).json()["id"] for i in range(3)
    ]
    theirs = [b.post(COLL, json={"backends": [], "description": "b"}).json()["id"]]
    assert [x["id"] for x in listing(a)] == mine[::-1]
    assert [x["id"] for x in listing(b)] == theirs
    # Another account's id as a cursor shows nothing of that account either.
    after = b.get(COLL, params={"before_id": mine[-1]}).json()["backends"]
    assert [x["id"] for x in after] == [i for i in theirs if i < mine[-1]]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_accounts_id_is_not_found_and_unchanged(
    pair: tuple[httpx.Client, httpx.Client], method: str
) -> None:
    a, b = pair
    made = a.post(COLL, json={"backends": [KNOWN], "description": "a's"}).json()
    body = {"description": "taken"} if method == "PATCH" else None
    answer = b.request(method, f"{COLL}/{made['id']}", json=body)
    assert answer.status_code == 404
    assert answer.json()["error_code"] == "ERR_NGROK_6514"
    assert a.get(f"{COLL}/{made['id']}").json() == made
    assert listing(b) == []


def test_strict_children_must_be_the_accounts_own(tmp_path: Path) -> None:
    config = two_accounts(tmp_path, "sqlite", strict_references=True)
    with serve_in_thread(config) as server:
        a, b = client(server, "default"), client(server, "team-b")
        a_child = a.post(COLL, json={"backends": []}).json()["id"]
        refused = b.post(COLL, json={"backends": [a_child]})
        assert refused.status_code == 400
        assert refused.json()["error_code"] == "ERR_NGROK_6501"
        b_child = b.post(COLL, json={"backends": []}).json()["id"]
        assert b.post(COLL, json={"backends": [b_child]}).status_code == 201
        assert a.delete(f"{COLL}/{a_child}").status_code == 204  # no parent of a's holds it
        a.close()
        b.close()


def test_an_account_may_have_several_keys(tmp_path: Path) -> None:
    second = new_api_key()
    config = ServerConfig(api_key=new_api_key(), accounts=(("default", second),))
    with serve_in_thread(config) as server:
        a = client(server, "default")
        made = a.post(COLL, json={"backends": []}).json()["id"]
        with httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {second}", "Ngrok-Version": "2"},
        ) as same:
            assert same.get(f"{COLL}/{made}").status_code == 200
        a.close()


def test_the_rate_limit_is_each_accounts_own(tmp_path: Path) -> None:
    with serve_in_thread(two_accounts(tmp_path, "memory", rate_limit=2)) as server:
        a, b = client(server, "default"), client(server, "team-b")
        assert [a.get(COLL).status_code for _ in range(3)] == [200, 200, 429]
        assert b.get(COLL).status_code == 200
        a.close()
        b.close()


def test_accounts_from_a_file_survive_a_restart_apart(tmp_path: Path) -> None:
    """`serve_in_subprocess` hands the accounts over in an `--accounts-file`."""
    config = two_accounts(tmp_path, "sqlite")
    with serve_in_subprocess(config) as server:
        b = client(server, "team-b")
        made = b.post(COLL, json={"backends": [], "description": "b's"}).json()["id"]
        b.close()
    with serve_in_subprocess(config) as again:
        a, b = client(again, "default"), client(again, "team-b")
        assert [x["id"] for x in listing(b)] == [made]
        assert listing(a) == []
        a.close()
        b.close()


def test_two_stores_in_one_file_are_apart(tmp_path: Path) -> None:
    database = SqliteDatabase(str(tmp_path / "x.db"))
    a, b = database.store("a"), database.store("b")
    made = a.create(NewBackend(description="a's"))
    with pytest.raises(NotFound):
        b.get(made.id)
    with pytest.raises(NotFound):
        b.delete(made.id)
    assert (a.count(), b.count()) == (1, 0)
    assert b.page(None, 100).items == ()
    database.close()


# -- Naming accounts -----------------------------------------------------------------------


def test_accounts_from_the_command_line_and_a_file(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    accounts.write_text("# team accounts\n\nteam-b:key_of_team_b_0001\nteam-c:key_of_team_c_0001\n")
    config = parse_config(
        [
            "--api-key",
            "default_key_0001",
            "--account",
            "ops:key_of_ops_00001",
            "--accounts-file",
            str(accounts),
        ]
    )
    assert config.account_names() == ("default", "ops", "team-b", "team-c")
    assert config.account_of_key()["key_of_team_c_0001"] == "team-c"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--account", "no_colon_secret_value"], "expected NAME:KEY"),
        (["--account", "bad name:k_0000000000001"], "account name 'bad name'"),
        (["--account", "b:has space in it"], "account 'b': a key is printable ASCII"),
        (
            ["--account", "b:same_key_000001", "--account", "c:same_key_000001"],
            "accounts 'b' and 'c' have the same key",
        ),
    ],
)
def test_bad_accounts_are_refused_without_showing_a_key(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refusal(argv, capsys)
    assert named in err
    for secret in (
        "no_colon_secret_value",
        "k_0000000000001",
        "has space in it",
        "same_key_000001",
    ):
        assert secret not in err


def test_a_bad_accounts_file_line_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "accounts"
    accounts.write_text("team-b:key_of_team_b_0001\nteam-c key_of_team_c_0001\n")
    err = refusal(["--accounts-file", str(accounts)], capsys)
    assert f"--accounts-file {accounts}, line 2: expected NAME:KEY" in err
    assert "key_of_team_c_0001" not in err
