"""The Python client's public API compared with ast: planted changes to the source, and a spec
change the spec diff calls compatible that still changes the generated client."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.check_breaking import compare, problems
from scripts.client_api import diff_client_api, public_api
from scripts.spec_diff import Level
from tests.release.plants import SPEC_TEXT, Doc, planted

BASE = """
__all__ = ["sync", "Model", "Kind"]

def sync(id: str, *, client: object, limit: str | None = None) -> int | None: ...

def _private(x: int) -> None: ...

class Kind:
    V2 = "2"

class Model:
    name: str
    count: int | None = None

    def to_dict(self) -> dict[str, object]: ...
"""


def _package(root: Path, source: str) -> Path:
    package = root / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "api.py").write_text(source)
    return package


def _rules(tmp_path: Path, new: str) -> set[tuple[str, str, Level]]:
    base = public_api(_package(tmp_path / "base", BASE))
    head = public_api(_package(tmp_path / "head", new))
    return {(c.rule, c.where, c.level) for c in diff_client_api(base, head)}


def test_the_same_source_has_no_change(tmp_path: Path) -> None:
    assert _rules(tmp_path, BASE) == set()


def test_breaking_changes_to_functions(tmp_path: Path) -> None:
    new = BASE.replace(
        "def sync(id: str, *, client: object, limit: str | None = None) -> int | None: ...",
        "def sync(id: int, client: object, *, region: str) -> int: ...",
    )
    assert _rules(tmp_path, new) == {
        ("client-parameter-type-changed", "pkg.api.sync(id)", Level.BREAKING),
        ("client-parameter-removed", "pkg.api.sync(limit)", Level.BREAKING),
        ("client-new-required-parameter", "pkg.api.sync(region)", Level.BREAKING),
        ("client-function-return-type-changed", "pkg.api.sync", Level.BREAKING),
    }


def test_a_keyword_only_parameter_made_positional_is_compatible(tmp_path: Path) -> None:
    new = BASE.replace("*, client: object,", "client: object, *,")
    assert _rules(tmp_path, new) == set()


def test_breaking_changes_to_classes(tmp_path: Path) -> None:
    new = (
        BASE.replace('    V2 = "2"', '    VERSION_2 = "2"')
        .replace("count: int | None = None", "count: int")
        .replace("    name: str\n", "")
        .replace("def to_dict", "def as_dict")
        .replace('"Kind"]', "]")
    )
    assert _rules(tmp_path, new) == {
        ("client-export-removed", "pkg.api.Kind", Level.BREAKING),
        ("client-member-removed", "pkg.api.Kind.V2", Level.BREAKING),
        ("client-member-added", "pkg.api.Kind.VERSION_2", Level.FEATURE),
        ("client-field-removed", "pkg.api.Model.name", Level.BREAKING),
        ("client-field-type-changed", "pkg.api.Model.count", Level.BREAKING),
        ("client-field-became-required", "pkg.api.Model.count", Level.BREAKING),
        ("client-method-removed", "pkg.api.Model.to_dict", Level.BREAKING),
        ("client-method-added", "pkg.api.Model.as_dict", Level.FEATURE),
    }


def test_additions_are_features(tmp_path: Path) -> None:
    new = BASE.replace("limit: str | None = None", "limit: str | None = None, page: int = 1")
    new += "\nclass Page:\n    size: int\n\ndef walk() -> None: ...\n"
    assert _rules(tmp_path, new) == {
        ("client-new-optional-parameter", "pkg.api.sync(page)", Level.FEATURE),
        ("client-class-added", "pkg.api.Page", Level.FEATURE),
        ("client-function-added", "pkg.api.walk", Level.FEATURE),
    }


def test_a_client_change_the_spec_diff_calls_compatible_is_still_reported() -> None:
    """x-enum-varnames names the generated enum's member; the spec diff ignores x- keys."""

    def rename_member(doc: Doc) -> None:
        doc["components"]["parameters"]["NgrokVersion"]["schema"]["x-enum-varnames"] = ["VERSION_2"]

    report = compare("base", SPEC_TEXT, yaml.safe_dump(planted(rename_member), sort_keys=False))
    assert report.spec == []
    caught = {(c.rule, c.where) for c in report.client if c.level is Level.BREAKING}
    member = "ngrok_failover_client.models.get_failover_backend_ngrok_version."
    assert ("client-member-removed", member + "GetFailoverBackendNgrokVersion.V2") in caught
    (problem,) = problems(report)
    assert "breaking change(s) since base" in problem
