"""The contract suite's command: `ngrok-failover-contract` once installed, `make contract` in
the checkout (`python -m scripts.run_contract` calls `main` here).

Options come from flags and the environment (`runner.options.resolve`, the one place that
decides them); the seed is printed so `--seed n` (`SEED=n` in a checkout) reproduces the run.
pytest runs the suite in a subprocess whose output is streamed with the API key replaced;
reports go to reports/contract/ under the current folder. Exit status: `core.verdict.
ExitStatus` (0 conformant, 1 violations, 2 could not run, 3 inconclusive, 130 interrupted).

A base URL that is not loopback is someone's real account: the run prints its plan and goes
on only with --live (LIVE=1); --dry-run (DRY_RUN=1) prints the plan and stops. Ctrl-C or
SIGTERM stop the run after it deleted what it created. `cleanup` deletes what killed runs
left (`runner.cleanup`). A checkout's `make contract` extends the options with its test rig's
(`main(argv, extension=...)`, from scripts/run_contract.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from types import FrameType

from ..core.verdict import ExitStatus
from . import cleanup, reference
from .command import PROG, suite_command
from .options import (
    KEY_ENV,
    NO_EXTENSION,
    Extension,
    OptionsError,
    check_consent,
    named,
    parser,
    plan,
    resolve,
)

DESCRIPTION = "Test a server of ngrok's Failover Backends API against its contract."
# pytest's own code for a refused target (unreachable, key refused, wrong base path): the
# suite's plugin sets every other status itself (`ExitStatus`).
PYTEST_USAGE_ERROR = 4
EPILOG = f"""\
the API key: from ${KEY_ENV} only (never a flag, so it never shows in a command line)
reports: reports/contract/ (summary.md first, coverage.md, junit.xml)
exit status: 0 conformant, 1 violations, 2 could not run, 3 inconclusive, 130 interrupted
after a killed run: {PROG} cleanup --base-url URL (and cleanup --help)
"""


def main(argv: list[str] | None = None, extension: Extension = NO_EXTENSION) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["cleanup"]:
        return cleanup.main(args[1:])
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
            print("contract: DRY_RUN: nothing was sent")
            return 0
        check_consent(options)
    except OptionsError as err:
        print(f"contract: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    if options.base_url is None and (problem := reference.missing()) is not None:
        print(f"contract: could not run: {problem}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    print(
        f"contract: seed {options.seed}, profile {options.profile.name}, target {options.target}",
        flush=True,
    )
    print(f"contract: reproduce with {named('seed', options.seed)}", flush=True)
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    plugins = (extension.plugin,) if extension.plugin else ()
    command = suite_command(
        *options.suite_argv(),
        f"--junitxml={options.reports_dir / 'junit.xml'}",
        "-o",
        "junit_suite_name=contract",
        *extra,
        plugins=plugins,
    )
    returncode = run_redacted(command, os.environ.get(KEY_ENV, ""))
    if returncode == PYTEST_USAGE_ERROR:
        return ExitStatus.CANNOT_RUN  # pytest printed the one message
    status = returncode
    print(f"contract: reports in {options.reports_dir}/ (summary.md first); seed {options.seed}")
    if status == ExitStatus.INTERRUPTED:
        print("contract: interrupted; the backends this run created were deleted (see above)")
    return status


def run_redacted(command: list[str], secret: str) -> int:
    """Run `command` in the current folder, streaming its output with the API key replaced.

    SIGINT and SIGTERM sent to this process are passed on, once each, to pytest, which
    deletes what the run created before it stops. pytest runs in its own session, so Ctrl-C
    in a terminal reaches it only through here (twice would cut its cleanup short).
    """
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def forward(signum: int, frame: FrameType | None) -> None:
        if process.poll() is None:
            process.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line.replace(secret, "[REDACTED]") if secret else line)
            sys.stdout.flush()
        return process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
