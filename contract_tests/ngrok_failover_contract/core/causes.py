"""An exception's chain: what raised it, and what was being handled when it was raised."""

from __future__ import annotations

from collections.abc import Callable


def cause_of(
    error: BaseException, matches: Callable[[BaseException], bool]
) -> BaseException | None:
    """The first of `error`, its causes and its contexts that `matches`, if one does."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if matches(current):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
