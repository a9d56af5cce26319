"""The views' schemas are compiled with their `$ref`s written out (`documented.inlined`):
validating against them must say exactly what resolving each `$ref` says."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ngrok_failover_contract.checks.documented import (
    RefCycle,
    View,
    documented_view,
    inlined,
    spec_view,
)

VIEWS = {"documented": documented_view, "spec": spec_view}


def schema_pointers(view: View) -> list[str]:
    """Every schema of an operation: its parameters', request body's and answers'."""
    found = []
    for path, item in view.document["paths"].items():
        escaped = path.replace("~", "~0").replace("/", "~1")
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            owner = f"/paths/{escaped}/{method}"
            found += [f"{pointer}/schema" for pointer, _ in view.parameters(owner)]
            if "requestBody" in operation:
                body = view.deref(f"{owner}/requestBody")
                found.append(f"{body}/content/application~1json/schema")
            for status in operation["responses"]:
                answer = view.deref(f"{owner}/responses/{status}")
                if "application/json" in view.at(answer).get("content", {}):
                    found.append(f"{answer}/content/application~1json/schema")
    return sorted(set(found))


def resolving(view: View, pointer: str) -> Draft202012Validator:
    """The schema validated as it was before: a `$ref` to it, resolved through a registry."""
    resource: Resource[Any] = Resource.from_contents(
        view.document, default_specification=DRAFT202012
    )
    return Draft202012Validator(
        {"$ref": f"urn:view#{pointer}"},
        registry=Registry().with_resource("urn:view", resource),
        format_checker=FormatChecker(),
    )


# JSON of every kind, with the API's field names as keys: valid and broken bodies alike.
KEYS = st.sampled_from(
    ["id", "uri", "created_at", "description", "metadata", "backends", "next_page_uri",
     "error_code", "status_code", "msg", "details", "x"]
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=12,
)


@pytest.mark.parametrize("name", sorted(VIEWS))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(instance=JSON, data=st.data())
def test_written_out_schemas_say_what_resolved_ones_say(
    name: str, instance: Any, data: st.DataObject
) -> None:
    view = VIEWS[name]()
    pointer = data.draw(st.sampled_from(schema_pointers(view)))
    expected = [e.message for e in resolving(view, pointer).iter_errors(instance)]
    assert view.errors_at(pointer, instance) == expected


def test_every_view_schema_is_compiled_without_a_ref() -> None:
    for make in VIEWS.values():
        view = make()
        for pointer in schema_pointers(view):
            assert "$ref" not in repr(inlined(view.document, view.at(pointer))), pointer


def test_a_ref_beside_other_keywords_keeps_both() -> None:
    document = {"a": {"type": "string"}, "b": {"$ref": "#/a", "maxLength": 2}}
    schema = inlined(document, document["b"])
    assert schema == {"maxLength": 2, "allOf": [{"type": "string"}]}
    assert not Draft202012Validator(schema).is_valid("abc")
    assert not Draft202012Validator(schema).is_valid(3)


def test_a_schema_that_refers_to_itself_is_refused_for_the_registry() -> None:
    document = {"node": {"type": "object", "properties": {"next": {"$ref": "#/node"}}}}
    with pytest.raises(RefCycle):
        inlined(document, document["node"])
    view = View(document, "urn:cycle")
    assert view.errors_at("/node", {"next": {"next": 1}}) == ["1 is not of type 'object'"]
