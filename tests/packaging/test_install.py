"""The installed tools work without the checkout: the three wheels in a fresh venv, each
command run from an empty temporary folder (`make test-install`, not `make test`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ngrok_failover_contract.core.verdict import ExitStatus
from tests.contract.helpers import traceback_lines

from .helpers import GUARD_S, ROOT, Venv
from .pythons import Python, install_wheels

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


# A faulty server for the installed suite to judge: the installed reference server wrapped by
# a planted fault of the checkout's rig (copied beside this script: it is in no distribution).
FAULTY_SERVER = """
import sys

from mutation import get_mutant
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

config = ServerConfig(api_key=sys.argv[2])
with serve_in_thread(config, wrap=get_mutant(sys.argv[1]).wrap) as server:
    print("URL:", server.base_url, flush=True)
    sys.stdin.read()  # until the test closes it
"""


@contextmanager
def reference_server(venv: Venv, folder: Path, fault: str | None = None) -> Iterator[str]:
    """The installed `ngrok-failover-server --port 0` (or, with `fault`, the installed
    server wrapped by that planted fault); yields the URL its banner names."""
    log = folder / "server.log"
    command = [str(venv.bin / "ngrok-failover-server"), "--port", "0", "--api-key", KEY]
    if fault is not None:
        shutil.copytree(ROOT / "mutation", folder / "mutation")
        (folder / "faulty_server.py").write_text(FAULTY_SERVER, encoding="utf-8")
        command = [str(venv.bin / "python"), "faulty_server.py", fault, KEY]
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=venv.env(),
            stdin=subprocess.PIPE,
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
        assert process.stdin is not None
        process.stdin.close()
        process.terminate()
        process.wait(GUARD_S)


def test_the_installed_package_is_used_not_the_checkout(installed: Venv, tmp_path: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT)
    for module in ("ngrok_failover_contract", "ngrok_failover_server"):
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
    spec = installed.root.glob("lib/python*/site-packages/ngrok_failover_contract/spec/*.yaml")
    assert sorted(p.name for p in spec) == ["facts.yaml", "failover.openapi.yaml"]


def test_the_suites_wheel_holds_no_test_rig_and_no_contract_tests(wheels: Path) -> None:
    """Only `ngrok_failover_contract` (its spec inside): no planted fault, no benign variant,
    no top-level `contract_tests` to shadow a folder of the user's own."""
    (wheel,) = wheels.glob("ngrok_failover_contract-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"ngrok_failover_contract"}, tops
    rig = [n for n in names if "mutation" in n or "mutant" in n or "fault" in n]
    assert rig == [], rig


def test_help_lists_every_option_and_the_cleanup_command(installed: Venv, tmp_path: Path) -> None:
    status, output = contract(installed, tmp_path, "--help")
    assert status == 0, output
    for flag in ("--base-url", "--require-coverage", "--profile", "--seed", "--live", "--workers"):
        assert flag in output
    for rig in ("--mutant", "--assume-remote", "--reference-delay-ms"):
        assert rig not in output, f"the checkout's test rig shows in the installed --help: {rig}"
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


def test_a_faulty_server_is_caught(installed: Venv, tmp_path: Path) -> None:
    """The installed reference server with a planted fault (relative uris), at a URL."""
    with reference_server(installed, tmp_path, fault="uri_relative") as url:
        status, output = contract(
            installed, tmp_path, "--base-url", url, "--seed", "0", "--", "-x", key=KEY
        )
    assert status == ExitStatus.VIOLATIONS, output[-3000:]
    assert "reproduce with --seed 0" in output and "SEED=" not in output
    summary = (tmp_path / "reports" / "contract" / "summary.md").read_text("utf-8")
    assert "## 1. uri_is_own" in summary, summary[:3000]
    # The console names the property, without pytest's tracebacks (they are in pytest.log).
    assert "\n1. uri_is_own\n" in output and traceback_lines(output) == [], output[-3000:]
    reproduce = f"ngrok-failover-contract --seed 0 --profile quick --workers 1 --base-url {url}"
    assert reproduce in summary


def test_without_the_server_extra_a_run_needs_a_base_url(
    python: Python, resolution: str, wheels: Path, tmp_path: Path
) -> None:
    """The suite alone (no `[server]`): one line says what to install, exit status 2."""
    (wheel,) = wheels.glob("ngrok_failover_contract-*.whl")
    alone = python.new_venv(tmp_path / "alone")
    install_wheels(python, alone, resolution, [wheel])
    status, output = contract(alone, tmp_path)
    assert status == ExitStatus.CANNOT_RUN, output[-3000:]
    assert "pip install 'ngrok-failover-contract[server]'" in output, output
    assert "Traceback" not in output


def test_an_unreachable_server_cannot_be_tested(installed: Venv, tmp_path: Path) -> None:
    status, output = contract(installed, tmp_path, "--base-url", "http://127.0.0.1:9", key=KEY)
    assert status == ExitStatus.CANNOT_RUN, output[-3000:]
