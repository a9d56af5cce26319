"""The `compare` command: `ngrok-failover-contract compare --base-url A --other-url B` once
installed, `make compare BASE_URL=A OTHER_URL=B` in the checkout (`scripts/run_compare.py`).

One run of the suite's workload against the base side, each request sent to the other side
too (`runner.comparing`), and a report of where their answers differ beyond what the
documentation leaves free: `differences.md` and `differences.json` under reports/compare/.
Its options are a contract run's, less its workers and shards, and its own (`--other-url`,
`--other-child-backends`, `--record`, `--recorded`); the other side's key is read from
`OTHER_NGROK_API_KEY` only. Both sides get every safety rule of a live run; a side that is
not loopback is someone's real account: its plan is printed, and the run needs --live.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compare.keys import OTHER_SIDE_KEY_ENV
from ..compare.report import MARKDOWN
from ..core.verdict import ExitStatus
from ..live.safety import DEFAULT_REMOTE_RPM
from ..reporting.console import LOG_NAME, RunConsole, startup_stop_line
from ..reporting.events import Ended
from . import comparing, reference
from .command import PROG, suite_command
from .options import (
    COMPARE,
    KEY_ENV,
    Extension,
    Options,
    OptionsError,
    check_consent,
    merged,
    name_of,
    parser,
    plan,
    resolve,
)
from .reports_folder import FolderRefused, held
from .run import run_suite
from .stops import Stops

PREFIX = "compare:"
DESCRIPTION = (
    "Compare two servers of ngrok's Failover Backends API: one workload sent to both, and a "
    "report of where their answers differ beyond what the documentation leaves free."
)
EPILOG = f"""\
the keys: the base side's from ${KEY_ENV}, the other side's from ${OTHER_SIDE_KEY_ENV} (never flags)
reports: {comparing.DEFAULT_REPORTS_DIR}/ ({MARKDOWN} first, differences.json, {LOG_NAME})
exit status: 0 no difference, 1 differences, 2 could not run, 3 inconclusive, 130 interrupted
replay a recorded other side against a new base: {PROG} compare --base-url URL --recorded DIR
"""


def run_compare(args: list[str], extension: Extension, stops: Stops) -> int:
    every = merged([extension, COMPARE])
    command_line = parser(DESCRIPTION, every, hidden=comparing.REFUSED)
    command_line.prog, command_line.epilog = f"{PROG} compare", EPILOG
    command_line.formatter_class = argparse.RawDescriptionHelpFormatter
    command_line.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    extra = command_line.parse_args(args).pytest_args
    env = os.environ
    try:
        options, settings = decide(env, args, every)
        if options.remote or settings.other_remote or options.dry_run:
            if options.base_url is not None:
                print(plan(options), flush=True)
            for line in comparing.plan_lines(options, settings):
                print(line, flush=True)
        if options.dry_run:
            print(f"{PREFIX} DRY_RUN: nothing was sent")
            return 0
        check_consent(options)
        comparing.check_other_consent(options, settings)
    except OptionsError as err:
        print(f"{PREFIX} {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    if options.base_url is None and (problem := reference.missing()) is not None:
        print(f"{PREFIX} could not run: {problem}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    print(f"{PREFIX} seed {options.seed}, profile {options.profile.name}", flush=True)
    print(f"{PREFIX} base side: {options.target}", flush=True)
    print(f"{PREFIX} other side: {settings.other_label}", flush=True)
    print(f"{PREFIX} reproduce with {comparing.reproduce_line(options)}", flush=True)
    if stops.stopped:
        print(f"{PREFIX} {startup_stop_line(stops.stopped)}", flush=True)
        return ExitStatus.INTERRUPTED
    command = suite_command(
        *options.suite_argv(),
        f"--junitxml={options.reports_dir / 'junit.xml'}",
        "-o",
        "junit_suite_name=compare",
        *extra,
        plugins=(extension.plugin,) if extension.plugin else (),
    )
    try:
        with held(options.reports_dir, name_of("reports_dir")):
            return run_suite(command, options, stops, console_type=CompareConsole)
    except FolderRefused as err:
        print(f"{PREFIX} could not run: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN


def decide(
    env: Mapping[str, str], args: list[str], extension: Extension
) -> tuple[Options, comparing.Settings]:
    """The run's options and the comparison's: reports under reports/compare/, a replay's
    seed and profile its recording's, and a remote other side paced and profiled as a
    remote base side would be."""
    args = list(args)
    if not any(a.startswith("--reports-dir") for a in args) and not env.get("REPORTS_DIR"):
        args.append(f"--reports-dir={comparing.DEFAULT_REPORTS_DIR}")
    options = resolve(env, args, extension=extension)
    settings = comparing.settings_of(options, env)
    if settings is None:
        raise OptionsError(
            f"compare needs the other side: --other-url URL (its key in ${OTHER_SIDE_KEY_ENV}), or "
            "--recorded DIR (a comparison --record wrote)"
        )
    more = _implied(options, settings)
    if more:
        options = resolve(env, [*args, *more], extension=extension)
        settings = comparing.settings_of(options, env)
        assert settings is not None
    return options, settings


def _implied(options: Options, settings: comparing.Settings) -> list[str]:
    implied = []
    meta: Mapping[str, Any] = settings.meta
    if settings.recorded is not None:
        implied += [
            f"--{name}={meta[name]}" for name in ("seed", "profile") if name not in options.given
        ]
    if settings.other_remote and not options.remote:
        if "profile" not in options.given and settings.recorded is None:
            implied.append("--profile=live")
        if "max_rpm" not in options.given:
            implied.append(f"--max-rpm={DEFAULT_REMOTE_RPM}")
    return implied


class CompareConsole(RunConsole):
    """A comparison's end: each side's cleanup, each kind of difference once, the verdict."""

    prefix = PREFIX

    def end(self, ended: Ended, reports: Path) -> None:
        if self.test is not None:
            self.screen.line(self.redact(f"  stopped {self.test}"))
        self.screen.close()
        report = comparing.reports_json(reports)
        if report is None:
            self.say(f"could not run: {ended.cannot_run or 'see ' + str(reports / LOG_NAME)}")
            return
        for side, said in report["sides"].items():
            self.say(f"{side} side: {'; '.join(said)}")
        if report["diverged"]:
            self.say(f"the replay parted from its recording: {report['diverged']}")
        if not self.quiet:
            for line in _kinds_lines(report["kinds"]):
                self.screen.line(self.redact(line))
            for title, items in (
                ("Sent to the base side only", report["unsent"]),
                ("No answer from the other side", report["faults"]),
                ("The run's own problems", report["problems"]),
            ):
                if items:
                    self.screen.line(f"{title}: {len(items)}")
                    for item in items[:5]:
                        self.screen.line(self.redact(f"   - {' '.join(item.split())[:300]}"))
        self.say(report["verdict"])
        self.say(
            f"reports in {reports}/ ({MARKDOWN} first, differences.json); pytest's whole "
            f"output in {reports / LOG_NAME}"
        )


def _kinds_lines(kinds: list[dict[str, Any]]) -> list[str]:
    if not kinds:
        return []
    width = max(len(kind["kind"]) for kind in kinds)
    lines = ["", f"{'kind':<{width}}  count  operations"]
    for kind in kinds:
        operations = ", ".join(f"{op} ({n})" for op, n in kind["operations"].items())
        lines.append(f"{kind['kind']:<{width}}  {kind['count']:>5}  {operations}")
    for number, kind in enumerate(kinds, start=1):
        first = kind["first"]
        lines += ["", f"{number}. {kind['kind']}", f"   {first['message'][:600]}"]
        if first["test"]:
            lines.append(f"   Test: {first['test']}")
        for side in ("base", "other"):
            if first[side] is not None:
                answer = first[side]["answer"].splitlines()
                lines += [f"   {side.capitalize()} side: {first[side]['request']}"]
                lines += [f"      {line[:300]}" for line in answer[:2]]
    lines.append("")
    return lines
