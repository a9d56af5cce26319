"""Our spec is a strict refinement of ngrok's published one.

Everything the official file describes is here, and for each schema there is a document
the official file accepts that ours rejects, for a reason ngrok documents.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec_tools import OFFICIAL_URI, SPEC_URI, is_valid, official, resolve, spec

METHODS = {"get", "post", "patch", "delete"}
GOOD_ID = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"
BACKEND = {
    "id": GOOD_ID,
    "uri": f"https://api.ngrok.com/backends/failover/{GOOD_ID}",
    "created_at": "2024-04-19T20:23:43Z",
    "description": "acme failover",
    "metadata": "{}",
    "backends": [CHILD],
}


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_every_official_operation_and_status_is_here() -> None:
    ours = _operations(spec())
    for key, theirs in _operations(official()).items():
        assert key in ours, key
        assert {str(s) for s in theirs["responses"]} <= set(ours[key]["responses"]), key


def test_every_operation_documents_errors_the_official_file_lacks() -> None:
    for key, operation in _operations(spec()).items():
        errors = {s for s in operation["responses"] if not s.startswith("2")}
        assert {"400", "401", "403", "429", "5XX"} <= errors, key
        assert "default" not in operation["responses"], key
    for key, operation in _operations(official()).items():
        assert all(str(s).startswith("2") for s in operation["responses"]), key


def test_official_file_marks_nothing_required_and_ours_does() -> None:
    for name in ["FailoverBackend", "FailoverBackendCreate", "FailoverBackendList"]:
        assert "required" not in official()["components"]["schemas"][name]
        assert spec()["components"]["schemas"][name]["required"]


# (schema, document, why ngrok's docs say it is wrong). Each is accepted by the official
# schema of the same name and rejected by ours.
WITNESSES: list[tuple[str, Any, str]] = [
    ("FailoverBackend", {}, "every field is always returned"),
    ("FailoverBackend", {**BACKEND, "id": "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"}, "id prefix"),
    ("FailoverBackend", {**BACKEND, "uri": f"/backends/failover/{GOOD_ID}"}, "uri absolute"),
    ("FailoverBackend", {**BACKEND, "created_at": "yesterday"}, "RFC 3339"),
    ("FailoverBackend", {**BACKEND, "description": "d" * 256}, "description max 255"),
    ("FailoverBackend", {**BACKEND, "metadata": "m" * 4097}, "metadata max 4096"),
    ("FailoverBackend", {**BACKEND, "backends": ["not-an-id"]}, "child id form"),
    ("FailoverBackendCreate", {"description": "no children"}, "backends is required"),
    ("FailoverBackendCreate", {"backends": [], "name": "x"}, "no unknown fields"),
    ("FailoverBackendCreate", {"backends": [], "description": "d" * 256}, "max 255"),
    ("FailoverBackendUpdate", {"metadata": "m" * 4097}, "max 4096"),
    ("FailoverBackendUpdate", {"backends": ["bkdfo_short"]}, "child id form"),
    ("FailoverBackendList", {}, "every field is always returned"),
    (
        "FailoverBackendList",
        {"backends": [], "uri": "https://api.ngrok.com/backends/failover", "next_page_uri": "?x"},
        "next_page_uri absolute",
    ),
]


@pytest.mark.parametrize(("name", "document", "why"), WITNESSES, ids=[w[2] for w in WITNESSES])
def test_official_accepts_what_ours_rejects(name: str, document: Any, why: str) -> None:
    assert is_valid(OFFICIAL_URI, f"/components/schemas/{name}", document)
    assert not is_valid(SPEC_URI, f"/components/schemas/{name}", document), why


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("FailoverBackend", BACKEND),
        ("FailoverBackendCreate", {"backends": [CHILD], "description": "d", "metadata": "m"}),
        ("FailoverBackendUpdate", {"backends": []}),
    ],
)
def test_what_ours_accepts_the_official_accepts(name: str, document: Any) -> None:
    assert is_valid(SPEC_URI, f"/components/schemas/{name}", document)
    assert is_valid(OFFICIAL_URI, f"/components/schemas/{name}", document)


def test_parameters_are_more_precise() -> None:
    list_params = {
        resolve(p)["name"]: resolve(p)
        for p in spec()["paths"]["/backends/failover"]["get"]["parameters"]
    }
    assert list_params["limit"]["schema"]["type"] == "string"  # as ngrok types it
    assert "pattern" in list_params["limit"]["schema"]
    item_params = spec()["paths"]["/backends/failover/{id}"]["parameters"]
    id_schema = resolve(resolve(item_params[0])["schema"])
    assert id_schema["pattern"] == "^bkdfo_[0-9A-Za-z]{27}$"
    version = resolve(spec()["components"]["parameters"]["NgrokVersion"])
    assert version["schema"]["enum"] == ["2"]


def test_links_chain_create_to_get_update_delete() -> None:
    links = spec()["paths"]["/backends/failover"]["post"]["responses"]["201"]["links"]
    targets = {resolve(link)["operationId"] for link in links.values()}
    assert targets == {"getFailoverBackend", "updateFailoverBackend", "deleteFailoverBackend"}
    for link in links.values():
        assert resolve(link)["parameters"] == {"id": "$response.body#/id"}


def test_every_operation_declares_bearer_security_and_the_version_header() -> None:
    for key, operation in _operations(spec()).items():
        assert operation["security"] == [{"bearerAuth": []}], key
        names = [resolve(p)["name"] for p in operation["parameters"]]
        assert "Ngrok-Version" in names, key
    assert spec()["components"]["securitySchemes"]["bearerAuth"] == {
        **spec()["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
