"""The spec says what the seed (ngrok's documentation page) says, read from the seed's text."""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec_tools import (
    SPEC_URI,
    SeedOperation,
    is_valid,
    resolve,
    seed_operations,
    seed_resource_fields,
    spec,
    spec_operation,
)

SEED_OPS = seed_operations()
IDS = [f"{op.method} {op.path}" for op in SEED_OPS]


def _json_type(seed_type: str) -> dict[str, Any]:
    return {
        "string": {"type": "string"},
        "List<string>": {"type": "array", "items": "string"},
        "FailoverBackend": {"type": "array", "items": "FailoverBackend"},
    }[seed_type]


def _spec_type(schema: dict[str, Any]) -> dict[str, Any]:
    schema = resolve(schema)
    kind = schema["type"]
    if kind == ["string", "null"]:
        return {"type": "string"}  # next_page_uri: the seed shows null in its example
    if kind == "array":
        items = schema["items"]
        name = items["$ref"].rsplit("/", 1)[-1] if "$ref" in items else None
        item = "FailoverBackend" if name == "FailoverBackend" else resolve(items)["type"]
        return {"type": "array", "items": item}
    return {"type": kind}


def _success_schema(op: SeedOperation) -> dict[str, Any]:
    response = resolve(spec_operation(op.method, op.path)["responses"][str(op.status)])
    schema: dict[str, Any] = resolve(response["content"]["application/json"]["schema"])
    return schema


def test_seed_documents_five_operations() -> None:
    assert len(SEED_OPS) == 5


def test_spec_has_exactly_the_seeds_operations() -> None:
    seed = {(op.method.lower(), op.path) for op in SEED_OPS}
    ours = {
        (method, path)
        for path, item in spec()["paths"].items()
        for method in item
        if method in {"get", "post", "patch", "delete", "put"}
    }
    assert ours == seed


@pytest.mark.parametrize("op", SEED_OPS, ids=IDS)
def test_success_status_is_the_seeds(op: SeedOperation) -> None:
    responses = spec_operation(op.method, op.path)["responses"]
    successes = [code for code in responses if code.startswith("2")]
    assert successes == [str(op.status)]


@pytest.mark.parametrize("op", SEED_OPS, ids=IDS)
def test_summary_and_description_come_from_the_seed(op: SeedOperation) -> None:
    operation = spec_operation(op.method, op.path)
    assert operation["summary"] == op.title
    first_line = {
        "POST": "Create a new Failover backend",
        "DELETE": "Delete a Failover backend by ID.",
        "PATCH": "Update Failover backend by ID",
    }.get(op.method)
    if first_line:
        assert operation["description"].startswith(first_line)


def test_delete_answers_with_no_body() -> None:
    assert "content" not in spec_operation("DELETE", "/backends/failover/{id}")["responses"]["204"]


@pytest.mark.parametrize("op", [op for op in SEED_OPS if op.fields], ids=lambda op: op.title)
def test_response_fields_and_types_are_the_seeds(op: SeedOperation) -> None:
    schema = _success_schema(op)
    properties = schema["properties"]
    assert set(properties) == set(op.fields)
    for name, seed_type in op.fields.items():
        assert _spec_type(properties[name]) == _json_type(seed_type), name


@pytest.mark.parametrize("op", [op for op in SEED_OPS if op.fields], ids=lambda op: op.title)
def test_every_response_field_is_required(op: SeedOperation) -> None:
    # The seed's examples always carry every field; "Optional" there is about input.
    assert set(_success_schema(op)["required"]) == set(op.fields)


def test_failover_backend_schema_has_the_seeds_resource_fields() -> None:
    schema = spec()["components"]["schemas"]["FailoverBackend"]
    assert set(schema["properties"]) == set(seed_resource_fields())
    assert set(schema["required"]) == set(seed_resource_fields())


@pytest.mark.parametrize("op", [op for op in SEED_OPS if op.parameters], ids=lambda op: op.title)
def test_request_body_fields_and_types_are_the_seeds(op: SeedOperation) -> None:
    operation = spec_operation(op.method, op.path)
    schema = resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    body_fields = {k: v for k, v in op.parameters.items() if k != "id"}  # id is in the path
    assert set(schema["properties"]) == set(body_fields)
    for name, seed_type in body_fields.items():
        assert _spec_type(schema["properties"][name]) == _json_type(seed_type), name
    assert schema["additionalProperties"] is False


def test_create_requires_backends_only() -> None:
    create = resolve(spec()["components"]["schemas"]["FailoverBackendCreate"])
    assert create["required"] == ["backends"]


def test_update_requires_nothing() -> None:
    assert "required" not in spec()["components"]["schemas"]["FailoverBackendUpdate"]


def test_update_takes_the_id_in_its_path() -> None:
    parameters = spec()["paths"]["/backends/failover/{id}"]["parameters"]
    assert [resolve(p)["name"] for p in parameters] == ["id"]
    assert resolve(parameters[0])["in"] == "path"


@pytest.mark.parametrize(
    "op", [op for op in SEED_OPS if op.request_example], ids=lambda op: op.title
)
def test_seeds_request_examples_validate(op: SeedOperation) -> None:
    operation = spec_operation(op.method, op.path)
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert is_valid(SPEC_URI, ref[1:], op.request_example)


@pytest.mark.parametrize(
    "op", [op for op in SEED_OPS if op.response_example], ids=lambda op: op.title
)
def test_seeds_response_examples_validate(op: SeedOperation) -> None:
    operation = spec_operation(op.method, op.path)
    response = resolve(operation["responses"][str(op.status)])
    ref = response["content"]["application/json"]["schema"]["$ref"]
    assert is_valid(SPEC_URI, ref[1:], op.response_example)
