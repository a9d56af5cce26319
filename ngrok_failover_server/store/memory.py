"""An in-memory store: a dict by id plus a sorted list of ids for O(limit) paging."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable

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


class MemoryStore:
    """Failover backends in memory, gone when the process ends.

    Ids are made monotonic, so a new id is the greatest and `_ids` stays sorted by
    appending. Records are immutable and replaced whole, so a reader never sees a
    half-made update. Writes (and the reads a write depends on) hold one lock.
    Every call takes microseconds, so the HTTP layer makes it inline (`blocking`).
    """

    blocking = False

    def __init__(self, references: References | None = None) -> None:
        self.references = references or References()
        self._by_id: dict[str, FailoverBackend] = {}
        self._ids: list[str] = []  # ascending = oldest first
        self._parents: dict[str, set[str]] = {}  # child id -> ids of backends listing it
        self._lock = threading.RLock()
        self._new_id = IdGenerator(FAILOVER_PREFIX)

    def create(self, new: NewBackend) -> FailoverBackend:
        with self._lock:
            self._check_children(new.backends)
            backend_id, created = self._new_id.new()
            record = FailoverBackend(
                backend_id, rfc3339(created), new.description, new.metadata, new.backends
            )
            self._insert(record)
            return record

    def get(self, backend_id: str) -> FailoverBackend:
        record = self._by_id.get(backend_id)
        if record is None:
            raise NotFound(backend_id)
        return record

    def update(self, backend_id: str, patch: BackendPatch) -> FailoverBackend:
        with self._lock:
            old = self.get(backend_id)
            if patch.backends is not None:
                self._check_children(patch.backends)
            record = apply_patch(old, patch)
            self._unlink(old)
            self._link(record)
            self._by_id[backend_id] = record
            return record

    def delete(self, backend_id: str) -> None:
        with self._lock:
            record = self.get(backend_id)
            if self.references.strict:
                parents = self._parents.get(backend_id, set()) - {backend_id}
                if parents:
                    raise StillReferenced(backend_id, sorted(parents))
            self._unlink(record)
            del self._by_id[backend_id]
            index = bisect.bisect_left(self._ids, backend_id)
            del self._ids[index]

    def page(self, before_id: str | None, limit: int) -> Page:
        with self._lock:
            end = len(self._ids) if before_id is None else bisect.bisect_left(self._ids, before_id)
            start = max(end - limit, 0)
            ids = self._ids[start:end]
            items = tuple(self._by_id[i] for i in reversed(ids))
            return Page(items, has_more=start > 0)

    def count(self) -> int:
        return len(self._ids)

    def bulk_insert(self, records: Iterable[FailoverBackend]) -> None:
        with self._lock:
            for record in records:
                if self._ids and record.id <= self._ids[-1]:
                    raise ValueError(f"bulk_insert: id {record.id} is not greater than stored ids")
                self._insert(record)
            if self._ids:
                self._new_id = IdGenerator(FAILOVER_PREFIX, after=self._ids[-1])

    def close(self) -> None:
        pass

    def _insert(self, record: FailoverBackend) -> None:
        self._by_id[record.id] = record
        self._ids.append(record.id)
        self._link(record)

    def _link(self, record: FailoverBackend) -> None:
        for child in record.backends:
            self._parents.setdefault(child, set()).add(record.id)

    def _unlink(self, record: FailoverBackend) -> None:
        for child in record.backends:
            parents = self._parents.get(child)
            if parents is not None:
                parents.discard(record.id)
                if not parents:
                    del self._parents[child]

    def _check_children(self, children: tuple[str, ...]) -> None:
        if not self.references.strict:
            return
        missing = [
            c
            for c in dict.fromkeys(children)
            if c not in self.references.known and not (is_failover_child(c) and c in self._by_id)
        ]
        if missing:
            raise MissingChildren(missing)
