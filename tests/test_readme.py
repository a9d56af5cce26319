"""Every Python example in the READMEs (the project's and the published client's) passes
mypy --strict and runs in a fresh venv holding only what the README installs for it.

An example's installs are the `pip install` line of the nearest `sh` block above it (the
client's own README installs the client alone). Our distributions are installed from the
checkout, everything else at uv.lock's version. A block that defines tests runs under pytest
(with the server's plugin); a block that reads NGROK_API_KEY runs against a reference
server; any other block runs as a script.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ngrok_failover_server.testing import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
OURS = {
    "ngrok-failover-client": ROOT / "generated",
    "ngrok-failover-server": ROOT,
    "ngrok-failover-contract": ROOT / "contract_tests",
}
# generated/README.md is the client's page on PyPI: what it shows needs the client alone.
CLIENTS_OWN = ("ngrok-failover-client",)
_BLOCK_RE = re.compile(r"```(python|sh)\n(.*?)```", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Example:
    source: str
    installs: tuple[str, ...]
    where: str


def _installs(sh: str) -> tuple[str, ...] | None:
    for line in sh.splitlines():
        if line.startswith("pip install "):
            return tuple(shlex.split(line, comments=True)[2:])
    return None


def _examples(readme: Path, default: tuple[str, ...] | None) -> list[Example]:
    found, installs = [], default
    text = readme.read_text(encoding="utf-8")
    for match in _BLOCK_RE.finditer(text):
        kind, body = match.groups()
        if kind == "sh":
            installs = _installs(body) or installs
            continue
        line = text.count("\n", 0, match.start()) + 1
        shown = readme.relative_to(ROOT) if readme.is_relative_to(ROOT) else readme
        where = f"{shown}:{line}"
        assert installs is not None, f"{where}: no `pip install` line above this example"
        found.append(Example(body, installs, where))
    return found


EXAMPLES = _examples(ROOT / "README.md", None) + _examples(
    ROOT / "generated" / "README.md", CLIENTS_OWN
)


def _locked() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"]}


def _requirement(name: str, locked: dict[str, str]) -> str:
    bare = re.split(r"[\[<>=!~ ]", name, maxsplit=1)[0]
    if bare in OURS:
        return str(OURS[bare]) + name[len(bare) :]
    assert bare in locked, f"the README installs {name}, which uv.lock does not hold"
    return f"{bare}=={locked[bare]}"


_VENVS: dict[tuple[str, ...], Path] = {}


VenvFor = Callable[[tuple[str, ...]], Path]


@pytest.fixture(scope="session")
def venv_for(tmp_path_factory: pytest.TempPathFactory) -> VenvFor:
    locked = _locked()

    def make(installs: tuple[str, ...]) -> Path:
        if installs not in _VENVS:
            folder = tmp_path_factory.mktemp("readme-venv")
            python = folder / "bin" / "python"
            subprocess.run([UV, "venv", "-q", "--python", sys.executable, folder], check=True)
            requirements = [_requirement(name, locked) for name in installs]
            subprocess.run(
                [UV, "pip", "install", "-q", "--python", python, *requirements],
                check=True,
                cwd=folder,  # a build of ours leaves nothing in the checkout
            )
            _VENVS[installs] = python
        return _VENVS[installs]

    return make


def _run(
    python: Path | str, args: list[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args], env=env, capture_output=True, text=True, check=False
    )


def test_readme_has_client_and_server_examples() -> None:
    sources = [example.source for example in EXAMPLES]
    assert any("iter_failover_backends(" in block for block in sources)
    assert any("def test_" in block for block in sources)
    assert any("serve_in_thread(" in block for block in sources)


def test_an_example_finds_the_install_line_above_it(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "```sh\nmake setup\npip install a 'b[x]'  # why\n```\n\n```python\nimport a\n```\n"
    )
    assert _installs("make setup\n") is None
    (example,) = _examples(readme, None)
    assert example.installs == ("a", "b[x]")
    readme.write_text("```python\nimport a\n```\n")
    with pytest.raises(AssertionError, match="no `pip install` line above this example"):
        _examples(readme, None)


@pytest.mark.parametrize("n", range(len(EXAMPLES)), ids=[e.where for e in EXAMPLES])
def test_readme_block_passes_mypy_strict(n: int, tmp_path: Path) -> None:
    source = tmp_path / f"readme_block_{n}.py"
    source.write_text(EXAMPLES[n].source)
    result = _run(sys.executable, ["-m", "mypy", "--strict", "--no-incremental", str(source)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("n", range(len(EXAMPLES)), ids=[e.where for e in EXAMPLES])
def test_readme_block_runs_with_only_its_installs(
    n: int, tmp_path: Path, venv_for: VenvFor
) -> None:
    example = EXAMPLES[n]
    python = venv_for(example.installs)
    block = example.source
    source = tmp_path / f"test_readme_block_{n}.py"
    source.write_text(block)
    if "def test_" in block:
        result = _run(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(source)])
        assert result.returncode == 0, result.stdout + result.stderr
        assert " passed" in result.stdout
        return
    if "NGROK_API_KEY" not in block:
        result = _run(python, [str(source)])
        assert result.returncode == 0, result.stdout + result.stderr
        return
    with serve_in_thread() as server:
        env = {**os.environ, "NGROK_API_URL": server.base_url, "NGROK_API_KEY": server.api_key}
        result = _run(python, [str(source)], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    created_id = result.stdout.split()[0]
    assert created_id.startswith("bkdfo_")
    assert f"{created_id} acme failover" in result.stdout.splitlines()  # the walk found it
