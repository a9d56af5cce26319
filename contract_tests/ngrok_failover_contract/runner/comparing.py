"""`compare` inside the suite's pytest: its options read, the other side made beside the base
side's ledger (its own gate, client, journal, survey and anchors: every safety rule of a live
run), each test's requests paired (`compare.pairing`), what each side holds read after each
test, and at the end the verdict from the differences, and the reports.

A run is a comparison when `--other-url` or `--recorded` is given; the command for it is
`compare` (`runner.compare_run`), but the suite's pytest run by hand compares as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..checks.judge import Judge
from ..compare.keys import OTHER_SIDE_KEY_ENV
from ..compare.mapping import Correspondence, Names
from ..compare.pairing import UNREACHABLE, Comparison, Side
from ..compare.recording import (
    SIDE_FILES,
    STAND_IN_KEY,
    Recorder,
    Recording,
    RecordingClient,
    RecordingError,
    Replay,
    ReplayClient,
    write_meta,
)
from ..compare.report import JSON, RunFacts, kinds_of
from ..compare.report import write as write_report
from ..core.registry import ContractViolation
from ..core.spec import INSTALLED
from ..core.verdict import ExitStatus, Kind, exit_status
from ..live.client import ApiClient
from ..live.gate import Gate
from ..live.journal import Journal
from ..live.ledger import Ledger
from ..live.marker import marker_of
from ..live.safety import PreflightError, is_remote, preflight, render_plan
from ..reporting.summary import outline
from .command import PROG
from .options import (
    COMPARE_OPTIONS,
    KEY_ENV,
    Options,
    OptionsError,
    check_base_url,
    child_ids,
    key_from,
    text,
)

if TYPE_CHECKING:
    from .session import ContractSession

DEFAULT_REPORTS_DIR = "reports/compare"
OTHER = "other"  # the other side's folder under the reports: its journal
# A comparison's workload: each request to one side, then the other, so no workers; and no
# histories (three threads at once: each side would see another interleaving).
LEFT_OUT = ("test_histories.py",)
_COMPARE = {option.dest: option for option in COMPARE_OPTIONS}


@dataclass(frozen=True, slots=True)
class Settings:
    """A comparison's own options, decided from the run's."""

    other_url: str | None
    other_key: str = field(repr=False)
    other_children: tuple[str, ...]
    record: Path | None
    recorded: Path | None
    other_remote: bool
    meta: Mapping[str, Any] = field(default_factory=dict)  # a replay's recording's

    @property
    def other_label(self) -> str:
        if self.recorded is not None:
            return f"the recording in {self.recorded} (of {self.meta.get('other', '?')})"
        return str(self.other_url)


def settings_of(options: Options, env: Mapping[str, str]) -> Settings | None:
    """The comparison `options` ask for (None: they ask for none); `OptionsError` names a bad
    value."""
    values = options.values
    other_url = values.get("other_url") or None
    recorded = values.get("recorded") or None
    if other_url is None and recorded is None:
        return None
    if other_url is not None and recorded is not None:
        raise OptionsError(
            f"{_named('other_url')} and {_named('recorded')} both name the other side: give one"
        )
    if values.get("record") and recorded is not None:
        raise OptionsError(f"{_named('record')} records a live comparison, not a replay")
    _refuse_split(options)
    key = "" if other_url is None else key_from(env, OTHER_SIDE_KEY_ENV)
    if other_url is not None:
        check_base_url(str(other_url), _COMPARE["other_url"])
        if not key and not options.dry_run:
            raise OptionsError(
                f"{_named('other_url')} needs the other side's key in ${OTHER_SIDE_KEY_ENV}"
            )
        if (
            str(other_url).rstrip("/") == (options.base_url or "").rstrip("/")
            and key == options.api_key
        ):
            raise OptionsError(
                "the two sides are one server with one key: they would see each other's "
                "backends; compare two servers, or two accounts"
            )
    children = child_ids(
        text(values.get("other_child_backends") or ()), _COMPARE["other_child_backends"]
    )
    meta: dict[str, Any] = {}
    if recorded is not None:
        meta = read_meta(Path(str(recorded)))
        children = tuple(meta.get("other_children") or ())
        _same_workload(options, meta)
    given = options.child_backends
    if children and len(children) != len(given):
        raise OptionsError(
            f"{_named('other_child_backends')} names {len(children)} children and "
            f"--child-backends {len(given)}: they are paired in order"
        )
    assumed = bool(options.extension.remote_switch and values.get(options.extension.remote_switch))
    return Settings(
        other_url=None if other_url is None else str(other_url),
        other_key=key,
        other_children=children or given,
        record=Path(str(values["record"])) if values.get("record") else None,
        recorded=Path(str(recorded)) if recorded is not None else None,
        other_remote=other_url is not None and is_remote(str(other_url), assume_remote=assumed),
        meta=meta,
    )


def _named(dest: str) -> str:
    option = _COMPARE[dest]
    return option.flag if INSTALLED or option.env is None else f"{option.flag} ({option.env})"


# A contract run's options a comparison refuses (all but --workers 1 and --processes 1):
# taken, to be refused by name, and left out of its --help.
REFUSED = frozenset({"workers", "shard", "processes", "require_coverage"})


def _refuse_split(options: Options) -> None:
    if options.workers != 1:
        raise OptionsError(
            f"a comparison sends each request to one side, then the other: --workers "
            f"{options.workers} cannot be (give none, or 1)"
        )
    if options.processes not in (None, 1):
        raise OptionsError(
            f"a comparison pairs each request with the other side's in one order: --processes "
            f"{options.processes} cannot be (give none, or 1)"
        )
    if options.shard is not None or options.require_coverage:
        raise OptionsError(
            "--shard and --require-coverage are a contract run's, not a comparison's"
        )


def read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "meta.json"
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise OptionsError(f"{folder} holds no recording to replay ({path}: {err})") from None
    return meta


def _same_workload(options: Options, meta: Mapping[str, Any]) -> None:
    """A replay runs the recorded workload: the recording's seed and profile."""
    for dest, value in (("seed", options.seed), ("profile", options.profile.name)):
        if dest in options.given and meta.get(dest) != value:
            raise OptionsError(
                f"the recording was made with --{dest} {meta.get(dest)}, and a replay runs the "
                f"same workload: give --{dest} {meta.get(dest)}, or none"
            )


def other_run_id(run_id: str) -> str:
    """The other side's run id: the same start, its own 6 hex digits (each side sweeps and
    journals only its own, even on one account)."""
    stamp, _, _ = run_id.rpartition("-")
    return f"{stamp}-{hashlib.sha256(f'{run_id}/other'.encode()).hexdigest()[:6]}"


def plan_lines(options: Options, settings: Settings) -> list[str]:
    """The other side's plan, when it is someone's real account."""
    if not settings.other_remote:
        return []
    plan = render_plan(
        base_url=str(settings.other_url),
        profile=options.profile,
        max_rpm=options.max_rpm,
        run_marker=marker_of(other_run_id(options.run_id)),
    )
    return plan.splitlines()


def check_other_consent(options: Options, settings: Settings) -> None:
    if settings.other_remote and not options.live and not options.dry_run:
        how = "--live" if INSTALLED else "LIVE=1 (make) or --live"
        raise OptionsError(
            f"{settings.other_url} is not a loopback address, so it is treated as a real "
            f"account.\n" + "\n".join(plan_lines(options, settings)) + f"\nRun again with {how} "
            "to go ahead."
        )


@dataclass
class Comparing:
    """A comparison's state in the session: its settings, the other side's gate (made at once,
    so a stop reaches it), its ledger and the comparison once made."""

    settings: Settings
    gate: Gate
    other: Ledger | None = None
    comparison: Comparison | None = None
    base_recorder: Recorder | None = None
    closing: ExitStack = field(default_factory=ExitStack)
    test: str = "(setup)"

    def stop(self, reason: str) -> None:
        self.gate.stop(reason)

    def relabel(self, nodeid: str, outcome: str) -> str:
        """A test that passed (none raises in a comparison) but found a difference: differs."""
        comparison = self.comparison
        if outcome != "passed" or comparison is None:
            return outcome
        return "differs" if any(d.test == nodeid for d in comparison.differences) else outcome


def configure(config: pytest.Config, contract: ContractSession, settings: Settings) -> Comparing:
    """The comparison of this session, its consent checked and its other side's gate made
    (before the stop handlers are: a stop must reach it too)."""
    options = contract.options
    try:
        check_other_consent(options, settings)
    except OptionsError as err:
        raise pytest.UsageError(str(err)) from None
    gate = Gate(
        marker_of(other_run_id(options.run_id)),
        max_rpm=options.max_rpm,
        max_requests=options.profile.max_requests,
        max_creates=options.profile.max_creates,
    )
    comparing = Comparing(settings, gate)
    config.pluginmanager.register(_Hooks(contract, comparing), "contract-comparing")
    return comparing


def preflight_other(contract: ContractSession) -> None:
    """One list call to the other side, as to the base side: a dead end ends the run."""
    comparing = contract.comparing
    if comparing is None or comparing.settings.other_url is None or contract.signalled:
        return
    try:
        preflight(comparing.settings.other_url, comparing.settings.other_key)
    except PreflightError as err:
        raise pytest.UsageError(f"the other side: {err}") from None


def base_client(contract: ContractSession, base_url: str) -> ApiClient:
    """The base side's client: recording its exchanges when asked to."""
    comparing = contract.comparing
    options = contract.options
    if comparing is None or comparing.settings.record is None:
        return ApiClient(base_url, options.api_key, contract.gate)
    recorder = Recorder(comparing.settings.record / SIDE_FILES["base"], base_url, options.api_key)
    comparing.closing.callback(recorder.close)
    comparing.base_recorder = recorder
    return RecordingClient(base_url, options.api_key, contract.gate, recorder=recorder)


@contextmanager
def other_side(
    contract: ContractSession,
    ledger: Ledger,
    *,
    journals: str,
    finish: Callable[[ContractSession], None],
) -> Iterator[None]:
    """The other side, surveyed as the base side was, and paired with it: what the base side
    does next (its anchors first) is done on both. `finish` (the run's cleanup, both sides)
    runs before the other side's client closes."""
    comparing = contract.comparing
    assert comparing is not None
    settings, options = comparing.settings, contract.options
    run_id = other_run_id(options.run_id)
    key = settings.other_key if settings.recorded is None else STAND_IN_KEY
    client, journal = _other_client(contract, comparing, run_id, journals)
    with ExitStack() as stack:
        stack.callback(client.close)
        stack.callback(finish, contract)
        comparing.other = other = Ledger(
            client=client,
            judge=Judge(),
            seed=options.seed,
            given_children=settings.other_children,
            run_id=run_id,
            stateful=options.profile.semantic,
            journal=journal,
        )
        if journal is not None:
            comparing.gate.journaled = journal.__contains__
        names = Correspondence(
            Names(options.marker, options.api_key), Names(marker_of(run_id), key)
        )
        comparison = Comparison(
            Side("base", options.target, ledger),
            Side(OTHER, settings.other_label, other),
            names,
            base_recorder=comparing.base_recorder,
            replayed=settings.recorded is not None,
        )
        comparing.comparison = comparison
        try:
            other.survey()
        except UNREACHABLE as error:
            comparison.unreachable(error, None)
        except ContractViolation as violation:  # a list the base side answered: a difference
            comparison.surveyed(ledger.client.history[-1], violation)
        for mine, theirs in zip(ledger.given_children, other.given_children, strict=True):
            names.pair(mine, theirs)
        comparison.attach()
        yield


def _other_client(
    contract: ContractSession, comparing: Comparing, run_id: str, journals: str
) -> tuple[ApiClient, Journal | None]:
    settings, options = comparing.settings, contract.options
    if settings.recorded is not None:
        try:
            recording = Recording.read(settings.recorded, run_id)
        except RecordingError as err:
            raise pytest.UsageError(str(err)) from None
        other_url = str(recording.meta.get("other_url") or "http://recorded.invalid")
        replay = Replay(recording.other)
        return ReplayClient(other_url, STAND_IN_KEY, comparing.gate, replay=replay), None
    assert settings.other_url is not None
    journal = Journal(options.reports_dir / OTHER / journals, run_id, sync=settings.other_remote)
    recorder = None
    if settings.record is not None:
        recorder = Recorder(
            settings.record / SIDE_FILES[OTHER],
            settings.other_url,
            settings.other_key,
            secrets=(options.api_key,),
        )
        comparing.closing.callback(recorder.close)
        write_meta(settings.record, _meta(contract, comparing, run_id, complete=False))
    client = RecordingClient(
        settings.other_url, settings.other_key, comparing.gate, recorder=recorder
    )
    return client, journal


def _meta(
    contract: ContractSession, comparing: Comparing, run_id: str, *, complete: bool
) -> dict[str, Any]:
    options, settings = contract.options, comparing.settings
    return {
        "seed": options.seed,
        "profile": options.profile.name,
        "reference_mode": options.reference_mode,
        "run_id": options.run_id,
        "other_run_id": run_id,
        "base": options.target,
        "other": settings.other_label,
        "other_url": settings.other_url,
        "child_backends": list(options.child_backends),
        "other_children": list(settings.other_children),
        "complete": complete,
    }


def finish_other(contract: ContractSession) -> None:
    """The other side's cleanup, once (its own gate, its own journal)."""
    comparing = contract.comparing
    if comparing is None:
        return
    comparison = comparing.comparison
    if comparison is not None:
        comparison.finish(contract.options.workers)


class _Hooks:
    """The comparison's pytest hooks: the workload's tests, a phase per test, and the state
    each side holds read after each test."""

    def __init__(self, contract: ContractSession, comparing: Comparing) -> None:
        self.contract, self.comparing = contract, comparing

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        left = [item for item in items if item.path.name in LEFT_OUT]
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = [item for item in items if item not in left]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        comparison = self.comparing.comparison
        if comparison is not None:
            comparison.phase(item.nodeid)
        try:
            yield
        finally:
            comparison = self.comparing.comparison
            if comparison is not None and self.contract.signalled is None:
                comparison.read_state()


def verdict(contract: ContractSession) -> ExitStatus:
    """The comparison's exit status: 1 when a difference remains, 3 when a side could not
    be compared (lost answers, a replay that parted) and none was found, 2 and 130 as any
    run's."""
    comparing = contract.comparing
    comparison = comparing.comparison if comparing else None
    if contract.cannot_run is not None:
        return ExitStatus.CANNOT_RUN
    if comparison is None and contract.signalled is None:
        contract.cannot_run = "the comparison never began (see pytest.log)"
        return ExitStatus.CANNOT_RUN
    kinds = [finding.kind for finding in contract.findings]
    if comparison is not None and comparison.differences:
        kinds.append(Kind.VIOLATION)
    if comparison is not None and (comparison.faults or comparison.dark or _unserved(comparison)):
        kinds.append(Kind.TRANSPORT)
    return exit_status(kinds, interrupted=contract.signalled is not None)


def _unserved(comparison: Comparison) -> bool:
    """A replay that ended before its recording's workload did parted from it too."""
    client = comparison.other.ledger.client
    if not isinstance(client, ReplayClient) or comparison.dark is not None:
        return False
    left = client.replay.unserved()
    if left:
        comparison.dark = (
            f"this run asked the other side for {client.replay.position} requests; its "
            f"recording holds {len(left)} more of the workload, from {left[0]['phase']}: "
            f"{left[0]['method']} {left[0]['target']}"
        )
    return bool(left)


def write_reports(contract: ContractSession, status: ExitStatus, secrets: tuple[str, ...]) -> None:
    comparing = contract.comparing
    assert comparing is not None
    comparison = comparing.comparison
    options = contract.options
    told = outline(contract.findings, status)
    facts = RunFacts(
        status=status,
        base=options.target,
        other=comparing.settings.other_label,
        seed=options.seed,
        profile=options.profile.name,
        reproduce=reproduce_line(options),
        cannot_run=contract.cannot_run,
        problems=[
            f"{f.prop}: {f.message} ({', '.join(tests[:3])})"
            for f, tests in [*told.problems, *told.transport]
        ],
    )
    differences = []
    if comparison is not None:
        differences = comparison.differences
        facts.pairs, facts.walks = comparison.pairs, comparison.walks
        facts.unsent, facts.faults, facts.diverged = (
            comparison.unsent,
            comparison.faults,
            comparison.dark,
        )
        facts.sides = {
            "base": _spent(contract.gate, contract.swept, "base"),
            OTHER: _spent(comparing.gate, comparison.swept, OTHER, replayed=comparison.replayed),
        }
    write_report(options.reports_dir, facts, kinds_of(differences), secrets)
    if comparing.settings.record is not None and comparison is not None:
        meta = _meta(contract, comparing, comparison.other.ledger.run_id, complete=True)
        write_meta(comparing.settings.record, {**meta, "status": int(status)})
    comparing.closing.close()


def _spent(gate: Gate, swept: Any, side: str, *, replayed: bool = False) -> list[str]:
    if replayed:
        return ["a recording, replayed: nothing sent, nothing to delete"]
    said = [
        f"{gate.requests} requests, {gate.creates} backends created, "
        f"{gate.rate_limited} 429s waited out"
    ]
    if swept is not None:
        left = f", NOT deleted: {', '.join(sorted(swept.left))}" if swept.left else ", none left"
        said.append(f"cleanup: deleted {len(swept.removed)} backends this run created{left}")
    return said


def reproduce_line(options: Options) -> str:
    """The command that compares again: `make compare ...` in a checkout, else the command."""
    carried = [(o, v) for o, v in options.carried() if o.dest not in ("workers",)]
    if not INSTALLED and all(option.env for option, _ in carried):
        parts = ["make compare"]
        for option, value in carried:
            parts.append(f"{option.env}={1 if option.switch else text(value)}")
            if option.dest == "base_url":
                parts.append(f"{KEY_ENV}=...")
            if option.dest == "other_url":
                parts.append(f"{OTHER_SIDE_KEY_ENV}=...")
        return " ".join(parts)
    prog = f"{PROG} compare" if INSTALLED else ".venv/bin/python -m scripts.run_compare"
    parts = [prog]
    for option, value in carried:
        parts += [option.flag] if option.switch else [option.flag, text(value)]
    return " ".join(parts)


def reports_json(folder: Path) -> dict[str, Any] | None:
    """The comparison's report as its command reads it back (None: it was never written)."""
    path = folder / JSON
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
