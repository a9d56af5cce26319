"""The API's validation rules, in one place: limits, id forms and body parsing.

Nothing here knows HTTP or storage: a body is parsed into a `NewBackend` or a
`BackendPatch`, or a `RuleViolation` says which rule it broke and which field.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

# Characters, not bytes: the project's choice (ngrok documents no number for backends).
DESCRIPTION_MAX = 255
METADATA_MAX = 4096
# ngrok refuses too many children (ERR_NGROK_6513) without a number; 100 keeps a page of
# 100 backends under 400 KB of child ids.
CHILDREN_MAX = 100

LIMIT_MIN = 1
LIMIT_MAX = 100
LIMIT_DEFAULT = 100

FAILOVER_PREFIX = "bkdfo_"
# `\Z`-free fullmatch: `$` would accept a trailing newline.
FAILOVER_ID_RE = re.compile(r"bkdfo_[0-9A-Za-z]{27}")
BACKEND_ID_RE = re.compile(r"bkd[a-z]{2}_[0-9A-Za-z]{27}")
LIMIT_RE = re.compile(r"100|[1-9][0-9]?")

FIELDS = ("description", "metadata", "backends")
# ngrok's OpenAPI file declares the path's id in the update body too (ngrok's JavaScript
# client sends it); it never changes, so it must be the path's own.
UPDATE_FIELDS = ("id", *FIELDS)


class Rule(enum.Enum):
    """Which rule a body broke; the HTTP layer maps each to an ngrok error code."""

    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_VALUE = "invalid_value"
    DESCRIPTION_TOO_LONG = "description_too_long"
    METADATA_TOO_LONG = "metadata_too_long"
    TOO_MANY_CHILDREN = "too_many_children"


class RuleViolation(Exception):
    """A request body broke `rule` at `field`; `message` says how, for a person."""

    def __init__(self, rule: Rule, field: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class NewBackend:
    """The fields of a backend to create."""

    description: str = ""
    metadata: str = ""
    backends: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BackendPatch:
    """The fields of an update; `None` means absent, so the stored value stays."""

    description: str | None = None
    metadata: str | None = None
    backends: tuple[str, ...] | None = None


def is_failover_id(value: str) -> bool:
    return FAILOVER_ID_RE.fullmatch(value) is not None


def is_backend_id(value: str) -> bool:
    return BACKEND_ID_RE.fullmatch(value) is not None


def parse_limit(value: str | None) -> int | None:
    """The page size from the `limit` query value; None if it is not 1..100."""
    if value is None:
        return LIMIT_DEFAULT
    if LIMIT_RE.fullmatch(value) is None:
        return None
    return int(value)


def parse_create(body: object) -> NewBackend:
    """A create body as a `NewBackend`; `backends` is required (the spec says so)."""
    fields = _parse_fields(body)
    if "backends" not in fields:
        raise RuleViolation(Rule.INVALID_VALUE, "backends", "backends: required field is missing")
    return NewBackend(**fields)


def parse_update(body: object, backend_id: str) -> BackendPatch:
    """An update body of the backend `backend_id` as a `BackendPatch`: absent fields stay
    None. An `id` must be `backend_id` itself (ngrok documents no answer to another: this
    server refuses it rather than guess which backend was meant)."""
    fields = _parse_fields(body, UPDATE_FIELDS)
    if "id" in fields:
        given = fields.pop("id")
        if given != backend_id:
            raise RuleViolation(
                Rule.INVALID_VALUE,
                "id",
                f"id: {given[:80]!r} is not the id in the path ({backend_id}); "
                "an update cannot change a backend's id (leave id out)",
            )
    return BackendPatch(**fields)


def _parse_fields(body: object, known: tuple[str, ...] = FIELDS) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise RuleViolation(
            Rule.NOT_AN_OBJECT, "", f"the body must be a JSON object, not {_json_type(body)}"
        )
    for name in body:
        if name not in known:
            raise RuleViolation(
                Rule.UNKNOWN_FIELD, name, f"unknown field {name!r}; known fields: {known}"
            )
    fields: dict[str, Any] = {}
    if "id" in body:
        fields["id"] = _text(body["id"], "id", None)
    if "description" in body:
        fields["description"] = _text(body["description"], "description", DESCRIPTION_MAX)
    if "metadata" in body:
        fields["metadata"] = _text(body["metadata"], "metadata", METADATA_MAX)
    if "backends" in body:
        fields["backends"] = _children(body["backends"])
    return fields


def _text(value: object, field: str, max_len: int | None) -> str:
    if not isinstance(value, str):
        raise RuleViolation(
            Rule.INVALID_VALUE, field, f"{field}: must be a string, not {_json_type(value)}"
        )
    _require_unicode(value, field)
    if max_len is not None and len(value) > max_len:
        rule = Rule.DESCRIPTION_TOO_LONG if field == "description" else Rule.METADATA_TOO_LONG
        raise RuleViolation(
            rule, field, f"{field}: {len(value)} characters, more than the {max_len} allowed"
        )
    return value


def _children(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise RuleViolation(
            Rule.INVALID_VALUE,
            "backends",
            f"backends: must be an array of backend ids, not {_json_type(value)}",
        )
    if len(value) > CHILDREN_MAX:
        raise RuleViolation(
            Rule.TOO_MANY_CHILDREN,
            "backends",
            f"backends: {len(value)} children, more than the {CHILDREN_MAX} allowed",
        )
    for i, child in enumerate(value):
        field = f"backends[{i}]"
        if not isinstance(child, str):
            raise RuleViolation(
                Rule.INVALID_VALUE,
                field,
                f"{field}: must be a backend id string, not {_json_type(child)}",
            )
        if not is_backend_id(child):
            raise RuleViolation(
                Rule.INVALID_VALUE,
                field,
                f"{field}: {child[:80]!r} is not a backend id "
                "('bkd', two letters, '_' and 27 base62 characters)",
            )
    return tuple(value)


def _require_unicode(value: str, field: str) -> None:
    # json.loads lets lone surrogates ("\ud800") through; they cannot be stored or sent.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RuleViolation(
            Rule.INVALID_VALUE, field, f"{field}: contains a lone surrogate, not valid Unicode"
        ) from None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
