"""Readers for the spec, ngrok's official spec and the seed page, shared by the tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "failover.openapi.yaml"
SHARED = ROOT.parent / "shared"
SEED_PATH = SHARED / "seed" / "failover-backends-api.txt"
OFFICIAL_PATH = SHARED / "reference" / "ngrok-official-failover.openapi.yaml"

SPEC_URI = "urn:failover-spec"
OFFICIAL_URI = "urn:ngrok-official-spec"


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return data


@cache
def official() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(OFFICIAL_PATH.read_text())
    return data


def validator(document_uri: str, pointer: str) -> Draft202012Validator:
    """A JSON Schema validator for the schema at `pointer` inside one of the two specs."""
    document = spec() if document_uri == SPEC_URI else official()
    registry: Registry[Any] = Registry().with_resource(
        document_uri, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"{document_uri}#{pointer}"}, registry=registry)


def is_valid(document_uri: str, pointer: str, instance: object) -> bool:
    return validator(document_uri, pointer).is_valid(instance)


def resolve(node: Any, document: dict[str, Any] | None = None) -> Any:
    """Follow local `$ref`s until a node that is not a reference."""
    root = spec() if document is None else document
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
    return node


# The seed's field tables run name, type and description together on one line.
_FIELD_LINE = re.compile(r"^([a-z_]+?)(string|List<string>|FailoverBackend)(.*)$")


@dataclass
class SeedOperation:
    title: str
    method: str
    path: str
    status: int
    parameters: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    optional: set[str] = field(default_factory=set)
    request_example: Any = None
    response_example: Any = None


def _table(lines: list[str], start: int) -> tuple[dict[str, str], set[str]]:
    types: dict[str, str] = {}
    optional: set[str] = set()
    i = start
    while i < len(lines) and lines[i].strip():
        match = _FIELD_LINE.match(lines[i].strip())
        if match is None:
            # The update table lists `id` with no type: the path parameter.
            if lines[i].strip() == "idstring":
                types["id"] = "string"
            break
        name, kind, description = match.groups()
        types[name] = kind
        if description.rstrip().endswith("Optional"):
            optional.add(name)
        i += 1
    return types, optional


def _json_after(text: str, start: int) -> Any:
    """The JSON value that starts at the first `{` at or after `start`."""
    value, _ = json.JSONDecoder().raw_decode(text[text.index("{", start) :])
    return value


@cache
def seed_operations() -> tuple[SeedOperation, ...]:
    """Each operation the seed documents, read from its text."""
    text = SEED_PATH.read_text()
    request_re = re.compile(r"Request\n\n(GET|POST|PATCH|DELETE) (\S+)\n")
    matches = list(request_re.finditer(text))
    operations = []
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        section = text[match.start() : end]
        title = text[: match.start()].rstrip().split("\n\n")[-2].strip()
        status_match = re.search(r"Returns a (\d{3}) response", section)
        assert status_match is not None, f"no status for {match.group(0)!r}"
        op = SeedOperation(title, match.group(1), match.group(2), int(status_match.group(1)))
        lines = section.split("\n")
        for i, line in enumerate(lines):
            if line == "NameTypeDescription":
                table, optional = _table(lines, i + 1)
                heading = next(h for h in reversed(lines[:i]) if h.strip())
                if heading == "Parameters":
                    op.parameters = table
                elif heading == "Fields":
                    op.fields, op.optional = table, optional
        body = re.search(r"-d '(.*)' \\\n", section)
        if body:
            op.request_example = json.loads(body.group(1))
        if "Example Response" in section:
            op.response_example = _json_after(section, section.index("Example Response"))
        operations.append(op)
    return tuple(operations)


@cache
def seed_resource_fields() -> dict[str, str]:
    """The seed's "FailoverBackend fields" table."""
    lines = SEED_PATH.read_text().split("\n")
    start = lines.index("FailoverBackend fields")
    table, _ = _table(lines, lines.index("NameTypeDescription", start) + 1)
    return table


def spec_operation(method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec()["paths"][path][method.lower()]
    return operation
