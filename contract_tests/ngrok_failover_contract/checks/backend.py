"""The backend object and what was written reads back (seed: field tables; spec: update
semantics)."""

from __future__ import annotations

import unicodedata

from ..core.api import BACKEND_FIELDS
from ..core.exchange import Exchange
from ..core.registry import Property
from .checker import Checker, Resource


def _distinct_reprs(a: object, b: object) -> tuple[str, str]:
    """Both values as Python literals, in ASCII escapes when they would print alike.

    "e" and a combining acute prints as the precomposed letter does (they differ only in
    Unicode normalisation): escapes tell them apart.
    """
    shown = repr(a), repr(b)
    if a != b and len({unicodedata.normalize("NFKC", text) for text in shown}) == 1:
        return ascii(a), ascii(b)
    return shown


def _differing(held: Resource, got: Resource) -> list[str]:
    return [name for name in held if got.get(name) != held[name]]


_WHY = {
    Property.REFUSED_REQUEST_CHANGES_NOTHING: "a write to it was refused (4xx) since it last "
    "read back, and a refused request changes nothing",
    Property.OPERATION_CHANGES_ONLY_ITS_TARGET: "nothing was written to it since it last read "
    "back: an operation on another backend changed it",
}


class Backend(Checker):
    """The six fields, read-back byte for byte, an update's absent fields, identity kept."""

    def has_every_field(self, resource: Resource, exchange: Exchange) -> None:
        """A backend answer has the six fields of the seed (the spec marks them required)."""
        missing = [name for name in BACKEND_FIELDS if name not in resource]
        self.require(
            not missing,
            Property.BACKEND_HAS_EVERY_FIELD,
            f"the backend answered lacks {missing}; the seed's backend always has {BACKEND_FIELDS}",
            exchange,
        )

    def field_reads_back(
        self, field: str, written: object, resource: Resource, exchange: Exchange
    ) -> None:
        """A field the client wrote (create or update) comes back exactly as written.

        Seed: `metadata` is "arbitrary user-defined machine-readable data", so it is kept byte for
        byte; `backends` are "the ids of the child backends in order".
        """
        got = resource.get(field)
        shown_written, shown_got = _distinct_reprs(written, got)
        self.require(
            got == written,
            Property(f"{field}_reads_back"),
            f"wrote {field}={shown_written} but the server answered {field}={shown_got}; "
            f"the seed says the {field} written is the {field} stored "
            + ("(child backends keep their order)" if field == "backends" else "(byte for byte)"),
            exchange,
        )

    def update_keeps_absent(
        self, field: str, before: Resource, after: Resource, exchange: Exchange
    ) -> None:
        """An update keeps each field its body does not name (spec, updateFailoverBackend)."""
        self.require(
            after.get(field) == before.get(field),
            Property.UPDATE_KEEPS_ABSENT_FIELDS,
            f"the update did not name {field!r}, yet it changed from {before.get(field)!r} to "
            f"{after.get(field)!r}; the spec says an absent field keeps its stored value",
            exchange,
        )

    def identity_unchanged(
        self, field: str, before: Resource, after: Resource, exchange: Exchange
    ) -> None:
        """`id` and `created_at` never change after create (spec, updateFailoverBackend)."""
        self.require(
            after.get(field) == before.get(field),
            Property(f"{field}_never_changes"),
            f"{field} was {before.get(field)!r} when created and is now {after.get(field)!r}; "
            f"the spec says {field} never changes",
            exchange,
        )

    def list_matches_get(self, listed: Resource, read: Resource, exchange: Exchange) -> None:
        """A backend on a list page is the backend a get answers now: its six fields are equal.

        Seed: the list's items are FailoverBackend objects, the resource a get answers; a list
        showing an older version (a stale cache) tells a client what is no longer stored.
        `exchange` is the list page's.
        """
        differ = [name for name in BACKEND_FIELDS if listed.get(name) != read.get(name)]
        self.require(
            not differ,
            Property.LIST_MATCHES_GET,
            f"the list shows {listed.get('id')} with "
            + ", ".join(f"{name}={listed.get(name)!r}" for name in differ)
            + " but a get answers "
            + ", ".join(f"{name}={read.get(name)!r}" for name in differ)
            + "; the seed's list holds the same FailoverBackend objects a get answers",
            exchange,
            str(listed.get("id")),
        )

    def reads_back_as_held(
        self, held: Resource, got: Resource, exchange: Exchange, why: Property | None
    ) -> None:
        """A backend reads back as the model holds it: each field as last written.

        `why` names the property when the model knows what changed it (a refused write,
        an operation on another backend); None: the written field's own property.
        """
        if why is None:
            for name in ("description", "metadata", "backends"):
                if name in held:
                    self.field_reads_back(name, held[name], got, exchange)
            for name in ("id", "created_at"):
                if name in held:
                    self.identity_unchanged(name, held, got, exchange)
            return
        self.require(
            not (differ := _differing(held, got)),
            why,
            f"{held.get('id') or got.get('id')} reads back "
            + ", ".join(
                f"{name}={_distinct_reprs(held[name], got.get(name))[1]}" for name in differ
            )
            + " where the model holds "
            + ", ".join(
                f"{name}={_distinct_reprs(held[name], got.get(name))[0]}" for name in differ
            )
            + "; "
            + _WHY[why],
            exchange,
        )

    def listed_as_held(
        self, held: Resource, listed: Resource, exchange: Exchange, why: Property | None
    ) -> None:
        """A listed backend the model holds shows what a get would (`exchange`: the page)."""
        if why is None:
            self.list_matches_get(listed, {**listed, **held}, exchange)
        else:
            self.reads_back_as_held(held, listed, exchange, why)

    def answers_requested_id(self, requested: str, resource: Resource, exchange: Exchange) -> None:
        """The backend a get or update answers with is the one its path names."""
        self.require(
            resource.get("id") == requested,
            Property.ANSWERS_REQUESTED_ID,
            f"asked for {requested} and got a backend with id {resource.get('id')!r}",
            exchange,
        )
