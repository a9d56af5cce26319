"""A SQLite store: one file in WAL mode; every acknowledged write is committed.

With `synchronous=NORMAL` in WAL mode a commit is in the WAL file before it is
acknowledged, so it survives the process being killed (kill -9); only an OS crash
or power loss could lose the last commits (https://sqlite.org/pragma.html#pragma_synchronous).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..ids import IdGenerator
from ..rules import FAILOVER_PREFIX, BackendPatch, NewBackend
from .base import (
    FailoverBackend,
    MissingChildren,
    NotFound,
    Page,
    References,
    StillReferenced,
    apply_patch,
    is_failover_child,
    rfc3339,
)

_SCHEMA = """
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

_COLUMNS = "id, created_at, description, metadata, backends"


class SqliteStore:
    """Failover backends in a SQLite file. One connection, guarded by one lock."""

    def __init__(self, path: str, references: References | None = None) -> None:
        self.references = references or References()
        self._lock = threading.RLock()
        # Autocommit mode; writes open their own BEGIN IMMEDIATE transaction.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT max(id) FROM failover_backends").fetchone()
        except sqlite3.Error:
            self._db.close()
            raise
        self._new_id = IdGenerator(FAILOVER_PREFIX, after=row[0])

    def create(self, new: NewBackend) -> FailoverBackend:
        with self._transaction() as db:
            self._check_children(db, new.backends)
            backend_id, created = self._new_id.new()
            record = FailoverBackend(
                backend_id, rfc3339(created), new.description, new.metadata, new.backends
            )
            self._insert(db, record)
            return record

    def get(self, backend_id: str) -> FailoverBackend:
        with self._lock:
            return self._get(self._db, backend_id)

    def update(self, backend_id: str, patch: BackendPatch) -> FailoverBackend:
        with self._transaction() as db:
            record = apply_patch(self._get(db, backend_id), patch)
            if patch.backends is not None:
                self._check_children(db, patch.backends)
                db.execute("DELETE FROM backend_children WHERE parent = ?", (backend_id,))
                self._link(db, record)
            db.execute(
                "UPDATE failover_backends SET description = ?, metadata = ?, backends = ? "
                "WHERE id = ?",
                (record.description, record.metadata, json.dumps(record.backends), backend_id),
            )
            return record

    def delete(self, backend_id: str) -> None:
        with self._transaction() as db:
            self._get(db, backend_id)
            if self.references.strict:
                parents = [
                    r[0]
                    for r in db.execute(
                        "SELECT parent FROM backend_children WHERE child = ? AND parent != ? "
                        "LIMIT 10",
                        (backend_id, backend_id),
                    )
                ]
                if parents:
                    raise StillReferenced(backend_id, parents)
            db.execute("DELETE FROM backend_children WHERE parent = ?", (backend_id,))
            db.execute("DELETE FROM failover_backends WHERE id = ?", (backend_id,))

    def page(self, before_id: str | None, limit: int) -> Page:
        # The primary key index serves both the range and the order: O(limit).
        with self._lock:
            if before_id is None:
                rows = self._db.execute(
                    f"SELECT {_COLUMNS} FROM failover_backends ORDER BY id DESC LIMIT ?",
                    (limit + 1,),
                ).fetchall()
            else:
                rows = self._db.execute(
                    f"SELECT {_COLUMNS} FROM failover_backends WHERE id < ? "
                    "ORDER BY id DESC LIMIT ?",
                    (before_id, limit + 1),
                ).fetchall()
        return Page(tuple(_record(r) for r in rows[:limit]), has_more=len(rows) > limit)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM failover_backends").fetchone()[0])

    def bulk_insert(self, records: Iterable[FailoverBackend]) -> None:
        with self._transaction() as db:
            last = None
            rows: list[tuple[str, str, str, str, str]] = []
            links: list[tuple[str, str]] = []
            for r in records:
                rows.append((r.id, r.created_at, r.description, r.metadata, json.dumps(r.backends)))
                links.extend((child, r.id) for child in r.backends)
                last = r.id
            db.executemany(f"INSERT INTO failover_backends ({_COLUMNS}) VALUES (?,?,?,?,?)", rows)
            db.executemany("INSERT OR IGNORE INTO backend_children VALUES (?, ?)", links)
            if last is not None:
                self._new_id = IdGenerator(FAILOVER_PREFIX, after=last)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _get(self, db: sqlite3.Connection, backend_id: str) -> FailoverBackend:
        row = db.execute(
            f"SELECT {_COLUMNS} FROM failover_backends WHERE id = ?", (backend_id,)
        ).fetchone()
        if row is None:
            raise NotFound(backend_id)
        return _record(row)

    def _insert(self, db: sqlite3.Connection, record: FailoverBackend) -> None:
        db.execute(
            f"INSERT INTO failover_backends ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            (
                record.id,
                record.created_at,
                record.description,
                record.metadata,
                json.dumps(record.backends),
            ),
        )
        self._link(db, record)

    def _link(self, db: sqlite3.Connection, record: FailoverBackend) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO backend_children VALUES (?, ?)",
            [(child, record.id) for child in record.backends],
        )

    def _check_children(self, db: sqlite3.Connection, children: tuple[str, ...]) -> None:
        if not self.references.strict:
            return
        missing = []
        for child in dict.fromkeys(children):
            if child in self.references.known:
                continue
            if (
                is_failover_child(child)
                and db.execute("SELECT 1 FROM failover_backends WHERE id = ?", (child,)).fetchone()
            ):
                continue
            missing.append(child)
        if missing:
            raise MissingChildren(missing)


def _record(row: tuple[str, str, str, str, str]) -> FailoverBackend:
    return FailoverBackend(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])))
