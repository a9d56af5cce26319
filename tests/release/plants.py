"""Changes planted in copies of the spec, each with the oasdiff rule it must raise (or none)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC_TEXT = (ROOT / "spec" / "failover.openapi.yaml").read_text()

Doc = dict[str, Any]


def spec() -> Doc:
    doc: Doc = yaml.safe_load(SPEC_TEXT)
    return doc


def schemas(doc: Doc) -> Doc:
    found: Doc = doc["components"]["schemas"]
    return found


def planted(change: Callable[[Doc], None]) -> Doc:
    doc = copy.deepcopy(spec())
    change(doc)
    return doc


def rename_schema(doc: Doc, old: str, new: str) -> None:
    """Rename a component schema and every $ref to it, as a hand edit would."""
    text = yaml.safe_dump(doc, sort_keys=False).replace(
        f"#/components/schemas/{old}'", f"#/components/schemas/{new}'"
    )
    renamed = yaml.safe_load(text)
    renamed["components"]["schemas"][new] = renamed["components"]["schemas"].pop(old)
    doc.clear()
    doc.update(renamed)


def _remove_delete(doc: Doc) -> None:
    del doc["paths"]["/backends/failover/{id}"]["delete"]


def _remove_response_field(doc: Doc) -> None:
    backend = schemas(doc)["FailoverBackend"]
    del backend["properties"]["metadata"]
    backend["required"].remove("metadata")


def _retype_response_field(doc: Doc) -> None:
    created_at = schemas(doc)["FailoverBackend"]["properties"]["created_at"]
    created_at.clear()
    created_at["type"] = "integer"


def _new_required_request_field(doc: Doc) -> None:
    create = schemas(doc)["FailoverBackendCreate"]
    create["properties"]["region"] = {"type": "string"}
    create["required"].append("region")


def _new_required_parameter(doc: Doc) -> None:
    parameters = doc["paths"]["/backends/failover"]["get"]["parameters"]
    parameters.append(
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def _tighter_pattern(doc: Doc) -> None:
    schemas(doc)["BackendId"]["pattern"] = "^bkd(hr|tg)_[0-9A-Za-z]{27}$"


def _new_pattern(doc: Doc) -> None:
    schemas(doc)["Metadata"]["pattern"] = "^[{].*[}]$"


def _lower_max_length(doc: Doc) -> None:
    schemas(doc)["Description"]["maxLength"] = 100


def _higher_min_length(doc: Doc) -> None:
    before_id = doc["paths"]["/backends/failover"]["get"]["parameters"][1]
    assert before_id["name"] == "before_id"
    before_id["schema"]["minLength"] = 5


def _remove_404(doc: Doc) -> None:
    del doc["paths"]["/backends/failover/{id}"]["get"]["responses"]["404"]


def _201_becomes_200(doc: Doc) -> None:
    responses = doc["paths"]["/backends/failover"]["post"]["responses"]
    responses["200"] = responses.pop("201")


def _rename_schema(doc: Doc) -> None:
    rename_schema(doc, "Error", "ApiError")


def _optional_becomes_required(doc: Doc) -> None:
    schemas(doc)["FailoverBackendCreate"]["required"].append("description")


def _response_nullable(doc: Doc) -> None:
    uri = schemas(doc)["FailoverBackend"]["properties"]["uri"]
    uri["type"] = ["string", "null"]


def _remove_request_field(doc: Doc) -> None:
    del schemas(doc)["FailoverBackendUpdate"]["properties"]["metadata"]


def _rename_operation(doc: Doc) -> None:
    doc["paths"]["/backends/failover/{id}"]["get"]["operationId"] = "fetchFailoverBackend"
    for link in doc["components"]["links"].values():
        if link["operationId"] == "getFailoverBackend":
            link["operationId"] = "fetchFailoverBackend"


# (name, change, the rule it must raise)
BREAKING: list[tuple[str, Callable[[Doc], None], str]] = [
    ("removed operation", _remove_delete, "api-removed-without-deprecation"),
    ("removed response field", _remove_response_field, "response-required-property-removed"),
    ("retyped response field", _retype_response_field, "response-property-type-changed"),
    ("new required request field", _new_required_request_field, "new-required-request-property"),
    ("new required parameter", _new_required_parameter, "new-required-request-parameter"),
    ("tighter pattern", _tighter_pattern, "request-property-pattern-changed"),
    ("new pattern", _new_pattern, "request-property-pattern-added"),
    ("lower maxLength", _lower_max_length, "request-property-max-length-decreased"),
    ("higher minLength", _higher_min_length, "request-parameter-min-length-increased"),
    ("removed error status", _remove_404, "response-non-success-status-removed"),
    ("removed success status", _201_becomes_200, "response-success-status-removed"),
    ("renamed schema", _rename_schema, "api-schema-removed"),
    (
        "optional field made required",
        _optional_becomes_required,
        "request-property-became-required",
    ),
    ("response field made nullable", _response_nullable, "response-property-became-nullable"),
    ("removed field of a closed request", _remove_request_field, "request-property-removed"),
    ("renamed operationId", _rename_operation, "api-operation-id-removed"),
]


def _new_optional_request_field(doc: Doc) -> None:
    schemas(doc)["FailoverBackendCreate"]["properties"]["labels"] = {"type": "string"}


def _new_optional_response_field(doc: Doc) -> None:
    schemas(doc)["FailoverBackend"]["properties"]["region"] = {"type": "string"}


def _new_operation(doc: Doc) -> None:
    get = copy.deepcopy(doc["paths"]["/backends/failover/{id}"]["get"])
    get["operationId"] = "getFailoverBackendChildren"
    get["summary"] = "Get the children of a Failover Backend"
    doc["paths"]["/backends/failover/{id}/children"] = {
        "parameters": doc["paths"]["/backends/failover/{id}"]["parameters"],
        "get": get,
    }


def _longer_description(doc: Doc) -> None:
    get = doc["paths"]["/backends/failover/{id}"]["get"]
    get["description"] += " It includes the ordered ids of its children."
    schemas(doc)["Description"]["description"] += " At most 255 characters."


def _higher_max_length(doc: Doc) -> None:
    schemas(doc)["Metadata"]["maxLength"] = 8192


# (name, change, the rule it must raise, the level it asks for)
COMPATIBLE: list[tuple[str, Callable[[Doc], None], str, str]] = [
    (
        "new optional request field",
        _new_optional_request_field,
        "new-optional-request-property",
        "feature",
    ),
    (
        "new optional response field",
        _new_optional_response_field,
        "response-optional-property-added",
        "feature",
    ),
    ("new operation", _new_operation, "endpoint-added", "feature"),
    ("longer description", _longer_description, "api-description-updated", "info"),
    ("higher maxLength", _higher_max_length, "request-property-max-length-increased", "info"),
]
