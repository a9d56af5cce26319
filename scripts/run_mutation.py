"""Run the contract suite against every planted fault: what `make mutation` calls.

Each planted fault must be caught by the property it names (the first finding of a run that
stops at its first violation); the reference server and each benign variant (a difference the
docs allow) must pass in both reference modes with three seeds. Prints two tables, fault |
seconds | verdict | caught by, and variant | passes. Exits non-zero if a fault survives, is
caught by another property or an internal error, or a clean run raises an alarm.
`--sample` runs CI's representative subset of the faults, `--variants` some benign variants only
(`make bench QUICK=1` runs one, with one seed). Run as `python -m scripts.run_mutation`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mutation import BENIGN, MUTANTS
from mutation.plugin import RIG
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.runner.command import suite_command
from ngrok_failover_contract.runner.options import CI_SEED, OptionsError, resolve

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Run:
    """One run of the suite: its exit status, how long it took, its first finding's property."""

    status: int
    seconds: float
    found: tuple[str, ...]  # the property of each finding, in the summary's order

    @property
    def first(self) -> str:
        return self.found[0] if self.found else ""

    @property
    def caught(self) -> bool:
        return self.status == ExitStatus.VIOLATIONS


@dataclass(frozen=True, slots=True)
class FaultVerdict:
    name: str
    expected: str  # the property meant to catch it
    run: Run

    @property
    def outcome(self) -> str:
        if not self.run.caught:
            return "SURVIVED" if self.run.status == ExitStatus.CONFORMANT else "RUN BROKE"
        if self.expected in self.run.found:
            return "ok"
        if any(found.endswith("(error)") for found in self.run.found):
            return "INTERNAL ERROR"
        return "OTHER PROPERTY"


@dataclass(frozen=True, slots=True)
class VariantVerdict:
    name: str
    description: str
    runs: list[Run]

    @property
    def passes(self) -> int:
        return sum(run.status == ExitStatus.CONFORMANT for run in self.runs)


def found_properties(summary: Path) -> tuple[str, ...]:
    """The property of each finding in a run's summary (`## 1. name`), in order."""
    if not summary.exists():
        return ()
    lines = summary.read_text(encoding="utf-8").splitlines()
    return tuple(m.group(1) for line in lines if (m := re.match(r"## \d+\. (.+)$", line)))


def run_suite(seed: int, profile: str, extra: list[str]) -> Run:
    """Run the suite once, stopping at its first violation; `extra` has the run's workers."""
    with tempfile.TemporaryDirectory(prefix="contract-mutation-") as reports:
        command = suite_command(
            "-x",  # the verdict is in at the first violation
            f"--seed={seed}",
            f"--profile={profile}",
            f"--reports-dir={reports}",
            *extra,
            plugins=(str(RIG.plugin),),
        )
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        found = found_properties(Path(reports) / "summary.md")
    if result.returncode not in (ExitStatus.CONFORMANT, ExitStatus.VIOLATIONS):
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
    return Run(result.returncode, elapsed, found)


def fault_table(verdicts: list[FaultVerdict]) -> str:
    width = max(len(v.name) for v in verdicts)
    lines = [f"{'fault':<{width}} | seconds | verdict        | caught by (expected)", "-" * 100]
    for v in verdicts:
        caught = ", ".join(v.run.found) or "-"
        expected = "" if v.outcome == "ok" else f" (expected {v.expected})"
        lines.append(
            f"{v.name:<{width}} | {v.run.seconds:7.1f} | {v.outcome:<14} | {caught}{expected}"
        )
    return "\n".join(lines)


def variant_table(verdicts: list[VariantVerdict]) -> str:
    width = max((len(v.name) for v in verdicts), default=len("variant"))
    lines = [f"{'variant':<{width}} | passes | false alarm (first)   | what differs", "-" * 100]
    for v in verdicts:
        alarm = next((run.first for run in v.runs if run.status != ExitStatus.CONFORMANT), "-")
        passes = f"{v.passes}/{len(v.runs)}"
        lines.append(f"{v.name:<{width}} | {passes:<6} | {alarm:<21} | {v.description}")
    return "\n".join(lines)


MODES = ("lenient", "strict")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--sample", action="store_true", help="CI's representative subset")
    parser.add_argument("--only", nargs="*", help="these mutants only")
    parser.add_argument(
        "--variants",
        nargs="*",
        choices=sorted(BENIGN),
        help="these benign variants only (the reference server itself always runs)",
    )
    parser.add_argument(
        "--variant-seeds", type=int, default=3, help="seeds each benign variant runs with (3)"
    )
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the reference server's own runs (a smoke run: the variants prove the rig)",
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=list(MODES),
        help="the reference modes each benign variant runs in (both)",
    )
    args, rest = parser.parse_known_args(argv)
    try:  # --seed and --profile (SEED, PROFILE) as for any run; the seed defaults to CI's
        options = resolve(os.environ, rest, default_seed=CI_SEED, extension=RIG)
    except OptionsError as err:
        print(f"mutation: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    seed, profile = options.seed, options.profile.name
    # WORKERS (--workers) and --reference-delay-ms (a distant server) hold for every run.
    shared = []
    if delay := options.values["reference_delay_ms"]:
        shared.append(f"--reference-delay-ms={delay}")
    seeds = [seed + n for n in range(args.variant_seeds)]
    names = args.only or [m.name for m in MUTANTS.values() if m.sample or not args.sample]
    benign = [name for name in BENIGN if args.variants is None or name in args.variants]
    print(
        f"mutation: seed {seed}, profile {profile}, {len(names)} faults, "
        f"{len(benign)} benign variants x {len(args.modes)} modes x seeds {seeds}",
        flush=True,
    )
    variants = []
    chosen = [(name, BENIGN[name].description) for name in benign]
    reference = [] if args.no_reference else [("(reference server)", "none")]
    for name, description in [*reference, *chosen]:
        runs = []
        for mode in args.modes:
            for variant_seed in seeds:
                extra = [f"--reference-mode={mode}"]
                extra += [f"--mutant={name}"] if name in BENIGN else []
                workers = f"--workers={options.workers}"
                runs.append(run_suite(variant_seed, profile, [*extra, workers, *shared]))
        verdict = VariantVerdict(name, description, runs)
        variants.append(verdict)
        print(f"  benign {name}: passes {verdict.passes}/{len(runs)}", flush=True)
    faults = []
    for name in names:
        # A race shows only with requests side by side: at least its `min_workers`.
        workers = f"--workers={max(options.workers, MUTANTS[name].min_workers)}"
        run = run_suite(seed, profile, [f"--mutant={name}", workers, *shared])
        faults.append(FaultVerdict(name, MUTANTS[name].catcher, run))
        print(
            f"  {name}: {'caught' if run.caught else 'SURVIVED'} in {run.seconds:.1f}s", flush=True
        )
    print()
    print(fault_table(faults))
    print()
    print(variant_table(variants))
    bad = [v.name for v in faults if v.outcome != "ok"]
    bad += [v.name for v in variants if v.passes != len(v.runs)]
    if bad:
        print(f"\nmutation: FAILED for {', '.join(bad)}")
        return 1
    print(
        f"\nmutation: all {len(names)} faults caught, each by its property; "
        f"{'' if args.no_reference else 'the reference server and '}{len(benign)} benign "
        f"variants pass in {' and '.join(args.modes)} mode with {len(seeds)} seeds"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
