"""What names the same thing on the two sides of a comparison: backend ids (paired by the
creates that made them, the anchors and given children by position), the run markers, the
API keys. A request of the base side becomes the other side's by these; an answer of the
other side is read in the base side's names before the two are compared.

Ids no create paired (made up, foreign, refused on one side only) are sent as they are; an
id one edit from a paired one (a near miss) becomes the same edit of its counterpart, so that
a server finding backends under near misses shows it on both sides alike.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..core.api import BACKEND_ID_RE, BASE62, FAILOVER_PREFIX
from ..drivers.nearmiss import ID_TAIL
from .keys import key_form, with_key


@dataclass(frozen=True, slots=True)
class Names:
    """How one side names what the run made: its run marker and its API key."""

    marker: str
    key: str = field(repr=False)


@dataclass
class Correspondence:
    """The base side's names and the other side's, both ways; thread-safe."""

    base: Names
    other: Names
    _to_other: dict[str, str] = field(default_factory=dict, repr=False)
    _to_base: dict[str, str] = field(default_factory=dict, repr=False)
    _near: dict[str, str] = field(default_factory=dict, repr=False)  # near misses, derived
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pair(self, base_id: str, other_id: str) -> None:
        """`base_id` and `other_id` name the same backend (made by one paired create)."""
        with self._lock:
            self._to_other[base_id] = other_id
            self._to_base[other_id] = base_id

    def other_of(self, base_id: str) -> str | None:
        """The other side's id of a paired backend, or None."""
        return self._to_other.get(base_id)

    def base_of(self, other_id: str) -> str | None:
        return self._to_base.get(other_id)

    @property
    def paired(self) -> dict[str, str]:
        """Every pair, base id to other id."""
        with self._lock:
            return dict(self._to_other)

    # -- requests: the base side's, as the other side's -----------------------------------

    def to_other(self, text: str) -> str:
        """`text` (a URL, a body) with the base side's ids and marker the other side's."""
        text = BACKEND_ID_RE.sub(lambda m: self._other_id(m.group(0)), text)
        return text.replace(self.base.marker, self.other.marker)

    def url_to_other(self, url: str, base_url: str, other_url: str) -> str:
        """An absolute URL of the base side (its base URL, or another host a next page named)
        as the same path and query under the other side's base URL."""
        parts = urlsplit(url)
        base_path = urlsplit(base_url).path.rstrip("/")
        path = parts.path.removeprefix(base_path) if base_path else parts.path
        rest = path + (f"?{parts.query}" if parts.query else "")
        return other_url.rstrip("/") + self.to_other(rest)

    def auth_to_other(self, value: str | None) -> str | None:
        """The other side's `Authorization` of the same form (its own key, or none)."""
        return with_key(key_form(value, self.base.key), self.other.key)

    def _other_id(self, base_id: str) -> str:
        with self._lock:
            found = self._to_other.get(base_id) or self._near.get(base_id)
            if found is None:
                found = self._derived(base_id)
                if found is not None:
                    self._near[base_id] = found
                    self._to_base.setdefault(found, base_id)
        return found or base_id

    def _derived(self, near: str) -> str | None:
        """The same edit of the counterpart of the paired id `near` is one edit from (any
        letter case, or one character), or None when it is near none."""
        for base_id, other_id in self._to_other.items():
            if _edits(base_id, near) and len(other_id) == len(base_id):
                return _same_edit(base_id, near, other_id)
        return None

    # -- answers: the other side's, in the base side's names ------------------------------

    def to_base(self, text: str) -> str:
        """`text` of the other side with its ids and marker the base side's."""
        text = BACKEND_ID_RE.sub(lambda m: self._to_base.get(m.group(0), m.group(0)), text)
        return text.replace(self.other.marker, self.base.marker)


def _edits(original: str, near: str) -> bool:
    """Whether `near` is `original` in another letter case, or with one character changed."""
    if len(original) != len(near) or original == near:
        return False
    if original.lower() == near.lower():
        return True
    return sum(map(str.__ne__, original, near)) == 1


def _same_edit(original: str, near: str, counterpart: str) -> str:
    """`counterpart` with the edit that made `near` of `original`, position by position: a
    letter's case changed changes the counterpart's (or changes it, when it has no case), any
    other character changed changes the counterpart's too."""
    prefix, cut = len(FAILOVER_PREFIX), len(original) - ID_TAIL
    if near[prefix:cut] == original[prefix:cut].swapcase() and near[cut:] == original[cut:]:
        # The case of the whole id but its tail (`near_miss_id`): the same of its counterpart.
        return counterpart[:prefix] + counterpart[prefix:cut].swapcase() + counterpart[cut:]
    chars = list(counterpart)
    for i, (was, now) in enumerate(zip(original, near, strict=True)):
        if i < prefix or was == now:
            continue
        mine = counterpart[i]
        if now == was.swapcase() and mine.isalpha():
            chars[i] = mine.swapcase()
        else:
            chars[i] = now if now != mine and now in BASE62 else _another(mine)
    return "".join(chars)


def _another(char: str) -> str:
    return BASE62[(BASE62.index(char) + 1) % len(BASE62)] if char in BASE62 else "0"
