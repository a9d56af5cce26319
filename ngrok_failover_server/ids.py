"""Ids that sort by creation: `bkdfo_` + 27 base62 characters, like ngrok's KSUIDs.

A KSUID is 4 bytes of seconds since 2014-05-13 then 16 random bytes, written in
base62 with the alphabet in ASCII order, so string order is numeric order.
"""

from __future__ import annotations

import secrets
import threading
import time

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KSUID_EPOCH = 1_400_000_000  # the KSUID spec's epoch
KSUID_LEN = 27
_PAYLOAD_BITS = 128


def encode_base62(value: int, width: int = KSUID_LEN) -> str:
    chars = []
    while value:
        value, digit = divmod(value, 62)
        chars.append(BASE62[digit])
    return "".join(reversed(chars)).rjust(width, "0")


def decode_base62(text: str) -> int:
    value = 0
    for char in text:
        value = value * 62 + BASE62.index(char)
    return value


class IdGenerator:
    """Monotonic KSUID-like ids: two ids made in the same second still sort by creation.

    Thread-safe. `after` seeds it with the greatest id already stored, so ids made
    after a restart sort after the stored ones even if the clock went back.
    """

    def __init__(self, prefix: str, after: str | None = None) -> None:
        self._prefix = prefix
        self._last = decode_base62(after[len(prefix) :]) if after else 0
        self._lock = threading.Lock()

    def new(self, now: float | None = None) -> tuple[str, int]:
        """A new id and its creation time in whole seconds since the Unix epoch."""
        seconds = int(time.time() if now is None else now)
        value = (max(seconds - KSUID_EPOCH, 0) << _PAYLOAD_BITS) | secrets.randbits(_PAYLOAD_BITS)
        with self._lock:
            if value <= self._last:
                value = self._last + 1  # same second (or clock went back): keep order
            self._last = value
        created = (value >> _PAYLOAD_BITS) + KSUID_EPOCH
        return self._prefix + encode_base62(value), created


def operation_id() -> str:
    """An `op_` id for an error's details, as ngrok gives one per request."""
    return "op_" + encode_base62(secrets.randbits(159))
