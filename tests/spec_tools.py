"""Readers for the spec and its facts file, shared by the tests.

Everything read here is inside the repository: `spec/failover.openapi.yaml` and
`spec/facts.yaml`, which restates what ngrok publishes (the documentation page, its API
conventions, its OpenAPI file and clients) with a source URL for each fact.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "failover.openapi.yaml"
FACTS_PATH = ROOT / "spec" / "facts.yaml"

SPEC_URI = "urn:failover-spec"
# A document with ngrok's schemas at the same pointers as ours, built from the facts.
OFFICIAL_URI = "urn:ngrok-official-spec"

# Keywords that narrow what a schema, parameter or request body accepts: each one in the
# spec needs an entry in the facts' audit table. Beyond the ones the spec uses today, the
# other JSON Schema validation keywords are listed so that a new one cannot slip in unlisted.
VALUE_KEYWORDS = frozenset(
    {
        "pattern",
        "minLength",
        "maxLength",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "format",
    }
)
# Constraints only with these values: `required: true` (parameter, request body) or a
# list of names (schema), and a closed object.
CLOSING_KEYWORDS = frozenset({"additionalProperties", "unevaluatedProperties"})
# Mappings whose keys are names chosen by the author, never keywords.
NAME_MAPS = frozenset(
    {
        "paths",
        "properties",
        "patternProperties",
        "$defs",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "content",
        "encoding",
        "variables",
        "mapping",
        "dependentSchemas",
    }
)
# Values that are data, not schema: nothing under them is a keyword.
DATA_KEYS = frozenset(
    {"example", "examples", "default", "enum", "const", "value", "x-enum-varnames"}
)


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return data


@cache
def facts() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FACTS_PATH.read_text())
    return data


def _field_schema(field: dict[str, Any], nullable: bool) -> dict[str, Any]:
    """A JSON Schema for one field of the facts' notation (`type`, `items`)."""
    if field["type"] == "array":
        items = field["items"]
        item = {"type": items} if items in {"string", "integer", "object"} else {"$ref": ref(items)}
        schema: dict[str, Any] = {"type": "array", "items": item}
    else:
        schema = {"type": field["type"]}
    if nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def ref(schema_name: str) -> str:
    return f"#/components/schemas/{schema_name}"


@cache
def official() -> dict[str, Any]:
    """A JSON Schema document that accepts exactly what ngrok's OpenAPI file accepts.

    Built from `official_spec` in the facts: each schema an object with its fields typed
    as the file types them, nothing required, no formats, patterns or limits, open to other
    fields, `next_page_uri` a plain string. Its schemas sit at the spec's pointers.
    """
    official_spec = facts()["official_spec"]
    nullable_next_page = official_spec["next_page_uri_nullable"]
    schemas: dict[str, Any] = {}
    for name, declared in official_spec["schemas"].items():
        properties = {
            field: _field_schema(kind, nullable_next_page and field == "next_page_uri")
            for field, kind in declared["fields"].items()
        }
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if declared["required"]:
            schema["required"] = list(declared["required"])
        schemas[name] = schema
    return {"components": {"schemas": schemas}}


def validator(document_uri: str, pointer: str) -> Draft202012Validator:
    """A JSON Schema validator for the schema at `pointer` in our spec or ngrok's equivalent.

    Formats are checked where jsonschema can (`date-time`); `uri` has no checker installed,
    which is why the spec also gives the URIs patterns.
    """
    document = spec() if document_uri == SPEC_URI else official()
    registry: Registry[Any] = Registry().with_resource(
        document_uri, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{document_uri}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def is_valid(document_uri: str, pointer: str, instance: object) -> bool:
    return validator(document_uri, pointer).is_valid(instance)


def resolve(node: Any, document: dict[str, Any] | None = None) -> Any:
    """Follow local `$ref`s until a node that is not a reference."""
    root = spec() if document is None else document
    while isinstance(node, dict) and "$ref" in node:
        target: str = node["$ref"]
        assert target.startswith("#/"), target
        node = at_pointer(root, target[1:])
    return node


def spec_operation(method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec()["paths"][path][method.lower()]
    return operation


# -- JSON pointers and the audit table -------------------------------------------------------


def escape(token: str) -> str:
    """One reference token of an RFC 6901 JSON pointer."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def at_pointer(document: Any, pointer: str) -> Any:
    """The node `pointer` (RFC 6901) names in `document`; KeyError or IndexError if none."""
    node = document
    if pointer == "":
        return node
    assert pointer.startswith("/"), pointer
    for token in pointer[1:].split("/"):
        key = unescape(token)
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def is_constraint(keyword: str, value: Any) -> bool:
    """Whether `keyword: value`, found where a keyword may stand, narrows what is accepted."""
    if keyword in VALUE_KEYWORDS:
        return True
    if keyword == "required":
        return value is True or (isinstance(value, list) and len(value) > 0)
    if keyword in CLOSING_KEYWORDS:
        return value is False
    return False


def constraint_pointers(document: dict[str, Any]) -> list[str]:
    """The pointer of every constraint keyword in an OpenAPI document, in document order."""
    return list(_walk(document, ""))


def _walk(node: Any, pointer: str, names: bool = False) -> Iterator[str]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        here = f"{pointer}/{escape(str(key))}"
        if names:  # `key` is a name (a property, a path, a component): its value is a node
            yield from _walk(value, here)
            continue
        if is_constraint(key, value):
            yield here
        if key in DATA_KEYS or str(key).startswith("x-"):
            continue
        # `parameters` is a name map under `components` but a list in an operation or a
        # path, and a map of runtime expressions in a link: the list is walked as nodes.
        yield from _walk(value, here, names=key in NAME_MAPS and isinstance(value, dict))


def audit_table() -> list[dict[str, Any]]:
    table: list[dict[str, Any]] = facts()["constraints"]
    return table


def unlisted_constraints(document: dict[str, Any], table: list[dict[str, Any]]) -> list[str]:
    """The constraint keywords of `document` that the audit table has no entry for."""
    listed = {entry["pointer"] for entry in table}
    return [pointer for pointer in constraint_pointers(document) if pointer not in listed]


def stale_entries(document: dict[str, Any], table: list[dict[str, Any]]) -> list[str]:
    """Audit table pointers that name no constraint keyword of `document`."""
    found = set(constraint_pointers(document))
    return [entry["pointer"] for entry in table if entry["pointer"] not in found]
