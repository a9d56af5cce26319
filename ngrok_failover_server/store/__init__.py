"""Storage of failover backends, apart from HTTP: in memory or in SQLite, per account."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from .base import (
    DEFAULT_ACCOUNT,
    FailoverBackend,
    MissingChildren,
    NotFound,
    Page,
    References,
    StillReferenced,
    Store,
    StoreBusy,
    StoreError,
)
from .memory import MemoryStore
from .sqlite import SqliteDatabase, SqliteStore


def open_store(db_path: str | None, references: References | None = None) -> Store:
    """The default account's store: SQLite at `db_path`, or in memory when it is None."""
    if db_path is None:
        return MemoryStore(references)
    return SqliteStore(db_path, references)


class AccountStores(Mapping[str, Store]):
    """Each account's store by account name; `close` closes them all (and their file).

    An account sees only its own store: which one a request gets is the HTTP layer's
    choice, made from its key, so the stores themselves need not know of keys.
    """

    def __init__(self, stores: Mapping[str, Store], on_close: Callable[[], None] = lambda: None):
        self._stores = dict(stores)
        self._on_close = on_close

    def __getitem__(self, account: str) -> Store:
        return self._stores[account]

    def __iter__(self) -> Iterator[str]:
        return iter(self._stores)

    def __len__(self) -> int:
        return len(self._stores)

    def close(self) -> None:
        for store in self._stores.values():
            store.close()
        self._on_close()


def open_accounts(
    db_path: str | None,
    accounts: Iterable[str] = (DEFAULT_ACCOUNT,),
    references: References | None = None,
    *,
    lock_timeout: float = 5.0,
) -> AccountStores:
    """A store per account: each its own memory store, or all in one SQLite file."""
    names = tuple(dict.fromkeys(accounts))
    if db_path is None:
        return AccountStores({name: MemoryStore(references) for name in names})
    database = SqliteDatabase(db_path, lock_timeout=lock_timeout)
    return AccountStores({name: database.store(name, references) for name in names}, database.close)


__all__ = [
    "DEFAULT_ACCOUNT",
    "AccountStores",
    "FailoverBackend",
    "MemoryStore",
    "MissingChildren",
    "NotFound",
    "Page",
    "References",
    "SqliteDatabase",
    "SqliteStore",
    "StillReferenced",
    "Store",
    "StoreBusy",
    "StoreError",
    "open_accounts",
    "open_store",
]
