"""The CI recipes in docs/ci/ work as written: their shell steps, read from the YAML, run in
an empty temporary folder with a fresh venv first on PATH (the CI image's Python) and
CONTRACT_PACKAGE pointing at the built wheel, so a recipe cannot rot (`make test-install`, and
`make test-pythons` on each Python)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import GUARD_S, ROOT
from .pythons import Python

pytestmark = pytest.mark.install
RECIPES = ROOT / "docs" / "ci"
KEY = "recipe-test-key"
# How the two CI systems run a step: GitHub's default `run:` shell; GitLab's script in one shell.
SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]


@dataclass(frozen=True)
class Recipe:
    steps: list[str]  # each runs in a shell of its own, in order, in the same folder
    env: dict[str, str]  # what the recipe sets itself (values it takes from CI secrets left out)
    artifacts: list[str]  # the files it keeps


def github_actions() -> Recipe:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text("utf-8"))
    (job,) = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    (upload,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    return Recipe(
        steps=[step["run"] for step in steps if "run" in step],
        env={k: str(v) for k, v in job.get("env", {}).items() if "${{" not in str(v)},
        artifacts=upload["with"]["path"].split(),
    )


def gitlab_ci() -> Recipe:
    (job,) = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text("utf-8")).values()
    artifacts = job["artifacts"]
    return Recipe(
        steps=["\n".join([*job.get("before_script", []), *job["script"]])],
        env={k: str(v) for k, v in job.get("variables", {}).items()},
        artifacts=[*artifacts["paths"], artifacts["reports"]["junit"]],
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("recipe", [github_actions, gitlab_ci], ids=["github-actions", "gitlab-ci"])
def test_the_recipe_runs_as_written(
    recipe: Any, wheels: Path, python: Python, tmp_path: Path
) -> None:
    read: Recipe = recipe()
    assert any("ngrok-failover-contract --base-url" in step for step in read.steps), read.steps
    assert "SERVER_PORT" in read.env  # the one value the test changes: 8080 may be taken here
    (contract_wheel,) = wheels.glob("ngrok_failover_contract-*.whl")
    venv = python.new_venv(tmp_path / "python", seed=True)  # the CI image's Python, with pip
    work = tmp_path / "work"
    work.mkdir()
    given = {
        "SERVER_PORT": str(free_port()),
        "NGROK_API_KEY": KEY,  # the CI secret
        "CONTRACT_PACKAGE": str(contract_wheel),
        "PIP_FIND_LINKS": str(wheels),  # the server's wheel, which the suite's depends on
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "CI": "true",  # as both CI systems set it
    }
    env = venv.env(**{**read.env, **given})
    groups: list[int] = []  # each step's process group: what a step left running is ended
    outputs: list[str] = []
    try:
        for step in read.steps:
            process = subprocess.Popen(
                [*SHELL, step],
                cwd=work,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            groups.append(process.pid)
            outputs.append(process.communicate(timeout=GUARD_S)[0])
            assert process.returncode == 0, f"step failed:\n{step}\n{outputs[-1][-3000:]}"
    finally:
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
    assert KEY not in "".join(outputs)
    for artifact in read.artifacts:
        assert (work / artifact).is_file(), artifact
