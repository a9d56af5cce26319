"""With --db, every acknowledged write survives a restart and a kill -9, and a file from
before accounts keeps its backends."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import new_api_key, serve_in_subprocess, serve_in_thread

from .conftest import KNOWN, Api


def without_uri(backends: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The backends minus `uri`, which names the port, new at each start."""
    return [{k: v for k, v in b.items() if k != "uri"} for b in backends]


def test_acknowledged_writes_survive_kill_9_and_restart(tmp_path: Path) -> None:
    config = ServerConfig(api_key=new_api_key(), db_path=str(tmp_path / "failover.db"))
    with serve_in_subprocess(config) as server:
        api = Api(server)
        made = [api.create(description=f"n{i}", backends=[KNOWN]) for i in range(30)]
        updated = api.http.patch(
            f"/backends/failover/{made[0]['id']}", json={"metadata": "kept"}
        ).json()
        assert api.http.delete(f"/backends/failover/{made[1]['id']}").status_code == 204
        expected = sorted([updated, *made[2:]], key=lambda b: b["id"], reverse=True)
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        api.close()

    with serve_in_subprocess(config) as again:
        api = Api(again)
        assert without_uri(api.everything()) == without_uri(expected)
        newer = api.create()
        assert newer["id"] > expected[0]["id"]
        api.close()


def test_a_clean_restart_keeps_everything(tmp_path: Path) -> None:
    config = ServerConfig(api_key=new_api_key(), db_path=str(tmp_path / "failover.db"))
    with serve_in_subprocess(config) as server:
        api = Api(server)
        made = api.create(description="kept")
        api.close()
    with serve_in_subprocess(config) as again:
        api = Api(again)
        got = api.http.get(f"/backends/failover/{made['id']}").json()
        assert without_uri([got]) == without_uri([made])
        api.close()


# The file a server wrote before accounts (its _SCHEMA, word for word).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS failover_backends (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    backends    TEXT NOT NULL  -- JSON array of child ids, in order
) WITHOUT ROWID;
-- Who lists whom, so "is it still referenced?" is an index lookup, not a scan.
CREATE TABLE IF NOT EXISTS backend_children (
    child  TEXT NOT NULL,
    parent TEXT NOT NULL,
    PRIMARY KEY (child, parent)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS backend_children_parent ON backend_children (parent);
"""
OLD_CHILD = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
OLD_PARENT = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tv"


def old_database(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    rows = [
        (OLD_CHILD, "2024-04-19T20:23:43Z", "child", "", "[]"),
        (OLD_PARENT, "2024-04-19T20:23:44Z", "parent", '{"k": 1}', json.dumps([OLD_CHILD, KNOWN])),
    ]
    db.executemany("INSERT INTO failover_backends VALUES (?, ?, ?, ?, ?)", rows)
    db.executemany(
        "INSERT INTO backend_children VALUES (?, ?)", [(OLD_CHILD, OLD_PARENT), (KNOWN, OLD_PARENT)]
    )
    db.commit()
    db.close()


def test_a_file_from_before_accounts_opens_with_its_backends_in_the_default_account(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    config = ServerConfig(
        api_key=new_api_key(),
        accounts=(("team-b", new_api_key()),),
        db_path=str(path),
        strict_references=True,
        known_backends=frozenset({KNOWN}),
    )
    for _ in range(2):  # and again: opening a migrated file changes nothing
        with serve_in_thread(config) as server:
            api = Api(server)
            kept = without_uri(api.everything())
            assert [b["id"] for b in kept] == [OLD_PARENT, OLD_CHILD]
            assert kept[0]["backends"] == [OLD_CHILD, KNOWN]
            assert kept[0]["metadata"] == '{"k": 1}'
            still = api.http.delete(f"/backends/failover/{OLD_CHILD}")  # its links kept too
            assert still.json()["error_code"] == "ERR_NGROK_6502"
            other = httpx.get(
                f"{server.base_url}/backends/failover",
                headers={
                    "Authorization": f"Bearer {server.accounts['team-b']}",
                    "Ngrok-Version": "2",
                },
            )
            assert other.json()["backends"] == []
            api.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (1,)
