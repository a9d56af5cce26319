"""The API's shape as the suite needs it: paths, id forms, fields, limits, headers.

Limits, id forms and field names are the reference server's own (`ngrok_failover_server.rules`,
pinned to the spec by its tests): one definition for the server and the suite.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ngrok_failover_server.ids import BASE62
from ngrok_failover_server.rules import (
    BACKEND_ID_RE,
    DESCRIPTION_MAX,
    FAILOVER_ID_RE,
    FAILOVER_PREFIX,
    LIMIT_MAX,
    METADATA_MAX,
)
from ngrok_failover_server.rules import FIELDS as WRITABLE_FIELDS

__all__ = [
    "BACKEND_FIELDS",
    "BACKEND_ID_RE",
    "BASE62",
    "COLLECTION",
    "COLLECTION_PATH_RE",
    "DESCRIPTION_MAX",
    "FAILOVER_ID_RE",
    "FAILOVER_PREFIX",
    "ITEM_PATH_RE",
    "LIMIT_MAX",
    "METADATA_MAX",
    "WRITABLE_FIELDS",
    "auth_headers",
    "is_collection",
    "item_id",
    "json_or_none",
]

COLLECTION = "/backends/failover"
# One backend's path, whatever the base path before it; the id is any one segment.
ITEM_PATH_RE = re.compile(r"/backends/failover/(?P<id>[^/]+)$")
COLLECTION_PATH_RE = re.compile(r"/backends/failover/?$")
# The six fields of a backend in every answer (the seed's field table).
BACKEND_FIELDS = ("id", "uri", "created_at", "description", "metadata", "backends")


def auth_headers(api_key: str) -> dict[str, str]:
    """What every ngrok client sends: the bearer key and the API version."""
    return {"Authorization": f"Bearer {api_key}", "Ngrok-Version": "2"}


def item_id(path: str) -> str | None:
    """The id segment of `.../backends/failover/<id>`, or None for any other path."""
    match = ITEM_PATH_RE.search(path)
    return match.group("id") if match else None


def is_collection(path: str) -> bool:
    return COLLECTION_PATH_RE.search(path) is not None


def json_or_none(raw: str | bytes | None) -> Any:
    """A body parsed as JSON, or None when it is empty or not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:  # UnicodeDecodeError is one
        return None
