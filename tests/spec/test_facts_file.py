"""`spec/facts.yaml` gives a public source for every fact it records.

Each fact sits in a mapping with a `source:` below the top level; every source outside the
audit table's undocumented entries is an https URL listed under `sources:`, and every
listed source is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.spec_tools import FACTS_PATH, ROOT, facts

SECTIONS = ["operations", "resources", "rules", "error_codes", "official_spec", "constraints"]
KINDS = {"rule", "observation", "gap"}
SOURCES: dict[str, str] = facts()["sources"]


def _leaves(node: Any, path: tuple[Any, ...], sourced: bool) -> Iterator[tuple[str, bool]]:
    """Each scalar under `node`, and whether a mapping on its way down has a `source`."""
    if isinstance(node, dict):
        here = sourced or "source" in node
        for key, value in node.items():
            yield from _leaves(value, (*path, key), here)
    elif isinstance(node, list) and node and any(isinstance(i, (dict, list)) for i in node):
        for index, item in enumerate(node):
            yield from _leaves(item, (*path, index), sourced)
    else:
        yield "/".join(map(str, path)), sourced


def _sources(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source":
                yield path, value
            else:
                yield from _sources(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _sources(item, f"{path}/{index}")


def test_the_file_has_the_sections_and_nothing_else() -> None:
    assert list(facts()) == ["sources", *SECTIONS]
    assert "source" not in facts()


def test_sources_are_https_urls() -> None:
    for name, url in SOURCES.items():
        assert isinstance(url, str) and url.startswith("https://"), name
    assert len(set(SOURCES.values())) == len(SOURCES), "a URL listed twice"


@pytest.mark.parametrize("section", SECTIONS)
def test_every_fact_has_a_source(section: str) -> None:
    unsourced = [
        leaf for leaf, sourced in _leaves(facts()[section], (section,), False) if not sourced
    ]
    assert unsourced == []


@pytest.mark.parametrize("section", ["operations", "rules", "constraints"])
def test_every_item_of_a_list_section_has_its_own_source(section: str) -> None:
    for index, item in enumerate(facts()[section]):
        assert "source" in item, f"{section}/{index}"


@pytest.mark.parametrize("section", ["resources", "error_codes"])
def test_every_entry_of_a_named_section_has_its_own_source(section: str) -> None:
    for name, item in facts()[section].items():
        assert "source" in item, f"{section}/{name}"


def test_every_source_is_a_listed_url() -> None:
    undocumented = {entry["pointer"] for entry in facts()["constraints"] if not entry["documented"]}
    for path, source in _sources({k: facts()[k] for k in SECTIONS}):
        if path.startswith("/constraints/"):
            pointer = facts()["constraints"][int(path.split("/")[2])]["pointer"]
            if pointer in undocumented:
                continue
        assert source in SOURCES.values(), f"{path}: {source!r} is not under `sources:`"


def test_every_listed_source_is_used() -> None:
    used = " ".join(str(source) for _, source in _sources({k: facts()[k] for k in SECTIONS}))
    for name, url in SOURCES.items():
        assert url in used, f"sources/{name} ({url}) backs no fact"


def test_every_rule_says_how_sure_it_is() -> None:
    for rule in facts()["rules"]:
        assert rule["kind"] in KINDS, rule["name"]
        assert rule["says"].strip(), rule["name"]
    names = [rule["name"] for rule in facts()["rules"]]
    assert len(set(names)) == len(names)


def test_examples_are_marked_as_observations() -> None:
    for op in facts()["operations"]:
        if "examples" in op:
            assert op["examples"]["kind"] == "observation", op["operation_id"]


def test_whole_seconds_and_z_are_an_observation_not_a_rule() -> None:
    rules = {rule["name"]: rule for rule in facts()["rules"]}
    assert rules["created_at_format"]["kind"] == "rule"
    assert rules["created_at_shape"]["kind"] == "observation"


def test_facts_live_in_the_repository() -> None:
    assert FACTS_PATH.resolve().is_relative_to(ROOT)


def test_an_unsourced_fact_would_be_caught() -> None:
    rules = [*facts()["rules"], {"name": "planted", "kind": "rule", "says": "no source"}]
    unsourced = [leaf for leaf, sourced in _leaves(rules, ("rules",), False) if not sourced]
    assert unsourced == [
        f"rules/{len(rules) - 1}/name",
        f"rules/{len(rules) - 1}/kind",
        f"rules/{len(rules) - 1}/says",
    ]
