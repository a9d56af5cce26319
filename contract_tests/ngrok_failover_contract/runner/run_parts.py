"""A run in parts (`runner.parts`): one suite pytest a part, side by side, their events on
one console, their reports merged into the run's (`reports/contract/`, each part's own
under `parts/K/`), and one verdict decided over all they found."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..core.verdict import ExitStatus
from ..reporting.console import LOG_NAME, PlainScreen, RunConsole, screen_for
from ..reporting.events import (
    Collected,
    Ended,
    Event,
    EventError,
    Ready,
    Requests,
    decode,
)
from ..reporting.findings import Finding
from ..reporting.merge import merge_junit, merged_coverage, merged_end
from ..reporting.redaction import redact_tree
from ..reporting.summary import render_summary, status_of
from .command import suite_command
from .options import Options
from .parts import (
    PART_ENV,
    PARTS_DIR,
    ROUND_TRIP_ENV,
    Part,
    Processes,
    in_suite_order,
    part_folder,
    part_run_id,
    start_shared,
)
from .reproduce import reproduce_line
from .session_end import (
    COULD_NOT_RUN,
    PART_FACTS,
    Spent,
    coverage_findings,
    redact_all,
    secrets,
)
from .stops import Stops
from .suite_end import copy_output, start_suite, without_verdict


@dataclass
class _Launched:
    part: Part
    folder: Path
    process: subprocess.Popen[str]
    events: int  # the read end of its events' pipe
    log: IO[str]
    ended: Ended | None = None


def part_argv(options: Options, part: Part, folder: Path) -> list[str]:
    """The suite's flags for one part: its own run id and reports, the run's other options."""
    argv = [
        arg for arg in options.suite_argv() if not arg.startswith(("--run-id=", "--reports-dir="))
    ]
    return [
        *argv,
        f"--run-id={part_run_id(options.run_id, part.number)}",
        f"--reports-dir={folder}",
        f"--junitxml={folder / 'junit.xml'}",
        "-o",
        "junit_suite_name=contract",
    ]


def run_parts(
    options: Options,
    processes: Processes,
    extra: list[str],
    plugins: tuple[str, ...],
    stops: Stops,
    *,
    console_type: type[RunConsole] = RunConsole,
) -> int:
    hidden = secrets(options)

    def scrub(text: str) -> str:
        return redact_all(text, hidden)

    verbose = bool(options.values.get("verbose"))
    launched = _launch(options, processes, extra, plugins, stops)
    # Every process is started before any thread: a fork's preexec_fn wants one thread.
    inbox: queue.Queue[tuple[int, Event | EventError | None]] = queue.Queue()
    threads = []
    shown = sys.stdout if verbose else None
    for index, each in enumerate(launched):
        assert each.process.stdout is not None
        threads.append(_thread(copy_output, each.process.stdout, each.log, shown, scrub))
        threads.append(_thread(_read, each.events, index, inbox))
    screen = PlainScreen(sys.stdout) if verbose else screen_for(sys.stdout)
    console = console_type(screen, scrub, quiet=verbose)
    _follow(launched, inbox, console, stops)
    for each in launched:
        each.process.wait()
    for thread in threads:
        thread.join()
    for each in launched:
        each.log.close()
    _join_logs(launched, options.reports_dir / LOG_NAME)
    unfinished = next((each for each in launched if each.ended is None), None)
    if unfinished is not None:  # what it said is the run's: the others' verdicts are partial
        console.close()
        log = unfinished.folder / LOG_NAME
        return without_verdict(console, unfinished.process.returncode, log)
    ended = _merged(options, processes, launched, hidden)
    console.end(ended, options.reports_dir)
    for each in launched:
        assert each.ended is not None
        if each.process.returncode != each.ended.status:
            console.say(
                f"part {each.part}'s pytest ended with status {each.process.returncode}: "
                f"see {each.folder / LOG_NAME}"
            )
            return each.process.returncode
    return ended.status


def _launch(
    options: Options, processes: Processes, extra: list[str], plugins: tuple[str, ...], stops: Stops
) -> list[_Launched]:
    launched = []
    count, measured = processes.count, processes.round_trip_s
    told = {ROUND_TRIP_ENV: f"{measured:.6f}"} if measured is not None else {}
    start_shared(options.reports_dir)  # a fresh run claims every test and spends anew
    for number in range(1, count + 1):
        part = Part(number, count)
        folder = part_folder(options.reports_dir, part)
        folder.mkdir(parents=True, exist_ok=True)
        command = suite_command(*part_argv(options, part, folder), *extra, plugins=plugins)
        process, read_end = start_suite(command, stops, {PART_ENV: str(part), **told})
        log = (folder / LOG_NAME).open("w", encoding="utf-8")
        launched.append(_Launched(part, folder, process, read_end, log))
    return launched


def _thread(target: Callable[..., None], *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _read(
    read_end: int, index: int, inbox: queue.Queue[tuple[int, Event | EventError | None]]
) -> None:
    with os.fdopen(read_end, encoding="utf-8") as events:
        for line in events:
            try:
                inbox.put((index, decode(line)))
            except EventError as err:
                inbox.put((index, err))
    inbox.put((index, None))


def _follow(
    launched: list[_Launched],
    inbox: queue.Queue[tuple[int, Event | EventError | None]],
    console: RunConsole,
    stops: Stops,
) -> None:
    """Render the parts' events as one run's until every part closed its end: the tests
    counted once all parts collected theirs (what came before is held until then), the
    requests summed, each part's end kept."""
    open_ends = len(launched)
    collected: dict[int, int] = {}
    sent = [0] * len(launched)
    held: list[Event] = []
    while open_ends:
        try:  # a timeout, so a stop signal's handler runs while nothing comes
            index, event = inbox.get(timeout=0.5)
        except queue.Empty:
            continue
        if isinstance(event, EventError):
            console.say(f"a line of the suite's events was ignored: {event}")
        elif isinstance(event, Ready):
            stops.ready(launched[index].process)
        elif isinstance(event, Ended):
            launched[index].ended = event
        elif event is None or isinstance(event, Collected):
            open_ends -= event is None
            counted = len(collected) == len(launched)
            collected.setdefault(index, event.tests if event is not None else 0)
            if not counted and len(collected) == len(launched):  # every part has collected
                console.handle(Collected(max(collected.values())))  # each collects every test
                for waiting in held:
                    console.handle(waiting)
                held.clear()
        else:
            if isinstance(event, Requests):
                sent[index] = event.count
                event = Requests(sum(sent))
            if len(collected) == len(launched):
                console.handle(event)
            else:
                held.append(event)


def _merged(
    options: Options, processes: Processes, launched: list[_Launched], hidden: tuple[str, ...]
) -> Ended:
    """The run's end and reports from its parts'."""
    ends = [each.ended for each in launched if each.ended is not None]
    # In the suite's order, as one process would have found them: the plainest first.
    found = [finding for end in ends for finding in end.findings]
    findings: list[Finding] = sorted(found, key=lambda f: in_suite_order(f.test))
    coverage = merged_coverage([each.folder for each in launched])
    cannot_run = next((end.cannot_run for end in ends if end.cannot_run), None)
    if options.require_coverage and cannot_run is None:
        findings.extend(coverage_findings(coverage))
    status = status_of(findings, interrupted=any(end.signalled for end in ends))
    if cannot_run is not None or any(end.status == ExitStatus.CANNOT_RUN for end in ends):
        status = ExitStatus.CANNOT_RUN
    facts = [
        f"Processes: {processes.count} side by side ({processes.why}), each with a share of "
        f"the tests; each one's reports in {PARTS_DIR}/K/",
        *([f"{COULD_NOT_RUN} {cannot_run}"] if cannot_run else []),
        *part_facts(options, launched),
    ]
    summary = render_summary(
        findings,
        seed=options.seed,
        target=options.base_url or "reference server (started by the suite, one a process)",
        profile=options.profile.name,
        reproduce=reproduce_line(options),
        status=status,
        footer=facts,
    )
    reports = options.reports_dir
    (reports / "summary.md").write_text(redact_all(summary, hidden), encoding="utf-8")
    coverage.write(reports)
    merge_junit([each.folder / "junit.xml" for each in launched], reports / "junit.xml")
    for secret in hidden:
        redact_tree(reports, secret)
    return merged_end(ends, int(status), findings)


def part_facts(options: Options, launched: list[_Launched]) -> list[str]:
    """The run's requests (all parts'), then each part's facts as "Part K: ...", but why it
    could not run: that is the run's (`_merged` says it once, as every part met it)."""
    spent: list[Spent] = []
    shown: list[str] = []
    for each in launched:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            written = json.loads((each.folder / PART_FACTS).read_text())
            spent.append(Spent(**written["spent"]))
            shown += [
                f"Part {each.part.number}: {fact}"
                for fact in written["facts"]
                if not str(fact).startswith(COULD_NOT_RUN)
            ]
    return [f"{Spent.total(spent).fact(options)}, in all parts", *shown]


def _join_logs(launched: list[_Launched], out: Path) -> None:
    """The run's pytest.log: each part's whole output in turn."""
    with out.open("w", encoding="utf-8") as log:
        for each in launched:
            log.write(f"===== part {each.part} ({each.folder / LOG_NAME}) =====\n")
            log.write((each.folder / LOG_NAME).read_text("utf-8"))
