"""Every example in the spec validates against the schema it illustrates.

The examples named `seed` are the ones ngrok's documentation page shows, recorded in
`spec/facts.yaml`: they must stay equal to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.spec_tools import SPEC_URI, facts, resolve, spec, spec_operation, validator


def _media_examples() -> Iterator[tuple[str, str, Any]]:
    """(where, schema pointer, example value) for each example of each media type."""

    def media(where: str, content: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
        for media_type in content.values():
            pointer = media_type["schema"]["$ref"][1:]
            for name, example in media_type.get("examples", {}).items():
                yield f"{where} {name}", pointer, resolve(example)["value"]

    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            if body:
                yield from media(f"{where} request", body["content"])
            for status, response in operation["responses"].items():
                content = resolve(response).get("content", {})
                yield from media(f"{where} {status}", content)


def _schema_examples() -> Iterator[tuple[str, str, Any]]:
    for name, schema in spec()["components"]["schemas"].items():
        for n, value in enumerate(schema.get("examples", [])):
            yield f"{name}[{n}]", f"/components/schemas/{name}", value


EXAMPLES = list(_media_examples()) + list(_schema_examples())


def test_examples_cover_every_operations_success() -> None:
    places = " ".join(where for where, _, _ in EXAMPLES)
    for where in [
        "POST /backends/failover request",
        "POST /backends/failover 201",
        "GET /backends/failover 200",
        "GET /backends/failover/{id} 200",
        "PATCH /backends/failover/{id} request",
        "PATCH /backends/failover/{id} 200",
    ]:
        assert where in places


@pytest.mark.parametrize(("where", "pointer", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_validates(where: str, pointer: str, value: Any) -> None:
    errors = [e.message for e in validator(SPEC_URI, pointer).iter_errors(value)]
    assert errors == [], f"{where}: {errors}"


def test_a_broken_example_would_be_caught() -> None:
    # The checker above must be able to fail: a description one over the limit.
    value = {"backends": [], "description": "x" * 256}
    assert not validator(SPEC_URI, "/components/schemas/FailoverBackendCreate").is_valid(value)


def test_a_date_that_does_not_exist_would_be_caught() -> None:
    # Formats are checked, not only patterns: February 30th has the right shape.
    value = dict(resolve(spec()["components"]["examples"]["FailoverBackend"])["value"])
    value["created_at"] = "2024-02-30T00:00:00Z"
    errors = validator(SPEC_URI, "/components/schemas/FailoverBackend").iter_errors(value)
    assert [e.validator for e in errors] == ["format"]


def _seed_example(operation: dict[str, Any], part: str, status: str) -> Any:
    holder = (
        operation["requestBody"] if part == "request" else resolve(operation["responses"][status])
    )
    return resolve(holder["content"]["application/json"]["examples"]["seed"])["value"]


SEED_EXAMPLES = [
    (op, part)
    for op in facts()["operations"]
    for part in ("request", "response")
    if part in op.get("examples", {})
]


@pytest.mark.parametrize(
    ("op", "part"),
    SEED_EXAMPLES,
    ids=[f"{op['method']} {op['path']} {part}" for op, part in SEED_EXAMPLES],
)
def test_seed_examples_are_the_documented_ones(op: dict[str, Any], part: str) -> None:
    operation = spec_operation(op["method"], op["path"])
    assert _seed_example(operation, part, str(op["success_status"])) == op["examples"][part]
