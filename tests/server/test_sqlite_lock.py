"""Another writer on the same SQLite file (a second server, a `sqlite3` shell) holding the
write lock: reads go on, each write gets 503 with `Retry-After` after the bounded wait and
one log line, and nothing is lost or half-written."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ngrok_failover_server.config import Limits, ServerConfig
from ngrok_failover_server.rules import BackendPatch, NewBackend
from ngrok_failover_server.store import SqliteDatabase, StoreBusy
from ngrok_failover_server.testing import new_api_key, serve_in_thread

from . import wire
from .conftest import Api

COLL = "/backends/failover"


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock, held until ROLLBACK
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


class Lines(logging.Handler):
    """The records a logger emits (the server's logger does not propagate to the root)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_writes_get_503_and_reads_go_on_while_another_writer_holds_the_lock(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shared.db"
    config = ServerConfig(api_key=new_api_key(), db_path=str(db), limits=Limits(lock_timeout=0.3))
    with serve_in_thread(config) as server:
        api = Api(server)
        made = api.create(description="kept")
        before = api.everything()
        lines = Lines()
        logger = logging.getLogger("ngrok_failover_server.app")
        logger.addHandler(lines)
        with write_lock_held(db):
            got = wire.served_beside(api.http, f"{COLL}/{made['id']}", "SQLite write lock held")
            assert got.json() == made
            assert api.everything() == before
            refused = [
                api.http.post(COLL, json={"backends": []}),
                api.http.patch(f"{COLL}/{made['id']}", json={"description": "lost?"}),
                api.http.delete(f"{COLL}/{made['id']}"),
            ]
        for answer in refused:
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "1"
            assert "locked by another writer" in answer.json()["msg"]
            assert answer.json()["status_code"] == 503
        logger.removeHandler(lines)
        assert [r.levelname for r in lines.records] == ["WARNING"] * 3
        assert all(r.exc_info is None for r in lines.records)  # one line each, no traceback
        assert api.everything() == before
        assert api.create(description="after")["description"] == "after"
        api.close()


def test_the_store_raises_busy_having_changed_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    database = SqliteDatabase(str(db), lock_timeout=0.2)
    store = database.store()
    made = store.create(NewBackend(description="kept"))
    with write_lock_held(db):
        with pytest.raises(StoreBusy):
            store.create(NewBackend())
        with pytest.raises(StoreBusy):
            store.update(made.id, BackendPatch(description="lost?"))
        assert store.get(made.id) == made  # the read connection is not held up
    assert store.count() == 1
    assert store.get(made.id) == made
    database.close()


def test_a_read_is_not_held_up_by_a_write_waiting_for_the_lock(tmp_path: Path) -> None:
    """The write waits (its timeout far past the test's guard) on its own connection; a
    read meanwhile goes through the other one."""
    db = tmp_path / "x.db"
    database = SqliteDatabase(str(db), lock_timeout=3 * wire.GUARD_S)
    store = database.store()
    made = store.create(NewBackend(description="kept"))
    waiting = threading.Event()
    database._writer.set_trace_callback(  # the write has begun once BEGIN IMMEDIATE runs
        lambda sql: waiting.set() if sql.startswith("BEGIN") else None
    )
    results: list[object] = []
    with write_lock_held(db):
        writer = threading.Thread(target=lambda: results.append(store.create(NewBackend())))
        writer.start()
        assert waiting.wait(wire.GUARD_S)
        reader = threading.Thread(target=lambda: results.append(store.get(made.id)))
        reader.start()
        reader.join(wire.GUARD_S)
        assert not reader.is_alive(), "the read waited on the write's lock"
        assert results == [made]
    writer.join(wire.GUARD_S)
    assert store.count() == 2
    database.close()
