"""Strings of a plain pattern drawn a piece a string (`drivers.patterns`), in place of
Schemathesis's draw of each character (`compat.draw_patterns_with`)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ngrok_failover_contract import compat
from ngrok_failover_contract.compat import Alphabet
from ngrok_failover_contract.core.spec import SPEC
from ngrok_failover_contract.drivers import patterns
from ngrok_failover_contract.drivers.schema import load_spec


def _spec_patterns() -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    return sorted(set(found))


SPEC_PATTERNS = _spec_patterns()
PLAIN = [p for p in SPEC_PATTERNS if patterns.plain_pieces(p) is not None]


def test_the_spec_s_ids_are_plain_and_its_other_patterns_are_left_to_schemathesis() -> None:
    assert "^bkdfo_[0-9A-Za-z]{27}$" in PLAIN and "^bkd[a-z]{2}_[0-9A-Za-z]{27}$" in PLAIN
    assert patterns.plain_pieces("^bkd[a-z]{2}_[0-9A-Za-z]{27}$") == (
        ("b", 1, 1),
        ("k", 1, 1),
        ("d", 1, 1),
        ("abcdefghijklmnopqrstuvwxyz", 2, 2),
        ("_", 1, 1),
        ("".join(sorted("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")), 27, 27),
    )
    assert "^(100|[1-9][0-9]?)$" not in PLAIN  # alternatives


@pytest.mark.parametrize(
    "pattern",
    [
        "bkdfo_[0-9]{3}$",  # not anchored at the start
        "^bkdfo_[0-9]{3}",  # nor at the end
        "^ERR_NGROK_[0-9]+$",  # unbounded
        "^[^a]{3}$",  # a negated class
        r"^\d{3}$",  # a category (Python and ECMA read \d otherwise)
        "^(ab){2}$",  # a group
        "^a.b$",  # any character
    ],
)
def test_any_other_pattern_is_not_plain(pattern: str) -> None:
    assert patterns.plain_pieces(pattern) is None


def test_a_flag_makes_a_pattern_not_plain() -> None:
    assert patterns.plain_pieces("^[a-z]{2}$", re.IGNORECASE) is None
    assert patterns.plain_pieces("^[a-z]{2}$", re.UNICODE) is not None
    assert patterns.plain_pieces("^[a-z]{2}$", re.ASCII) is not None  # as Schemathesis compiles


@settings(max_examples=200, database=None, deadline=None)
@given(data=st.data(), pattern=st.sampled_from(PLAIN))
def test_every_string_drawn_for_a_plain_pattern_matches_it(
    data: st.DataObject, pattern: str
) -> None:
    strategy = patterns.strategy_of(pattern, 0, lambda _: True)
    assert strategy is not None
    assert re.fullmatch(pattern.removesuffix("$") + r"\Z", data.draw(strategy))


def test_drawn_ids_differ_and_cover_the_class() -> None:
    strategy = patterns.strategy_of("^bkdfo_[0-9A-Za-z]{27}$", 0, lambda _: True)
    assert strategy is not None
    seen: set[str] = set()

    @settings(max_examples=100, database=None, deadline=None)
    @given(strategy)
    def draw(value: str) -> None:
        seen.add(value)

    draw()
    assert len(seen) > 50
    assert {c for value in seen for c in value[6:]} - set("0123456789") != set()


def test_a_class_the_alphabet_does_not_admit_whole_is_left_to_schemathesis() -> None:
    no_z = Alphabet(exclude_characters="z")
    assert compat._admits(Alphabet(), "z") and not compat._admits(no_z, "z")
    assert patterns.strategy_of("^[a-z]{2}$", 0, lambda c: compat._admits(no_z, c)) is None
    assert patterns.strategy_of("^[a-y]{2}$", 0, lambda c: compat._admits(no_z, c)) is not None


def test_schemathesis_draws_the_spec_s_patterns_through_it_once_the_spec_is_loaded() -> None:
    load_spec()
    from_pattern = compat.jsonschema_strategy._from_pattern
    load_spec()
    assert compat.jsonschema_strategy._from_pattern is from_pattern  # wrapped once only
    ctx: Any = SimpleNamespace(alphabet=Alphabet())  # what the draw reads of its context
    plain = from_pattern(re.compile(r"^bkdfo_[0-9A-Za-z]{27}\Z"), ctx)
    assert plain is patterns.strategy_of(r"^bkdfo_[0-9A-Za-z]{27}\Z", re.UNICODE, lambda _: True)
    other = from_pattern(re.compile(r"^(100|[1-9][0-9]?)\Z"), ctx)
    assert "from_regex" in repr(other)  # Schemathesis's own draw


def test_the_alphabet_is_read_as_schemathesis_4_30_names_it_too() -> None:
    """4.30 (the oldest the suite admits) has `allow_leading_whitespace` where 4.32 has
    `allow_surrounding_whitespace`; neither is there in the other."""
    older: Any = SimpleNamespace(
        allow_x00=True, codec="utf-8", max_codepoint=None, exclude_characters=""
    )
    assert compat._admits(older, " ")
    older.allow_leading_whitespace = False
    assert not compat._admits(older, " ") and compat._admits(older, "a")
    assert not compat._admits(Alphabet(allow_surrounding_whitespace=False), " ")
    assert not compat._admits(Alphabet(codec="ascii"), "é")
