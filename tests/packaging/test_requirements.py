"""The three distributions support CPython 3.11 to 3.14 and require ranges, not pins, which
admit what is tested: uv.lock's versions (the checkout's), and, installed, the lowest versions
the ranges admit (`make test-install` resolves with --resolution lowest-direct too)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from scripts.release import server_range

from .helpers import PROJECTS, ROOT, Venv
from .pythons import Python
from .requirements import OURS, declared, locked, lower_bound, of_wheel, third_party

SUPPORTED = ("3.11", "3.12", "3.13", "3.14")


def _pyproject(name: str) -> dict[str, Any]:
    return tomllib.loads((PROJECTS[name] / "pyproject.toml").read_text("utf-8"))


def _spec_version() -> str:
    return str(_pyproject("ngrok-failover-server")["project"]["version"])


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_each_distribution_supports_python_3_11_to_3_14(name: str) -> None:
    project = _pyproject(name)["project"]
    assert project["requires-python"] == f">={SUPPORTED[0]}"
    prefix = "Programming Language :: Python :: "
    versions = [c.removeprefix(prefix) for c in project["classifiers"] if c.startswith(prefix)]
    assert [v for v in versions if v[:1].isdigit() and "." in v] == list(SUPPORTED), versions


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_requirements_are_ranges_with_a_lower_bound(name: str) -> None:
    """No pins (they are uv.lock's): every requirement has `>=`, and one of our own three asks
    for its release's major.minor."""
    for requirement in declared(name):
        operators = {clause.operator for clause in requirement.specifier}
        assert not operators & {"==", "===", "~="}, f"{name}: {requirement} is a pin"
        assert ">=" in operators, f"{name}: {requirement} has no lower bound"
        if canonicalize_name(requirement.name) in OURS:
            assert requirement.specifier == SpecifierSet(server_range(_spec_version()))


def test_the_ranges_admit_the_locked_versions() -> None:
    """The versions the checkout is tested with (uv.lock) are inside every range."""
    versions = locked()
    outside = [
        f"{name}: {requirement} excludes {version}"
        for name in PROJECTS
        for requirement in third_party(declared(name), SUPPORTED[0] + ".0")
        for version in versions.get(canonicalize_name(requirement.name), [])
        if version not in requirement.specifier
    ]
    missing = [
        f"{name}: {requirement.name}"
        for name in PROJECTS
        for requirement in third_party(declared(name), SUPPORTED[0] + ".0")
        if canonicalize_name(requirement.name) not in versions
    ]
    assert not outside and not missing, outside + missing


def test_the_lock_and_the_linters_target_the_oldest_supported_python() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    assert lock["requires-python"] == f">={SUPPORTED[0]}"
    tools = _pyproject("ngrok-failover-server")["tool"]
    assert tools["ruff"]["target-version"] == "py" + SUPPORTED[0].replace(".", "")
    assert tools["mypy"]["python_version"] == SUPPORTED[0]


def _installed_versions(python: Python, venv: Venv) -> dict[str, Version]:
    listing = json.loads(
        python.uv_pip(venv, "listing what is installed", "list", "--format", "json")
    )
    return {canonicalize_name(p["name"]): Version(p["version"]) for p in listing}


def _bounds(wheels: list[Path], python_version: str) -> dict[str, SpecifierSet]:
    """Each third-party requirement of the wheels, their ranges joined."""
    joined: dict[str, SpecifierSet] = {}
    for wheel in wheels:
        for requirement in third_party(of_wheel(wheel), python_version):
            name = canonicalize_name(requirement.name)
            joined[name] = joined.get(name, SpecifierSet()) & requirement.specifier
    return joined


@pytest.mark.install
def test_the_resolution_installs_what_it_says(
    python: Python, resolution: str, installed: Venv, wheels: Path
) -> None:
    """lowest-direct: each requirement at its lower bound, so the tests on that venv prove it;
    highest: at least uv.lock's version, so they test versions no older than the checkout's."""
    got = _installed_versions(python, installed)
    versions = locked()
    wrong = []
    for name, specifier in _bounds(sorted(wheels.glob("*.whl")), python.version).items():
        if (version := got.get(name)) is None:
            wrong.append(f"{name} is not installed")
            continue
        if resolution == "lowest-direct":
            expected, held = f"== {lower_bound(specifier)}", version == lower_bound(specifier)
        else:
            expected, held = f">= {max(versions[name])}", version >= max(versions[name])
        if not held or version not in specifier:
            wrong.append(f"{name} {version} (range {specifier}, expected {expected})")
    assert not wrong, f"{python}, --resolution {resolution}: {wrong}"
