"""Compare the reference server with every planted fault and benign variant: what
`make compare-mutation` calls (`python -m scripts.run_compare_mutation`).

Each comparison runs `make compare`'s command: the base side is the reference server the suite
starts for itself, the other side the reference server wrapped by one fault or variant,
served from this process (so the two sides are two processes). A fault must show as a
difference, and one of its kinds should be the property meant to catch it; a fault that only
requests side by side can show (a race, a lost update) cannot show to a comparison, which
sends one request at a time, and is listed apart, as is a fault only a second account shows
(a comparison pairs one account per side) and one only a list longer than the profile makes
shows. The reference server itself and each
benign variant must show no difference, in both reference modes. Prints two tables and
exits non-zero if a fault shows no difference or a variant shows one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mutation import BENIGN, MUTANTS, Mutant
from mutation.faults.paging import LIST_CAP
from mutation.plugin import RIG
from ngrok_failover_contract.core.profiles import PROFILES
from ngrok_failover_contract.core.registry import Property
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.runner.options import CI_SEED, OptionsError, resolve
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
OTHER_KEY = "compare-mutation-other-side-key"
# Faults only requests in flight at once can show: a comparison sends one at a time.
SIDE_BY_SIDE = frozenset({Property.HISTORY_IS_LINEARIZABLE})
# Faults only a second account shows: a comparison pairs one account per side.
SECOND_ACCOUNT = frozenset({Property.ACCOUNTS_KEPT_APART})
# Faults only a list longer than this shows (the paging test's backends make it so).
LONG_LIST = {"list_capped": LIST_CAP}


@dataclass(frozen=True, slots=True)
class Compared:
    """One comparison: its exit status, how long it took, the kinds of difference it found."""

    status: int
    seconds: float
    kinds: tuple[str, ...]
    counts: tuple[int, ...]


@contextmanager
def other_side(variant: Mutant | None, mode: str) -> Iterator[str]:
    """The reference server with `variant` planted (None: as it is), served from here."""
    config = ServerConfig(api_key=OTHER_KEY, strict_references=mode == "strict")
    with serve_in_thread(config, wrap=variant.wrap if variant else None) as server:
        yield server.base_url


def compare(variant: Mutant | None, *, seed: int, profile: str, mode: str) -> Compared:
    with (
        tempfile.TemporaryDirectory(prefix="compare-mutation-") as reports,
        other_side(variant, mode) as url,
    ):
        command = [
            sys.executable,
            "-m",
            "scripts.run_compare",
            f"--other-url={url}",
            f"--seed={seed}",
            f"--profile={profile}",
            f"--reference-mode={mode}",
            f"--reports-dir={reports}",
        ]
        env = {**os.environ, "OTHER_NGROK_API_KEY": OTHER_KEY}
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        elapsed = time.monotonic() - started
        path = Path(reports) / "differences.json"
        report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"kinds": []}
    if result.returncode not in (ExitStatus.CONFORMANT, ExitStatus.VIOLATIONS):
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
    kinds = tuple(kind["kind"] for kind in report["kinds"])
    counts = tuple(int(kind["count"]) for kind in report["kinds"])
    return Compared(result.returncode, elapsed, kinds, counts)


def beyond_a_comparison(mutant: Mutant, profile: str) -> str | None:
    """Why a comparison with `profile` cannot show `mutant` (None: it must)."""
    if mutant.min_workers > 1 or mutant.catcher in SIDE_BY_SIDE:
        return "side by side"
    if mutant.catcher in SECOND_ACCOUNT:
        return "2nd account"
    if PROFILES[profile].paging_backends <= LONG_LIST.get(mutant.name, -1):
        return f"list > {LONG_LIST[mutant.name]}"
    return None


def shows_to_a_comparison(mutant: Mutant, profile: str) -> bool:
    return beyond_a_comparison(mutant, profile) is None


def outcome(mutant: Mutant, run: Compared, profile: str) -> str:
    why = beyond_a_comparison(mutant, profile)
    if why is not None:
        return f"n/a ({why})" if run.status == ExitStatus.CONFORMANT else "shown anyway"
    if run.status == ExitStatus.CONFORMANT:
        return "NO DIFFERENCE"
    if run.status != ExitStatus.VIOLATIONS:
        return "RUN BROKE"
    return "ok" if mutant.catcher in run.kinds else "other kind"


def fault_table(rows: list[tuple[Mutant, Compared]], profile: str) -> str:
    width = max(len(m.name) for m, _ in rows)
    lines = [
        f"{'fault':<{width}} | seconds | outcome            | kinds of difference (count)",
        "-" * 110,
    ]
    for mutant, run in rows:
        kinds = ", ".join(f"{k} ({n})" for k, n in zip(run.kinds, run.counts, strict=True)) or "-"
        expected = "" if mutant.catcher in run.kinds else f" [the suite's: {mutant.catcher}]"
        lines.append(
            f"{mutant.name:<{width}} | {run.seconds:7.1f} | {outcome(mutant, run, profile):<18} | "
            f"{kinds}{expected}"
        )
    return "\n".join(lines)


def variant_table(rows: list[tuple[str, str, Compared]]) -> str:
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{'variant':<{width}} | mode    | seconds | differences", "-" * 80]
    for name, mode, run in rows:
        kinds = ", ".join(run.kinds) or "none"
        lines.append(f"{name:<{width}} | {mode:<7} | {run.seconds:7.1f} | {kinds}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--only", nargs="*", help="these faults and variants only")
    args, rest = parser.parse_known_args(argv)
    if not os.environ.get("PROFILE") and not any(a.startswith("--profile") for a in rest):
        rest.append("--profile=live")  # 79 whole runs: quick's would take most of an hour
    try:  # --seed and --profile (SEED, PROFILE) as for any run; the seed defaults to CI's
        options = resolve(os.environ, rest, default_seed=CI_SEED, extension=RIG)
    except OptionsError as err:
        print(f"compare-mutation: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    seed, profile = options.seed, options.profile.name
    faults = [m for m in MUTANTS.values() if not args.only or m.name in args.only]
    variants = [None, *(v for v in BENIGN.values() if not args.only or v.name in args.only)]
    print(
        f"compare-mutation: seed {seed}, profile {profile}, {len(faults)} faults, "
        f"{len(variants) - 1} benign variants and the reference server x 2 modes",
        flush=True,
    )
    clean: list[tuple[str, str, Compared]] = []
    for variant in variants:
        for mode in ("lenient", "strict"):
            run = compare(variant, seed=seed, profile=profile, mode=mode)
            name = variant.name if variant else "(reference server)"
            clean.append((name, mode, run))
            print(f"  {name} ({mode}): {', '.join(run.kinds) or 'no difference'}", flush=True)
    shown: list[tuple[Mutant, Compared]] = []
    for mutant in faults:
        run = compare(mutant, seed=seed, profile=profile, mode="lenient")
        shown.append((mutant, run))
        print(f"  {mutant.name}: {outcome(mutant, run, profile)} in {run.seconds:.1f}s", flush=True)
    if shown:
        print(f"\n{fault_table(shown, profile)}")
    print(f"\n{variant_table(clean)}")
    bad = [m.name for m, run in shown if outcome(m, run, profile) in ("NO DIFFERENCE", "RUN BROKE")]
    bad += [f"{name} ({mode})" for name, mode, run in clean if run.status != ExitStatus.CONFORMANT]
    if bad:
        print(f"\ncompare-mutation: FAILED for {', '.join(bad)}")
        return 1
    named = sum(outcome(m, run, profile) == "ok" for m, run in shown)
    unreachable = sum(not shows_to_a_comparison(m, profile) for m, _ in shown)
    print(
        f"\ncompare-mutation: every fault that changes an answer shows as a difference "
        f"({named} of {len(shown) - unreachable} by the suite's own property; {unreachable} "
        "beyond a comparison: n/a); the reference server and "
        f"{len(variants) - 1} benign variants show none in both modes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
