"""The spec diff: each planted breaking change is caught under its oasdiff rule; compatible ones
pass the gate at the same major version."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from scripts.check_breaking import compare, problems
from scripts.spec_diff import Level, diff_specs
from tests.release.plants import BREAKING, COMPATIBLE, SPEC_TEXT, Doc, planted, schemas, spec


def _dump(doc: Doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def test_the_spec_against_itself_has_no_change() -> None:
    assert diff_specs(spec(), spec()) == []


@pytest.mark.parametrize(("name", "change", "rule"), BREAKING, ids=[b[0] for b in BREAKING])
def test_breaking_change_is_caught(name: str, change: Callable[[Doc], None], rule: str) -> None:
    changes = diff_specs(spec(), planted(change))
    assert rule in {c.rule for c in changes if c.level is Level.BREAKING}, changes
    report = compare("base", SPEC_TEXT, _dump(planted(change)), client=False)
    (problem,) = problems(report)
    assert "major number of info.version did not go up (0.1.0 -> 0.1.0)" in problem
    assert "make it 1.0.0" in problem


@pytest.mark.parametrize(("name", "change", "rule"), BREAKING, ids=[b[0] for b in BREAKING])
def test_breaking_change_passes_with_a_major_bump(
    name: str, change: Callable[[Doc], None], rule: str
) -> None:
    head = planted(change)
    head["info"]["version"] = "1.0.0"
    assert problems(compare("base", SPEC_TEXT, _dump(head), client=False)) == []


@pytest.mark.parametrize(
    ("name", "change", "rule", "level"), COMPATIBLE, ids=[c[0] for c in COMPATIBLE]
)
def test_compatible_change_passes(
    name: str, change: Callable[[Doc], None], rule: str, level: str
) -> None:
    changes = diff_specs(spec(), planted(change))
    assert [c for c in changes if c.level is Level.BREAKING] == []
    assert (rule, level) in {(c.rule, c.level.name.lower()) for c in changes}, changes
    assert problems(compare("base", SPEC_TEXT, _dump(planted(change)), client=False)) == []


def test_a_change_is_classed_by_the_side_it_is_on() -> None:
    """A shared schema: a lower maxLength breaks requests, and is only information on responses."""

    def lower(doc: Doc) -> None:
        schemas(doc)["Description"]["maxLength"] = 100

    changes = diff_specs(spec(), planted(lower))
    by_rule = {(c.rule, c.where): c.level for c in changes}
    assert (
        by_rule[("request-property-max-length-decreased", "POST /backends/failover description")]
        is Level.BREAKING
    )
    assert (
        by_rule[
            (
                "response-property-max-length-decreased",
                "GET /backends/failover/{id} 200 description",
            )
        ]
        is Level.INFO
    )


def test_enum_narrowed_in_a_request_and_widened_in_a_response() -> None:
    def two_versions(doc: Doc) -> None:
        doc["components"]["parameters"]["NgrokVersion"]["schema"]["enum"] = ["2", "3"]

    narrowed = diff_specs(planted(two_versions), spec())
    assert "request-parameter-enum-value-removed" in {
        c.rule for c in narrowed if c.level is Level.BREAKING
    }

    def error_enum(doc: Doc, values: list[str]) -> None:
        schemas(doc)["Error"]["properties"]["error_code"]["enum"] = values

    base = planted(lambda doc: error_enum(doc, ["ERR_NGROK_6514"]))
    head = planted(lambda doc: error_enum(doc, ["ERR_NGROK_6514", "ERR_NGROK_6515"]))
    widened = diff_specs(base, head)
    assert "response-property-enum-value-added" in {
        c.rule for c in widened if c.level is Level.BREAKING
    }
