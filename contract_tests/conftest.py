"""The contract suite's pytest plugin: options, the target server and the session's state.

`pytest contract_tests` with no `--base-url` starts the reference server in a thread (with
`--mutant NAME`, with that planted fault); otherwise the suite tests the server at the URL,
with the API key from `NGROK_API_KEY`. A URL that is not loopback is a real account: the
run needs `--live`, keeps to a rate limit, and first checks the key with one call.
Whatever ends the session (success, violation, exception, Ctrl-C or SIGTERM), the backends
this run created are deleted in `pytest_sessionfinish`. The session's state is a
`ContractSession` in `config.stash`; fixtures hand it and its ledger to the tests.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType

import pytest

from ngrok_failover_server.asgi import ASGIApp
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import delayed, serve_in_thread

from . import coverage
from .client import ApiClient
from .command import PROG
from .coverage import Coverage
from .documented import INSTALLED
from .gate import Gate, gate_requests
from .ledger import Ledger, StatelessServer
from .mutants import get_mutant
from .options import (
    KEY_ENV,
    LOCAL_KEY,
    Options,
    OptionsError,
    add_options,
    check_consent,
    plan,
    resolve,
)
from .report import exit_status, finding_from, redact, redact_tree, render_summary
from .safety import PreflightError, preflight
from .session import ContractSession
from .settings import ANCHOR_COUNT, SEMANTIC_MODULES, Profile
from .sweep import Swept
from .verdict import ExitStatus
from .violations import ContractViolation, Property
from .workers import ast_parse_serialized, shard_of

SESSION = pytest.StashKey[ContractSession]()


def session_of(config: pytest.Config) -> ContractSession:
    return config.stash[SESSION]


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser.getgroup("contract", "Failover Backends contract suite").addoption)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        options = resolve(os.environ, config.invocation_params.args)
        check_consent(options)
    except OptionsError as err:
        raise pytest.UsageError(str(err)) from None
    if options.dry_run:
        pytest.exit(f"{plan(options)}\ncontract: DRY_RUN: nothing was sent", returncode=0)
    if options.base_url is not None:
        try:
            preflight(options.base_url, options.api_key)
        except PreflightError as err:
            raise pytest.UsageError(str(err)) from None
    tally = Coverage()
    gate = Gate(
        options.marker,
        max_rpm=options.max_rpm,
        max_requests=options.profile.max_requests,
        max_creates=options.profile.max_creates,
        observe=tally.observe,
    )
    config.stash[SESSION] = session = ContractSession(options, gate, coverage=tally)
    coverage.CURRENT.set(tally)  # the named properties count their checks there
    config.pluginmanager.register(_CollectionWatch(session), "contract-collection-watch")
    session.closing.enter_context(gate_requests(gate))  # Schemathesis's requests pass it too
    if options.workers > 1:
        session.closing.enter_context(ast_parse_serialized())
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.signal(signum, session.request_stop)
            session.closing.callback(signal.signal, signum, previous)
    # Hypothesis and junitxml read their options in their own pytest_configure, after this one.
    config.option.hypothesis_seed = options.seed
    if not config.option.xmlpath:
        config.option.xmlpath = str(options.reports_dir / "junit.xml")


class _CollectionWatch:
    """A test module that cannot be collected is no pass: the run could not be made."""

    def __init__(self, contract: ContractSession) -> None:
        self.contract = contract

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and self.contract.cannot_run is None:
            last = (report.longreprtext.strip().splitlines() or ["?"])[-1]
            self.contract.cannot_run = f"{report.nodeid} could not be collected: {last}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The schema profile leaves out the tests that need a server that keeps state."""
    if session_of(config).options.profile.semantic:
        return
    kept = [item for item in items if item.path.name not in SEMANTIC_MODULES]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A stop signal that came after this test's last request still ends the run here."""
    signalled = session_of(item.config).signalled
    if signalled is not None:
        item.session.shouldstop = f"stopped by {signalled}"


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = session_of(config).options
    return [
        f"contract: seed {options.seed} (reproduce with --seed {options.seed}), "
        f"profile {options.profile.name}"
    ]


@pytest.fixture(scope="session")
def contract(pytestconfig: pytest.Config) -> ContractSession:
    return session_of(pytestconfig)


@pytest.fixture(scope="session")
def profile(contract: ContractSession) -> Profile:
    return contract.options.profile


@pytest.fixture(scope="session")
def ledger(contract: ContractSession) -> Iterator[Ledger]:
    """The target, reached through a client, with the run's anchors made and cleaned up."""
    options = contract.options
    with ExitStack() as stack:
        base_url = options.base_url or stack.enter_context(_reference_server(options))
        client = ApiClient(base_url, options.api_key, contract.gate)
        stack.callback(client.close)
        contract.ledger = ledger = Ledger(
            client=client,
            seed=options.seed,
            given_children=options.child_backends,
            run_id=options.run_id,
            stateful=options.profile.semantic,
        )
        stack.callback(_finish_run, contract)  # also at the session's end, whatever ends it
        ledger.survey()
        if options.profile.semantic:
            try:
                ledger.make_anchors(ANCHOR_COUNT)
            except StatelessServer as err:
                contract.cannot_run = (
                    f"{options.target} keeps no state: {err}; a mock can be held to the "
                    "schema only: run again with --profile schema (PROFILE=schema)"
                )
                pytest.exit(contract.cannot_run, returncode=ExitStatus.CANNOT_RUN)
        yield ledger


def _finish_run(contract: ContractSession) -> None:
    """Delete what the run created, once; Ctrl-C and SIGTERM wait until it is done."""
    ledger = contract.ledger
    if ledger is None or contract.swept is not None:
        return
    contract.gate.cleaning = True  # a stop signal does not stop the cleanup
    with _signals_deferred():
        try:
            contract.swept = ledger.clean_up(contract.options.workers)
        except Exception as err:  # the server is gone: say what may be left
            contract.swept = Swept(left={i: ledger.run_id for i in ledger.existing})
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
def _reference_server(options: Options) -> Iterator[str]:
    """Serve the reference server (with a planted fault if `--mutant`); yield its URL."""
    config = ServerConfig(
        api_key=LOCAL_KEY,
        strict_references=options.reference_mode == "strict",
        known_backends=frozenset(options.child_backends),
    )
    fault = get_mutant(options.mutant).wrap if options.mutant else None

    def wrap(app: ASGIApp) -> ASGIApp:
        app = fault(app) if fault else app
        return delayed(app, options.reference_delay_ms / 1000)

    with serve_in_thread(config=config, wrap=wrap) as server:
        yield server.base_url


# -- The summary: every failed test as a finding, written when the session ends -----------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None:
        contract = session_of(item.config)
        findings = finding_from(item.nodeid, call.excinfo.value)
        shard = shard_of(call.excinfo.value)
        if shard is not None:  # one shard of several: the command that runs it alone
            alone = _reproduce_command(contract.options, shard=shard.number)
            findings = [dataclasses.replace(f, alone=alone) for f in findings]
        contract.findings.extend(findings)
    return report


def _secrets(options: Options) -> tuple[str, ...]:
    return tuple(s for s in (os.environ.get(KEY_ENV, ""), options.api_key, LOCAL_KEY) if s)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Clean up, write the summary, and end with the verdict's exit status (`ExitStatus`)."""
    contract = session_of(session.config)
    # Before pytest tears the fixtures down: a self-started server still answers.
    _finish_run(contract)
    interrupted = contract.signalled is not None
    _require_coverage(contract)
    status = exit_status(contract.findings, interrupted=interrupted)
    if contract.cannot_run is not None:
        status = ExitStatus.CANNOT_RUN
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or interrupted:
        session.exitstatus = status
    options = contract.options
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    summary = render_summary(
        contract.findings,
        seed=options.seed,
        target=options.base_url or "reference server (started by the suite)",
        profile=options.profile.name,
        reproduce=_reproduce_command(options),
        status=status,
        footer=_run_facts(contract, status),
    )
    for secret in _secrets(options):
        summary = redact(summary, secret)
    (options.reports_dir / "summary.md").write_text(summary, encoding="utf-8")
    contract.coverage.write(options.reports_dir)


def _require_coverage(contract: ContractSession) -> None:
    """With --require-coverage, a documented status never seen is a finding (exit 1)."""
    missing = contract.coverage.missing()
    if contract.options.require_coverage and missing and contract.cannot_run is None:
        shown = ", ".join(f"{operation} {status}" for operation, status in missing)
        violation = ContractViolation(
            Property.DOCUMENTED_STATUSES_SEEN,
            f"no answer of the run showed these documented statuses: {shown} "
            "(coverage.md has the whole table)",
        )
        contract.findings.extend(finding_from("(coverage)", violation))


def _run_facts(contract: ContractSession, status: ExitStatus) -> list[str]:
    """What the run spent and what it left: requests, 429s waited out, cleanup."""
    options, gate, swept = contract.options, contract.gate, contract.swept
    rate = f"at most {options.max_rpm}/min" if options.max_rpm else "no rate limit"
    facts = [
        f"Run id: {options.run_id} (the marker of every backend it created)",
        f"Requests: {gate.requests} ({rate}), backends created: {gate.creates}, "
        f"429 answers waited out: {gate.rate_limited}",
    ]
    if contract.cannot_run is not None:
        facts.append(f"Could not run: {contract.cannot_run}")
    if swept is not None:
        left = f"; NOT deleted: {sorted(swept.left)}" if swept.left else "; none left"
        facts.append(f"Cleanup: deleted {len(swept.removed)} backends this run created{left}")
    if status is ExitStatus.INTERRUPTED:
        facts.append("Interrupted: the run was stopped before its end (Ctrl-C or SIGTERM)")
    return facts


def _reproduce_command(options: Options, shard: int | None = None) -> str:
    """The command that runs this run again; with `shard`, that shard of each test alone."""
    shard = shard if shard is not None else options.shard
    if INSTALLED:  # no checkout, no make: the installed command
        return _installed_command(options, shard)
    if options.mutant:
        return (
            f"pytest contract_tests --mutant {options.mutant} "
            f"--reference-mode {options.reference_mode} --seed {options.seed} "
            f"--workers {options.workers}" + (f" --shard {shard}" if shard else "")
        )
    parts = ["make contract", f"SEED={options.seed}", f"PROFILE={options.profile.name}"]
    parts.append(f"WORKERS={options.workers}")
    if shard:
        parts.append(f"SHARD={shard}")
    if options.base_url:
        parts += [f"BASE_URL={options.base_url}", "NGROK_API_KEY=..."]
    if options.remote:
        parts.append("LIVE=1")
    if options.child_backends:
        parts.append(f"CHILD_BACKENDS={','.join(options.child_backends)}")
    return " ".join(parts)


def _installed_command(options: Options, shard: int | None) -> str:
    parts = [PROG, f"--seed {options.seed}", f"--profile {options.profile.name}"]
    parts.append(f"--workers {options.workers}")
    if shard:
        parts.append(f"--shard {shard}")
    if options.base_url:
        parts = [f"{KEY_ENV}=...", *parts, f"--base-url {options.base_url}"]
    if options.remote:
        parts.append("--live")
    if options.child_backends:
        parts.append(f"--child-backends {','.join(options.child_backends)}")
    if options.require_coverage:
        parts.append("--require-coverage")
    if options.mutant:
        parts += [f"--mutant {options.mutant}", f"--reference-mode {options.reference_mode}"]
    return " ".join(parts)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = session_of(terminalreporter.config).options.reports_dir / "summary.md"
    if summary.exists():
        terminalreporter.write_sep("=", "contract summary")
        terminalreporter.write_line(summary.read_text(encoding="utf-8"))


def pytest_unconfigure(config: pytest.Config) -> None:
    contract = config.stash.get(SESSION, None)
    if contract is None:
        return
    contract.closing.close()
    # JUnit XML and Schemathesis's reports are written by now: scrub the key from all of them.
    for secret in _secrets(contract.options):
        redact_tree(contract.options.reports_dir, secret)
