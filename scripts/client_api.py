"""The public API of a generated Python client, read with `ast`, and the changes between two.

A spec change the spec diff calls compatible can still change the client: a new
`x-enum-varnames`, a schema `title` that renames a model class, a generator setting. What a
user imports and calls is compared here: modules, `__all__`, functions and methods with their
parameters, classes with their fields and members.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from scripts.spec_diff import Change, Level


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # positional-only, positional, keyword-only, *args, **kwargs
    required: bool
    annotation: str


@dataclass(frozen=True)
class Function:
    params: tuple[Param, ...]
    returns: str


@dataclass
class Class:
    fields: dict[str, tuple[str, bool]] = field(default_factory=dict)  # annotation, required
    members: dict[str, str] = field(default_factory=dict)  # NAME = value (enum members)
    methods: dict[str, Function] = field(default_factory=dict)


@dataclass
class Module:
    exports: tuple[str, ...] | None = None  # __all__
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)


def _public(name: str) -> bool:
    return not name.startswith("_")


def _text(node: ast.expr | None) -> str:
    return "" if node is None else ast.unparse(node)


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Function:
    args = node.args
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    # Defaults belong to the last positional parameters.
    first_default = len(positional) - len(args.defaults)
    for index, arg in enumerate(positional):
        kind = "positional-only" if index < len(args.posonlyargs) else "positional"
        params.append(Param(arg.arg, kind, index < first_default, _text(arg.annotation)))
    if args.vararg:
        params.append(Param(args.vararg.arg, "*args", False, _text(args.vararg.annotation)))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(Param(arg.arg, "keyword-only", default is None, _text(arg.annotation)))
    if args.kwarg:
        params.append(Param(args.kwarg.arg, "**kwargs", False, _text(args.kwarg.annotation)))
    if params and params[0].name in ("self", "cls"):
        params.pop(0)
    return Function(tuple(params), _text(node.returns))


def _class(node: ast.ClassDef) -> Class:
    cls = Class()
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if _public(item.target.id):
                cls.fields[item.target.id] = (_text(item.annotation), item.value is None)
        elif isinstance(item, ast.Assign):
            for target in item.targets:
                if isinstance(target, ast.Name) and _public(target.id):
                    cls.members[target.id] = _text(item.value)
        elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
            _public(item.name) or item.name == "__init__"
        ):
            cls.methods[item.name] = _function(item)
    return cls


def _module(source: str) -> Module:
    module = Module()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _public(node.name):
            module.functions[node.name] = _function(node)
        elif isinstance(node, ast.ClassDef) and _public(node.name):
            module.classes[node.name] = _class(node)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            module.exports = tuple(str(name) for name in value)
    return module


def public_api(package: Path) -> dict[str, Module]:
    """Every public module of the package folder `package`, by dotted name."""
    modules: dict[str, Module] = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if all(_public(part) for part in parts):
            modules[".".join(parts)] = _module(path.read_text())
    return modules


def _accepts_keyword(param: Param) -> bool:
    return param.kind in ("positional", "keyword-only")


def _accepts_position(param: Param) -> bool:
    return param.kind in ("positional-only", "positional")


def _diff_function(out: list[Change], what: str, where: str, old: Function, new: Function) -> None:
    before = {p.name: p for p in old.params}
    after = {p.name: p for p in new.params}
    old_positions = [p.name for p in old.params if _accepts_position(p)]
    new_positions = [p.name for p in new.params if _accepts_position(p)]
    for name, param in before.items():
        at = f"{where}({name})"
        if param.kind in ("*args", "**kwargs"):
            if name not in after:
                out.append(Change(Level.BREAKING, f"client-{what}-{param.kind}-removed", at, ""))
            continue
        if name not in after:
            out.append(Change(Level.BREAKING, "client-parameter-removed", at, "removed"))
            continue
        now = after[name]
        if (_accepts_keyword(param) and not _accepts_keyword(now)) or (
            _accepts_position(param) and not _accepts_position(now)
        ):
            text = f"{param.kind} -> {now.kind}"
            out.append(Change(Level.BREAKING, "client-parameter-kind-changed", at, text))
        elif _accepts_position(param) and old_positions.index(name) != new_positions.index(name):
            out.append(Change(Level.BREAKING, "client-parameter-moved", at, "new position"))
        if now.required and not param.required:
            out.append(Change(Level.BREAKING, "client-parameter-became-required", at, "required"))
        if now.annotation != param.annotation:
            text = f"{param.annotation} -> {now.annotation}"
            out.append(Change(Level.BREAKING, "client-parameter-type-changed", at, text))
    for name in after.keys() - before.keys():
        param, at = after[name], f"{where}({name})"
        if param.required:
            out.append(Change(Level.BREAKING, "client-new-required-parameter", at, "added"))
        else:
            out.append(Change(Level.FEATURE, "client-new-optional-parameter", at, "added"))
    if old.returns != new.returns:
        text = f"{old.returns} -> {new.returns}"
        out.append(Change(Level.BREAKING, f"client-{what}-return-type-changed", where, text))


def _diff_class(out: list[Change], where: str, old: Class, new: Class) -> None:
    for name, (annotation, required) in old.fields.items():
        at = f"{where}.{name}"
        if name not in new.fields:
            out.append(Change(Level.BREAKING, "client-field-removed", at, "removed"))
            continue
        now_annotation, now_required = new.fields[name]
        if now_annotation != annotation:
            text = f"{annotation} -> {now_annotation}"
            out.append(Change(Level.BREAKING, "client-field-type-changed", at, text))
        if now_required and not required:
            out.append(Change(Level.BREAKING, "client-field-became-required", at, "required"))
    for name in sorted(new.fields.keys() - old.fields.keys()):
        required = new.fields[name][1]
        rule = "client-new-required-field" if required else "client-new-optional-field"
        level = Level.BREAKING if required else Level.FEATURE
        out.append(Change(level, rule, f"{where}.{name}", "added"))
    for name, value in old.members.items():
        at = f"{where}.{name}"
        if name not in new.members:
            out.append(Change(Level.BREAKING, "client-member-removed", at, value))
        elif new.members[name] != value:
            text = f"{value} -> {new.members[name]}"
            out.append(Change(Level.BREAKING, "client-member-value-changed", at, text))
    for name in sorted(new.members.keys() - old.members.keys()):
        out.append(Change(Level.FEATURE, "client-member-added", f"{where}.{name}", "added"))
    _diff_functions(out, "method", where, old.methods, new.methods)


def _diff_functions(
    out: list[Change], what: str, where: str, old: dict[str, Function], new: dict[str, Function]
) -> None:
    for name in sorted(old.keys() - new.keys()):
        out.append(Change(Level.BREAKING, f"client-{what}-removed", f"{where}.{name}", "removed"))
    for name in sorted(new.keys() - old.keys()):
        out.append(Change(Level.FEATURE, f"client-{what}-added", f"{where}.{name}", "added"))
    for name in sorted(old.keys() & new.keys()):
        _diff_function(out, what, f"{where}.{name}", old[name], new[name])


def diff_client_api(base: dict[str, Module], head: dict[str, Module]) -> list[Change]:
    """Every change to the public API from `base` to `head`, sorted breaking first."""
    out: list[Change] = []
    for name in sorted(base.keys() - head.keys()):
        out.append(Change(Level.BREAKING, "client-module-removed", name, "removed"))
    for name in sorted(head.keys() - base.keys()):
        out.append(Change(Level.FEATURE, "client-module-added", name, "added"))
    for name in sorted(base.keys() & head.keys()):
        old, new = base[name], head[name]
        if old.exports is not None:
            for export in sorted(set(old.exports) - set(new.exports or ())):
                at = f"{name}.{export}"
                out.append(Change(Level.BREAKING, "client-export-removed", at, "not in __all__"))
        _diff_functions(out, "function", name, old.functions, new.functions)
        for cls in sorted(old.classes.keys() - new.classes.keys()):
            out.append(Change(Level.BREAKING, "client-class-removed", f"{name}.{cls}", "removed"))
        for cls in sorted(new.classes.keys() - old.classes.keys()):
            out.append(Change(Level.FEATURE, "client-class-added", f"{name}.{cls}", "added"))
        for cls in sorted(old.classes.keys() & new.classes.keys()):
            _diff_class(out, f"{name}.{cls}", old.classes[cls], new.classes[cls])
    return sorted(set(out), key=lambda c: (-c.level, c.where, c.rule))
