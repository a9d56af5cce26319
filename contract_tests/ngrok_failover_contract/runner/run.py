"""One run of the command (see `runner.cli`): the options decided, the suite's pytest run in
a subprocess, its events rendered on the console, its whole output kept in `pytest.log`."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from functools import partial

from ..core.verdict import ExitStatus
from ..live.safety import PreflightError, plain_round_trip
from ..reporting.console import (
    LOG_NAME,
    PREFIX,
    PlainScreen,
    RunConsole,
    screen_for,
    startup_stop_line,
)
from ..reporting.events import Ended, EventError, Ready, decode
from . import reference
from .command import PROG, suite_command
from .options import (
    KEY_ENV,
    Extension,
    Options,
    OptionsError,
    check_consent,
    name_of,
    named,
    parser,
    plan,
    resolve,
)
from .parts import Processes, processes_for, usable_cores
from .reports_folder import FolderRefused, held
from .run_parts import run_parts
from .session_end import redact_all, secrets
from .stops import Stops
from .suite_end import copy_output, start_suite, without_verdict

DESCRIPTION = "Test a server of ngrok's Failover Backends API against its contract."
EPILOG = f"""\
the API key: from ${KEY_ENV} only (never a flag, so it never shows in a command line)
reports: reports/contract/ (summary.md first, coverage.md, junit.xml, {LOG_NAME})
exit status: 0 conformant, 1 violations, 2 could not run, 3 inconclusive, 130 interrupted
after a killed run: {PROG} cleanup --base-url URL (and cleanup --help)
"""


def run(args: list[str], extension: Extension, stops: Stops) -> int:
    command_line = parser(DESCRIPTION, extension)
    command_line.prog, command_line.epilog = PROG, EPILOG
    command_line.formatter_class = argparse.RawDescriptionHelpFormatter  # the epilog's lines
    command_line.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    extra = command_line.parse_args(args).pytest_args  # also: --help, and unknown flags refused
    try:
        options = resolve(os.environ, args, extension=extension)
        if options.remote or options.dry_run:
            print(plan(options), flush=True)
        if options.dry_run:  # needs no key: nothing is sent
            print(f"{PREFIX} {name_of('dry_run')}: nothing was sent")
            return 0
        check_consent(options)
    except OptionsError as err:
        print(f"{PREFIX} {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    if options.base_url is None and (problem := reference.missing()) is not None:
        print(f"{PREFIX} could not run: {problem}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    print(
        f"{PREFIX} seed {options.seed}, profile {options.profile.name}, target {options.target}",
        flush=True,
    )
    print(f"{PREFIX} reproduce with {named('seed', options.seed)}", flush=True)
    if stops.stopped:  # before the suite started: nothing was sent
        print(f"{PREFIX} {startup_stop_line(stops.stopped)}", flush=True)
        return ExitStatus.INTERRUPTED
    try:
        with held(options.reports_dir, name_of("reports_dir")):
            return _run_held(options, extension, extra, stops)
    except FolderRefused as err:
        print(f"{PREFIX} could not run: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN


def _run_held(options: Options, extension: Extension, extra: list[str], stops: Stops) -> int:
    """The run, once its reports folder is its own."""
    plugins = (extension.plugin,) if extension.plugin else ()
    try:
        processes = _processes(options)
    except PreflightError as err:
        print(f"{PREFIX} could not run: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    if processes.count > 1:
        print(f"{PREFIX} {processes.count} processes side by side ({processes.why})", flush=True)
        return run_parts(options, processes, extra, plugins, stops)
    command = suite_command(
        *options.suite_argv(),
        f"--junitxml={options.reports_dir / 'junit.xml'}",
        "-o",
        "junit_suite_name=contract",
        *extra,
        plugins=plugins,
    )
    return run_suite(command, options, stops)


def _processes(options: Options) -> Processes:
    return processes_for(
        options.processes,
        remote=options.remote,
        shard=options.shard is not None,
        cores=usable_cores(),
        # The reference server the run starts answers at once: nothing to measure.
        measure=(
            partial(plain_round_trip, options.base_url, options.api_key)
            if options.base_url is not None
            else None
        ),
    )


def run_suite(
    command: list[str], options: Options, stops: Stops, console_type: type[RunConsole] = RunConsole
) -> int:
    """Run the suite's pytest: its events on the console, its output in `pytest.log`.

    pytest runs in its own session, so Ctrl-C in a terminal reaches it only through here
    (`stops`: held until it is ready, then passed on once each; twice would cut its cleanup
    short). It starts with the stop signals ignored, until its plugin handles them.
    """
    hidden = secrets(options)

    def scrub(text: str) -> str:
        return redact_all(text, hidden)

    log_path = options.reports_dir / LOG_NAME
    verbose = bool(options.values.get("verbose"))
    with log_path.open("w", encoding="utf-8") as log:
        process, read_end = start_suite(command, stops)
        assert process.stdout is not None
        shown = sys.stdout if verbose else None
        copy = threading.Thread(target=copy_output, args=(process.stdout, log, shown, scrub))
        copy.start()
        screen = PlainScreen(sys.stdout) if verbose else screen_for(sys.stdout)
        console = console_type(screen, scrub, quiet=verbose)
        ended = _follow(read_end, console, stops)
        returncode = process.wait()
        copy.join()
    if ended is None:
        console.close()
        return without_verdict(console, returncode, log_path)
    console.end(ended, options.reports_dir)
    if returncode != ended.status:  # pytest's own end after the verdict (an internal error)
        console.say(f"pytest ended with status {returncode}: see {log_path}")
    return returncode


def _follow(read_end: int, console: RunConsole, stops: Stops) -> Ended | None:
    """Render the events until the child closes its end; the run's end, if it came."""
    ended = None
    with os.fdopen(read_end, encoding="utf-8") as events:
        for line in events:
            try:
                event = decode(line)
            except EventError as err:
                console.say(f"a line of the suite's events was ignored: {err}")
                continue
            if isinstance(event, Ready):
                stops.ready()
            if isinstance(event, Ended):
                ended = event
            else:
                console.handle(event)
    return ended
