"""An `Authorization` header as a form relative to the run's key, so that the other side gets
the same kind of header with its own key, and a recording holds no key at all.

A side's key never reaches the other side, nor a file: a header naming the key (or a near miss
of it, `drivers.nearmiss`) is kept as its form, and one that only resembles the key in a way
no form describes becomes a fixed key that is no key of anyone's.
"""

from __future__ import annotations

import json

from ..drivers.nearmiss import KEY_EDITS, near_miss_key

# Where the other side's key is read from (never a flag, so it never shows in a command).
OTHER_SIDE_KEY_ENV = "OTHER_NGROK_API_KEY"
# What a header resembling the key in no known way becomes: refused by every server.
FOREIGN_KEY = "Bearer contract-compare-no-such-key"
# A key this short could turn up in any header by chance: its parts are not looked for.
MIN_RESEMBLED = 8


def key_form(value: str | None, key: str) -> str | None:
    """`value` (an Authorization header, None: absent) as a form: `edit:<near miss>`,
    `parts:<JSON list>` around each occurrence of `key`, `foreign`, or `literal:<value>`."""
    if value is None:
        return None
    for edit in KEY_EDITS:
        if value == near_miss_key(key, edit):
            return f"edit:{edit}"
    if key and key in value:
        return "parts:" + json.dumps(value.split(key))
    if _resembles(value, key):
        return "foreign"
    return "literal:" + value


def with_key(form: str | None, key: str) -> str | None:
    """The header `form` stands for, with `key`."""
    if form is None:
        return None
    kind, _, rest = form.partition(":")
    if kind == "edit":  # an edit with nothing to work on in this key: still no key
        return near_miss_key(key, rest) or FOREIGN_KEY
    if kind == "parts":
        parts: list[str] = json.loads(rest)
        return key.join(parts)
    if kind == "foreign":
        return FOREIGN_KEY
    return rest


def _resembles(value: str, key: str) -> bool:
    """Whether `value` holds a good part of `key` (in any case): it must not leave the run."""
    if len(key) < MIN_RESEMBLED:
        return False
    lowered, half = value.lower(), len(key) // 2
    return any(part.lower() in lowered for part in (key[:half], key[half:], key))
