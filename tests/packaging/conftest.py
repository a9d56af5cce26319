"""The install tests' fixtures: the three distributions built once per session, and a fresh
virtual environment outside the checkout with them installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import PROJECTS, Venv, new_venv, run_checked, uv


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the three distributions, built from the checkout as `make build` does."""
    out = tmp_path_factory.mktemp("dist")
    for project in PROJECTS.values():
        run_checked([uv(), "build", "--quiet", str(project), "--out-dir", str(out)])
    return out


@pytest.fixture(scope="session")
def installed(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv outside the checkout with the three wheels (and their dependencies)."""
    built = sorted(wheels.glob("*.whl"))
    assert len(built) == len(PROJECTS), built
    venv = new_venv(tmp_path_factory.mktemp("installed"))
    run_checked(
        [uv(), "pip", "install", "--quiet", "--python", str(venv.bin / "python"), *map(str, built)]
    )
    return venv
