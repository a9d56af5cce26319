"""Storage of failover backends, apart from HTTP: in memory or in SQLite."""

from __future__ import annotations

from .base import (
    FailoverBackend,
    MissingChildren,
    NotFound,
    Page,
    References,
    StillReferenced,
    Store,
    StoreError,
)
from .memory import MemoryStore
from .sqlite import SqliteStore


def open_store(db_path: str | None, references: References | None = None) -> Store:
    """A SQLite store at `db_path`, or a memory store when it is None."""
    if db_path is None:
        return MemoryStore(references)
    return SqliteStore(db_path, references)


__all__ = [
    "FailoverBackend",
    "MemoryStore",
    "MissingChildren",
    "NotFound",
    "Page",
    "References",
    "SqliteStore",
    "StillReferenced",
    "Store",
    "StoreError",
    "open_store",
]
