"""Run the benchmarks, print one table per section, and write docs/benchmarks.md.

python -m bench                       # every section; writes docs/benchmarks.md + PNG
python -m bench paging clients        # these sections only (printed, not written)
python -m bench --quick               # a smoke run: short, small, printed only (~5 min)
python -m bench --output PATH         # write the report there whatever ran
python -m bench concurrency --replace # run these, replace their sections in docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from . import clients, concurrency, contract, generate, paging, profile, server_vs_prism
from .common import ROOT, Section, version_of

DOC = ROOT / "docs" / "benchmarks.md"
PLOT_NAME = "benchmarks-paging.png"
SECTIONS = ("server", "paging", "clients", "contract", "generate", "concurrency", "profile")
# Each section's closing note, which says how long it took; the README reads it.
TOOK = "This section took {minutes:.1f} min."
TOOK_RE = re.compile(r"^This section took ([\d.]+) min\.$", re.MULTILINE)
WHOLE_RUN_RE = re.compile(r"^- Whole run: .*$", re.MULTILINE)


def machine() -> list[str]:
    """What the figures were measured on: they mean little without it."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f"{kib / 1024**2:.1f} GiB"
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    prism = ROOT / "bench" / "node_modules" / ".bin" / "prism"
    return [
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {os.cpu_count()} cores (`nproc`: {len(os.sched_getaffinity(0))}), {cpu}",
        f"- Memory: {memory}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Load average at start (1, 5, 15 min): {load} (the machine may be shared)",
        f"- Python {platform.python_version()}, uvicorn {metadata.version('uvicorn')}, "
        f"httpx {metadata.version('httpx')}, schemathesis {metadata.version('schemathesis')}, "
        f"openapi-python-client {metadata.version('openapi-python-client')}",
        f"- wrk: {version_of(['wrk', '-v']).split(' Copyright')[0]}; Prism: "
        f"{version_of([str(prism), '--version'])}; Node "
        f"{version_of(['node', '--version']) if shutil.which('node') else 'not installed'}",
    ]


def render(sections: list[Section], header: list[str], quick: bool, seconds: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. Both sides of each "
        "comparison run interleaved in the same run, so their ratio is what to read: the "
        "absolute figures move with the machine and its load. No test asserts a time.",
        "",
        "## Machine",
        "",
        *header,
        f"- Whole run: {seconds / 60:.1f} min{' (--quick: a smoke run)' if quick else ''}",
        "",
        "## Targets",
        "",
        *(f"- {s.title.split(' (')[0]}: {t}" for s in sections for t in s.targets),
        "",
    ]
    return "\n".join(lines) + "\n" + "\n".join(s.markdown() for s in sections)


def _title_key(title: str) -> str:
    """What names a section in the report: its title up to " (", as in the Targets list."""
    return title.split(" (", maxsplit=1)[0]


def _number(text: str) -> float:
    match = re.match(r"(?:- |## )?(\d+)\.", text)
    return int(match.group(1)) if match else float("inf")


def replace_sections(document: str, sections: list[Section]) -> str:
    """`document` (a report `render` wrote) with these sections' tables and targets replaced.

    A section's block runs from its "## N. Title" heading to the next "## " heading; one the
    document lacks goes before the first section with a higher number. Its lines in the
    Targets list are replaced likewise. Everything else is kept byte for byte.
    """
    blocks = [b.rstrip("\n") + "\n" for b in re.split(r"(?m)^(?=## )", document) if b]
    new = {_title_key(s.title): s for s in sections}
    for i, block in enumerate(blocks):
        if block.startswith("## Targets\n"):
            head, *items = block.rstrip("\n").split("\n")
            items = [
                line
                for line in items
                if not (line.startswith("- ") and line[2:].split(": ")[0] in new)
            ]
            while items and not items[0]:
                items.pop(0)
            added = [f"- {key}: {t}" for key, s in new.items() for t in s.targets]
            items = sorted(items + added, key=_number)
            blocks[i] = "\n".join([head, "", *items]) + "\n"
    for key, section in new.items():
        matches = [i for i, b in enumerate(blocks) if _title_key(b[3:].split("\n")[0]) == key]
        if matches:
            blocks[matches[0]] = section.markdown()
            continue
        later = [
            i
            for i, b in enumerate(blocks)
            if re.match(r"## \d+\.", b) and _number(b) > _number(section.title)
        ]
        blocks.insert(later[0] if later else len(blocks), section.markdown())
    return _whole_run("\n".join(blocks))


def _whole_run(document: str) -> str:
    """The Machine list's whole run, once sections were replaced: the sections' own times
    added up, when each says its time; else left as the run that wrote the report said."""
    sections = [b for b in re.split(r"(?m)^(?=## )", document) if re.match(r"## \d+\.", b)]
    took = [TOOK_RE.search(block) for block in sections]
    if not sections or None in took:
        return document
    minutes = sum(float(match.group(1)) for match in took if match is not None)
    line = f"- Whole run: {minutes:.1f} min (each section's own time, added up)"
    return WHOLE_RUN_RE.sub(line, document, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("sections", nargs="*", help=f"any of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--output", type=Path, help="write the report (and the plot) here")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace only these sections (and their targets) in the existing report "
        "(docs/benchmarks.md, or --output), keeping the others as they were measured",
    )
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="GITREF",
        help="the contract section also runs this commit's suite (quick profile), "
        "interleaved with today's (repeatable)",
    )
    parser.add_argument(
        "--no-mutation",
        action="store_true",
        help="the contract section without make mutation's row (its runs take many minutes)",
    )
    args = parser.parse_args(argv)
    chosen = args.sections or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"no section {', '.join(unknown)}; the sections are {', '.join(SECTIONS)}")
    if args.replace and args.quick:
        parser.error("--replace writes measured figures: a --quick smoke run is printed only")
    if args.replace and "paging" in chosen:
        parser.error("--replace leaves the paging plot alone: run paging with the whole report")
    output: Path | None = args.output
    if output is None and (args.replace or (not args.quick and chosen == list(SECTIONS))):
        output = DOC
    if args.replace and (output is None or not output.exists()):
        parser.error(f"--replace needs an existing report: {output} does not exist")
    plot = output.parent / PLOT_NAME if output is not None else None
    runners: dict[str, Callable[[], Section]] = {
        "server": lambda: server_vs_prism.run(quick=args.quick),
        "paging": lambda: paging.run(quick=args.quick, plot_path=plot),
        "clients": lambda: clients.run(quick=args.quick),
        "contract": lambda: contract.run(
            quick=args.quick, baselines=args.baseline, mutation=not args.no_mutation
        ),
        "generate": lambda: generate.run(quick=args.quick),
        "concurrency": lambda: concurrency.run(quick=args.quick),
        "profile": lambda: profile.run(quick=args.quick),
    }
    header = machine()
    print("\n".join(header), flush=True)
    began = time.monotonic()
    results = []
    for name in chosen:
        started = time.monotonic()
        print(f"\nbench: {name} ...", flush=True)
        section = runners[name]()
        seconds = time.monotonic() - started
        section.notes.append(TOOK.format(minutes=seconds / 60))
        print(section.markdown(), flush=True)
        print(f"bench: {name} took {seconds:.0f} s", flush=True)
        results.append(section)
    whole = time.monotonic() - began
    print(f"bench: the whole run took {whole / 60:.1f} min ({whole:.0f} s)", flush=True)
    if output is not None and args.replace:
        load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
        for section in results:
            section.notes.append(
                f"This section was measured on its own (`python -m bench {' '.join(chosen)} "
                f"--replace`), {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
                f"load average at its end {load}; the Machine list above is that of the run "
                "that wrote the other sections."
            )
        output.write_text(replace_sections(output.read_text(), results))
        print(f"bench: replaced {', '.join(chosen)} in {output}")
    elif output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render(results, header, args.quick, whole))
        print(f"bench: wrote {output}" + (f" and {plot}" if plot and "paging" in chosen else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
