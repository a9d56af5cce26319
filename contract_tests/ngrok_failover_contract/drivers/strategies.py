"""Hypothesis strategies for the bodies a client may send (valid by the spec)."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from ..core.api import DESCRIPTION_MAX, METADATA_MAX

# Any Unicode text a JSON body can carry (no lone surrogates: UTF-8 cannot encode them).
_chars = st.characters(codec="utf-8")

# Pieces a server that normalises or re-encodes text would change: each must read back as sent.
NORMALISABLE = (
    "e\u0301",  # e and a combining acute (NFD): NFC composes them to U+00E9
    "\u00e9",  # the same letter precomposed (NFC): NFD splits it
    "\u212b",  # ANGSTROM SIGN: NFC replaces it with U+00C5
    "\u1100\u1161",  # Hangul jamo: NFC composes them to one syllable
    "a\u0308\u0323",  # two combining marks out of canonical order
    "\u0301",  # a combining mark on whatever comes before it
    "\ufb01",  # a compatibility ligature: NFKC spells it out
)
# Outside the Basic Multilingual Plane: surrogate pairs in UTF-16, 4 bytes in UTF-8.
ASTRAL = ("\U0001f600", "\U00010348", "\U0001f469\u200d\U0001f4bb")
# Whitespace a server that trims would drop at either end of the text.
EDGE_SPACE = (" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000")

_piece = st.sampled_from(NORMALISABLE + ASTRAL)
_edge = st.sampled_from(("", *EDGE_SPACE))


def _spliced(filler: st.SearchStrategy[str], frame: str = "{}") -> st.SearchStrategy[str]:
    """Tricky pieces with `filler` between them, put in `frame`, with edge whitespace or none."""
    middle = st.lists(st.tuples(_piece, filler).map("".join), min_size=1, max_size=4)
    return st.builds(
        lambda lead, pieces, trail: lead + frame.format("".join(pieces)) + trail,
        _edge,
        middle,
        _edge,
    )


def _long_spliced(max_size: int) -> st.SearchStrategy[str]:
    """Near the limit as well: a piece and edge whitespace around long text (under the limit)."""
    body = st.text(_chars, min_size=max_size - 48, max_size=max_size - 8)
    return st.builds(
        lambda lead, piece, text, trail: lead + piece + text + trail, _edge, _piece, body, _edge
    )


def _text(max_size: int) -> st.SearchStrategy[str]:
    """Any valid text, and on purpose (5 branches in 8) the forms a careless server changes.

    Hypothesis picks a branch uniformly, so the tricky forms are most of the branches, and
    they come first (the simplest text, which Hypothesis tries first, is an "e" and a
    combining acute): each profile's few examples still send them.
    """
    json_safe = st.characters(codec="ascii", exclude_characters='"\\')
    return st.one_of(
        _spliced(st.text(_chars, max_size=4)),
        # Whitespace and JSON are data too: they must come back byte for byte.
        _spliced(st.text(json_safe, max_size=6), frame='{{"k": "{}"}}'),
        st.lists(st.sampled_from(EDGE_SPACE), min_size=1, max_size=3).map("".join),
        st.just(""),
        st.text(_chars, max_size=20),
        st.text(_chars, min_size=max_size - 40, max_size=max_size),  # near the limit
        _long_spliced(max_size),
        st.text(_chars, max_size=max_size),
    )


descriptions = _text(DESCRIPTION_MAX)
metadata = _text(METADATA_MAX)


def children(pool: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Distinct child ids from the known pool, in any order."""
    return st.permutations(list(pool)).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda n: order[:n])
    )


# Cached by pool: a machine draws its bodies from its run's children at run time.
@cache
def create_bodies(pool: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"backends": children(pool)},
        optional={"description": descriptions, "metadata": metadata},
    )


@cache
def update_bodies(pool: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the fields; `"backends": []` is drawn often (it must clear the children)."""
    return st.fixed_dictionaries(
        {},
        optional={
            "description": descriptions,
            "metadata": metadata,
            "backends": st.one_of(st.just([]), children(pool)),
        },
    )
