"""The suite is safe against a real account: a reference server holding 20 'production'
backends stands in for one. They come out byte-identical (ids, fields, order) whatever ends
the run, no PATCH or DELETE ever names one, and no marked backend is left.

The whole-run test uses the quick profile, so that `make test` stays within minutes;
`CONTRACT_SAFETY_PROFILE=thorough` runs it thorough (minutes more: the server it runs
against answers only 300 requests in any 2 s, so the same run also shows 429s waited out).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from mutation.asgi import Reply, Request
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.live.marker import run_of
from ngrok_failover_contract.runner.command import suite_command

from .accounts import Account, account, replace_reply
from .helpers import CI_SEED, ROOT, contract_command, traceback_lines

Handler = Any  # signal.SIG_DFL, signal.SIG_IGN
PROFILE = os.environ.get("CONTRACT_SAFETY_PROFILE", "quick")
GUARD_S = 1800  # a subprocess guard only: nothing asserts how long a run takes
# Several requests in flight, as against a distant account: the same safety must hold.
WORKERS = "--workers=8"


def _contract(
    account: Account,
    tmp_path: Path,
    *args: str,
    sigint: Handler = signal.SIG_DFL,
    processes: int = 1,
) -> subprocess.Popen[str]:
    """The command, started with SIGINT's disposition `sigint` (ignored: as a script's
    background job or nohup start it), its tests shared by `processes` (`runner.parts`)."""
    command = contract_command(
        tmp_path, f"--base-url={account.server.base_url}", f"--seed={CI_SEED}", WORKERS, *args
    )
    env = {**os.environ, "NGROK_API_KEY": account.server.api_key, "PROCESSES": str(processes)}
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),  # noqa: PLW1509 (one thread)
    )


def _output(process: subprocess.Popen[str]) -> str:
    """The run's output once it ended; a run that hangs is killed, with its pytest child."""
    try:
        return process.communicate(timeout=GUARD_S)[0]
    except subprocess.TimeoutExpired:
        _kill_tree(process.pid)
        process.communicate()
        raise AssertionError(f"the run did not end within {GUARD_S} s: it hung") from None


def _kill_tree(pid: int) -> None:
    """SIGKILL `pid` and its descendants (the pytest the wrapper runs in its own session)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        _kill_tree(int(child))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _wait_for_creates(account: Account, process: subprocess.Popen[Any], count: int) -> None:
    deadline = time.monotonic() + GUARD_S
    while account.spy.creates < count:
        assert process.poll() is None, "the run ended before it was to be stopped"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.05)


def _no_marked_left(account: Account) -> None:
    listing = account.listing()
    assert "[contract-suite run" not in listing, "a backend marked by a run is left"


@pytest.mark.slow
def test_a_whole_run_leaves_production_untouched_and_waits_rate_limits_out(
    tmp_path: Path,
) -> None:
    """One whole run, two things of it (one run, not two: each costs seconds).

    The production backends come out untouched. And the server allows 300 requests in any
    second (`--rate-limit 300/1s`: ngrok's limit, 120 a minute, on a shorter clock); a quick
    run needs more than 11 times that, so it is refused again and again and must wait each
    429 out (the server says how long in `Retry-After`, at least a second), never report it."""
    with account(rate_limit=300, rate_window=1.0) as acct:
        before = acct.listing()
        process = _contract(acct, tmp_path, f"--profile={PROFILE}")
        output = _output(process)
        assert process.returncode == 0, output[-3000:]
        assert acct.spy.changes, "the run changed nothing at all: the spy saw no PATCH/DELETE"
        assert not acct.changes_naming_production(), acct.changes_naming_production()[:5]
        assert acct.listing() == before
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert "none left" in summary
    waited = [line for line in summary.splitlines() if "429 answers waited out" in line]
    assert waited and not waited[0].endswith(" 0"), waited


def _one_stop_line(output: str, signal_name: str) -> str:
    """A stopped run tells its stop in one line, and no traceback."""
    assert traceback_lines(output) == [], output[-3000:]
    assert "KeyboardInterrupt" not in output, output[-3000:]
    said = [line for line in output.splitlines() if f"stopped by {signal_name}" in line]
    assert len(said) == 1, output[-3000:]
    return said[0]


@pytest.mark.parametrize(
    ("signum", "processes"),
    [(signal.SIGINT, 1), (signal.SIGTERM, 1), (signal.SIGINT, 2)],
    ids=["SIGINT", "SIGTERM", "SIGINT-two-parts"],
)
def test_a_stop_signal_mid_run_deletes_what_the_run_created(
    tmp_path: Path, signum: signal.Signals, processes: int
) -> None:
    """With two parts, each is told the stop and cleans up; the run says it once."""
    with account() as acct:
        before = acct.listing()
        process = _contract(acct, tmp_path, "--profile=quick", processes=processes)
        _wait_for_creates(acct, process, 25)
        process.send_signal(signum)
        output = _output(process)
        assert process.returncode == ExitStatus.INTERRUPTED, output[-3000:]
        assert "interrupted" in output.lower(), output[-3000:]
        _one_stop_line(output, signum.name)
        assert not acct.changes_naming_production()
        assert acct.listing() == before
        _no_marked_left(acct)


def _stopped_suite(process: subprocess.Popen[Any]) -> int:
    """The command's pytest, once it stopped itself (plugins/stop_at_start_up.py): its pid."""
    deadline = time.monotonic() + GUARD_S
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it was to be stopped"
        for pid in children.read_text().split():
            with contextlib.suppress(FileNotFoundError):
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if state == "T":
                    return int(pid)
        time.sleep(0.01)
    raise AssertionError("the command's pytest never reached the planted stop")


def _ignores_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    (ignored,) = [line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")]
    return bool(int(ignored, 16) & (1 << (signal.SIGINT - 1)))


@pytest.mark.parametrize(
    ("sigint", "moment"),
    [
        (signal.SIG_IGN, "start-up"),
        (signal.SIG_DFL, "start-up"),
        (signal.SIG_IGN, "mid-run"),
    ],
    ids=["ignored-start-up", "default-start-up", "ignored-mid-run"],
)
def test_sigint_stops_the_run_in_every_phase_whatever_it_inherited(
    tmp_path: Path, sigint: Handler, moment: str
) -> None:
    """Inherited as ignored (a background job, nohup) or as default, a SIGINT ends the run
    within seconds (the guard, not an asserted time), exit 130, one line, no traceback, and
    nothing the run created left. At start-up the suite's pytest is held still (a planted
    plugin stops it as it loads) while the stop is sent: it ignores SIGINT then, as the
    command started it, so the command must hold the stop and pass it on once it is ready."""
    with account() as acct:
        before = acct.listing()
        if moment == "start-up":
            plant = "tests.contract.plugins.stop_at_start_up"
            process = _contract(acct, tmp_path, "--", "-p", plant, sigint=sigint)
            suite = _stopped_suite(process)
            try:
                assert _ignores_sigint(suite), "the suite's pytest did not start ignoring SIGINT"
                process.send_signal(signal.SIGINT)
            finally:
                os.kill(suite, signal.SIGCONT)
        else:
            process = _contract(acct, tmp_path, sigint=sigint)
            _wait_for_creates(acct, process, 25)
            process.send_signal(signal.SIGINT)
        output = _output(process)
        assert process.returncode == ExitStatus.INTERRUPTED, output[-3000:]
        line = _one_stop_line(output, "SIGINT")
        if moment == "start-up":
            assert "during start-up, before the run created anything" in line, line
            assert acct.spy.creates == 0
        assert not acct.changes_naming_production()
        assert acct.listing() == before
        _no_marked_left(acct)


@pytest.mark.parametrize("processes", [1, 2], ids=["suite", "two-parts"])
def test_kill_9_leftovers_are_removed_by_contract_cleanup(tmp_path: Path, processes: int) -> None:
    """The suite's pytest killed, or a command in two parts killed with both parts: every
    part keeps its journal in the run's folder, where cleanup finds them all."""
    with account() as acct:
        before = acct.listing()
        args = (f"--base-url={acct.server.base_url}", f"--seed={CI_SEED}")
        if processes == 1:
            command = suite_command(*args, f"--reports-dir={tmp_path}")
        else:
            command = contract_command(tmp_path, *args, f"--processes={processes}")
        env = {**os.environ, "NGROK_API_KEY": acct.server.api_key}
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_creates(acct, process, 60)
        _kill_tree(process.pid)
        process.wait(GUARD_S)
        left = [i for i in acct.ids() if i not in acct.production]
        assert left, "kill -9 left nothing behind: the test proves nothing"
        journals = list((tmp_path / "journal").glob("*.ids"))
        assert len(journals) == processes, journals  # one a part, in the run's own folder
        cleanup = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "contract-cleanup",
                f"BASE_URL={acct.server.base_url}",
                f"REPORTS_DIR={tmp_path}",  # where the run kept its journal
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=GUARD_S,
            check=False,
        )
        assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
        for backend_id in left:
            assert f"removed {backend_id} (contract run " in cleanup.stdout
        runs = set(re.findall(r"\(contract run ([0-9TZa-f-]+)", cleanup.stdout))
        assert f"removed {len(left)} marked backends of {len(runs)} runs" in cleanup.stdout
        assert len(runs) == processes, runs  # each part's own run id
        assert acct.server.api_key not in cleanup.stdout + cleanup.stderr
        assert not acct.changes_naming_production()
        assert acct.listing() == before
        _no_marked_left(acct)
        assert not list((tmp_path / "journal").glob("*.ids")), "cleanup removes a done journal"


def test_run_markers_name_the_run() -> None:
    assert run_of("[contract-suite run 20261126T074746Z-3f2a9c] anchor 0") == (
        "20261126T074746Z-3f2a9c"
    )
    assert run_of("production [contract-suite run 20261126T074746Z-3f2a9c]") is None


def test_server_answering_a_create_with_a_production_id_cannot_make_the_run_delete_it(
    tmp_path: Path,
) -> None:
    """A planted fault: every create answers 201 with the id of a production backend."""
    production: list[str] = []

    def lie(request: Request, reply: Reply) -> Reply:
        body = reply.json()
        if request.method == "POST" and reply.status == 201 and production:
            return reply.with_json({**body, "id": production[0]})
        return reply

    with account(extra=replace_reply(lie)) as acct:
        production.append(acct.production[0])
        before = acct.listing()
        process = _contract(acct, tmp_path)
        output = _output(process)
        assert process.returncode == 1, output[-3000:]
        assert "ids_are_unique" in (tmp_path / "summary.md").read_text("utf-8")
        assert not acct.changes_naming_production(), acct.changes_naming_production()[:5]
        # The lie hid the real ids of what the run made: the marker sweep still found them.
        assert acct.listing() == before


@pytest.mark.parametrize(
    ("plugin", "signal_name"),
    [
        # Lands while a finalizer runs: an exception its handler raised would be lost.
        ("sigterm_in_finalizer", "SIGTERM"),
        # Lands just after httpcore took its pool lock: a raising handler leaves it held.
        ("sigint_in_pool_lock", "SIGINT"),
    ],
)
def test_a_stop_signal_at_an_awkward_moment_still_stops_the_run_and_cleans_up(
    tmp_path: Path, plugin: str, signal_name: str
) -> None:
    """Planted by a plugin (tests/contract/plugins) that fires in the run's first test."""
    with account() as acct:
        before = acct.listing()
        process = _contract(acct, tmp_path, "--", "-p", f"tests.contract.plugins.{plugin}")
        output = _output(process)
        assert process.returncode == ExitStatus.INTERRUPTED, output[-3000:]
        assert f"stopped by {signal_name}" in output, output[-3000:]
        assert "Interrupted" in (tmp_path / "summary.md").read_text("utf-8")
        assert acct.listing() == before
        _no_marked_left(acct)
