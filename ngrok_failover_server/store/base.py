"""What every store offers, and the domain errors it raises. No HTTP here."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ..rules import FAILOVER_PREFIX, BackendPatch, NewBackend

# The account a server has even when none is named: the one its `--api-key` opens.
DEFAULT_ACCOUNT = "default"


@dataclass(frozen=True, slots=True)
class FailoverBackend:
    """A stored failover backend. `created_at` is RFC 3339 UTC, whole seconds."""

    id: str
    created_at: str
    description: str
    metadata: str
    backends: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """One page, newest first; `has_more` says whether older backends follow."""

    items: tuple[FailoverBackend, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class References:
    """How child references are checked.

    Not strict: only their form is checked (by the rules). Strict: each child must
    be in `known` or be a failover backend held in the store, and a failover
    backend another one references cannot be deleted.
    """

    strict: bool = False
    known: frozenset[str] = field(default_factory=frozenset)


class StoreError(Exception):
    """Base of the domain errors."""


class NotFound(StoreError):
    def __init__(self, backend_id: str) -> None:
        super().__init__(f"no failover backend with id {backend_id!r}")
        self.backend_id = backend_id


class MissingChildren(StoreError):
    def __init__(self, missing: Iterable[str]) -> None:
        self.missing = tuple(missing)
        super().__init__("referenced backends do not exist: " + ", ".join(self.missing))


class StillReferenced(StoreError):
    def __init__(self, backend_id: str, parents: Iterable[str]) -> None:
        self.backend_id = backend_id
        self.parents = tuple(parents)
        super().__init__(
            f"failover backend {backend_id} is a child of {', '.join(self.parents)} "
            "and cannot be deleted"
        )


class StoreBusy(StoreError):
    """The store's lock stayed taken (by another writer) past the wait allowed; nothing
    was changed, so the same call may be made again."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"the store stayed locked for {waited:.1f} s")
        self.waited = waited


class Store(Protocol):
    """One account's failover backends by id, pageable newest first in O(limit).

    Implementations are safe to call from several threads at once. `blocking` says whether
    a call may wait on a disk or a lock (then the HTTP layer makes it in a worker thread).
    """

    references: References
    blocking: bool

    def create(self, new: NewBackend) -> FailoverBackend: ...

    def get(self, backend_id: str) -> FailoverBackend: ...

    def update(self, backend_id: str, patch: BackendPatch) -> FailoverBackend: ...

    def delete(self, backend_id: str) -> None: ...

    def page(self, before_id: str | None, limit: int) -> Page:
        """Up to `limit` backends with ids less than `before_id` (all if None), newest first."""
        ...

    def count(self) -> int: ...

    def bulk_insert(self, records: Iterable[FailoverBackend]) -> None:
        """Store ready-made records as they are, in one go (seeding and benchmarks).

        No reference checks; ids must be new and greater than any stored one.
        """
        ...

    def close(self) -> None: ...


def rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def apply_patch(old: FailoverBackend, patch: BackendPatch) -> FailoverBackend:
    """`old` with the fields present in `patch` replaced; id and created_at kept."""
    return FailoverBackend(
        id=old.id,
        created_at=old.created_at,
        description=old.description if patch.description is None else patch.description,
        metadata=old.metadata if patch.metadata is None else patch.metadata,
        backends=old.backends if patch.backends is None else patch.backends,
    )


def is_failover_child(child: str) -> bool:
    return child.startswith(FAILOVER_PREFIX)
