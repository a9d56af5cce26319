"""Run the contract suite against every planted fault: what `make mutation` calls.

Each mutant must be caught (the suite fails against it); the clean reference server must
pass in both reference modes, and so must each benign variant (a difference ngrok allows).
Prints a table: fault | caught | seconds to verdict | first violation. Exits non-zero if any
mutant survives or a clean run raises an alarm. `--sample` runs CI's representative subset.
Run as `python -m scripts.run_mutation`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from contract_tests.command import suite_command
from contract_tests.mutants import BENIGN, MUTANTS
from contract_tests.options import CI_SEED, OptionsError, resolve

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    description: str
    expect_failure: bool
    failed: bool
    seconds: float
    caught_by: str

    @property
    def ok(self) -> bool:
        return self.failed == self.expect_failure


def first_property(summary: Path) -> str:
    """The property of the first violation in a run's summary, or "" if none."""
    if not summary.exists():
        return ""
    for line in summary.read_text(encoding="utf-8").splitlines():
        if line.startswith("## 1. "):
            return line.removeprefix("## 1. ")
    return ""


def run_suite(seed: int, profile: str, extra: list[str]) -> tuple[bool, float, str]:
    """Run the suite once; return (it found a violation, seconds it took, what caught it)."""
    with tempfile.TemporaryDirectory(prefix="contract-mutation-") as reports:
        command = suite_command(
            "-x",  # the verdict is in at the first violation
            f"--seed={seed}",
            f"--profile={profile}",
            f"--reports-dir={reports}",
            *extra,
        )
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        caught_by = first_property(Path(reports) / "summary.md")
    if result.returncode not in (0, 1):  # 1: tests failed; anything else: the run broke
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
    return result.returncode != 0, elapsed, caught_by


def table(verdicts: list[Verdict]) -> str:
    width = max(len(v.name) for v in verdicts)
    lines = [
        f"{'fault':<{width}} | caught | seconds | verdict | first violation",
        "-" * (width + 60),
    ]
    for v in verdicts:
        caught = ("yes" if v.failed else "NO") if v.expect_failure else "-"
        verdict = "ok" if v.ok else ("SURVIVED" if v.expect_failure else "FALSE ALARM")
        lines.append(
            f"{v.name:<{width}} | {caught:<6} | {v.seconds:7.1f} | {verdict:<7} | {v.caught_by}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--sample", action="store_true", help="CI's representative subset")
    parser.add_argument("--only", nargs="*", help="these mutants only")
    args, rest = parser.parse_known_args(argv)
    try:  # --seed and --profile (SEED, PROFILE) as for any run; the seed defaults to CI's
        options = resolve(os.environ, rest, default_seed=CI_SEED)
    except OptionsError as err:
        print(f"mutation: {err}", file=sys.stderr)
        return 2
    args.seed, args.profile = options.seed, options.profile.name

    names = args.only or [m.name for m in MUTANTS.values() if m.sample or not args.sample]
    print(f"mutation: seed {args.seed}, profile {args.profile}, {len(names)} mutants", flush=True)
    verdicts = []
    for mode in ("lenient", "strict"):
        failed, seconds, by = run_suite(args.seed, args.profile, [f"--reference-mode={mode}"])
        verdicts.append(Verdict(f"(clean, {mode})", "reference server", False, failed, seconds, by))
        print(f"  clean {mode}: {'FAIL' if failed else 'pass'} in {seconds:.1f}s", flush=True)
    for name, variant in BENIGN.items():
        failed, seconds, by = run_suite(args.seed, args.profile, [f"--mutant={name}"])
        verdicts.append(
            Verdict(f"(benign) {name}", variant.description, False, failed, seconds, by)
        )
        print(f"  benign {name}: {'FAIL' if failed else 'pass'} in {seconds:.1f}s", flush=True)
    for name in names:
        failed, seconds, by = run_suite(args.seed, args.profile, [f"--mutant={name}"])
        verdicts.append(Verdict(name, MUTANTS[name].description, True, failed, seconds, by))
        print(f"  {name}: {'caught' if failed else 'SURVIVED'} in {seconds:.1f}s", flush=True)
    print()
    print(table(verdicts))
    bad = [v.name for v in verdicts if not v.ok]
    if bad:
        print(f"\nmutation: FAILED for {', '.join(bad)}")
        return 1
    print(f"\nmutation: all {len(names)} mutants caught; the clean server passes in both modes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
