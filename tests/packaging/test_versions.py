"""The three distributions are released at the spec's info.version (part of `make test`)."""

from __future__ import annotations

import tomllib
from typing import Any

import yaml

from scripts.release import PROJECTS as RELEASED_WITH_THE_SPEC
from scripts.release import server_range, set_project_version

from .helpers import PROJECTS, ROOT


def _project(name: str) -> dict[str, Any]:
    data = tomllib.loads((PROJECTS[name] / "pyproject.toml").read_text("utf-8"))
    project: dict[str, Any] = data["project"]
    assert project["name"] == name
    return project


def _spec_version() -> str:
    spec = yaml.safe_load((ROOT / "spec" / "failover.openapi.yaml").read_text("utf-8"))
    return str(spec["info"]["version"])


def test_every_distribution_has_the_spec_version() -> None:
    version = _spec_version()
    assert {name: _project(name)["version"] for name in PROJECTS} == dict.fromkeys(
        PROJECTS, version
    )


def test_the_contract_suite_offers_the_server_of_its_own_release_as_an_extra() -> None:
    project = _project("ngrok-failover-contract")
    server = f"ngrok-failover-server{server_range(_spec_version())}"
    assert project["optional-dependencies"]["server"] == [server]
    assert not [d for d in project["dependencies"] if "ngrok-failover-server" in d]


def test_make_release_moves_the_versions_with_the_spec() -> None:
    """`make release` writes these two (and make generate the client's): the test above holds."""
    assert {p.parent for p in RELEASED_WITH_THE_SPEC} == {
        PROJECTS["ngrok-failover-server"],
        PROJECTS["ngrok-failover-contract"],
    }
    servers = []
    for path in RELEASED_WITH_THE_SPEC:
        moved = tomllib.loads(set_project_version(path.read_text("utf-8"), "9.8.7"))["project"]
        assert moved["version"] == "9.8.7"
        extras = moved.get("optional-dependencies", {}).get("server", [])
        servers += [d for d in moved.get("dependencies", []) + extras if "server" in d]
    assert servers == ["ngrok-failover-server>=9.8.7,<9.9"]


def test_the_server_range_is_the_release_s_major_minor() -> None:
    assert server_range("0.1.0") == ">=0.1.0,<0.2"
    assert server_range("2.9.3") == ">=2.9.3,<2.10"
