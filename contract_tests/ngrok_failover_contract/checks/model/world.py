"""What the model holds: the backends one lane of a run owns, as the documentation says they
must be stored, and what it knows of ids that do not exist.

Immutable and hashable, so the linearizability search can remember states it has tried.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any


@dataclass(frozen=True, slots=True)
class Backend:
    """A stored failover backend: the fields a client wrote, and the two the server gave."""

    id: str
    created_at: str
    description: str
    metadata: str
    backends: tuple[str, ...]

    @classmethod
    def answered(cls, body: Mapping[str, Any]) -> Backend:
        """The backend a create's answer shows (the schema checks say if a field is amiss)."""
        children = body.get("backends")
        return cls(
            id=str(body.get("id")),
            created_at=str(body.get("created_at")),
            description=_text(body.get("description")),
            metadata=_text(body.get("metadata")),
            backends=tuple(str(c) for c in children) if isinstance(children, list) else (),
        )

    def patched(self, body: Mapping[str, Any]) -> Backend:
        """This backend after an update writing `body`: present fields replace, absent stay."""
        changes: dict[str, Any] = {}
        for name in ("description", "metadata"):
            if isinstance(body.get(name), str):
                changes[name] = body[name]
        if isinstance(body.get("backends"), list):
            changes["backends"] = tuple(str(c) for c in body["backends"])
        return replace(self, **changes)

    def as_json(self) -> dict[str, Any]:
        """The fields a get must answer with (uri is checked apart: it names the host)."""
        return {
            "id": self.id,
            "created_at": self.created_at,
            "description": self.description,
            "metadata": self.metadata,
            "backends": list(self.backends),
        }


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# Why the model doubts a backend until it is read back: the property a wrong read names.
WRITTEN = "written"  # an acknowledged write not read back yet: the field's own property
REFUSED = "refused"  # a refused write aimed at it: refused_request_changes_nothing
# A backend neither written nor refused since it last read back right, that now reads back
# wrong, was changed by an operation on something else: operation_changes_only_its_target.


@dataclass(frozen=True)
class World:
    """One lane's backends (creation order), the ids it deleted, and its doubts."""

    held: tuple[Backend, ...] = ()
    gone: frozenset[str] = frozenset()
    doubts: frozenset[tuple[str, str]] = field(default=frozenset())
    # Ids the lane sent an update to while they did not exist: a later 200 names
    # update_must_not_create rather than never_created_is_404.
    upserted: frozenset[str] = frozenset()
    # Backends an answer already broke the model for: what they hold is unknown since, so
    # that one fault is reported once, not again by every later read of them.
    tainted: frozenset[str] = frozenset()

    @cached_property
    def by_id(self) -> dict[str, Backend]:
        return {backend.id: backend for backend in self.held}

    def __iter__(self) -> Iterator[Backend]:
        return iter(self.held)

    def __contains__(self, backend_id: object) -> bool:
        return backend_id in self.by_id

    def get(self, backend_id: str) -> Backend | None:
        return self.by_id.get(backend_id)

    def doubt(self, backend_id: str) -> str | None:
        """REFUSED before WRITTEN: a refusal's leftovers are what a wrong read shows first."""
        reasons = {why for i, why in self.doubts if i == backend_id}
        return REFUSED if REFUSED in reasons else (WRITTEN if reasons else None)

    def created(self, backend: Backend) -> World:
        return replace(
            self, held=(*self.held, backend), doubts=self.doubts | {(backend.id, WRITTEN)}
        )

    def updated(self, backend: Backend) -> World:
        held = tuple(backend if b.id == backend.id else b for b in self.held)
        return replace(self, held=held, doubts=self.doubts | {(backend.id, WRITTEN)})

    def deleted(self, backend_id: str) -> World:
        held = tuple(b for b in self.held if b.id != backend_id)
        doubts = frozenset(d for d in self.doubts if d[0] != backend_id)
        return replace(self, held=held, gone=self.gone | {backend_id}, doubts=doubts)

    def without(self, backend_ids: set[str]) -> World:
        """Backends no longer the lane's to hold (not deleted: handed over)."""
        held = tuple(b for b in self.held if b.id not in backend_ids)
        doubts = frozenset(d for d in self.doubts if d[0] not in backend_ids)
        return replace(self, held=held, doubts=doubts)

    def refused(self, backend_id: str) -> World:
        return replace(self, doubts=self.doubts | {(backend_id, REFUSED)})

    def read_back(self, backend_id: str) -> World:
        """It read back as the model holds it: no doubt left."""
        doubts = frozenset(d for d in self.doubts if d[0] != backend_id)
        return self if doubts == self.doubts else replace(self, doubts=doubts)

    def taint(self, backend_id: str) -> World:
        held = tuple(b for b in self.held if b.id != backend_id)
        doubts = frozenset(d for d in self.doubts if d[0] != backend_id)
        return replace(self, held=held, doubts=doubts, tainted=self.tainted | {backend_id})

    def upsert_tried(self, backend_id: str) -> World:
        return replace(self, upserted=self.upserted | {backend_id})

    def referenced(self, backend_id: str) -> bool:
        """Whether another backend it holds lists `backend_id` as a child."""
        return any(backend_id in b.backends for b in self.held if b.id != backend_id)
