"""The contract suite with workers: wall time and checked requests/s as answers slow down.

Against a server on the same machine the suite hardly waits; ngrok's API is a network round
trip away. Here the reference server answers each request 0, 20 or 150 ms late
(`bench/instrumented_server.py --delay-ms`, which also counts the requests it answered),
and the suite's quick profile runs with `--workers` 1, 4, 8 and 16 (its Hypothesis tests
split into shards run side by side, that many requests in flight at most), beside `st run
--workers` with the same counts on the same spec and server (bench/contract.py's commands,
seed and examples per operation). Requests per second: the requests the server counted over
the wall seconds of the whole command.

The full section costs about 25 minutes, a quarter of it one run: the suite with 1 worker at
150 ms (some 2,200 requests one after another, each 150 ms late: over 5 minutes). So the runs
at 0 ms, where the machine's load moves the figures most, are repeated in 3 interleaved
rounds, and those at 20 and 150 ms, whose time is mostly the delay, run once. Every run is
capped (`CAP_SECONDS`): one that reaches it is stopped and shown as capped, never dropped.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
from dataclasses import dataclass

from .common import Section, ratio, spread, verdict
from .contract import EXAMPLES, SEED, ToolRun, timed_run

PROFILE = "quick"
DELAYS_MS = (0, 20, 150)
CHOSEN = 0  # no --workers: the suite chooses them from the preflight's round trip
WORKERS = (CHOSEN, 1, 4, 8, 16)
TOOLS = ("suite", "st")
# The runs at 0 ms take seconds and move with the machine's load: repeated. At 20 and 150 ms
# the delay sets the time: one round, or the section would take an hour.
ROUNDS = {0: 3, 20: 1, 150: 1}
# A smoke run: 16 workers at 20 ms, not 150 (minutes on a loaded machine), one run.
QUICK_DELAYS_MS = (20,)
QUICK_WORKERS = (16,)
# The network's limit for a run: its requests times the delay over the requests in flight.
LIMIT_RATIO_TARGET = 1.3
TARGET_DELAY_MS = 150
TARGET_SECONDS = 60.0
# One run at most: the slowest, the suite with 1 worker at 150 ms, takes some 350 s.
CAP_SECONDS = 900.0
QUICK_CAP_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class Plan:
    delays: tuple[int, ...]
    workers: tuple[int, ...]
    rounds: dict[int, int]
    tools: tuple[str, ...]
    cap: float
    quick: bool

    def skipped(self, delay: int, workers: int) -> bool:
        """--quick never runs 1 worker with a delay: its requests would wait one by one."""
        return self.quick and delay > 0 and workers == 1


def plan(quick: bool) -> Plan:
    if quick:
        return Plan(
            QUICK_DELAYS_MS,
            QUICK_WORKERS,
            dict.fromkeys(QUICK_DELAYS_MS, 1),
            ("suite",),
            QUICK_CAP_SECONDS,
            True,
        )
    return Plan(DELAYS_MS, WORKERS, ROUNDS, TOOLS, CAP_SECONDS, False)


Key = tuple[str, int, int]  # tool, delay in ms, workers


def measure(chosen: Plan) -> tuple[dict[Key, list[ToolRun]], list[float]]:
    """Every run of the plan, interleaved: rounds outermost, the tools' order alternating.

    Also the 1-minute load average after each run: the machine may be shared.
    """
    runs: dict[Key, list[ToolRun]] = {}
    loads = []
    for round_ in range(max(chosen.rounds.values())):
        for delay in chosen.delays:
            if round_ >= chosen.rounds[delay]:
                continue
            for i, workers in enumerate(chosen.workers):
                if chosen.skipped(delay, workers):
                    continue
                order = chosen.tools if (round_ + i) % 2 == 0 else chosen.tools[::-1]
                for tool in order:
                    if workers == CHOSEN and tool == "st":
                        continue  # st run has no choice of its own: its 1-worker row
                    run = timed_run(
                        tool,
                        PROFILE,
                        delay_ms=delay,
                        workers=(workers or None) if tool == "suite" else max(1, workers),
                        cap_seconds=chosen.cap,
                        # N workers given: N in flight, in one process, like st run's N.
                        processes=1 if workers != CHOSEN and tool == "suite" else None,
                    )
                    runs.setdefault((tool, delay, workers), []).append(run)
                    loads.append(os.getloadavg()[0])
                    print(
                        f"  concurrency: {tool}, {delay} ms, {workers} workers: "
                        f"{run.seconds:.1f} s, {run.requests} requests, exit {run.status}"
                        + (" (capped)" if run.capped else ""),
                        flush=True,
                    )
    return runs, loads


def _wall(results: list[ToolRun]) -> str:
    shown = spread([r.seconds for r in results]).show(1)
    return shown + (" (capped)" if any(r.capped for r in results) else "")


def _st_errors(output: str) -> int:
    """How many errors (not failed checks) `st run`'s summary lists: "Errors:" then its lines."""
    match = re.search(r"^Errors:\n((?:[ \t]+\S.*\n?)+)", output, re.MULTILINE)
    if match is None:
        return 0
    return sum(int(n) for n in re.findall(r": (\d+)$", match.group(1), re.MULTILINE))


def _outcome(tool: str, r: ToolRun) -> str:
    """pass, FAIL (a violation: exit 1), st run's own errors, capped, or the exit status."""
    if r.capped:
        return f"capped (exit {r.status})"
    if r.status == 0:
        return "pass"
    if r.status == 1 and tool == "st" and _st_errors(r.tail):
        return "error"
    return "FAIL" if r.status == 1 else f"exit {r.status}"


def _verdict(tool: str, results: list[ToolRun]) -> str:
    words = [_outcome(tool, r) for r in results]
    distinct = list(dict.fromkeys(words))
    return distinct[0] if len(distinct) == 1 else ", ".join(words)


def _last_words(tail: str) -> str:
    """What a run that did not pass said last: its last exception line, else its last lines."""
    exceptions: list[str] = re.findall(
        r"^\s*((?:\w+\.)*\w*(?:Error|Exception)\b.*)$", tail, re.MULTILINE
    )
    if exceptions:
        return exceptions[-1].strip()
    return " / ".join([line.strip() for line in tail.strip().splitlines() if line.strip()][-3:])


# Causes recognised in what a run said last, worth a reader's knowing.
KNOWN_CAUSES = {
    "AST constructor recursion depth mismatch": (
        "CPython's bug gh-106905, fixed in 3.11.8, and this machine runs "
        f"{platform.python_version()}: `ast.parse` racing in threads, here Hypothesis's "
        "description of a filter's lambda in one of the tool's threads"
    ),
}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _where(cells: list[tuple[int, int]]) -> str:
    """(delay, workers) cells in few words: "with 4, 8 and 16 workers at 0 and 20 ms"."""
    by_delay: dict[int, list[int]] = {}
    for delay, workers in cells:
        if workers not in by_delay.setdefault(delay, []):
            by_delay[delay].append(workers)
    shapes = {tuple(w) for w in by_delay.values()}
    if len(shapes) == 1:
        counts = _and([str(w) for w in next(iter(shapes))])
        return f"with {counts} workers at {_and([str(d) for d in by_delay])} ms"
    return "; ".join(
        f"with {_and([str(w) for w in ws])} workers at {d} ms" for d, ws in by_delay.items()
    )


def _odd_runs(runs: dict[Key, list[ToolRun]]) -> list[str]:
    """One note per kind of run that did not pass: where, exit status, and what it said last."""
    kinds: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    examples: dict[tuple[str, str, str], str] = {}
    for (tool, delay, workers), results in runs.items():
        for r in results:
            outcome = _outcome(tool, r)
            if outcome == "pass":
                continue
            said = _last_words(r.tail).replace("`", "'")
            kind = (tool, outcome, re.sub(r"\d+", "N", said))
            kinds.setdefault(kind, []).append((delay, workers))
            examples.setdefault(kind, said)
    notes = []
    for kind, cells in kinds.items():
        tool, outcome, _ = kind
        said = examples[kind]
        name = "the suite" if tool == "suite" else "`st run`"
        meaning = {
            "error": "exit status 1 with errors in its summary, no failed check",
            "FAIL": "exit status 1, violations found",
        }.get(outcome, outcome.replace("exit ", "exit status "))
        note = f"Odd runs: {name} {_where(cells)} ({len(cells)} run(s)): {meaning}"
        if said:
            note += f"; it said last: `{said}`"
        causes = [cause for text, cause in KNOWN_CAUSES.items() if text in said]
        notes.append(note + (f" ({'; '.join(causes)})" if causes else "") + ".")
    return notes


def _target(chosen: Plan, runs: dict[Key, list[ToolRun]]) -> str:
    """The fewest workers whose quick run at 150 ms reached its verdict within 60 s."""
    measured = []
    for workers in (w for w in chosen.workers if w != CHOSEN):
        results = runs.get(("suite", TARGET_DELAY_MS, workers), [])
        reached = [r for r in results if r.status in (0, 1) and not r.capped]
        if reached and len(reached) == len(results):
            measured.append((workers, statistics.median(r.seconds for r in reached)))
    goal = (
        f"the quick profile's verdict within {TARGET_SECONDS:.0f} s at {TARGET_DELAY_MS} ms "
        "per answer"
    )
    if TARGET_DELAY_MS not in chosen.delays:
        return f"{goal}: not measured (--quick runs at {' and '.join(map(str, chosen.delays))} ms)"
    met = [(w, s) for w, s in measured if s <= TARGET_SECONDS]
    if met:
        workers, seconds = met[0]
        slower = ", ".join(f"{s:.0f} s with {w}" for w, s in measured if w < workers)
        return (
            f"{goal}: {seconds:.1f} s with {workers} workers"
            + (f" (fewer were slower: {slower})" if slower else "")
            + f" ({verdict(True)})"
        )
    if not measured:
        return f"{goal}: no run at {TARGET_DELAY_MS} ms reached a verdict ({verdict(False)})"
    workers, seconds = min(measured, key=lambda m: m[1])
    return f"{goal}: at best {seconds:.1f} s, with {workers} workers ({verdict(False)})"


def _workers_cell(workers: int, suite: list[ToolRun] | None) -> str:
    if workers != CHOSEN:
        return str(workers)
    counts = sorted({r.workers for r in suite or [] if r.workers is not None})
    return f"chosen: {', '.join(map(str, counts)) or '?'} (st run: 1)"


def chosen_targets(runs: dict[Key, list[ToolRun]]) -> list[str]:
    """The issue's targets for the workers the suite chose itself at 150 ms per answer: a
    verdict within 60 s, and at most 1.3x the network's limit (its requests x the delay /
    the requests in flight)."""
    results = [r for r in runs.get(("suite", TARGET_DELAY_MS, CHOSEN), []) if r.workers]
    if not results:
        return []
    seconds = statistics.median(r.seconds for r in results)
    workers = results[0].workers or 1
    requests = statistics.median(r.requests for r in results)
    limit = requests * TARGET_DELAY_MS / 1000 / workers
    reached = all(r.status in (0, 1) and not r.capped for r in results)
    at = f"at {TARGET_DELAY_MS} ms per answer, no --workers given (chose {workers})"
    return [
        f"{at}: the verdict within {TARGET_SECONDS:.0f} s: {seconds:.1f} s "
        f"({verdict(reached and seconds <= TARGET_SECONDS)})",
        f"{at}: at most {LIMIT_RATIO_TARGET}x the network's limit ({requests:,.0f} requests x "
        f"{TARGET_DELAY_MS} ms / {workers} = {limit:.1f} s): {seconds / limit:.2f}x "
        f"({verdict(seconds / limit <= LIMIT_RATIO_TARGET)})",
    ]


def run(*, quick: bool = False) -> Section:
    chosen = plan(quick)
    load_before = os.getloadavg()
    runs, loads = measure(chosen)
    load_after = os.getloadavg()
    section = Section(
        "concurrency",
        f"6. Contract suite with workers ({PROFILE} profile, delay added per answer)",
        [
            "added delay",
            "workers",
            "suite: wall s",
            "suite: requests",
            "suite: requests/s",
            "suite: vs 1 worker",
            "st run: wall s",
            "st run: requests",
            "st run: requests/s",
            "suite vs st run",
            "verdict (suite; st run)",
        ],
    )
    for delay in chosen.delays:
        for workers in chosen.workers:
            row = [f"{delay} ms", _workers_cell(workers, runs.get(("suite", delay, workers)))]
            if chosen.skipped(delay, workers):
                section.rows.append([*row, "skipped (--quick)", *[""] * 8])
                continue
            suite = runs[("suite", delay, workers)]
            suite_rate = spread([r.requests / r.seconds for r in suite])
            single = runs.get(("suite", delay, 1))
            row += [
                _wall(suite),
                f"{statistics.median(r.requests for r in suite):,.0f}",
                suite_rate.show(),
                ratio(
                    statistics.median(r.seconds for r in single),
                    statistics.median(r.seconds for r in suite),
                )
                if single
                else "n/a",
            ]
            st = runs.get(("st", delay, workers))
            if not st:
                why = "not run (--quick)" if chosen.quick else "not run (no choice of its own)"
                section.rows.append([*row, why, "", "", "", _verdict("suite", suite)])
                continue
            st_rate = spread([r.requests / r.seconds for r in st])
            own = [r.own_count for r in st if r.own_count is not None]
            st_requests = f"{statistics.median(r.requests for r in st):,.0f}"
            if own:
                st_requests += f" (own count {statistics.median(own):,.0f})"
            row += [
                _wall(st),
                st_requests,
                st_rate.show(),
                ratio(suite_rate.median, st_rate.median),
                f"{_verdict('suite', suite)}; {_verdict('st', st)}",
            ]
            section.rows.append(row)
    section.targets.append(_target(chosen, runs))
    section.targets += chosen_targets(runs)
    section.notes.append(
        f"Seed {SEED}, profile {PROFILE}; a fresh reference server (own process, memory store, "
        "`bench/instrumented_server.py --delay-ms`) per run, answering each request that much "
        "later; the suite with `--workers N` in one process (`--processes 1`: N requests in "
        "flight, as `st run --workers N` keeps), or with neither (chosen: its processes from the "
        "cores and the round trip the command measures first, one a core, two a core when the "
        "round trip outlasts the suite's own work per request; each one's workers from that "
        "round trip; the row says the requests in flight of all processes), `st run` with "
        "`--workers N` and "
        f"`--max-examples {EXAMPLES[PROFILE]}` (section 4's command otherwise). Wall time of "
        "the whole command (interpreter start, schema loading, the suite's cleanup included); "
        "requests: those the server counted, the checked test cases of both tools; requests/s: "
        "those over the wall time. vs 1 worker: the suite's wall time with 1 worker over this "
        "one's. suite vs st run: the ratio of their requests/s."
    )
    if chosen.quick:
        section.notes.append(
            "--quick: a smoke run, printed only: the suite alone (no `st run`), "
            f"{max(chosen.workers)} workers at {chosen.delays[-1]} ms, one run. Every run is "
            f"capped at {chosen.cap:.0f} s (stopped with SIGTERM, shown as capped)."
        )
    else:
        rounds = ", ".join(f"{chosen.rounds[d]} at {d} ms" for d in chosen.delays)
        slow = [r.seconds for r in runs.get(("suite", TARGET_DELAY_MS, 1), [])]
        slowest = f"took {max(slow) / 60:.1f} min" if slow else "was not run"
        section.notes.append(
            f"Rounds: {rounds}, interleaved (each cell runs both tools back to back, their "
            "order alternating); where repeated, median (min-max). At 20 and 150 ms one round: "
            "the delay, not the machine, sets those times, and the suite with 1 worker at "
            f"{TARGET_DELAY_MS} ms alone {slowest}. Every run is capped at "
            f"{chosen.cap:.0f} s (stopped with SIGTERM, shown as capped); the whole section "
            f"took {sum(r.seconds for rs in runs.values() for r in rs) / 60:.0f} min of runs."
        )
    section.notes.append(
        "The machine's load: load average (1, 5, 15 min) "
        + ", ".join(f"{n:.2f}" for n in load_before)
        + " at the section's start, "
        + ", ".join(f"{n:.2f}" for n in load_after)
        + f" at its end; the 1-minute figure after each run {spread(loads).show(2)} "
        f"({os.cpu_count()} cores; each run itself keeps about one to two busy)."
    )
    section.notes.extend(_odd_runs(runs))
    return section
