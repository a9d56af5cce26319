"""The contract suite's pytest plugin: the options, the session's state, and its hooks.

`pytest <the suite>` with no `--base-url` starts the reference server in a thread (wrapped
by any plugin's `pytest_contract_reference_wrap`); otherwise the suite tests the server at
the URL, with the API key from `NGROK_API_KEY`. A URL that is not loopback is a real
account: the run needs `--live`, keeps to a rate limit, and first checks the key with one
call. Whatever ends the session, the backends this run created are deleted in
`pytest_sessionfinish` (`runner.lifecycle`). The session's state is a `ContractSession` in
`config.stash`; fixtures hand it and its ledger to the tests. Run by the command, it tells
the command its progress and its end (`runner.progress`), and that it is ready for a stop
once its handlers are installed (`runner.stops`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Generator, Iterator

import pytest

from ..compare.report import MARKDOWN as DIFFERENCES
from ..core.profiles import Profile
from ..drivers.workers import shard_of
from ..live.gate import Gate, gate_stray_requests
from ..live.ledger import Ledger
from ..live.safety import PreflightError, preflight
from ..reporting.coverage import Coverage
from ..reporting.events import Channel
from ..reporting.findings import finding_from
from . import comparing, hookspecs, reference
from .lifecycle import finish_run, install_signals, open_ledger
from .options import (
    COMPARE,
    COMPARE_OPTIONS,
    OTHER_KEY_ENV,
    PYTEST_OPTIONS,
    Options,
    OptionsError,
    add_options,
    check_consent,
    merged,
    name_of,
    plan,
    resolve,
)
from .parts import (
    ORDER,
    Part,
    PartError,
    claim_order,
    claims_of,
    part_from_env,
    round_trip_from_env,
    spent_of,
)
from .progress import ProgressReport
from .reproduce import reproduce_line
from .session import ContractSession
from .session_end import scrub_reports, secrets, verdict, write_reports

SESSION = pytest.StashKey[ContractSession]()
PROGRESS = pytest.StashKey[ProgressReport]()
SEMANTIC_MODULES = (
    "test_accounts.py",
    "test_histories.py",
    "test_lifecycle.py",
    "test_model.py",
    "test_paging.py",
    "test_stateful.py",
)


def session_of(config: pytest.Config) -> ContractSession:
    return config.stash[SESSION]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Failover Backends contract suite")
    add_options(group.addoption, (*PYTEST_OPTIONS, *COMPARE_OPTIONS))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        extension = merged([*(e for e in config.hook.pytest_contract_extension() if e), COMPARE])
        options = resolve(os.environ, config.invocation_params.args, extension=extension)
        check_consent(options)
        part = part_from_env(os.environ)
        measured = round_trip_from_env(os.environ)  # the command's, for parts
    except (OptionsError, PartError) as err:
        raise pytest.UsageError(str(err)) from None
    if options.dry_run:
        done = f"contract: {name_of('dry_run')}: nothing was sent"
        pytest.exit(f"{plan(options)}\n{done}", returncode=0)
    if options.base_url is None and (problem := reference.missing()) is not None:
        raise pytest.UsageError(problem)
    tally = Coverage()
    progress = ProgressReport(Channel.from_env())

    def observe(method: str, url: str, status: int) -> None:
        tally.observe(method, url, status)
        progress.answered()

    gate = _gate(options, part, observe)
    config.stash[SESSION] = session = ContractSession(options, gate, coverage=tally, part=part)
    try:
        compare = comparing.settings_of(options, os.environ)
    except OptionsError as err:
        raise pytest.UsageError(str(err)) from None
    if compare is not None:
        session.comparing = comparing.configure(config, session, compare)
    others = session.comparing.gate if session.comparing else None
    progress.sent = lambda: gate.requests + (others.requests if others else 0)
    if session.comparing is not None:
        progress.relabel = session.comparing.relabel
    config.stash[PROGRESS] = progress
    session.closing.callback(progress.channel.close)
    if progress.channel.open:
        config.pluginmanager.register(progress, "contract-progress")
    # Before anything is sent: the command holds a stop until it hears this (runner.stops).
    install_signals(session)
    progress.ready()
    if options.base_url is not None and session.signalled is None:
        try:
            session.choose_workers(preflight(options.base_url, options.api_key, measured=measured))
            if options.other_api_key is not None:
                preflight(options.base_url, options.other_api_key, OTHER_KEY_ENV)
        except PreflightError as err:
            raise pytest.UsageError(str(err)) from None
    comparing.preflight_other(session)
    config.pluginmanager.register(_CollectionWatch(session), "contract-collection-watch")
    session.closing.enter_context(gate_stray_requests(gate))
    # Hypothesis and junitxml read their options in their own pytest_configure, after this one.
    config.option.hypothesis_seed = options.seed
    if not config.option.xmlpath:
        config.option.xmlpath = str(options.reports_dir / "junit.xml")


def _gate(options: Options, part: Part | None, observe: Callable[[str, str, int], None]) -> Gate:
    return Gate(
        options.marker,
        max_rpm=options.max_rpm,
        max_requests=options.profile.max_requests,
        max_creates=options.profile.max_creates,
        observe=observe,
        # The run's budget, spent by all its parts together.
        spend=spent_of(options.reports_dir, part).add if part is not None else None,
    )


class _CollectionWatch:
    """A test module that cannot be collected is no pass: the run could not be made."""

    def __init__(self, contract: ContractSession) -> None:
        self.contract = contract

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and self.contract.cannot_run is None:
            last = (report.longreprtext.strip().splitlines() or ["?"])[-1]
            self.contract.cannot_run = f"{report.nodeid} could not be collected: {last}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The suite's order: the directed scenarios first (the plainest findings), then the
    generated ones, the histories of several threads last (their finding, "no order explains
    these answers", is the most general). The schema profile leaves out the tests that need
    a server that keeps state."""
    items.sort(key=lambda item: ORDER.index(item.path.name) if item.path.name in ORDER else 0)
    contract = session_of(config)
    kept = items
    if not contract.options.profile.semantic:
        kept = [item for item in kept if item.path.name not in SEMANTIC_MODULES]
    if contract.part is not None:  # every test, in the order parts take them (`runner.parts`)
        kept = [kept[i] for i in claim_order([item.name for item in kept])]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """A part runs the tests no other part has claimed, each claimed as it is reached (a
    part that is free takes the next); a whole run, pytest's own loop."""
    contract = session_of(session.config)
    if contract.part is None or session.config.option.collectonly or session.testsfailed:
        return None  # pytest's loop (which also stops a run whose collection failed)
    claims = claims_of(contract.options.reports_dir, contract.part)
    items = session.items
    for index, item in enumerate(items):
        if not claims.take(item.nodeid):
            continue
        nextitem = _torn_down_to(items, index)
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
    return True


def _torn_down_to(items: list[pytest.Item], index: int) -> pytest.Item | None:
    """What pytest tears down to after `items[index]` (its `nextitem`). The test a part runs
    next is the first another part has not claimed by then, unknown here: so keep only what
    every later test shares. A later test of another module keeps the session and the
    suite's folder (its session fixtures: the ledger, the anchors); with none, the next
    test of this module keeps the module too."""
    later = items[index + 1 :]
    elsewhere = next((item for item in later if item.path != items[index].path), None)
    return elsewhere or (later[0] if later else None)


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
def ledger(pytestconfig: pytest.Config, contract: ContractSession) -> Iterator[Ledger]:
    """The target, reached through a client, with the run's anchors made and cleaned up."""
    wraps = pytestconfig.hook.pytest_contract_reference_wrap(options=contract.options)
    with open_ledger(contract, [wrap for wrap in wraps if wrap]) as made:
        yield made


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Every failed test as findings; from one shard of several, with the command that
    runs that shard alone."""
    report = yield
    if report.failed and call.excinfo is not None:
        contract = session_of(item.config)
        findings = finding_from(item.nodeid, call.excinfo.value)
        shard = shard_of(call.excinfo.value)
        if shard is not None:
            alone = reproduce_line(contract.options, shard=shard.number)
            findings = [dataclasses.replace(f, alone=alone) for f in findings]
        contract.findings.extend(findings)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Clean up, write the summary, and end with the verdict's exit status (`ExitStatus`)."""
    contract = session_of(session.config)
    # Before pytest tears the fixtures down: a self-started server still answers.
    finish_run(contract)
    compared = contract.comparing is not None
    status = comparing.verdict(contract) if compared else verdict(contract)
    interrupted = contract.signalled is not None
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or interrupted:
        session.exitstatus = status
    if compared:
        comparing.write_reports(contract, status, secrets(contract.options))
    else:
        write_reports(contract, status)
    session.config.stash[PROGRESS].ended(contract, status)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    contract = session_of(terminalreporter.config)
    name = DIFFERENCES if contract.comparing is not None else "summary.md"
    summary = contract.options.reports_dir / name
    if summary.exists():
        terminalreporter.write_sep("=", "contract summary")
        terminalreporter.write_line(summary.read_text(encoding="utf-8"))


def pytest_unconfigure(config: pytest.Config) -> None:
    contract = config.stash.get(SESSION, None)
    if contract is None:
        return
    contract.closing.close()
    scrub_reports(contract)
