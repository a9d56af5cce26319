"""The contract suite's layers hold (`make lint` runs import-linter on `.importlinter`), and an
import that runs back up breaks them: planted in a copy of the package."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

from tests.spec_tools import ROOT

PACKAGE = ROOT / "contract_tests" / "ngrok_failover_contract"
LINT_IMPORTS = ROOT / ".venv" / "bin" / "lint-imports"
LAYERS = "importlinter:contract:layers"


def _lint(
    config: Path, cwd: Path, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    command = [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(config)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_the_checkouts_contracts_are_kept() -> None:
    result = _lint(ROOT / ".importlinter", ROOT, pythonpath=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_and_is_named(tmp_path: Path) -> None:
    """core may import no other layer: a core module importing the runner is refused."""
    copy = tmp_path / "ngrok_failover_contract"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "core" / "planted.py").write_text("from ..runner import options  # noqa\n")
    real = configparser.ConfigParser()
    real.read(ROOT / ".importlinter")
    config = configparser.ConfigParser()
    config["importlinter"] = {"root_package": "ngrok_failover_contract"}
    config[LAYERS] = dict(real[LAYERS])
    with (tmp_path / ".importlinter").open("w") as out:
        config.write(out)
    planted = _lint(tmp_path / ".importlinter", tmp_path, pythonpath=tmp_path)
    assert planted.returncode != 0, planted.stdout
    assert f"{real[LAYERS]['name']} BROKEN" in planted.stdout, planted.stdout
    assert (
        "ngrok_failover_contract.core.planted -> ngrok_failover_contract.runner" in planted.stdout
    )
