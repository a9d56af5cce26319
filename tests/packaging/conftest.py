"""The install tests' fixtures: the three distributions built once per session, and a fresh
virtual environment outside the checkout with them installed, on each Python named by
`--pythons` and with each of uv's resolutions named by `--resolutions`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import PROJECTS, Venv, run_checked, uv
from .pythons import (
    DEBIAN,
    HOST,
    PYTHONS,
    RESOLUTIONS,
    Host,
    Python,
    install_wheels,
    python_of,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("install", "the install tests (tests/packaging, -m install)")
    group.addoption(
        "--pythons",
        default=HOST,
        help=f"comma-separated, of {', '.join(PYTHONS)}: where the tools are installed "
        "(host: this interpreter; a version: a Debian chroot's); default host",
    )
    group.addoption(
        "--resolutions",
        default=RESOLUTIONS[0],
        help=f"comma-separated, of {', '.join(RESOLUTIONS)}: how uv resolves the wheels' "
        "requirements; default highest",
    )


def _listed(config: pytest.Config, option: str, allowed: tuple[str, ...]) -> list[str]:
    values = [value for value in str(config.getoption(option)).split(",") if value]
    if unknown := sorted(set(values) - set(allowed)):
        raise pytest.UsageError(f"--{option}: {unknown} unknown; choose from {allowed}")
    return values


def _label(name: str) -> str:
    return DEBIAN[name].label if name in DEBIAN else Host().label


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test that needs a Python (or a resolution) runs once for each named."""
    if "python" in metafunc.fixturenames:
        names = _listed(metafunc.config, "pythons", PYTHONS)
        ids = [_label(name) for name in names]
        metafunc.parametrize("python", names, ids=ids, indirect=True, scope="session")
    if "resolution" in metafunc.fixturenames:
        resolutions = _listed(metafunc.config, "resolutions", RESOLUTIONS)
        metafunc.parametrize("resolution", resolutions, indirect=True, scope="session")


@pytest.fixture(scope="session")
def python(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Python]:
    """The Python the tools are installed on (a chroot's sees this session's temporary folder)."""
    with python_of(str(request.param), tmp_path_factory.getbasetemp()) as found:
        yield found


@pytest.fixture(scope="session")
def resolution(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the three distributions, built from the checkout as `make build` does."""
    out = tmp_path_factory.mktemp("dist")
    for project in PROJECTS.values():
        run_checked([uv(), "build", "--quiet", str(project), "--out-dir", str(out)])
    return out


@pytest.fixture(scope="session")
def installed(
    python: Python, resolution: str, wheels: Path, tmp_path_factory: pytest.TempPathFactory
) -> Venv:
    """A fresh venv outside the checkout with the three wheels (and their dependencies)."""
    built = sorted(wheels.glob("*.whl"))
    assert len(built) == len(PROJECTS), built
    venv = python.new_venv(tmp_path_factory.mktemp("installed"))
    install_wheels(python, venv, resolution, built)
    return venv
