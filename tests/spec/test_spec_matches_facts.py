"""The spec says what ngrok documents, as `spec/facts.yaml` records it.

Operations, paths, statuses, fields and their types, optional markers, parameters, the
examples and the rules around them (headers, paging, ids, error codes).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.spec_tools import SPEC_PATH, SPEC_URI, facts, is_valid, resolve, spec, spec_operation

OPS: list[dict[str, Any]] = facts()["operations"]
RESOURCES: dict[str, Any] = facts()["resources"]
RULES: dict[str, dict[str, Any]] = {rule["name"]: rule for rule in facts()["rules"]}
METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}


def _op_id(op: dict[str, Any]) -> str:
    return f"{op['method']} {op['path']}"


def _op(operation_id: str) -> dict[str, Any]:
    return next(op for op in OPS if op["operation_id"] == operation_id)


def _facts_type(field: dict[str, Any]) -> dict[str, Any]:
    """A field's type in the facts' notation, without its markers and source."""
    return {key: field[key] for key in ("type", "items", "nullable") if field.get(key)}


def _spec_type(schema: dict[str, Any]) -> dict[str, Any]:
    """A spec schema's type in the facts' notation: `type`, `items`, `nullable`."""
    schema = resolve(schema)
    kind = schema["type"]
    nullable = isinstance(kind, list)
    if nullable:
        assert len(kind) == 2 and "null" in kind, kind
        kind = next(k for k in kind if k != "null")
    described: dict[str, Any] = {"type": kind}
    if kind == "array":
        items = schema["items"]
        item = resolve(items)
        # An item that is an object is named by its schema; a string item by its type.
        is_object = item["type"] == "object" and "$ref" in items
        described["items"] = items["$ref"].rsplit("/", 1)[-1] if is_object else item["type"]
    if nullable:
        described["nullable"] = True
    return described


def _success(op: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = resolve(
        spec_operation(op["method"], op["path"])["responses"][str(op["success_status"])]
    )
    return response


def _parameters(op: dict[str, Any]) -> list[dict[str, Any]]:
    """The operation's parameters and its path's, resolved."""
    item = spec()["paths"][op["path"]]
    own = spec_operation(op["method"], op["path"]).get("parameters", [])
    return [resolve(p) for p in [*item.get("parameters", []), *own]]


def test_facts_record_five_operations() -> None:
    assert len(OPS) == 5
    assert len({op["operation_id"] for op in OPS}) == 5


def test_spec_has_exactly_the_facts_operations() -> None:
    documented = {(op["method"].lower(), op["path"]) for op in OPS}
    ours = {
        (method, path)
        for path, item in spec()["paths"].items()
        for method in item
        if method in METHODS
    }
    assert ours == documented


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_operation_id_is_the_facts(op: dict[str, Any]) -> None:
    assert spec_operation(op["method"], op["path"])["operationId"] == op["operation_id"]


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_success_status_is_the_documented_one(op: dict[str, Any]) -> None:
    responses = spec_operation(op["method"], op["path"])["responses"]
    successes = [code for code in responses if code.startswith("2")]
    assert successes == [str(op["success_status"])]


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_summary_is_the_title_and_description_opens_with_the_seeds_line(
    op: dict[str, Any],
) -> None:
    operation = spec_operation(op["method"], op["path"])
    assert operation["summary"] == op["title"]
    assert operation["description"].startswith(op["opening_line"])


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_success_body_is_the_documented_resource(op: dict[str, Any]) -> None:
    response = _success(op)
    if op["success_body"] is None:
        assert "content" not in response, "the seed documents no body on success"
        return
    assert list(response["content"]) == [RULES["json_bodies"]["media_type"]]
    schema_ref = response["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref == f"#/components/schemas/{op['success_body']}"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_resource_fields_and_types_are_the_documented_ones(name: str) -> None:
    properties = spec()["components"]["schemas"][name]["properties"]
    documented = RESOURCES[name]["fields"]
    assert list(properties) == list(documented)
    for field, kind in documented.items():
        assert _spec_type(properties[field]) == _facts_type(kind), field


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_response_field_is_required(name: str) -> None:
    # Every answer the seed shows carries every field, `null` included; "Optional" in the
    # response tables repeats the request marker (audit table: documented, with why).
    schema = spec()["components"]["schemas"][name]
    assert set(schema["required"]) == set(RESOURCES[name]["fields"])


def test_failover_backend_is_open_to_fields_ngrok_may_add() -> None:
    assert RULES["new_fields_are_not_breaking"]["kind"] == "rule"
    for name in RESOURCES:
        assert "additionalProperties" not in spec()["components"]["schemas"][name], name


BODY_OPS = [op for op in OPS if "request_body" in op]


def test_create_and_update_take_a_body() -> None:
    assert {op["operation_id"] for op in BODY_OPS} == {
        "createFailoverBackend",
        "updateFailoverBackend",
    }
    for op in OPS:
        if op not in BODY_OPS:
            assert "requestBody" not in spec_operation(op["method"], op["path"]), _op_id(op)


@pytest.mark.parametrize("op", BODY_OPS, ids=_op_id)
def test_request_body_fields_and_types_are_the_documented_ones(op: dict[str, Any]) -> None:
    body = spec_operation(op["method"], op["path"])["requestBody"]
    assert list(body["content"]) == [RULES["json_bodies"]["media_type"]]
    schema = resolve(body["content"]["application/json"]["schema"])
    assert list(schema["properties"]) == list(op["request_body"])
    for field, kind in op["request_body"].items():
        assert _spec_type(schema["properties"][field]) == _facts_type(kind), field
    assert schema["additionalProperties"] is False


def test_create_requires_exactly_the_fields_not_marked_optional() -> None:
    create = _op("createFailoverBackend")
    unmarked = [name for name, f in create["request_body"].items() if not f["marked_optional"]]
    assert spec()["components"]["schemas"]["FailoverBackendCreate"]["required"] == unmarked


def test_update_requires_nothing_because_absent_fields_keep_their_value() -> None:
    assert RULES["update_keeps_absent_fields"]["kind"] == "rule"
    assert "required" not in spec()["components"]["schemas"]["FailoverBackendUpdate"]


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_path_parameters_are_the_documented_ones(op: dict[str, Any]) -> None:
    in_path = {p["name"]: p for p in _parameters(op) if p["in"] == "path"}
    documented = op.get("path_parameters", {})
    assert set(in_path) == set(documented) == set(re.findall(r"\{(\w+)\}", op["path"]))
    for name, kind in documented.items():
        assert in_path[name]["required"] is True
        assert _spec_type(in_path[name]["schema"]) == _facts_type(kind), name


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_query_parameters_are_the_documented_ones(op: dict[str, Any]) -> None:
    in_query = {p["name"]: p for p in _parameters(op) if p["in"] == "query"}
    documented = op.get("query_parameters", {})
    assert list(in_query) == list(documented)
    for name, kind in documented.items():
        assert in_query[name]["required"] is not kind["marked_optional"], name
        assert _spec_type(in_query[name]["schema"]) == _facts_type(kind), name


@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_every_operation_sends_the_version_header(op: dict[str, Any]) -> None:
    rule = RULES["version_header"]
    headers = {p["name"]: p for p in _parameters(op) if p["in"] == "header"}
    version = headers[rule["header"]]
    assert version["required"] is True
    assert version["schema"]["enum"] == [rule["value"]]
    assert version["schema"]["default"] == rule["value"]
    assert rule["missing"] in version["description"]


def test_server_and_security_are_the_documented_ones() -> None:
    assert [server["url"] for server in spec()["servers"]] == [RULES["base_url"]["value"]]
    assert (
        spec()["components"]["securitySchemes"]["bearerAuth"]["scheme"]
        == (RULES["bearer_api_key"]["scheme"])
    )


def test_limit_accepts_exactly_the_documented_range() -> None:
    rule = RULES["paging_parameters"]
    limit = next(p for p in _parameters(_op("listFailoverBackends")) if p["name"] == "limit")
    pattern = re.compile(limit["schema"]["pattern"])
    accepted = [n for n in range(-1, 1002) if pattern.search(str(n))]
    assert accepted == list(range(rule["limit_min"], rule["limit_max"] + 1))
    assert limit["schema"]["default"] == str(rule["limit_default"])


def test_id_patterns_accept_the_documented_id_forms() -> None:
    schemas = spec()["components"]["schemas"]
    failover = RULES["failover_id_form"]
    example_id = _op("getFailoverBackend")["examples"]["response"]["id"]
    assert example_id.startswith(failover["prefix"])
    assert len(example_id) == len(failover["prefix"]) + failover["length_after_prefix"]
    assert re.fullmatch(schemas["FailoverBackendId"]["pattern"], example_id)
    for kind in RULES["child_id_form"]["kinds"]:
        child = f"bkd{kind}_" + "0aZ" * 9
        assert re.fullmatch(schemas["BackendId"]["pattern"], child), kind
    assert not re.fullmatch(schemas["FailoverBackendId"]["pattern"], "bkdhr_" + "0aZ" * 9)


def test_every_error_code_the_spec_names_is_a_documented_one() -> None:
    named = set(re.findall(r"ERR_NGROK_\d+", SPEC_PATH.read_text()))
    assert named
    assert named <= set(facts()["error_codes"]), sorted(named - set(facts()["error_codes"]))


def test_rate_limit_is_the_documented_one() -> None:
    rule = RULES["rate_limit"]
    answer = resolve(spec()["components"]["responses"]["TooManyRequests"])
    assert (
        f"{rule['requests']} requests in a rolling {rule['window_seconds']} seconds"
        in (answer["description"])
    )
    assert rule["code"] in answer["description"]


def test_error_body_is_the_documented_one() -> None:
    rule = RULES["error_body"]
    error = spec()["components"]["schemas"]["Error"]
    assert list(error["properties"]) == list(rule["fields"])
    for name, field in rule["fields"].items():
        assert error["properties"][name]["type"] == field["type"], name
    always = [name for name, field in rule["fields"].items() if not field.get("may_be_absent")]
    assert error["required"] == always
    assert error["properties"]["details"]["additionalProperties"] == {"type": "string"}


EXAMPLES = [
    (op, part) for op in OPS for part in ("request", "response") if part in op.get("examples", {})
]


@pytest.mark.parametrize(
    ("op", "part"), EXAMPLES, ids=[f"{_op_id(op)} {part}" for op, part in EXAMPLES]
)
def test_documented_examples_validate(op: dict[str, Any], part: str) -> None:
    assert op["examples"]["kind"] == "observation"
    operation = spec_operation(op["method"], op["path"])
    where = operation["requestBody"] if part == "request" else _success(op)
    schema_ref = where["content"]["application/json"]["schema"]["$ref"]
    assert is_valid(SPEC_URI, schema_ref[1:], op["examples"][part])


def test_every_documented_example_is_recorded() -> None:
    # The seed shows a request for each body and a response for each answer with a body.
    for op in OPS:
        parts = set(op.get("examples", {})) - {"kind", "source"}
        expected = {"request"} if "request_body" in op else set()
        if op["success_body"] is not None:
            expected.add("response")
        assert parts == expected, _op_id(op)
