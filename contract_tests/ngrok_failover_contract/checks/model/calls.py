"""A request as the model reads it: which operation, on what, with what, breaking which rules.

Built from what went on the wire (an Exchange, whoever sent it: the suite's own client or
Schemathesis), so the model judges every request of a run the same way.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ...core.api import COLLECTION, ITEM_PATH_RE, is_collection
from ...core.exchange import Exchange
from ..documented import ABSENT, Break, Sent, request_breaks, spec_breaks


class Op(enum.StrEnum):
    CREATE = "createFailoverBackend"
    LIST = "listFailoverBackends"
    GET = "getFailoverBackend"
    UPDATE = "updateFailoverBackend"
    DELETE = "deleteFailoverBackend"
    OTHER = "other"  # a path or method the API does not have


class Key(enum.Enum):
    VALID = "valid"
    MISSING = "missing"
    NEAR = "near"  # one edit from the run's key: its case, a character more or less, a space
    REFUSED = "refused"  # any other key (or scheme)


UNPARSEABLE = object()  # a body that is not JSON (or not UTF-8)
_ITEM_TEMPLATE = COLLECTION + "/{id}"
_METHODS = {
    ("collection", "GET"): Op.LIST,
    ("collection", "POST"): Op.CREATE,
    ("item", "GET"): Op.GET,
    ("item", "PATCH"): Op.UPDATE,
    ("item", "DELETE"): Op.DELETE,
}


@dataclass(frozen=True)
class Call:
    op: Op
    target: str | None  # the path's id, as sent (an item operation)
    query: Mapping[str, str]
    body: Any  # the JSON value, ABSENT or UNPARSEABLE
    key: Key
    documented: tuple[Break, ...]  # the documented rules it breaks: a server must refuse it
    undocumented: tuple[Break, ...]  # rules only the spec states: it may be refused or not

    @property
    def fields(self) -> dict[str, Any]:
        """The body's fields, when it is an object."""
        return dict(self.body) if isinstance(self.body, dict) else {}


def key_of(headers: Mapping[str, str], key: str) -> Key:
    """`Authorization: Bearer <key>` (the scheme in any case, RFC 9110 11.1), or a refusal."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if value is None:
        return Key.MISSING
    scheme, _, token = value.partition(" ")
    token = token.strip(" \t")
    if scheme.lower() == "bearer" and token == key:
        return Key.VALID
    return Key.NEAR if _near(token, key) else Key.REFUSED


def _near(token: str, key: str) -> bool:
    """A near miss of `key`: it in another case, with more or less around it, or one
    character off (another scheme with the key itself counts too)."""
    if not token or not key:
        return False
    if token.lower() == key.lower() or key in token or (len(token) > 1 and token in key):
        return True
    squeezed = token.replace(" ", "")
    if squeezed == key:
        return True
    return len(token) == len(key) and sum(map(str.__ne__, token, key)) == 1


def call_of(exchange: Exchange, *, base_path: str, key: str) -> Call:
    """The model's reading of the request in `exchange` (its answer is not looked at)."""
    parts = urlsplit(exchange.url)
    path = unquote(parts.path).removeprefix(base_path.rstrip("/")) or "/"
    headers = {k.lower(): v for k, v in exchange.request_headers.items()}
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    match = ITEM_PATH_RE.fullmatch(path)
    where = "collection" if is_collection(path) and path.startswith(COLLECTION) else None
    where = "item" if match and path.startswith(COLLECTION + "/") else where
    op = _METHODS.get((where or "", exchange.method.upper()), Op.OTHER)
    target = match.group("id") if match else None
    body = _body(exchange.request_body)
    sent = Sent(
        method=exchange.method.upper(),
        path=_ITEM_TEMPLATE if where == "item" else COLLECTION if where else path,
        path_parameters={"id": target} if target is not None else {},
        query=query,
        headers=headers,
        body=body if body is not UNPARSEABLE else _Unparseable(),
        media_type=headers.get("content-type"),
    )
    documented = tuple(request_breaks(sent)) if op is not Op.OTHER else ()
    undocumented = tuple(b for b in spec_breaks(sent) if b not in documented)
    return Call(
        op=op,
        target=target,
        query=query,
        body=body,
        key=key_of(headers, key),
        documented=documented if op is not Op.OTHER else (Break("operation", "no such operation"),),
        undocumented=undocumented if op is not Op.OTHER else (),
    )


class _Unparseable:
    """Stands for a body that is not JSON: every schema rejects it."""


def _body(raw: str | None) -> Any:
    if raw is None or raw == "":
        return ABSENT
    try:
        return json.loads(raw)
    except ValueError:
        return UNPARSEABLE
