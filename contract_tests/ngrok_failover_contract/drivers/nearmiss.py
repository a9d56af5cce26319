"""Near misses: a key, or an id, one edit away from the real one.

A server that compares keys by prefix or without case, or looks ids up without case (a
database collation), lets these through; a conformant one refuses the key (401 or 403) and
finds no backend under the id (404). Ids are case-sensitive base62 (spec: FailoverBackendId),
so two backends may differ only in case.
"""

from __future__ import annotations

import random
import secrets

from ..core.api import BASE62, FAILOVER_PREFIX
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
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


def near_miss_key(key: str, edit: str) -> str:
    """The `Authorization` value of a near miss of `key` (never the key itself)."""
    if edit == "appended":
        return f"Bearer {key}x"
    if edit == "truncated":
        return f"Bearer {key[:-1]}"
    if edit == "changed":
        last = key[-1]
        return f"Bearer {key[:-1]}{'a' if last != 'a' else 'b'}"
    if edit == "case":
        flipped = key.swapcase()
        return f"Bearer {flipped if flipped != key else key + 'X'}"
    if edit == "inner space":
        middle = len(key) // 2
        return f"Bearer {key[:middle]} {key[middle:]}"
    if edit == "scheme":
        return f"Token {key}"
    if edit == "doubled":
        return f"Bearer {key}{key}"
    raise ValueError(f"no key edit {edit!r}; known: {', '.join(KEY_EDITS)}")


def near_miss_id(backend_id: str, edit: str, rng: random.Random) -> str | None:
    """A well-formed failover id one edit from `backend_id` (the 27 characters after the
    prefix only), or None when the edit leaves it unchanged (an id with no letter)."""
    prefix, rest = backend_id[: len(FAILOVER_PREFIX)], backend_id[len(FAILOVER_PREFIX) :]
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
    return None if edited == rest else prefix + edited


def send_with_near_miss(ledger: Ledger, method: str, url: str, body: object, edit: str) -> Exchange:
    """Send a request with a near miss of the run's key (judged by the model). When it is
    let in, the same request with a random key tells the two faults apart: any key at all
    let in is `ignored_auth`, only a near one `near_miss_key_refused`."""
    client = ledger.client
    headers = {**client.headers, "Authorization": near_miss_key(client.api_key, edit)}
    try:
        return ledger.request(method, url, body, headers=headers)
    except ContractViolation as violation:
        if violation.prop is Property.NEAR_MISS_KEY_REFUSED:
            other = {**headers, "Authorization": f"Bearer {secrets.token_urlsafe(16)}"}
            ledger.request(method, url, body, headers=other)
        raise
