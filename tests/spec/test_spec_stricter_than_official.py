"""Our spec refines ngrok's published OpenAPI file.

Everything the official file describes is here (as `spec/facts.yaml` records it under
`official_spec`), and for each schema there are documents the official file accepts that
ours rejects. Each names the constraint of the audit table it breaks, which says whether
ngrok documents it. The one way back: ours accepts a null `next_page_uri`, as the seed shows.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec_tools import (
    OFFICIAL_URI,
    SPEC_URI,
    at_pointer,
    audit_table,
    facts,
    is_valid,
    official,
    resolve,
    spec,
    validator,
)

METHODS = {"get", "post", "patch", "delete"}
OFFICIAL: dict[str, Any] = facts()["official_spec"]
DOCUMENTED = {entry["pointer"]: entry["documented"] for entry in audit_table()}
EXAMPLES = {op["operation_id"]: op.get("examples", {}) for op in facts()["operations"]}
BACKEND: dict[str, Any] = EXAMPLES["getFailoverBackend"]["response"]
GOOD_ID: str = BACKEND["id"]
CHILD: str = BACKEND["backends"][0]
LIST_URI = "https://api.ngrok.com/backends/failover"
NEXT_PAGE = f"{LIST_URI}?before_id={GOOD_ID}&limit=1"
SCHEMAS = "/components/schemas"


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_every_official_operation_and_status_is_here() -> None:
    ours = _operations(spec())
    for theirs in OFFICIAL["operations"]:
        key = (theirs["method"].lower(), theirs["path"])
        assert key in ours, key
        assert {str(s) for s in theirs["statuses"]} <= set(ours[key]["responses"]), key
        for part, where in [("request_body", "requestBody"), ("response", None)]:
            if part not in theirs:
                continue
            status = str(theirs["statuses"][0])
            holder = ours[key][where] if where else resolve(ours[key]["responses"][status])
            schema_ref = holder["content"]["application/json"]["schema"]["$ref"]
            assert schema_ref == f"#{SCHEMAS}/{theirs[part]}", (key, part)


def test_every_operation_documents_errors_the_official_file_lacks() -> None:
    for key, operation in _operations(spec()).items():
        errors = {s for s in operation["responses"] if not s.startswith("2")}
        assert {"400", "401", "403", "429", "5XX"} <= errors, key
        assert "default" not in operation["responses"], key
    assert OFFICIAL["error_responses"] is False
    for theirs in OFFICIAL["operations"]:
        assert all(200 <= status < 300 for status in theirs["statuses"]), theirs


def test_official_file_marks_nothing_required_and_ours_does() -> None:
    assert "required" in OFFICIAL["declares_none_of"]
    for name in ["FailoverBackend", "FailoverBackendCreate", "FailoverBackendList"]:
        assert OFFICIAL["schemas"][name]["required"] == []
        assert "required" not in official()["components"]["schemas"][name]
        assert spec()["components"]["schemas"][name]["required"]


def test_official_schemas_have_the_fields_and_types_ours_have() -> None:
    ours = spec()["components"]["schemas"]
    for name, declared in OFFICIAL["schemas"].items():
        fields = dict(declared["fields"])
        assert list(fields) == list(ours[name]["properties"]), name
        for field, kind in fields.items():
            schema = resolve(ours[name]["properties"][field])
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            assert kind["type"] in types, (name, field)


# (schema, document, the audit table's pointer to the keyword that rejects it). Each is
# accepted by ngrok's schema of the same name and rejected by ours through that keyword.
WITNESSES: list[tuple[str, Any, str]] = [
    ("FailoverBackend", {}, f"{SCHEMAS}/FailoverBackend/required"),
    (
        "FailoverBackend",
        {**BACKEND, "id": CHILD},
        f"{SCHEMAS}/FailoverBackendId/pattern",
    ),
    (
        "FailoverBackend",
        {**BACKEND, "uri": f"/backends/failover/{GOOD_ID}"},
        f"{SCHEMAS}/FailoverBackend/properties/uri/pattern",
    ),
    (
        "FailoverBackend",
        {**BACKEND, "created_at": "yesterday"},
        f"{SCHEMAS}/FailoverBackend/properties/created_at/format",
    ),
    (
        "FailoverBackend",
        {**BACKEND, "created_at": "2024-04-19T20:23:43.5+02:00"},
        f"{SCHEMAS}/FailoverBackend/properties/created_at/pattern",
    ),
    ("FailoverBackend", {**BACKEND, "description": "d" * 256}, f"{SCHEMAS}/Description/maxLength"),
    ("FailoverBackend", {**BACKEND, "metadata": "m" * 4097}, f"{SCHEMAS}/Metadata/maxLength"),
    ("FailoverBackend", {**BACKEND, "backends": ["not-an-id"]}, f"{SCHEMAS}/BackendId/pattern"),
    (
        "FailoverBackendCreate",
        {"description": "no children"},
        f"{SCHEMAS}/FailoverBackendCreate/required",
    ),
    (
        "FailoverBackendCreate",
        {"backends": [], "name": "x"},
        f"{SCHEMAS}/FailoverBackendCreate/additionalProperties",
    ),
    (
        "FailoverBackendCreate",
        {"backends": [], "description": "d" * 256},
        f"{SCHEMAS}/Description/maxLength",
    ),
    ("FailoverBackendUpdate", {"metadata": "m" * 4097}, f"{SCHEMAS}/Metadata/maxLength"),
    ("FailoverBackendUpdate", {"backends": ["bkdfo_short"]}, f"{SCHEMAS}/BackendId/pattern"),
    (
        "FailoverBackendUpdate",
        {"id": GOOD_ID, "name": "x"},
        f"{SCHEMAS}/FailoverBackendUpdate/additionalProperties",
    ),
    ("FailoverBackendList", {}, f"{SCHEMAS}/FailoverBackendList/required"),
    (
        "FailoverBackendList",
        {"backends": [], "uri": LIST_URI, "next_page_uri": "?x"},
        f"{SCHEMAS}/FailoverBackendList/properties/next_page_uri/pattern",
    ),
    (
        "FailoverBackendList",
        {"backends": [], "uri": f"{LIST_URI}?limit=5", "next_page_uri": NEXT_PAGE},
        f"{SCHEMAS}/FailoverBackendList/properties/uri/pattern",
    ),
]


def _witness_id(witness: tuple[str, Any, str]) -> str:
    name, _, pointer = witness
    keyword = pointer.removeprefix(SCHEMAS + "/")
    return f"{name}: {keyword} ({'documented' if DOCUMENTED[pointer] else 'spec only'})"


@pytest.mark.parametrize(
    ("name", "document", "pointer"), WITNESSES, ids=map(_witness_id, WITNESSES)
)
def test_official_accepts_what_ours_rejects(name: str, document: Any, pointer: str) -> None:
    schema = f"{SCHEMAS}/{name}"
    assert is_valid(OFFICIAL_URI, schema, document)
    errors = list(validator(SPEC_URI, schema).iter_errors(document))
    assert errors, f"ours accepts {document!r}"
    keyword = pointer.rsplit("/", 1)[-1]
    expected = at_pointer(spec(), pointer)
    caught = [(e.validator, e.validator_value) for e in errors]
    assert (keyword, expected) in caught, f"rejected by {caught}, not by {pointer}"


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("FailoverBackend", BACKEND),
        ("FailoverBackend", EXAMPLES["updateFailoverBackend"]["response"]),
        ("FailoverBackendCreate", {"backends": [CHILD], "description": "d", "metadata": "m"}),
        ("FailoverBackendCreate", EXAMPLES["createFailoverBackend"]["request"]),
        ("FailoverBackendUpdate", {"backends": []}),
        ("FailoverBackendUpdate", {"id": GOOD_ID, "metadata": "m"}),  # as the JS client sends
        ("FailoverBackendUpdate", EXAMPLES["updateFailoverBackend"]["request"]),
        (
            "FailoverBackendList",
            {"backends": [BACKEND], "uri": LIST_URI, "next_page_uri": NEXT_PAGE},
        ),
    ],
)
def test_what_ours_accepts_the_official_accepts(name: str, document: Any) -> None:
    assert is_valid(SPEC_URI, f"{SCHEMAS}/{name}", document)
    assert is_valid(OFFICIAL_URI, f"{SCHEMAS}/{name}", document)


def test_a_null_next_page_uri_is_the_one_thing_ours_accepts_and_the_official_rejects() -> None:
    # The seed's own list example: ngrok's file types next_page_uri as a plain string.
    assert OFFICIAL["next_page_uri_nullable"] is False
    page = EXAMPLES["listFailoverBackends"]["response"]
    assert page["next_page_uri"] is None
    assert is_valid(SPEC_URI, f"{SCHEMAS}/FailoverBackendList", page)
    assert not is_valid(OFFICIAL_URI, f"{SCHEMAS}/FailoverBackendList", page)
    assert is_valid(OFFICIAL_URI, f"{SCHEMAS}/FailoverBackendList", {**page, "next_page_uri": ""})


def test_parameters_are_more_precise() -> None:
    theirs = OFFICIAL["parameters"]
    list_params = {
        resolve(p)["name"]: resolve(p)
        for p in spec()["paths"]["/backends/failover"]["get"]["parameters"]
    }
    for name in ["before_id", "limit"]:
        assert list_params[name]["schema"]["type"] == theirs[name]["type"] == "string", name
        assert list_params[name]["required"] is theirs[name]["required"] is False, name
    assert "pattern" in list_params["limit"]["schema"]
    item_params = spec()["paths"]["/backends/failover/{id}"]["parameters"]
    id_param = resolve(item_params[0])
    assert (id_param["in"], id_param["required"]) == (theirs["id"]["in"], theirs["id"]["required"])
    assert resolve(id_param["schema"])["pattern"] == "^bkdfo_[0-9A-Za-z]{27}$"
    # ngrok's file types the version header as the integer 2; the header carries the text 2.
    version = resolve(spec()["components"]["parameters"]["NgrokVersion"])
    assert theirs["ngrok-version"]["type"] == "integer"
    assert version["name"].lower() == "ngrok-version"
    assert version["schema"]["enum"] == [str(theirs["ngrok-version"]["default"])]


def test_links_chain_create_to_get_update_delete() -> None:
    links = spec()["paths"]["/backends/failover"]["post"]["responses"]["201"]["links"]
    targets = {resolve(link)["operationId"] for link in links.values()}
    assert targets == {"getFailoverBackend", "updateFailoverBackend", "deleteFailoverBackend"}
    for link in links.values():
        assert resolve(link)["parameters"] == {"id": "$response.body#/id"}


def test_every_operation_declares_bearer_security_and_the_version_header() -> None:
    assert OFFICIAL["security"] == "bearer"
    for key, operation in _operations(spec()).items():
        assert operation["security"] == [{"bearerAuth": []}], key
        names = [resolve(p)["name"] for p in operation["parameters"]]
        assert "Ngrok-Version" in names, key
    assert spec()["components"]["securitySchemes"]["bearerAuth"] == {
        **spec()["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
