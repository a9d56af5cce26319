"""The changes between two versions of an OpenAPI 3.1 document, each classed by what it does to
a client that was written against the older one.

Rule ids are those of oasdiff's catalogue of checks (https://www.oasdiff.com/), so a finding
reads the same as oasdiff's would; where oasdiff has none (a composition keyword changed), the
id follows its pattern. Request schemas may only widen and response schemas only narrow: the
client sends what the old spec allowed and trusts what it promised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keywords compared as a whole: a change we cannot prove safe counts as breaking.
COMPOSITION = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "const")


class Level(IntEnum):
    """What a change asks of the version: a patch, a minor or a major step."""

    INFO = 0
    FEATURE = 1
    BREAKING = 2


@dataclass(frozen=True, order=True)
class Change:
    level: Level
    rule: str
    where: str
    text: str

    def line(self) -> str:
        return f"{self.level.name.lower():8} {self.rule}  {self.where}: {self.text}"


def _resolve(node: Any, root: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> Any:
    """`node` with every local $ref replaced by what it points to (a cycle stays a $ref)."""
    if isinstance(node, list):
        return [_resolve(item, root, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return _resolve({**target, **siblings}, root, seen | {ref})
    return {key: _resolve(value, root, seen) for key, value in node.items()}


def _types(schema: Mapping[str, Any]) -> frozenset[str]:
    kind = schema.get("type")
    if kind is None:
        return frozenset()  # any type
    types = {kind} if isinstance(kind, str) else set(kind)
    if schema.get("nullable") is True:  # OpenAPI 3.0's spelling
        types.add("null")
    return frozenset(types)


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class _Differ:
    def __init__(self, base: Mapping[str, Any], head: Mapping[str, Any]) -> None:
        self.base, self.head = base, head
        self.changes: list[Change] = []

    def add(self, level: Level, rule: str, where: str, text: str) -> None:
        self.changes.append(Change(level, rule, where, text))

    # Schemas. `side` is "request" or "response"; `name` is the property path for messages.
    def schema(self, side: str, where: str, name: str, old: Any, new: Any) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict) or old == new:
            return
        what = f"{side}-property" if name else f"{side}-body"
        at = f"{where} {name}".rstrip() if name else where
        request = side == "request"
        self._types(what, at, request, old, new)
        self._enum(what, at, request, old, new)
        self._constraints(what, at, request, old, new)
        for keyword in COMPOSITION:
            if _show(old.get(keyword)) != _show(new.get(keyword)):
                self.add(Level.BREAKING, f"{what}-{keyword.lower()}-changed", at, keyword)
        if old.get("description") != new.get("description") and name:
            self.add(Level.INFO, f"{what}-description-changed", at, "new description")
        self._properties(side, where, name, old, new)
        if "items" in old and "items" in new:
            self.schema(side, where, f"{name}[]" if name else "[]", old["items"], new["items"])

    def _types(self, what: str, at: str, request: bool, old: Any, new: Any) -> None:
        before, after = _types(old), _types(new)
        if before == after:
            return
        # A request may accept more; a response may promise less. Empty means any type.
        widened = not after or (bool(before) and before < after)
        narrowed = bool(after) and (not before or after < before)
        shown = f"{sorted(before) or 'any'} -> {sorted(after) or 'any'}"
        if (request and widened) or (not request and narrowed):
            self.add(Level.INFO, f"{what}-type-generalized", at, shown)
        else:
            self.add(Level.BREAKING, f"{what}-type-changed", at, shown)
        if not request and "null" in after - before:
            self.add(Level.BREAKING, f"{what}-became-nullable", at, "may now be null")

    def _enum(self, what: str, at: str, request: bool, old: Any, new: Any) -> None:
        before, after = old.get("enum"), new.get("enum")
        if before == after:
            return
        # A request breaks when fewer values are accepted, a response when more may come back.
        if before is None or after is None:
            verb, shown = ("added", _show(after)) if before is None else ("removed", "any value")
            breaking = request == (verb == "added")
            level = Level.BREAKING if breaking else Level.INFO
            self.add(level, f"{what}-enum-{verb}", at, shown)
            return
        removed = [value for value in before if value not in after]
        added = [value for value in after if value not in before]
        if removed:
            level = Level.BREAKING if request else Level.INFO
            self.add(level, f"{what}-enum-value-removed", at, _show(removed))
        if added:
            level = Level.INFO if request else Level.BREAKING
            self.add(level, f"{what}-enum-value-added", at, _show(added))

    def _constraints(self, what: str, at: str, request: bool, old: Any, new: Any) -> None:
        # (keyword, rule stem, does a larger value allow more?)
        for keyword, stem, larger_allows_more in (
            ("maxLength", "max-length", True),
            ("minLength", "min-length", False),
            ("maximum", "max", True),
            ("minimum", "min", False),
            ("maxItems", "max-items", True),
            ("minItems", "min-items", False),
        ):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            if after is None:
                tighter, verb = False, "removed"
            elif before is None:
                tighter, verb = True, "set"
            else:
                tighter = (after < before) if larger_allows_more else (after > before)
                verb = "decreased" if after < before else "increased"
            # Tighter refuses what a client sends. A response's limit is information: neither
            # generated client checks it.
            level = Level.BREAKING if request and tighter else Level.INFO
            self.add(level, f"{what}-{stem}-{verb}", at, f"{before} -> {after}")
        for keyword, stem in (("pattern", "pattern"), ("format", "format")):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            verb = "added" if before is None else "removed" if after is None else "changed"
            # A new or changed rule may refuse what a client sends; a response's is information.
            breaking = request and verb != "removed"
            level = Level.BREAKING if breaking else Level.INFO
            self.add(level, f"{what}-{stem}-{verb}", at, f"{before} -> {after}")
        closed_now = new.get("additionalProperties") is False
        if request and closed_now and old.get("additionalProperties") is not False:
            self.add(Level.BREAKING, f"{what}-additional-properties-restricted", at, "closed")

    def _properties(self, side: str, where: str, name: str, old: Any, new: Any) -> None:
        before, after = old.get("properties") or {}, new.get("properties") or {}
        req_before, req_after = set(old.get("required") or []), set(new.get("required") or [])
        request = side == "request"
        for prop in sorted(before.keys() | after.keys()):
            path = f"{name}.{prop}" if name else prop
            at = f"{where} {path}"
            if prop not in after:
                if request:
                    # With additionalProperties: false a client still sending it gets a 400.
                    closed = new.get("additionalProperties") is False
                    level = Level.BREAKING if closed else Level.INFO
                    self.add(level, "request-property-removed", at, "removed")
                else:
                    kind = "required" if prop in req_before else "optional"
                    self.add(Level.BREAKING, f"response-{kind}-property-removed", at, "removed")
            elif prop not in before:
                if request:
                    required = prop in req_after
                    rule = (
                        "new-required-request-property"
                        if required
                        else ("new-optional-request-property")
                    )
                    self.add(Level.BREAKING if required else Level.FEATURE, rule, at, "added")
                else:
                    kind = "required" if prop in req_after else "optional"
                    self.add(Level.FEATURE, f"response-{kind}-property-added", at, "added")
            else:
                self.schema(side, where, path, before[prop], after[prop])
                if request and prop in req_after and prop not in req_before:
                    self.add(Level.BREAKING, "request-property-became-required", at, "required")
                if request and prop in req_before and prop not in req_after:
                    self.add(Level.INFO, "request-property-became-optional", at, "optional")
                if not request and prop in req_before and prop not in req_after:
                    self.add(Level.BREAKING, "response-property-became-optional", at, "optional")
                if not request and prop in req_after and prop not in req_before:
                    self.add(Level.INFO, "response-property-became-required", at, "required")

    # Operations.
    def operations(self) -> None:
        old_ops, new_ops = dict(_operations(self.base)), dict(_operations(self.head))
        for key in sorted(old_ops.keys() - new_ops.keys()):
            self.add(Level.BREAKING, "api-removed-without-deprecation", key, "operation removed")
        for key in sorted(new_ops.keys() - old_ops.keys()):
            self.add(Level.FEATURE, "endpoint-added", key, "operation added")
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self.operation(key, old_ops[key], new_ops[key])

    def operation(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        if old.get("operationId") != new.get("operationId"):
            # The generated clients name their functions after it.
            text = f"{old.get('operationId')} -> {new.get('operationId')}"
            self.add(Level.BREAKING, "api-operation-id-removed", where, text)
        for field in ("summary", "description"):
            if old.get(field) != new.get(field):
                self.add(Level.INFO, f"api-{field}-updated", where, f"new {field}")
        if not old.get("deprecated") and new.get("deprecated"):
            self.add(Level.INFO, "endpoint-deprecated", where, "deprecated")
        self.parameters(where, old.get("parameters") or [], new.get("parameters") or [])
        self.request_body(where, old.get("requestBody"), new.get("requestBody"))
        self.responses(where, old.get("responses") or {}, new.get("responses") or {})

    def parameters(self, where: str, old: list[Any], new: list[Any]) -> None:
        before = {(p["in"], p["name"]): p for p in old}
        after = {(p["in"], p["name"]): p for p in new}
        for place, name in sorted(before.keys() | after.keys()):
            at = f"{where} {place} parameter {name}"
            o, n = before.get((place, name)), after.get((place, name))
            if n is None:
                self.add(Level.BREAKING, "request-parameter-removed", at, "removed")
            elif o is None:
                required = bool(n.get("required"))
                rule = (
                    "new-required-request-parameter"
                    if required
                    else ("new-optional-request-parameter")
                )
                self.add(Level.BREAKING if required else Level.FEATURE, rule, at, "added")
            else:
                if n.get("required") and not o.get("required"):
                    self.add(Level.BREAKING, "request-parameter-became-required", at, "required")
                if o.get("required") and not n.get("required"):
                    self.add(Level.INFO, "request-parameter-became-optional", at, "optional")
                sub = _Differ(self.base, self.head)
                sub.schema("request", at, "", o.get("schema"), n.get("schema"))
                for change in sub.changes:  # request-body-* -> request-parameter-*
                    rule = change.rule.replace("request-body-", "request-parameter-", 1)
                    self.add(change.level, rule, change.where, change.text)

    def request_body(self, where: str, old: Any, new: Any) -> None:
        if old is None and new is None:
            return
        if old is None:
            required = bool(new.get("required"))
            rule = "new-required-request-body" if required else "new-optional-request-body"
            self.add(Level.BREAKING if required else Level.FEATURE, rule, where, "added")
            return
        if new is None:
            self.add(Level.BREAKING, "request-body-removed", where, "removed")
            return
        if new.get("required") and not old.get("required"):
            self.add(Level.BREAKING, "request-body-became-required", where, "required")
        self.media(where, "request", old.get("content") or {}, new.get("content") or {})

    def media(self, where: str, side: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for media in sorted(old.keys() - new.keys()):
            self.add(Level.BREAKING, f"{side}-media-type-removed", where, media)
        for media in sorted(new.keys() - old.keys()):
            self.add(Level.FEATURE, f"{side}-media-type-added", where, media)
        for media in sorted(old.keys() & new.keys()):
            self.schema(side, where, "", old[media].get("schema"), new[media].get("schema"))

    def responses(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for status in sorted(old.keys() - new.keys()):
            kind = "success" if str(status).startswith("2") else "non-success"
            self.add(Level.BREAKING, f"response-{kind}-status-removed", where, str(status))
        for status in sorted(new.keys() - old.keys()):
            kind = "success" if str(status).startswith("2") else "non-success"
            self.add(Level.FEATURE, f"response-{kind}-status-added", where, str(status))
        for status in sorted(old.keys() & new.keys()):
            at = f"{where} {status}"
            o, n = old[status], new[status]
            if o.get("description") != n.get("description"):
                self.add(Level.INFO, "response-description-changed", at, "new description")
            self.headers(at, o.get("headers") or {}, n.get("headers") or {})
            self.media(at, "response", o.get("content") or {}, n.get("content") or {})

    def headers(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for name in sorted(old.keys() - new.keys()):
            required = bool(old[name].get("required"))
            rule = f"response-{'required' if required else 'optional'}-header-removed"
            self.add(Level.BREAKING if required else Level.INFO, rule, where, name)
        for name in sorted(new.keys() - old.keys()):
            self.add(Level.FEATURE, "response-header-added", where, name)

    def components(self) -> None:
        before = (self.base.get("components") or {}).get("schemas") or {}
        after = (self.head.get("components") or {}).get("schemas") or {}
        # The generated clients export each schema as a type or class: a rename is a removal.
        for name in sorted(before.keys() - after.keys()):
            self.add(Level.BREAKING, "api-schema-removed", f"#/components/schemas/{name}", name)
        for name in sorted(after.keys() - before.keys()):
            self.add(Level.FEATURE, "api-schema-added", f"#/components/schemas/{name}", name)


def _operations(doc: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for path, item in (doc.get("paths") or {}).items():
        shared = item.get("parameters") or []
        for method in METHODS:
            if method in item:
                op = dict(item[method])
                # Path-level parameters apply unless the operation overrides them.
                own = {(p["in"], p["name"]) for p in op.get("parameters") or []}
                inherited = [p for p in shared if (p["in"], p["name"]) not in own]
                op["parameters"] = [*inherited, *(op.get("parameters") or [])]
                yield f"{method.upper()} {path}", op


def diff_specs(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[Change]:
    """Every change from `base` to `head`, sorted breaking first."""
    differ = _Differ(_resolve(base, base), _resolve(head, head))
    differ.operations()
    differ.components()
    if base.get("info", {}).get("description") != head.get("info", {}).get("description"):
        differ.add(Level.INFO, "api-description-changed", "info", "new description")
    return sorted(set(differ.changes), key=lambda c: (-c.level, c.where, c.rule))
