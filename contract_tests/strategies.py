"""Hypothesis strategies for the bodies a client may send (valid by the spec)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .api import DESCRIPTION_MAX, METADATA_MAX

# Any Unicode text a JSON body can carry (no lone surrogates: UTF-8 cannot encode them).
_chars = st.characters(codec="utf-8")


def _text(max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(_chars, max_size=20),
        st.text(_chars, min_size=max_size - 40, max_size=max_size),  # near the limit
        st.text(_chars, max_size=max_size),
        # Whitespace and JSON inside are data too: they must come back byte for byte.
        st.builds(
            lambda s: f'  {{"k": "{s}"}}\n',
            st.text(st.characters(codec="ascii", exclude_characters='"\\'), max_size=30),
        ),
    )


descriptions = _text(DESCRIPTION_MAX)
metadata = _text(METADATA_MAX)


def children(pool: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Distinct child ids from the known pool, in any order."""
    return st.permutations(list(pool)).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda n: order[:n])
    )


def create_bodies(pool: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"backends": children(pool)},
        optional={"description": descriptions, "metadata": metadata},
    )


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
