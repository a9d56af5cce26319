"""The API's properties that no schema can state, each a named check with one assertion.

Every check raises `ContractViolation` with the property's name and a message that says what
the server did and what the seed or spec says; the exchange gives the curl command to
reproduce it. Sources: ngrok's documentation page for failover backends (the seed; its
facts are in `spec/facts.yaml`) and `spec/failover.openapi.yaml`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from . import coverage
from .api import BACKEND_FIELDS, COLLECTION
from .client import Exchange
from .violations import ContractViolation, Property

Resource = dict[str, Any]
NOT_FOUND = 404


def _require(condition: bool, prop: Property, message: str, exchange: Exchange | None) -> None:
    tally = coverage.CURRENT.get()
    if tally is not None:
        tally.checked(prop, condition)
    if not condition:
        raise ContractViolation(prop, message, exchange)


# -- The backend object ----------------------------------------------------------------------------


def has_every_field(resource: Resource, exchange: Exchange) -> None:
    """A backend answer has the six fields of the seed (the spec marks them required)."""
    missing = [name for name in BACKEND_FIELDS if name not in resource]
    _require(
        not missing,
        Property.BACKEND_HAS_EVERY_FIELD,
        f"the backend answered lacks {missing}; the seed's backend always has {BACKEND_FIELDS}",
        exchange,
    )


# -- What was written reads back --------------------------------------------------------------


def _distinct_reprs(a: object, b: object) -> tuple[str, str]:
    """Both values as Python literals, in ASCII escapes when they would print alike.

    "e" and a combining acute prints as the precomposed letter does (they differ only in
    Unicode normalisation): escapes tell them apart.
    """
    shown = repr(a), repr(b)
    if a != b and len({unicodedata.normalize("NFKC", text) for text in shown}) == 1:
        return ascii(a), ascii(b)
    return shown


def field_reads_back(field: str, written: object, resource: Resource, exchange: Exchange) -> None:
    """A field the client wrote (create or update) comes back exactly as written.

    Seed: `metadata` is "arbitrary user-defined machine-readable data", so it is kept byte for
    byte; `backends` are "the ids of the child backends in order".
    """
    got = resource.get(field)
    shown_written, shown_got = _distinct_reprs(written, got)
    _require(
        got == written,
        Property(f"{field}_reads_back"),
        f"wrote {field}={shown_written} but the server answered {field}={shown_got}; "
        f"the seed says the {field} written is the {field} stored "
        + ("(child backends keep their order)" if field == "backends" else "(byte for byte)"),
        exchange,
    )


def update_keeps_absent(field: str, before: Resource, after: Resource, exchange: Exchange) -> None:
    """An update leaves a field the body does not name unchanged (spec, updateFailoverBackend)."""
    _require(
        after.get(field) == before.get(field),
        Property.UPDATE_KEEPS_ABSENT_FIELDS,
        f"the update did not name {field!r}, yet it changed from {before.get(field)!r} to "
        f"{after.get(field)!r}; the spec says an absent field keeps its stored value",
        exchange,
    )


def identity_unchanged(field: str, before: Resource, after: Resource, exchange: Exchange) -> None:
    """`id` and `created_at` never change after create (spec, updateFailoverBackend)."""
    _require(
        after.get(field) == before.get(field),
        Property(f"{field}_never_changes"),
        f"{field} was {before.get(field)!r} when created and is now {after.get(field)!r}; "
        f"the spec says {field} never changes",
        exchange,
    )


def list_matches_get(listed: Resource, read: Resource, exchange: Exchange) -> None:
    """A backend on a list page is the backend a get answers now: its six fields are equal.

    Seed: the list's items are FailoverBackend objects, the resource a get answers; a list
    showing an older version (a stale cache) tells a client what is no longer stored.
    `exchange` is the list page's.
    """
    differ = [name for name in BACKEND_FIELDS if listed.get(name) != read.get(name)]
    _require(
        not differ,
        Property.LIST_MATCHES_GET,
        f"the list shows {listed.get('id')} with "
        + ", ".join(f"{name}={listed.get(name)!r}" for name in differ)
        + " but a get answers "
        + ", ".join(f"{name}={read.get(name)!r}" for name in differ)
        + "; the seed's list holds the same FailoverBackend objects a get answers",
        exchange,
    )


def answers_requested_id(requested: str, resource: Resource, exchange: Exchange) -> None:
    """The backend a get or update answers with is the one its path names."""
    _require(
        resource.get("id") == requested,
        Property.ANSWERS_REQUESTED_ID,
        f"asked for {requested} and got a backend with id {resource.get('id')!r}",
        exchange,
    )


# -- Identity and URIs ---------------------------------------------------------------------------


def id_is_new(new_id: str, earlier: Collection[str], exchange: Exchange) -> None:
    """Each create gives an id no earlier backend had (seed: "unique identifier")."""
    _require(
        new_id not in earlier,
        Property.IDS_ARE_UNIQUE,
        f"create answered id {new_id}, which an earlier backend already had (of this run, or "
        "there before it); the seed says id is a unique identifier",
        exchange,
    )


def uri_is_own(resource: Resource, exchange: Exchange) -> None:
    """`uri` is absolute and names this very resource: `.../backends/failover/<its id>`."""
    uri = str(resource.get("uri", ""))
    parts = urlsplit(uri)
    own = f"{COLLECTION}/{resource.get('id')}"
    _require(
        bool(parts.scheme and parts.netloc) and parts.path.endswith(own) and not parts.query,
        Property.URI_IS_OWN,
        f"backend {resource.get('id')} has uri {uri!r}; the seed's uri is the absolute URL of "
        f"the resource, ending in {own}",
        exchange,
    )


def list_uri_is_collection(page: Resource, exchange: Exchange) -> None:
    """The list's `uri` is the absolute URL of the collection, without paging parameters."""
    uri = str(page.get("uri", ""))
    parts = urlsplit(uri)
    _require(
        bool(parts.scheme and parts.netloc) and parts.path.endswith(COLLECTION),
        Property.LIST_URI_IS_COLLECTION,
        f"the list's uri is {uri!r}; the seed's is the collection's absolute URL "
        f"(https://api.ngrok.com{COLLECTION})",
        exchange,
    )


# -- Paging ---------------------------------------------------------------------------------------


def page_within_limit(page: Resource, limit: int, exchange: Exchange) -> None:
    """A page holds at most `limit` backends (spec, listFailoverBackends)."""
    count = len(page.get("backends") or [])
    _require(
        count <= limit,
        Property.LIMIT_IS_HONOURED,
        f"asked for limit={limit} and got {count} backends on one page",
        exchange,
    )


def next_page_uri_absolute(page: Resource, exchange: Exchange) -> None:
    """`next_page_uri` is an absolute URL a client can follow verbatim, or null."""
    uri = page.get("next_page_uri")
    parts = urlsplit(str(uri))
    _require(
        uri is None or bool(parts.scheme and parts.netloc and parts.path.endswith(COLLECTION)),
        Property.NEXT_PAGE_URI_IS_ABSOLUTE,
        f"next_page_uri is {uri!r}; ngrok's clients follow it verbatim, so it must be the "
        f"absolute URL of the collection ({COLLECTION}?before_id=...)",
        exchange,
    )


def empty_page_is_last(page: Resource, exchange: Exchange) -> None:
    """A page with no backends is the last one: its `next_page_uri` is null.

    The seed says next_page_uri is null "if there is no next page"; a page without backends
    cannot be followed by more (they would be on it). Whether pages before the last are full
    is not documented, so it is not asserted.
    """
    count = len(page.get("backends") or [])
    _require(
        count > 0 or page.get("next_page_uri") is None,
        Property.LAST_PAGE_HAS_NULL_NEXT,
        f"an empty page has next_page_uri {page.get('next_page_uri')!r}; the seed says it is "
        "null when there is no next page",
        exchange,
    )


def page_not_revisited(url: str, visited: Collection[str], exchange: Exchange) -> None:
    """Following `next_page_uri` never leads back to a page already read (a page loop)."""
    _require(
        url not in visited,
        Property.NO_PAGE_LOOP,
        f"next_page_uri leads back to {url}, a page already read: a client following it "
        "would loop forever",
        exchange,
    )


def list_ends(pages_read: int, max_pages: int, exchange: Exchange) -> None:
    """A list of at most N backends ends within N / limit pages (plus slack)."""
    _require(
        pages_read <= max_pages,
        Property.NO_PAGE_LOOP,
        f"read {pages_read} pages and next_page_uri is still not null, more than the backends "
        "that exist can fill: the list never ends",
        exchange,
    )


def listed_once(backend_id: str, seen: Collection[str], exchange: Exchange) -> None:
    """Across all pages each backend appears once."""
    _require(
        backend_id not in seen,
        Property.LISTED_EXACTLY_ONCE,
        f"{backend_id} appears on more than one page (or twice on one)",
        exchange,
    )


def live_backends_listed(missing: Sequence[str], exchange: Exchange) -> None:
    """Every live backend appears in the list, across its pages."""
    _require(
        not missing,
        Property.EVERY_EXISTING_BACKEND_LISTED,
        f"after reading every page, these backends that exist were never listed: {list(missing)}",
        exchange,
    )


def _instant(stamp: str) -> datetime | None:
    """An RFC 3339 timestamp as an instant: any offset, any fraction of a second (only whole
    seconds and `Z` are what ngrok's examples show; the docs say RFC 3339). None when it is
    malformed: the schema checks say what is wrong with it."""
    try:
        instant = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _later(instants: Sequence[datetime | None], i: int) -> bool:
    this, before = instants[i], instants[i - 1]
    return this is not None and before is not None and this > before


def newest_first(listed: Sequence[Resource], ex: Exchange) -> None:
    """Backends are listed newest first: `created_at` never increases down the list.

    ngrok's ids are KSUIDs (whole seconds, then random bits), so two backends made in the
    same second may come in either order: only `created_at` is compared, as instants (ngrok
    docs: list "newest first", created_at RFC 3339; `spec/facts.yaml`).
    """
    stamps = [str(item.get("created_at")) for item in listed]
    instants = [_instant(stamp) for stamp in stamps]
    later = next((i for i in range(1, len(instants)) if _later(instants, i)), None)
    _require(
        later is None,
        Property.LIST_IS_NEWEST_FIRST,
        "the list is not newest first: "
        + (
            f"{listed[later].get('id')} (created {stamps[later]}) comes after "
            f"{listed[later - 1].get('id')} (created {stamps[later - 1]})"
            if later is not None
            else ""
        ),
        ex,
    )


# -- Delete and unknown ids -----------------------------------------------------------------------


def not_found(why: Property, exchange: Exchange) -> None:
    """An id that does not exist (deleted, or never created) answers 404."""
    _require(
        exchange.status == NOT_FOUND,
        why,
        f"{exchange.method} of a backend that does not exist answered {exchange.status}; "
        "the spec answers 404 (ERR_NGROK_6514)",
        exchange,
    )
    error_body_matches_status(exchange)


def deleted_not_listed(backend_id: str, listed: Collection[str], exchange: Exchange) -> None:
    """A deleted backend no longer appears in the list."""
    _require(
        backend_id not in listed,
        Property.DELETED_BACKEND_NOT_LISTED,
        f"{backend_id} was deleted (204) yet the list still has it",
        exchange,
    )


def error_body_matches_status(exchange: Exchange) -> None:
    """A 4xx or 5xx answer's JSON body says its own status in `status_code`, and has `msg`.

    ngrok's API page: every error body is an object with status_code (the HTTP status, an
    integer) and msg (a string); its Python client reads both (`spec/facts.yaml`,
    error_body). A body that is not JSON at all is the schema checks' concern.
    """
    body = exchange.json()
    if exchange.status < 400 or body is None:
        return
    fields = body if isinstance(body, dict) else {}
    code, msg = fields.get("status_code"), fields.get("msg")
    _require(
        type(code) is int and code == exchange.status and isinstance(msg, str),
        Property.ERROR_BODY_MATCHES_STATUS,
        f"an error answered HTTP {exchange.status} with status_code={code!r} and msg={msg!r}; "
        "ngrok's error body gives the HTTP status as status_code (an integer) and a msg string",
        exchange,
    )


def status_in(prop: Property, allowed: Collection[int], exchange: Exchange) -> None:
    """The request was answered with one of the statuses the seed or spec gives for it."""
    _require(
        exchange.status in allowed,
        prop,
        f"{exchange.method} answered {exchange.status}; expected one of {sorted(allowed)}",
        exchange,
    )
