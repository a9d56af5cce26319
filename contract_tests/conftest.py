"""Options, the target server and the run's shared state for the contract suite.

`pytest contract_tests` with no `--base-url` starts the reference server in a thread (with
`--mutant NAME`, with that planted fault); otherwise the suite tests the server at the URL,
with the API key from `NGROK_API_KEY`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

from .client import ApiClient
from .mutants import get_mutant
from .options import Current, Options
from .report import Finding, finding_from, redact, redact_tree, render_summary
from .run import Run
from .schema_checks import ActiveRun
from .settings import ANCHOR_COUNT, PROFILES, Profile

KEY_ENV = "NGROK_API_KEY"
# The key of a reference server the suite starts itself: not a secret, but redacted alike.
LOCAL_KEY = "contract-suite-local-key"
CI_SEED = 0

_FINDINGS = pytest.StashKey[list[Finding]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Failover Backends contract suite")
    group.addoption("--base-url", help="server under test; none: start the reference server")
    group.addoption(
        "--child-backends",
        default="",
        help="comma-separated ids of child backends that exist on the server",
    )
    group.addoption("--profile", choices=sorted(PROFILES), default="quick")
    group.addoption("--seed", type=int, help="reproduce a run (default: fresh, 0 when CI=true)")
    group.addoption("--reports-dir", default="reports/contract", help="where reports go")
    group.addoption(
        "--reference-mode",
        choices=("lenient", "strict"),
        default="lenient",
        help="self-started server only: strict checks that children exist",
    )
    group.addoption("--mutant", help="self-started server only: plant this fault (see mutants)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    seed = config.getoption("--seed")
    if seed is None:
        seed = CI_SEED if os.environ.get("CI") == "true" else random.getrandbits(32)
    base_url = config.getoption("--base-url")
    api_key = os.environ.get(KEY_ENV, "") if base_url else LOCAL_KEY
    if base_url and not api_key:
        raise pytest.UsageError(f"--base-url needs the API key in ${KEY_ENV}")
    Current.options = Options(
        seed=seed,
        profile=PROFILES[config.getoption("--profile")],
        reports_dir=Path(config.getoption("--reports-dir")),
        api_key=api_key,
        base_url=base_url,
        child_backends=tuple(c for c in config.getoption("--child-backends").split(",") if c),
    )
    # Schemathesis writes its own reports there and expects the folder to exist.
    (Current.options.reports_dir / "schemathesis").mkdir(parents=True, exist_ok=True)
    config.stash[_FINDINGS] = []
    # Hypothesis and junitxml read their options in their own pytest_configure, after this one.
    config.option.hypothesis_seed = seed
    if not config.option.xmlpath:
        config.option.xmlpath = str(Current.options.reports_dir / "junit.xml")


def _options() -> Options:
    assert Current.options is not None
    return Current.options


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
        client = ApiClient(base_url, options.api_key)
        stack.callback(client.close)
        state = Run(client=client, seed=options.seed, given_children=options.child_backends)
        ActiveRun.current = state
        state.make_anchors(ANCHOR_COUNT)
        yield state
        state.clean_up()


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


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    options = _options()
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    summary = render_summary(
        config.stash[_FINDINGS],
        seed=options.seed,
        target=options.base_url or "reference server (started by the suite)",
        profile=options.profile.name,
        reproduce=_reproduce_command(config, options),
    )
    for secret in _secrets():
        summary = redact(summary, secret)
    (options.reports_dir / "summary.md").write_text(summary, encoding="utf-8")


def _reproduce_command(config: pytest.Config, options: Options) -> str:
    if config.getoption("--mutant"):
        return (
            f"pytest contract_tests --mutant {config.getoption('--mutant')} "
            f"--reference-mode {config.getoption('--reference-mode')} --seed {options.seed}"
        )
    parts = ["make contract", f"SEED={options.seed}", f"PROFILE={options.profile.name}"]
    if options.base_url:
        parts += [f"BASE_URL={options.base_url}", "NGROK_API_KEY=..."]
    if options.child_backends:
        parts.append(f"CHILD_BACKENDS={','.join(options.child_backends)}")
    return " ".join(parts)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = _options().reports_dir / "summary.md"
    if summary.exists():
        terminalreporter.write_sep("=", "contract summary")
        terminalreporter.write_line(summary.read_text(encoding="utf-8"))


def pytest_unconfigure(config: pytest.Config) -> None:
    # JUnit XML and Schemathesis's reports are written by now: scrub the key from all of them.
    if Current.options is not None:
        for secret in _secrets():
            redact_tree(Current.options.reports_dir, secret)
