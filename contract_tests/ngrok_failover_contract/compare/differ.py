"""One pair of answers compared under the freedoms the documentation leaves.

The model of each side has judged its answer already (`judging`): what it allows is what the
suite's verdicts allow, freedoms included (401 or 403, 400 or 404, a text accepted or refused
by bytes, a cursor naming no backend, an undocumented constraint enforced or not). So:

- one side broke a property the other did not: a difference of that property's kind;
- both broke the same ones: a difference only if their statuses differ (`status`);
- both allowed, with different statuses: no difference (a documented freedom, or two worlds
  that parted by one), but the pair's backends are compared no more;
- both allowed with one status: the bodies field by field, after the other side's ids and
  marker are read as the base side's; free are any RFC 3339 instant (`created_at`), the
  host of a URI, error `msg` and `details`, fields neither documents, which backends a page
  holds and in what order (a shorter page, ties within a second). `error_code` is compared
  only when the request has one reason to be refused (with several, which is answered
  first is not documented).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..checks.model.calls import Call, Key, Op
from ..core.api import COLLECTION
from ..core.exchange import Exchange
from .judging import media_type

# The backend fields a client writes, compared exactly; `uri` by its path (its host is free).
WRITTEN_FIELDS = ("description", "metadata", "backends")


@dataclass(frozen=True, slots=True)
class Answer:
    """One side's answer in a pair: the exchange, what it broke (property -> message), and
    its JSON body in the base side's names (None: no JSON)."""

    exchange: Exchange
    broken: Mapping[str, str]
    body: Any


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the two sides answered unlike each other, of a kind (a property one side broke,
    or what differs: `status`, a field's name)."""

    kind: str
    operation: str
    message: str
    base: Exchange | None
    other: Exchange | None
    values: tuple[str, str] | None = None  # what each side showed, as text
    test: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    differences: list[Difference]
    # The two answers took different ways (a freedom, or a difference): the backends the pair
    # is about are compared no more, their states may have parted.
    parted: bool


Skip = Callable[[str], bool]  # a backend (base id) whose states parted already


def compare(operation: str, call: Call, base: Answer, other: Answer, *, skip: Skip) -> Outcome:
    """The differences between two answers to one request (`call`, as the base side read it)."""
    verdicts = verdict_differences(operation, base, other)
    if verdicts is not None:
        return Outcome(verdicts, parted=True)
    if base.exchange.status != other.exchange.status:
        return Outcome([], parted=True)
    found = _content_type(operation, base, other)
    found += body_differences(operation, call, base, other, skip=skip)
    return Outcome(found, parted=bool(found))


def verdict_differences(operation: str, base: Answer, other: Answer) -> list[Difference] | None:
    """Differences of verdict, or None when neither side broke anything."""
    if not base.broken and not other.broken:
        return None
    found = [
        _broken(operation, prop, "base", base, other)
        for prop in base.broken
        if prop not in other.broken
    ]
    found += [
        _broken(operation, prop, "other", other, base)
        for prop in other.broken
        if prop not in base.broken
    ]
    if not found and base.exchange.status != other.exchange.status:
        found.append(
            Difference(
                "status",
                operation,
                f"both sides broke {', '.join(base.broken)}, answering "
                f"{base.exchange.status} and {other.exchange.status}",
                base.exchange,
                other.exchange,
                (str(base.exchange.status), str(other.exchange.status)),
            )
        )
    return found


def _broken(operation: str, prop: str, side: str, broke: Answer, kept: Answer) -> Difference:
    others = ", ".join(kept.broken) or "nothing"
    message = (
        f"the {side} side broke {prop}: {broke.broken[prop]} (the "
        f"{'other' if side == 'base' else 'base'} side, answering {kept.exchange.status}, "
        f"broke {others})"
    )
    pair = (broke, kept) if side == "base" else (kept, broke)
    return Difference(prop, operation, message, pair[0].exchange, pair[1].exchange)


def _content_type(operation: str, base: Answer, other: Answer) -> list[Difference]:
    a, b = base.exchange, other.exchange
    if not (a.response_text and b.response_text) or media_type(a) == media_type(b):
        return []
    return [
        Difference(
            "content_type",
            operation,
            f"answered {a.status} as {media_type(a)!r} on the base side and "
            f"{media_type(b)!r} on the other",
            a,
            b,
            (media_type(a), media_type(b)),
        )
    ]


def body_differences(
    operation: str, call: Call, base: Answer, other: Answer, *, skip: Skip
) -> list[Difference]:
    """Field by field, for answers of one status both sides' models allowed."""
    a, b = base.body, other.body
    if not isinstance(a, dict) or not isinstance(b, dict):
        return []
    status = base.exchange.status
    if status >= 400:
        return _error_code(operation, call, base, other)
    if call.op is Op.LIST:
        return page_differences(operation, base, other, skip=skip)
    if call.op in (Op.CREATE, Op.GET, Op.UPDATE) and not skip(str(a.get("id"))):
        return [
            _field(operation, name, shown, base.exchange, other.exchange)
            for name, shown in backend_differences(a, b)
        ]
    return []


def page_differences(
    operation: str, base: Answer, other: Answer, *, skip: Skip
) -> list[Difference]:
    """The backends both pages (or walks) hold, each compared as a get's answer would be."""
    theirs = {str(item.get("id")): item for item in _items(other.body)}
    found = []
    for item in _items(base.body):
        backend_id = str(item.get("id"))
        counterpart = theirs.get(backend_id)
        if counterpart is None or skip(backend_id):
            continue
        found += [
            _field(operation, name, shown, base.exchange, other.exchange, backend_id=backend_id)
            for name, shown in backend_differences(item, counterpart)
        ]
    return found


def _items(page: Any) -> list[dict[str, Any]]:
    items = page.get("backends") if isinstance(page, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def backend_differences(
    a: Mapping[str, Any], b: Mapping[str, Any]
) -> list[tuple[str, tuple[str, str]]]:
    """The fields of one backend (both in the base side's names) that differ beyond the
    freedoms: what a client wrote, and the path of its `uri`."""
    found = [
        (name, shown(a.get(name), b.get(name)))
        for name in WRITTEN_FIELDS
        if a.get(name) != b.get(name)
    ]
    if uri_path(a.get("uri")) != uri_path(b.get("uri")):
        found.append(("uri", shown(a.get("uri"), b.get("uri"))))
    return found


def uri_path(uri: object) -> str:
    """A URI from the collection's path on (its scheme, host and base path are free)."""
    text = str(uri)
    at = text.find(COLLECTION)
    return text[at:] if at >= 0 else text


def _error_code(operation: str, call: Call, base: Answer, other: Answer) -> list[Difference]:
    a, b = base.body.get("error_code"), other.body.get("error_code")
    if a is None or b is None or a == b or not one_reason(call):
        return []  # error_body: error_code may be absent
    return [_field(operation, "error_code", shown(a, b), base.exchange, other.exchange)]


def one_reason(call: Call) -> bool:
    """Whether the request has at most one reason to be refused: then which error it gets is
    not a matter of which check a server makes first."""
    reasons = len(call.documented) + len(call.undocumented) + (call.key is not Key.VALID)
    return call.op is not Op.OTHER and reasons <= 1


def _field(
    operation: str,
    kind: str,
    values: tuple[str, str],
    base: Exchange,
    other: Exchange,
    *,
    backend_id: str | None = None,
) -> Difference:
    of = f" of {backend_id}" if backend_id else ""
    message = f"{kind}{of}: the base side answered {values[0]}, the other {values[1]}"
    return Difference(kind, operation, message, base, other, values)


def shown(a: object, b: object) -> tuple[str, str]:
    """Two values as Python literals, in ASCII escapes when they would print alike (a string
    and its Unicode normal form)."""
    first, second = repr(a), repr(b)
    if a != b and unicodedata.normalize("NFKC", first) == unicodedata.normalize("NFKC", second):
        return ascii(a), ascii(b)
    return first, second
