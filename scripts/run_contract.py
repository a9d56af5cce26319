"""Run the contract suite: what `make contract` calls.

Picks a fresh seed unless SEED (or --seed) is given, prints it, runs pytest on
contract_tests, writes reports to reports/contract/, and exits non-zero iff a violation
was found (or the run could not be made: 2). With no --base-url the suite starts the
reference server itself; the API key of another server comes from NGROK_API_KEY.

A BASE_URL that is not loopback is someone's real account: the run prints its plan and
goes on only with LIVE=1 (--live); DRY_RUN=1 (--dry-run) prints the plan and stops. Ctrl-C
or SIGTERM stop the run after it deleted what it created.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract_tests.command import suite_command  # noqa: E402
from contract_tests.marker import marker_of, new_run_id  # noqa: E402
from contract_tests.safety import (  # noqa: E402
    is_remote,
    max_rpm_for,
    profile_for,
    render_plan,
)
from contract_tests.settings import PROFILES  # noqa: E402

CI_SEED = 0
CANNOT_RUN = 2
PYTEST_USAGE_ERROR = 4  # what pytest answers to a refused target (see the conftest)


def choose_seed(given: str | None) -> int:
    """The given seed; else 0 in CI (deterministic); else a fresh one."""
    if given:
        return int(given)
    if os.environ.get("CI") == "true":
        return CI_SEED
    return random.SystemRandom().getrandbits(32)


def pytest_command(args: argparse.Namespace, seed: int, run_id: str) -> list[str]:
    reports = Path(args.reports_dir)
    command = suite_command(
        f"--seed={seed}",
        f"--profile={args.profile}",
        f"--reports-dir={reports}",
        f"--junitxml={reports / 'junit.xml'}",
        "-o",
        "junit_suite_name=contract",
        f"--run-id={run_id}",
    )
    if args.base_url:
        command.append(f"--base-url={args.base_url}")
    if args.child_backends:
        command.append(f"--child-backends={args.child_backends}")
    if args.reference_mode:
        command.append(f"--reference-mode={args.reference_mode}")
    if args.mutant:
        command.append(f"--mutant={args.mutant}")
    if args.max_rpm is not None:
        command.append(f"--max-rpm={args.max_rpm}")
    if args.live:
        command.append("--live")
    if args.assume_remote:
        command.append("--assume-remote")
    return command + list(args.pytest_args)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "yes", "true")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL") or None)
    parser.add_argument("--child-backends", default=os.environ.get("CHILD_BACKENDS") or "")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=os.environ.get("PROFILE") or None,
        help="default: live on a remote host, else quick",
    )
    parser.add_argument("--seed", default=os.environ.get("SEED") or None)
    parser.add_argument("--reports-dir", default="reports/contract")
    parser.add_argument("--reference-mode", choices=("lenient", "strict"))
    parser.add_argument("--mutant", help="plant this fault in the self-started reference server")
    parser.add_argument(
        "--max-rpm",
        type=int,
        default=int(os.environ["MAX_RPM"]) if os.environ.get("MAX_RPM") else None,
        help="requests per rolling minute at most (default: 100 remote, none on loopback)",
    )
    parser.add_argument(
        "--live", action="store_true", default=_flag("LIVE"), help="go ahead on a remote account"
    )
    parser.add_argument(
        "--dry-run", action="store_true", default=_flag("DRY_RUN"), help="print the plan, stop"
    )
    parser.add_argument("--assume-remote", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    seed = choose_seed(args.seed)
    run_id = new_run_id()
    remote = is_remote(args.base_url, assume_remote=args.assume_remote)
    args.profile = profile_for(remote, args.profile)
    if remote or args.dry_run:
        max_rpm = max_rpm_for(remote, args.max_rpm)
        print(
            render_plan(
                base_url=args.base_url or "the reference server (started by the suite)",
                profile=PROFILES[args.profile],
                max_rpm=max_rpm,
                run_marker=marker_of(run_id),
            ),
            flush=True,
        )
        if args.dry_run:  # needs no key: nothing is sent
            print("contract: DRY_RUN: nothing was sent")
            return 0
    if args.base_url and not os.environ.get("NGROK_API_KEY"):
        print("run_contract: BASE_URL needs NGROK_API_KEY in the environment", file=sys.stderr)
        return CANNOT_RUN
    if remote and not args.live:
        print(
            f"contract: {args.base_url} is not a loopback address, so it is treated as a "
            "real account; run again with LIVE=1 (or --live) to go ahead",
            file=sys.stderr,
        )
        return CANNOT_RUN
    target = args.base_url or "the reference server (started by the suite)"
    print(f"contract: seed {seed}, profile {args.profile}, target {target}", flush=True)
    print(f"contract: reproduce with SEED={seed}", flush=True)
    Path(args.reports_dir).mkdir(parents=True, exist_ok=True)
    command = pytest_command(args, seed, run_id)
    returncode = run_redacted(command, os.environ.get("NGROK_API_KEY", ""))
    if returncode == PYTEST_USAGE_ERROR:
        return CANNOT_RUN  # pytest printed the one message (unreachable, key refused, ...)
    print(f"contract: reports in {args.reports_dir}/ (summary.md first); seed {seed}")
    if returncode == pytest_interrupted():
        print("contract: interrupted; the backends this run created were deleted (see above)")
    return returncode


def pytest_interrupted() -> int:
    return 2  # pytest.ExitCode.INTERRUPTED, without importing pytest here


def run_redacted(command: list[str], secret: str) -> int:
    """Run `command`, streaming its output with the API key replaced.

    SIGINT and SIGTERM sent to this process are passed on, once each, to pytest, which
    deletes what the run created before it stops. pytest runs in its own session, so Ctrl-C
    in a terminal reaches it only through here (twice would cut its cleanup short).
    """
    process = subprocess.Popen(
        command,
        cwd=ROOT,
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
