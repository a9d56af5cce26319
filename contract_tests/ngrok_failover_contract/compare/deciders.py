"""Which facts of spec/facts.yaml would decide who is right about a kind of difference, or
that none does (then neither side is wrong by the contract: the docs leave it open).

A fact is named where it sits in the file: `rules.<name>`, `operations.<operationId>`,
`resources.<name>`, `error_codes.<code>`. `tests/compare/test_deciders.py` holds every name
here to the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.registry import Property
from ..core.spec import facts

P = Property
# What decides each property a side may break; None: no fact states it (the model's own
# reading, e.g. that a refused request changes nothing).
PROPERTY_FACTS: dict[str, tuple[str, ...]] = {
    P.BACKEND_HAS_EVERY_FIELD: ("resources.FailoverBackend",),
    P.DESCRIPTION_READS_BACK: (
        "operations.createFailoverBackend",
        "operations.updateFailoverBackend",
    ),
    P.METADATA_READS_BACK: ("operations.createFailoverBackend", "operations.updateFailoverBackend"),
    P.BACKENDS_READS_BACK: ("rules.children_in_order",),
    P.UPDATE_KEEPS_ABSENT_FIELDS: ("rules.update_keeps_absent_fields",),
    P.ID_NEVER_CHANGES: ("operations.updateFailoverBackend",),
    P.CREATED_AT_NEVER_CHANGES: ("operations.updateFailoverBackend",),
    P.ANSWERS_REQUESTED_ID: ("operations.getFailoverBackend",),
    P.LIST_MATCHES_GET: ("resources.FailoverBackendList",),
    P.IDS_ARE_UNIQUE: ("resources.FailoverBackend", "rules.failover_id_form"),
    P.URI_IS_OWN: ("rules.resource_uri",),
    P.LIST_URI_IS_COLLECTION: ("resources.FailoverBackendList",),
    P.LIMIT_IS_HONOURED: ("rules.paging_parameters",),
    P.NEXT_PAGE_URI_IS_ABSOLUTE: ("rules.next_page_uri",),
    P.LAST_PAGE_HAS_NULL_NEXT: ("rules.next_page_uri",),
    P.NO_PAGE_LOOP: ("rules.next_page_uri",),
    P.LISTED_EXACTLY_ONCE: ("operations.listFailoverBackends",),
    P.EVERY_EXISTING_BACKEND_LISTED: ("operations.listFailoverBackends",),
    P.LIST_IS_NEWEST_FIRST: ("rules.list_order", "rules.list_order_within_one_second"),
    P.DELETED_BACKEND_NOT_LISTED: ("operations.deleteFailoverBackend",),
    P.GONE_AFTER_DELETE: ("operations.deleteFailoverBackend", "rules.not_found"),
    P.NEVER_CREATED_IS_404: ("rules.not_found",),
    P.UPDATE_MUST_NOT_CREATE: ("rules.not_found",),
    P.CREATE_ACCEPTS_VALID_INPUT: ("operations.createFailoverBackend",),
    P.CREATED_BACKEND_IS_AVAILABLE: ("operations.getFailoverBackend",),
    P.UPDATE_ANSWERS_200: ("operations.updateFailoverBackend",),
    P.DELETE_ANSWERS_204: ("operations.deleteFailoverBackend",),
    P.LIST_ANSWERS_200: ("operations.listFailoverBackends",),
    P.ERROR_BODY_MATCHES_STATUS: ("rules.error_body",),
    P.CREATED_AT_IS_CREATION_TIME: ("rules.created_at_format",),
    P.NEAR_MISS_KEY_REFUSED: ("rules.bearer_api_key", "rules.credential_errors"),
    P.NEAR_MISS_ID_NOT_FOUND: ("rules.failover_id_form", "rules.not_found"),
    P.IGNORED_AUTH: ("rules.bearer_api_key", "rules.credential_errors"),
    P.CONTENT_TYPE_CONFORMANCE: ("rules.json_bodies",),
    P.RESPONSE_SCHEMA_CONFORMANCE: ("resources.FailoverBackend", "rules.error_body"),
    P.NEGATIVE_DATA_REJECTION: (
        "rules.body_errors",
        "rules.paging_parameters",
        "rules.version_header",
        "rules.invalid_ids",
    ),
    P.MISSING_REQUIRED_HEADER: ("rules.version_header",),
}
# What decides a difference of one field both models allowed.
FIELD_FACTS: dict[str, tuple[str, ...]] = {
    "uri": ("rules.resource_uri",),
    "content_type": ("rules.json_bodies",),
}
# Whose fact is the operation the difference came from (its documented statuses).
BY_OPERATION = frozenset(
    {P.NOT_A_SERVER_ERROR, P.STATUS_CODE_CONFORMANCE, P.POSITIVE_DATA_ACCEPTANCE, "status"}
)
_CODE_FIELDS = ("code", "codes", "missing", "unsupported", "out_of_range", "unknown_parameter")


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact of spec/facts.yaml: where it sits, what it says, where ngrok says it."""

    where: str
    says: str
    source: str


def deciding(kind: str, operation: str, values: tuple[str, str] | None = None) -> list[Fact]:
    """The facts that would decide a difference of `kind` (from `operation`; `values`: what
    each side showed), or none."""
    name = kind.removeprefix("state:")
    if name == "error_code" and values is not None:
        return [fact(where) for where in _code_facts(values)]
    if name in BY_OPERATION:
        op = operation.split(" ", 1)[0]
        return [fact(f"operations.{op}")] if _operation(op) else []
    return [fact(where) for where in PROPERTY_FACTS.get(name, FIELD_FACTS.get(name, ()))]


def fact(where: str) -> Fact:
    """The fact at `where` (`rules.<name>` and the like); LookupError when there is none."""
    section, _, name = where.partition(".")
    data = facts()
    if section == "rules":
        entry = next((r for r in data["rules"] if r["name"] == name), None)
        if entry is None:
            raise LookupError(f"spec/facts.yaml has no rule {name!r}")
        return Fact(where, " ".join(str(entry["says"]).split()), str(entry["source"]))
    if section == "operations":
        op = _operation(name)
        if op is None:
            raise LookupError(f"spec/facts.yaml has no operation {name!r}")
        says = f"{op['title']}: {op['method']} {op['path']} answers {op['success_status']}"
        return Fact(where, says + _fields(op), str(op["source"]))
    if section == "resources":
        resource = data["resources"][name]
        says = f"{name} has the fields " + ", ".join(resource["fields"])
        return Fact(where, says, str(resource["source"]))
    if section == "error_codes":
        code = data["error_codes"][name]
        return Fact(where, f"{name}: {code['meaning']}", str(code["source"]))
    raise LookupError(f"no section {section!r} in spec/facts.yaml")


def _operation(operation_id: str) -> dict[str, Any] | None:
    return next((o for o in facts()["operations"] if o["operation_id"] == operation_id), None)


def _fields(op: dict[str, Any]) -> str:
    body = op.get("request_body")
    return f", written fields {', '.join(body)}" if isinstance(body, dict) else ""


def _code_facts(values: tuple[str, str]) -> list[str]:
    """The rules naming either error code, and each code's own entry."""
    codes = {value.strip("'\"") for value in values}
    found = []
    for rule in facts()["rules"]:
        named: set[str] = set()
        for key in _CODE_FIELDS:
            value = rule.get(key)
            named |= set(value) if isinstance(value, list) else {str(value)}
        if named & codes:
            found.append(f"rules.{rule['name']}")
    found += [f"error_codes.{code}" for code in sorted(codes) if code in facts()["error_codes"]]
    return found
