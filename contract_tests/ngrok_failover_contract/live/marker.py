"""The run marker: every backend the suite creates says which run made it, in `description`.

`description` because a person looking at their ngrok dashboard reads it; the marker comes
first, so truncating a long description to its limit never cuts it. Bodies are marked before
they are sent and the properties compare against what was sent, so read-back stays exact.
`make contract-cleanup` recognises leftovers of any run by `MARKER_RE` alone.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from ..core.api import DESCRIPTION_MAX

PREFIX = "[contract-suite run "
# A run id: when it started (UTC) and 6 random hex digits, e.g. 20261126T074746Z-3f2a9c.
MARKER_RE = re.compile(r"^\[contract-suite run (?P<run>\d{8}T\d{6}Z-[0-9a-f]{6})\]")


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def marker_of(run_id: str) -> str:
    return f"{PREFIX}{run_id}]"


def run_of(description: object) -> str | None:
    """The run id a description is marked with, or None if it carries no marker."""
    match = MARKER_RE.match(description) if isinstance(description, str) else None
    return match.group("run") if match else None


def mark_description(value: str, marker: str) -> str:
    """`value` behind the marker; a valid value stays within the limit, an invalid one stays over.

    Negative tests send descriptions over the limit on purpose: they must stay invalid.
    """
    marked = f"{marker} {value}" if value else marker
    return marked[:DESCRIPTION_MAX] if len(value) <= DESCRIPTION_MAX else marked


def mark_body(body: Any, marker: str, *, create: bool) -> Any:
    """The body to send: a create always carries the marker, an update keeps it if it names
    `description`. A body that is not an object, or whose description is not text, cannot
    create anything (the server must refuse it), so it is sent as it is.
    """
    if not isinstance(body, dict):
        return body
    description = body.get("description")
    if "description" not in body:
        return {"description": marker, **body} if create else body
    if isinstance(description, str) and not description.startswith(marker):
        return {**body, "description": mark_description(description, marker)}
    return body


def is_marked_or_inert(body: Any, marker: str, *, create: bool) -> bool:
    """What the gate demands of every create and update it lets through."""
    if not isinstance(body, dict):
        return True
    if "description" not in body:
        return not create
    description = body["description"]
    return not isinstance(description, str) or description.startswith(marker)
