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


def _at(document: Any, pointer: str) -> Any:
    node = document
    for part in _pointer_parts(pointer) if pointer else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


class RefCycle(Exception):
    """A schema refers to itself: it cannot be written out without its `$ref`s."""


def inlined(document: Any, node: Any, following: tuple[str, ...] = ()) -> Any:
    """`node` with every local `$ref` replaced by what it names, so that validating it never
    resolves a reference (referencing's lookups were a third of a run's validation time)."""
    if isinstance(node, list):
        return [inlined(document, item, following) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    rest = {k: inlined(document, v, following) for k, v in node.items() if k != "$ref"}
    if not (isinstance(ref, str) and ref.startswith("#")):
        return rest if ref is None else {**rest, "$ref": ref}
    if ref in following:
        raise RefCycle(f"{ref} refers to itself")
    target = inlined(document, _at(document, ref[1:]), (*following, ref))
    # A $ref beside other keywords applies with them (JSON Schema 2020-12): all of them.
    return {**rest, "allOf": [*rest.get("allOf", []), target]} if rest else target


class View:
    """One reading of the spec (the documented view, or the spec as written), its schemas
    compiled once: a run checks thousands of requests and answers against them."""

    def __init__(self, document: dict[str, Any], uri: str) -> None:
        self.document = document
        self._uri = uri
        resource: Resource[Any] = Resource.from_contents(
            document, default_specification=DRAFT202012
        )
        self._registry: Registry[Any] = Registry().with_resource(uri, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self._parameters: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def at(self, pointer: str) -> Any:
        return _at(self.document, pointer)

    def deref(self, pointer: str) -> str:
        """The pointer of the node at `pointer`, after following its local `$ref`s."""
        node = self.at(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = str(node["$ref"]).removeprefix("#")
            node = self.at(pointer)
        return pointer

    def validator(self, schema_pointer: str) -> Draft202012Validator:
        """The schema at `schema_pointer`, compiled: written out whole, or (one that refers
        to itself) resolved through the view's registry."""
        validator = self._validators.get(schema_pointer)
        if validator is None:
            try:
                schema = inlined(self.document, self.at(schema_pointer))
                validator = Draft202012Validator(schema, format_checker=FormatChecker())
            except RefCycle:
                validator = Draft202012Validator(
                    {"$ref": f"{self._uri}#{schema_pointer}"},
                    registry=self._registry,
                    format_checker=FormatChecker(),
                )
            self._validators[schema_pointer] = validator
        return validator

    def errors_at(self, schema_pointer: str, instance: object) -> list[str]:
        """Why `instance` breaks the schema at `schema_pointer` in this view."""
        return [error.message for error in self.validator(schema_pointer).iter_errors(instance)]

    def parameters(self, operation: str) -> list[tuple[str, dict[str, Any]]]:
        """(pointer, parameter) of each parameter of the operation at `operation`, path-level
        too (`_parameters`), read once."""
        found = self._parameters.get(operation)
        if found is None:
            found = self._parameters[operation] = _parameters(self, operation)
        return found


@cache
def documented_view() -> View:
    return View(server_view(), _URI)


@cache
def spec_view() -> View:
    """The spec as written: its undocumented constraints too (what it guides clients to)."""
    return View(spec(), "urn:failover-spec")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def errors_at(schema_pointer: str, instance: object) -> list[str]:
    """Why `instance` breaks the documented constraints of the schema at `schema_pointer`."""
    return documented_view().errors_at(schema_pointer, instance)


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


@dataclass(frozen=True, slots=True)
class Break:
    """A rule a request breaks: where (operation, path, query, header, body) and how."""

    where: str
    message: str

    def __str__(self) -> str:
        return self.message


def _parameters(view: View, operation: str) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, parameter) of each parameter of the operation at `operation`, path-level too."""
    found = []
    for owner in (operation.rsplit("/", 1)[0], operation):
        node = view.at(owner)
        for index, _ in enumerate(node.get("parameters", [])):
            pointer = view.deref(f"{owner}/parameters/{index}")
            found.append((pointer, view.at(pointer)))
    return found


def request_breaks(sent: Sent) -> list[Break]:
    """The documented rules `sent` breaks: a server must refuse it only if there are any."""
    return breaks_in(documented_view(), sent)


def spec_breaks(sent: Sent) -> list[Break]:
    """The rules of the spec as written that `sent` breaks, documented or not."""
    return breaks_in(spec_view(), sent)


def breaks_in(view: View, sent: Sent) -> list[Break]:
    """The rules of `view` that `sent` breaks."""
    operation = f"/paths/{_escape(sent.path)}/{sent.method.lower()}"
    path_item = view.document["paths"].get(sent.path)
    if not isinstance(path_item, dict) or not isinstance(path_item.get(sent.method.lower()), dict):
        return [Break("operation", f"{sent.method} {sent.path} is not an operation of the API")]
    broken: list[Break] = []
    declared: dict[str, set[str]] = {"query": set(), "header": set(), "path": set()}
    for pointer, parameter in view.parameters(operation):
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
                broken.append(Break(where, f"{where} parameter {name} is missing"))
            continue
        errors = view.errors_at(f"{pointer}/schema", values[key])
        broken += [Break(where, f"{name}: {e}") for e in errors]
    broken += [
        Break("query", f"unknown query parameter {q}")
        for q in sent.query
        if q not in declared["query"]
    ]
    body_pointer = f"{operation}/requestBody"
    if "requestBody" in view.at(operation):
        body_pointer = view.deref(body_pointer)
        request_body = view.at(body_pointer)
        if sent.body is ABSENT:
            if request_body.get("required"):
                broken.append(Break("body", "the body is missing"))
        elif (sent.media_type or "").split(";")[0].strip().lower() != "application/json":
            broken.append(Break("body", f"the body is sent as {sent.media_type!r}, not JSON"))
        else:
            schema = f"{body_pointer}/content/application~1json/schema"
            broken += [Break("body", f"body: {e}") for e in view.errors_at(schema, sent.body)]
    return broken


def _response_pointer(method: str, path: str, status: int) -> str | None:
    """Where the spec declares the answer `status` of an operation (the status itself, its
    range, or the default), or None when it declares none."""
    view = documented_view()
    responses = view.at(f"/paths/{_escape(path)}/{method.lower()}/responses")
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            return view.deref(f"/paths/{_escape(path)}/{method.lower()}/responses/{key}")
    return None


def declared_media(method: str, path: str, status: int) -> tuple[str, ...] | None:
    """The media types the spec declares for the answer `status` of an operation (none for a
    bodiless one), or None when it declares no such answer."""
    pointer = _response_pointer(method, path, status)
    if pointer is None:
        return None
    return tuple(documented_view().at(pointer).get("content", {}))


def answer_breaks(method: str, path: str, status: int, body: object) -> list[str]:
    """The documented constraints a JSON answer breaks (none if the status is not in the spec)."""
    pointer = _response_pointer(method, path, status)
    if pointer is None or "application/json" not in documented_view().at(pointer).get(
        "content", {}
    ):
        return []
    return errors_at(f"{pointer}/content/application~1json/schema", body)
