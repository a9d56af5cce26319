"""Strings a plain pattern matches, drawn as a few strings rather than one choice a character.

The spec's ids are patterns such as `^bkdfo_[0-9A-Za-z]{27}$`. Schemathesis draws a pattern's
strings with Hypothesis's `from_regex`, which draws each repeated character on its own: 27
choices an id, and a quarter of the link state machine's time in a quick run (docs/
benchmarks.md, section 7). A pattern made only of literals and character classes, each
repeated a bounded number of times, between `^` and `$`, matches exactly the strings of
those pieces in turn, so each piece is drawn as one string (`st.text` of its class) and the
strings joined. Any other pattern (alternatives, groups, unbounded repeats, flags, a class
the run's alphabet does not admit whole) is left to Schemathesis (`compat.draw_patterns_with`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

# Python's own reading of a pattern (`sre_parse`, deprecated, is its alias since 3.11).
from re import _constants as sre
from re import _parser as sre_parse

from hypothesis import strategies as st

# A repeat longer than this is not a plain piece (`+`, `*`: unbounded).
MAX_REPEAT = 1000
_STARTS = ((sre.AT, sre.AT_BEGINNING), (sre.AT, sre.AT_BEGINNING_STRING))
_ENDS = ((sre.AT, sre.AT_END), (sre.AT, sre.AT_END_STRING))
# (characters, fewest, most): one piece of a plain pattern.
Piece = tuple[str, int, int]


@cache
def plain_pieces(pattern: str, flags: int = 0) -> tuple[Piece, ...] | None:
    """The pieces a plain pattern is made of, in order; None for any other pattern."""
    if flags & ~(re.UNICODE | re.ASCII):  # those two change only what classes such as \d read
        return None
    try:
        items = list(sre_parse.parse(pattern, flags))
    except re.error:
        return None
    if len(items) < 2 or items[0] not in _STARTS or items[-1] not in _ENDS:
        return None
    pieces: list[Piece] = []
    for op, value in items[1:-1]:
        fewest, most, element = 1, 1, (op, value)
        if op is sre.MAX_REPEAT:
            fewest, most, repeated = value
            inner = list(repeated)
            if most > MAX_REPEAT or len(inner) != 1:
                return None
            element = inner[0]
        characters = _class(*element)
        if characters is None:
            return None
        pieces.append((characters, fewest, most))
    return tuple(pieces)


def _class(op: object, value: object) -> str | None:
    """The characters of one literal or one class of literals and ranges (no negation, no
    category such as `\\d`, whose reading differs between Python and ECMA)."""
    if op is sre.LITERAL and isinstance(value, int):
        return chr(value)
    if op is not sre.IN or not isinstance(value, list):
        return None
    characters: set[str] = set()
    for kind, item in value:
        if kind is sre.LITERAL:
            characters.add(chr(item))
        elif kind is sre.RANGE:
            characters.update(chr(code) for code in range(item[0], item[1] + 1))
        else:
            return None
    return "".join(sorted(characters))


def strategy_of(
    pattern: str, flags: int, admits: Callable[[str], bool]
) -> st.SearchStrategy[str] | None:
    """The strings `pattern` matches, a piece a string, when it is plain and `admits` (the
    run's alphabet) takes every character it names; else None."""
    pieces = plain_pieces(pattern, flags)
    if pieces is None or not all(admits(c) for characters, _, _ in pieces for c in characters):
        return None
    return _joined(pieces)


@cache
def _joined(pieces: tuple[Piece, ...]) -> st.SearchStrategy[str]:
    drawn = [
        st.just(characters)  # a literal: nothing to choose
        if (fewest, most, len(characters)) == (1, 1, 1)
        else st.text(alphabet=characters, min_size=fewest, max_size=most)
        for characters, fewest, most in pieces
    ]
    return st.tuples(*drawn).map("".join)
