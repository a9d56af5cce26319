"""What the distributions require, read from their pyproject.toml and their built wheels, and
what uv.lock pins for the checkout."""

from __future__ import annotations

import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .helpers import PROJECTS, ROOT

OURS = frozenset(PROJECTS)  # between our own three: a release's major.minor (server_range)


def declared(name: str) -> list[Requirement]:
    """The `dependencies` and extras of one of our distributions, from its pyproject.toml."""
    project = tomllib.loads((PROJECTS[name] / "pyproject.toml").read_text("utf-8"))["project"]
    extras = [line for group in project.get("optional-dependencies", {}).values() for line in group]
    return [Requirement(line) for line in [*project.get("dependencies", []), *extras]]


def of_wheel(wheel: Path) -> list[Requirement]:
    """A built wheel's Requires-Dist (its METADATA), as pip and uv read it."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = Parser().parsestr(archive.read(metadata).decode("utf-8"))
    return [Requirement(line) for line in message.get_all("Requires-Dist") or []]


def third_party(requirements: list[Requirement], python_version: str) -> list[Requirement]:
    """Those not on our own distributions, whose markers hold on `python_version` ("3.13.5")."""
    environment = {
        "python_version": ".".join(python_version.split(".")[:2]),
        "python_full_version": python_version,
        "extra": "",
    }
    return [
        requirement
        for requirement in requirements
        if canonicalize_name(requirement.name) not in OURS
        and (requirement.marker is None or requirement.marker.evaluate(environment))
    ]


def lower_bound(specifier: SpecifierSet) -> Version | None:
    """The version of its `>=` clause, if it has one."""
    found = [Version(clause.version) for clause in specifier if clause.operator == ">="]
    return max(found) if found else None


def locked() -> dict[str, list[Version]]:
    """uv.lock's versions of each package (one, or one per Python where the lock forks)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    versions: dict[str, list[Version]] = {}
    for package in lock["package"]:
        if "version" in package:
            versions.setdefault(canonicalize_name(package["name"]), []).append(
                Version(package["version"])
            )
    return versions
