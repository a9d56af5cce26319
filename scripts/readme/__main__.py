"""`make readme`: record the README's expensive runs, then rewrite every marked block.

python -m scripts.readme                  # record every run but the slow ones, rewrite
python -m scripts.readme --runs serve     # record these runs only (slow ones too)
python -m scripts.readme --runs none      # rewrite from the snapshots as they are
python -m scripts.readme --check          # exit 1 naming each stale block; records nothing
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time

from . import blocks, markers, snapshots
from .console import ROOT, RunError
from .figures import ReportError

README = ROOT / "README.md"


class StaleError(Exception):
    """A region of README.md no registry line makes, or a registry line with no region."""


def names() -> list[str]:
    return [block.name for block in blocks.CHEAP] + [block.name for block in blocks.FROM_RUNS]


def contents(only: list[str] | None = None) -> dict[str, str]:
    """What every registered block (or those named) holds, from the checkout and the
    committed snapshots."""
    chosen = names() if only is None else only
    made = {block.name: block.render() for block in blocks.CHEAP if block.name in chosen}
    for block in blocks.FROM_RUNS:
        if block.name in chosen:
            made[block.name] = block.render(snapshots.load(block.run))
    return made


def expected(text: str, made: dict[str, str]) -> str:
    found = {region.name for region in markers.regions(text)}
    unmade = sorted(found - set(made))
    if unmade:
        raise StaleError(
            f"README.md marks {', '.join(unmade)}, which scripts/readme/blocks.py lacks"
        )
    unmarked = sorted(set(made) - found)
    if unmarked:
        raise StaleError(
            f"scripts/readme/blocks.py makes {', '.join(unmarked)}, unmarked in README.md"
        )
    return markers.replace(text, made)


def stale(text: str, made: dict[str, str]) -> list[str]:
    """Each block of `text` made in `made` that is not what it holds, with its diff."""
    problems = []
    for region in markers.regions(text):
        if region.name not in made:
            continue
        now, new = region.content(text), made[region.name]
        if not region.inline and not new.endswith("\n"):
            new += "\n"
        if now != new:
            diff = difflib.unified_diff(
                now.splitlines(), new.splitlines(), "README.md", "make readme", lineterm="", n=1
            )
            problems.append(f"README.md:{region.line}: block {region.name!r} is stale:\n"
                            + "\n".join(diff))  # fmt: skip
    return problems


def snapshot_problems() -> list[str]:
    """What in each committed snapshot no longer matches the checkout."""
    return [
        f"docs/readme-runs/{r.name}/: {problem} (make readme RUNS={r.name})"
        for r in blocks.RUNS
        for problem in r.check(snapshots.load(r.name))
    ]


def record(names: list[str]) -> None:
    for run in blocks.RUNS:
        if run.name not in names:
            continue
        start = time.monotonic()
        written = snapshots.save(run.name, run.record(), run.mask)
        what = "recorded anew" if written else "unchanged but for its noise, kept"
        print(f"readme: {run.name}: {what} ({time.monotonic() - start:.0f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make readme", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="name stale blocks, change nothing")
    parser.add_argument(
        "--runs", nargs="+", metavar="RUN",
        help=f"record these runs only ({', '.join(r.name for r in blocks.RUNS)}, or none)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    known = [r.name for r in blocks.RUNS]
    chosen = [r.name for r in blocks.RUNS if not r.slow] if args.runs is None else args.runs
    chosen = [] if chosen == ["none"] else chosen
    if unknown := sorted(set(chosen) - set(known)):
        parser.error(f"no run {', '.join(unknown)}; the runs are {', '.join(known)}")
    start = time.monotonic()
    try:
        if not args.check:
            record(chosen)
        text = README.read_text(encoding="utf-8")
        made = contents()
        if args.check:
            problems = stale(text, made) + snapshot_problems()
            expected(text, made)
            print("\n\n".join(problems) or "readme: every marked block is up to date")
            return 1 if problems else 0
        new = expected(text, made)
        problems = snapshot_problems()
    except (RunError, ReportError, snapshots.SnapshotError, markers.MarkerError, StaleError) as e:
        print(f"readme: {e}", file=sys.stderr)
        return 2
    if new != text:
        README.write_text(new, encoding="utf-8")
    changed = "rewritten" if new != text else "unchanged"
    print(f"readme: README.md {changed} ({time.monotonic() - start:.0f} s in all)")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
