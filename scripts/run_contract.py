"""Run the contract suite: what `make contract` calls.

Picks a fresh seed unless SEED (or --seed) is given, prints it, runs pytest on
contract_tests, writes reports to reports/contract/, and exits non-zero iff a violation
was found (or the run could not be made). With no --base-url the suite starts the
reference server itself; the API key of another server comes from NGROK_API_KEY.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CI_SEED = 0


def choose_seed(given: str | None) -> int:
    """The given seed; else 0 in CI (deterministic); else a fresh one."""
    if given:
        return int(given)
    if os.environ.get("CI") == "true":
        return CI_SEED
    return random.SystemRandom().getrandbits(32)


def pytest_command(args: argparse.Namespace, seed: int) -> list[str]:
    reports = Path(args.reports_dir)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        "-q",
        f"--seed={seed}",
        f"--profile={args.profile}",
        f"--reports-dir={reports}",
        f"--junitxml={reports / 'junit.xml'}",
        "-o",
        "junit_suite_name=contract",
    ]
    if args.base_url:
        command.append(f"--base-url={args.base_url}")
    if args.child_backends:
        command.append(f"--child-backends={args.child_backends}")
    if args.reference_mode:
        command.append(f"--reference-mode={args.reference_mode}")
    if args.mutant:
        command.append(f"--mutant={args.mutant}")
    return command + list(args.pytest_args)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL") or None)
    parser.add_argument("--child-backends", default=os.environ.get("CHILD_BACKENDS") or "")
    parser.add_argument(
        "--profile", choices=("quick", "thorough"), default=os.environ.get("PROFILE") or "quick"
    )
    parser.add_argument("--seed", default=os.environ.get("SEED") or None)
    parser.add_argument("--reports-dir", default="reports/contract")
    parser.add_argument("--reference-mode", choices=("lenient", "strict"))
    parser.add_argument("--mutant", help="plant this fault in the self-started reference server")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.base_url and not os.environ.get("NGROK_API_KEY"):
        print("run_contract: BASE_URL needs NGROK_API_KEY in the environment", file=sys.stderr)
        return 2
    seed = choose_seed(args.seed)
    target = args.base_url or "the reference server (started by the suite)"
    print(f"contract: seed {seed}, profile {args.profile}, target {target}", flush=True)
    print(f"contract: reproduce with SEED={seed}", flush=True)
    Path(args.reports_dir).mkdir(parents=True, exist_ok=True)
    returncode = run_redacted(pytest_command(args, seed), os.environ.get("NGROK_API_KEY", ""))
    print(f"contract: reports in {args.reports_dir}/ (summary.md first); seed {seed}")
    return returncode


def run_redacted(command: list[str], secret: str) -> int:
    """Run `command`, streaming its output with the API key replaced."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line.replace(secret, "[REDACTED]") if secret else line)
        sys.stdout.flush()
    return process.wait()


if __name__ == "__main__":
    sys.exit(main())
