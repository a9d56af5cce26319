"""Every example in the spec validates against the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.spec_tools import SPEC_URI, resolve, spec, validator


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
