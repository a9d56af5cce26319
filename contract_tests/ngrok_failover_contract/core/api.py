"""The API's shape as the suite needs it, read from the spec and its facts: paths, id forms,
fields, limits, headers. The reference server keeps its own copy (`ngrok_failover_server.
rules`); tests/contract/test_api.py holds the two readings to each other.
"""

from __future__ import annotations

import re
import string
from typing import Any

from .spec import rule, spec

__all__ = [
    "BACKEND_FIELDS",
    "BACKEND_ID_RE",
    "BASE62",
    "COLLECTION",
    "COLLECTION_PATH_RE",
    "DESCRIPTION_MAX",
    "FAILOVER_ID_RE",
    "FAILOVER_PREFIX",
    "ID_LENGTH",
    "ITEM_PATH_RE",
    "LIMIT_DEFAULT",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "METADATA_MAX",
    "VERSION_HEADER",
    "WRITABLE_FIELDS",
    "alphabet",
    "is_collection",
    "item_id",
]

_SCHEMAS: dict[str, Any] = spec()["components"]["schemas"]


def _unanchored(pattern: str) -> re.Pattern[str]:
    """A spec pattern (`^...$`) to search for inside a longer text or to fullmatch."""
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


def alphabet(ranges: str) -> str:
    """The characters of a character class's ranges ("0-9A-Za-z"), in that order."""
    chars = []
    for start, end in re.findall(r"(.)-(.)", ranges):
        chars += [chr(code) for code in range(ord(start), ord(end) + 1)]
    return "".join(chars)


def _operation_path(operation_id: str) -> str:
    for path, item in spec()["paths"].items():
        operations = [op for op in item.values() if isinstance(op, dict)]
        if any(op.get("operationId") == operation_id for op in operations):
            return str(path)
    raise LookupError(f"the spec has no operation {operation_id!r}")


FAILOVER_ID_RE = _unanchored(_SCHEMAS["FailoverBackendId"]["pattern"])
BACKEND_ID_RE = _unanchored(_SCHEMAS["BackendId"]["pattern"])
_ID_FORM = rule("failover_id_form")
FAILOVER_PREFIX: str = _ID_FORM["prefix"]
ID_LENGTH: int = _ID_FORM["length_after_prefix"]
BASE62 = alphabet(_ID_FORM["alphabet"])
assert set(BASE62) == set(string.digits + string.ascii_letters), BASE62

DESCRIPTION_MAX: int = _SCHEMAS["Description"]["maxLength"]
METADATA_MAX: int = _SCHEMAS["Metadata"]["maxLength"]
_PAGING = rule("paging_parameters")
LIMIT_MIN: int = _PAGING["limit_min"]
LIMIT_MAX: int = _PAGING["limit_max"]
LIMIT_DEFAULT: int = _PAGING["limit_default"]

# What a create and an update may write, and the six fields of a backend in every answer.
WRITABLE_FIELDS = tuple(str(name) for name in _SCHEMAS["FailoverBackendCreate"]["properties"])
BACKEND_FIELDS = tuple(str(name) for name in _SCHEMAS["FailoverBackend"]["required"])

_VERSION = rule("version_header")
VERSION_HEADER: tuple[str, str] = (_VERSION["header"], _VERSION["value"])

COLLECTION = _operation_path("createFailoverBackend")
# One backend's path, whatever the base path before it; the id is any one segment.
ITEM_PATH_RE = re.compile(re.escape(COLLECTION) + r"/(?P<id>[^/]+)$")
COLLECTION_PATH_RE = re.compile(re.escape(COLLECTION) + r"/?$")


def item_id(path: str) -> str | None:
    """The id segment of `.../backends/failover/<id>`, or None for any other path."""
    match = ITEM_PATH_RE.search(path)
    return match.group("id") if match else None


def is_collection(path: str) -> bool:
    return COLLECTION_PATH_RE.search(path) is not None
