"""Options, the target server and the run's shared state for the contract suite.

`pytest contract_tests` with no `--base-url` starts the reference server in a thread (with
`--mutant NAME`, with that planted fault); otherwise the suite tests the server at the URL,
with the API key from `NGROK_API_KEY`. A URL that is not loopback is a real account: the
run needs `--live`, keeps to a rate limit, and first checks the key with one call.
Whatever ends the session (success, violation, exception, Ctrl-C or SIGTERM), the backends
this run created are deleted in `pytest_sessionfinish`.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

import pytest

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

from .client import ApiClient
from .gate import Gate, gate_requests
from .marker import marker_of, new_run_id
from .mutants import get_mutant
from .options import Current, Options
from .report import Finding, finding_from, redact, redact_tree, render_summary
from .run import Run
from .safety import (
    PreflightError,
    is_remote,
    max_rpm_for,
    preflight,
    profile_for,
    render_plan,
)
from .schema_checks import ActiveRun
from .settings import ANCHOR_COUNT, PROFILES, Profile
from .sweep import Swept

KEY_ENV = "NGROK_API_KEY"
# The key of a reference server the suite starts itself: not a secret, but redacted alike.
LOCAL_KEY = "contract-suite-local-key"
CI_SEED = 0

_FINDINGS = pytest.StashKey[list[Finding]]()
_CLOSING = pytest.StashKey[ExitStack]()
_SWEPT = pytest.StashKey[Swept]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Failover Backends contract suite")
    group.addoption("--base-url", help="server under test; none: start the reference server")
    group.addoption(
        "--child-backends",
        default="",
        help="comma-separated ids of child backends that exist on the server",
    )
    group.addoption(
        "--profile", choices=sorted(PROFILES), help="default: live on a remote host, else quick"
    )
    group.addoption("--seed", type=int, help="reproduce a run (default: fresh, 0 when CI=true)")
    group.addoption("--reports-dir", default="reports/contract", help="where reports go")
    group.addoption(
        "--reference-mode",
        choices=("lenient", "strict"),
        default="lenient",
        help="self-started server only: strict checks that children exist",
    )
    group.addoption("--mutant", help="self-started server only: plant this fault (see mutants)")
    group.addoption("--live", action="store_true", help="go ahead against a remote account")
    group.addoption(
        "--max-rpm",
        type=int,
        help="requests per rolling minute at most (default: 100 remote, none on loopback; 0: none)",
    )
    group.addoption("--run-id", help="the run id in every marker (default: a fresh one)")
    group.addoption(
        "--assume-remote",
        action="store_true",
        help="for the suite's own tests: treat a loopback --base-url as a remote account",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    seed = config.getoption("--seed")
    if seed is None:
        seed = CI_SEED if os.environ.get("CI") == "true" else random.getrandbits(32)
    base_url = config.getoption("--base-url")
    api_key = os.environ.get(KEY_ENV, "") if base_url else LOCAL_KEY
    if base_url and not api_key:
        raise pytest.UsageError(f"--base-url needs the API key in ${KEY_ENV}")
    remote = is_remote(base_url, assume_remote=config.getoption("--assume-remote"))
    max_rpm = max_rpm_for(remote, config.getoption("--max-rpm"))
    Current.options = options = Options(
        seed=seed,
        profile=PROFILES[profile_for(remote, config.getoption("--profile"))],
        reports_dir=Path(config.getoption("--reports-dir")),
        api_key=api_key,
        base_url=base_url,
        child_backends=tuple(c for c in config.getoption("--child-backends").split(",") if c),
        run_id=config.getoption("--run-id") or new_run_id(),
        remote=remote,
        max_rpm=max_rpm,
    )
    _check_target(config, options)
    gate = Gate(
        marker_of(options.run_id),
        max_rpm=max_rpm,
        max_requests=options.profile.max_requests,
        max_creates=options.profile.max_creates,
    )
    Current.gate = gate
    config.stash[_CLOSING] = closing = ExitStack()
    closing.enter_context(gate_requests(gate))  # Schemathesis's requests pass the gate too
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.signal(signum, _request_stop)
            closing.callback(signal.signal, signum, previous)
    # Schemathesis writes its own reports there and expects the folder to exist.
    (Current.options.reports_dir / "schemathesis").mkdir(parents=True, exist_ok=True)
    config.stash[_FINDINGS] = []
    # Hypothesis and junitxml read their options in their own pytest_configure, after this one.
    config.option.hypothesis_seed = seed
    if not config.option.xmlpath:
        config.option.xmlpath = str(Current.options.reports_dir / "junit.xml")


def _check_target(config: pytest.Config, options: Options) -> None:
    """A remote account only with `--live`; any target must answer one list call sensibly."""
    if options.base_url is None:
        return
    if options.remote and not config.getoption("--live"):
        plan = render_plan(
            base_url=options.base_url,
            profile=options.profile,
            max_rpm=options.max_rpm,
            run_marker=marker_of(options.run_id),
        )
        raise pytest.UsageError(
            f"{options.base_url} is not a loopback address, so it is treated as a real "
            f"account.\n{plan}\nRun again with LIVE=1 (make) or --live (pytest) to go ahead."
        )
    try:
        preflight(options.base_url, options.api_key)
    except PreflightError as err:
        raise pytest.UsageError(str(err)) from None


class _Signalled:
    """The stop signal received, if any: the session's end reads it too, so a run stopped
    after its last request is never reported as a pass."""

    name: str | None = None


def _request_stop(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM: the gate raises `Stopped` at the run's next request or pause.

    Raising here instead could land inside any library's critical section (see `Stopped`).
    """
    _Signalled.name = signal.Signals(signum).name
    if Current.gate is not None:
        Current.gate.stop(f"stopped by {_Signalled.name}")


def _options() -> Options:
    assert Current.options is not None
    return Current.options


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A stop signal that came after this test's last request still ends the run here."""
    if _Signalled.name is not None:
        item.session.shouldstop = f"stopped by {_Signalled.name}"


def pytest_report_header() -> list[str]:
    options = _options()
    return [
        f"contract: seed {options.seed} (reproduce with --seed {options.seed}), "
        f"profile {options.profile.name}"
    ]


@pytest.fixture(scope="session")
def profile() -> Profile:
    return _options().profile


@pytest.fixture(scope="session")
def run(pytestconfig: pytest.Config) -> Iterator[Run]:
    """The target, reached through a client, with the run's anchors made and cleaned up."""
    options = _options()
    with ExitStack() as stack:
        base_url = options.base_url or stack.enter_context(
            _reference_server(pytestconfig, options.child_backends)
        )
        assert Current.gate is not None
        client = ApiClient(base_url, options.api_key, Current.gate)
        stack.callback(client.close)
        state = Run(
            client=client,
            seed=options.seed,
            given_children=options.child_backends,
            run_id=options.run_id,
        )
        ActiveRun.current = state
        stack.callback(_finish_run, pytestconfig)  # also at the session's end, whatever ends it
        state.survey()
        state.make_anchors(ANCHOR_COUNT)
        yield state


def _finish_run(config: pytest.Config) -> None:
    """Delete what the run created, once; Ctrl-C and SIGTERM wait until it is done."""
    state = ActiveRun.current
    if state is None or _SWEPT in config.stash:
        return
    if Current.gate is not None:
        Current.gate.cleaning = True  # a stop signal does not stop the cleanup
    with _signals_deferred():
        try:
            config.stash[_SWEPT] = state.clean_up()
        except Exception as err:  # the server is gone: say what may be left
            config.stash[_SWEPT] = Swept(left={i: state.run_id for i in state.live})
            print(f"contract: cleanup failed: {type(err).__name__}: {err}", file=sys.stderr)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def wait(signum: int, frame: FrameType | None) -> None:
        # os.write, not print: print's buffer lock may be held by the code interrupted.
        os.write(
            sys.stderr.fileno(),
            f"contract: {signal.Signals(signum).name} received; still deleting this run's "
            "backends (kill -9, then make contract-cleanup, to stop at once)\n".encode(),
        )

    previous = {s: signal.signal(s, wait) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _reference_server(pytestconfig: pytest.Config, children: tuple[str, ...]) -> Iterator[str]:
    """Serve the reference server (with a planted fault if `--mutant`); yield its URL."""
    strict = pytestconfig.getoption("--reference-mode") == "strict"
    config = ServerConfig(
        api_key=LOCAL_KEY, strict_references=strict, known_backends=frozenset(children)
    )
    name = pytestconfig.getoption("--mutant")
    wrap = get_mutant(name).wrap if name else None
    with serve_in_thread(config=config, wrap=wrap) as server:
        yield server.base_url


# -- The summary: every failed test as a finding, written when the session ends -----------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None:
        item.config.stash[_FINDINGS].extend(finding_from(item.nodeid, call.excinfo.value))
    return report


def _secrets() -> tuple[str, ...]:
    return tuple(s for s in (os.environ.get(KEY_ENV, ""), LOCAL_KEY) if s)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _Signalled.name is not None and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = exitstatus = pytest.ExitCode.INTERRUPTED
    # Before pytest tears the fixtures down: a self-started server still answers.
    _finish_run(config)
    options = _options()
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    summary = render_summary(
        config.stash[_FINDINGS],
        seed=options.seed,
        target=options.base_url or "reference server (started by the suite)",
        profile=options.profile.name,
        reproduce=_reproduce_command(config, options),
        footer=_run_facts(config, options, exitstatus),
    )
    for secret in _secrets():
        summary = redact(summary, secret)
    (options.reports_dir / "summary.md").write_text(summary, encoding="utf-8")


def _run_facts(config: pytest.Config, options: Options, exitstatus: int) -> list[str]:
    """What the run spent and what it left: requests, 429s waited out, cleanup."""
    gate = Current.gate
    swept = config.stash.get(_SWEPT, None)
    facts = [f"Run id: {options.run_id} (the marker of every backend it created)"]
    if gate is not None:
        rate = f"at most {options.max_rpm}/min" if options.max_rpm else "no rate limit"
        facts.append(
            f"Requests: {gate.requests} ({rate}), backends created: {gate.creates}, "
            f"429 answers waited out: {gate.rate_limited}"
        )
    if swept is not None:
        left = f"; NOT deleted: {sorted(swept.left)}" if swept.left else "; none left"
        facts.append(f"Cleanup: deleted {len(swept.removed)} backends this run created{left}")
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        facts.append("Interrupted: the run was stopped before its end (Ctrl-C or SIGTERM)")
    return facts


def _reproduce_command(config: pytest.Config, options: Options) -> str:
    if config.getoption("--mutant"):
        return (
            f"pytest contract_tests --mutant {config.getoption('--mutant')} "
            f"--reference-mode {config.getoption('--reference-mode')} --seed {options.seed}"
        )
    parts = ["make contract", f"SEED={options.seed}", f"PROFILE={options.profile.name}"]
    if options.base_url:
        parts += [f"BASE_URL={options.base_url}", "NGROK_API_KEY=..."]
    if options.remote:
        parts.append("LIVE=1")
    if options.child_backends:
        parts.append(f"CHILD_BACKENDS={','.join(options.child_backends)}")
    return " ".join(parts)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = _options().reports_dir / "summary.md"
    if summary.exists():
        terminalreporter.write_sep("=", "contract summary")
        terminalreporter.write_line(summary.read_text(encoding="utf-8"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CLOSING in config.stash:
        config.stash[_CLOSING].close()
    # JUnit XML and Schemathesis's reports are written by now: scrub the key from all of them.
    if Current.options is not None:
        for secret in _secrets():
            redact_tree(Current.options.reports_dir, secret)
