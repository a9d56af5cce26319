"""Near misses: a key, or an id, one edit away from the real one.

A server that compares keys by prefix or without case, or looks ids up without case (a
database collation), lets these through; a conformant one refuses the key (401 or 403) and
finds no backend under the id (404). Ids are case-sensitive base62 (spec: FailoverBackendId),
so two backends may differ only in case.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.api import BASE62, COLLECTION, FAILOVER_PREFIX
from ..core.registry import ContractViolation, Property
from ..live.batch import Request

if TYPE_CHECKING:  # the command reads the key edits here (compare.keys), not the ledger
    from ..live.ledger import Ledger

KEY_EDITS = (
    "appended",  # the key and one more character: a prefix compare accepts it
    "truncated",  # the key less its last character
    "changed",  # one character of the key changed
    "case",  # the key in the other letter case
    "inner space",  # a space inside the key
    "scheme",  # the key under another scheme than Bearer
    "doubled",  # the key twice
)
ID_EDITS = ("case", "one case", "changed")


def near_miss_key(key: str, edit: str) -> str | None:
    """The `Authorization` value of a near miss of `key` (never the key itself), or None
    where the edit has nothing to work on (no inside to a one-character key)."""
    if edit == "appended":
        return f"Bearer {key}x"
    if edit == "truncated":
        return f"Bearer {key[:-1]}".rstrip()  # a header value ends in no space
    if edit == "changed":
        last = key[-1]
        return f"Bearer {key[:-1]}{'a' if last != 'a' else 'b'}"
    if edit == "case":
        flipped = key.swapcase()
        return f"Bearer {flipped if flipped != key else key + 'X'}"
    if edit == "inner space":
        if len(key) < 2:  # a space before it is only a longer separator (RFC 6750: 1*SP)
            return None
        middle = len(key) // 2
        return f"Bearer {key[:middle]} {key[middle:]}"
    if edit == "scheme":
        return f"Token {key}"
    if edit == "doubled":
        return f"Bearer {key}{key}"
    raise ValueError(f"no key edit {edit!r}; known: {', '.join(KEY_EDITS)}")


# The last characters of an id, which no edit touches: a conformant server may number the
# ids it makes in one second (the reference server's keep their order so), and those differ
# there; an edit there can name a real backend (an anchor, another shard's).
ID_TAIL = 6


def near_miss_id(backend_id: str, edit: str, rng: random.Random) -> str | None:
    """A well-formed failover id one edit from `backend_id` (in the 27 characters after the
    prefix, but their last `ID_TAIL`), or None when the edit leaves it unchanged (no
    letter to flip)."""
    cut = len(backend_id) - ID_TAIL
    prefix, rest = backend_id[: len(FAILOVER_PREFIX)], backend_id[len(FAILOVER_PREFIX) : cut]
    tail = backend_id[cut:]
    letters = [i for i, c in enumerate(rest) if c.isalpha()]
    if edit == "case":
        edited = rest.swapcase()
    elif edit == "one case":
        if not letters:
            return None
        i = rng.choice(letters)
        edited = rest[:i] + rest[i].swapcase() + rest[i + 1 :]
    elif edit == "changed":
        i = rng.randrange(len(rest))
        edited = rest[:i] + rng.choice([c for c in BASE62 if c != rest[i]]) + rest[i + 1 :]
    else:
        raise ValueError(f"no id edit {edit!r}; known: {', '.join(ID_EDITS)}")
    return None if edited == rest else prefix + edited + tail


def near_miss_headers(ledger: Ledger, edit: str) -> dict[str, str] | None:
    """The run's headers with a near miss of its key (None: the edit does not apply)."""
    client = ledger.client
    value = near_miss_key(client.api_key, edit)
    return None if value is None else {**client.headers, "Authorization": value}


def key_near_misses(ledger: Ledger, backend_id: str) -> list[Request]:
    """Each near miss of the run's key on each operation, `backend_id` the one to read,
    change and delete: the deletes last, so a wrong server's delete cannot change what the
    near misses before it are answered, whatever order they reach it in."""
    path = f"{COLLECTION}/{backend_id}"
    marked = ledger.client.marked
    asked: list[Request] = []
    deletes: list[Request] = []
    for edit in KEY_EDITS:
        headers = near_miss_headers(ledger, edit)
        if headers is None:
            continue
        asked += [
            Request("POST", COLLECTION, marked({"backends": []}, create=True), headers),
            Request("GET", COLLECTION, None, headers),
            Request("GET", path, None, headers),
            Request("PATCH", path, marked({"metadata": f"near miss {edit}"}), headers),
        ]
        deletes.append(Request("DELETE", path, None, headers))
    return asked + deletes


def id_near_misses(ledger: Ledger, backend_id: str) -> list[Request]:
    """A get, an update and a delete of each near miss of `backend_id` (each let through
    the gate: ids the run made up); the deletes last, as for keys."""
    rng = random.Random(ledger.seed)
    others = [near_miss_id(backend_id, edit, rng) for edit in ID_EDITS]
    asked: list[Request] = []
    deletes: list[Request] = []
    for other in others:
        if other is None:
            continue
        ledger.allow(other)
        path = f"{COLLECTION}/{other}"
        asked += [
            Request("GET", path),
            Request("PATCH", path, ledger.client.marked({"metadata": "near miss"})),
        ]
        deletes.append(Request("DELETE", path))
    return asked + deletes


def send_key_near_misses(ledger: Ledger, asked: Sequence[Request], workers: int) -> None:
    """Send near misses of the run's key, up to `workers` at a time, each judged by the
    model in their order (`Ledger.answers`). When one is let in, the same request with a
    random key tells the two faults apart: any key at all let in is `ignored_auth`, only a
    near one `near_miss_key_refused`."""
    for request, answer in zip(asked, ledger.answers(asked, workers), strict=True):
        try:
            ledger.judged(answer.exchange, answer.window, entered=answer.entered)
        except ContractViolation as violation:
            if violation.prop is Property.NEAR_MISS_KEY_REFUSED:
                other = {
                    **(request.headers or {}),
                    "Authorization": f"Bearer {secrets.token_urlsafe(16)}",
                }
                ledger.request(request.method, request.url, request.body, headers=other)
            raise


def send_with_near_miss(ledger: Ledger, method: str, url: str, body: object, edit: str) -> bool:
    """One request with a near miss of the run's key (`send_key_near_misses`); False: the
    edit does not apply to the key, and nothing was sent."""
    headers = near_miss_headers(ledger, edit)
    if headers is None:
        return False
    send_key_near_misses(ledger, [Request(method, url, body, headers)], workers=1)
    return True
