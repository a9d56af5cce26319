"""The installed tools work without the checkout: the three wheels in a fresh venv, each
command run from an empty temporary folder (`make test-install`, not `make test`)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from contract_tests.verdict import ExitStatus

from .helpers import GUARD_S, ROOT, Venv

pytestmark = pytest.mark.install
KEY = "install-test-key"


def contract(venv: Venv, cwd: Path, *args: str, key: str | None = None) -> tuple[int, str]:
    """`ngrok-failover-contract args` as installed, in `cwd`: its exit status and output."""
    env = venv.env(**({"NGROK_API_KEY": key} if key else {}))
    result = subprocess.run(
        [str(venv.bin / "ngrok-failover-contract"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=GUARD_S,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@contextmanager
def reference_server(venv: Venv, folder: Path) -> Iterator[str]:
    """The installed `ngrok-failover-server --port 0`; yields the URL its banner names."""
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(venv.bin / "ngrok-failover-server"), "--port", "0", "--api-key", KEY],
            cwd=folder,
            env=venv.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + GUARD_S
        while (found := re.search(r"URL:\s+(http://\S+)", log.read_text())) is None:
            assert process.poll() is None, f"the server ended:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the server printed no URL:\n{log.read_text()}"
            time.sleep(0.05)
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(GUARD_S)


def test_the_installed_package_is_used_not_the_checkout(installed: Venv, tmp_path: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT)
    for module in ("contract_tests", "ngrok_failover_server"):
        code = f"import {module}; print({module}.__file__)"
        result = subprocess.run(
            [str(installed.bin / "python"), "-c", code],
            cwd=tmp_path,
            env=installed.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        path = Path(result.stdout.strip()).resolve()
        assert not path.is_relative_to(ROOT), path
        assert path.is_relative_to(installed.root.resolve()), path
    spec = installed.root.glob("lib/python*/site-packages/contract_tests/spec/*.yaml")
    assert sorted(p.name for p in spec) == ["facts.yaml", "failover.openapi.yaml"]


def test_help_lists_every_option_and_the_cleanup_command(installed: Venv, tmp_path: Path) -> None:
    status, output = contract(installed, tmp_path, "--help")
    assert status == 0, output
    for flag in ("--base-url", "--require-coverage", "--profile", "--seed", "--live", "--mutant"):
        assert flag in output
    assert "ngrok-failover-contract cleanup --base-url URL" in output
    status, output = contract(installed, tmp_path, "cleanup", "--help")
    assert status == 0, output
    assert "--dry-run" in output


def test_a_conformant_server_passes(installed: Venv, tmp_path: Path) -> None:
    with reference_server(installed, tmp_path) as url:
        status, output = contract(
            installed, tmp_path, "--base-url", url, "--profile", "live", "--seed", "0", key=KEY
        )
        assert status == ExitStatus.CONFORMANT, output[-3000:]
        cleanup_status, cleanup = contract(
            installed, tmp_path, "cleanup", "--base-url", url, key=KEY
        )
    assert cleanup_status == 0, cleanup
    assert "removed 0 marked backends" in cleanup  # the run deleted its own
    assert KEY not in output + cleanup
    reports = tmp_path / "reports" / "contract"
    for name in ("summary.md", "coverage.md", "junit.xml"):
        assert (reports / name).is_file(), name
    summary = (reports / "summary.md").read_text("utf-8")
    # Installed, the summary names the installed command, not make.
    assert (
        "Reproduce: `NGROK_API_KEY=... ngrok-failover-contract --seed 0 --profile live" in summary
    )


def test_a_planted_fault_is_caught(installed: Venv, tmp_path: Path) -> None:
    status, output = contract(
        installed, tmp_path, "--mutant", "uri_relative", "--seed", "0", "--", "-x"
    )
    assert status == ExitStatus.VIOLATIONS, output[-3000:]
    summary = (tmp_path / "reports" / "contract" / "summary.md").read_text("utf-8")
    assert "## 1. " in summary
    reproduce = "ngrok-failover-contract --seed 0 --profile quick --workers 1 --mutant uri_relative"
    assert reproduce in summary


def test_an_unreachable_server_cannot_be_tested(installed: Venv, tmp_path: Path) -> None:
    status, output = contract(installed, tmp_path, "--base-url", "http://127.0.0.1:9", key=KEY)
    assert status == ExitStatus.CANNOT_RUN, output[-3000:]
