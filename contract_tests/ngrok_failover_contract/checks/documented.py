"""What a server is held to: the spec less the constraints ngrok does not document.

The spec is precise for clients; `spec/facts.yaml` audits each of its constraints
(`constraints:`: `documented: true` with the public source, or `false`). A server must
reject a request only if it breaks a documented constraint, and its answers are checked
against documented constraints only: `server_view()` is the spec with the others removed
(or, where the docs state a looser form, replaced by it: `documented_form`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..core.spec import facts, spec

_URI = "urn:failover-server-view"


def _pointer_parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


@cache
def constraints() -> tuple[dict[str, Any], ...]:
    return tuple(facts()["constraints"])


@cache
def server_view() -> dict[str, Any]:
    """The spec with every undocumented constraint removed (or loosened to its documented form)."""
    view: dict[str, Any] = copy.deepcopy(spec())
    for entry in constraints():
        if entry["documented"] and "documented_form" not in entry:
            continue
        *parents, keyword = _pointer_parts(entry["pointer"])
        node: Any = view
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if "documented_form" in entry:
            node[keyword] = entry["documented_form"]
        else:
            del node[keyword]
    return view


@cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(
        server_view(), default_specification=DRAFT202012
    )
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return registry


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _at(pointer: str) -> Any:
    node: Any = server_view()
    for part in _pointer_parts(pointer) if pointer else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _deref(pointer: str) -> str:
    """The pointer of the node at `pointer`, after following its local `$ref`s."""
    node = _at(pointer)
    while isinstance(node, dict) and "$ref" in node:
        pointer = str(node["$ref"]).removeprefix("#")
        node = _at(pointer)
    return pointer


def errors_at(schema_pointer: str, instance: object) -> list[str]:
    """Why `instance` breaks the documented constraints of the schema at `schema_pointer`."""
    validator = Draft202012Validator(
        {"$ref": f"{_URI}#{schema_pointer}"},
        registry=_registry(),
        format_checker=FormatChecker(),
    )
    return [error.message for error in validator.iter_errors(instance)]


@dataclass(frozen=True, slots=True)
class Sent:
    """A request as the server got it: what the documented rules are checked on."""

    method: str
    path: str  # the spec's path template, e.g. /backends/failover/{id}
    path_parameters: Mapping[str, object]
    query: Mapping[str, object]
    headers: Mapping[str, str]  # lower-case names
    body: object  # ABSENT when the request has none
    media_type: str | None


ABSENT = object()


def _parameters(operation: str) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, parameter) of each parameter of the operation at `operation`, path-level too."""
    found = []
    for owner in (operation.rsplit("/", 1)[0], operation):
        node = _at(owner)
        for index, _ in enumerate(node.get("parameters", [])):
            pointer = _deref(f"{owner}/parameters/{index}")
            found.append((pointer, _at(pointer)))
    return found


def request_breaks(sent: Sent) -> list[str]:
    """The documented rules `sent` breaks: a server must refuse it only if there are any."""
    operation = f"/paths/{_escape(sent.path)}/{sent.method.lower()}"
    if not isinstance(_at(f"/paths/{_escape(sent.path)}").get(sent.method.lower()), dict):
        return [f"{sent.method} {sent.path} is not an operation of the API"]
    broken: list[str] = []
    declared: dict[str, set[str]] = {"query": set(), "header": set(), "path": set()}
    for pointer, parameter in _parameters(operation):
        where, name = parameter["in"], parameter["name"]
        declared.setdefault(where, set()).add(name.lower() if where == "header" else name)
        values: Mapping[str, object] = {
            "path": sent.path_parameters,
            "query": sent.query,
            "header": sent.headers,
        }[where]
        key = name.lower() if where == "header" else name
        if key not in values:
            if parameter.get("required"):
                broken.append(f"{where} parameter {name} is missing")
            continue
        broken += [f"{name}: {e}" for e in errors_at(f"{pointer}/schema", values[key])]
    broken += [f"unknown query parameter {q}" for q in sent.query if q not in declared["query"]]
    body_pointer = f"{operation}/requestBody"
    if "requestBody" in _at(operation):
        body_pointer = _deref(body_pointer)
        request_body = _at(body_pointer)
        if sent.body is ABSENT:
            if request_body.get("required"):
                broken.append("the body is missing")
        elif (sent.media_type or "").split(";")[0].strip().lower() != "application/json":
            broken.append(f"the body is sent as {sent.media_type!r}, not application/json")
        else:
            schema = f"{body_pointer}/content/application~1json/schema"
            broken += [f"body: {e}" for e in errors_at(schema, sent.body)]
    return broken


def answer_breaks(method: str, path: str, status: int, body: object) -> list[str]:
    """The documented constraints a JSON answer breaks (none if the status is not in the spec)."""
    responses = _at(f"/paths/{_escape(path)}/{method.lower()}/responses")
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            pointer = _deref(f"/paths/{_escape(path)}/{method.lower()}/responses/{key}")
            content = _at(pointer).get("content", {})
            if "application/json" not in content:
                return []
            return errors_at(f"{pointer}/content/application~1json/schema", body)
    return []
