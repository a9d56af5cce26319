"""The audit table in `spec/facts.yaml` lists every constraint the spec puts on a value.

One entry per keyword (pattern, minLength, maxLength, enum, minimum, maximum, format, a
non-empty `required` list, `required: true` on a parameter or request body, a closed
object, and the other JSON Schema validation keywords should one appear), saying whether
ngrok documents it. The contract suite asserts only the documented ones.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.spec_tools import (
    at_pointer,
    audit_table,
    constraint_pointers,
    facts,
    is_constraint,
    spec,
    stale_entries,
    unescape,
    unlisted_constraints,
)

TABLE = audit_table()
ENTRY_KEYS = {"pointer", "documented", "source", "why"}
SOURCES = set(facts()["sources"].values())


def check_every_constraint_listed(document: dict[str, Any]) -> None:
    """Fail naming each constraint keyword of `document` the audit table lacks."""
    missing = unlisted_constraints(document, TABLE)
    assert not missing, (
        "constraint keywords with no entry in the audit table (spec/facts.yaml "
        f"`constraints:`): {missing}"
    )


def test_every_constraint_keyword_in_the_spec_has_an_entry() -> None:
    check_every_constraint_listed(spec())


def test_each_pointer_has_exactly_one_entry() -> None:
    twice = [p for p, n in Counter(entry["pointer"] for entry in TABLE).items() if n > 1]
    assert twice == []


def test_every_entry_points_at_a_constraint_keyword_in_the_spec() -> None:
    for entry in TABLE:
        pointer = entry["pointer"]
        try:
            value = at_pointer(spec(), pointer)
        except (KeyError, IndexError):
            pytest.fail(f"{pointer} resolves to nothing in spec/failover.openapi.yaml")
        keyword = unescape(pointer.rsplit("/", 1)[-1])
        assert is_constraint(keyword, value), f"{pointer} is {keyword}: {value!r}, no constraint"
    assert stale_entries(spec(), TABLE) == []


def test_entries_have_the_tables_shape() -> None:
    for entry in TABLE:
        assert ENTRY_KEYS <= set(entry) <= ENTRY_KEYS | {"documented_form"}, entry
        if "documented_form" in entry:  # a looser form the docs state, so documented
            assert entry["documented"] is True, entry["pointer"]
        assert isinstance(entry["documented"], bool), entry["pointer"]
        assert isinstance(entry["source"], str) and entry["source"].strip(), entry["pointer"]
        why = entry["why"]
        assert isinstance(why, str) and why.strip() and "\n" not in why.strip(), entry["pointer"]


def test_every_documented_entry_names_a_source_url() -> None:
    for entry in TABLE:
        if entry["documented"]:
            source = entry["source"]
            assert source.startswith("https://"), f"{entry['pointer']}: {source!r}"
            assert source in SOURCES, f"{entry['pointer']}: {source} is not under `sources:`"


def test_every_undocumented_entry_says_what_ngrok_says_instead() -> None:
    for entry in TABLE:
        if not entry["documented"]:
            assert not entry["source"].startswith("https://"), entry["pointer"]
            assert len(entry["source"].split()) >= 2, entry["pointer"]


# The project's decisions on the constraints the brief singled out; their reasons are the
# `why` of each entry. Changing one is a deliberate edit of both places.
DECIDED = {
    "/paths/~1backends~1failover/get/parameters/1/schema/minLength": False,
    "/components/schemas/FailoverBackend/properties/created_at/pattern": False,
    "/components/schemas/FailoverBackend/properties/created_at/format": True,
    "/components/schemas/Description/maxLength": True,
    "/components/schemas/Metadata/maxLength": True,
    "/components/schemas/FailoverBackendCreate/additionalProperties": True,
    "/components/schemas/FailoverBackendUpdate/additionalProperties": True,
    "/paths/~1backends~1failover/get/parameters/2/schema/pattern": True,
    "/components/parameters/NgrokVersion/schema/enum": True,
    "/components/schemas/FailoverBackendId/pattern": True,
    "/components/schemas/BackendId/pattern": True,
    "/components/schemas/ChildBackends/maxItems": False,
}


@pytest.mark.parametrize(("pointer", "documented"), DECIDED.items())
def test_decided_entries_keep_their_verdict(pointer: str, documented: bool) -> None:
    entry = next(e for e in TABLE if e["pointer"] == pointer)
    assert entry["documented"] is documented


def test_limits_whose_number_is_the_projects_say_so() -> None:
    for pointer in [
        "/components/schemas/Description/maxLength",
        "/components/schemas/Metadata/maxLength",
        "/components/schemas/ChildBackends/maxItems",
    ]:
        entry = next(e for e in TABLE if e["pointer"] == pointer)
        assert "project's choice" in entry["why"], pointer


# -- The completeness check can fail -------------------------------------------------------


def _plant(document: dict[str, Any], where: str, key: str, value: Any) -> None:
    at_pointer(document, where)[key] = value


PLANTED: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "maxLength on the error message",
        lambda d: _plant(d, "/components/schemas/Error/properties/msg", "maxLength", 500),
        "/components/schemas/Error/properties/msg/maxLength",
    ),
    (
        "minItems on the children",
        lambda d: _plant(d, "/components/schemas/ChildBackends", "minItems", 1),
        "/components/schemas/ChildBackends/minItems",
    ),
    (
        "minProperties beside a $ref, under keys holding slashes",
        lambda d: _plant(
            d,
            "/paths/~1backends~1failover~1{id}/patch/requestBody/content/application~1json/schema",
            "minProperties",
            1,
        ),
        "/paths/~1backends~1failover~1{id}/patch/requestBody/content/application~1json/schema"
        "/minProperties",
    ),
    (
        "a query parameter made required",
        lambda d: _plant(d, "/paths/~1backends~1failover/get/parameters/1", "required", True),
        "/paths/~1backends~1failover/get/parameters/1/required",
    ),
    (
        "a closed error body",
        lambda d: _plant(d, "/components/schemas/Error", "additionalProperties", False),
        "/components/schemas/Error/additionalProperties",
    ),
    (
        "a format on an inline query parameter schema",
        lambda d: _plant(
            d, "/paths/~1backends~1failover/get/parameters/1/schema", "format", "password"
        ),
        "/paths/~1backends~1failover/get/parameters/1/schema/format",
    ),
]


@pytest.mark.parametrize(("what", "plant", "pointer"), PLANTED, ids=[p[0] for p in PLANTED])
def test_an_unlisted_keyword_fails_the_check_naming_its_pointer(
    what: str, plant: Callable[[dict[str, Any]], None], pointer: str
) -> None:
    document = copy.deepcopy(spec())
    plant(document)
    assert unlisted_constraints(document, TABLE) == [pointer]
    with pytest.raises(AssertionError, match=re.escape(repr(pointer))):
        check_every_constraint_listed(document)


def test_names_data_and_permissive_values_are_not_constraints() -> None:
    document = copy.deepcopy(spec())
    schemas = document["components"]["schemas"]
    # A property called `pattern`, an example holding `maxLength`, `required: false`,
    # an empty `required` list, an open object and an extension are no constraints.
    schemas["Error"]["properties"]["pattern"] = {"type": "string"}
    schemas["Error"]["examples"] = [{"maxLength": 3, "status_code": 400}]
    schemas["FailoverBackendUpdate"]["required"] = []
    schemas["Metadata"]["x-limit"] = {"maxLength": 1}
    schemas["FailoverBackend"]["additionalProperties"] = True
    document["components"]["parameters"]["NgrokVersion"]["schema"]["default"] = {"enum": [1]}
    assert constraint_pointers(document) == constraint_pointers(spec())


def test_a_removed_keyword_leaves_its_entry_stale() -> None:
    document = copy.deepcopy(spec())
    del document["components"]["schemas"]["Description"]["maxLength"]
    assert stale_entries(document, TABLE) == ["/components/schemas/Description/maxLength"]
