"""A SQLite store: one file in WAL mode holds every account; every acknowledged write is
committed.

With `synchronous=NORMAL` in WAL mode a commit is in the WAL file before it is
acknowledged, so it survives the process being killed (kill -9); only an OS crash
or power loss could lose the last commits (https://sqlite.org/pragma.html#pragma_synchronous).

Writes go through one connection, reads through another: WAL lets a read run while a
writer (this process or another) holds the write lock. A write that cannot get the lock
within `lock_timeout` raises `StoreBusy` having changed nothing.
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
    DEFAULT_ACCOUNT,
    FailoverBackend,
    MissingChildren,
    NotFound,
    Page,
    References,
    StillReferenced,
    StoreBusy,
    apply_patch,
    is_failover_child,
    rfc3339,
)

# Version 0 is the file of a server before accounts (no `account` column): opened, it
# gains the column, and its backends belong to the default account.
SCHEMA_VERSION = 1
_TABLES = (
    """CREATE TABLE IF NOT EXISTS failover_backends (
        id          TEXT PRIMARY KEY,
        created_at  TEXT NOT NULL,
        description TEXT NOT NULL,
        metadata    TEXT NOT NULL,
        backends    TEXT NOT NULL,  -- JSON array of child ids, in order
        account     TEXT NOT NULL DEFAULT 'default'
    ) WITHOUT ROWID""",
    # Who lists whom, so "is it still referenced?" is an index lookup, not a scan. A parent
    # id is unique across accounts and its account is that of its row.
    """CREATE TABLE IF NOT EXISTS backend_children (
        child  TEXT NOT NULL,
        parent TEXT NOT NULL,
        PRIMARY KEY (child, parent)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS backend_children_parent ON backend_children (parent)",
)
# One account's page is a range of this index: O(limit) whatever the other accounts hold.
_ACCOUNT_INDEX = (
    "CREATE INDEX IF NOT EXISTS failover_backends_account ON failover_backends (account, id)"
)
_COLUMNS = "id, created_at, description, metadata, backends"
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class SqliteDatabase:
    """One SQLite file and its two connections (writes, reads), shared by its accounts."""

    def __init__(self, path: str, *, lock_timeout: float = 5.0) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._writer = _connect(path, lock_timeout)
        self._reader: sqlite3.Connection | None = None
        try:
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._writer.execute("PRAGMA synchronous=NORMAL")
            _migrate(self._writer)
            row = self._writer.execute("SELECT max(id) FROM failover_backends").fetchone()
            self._reader = _connect(path, lock_timeout)
            self._reader.execute("PRAGMA query_only=ON")
        except sqlite3.Error:
            self.close()
            raise
        # Ids are unique across accounts, so one generator serves them all.
        self.new_id = IdGenerator(FAILOVER_PREFIX, after=row[0])

    def store(
        self, account: str = DEFAULT_ACCOUNT, references: References | None = None
    ) -> SqliteStore:
        """The store of one account in this file (closing it leaves the file open)."""
        return SqliteStore(self, references, account=account)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE), committed unless the block raises."""
        if not self._write_lock.acquire(timeout=self.lock_timeout):
            raise StoreBusy(self.lock_timeout)
        try:
            with _busy_as_store_busy(self.lock_timeout):
                self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")
        finally:
            self._write_lock.release()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The read connection: each statement sees the last commit, whoever writes."""
        if not self._read_lock.acquire(timeout=self.lock_timeout):
            raise StoreBusy(self.lock_timeout)
        try:
            assert self._reader is not None
            with _busy_as_store_busy(self.lock_timeout):
                yield self._reader
        finally:
            self._read_lock.release()

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            self._writer.close()
            if self._reader is not None:
                self._reader.close()


class SqliteStore:
    """One account's failover backends in a SQLite file.

    `SqliteStore(path)` opens the file for itself (and closes it on `close`); several
    accounts share one file through `SqliteDatabase.store`.
    """

    blocking = True

    def __init__(
        self,
        database: str | SqliteDatabase,
        references: References | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> None:
        self.references = references or References()
        self.account = account
        self._owns_database = isinstance(database, str)
        self._db = SqliteDatabase(database) if isinstance(database, str) else database

    def create(self, new: NewBackend) -> FailoverBackend:
        with self._db.write() as db:
            self._check_children(db, new.backends)
            backend_id, created = self._db.new_id.new()
            record = FailoverBackend(
                backend_id, rfc3339(created), new.description, new.metadata, new.backends
            )
            self._insert(db, record)
            return record

    def get(self, backend_id: str) -> FailoverBackend:
        with self._db.read() as db:
            return self._get(db, backend_id)

    def update(self, backend_id: str, patch: BackendPatch) -> FailoverBackend:
        with self._db.write() as db:
            record = apply_patch(self._get(db, backend_id), patch)
            if patch.backends is not None:
                self._check_children(db, patch.backends)
                db.execute("DELETE FROM backend_children WHERE parent = ?", (backend_id,))
                self._link(db, record)
            db.execute(
                "UPDATE failover_backends SET description = ?, metadata = ?, backends = ? "
                "WHERE id = ? AND account = ?",
                (
                    record.description,
                    record.metadata,
                    json.dumps(record.backends),
                    backend_id,
                    self.account,
                ),
            )
            return record

    def delete(self, backend_id: str) -> None:
        with self._db.write() as db:
            self._get(db, backend_id)
            if self.references.strict:
                # Only this account's backends can hold it (another's are other backends).
                parents = [
                    r[0]
                    for r in db.execute(
                        "SELECT c.parent FROM backend_children c "
                        "JOIN failover_backends f ON f.id = c.parent "
                        "WHERE c.child = ? AND c.parent != ? AND f.account = ? LIMIT 10",
                        (backend_id, backend_id, self.account),
                    )
                ]
                if parents:
                    raise StillReferenced(backend_id, parents)
            db.execute("DELETE FROM backend_children WHERE parent = ?", (backend_id,))
            db.execute(
                "DELETE FROM failover_backends WHERE id = ? AND account = ?",
                (backend_id, self.account),
            )

    def page(self, before_id: str | None, limit: int) -> Page:
        # The (account, id) index serves both the range and the order: O(limit).
        with self._db.read() as db:
            if before_id is None:
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM failover_backends WHERE account = ? "
                    "ORDER BY id DESC LIMIT ?",
                    (self.account, limit + 1),
                ).fetchall()
            else:
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM failover_backends WHERE account = ? AND id < ? "
                    "ORDER BY id DESC LIMIT ?",
                    (self.account, before_id, limit + 1),
                ).fetchall()
        return Page(tuple(_record(r) for r in rows[:limit]), has_more=len(rows) > limit)

    def count(self) -> int:
        with self._db.read() as db:
            row = db.execute(
                "SELECT count(*) FROM failover_backends WHERE account = ?", (self.account,)
            ).fetchone()
            return int(row[0])

    def bulk_insert(self, records: Iterable[FailoverBackend]) -> None:
        with self._db.write() as db:
            last = None
            rows: list[tuple[str, str, str, str, str, str]] = []
            links: list[tuple[str, str]] = []
            for r in records:
                rows.append(
                    (
                        r.id,
                        r.created_at,
                        r.description,
                        r.metadata,
                        json.dumps(r.backends),
                        self.account,
                    )
                )
                links.extend((child, r.id) for child in r.backends)
                last = r.id
            db.executemany(
                f"INSERT INTO failover_backends ({_COLUMNS}, account) VALUES (?,?,?,?,?,?)", rows
            )
            db.executemany("INSERT OR IGNORE INTO backend_children VALUES (?, ?)", links)
            if last is not None:
                self._db.new_id = IdGenerator(FAILOVER_PREFIX, after=last)

    def close(self) -> None:
        if self._owns_database:
            self._db.close()

    def _get(self, db: sqlite3.Connection, backend_id: str) -> FailoverBackend:
        row = db.execute(
            f"SELECT {_COLUMNS} FROM failover_backends WHERE id = ? AND account = ?",
            (backend_id, self.account),
        ).fetchone()
        if row is None:
            raise NotFound(backend_id)
        return _record(row)

    def _insert(self, db: sqlite3.Connection, record: FailoverBackend) -> None:
        db.execute(
            f"INSERT INTO failover_backends ({_COLUMNS}, account) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.created_at,
                record.description,
                record.metadata,
                json.dumps(record.backends),
                self.account,
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
                and db.execute(
                    "SELECT 1 FROM failover_backends WHERE id = ? AND account = ?",
                    (child, self.account),
                ).fetchone()
            ):
                continue
            missing.append(child)
        if missing:
            raise MissingChildren(missing)


def _connect(path: str, lock_timeout: float) -> sqlite3.Connection:
    # Autocommit mode; writes open their own BEGIN IMMEDIATE transaction. `timeout` is
    # SQLite's busy timeout: how long a statement waits for another connection's lock.
    return sqlite3.connect(
        path, timeout=lock_timeout, check_same_thread=False, isolation_level=None
    )


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the file to `SCHEMA_VERSION` in one transaction (two servers may open it)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _TABLES:
            db.execute(statement)
        columns = {row[1] for row in db.execute("PRAGMA table_info(failover_backends)")}
        if "account" not in columns:  # version 0: every backend is the default account's
            db.execute(
                "ALTER TABLE failover_backends "
                f"ADD COLUMN account TEXT NOT NULL DEFAULT '{DEFAULT_ACCOUNT}'"
            )
        db.execute(_ACCOUNT_INDEX)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def _busy_as_store_busy(waited: float) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as err:
        if getattr(err, "sqlite_errorcode", 0) & 0xFF in _BUSY:
            raise StoreBusy(waited) from err
        raise


def _record(row: tuple[str, str, str, str, str]) -> FailoverBackend:
    return FailoverBackend(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])))
