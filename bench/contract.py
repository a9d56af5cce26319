"""The contract suite's cost: wall time, test cases per second against `st run`, mutation verdicts.

Each run gets a fresh reference server in its own process (`bench/instrumented_server.py`,
which counts the requests it serves); the suite (`scripts/run_contract.py --base-url`,
fixed seed) and Schemathesis's CLI (`st run` on the same spec, same seed, as many examples
per operation as the suite's schema tests) take turns, interleaved.

Test cases are counted the same way for both tools: as the HTTP requests the server
answered (the server counts them), each one a call whose answer is checked. That is
`st run`'s own unit too (its "N generated" comes within a call or two of the server's
count, shown beside); the suite prints no single count (a property test or a state
machine scenario makes several calls per Hypothesis example). Hypothesis's observability
log would count examples alike for both, but with it on, Hypothesis's step printing breaks
the suite's Schemathesis state machine.

Mutation: `scripts/run_mutation.py` prints, for each planted fault, the seconds from the
start of the suite to its verdict (the run stops at the first violation); the median of
those is reported.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mutation import BENIGN, MUTANTS

from .baseline import TODAY, Checkout, exported
from .common import ROOT, VENV_BIN, Section, free_port, running, spread, verdict
from .server_vs_prism import KEY

SEED = 0
SPEC = ROOT / "spec" / "failover.openapi.yaml"
# The suite's schema examples per operation, per profile (ngrok_failover_contract/core/profiles.py).
EXAMPLES = {"quick": 25, "thorough": 150}


@dataclass(frozen=True, slots=True)
class ToolRun:
    seconds: float
    requests: int  # the test cases: calls answered by the server
    passed: bool
    own_count: int | None = None  # st run's own summary figure
    status: int = 0  # the command's exit status (once capped: its answer to SIGTERM)
    capped: bool = False  # stopped at its time cap: `seconds` is the cap, not a verdict's time
    tail: str = ""  # the end of its output (stdout, then stderr) unless it passed
    workers: int | None = None  # the suite's workers, as its summary says (chosen or given)


def suite_command(
    base_url: str,
    profile: str,
    reports: str,
    workers: int | None = None,
    processes: int | None = None,
) -> list[str]:
    """The suite's command; `workers`, `processes`: its --workers and --processes (None: the
    suite's own default; a baseline older than --processes runs one process anyway)."""
    return [
        sys.executable,
        "-m",
        "scripts.run_contract",
        f"--base-url={base_url}",
        f"--profile={profile}",
        f"--seed={SEED}",
        f"--reports-dir={reports}",
        *([f"--workers={workers}"] if workers is not None else []),
        *([f"--processes={processes}"] if processes is not None else []),
    ]


def st_command(base_url: str, examples: int, reports: str, workers: int = 1) -> list[str]:
    return [
        str(VENV_BIN / "st"),
        "run",
        str(SPEC),
        f"--url={base_url}",
        "--header",
        f"Authorization: Bearer {KEY}",
        "--header",
        "Ngrok-Version: 2",
        f"--max-examples={examples}",
        f"--seed={SEED}",
        f"--workers={workers}",
        "--no-shrink",
        "--generation-database=none",
        f"--report-dir={reports}",
        "--no-color",
    ]


def workers_said(summary: str) -> int | None:
    """The requests a suite run's summary.md says it kept in flight: its "- Workers: N
    (why)" line, or in a run in parts the sum of each part's ("- Part K: Workers: N")."""
    said = re.findall(r"^- (?:Part \d+: )?Workers: (\d+)", summary, re.MULTILINE)
    return sum(int(count) for count in said) if said else None


def timed_run(
    tool: str,
    profile: str,
    *,
    delay_ms: float = 0.0,
    workers: int | None = None,
    cap_seconds: float | None = None,
    checkout: Checkout = TODAY,
    processes: int | None = None,
) -> ToolRun:
    """Run `tool` ("suite" or "st") against a fresh counting server; time it, count it.

    `delay_ms`: the server answers each request that late. `workers`: the tool's --workers
    (None: the suite's default, and 1 for st run). `cap_seconds`: stop the tool (SIGTERM to
    its process group, then SIGKILL) once it has run that long; the run is then `capped`.
    `checkout`: whose suite runs (an exported baseline commit, or today's); the server is
    always today's. `processes`: the suite's --processes (None: its default).
    """
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as tmp:
        port, counts = free_port(), Path(tmp) / "requests"
        server = [sys.executable, "-m", "bench.instrumented_server", f"--port={port}"]
        if delay_ms:
            server.append(f"--delay-ms={delay_ms}")
        url = f"http://127.0.0.1:{port}"
        if tool == "suite":
            command = suite_command(url, profile, f"{tmp}/reports", workers, processes)
        else:
            command = st_command(url, EXAMPLES[profile], f"{tmp}/reports", workers or 1)
        env = (checkout if tool == "suite" else TODAY).environ(NGROK_API_KEY=KEY)
        with running([*server, f"--api-key={KEY}", f"--count-file={counts}"], port):
            began = time.perf_counter()
            # st's working folder is the temporary one: it keeps a cache (.schemathesis/) there.
            status, stdout, stderr, capped = _run_capped(
                command,
                cwd=checkout.root if tool == "suite" else Path(tmp),
                env=env,
                cap=cap_seconds,
            )
            seconds = time.perf_counter() - began
        summary = Path(tmp) / "reports" / "summary.md"
        said = workers_said(summary.read_text()) if summary.exists() else None
        tail = stdout[-3000:] + stderr[-3000:] if status != 0 else ""
        if status not in (0, 1):
            sys.stderr.write(tail)
        if not counts.exists():
            raise RuntimeError("the instrumented server wrote no request count")
        return ToolRun(
            seconds,
            int(counts.read_text()),
            status == 0,
            st_test_cases(stdout) if tool == "st" and not capped else None,
            status,
            capped,
            tail,
            said,
        )


def _run_capped(
    command: list[str], *, cwd: Path, env: dict[str, str], cap: float | None
) -> tuple[int, str, str, bool]:
    """Run `command` to its end or for `cap` seconds: (exit status, stdout, stderr, capped).

    The command runs in its own process group, so stopping it stops what it started too
    (the suite's pytest); SIGTERM first, which the suite answers by cleaning up.
    """
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=cap)
        return process.returncode, stdout, stderr, False
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGTERM)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            stdout, stderr = process.communicate()
        return process.returncode, stdout, stderr, True
    except BaseException:  # Ctrl-C: the tool is in its own session and never saw it
        _signal_group(process, signal.SIGKILL)
        process.wait()
        raise


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited already
        os.killpg(process.pid, sig)


def st_test_cases(output: str) -> int:
    """The test cases `st run` reports in its summary ("Test cases: N generated")."""
    match = re.search(r"Test cases:\s*\n\s*(\d+) generated", output)
    if match is None:
        raise ValueError(f"st run printed no test case count:\n{output[-3000:]}")
    return int(match.group(1))


# Today's suite in one process (--processes 1), beside its default (one a core).
ONE_PROCESS = "suite-alone"
QUICK_TARGET_S = 7.0
RATE_TARGET_VS_BEFORE = 3.0
RATE_TARGET_VS_ST = 4.0


def issue_targets(runs: Mapping[tuple[str, str], list[ToolRun]]) -> list[str]:
    """Issue 22's: the quick profile on loopback within 7 s; checked requests a second at
    least 3x each baseline's and 4x `st run`'s."""

    def rate(tool: str) -> float:
        return statistics.median(r.requests / r.seconds for r in runs[(tool, "quick")])

    seconds = statistics.median(r.seconds for r in runs[("suite", "quick")])
    targets = [
        f"the quick profile on loopback at most {QUICK_TARGET_S:.0f} s: {seconds:.1f} s "
        f"({verdict(seconds <= QUICK_TARGET_S)})",
        f"checked requests a second at least {RATE_TARGET_VS_ST:.0f}x st run's: "
        f"{rate('suite') / rate('st'):.2f}x ({verdict(rate('suite') / rate('st') >= 4)})",
    ]
    for label in baselines_of(runs, "quick"):
        times = rate("suite") / rate(f"suite {label}")
        targets.append(
            f"checked requests a second at least {RATE_TARGET_VS_BEFORE:.0f}x those of "
            f"{label}: {times:.2f}x ({verdict(times >= RATE_TARGET_VS_BEFORE)})"
        )
    return targets


def baselines_of(runs: Mapping[tuple[str, str], object], profile: str) -> list[str]:
    """The labels of the baselines measured for `profile`, in the order they were given."""
    return [tool.removeprefix("suite ") for tool, p in runs if p == profile and " " in tool]


def mutation_verdicts(output: str) -> list[tuple[str, str, str]]:
    """(fault, caught or SURVIVED, seconds) from run_mutation.py's progress lines."""
    return re.findall(r"^  (\S+): (caught|SURVIVED) in ([\d.]+)s$", output, re.MULTILINE)


def smoke_variant() -> str:
    """The one benign variant a smoke run checks (with the reference server, one seed)."""
    return min(name for name, variant in BENIGN.items() if variant.sample)


SMOKE_FAULTS = 2  # a smoke run proves the rows are made; the medians need the whole set


def smoke_faults() -> list[str]:
    """The planted faults a smoke run checks: the first SMOKE_FAULTS of CI's sample."""
    return [m.name for m in MUTANTS.values() if m.sample][:SMOKE_FAULTS]


def mutation_seconds(sample: bool) -> tuple[list[float], int, str | None]:
    """Seconds to verdict of each planted fault, the number caught, and what failed (None:
    it passed).

    `sample`: a smoke run's few faults, and of the benign variants one, with one seed, in
    lenient mode (the whole set runs every variant in both modes with three seeds: most of
    the time it takes).
    """
    command = [sys.executable, "-m", "scripts.run_mutation", f"--seed={SEED}"]
    if sample:
        command += ["--only", *smoke_faults(), "--variant-seeds=1", "--modes=lenient"]
        command += ["--no-reference"]  # the section's own suite runs are against it
        command += ["--variants", smoke_variant()]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    verdicts = mutation_verdicts(result.stdout)
    if not verdicts:
        raise RuntimeError(f"run_mutation.py printed no verdicts:\n{result.stdout[-3000:]}")
    caught = sum(1 for _, outcome, _ in verdicts if outcome == "caught")
    failed = None if result.returncode == 0 else mutation_failures(result.stdout)
    return [float(s) for _, _, s in verdicts], caught, failed


def mutation_failures(output: str) -> str:
    """What a `make mutation` that did not pass names (its "FAILED for ..." line): a FAIL in
    the report then says which fault or variant."""
    found = re.search(r"^mutation: FAILED for (.+)$", output, re.MULTILINE)
    return found.group(1) if found else "? (it named nothing)"


def run(*, quick: bool = False, baselines: Sequence[str] = (), mutation: bool = True) -> Section:
    """The section; each of `baselines` (a git ref) runs the quick profile beside today's
    code, interleaved with it round by round; `mutation`: with `make mutation`'s row."""
    rounds = 1 if quick else 3
    profiles = ["quick"] if quick else ["quick", "thorough"]
    runs: dict[tuple[str, str], list[ToolRun]] = {}
    with contextlib.ExitStack() as stack:
        others = [stack.enter_context(exported(ref)) for ref in baselines]
        for profile in profiles:
            for round_ in range(rounds if profile == "quick" else 1):
                turns: list[tuple[str, Checkout]] = [("suite", TODAY), ("st", TODAY)]
                if profile == "quick":
                    turns += [(ONE_PROCESS, TODAY), *(("suite", other) for other in others)]
                shift = round_ % len(turns)  # each takes its turn first and last
                for tool, checkout in turns[shift:] + turns[:shift]:
                    # One request at a time for all: section 6 measures workers.
                    key = (tool if checkout is TODAY else f"suite {checkout.label}", profile)
                    alone = tool == ONE_PROCESS
                    runs.setdefault(key, []).append(
                        timed_run(
                            "suite" if alone else tool,
                            profile,
                            workers=1,
                            checkout=checkout,
                            processes=1 if alone else None,
                        )
                    )
    section = Section(
        "contract",
        "4. Contract suite",
        ["run", "wall s", "test cases (requests)", "test cases/s", "vs st run", "verdict"],
    )
    for profile in profiles:
        st_rate = statistics.median(r.requests / r.seconds for r in runs[("st", profile)])
        tools = ["suite", *([ONE_PROCESS] if profile == "quick" else [])]
        tools += [*(f"suite {o}" for o in baselines_of(runs, profile)), "st"]
        for tool in tools:
            results = runs[(tool, profile)]
            rate = spread([r.requests / r.seconds for r in results])
            cases = f"{statistics.median(r.requests for r in results):,.0f}"
            if tool == "st":
                own = statistics.median(r.own_count or 0 for r in results)
                cases += f" (st's own count: {own:,.0f})"
            if tool == "st":
                name = f"st run, -n {EXAMPLES[profile]}"
            elif tool == "suite":
                name = f"suite, {profile}"
            elif tool == ONE_PROCESS:
                name = f"suite, {profile}, --processes 1"
            else:
                name = f"suite, {profile}, baseline {tool.removeprefix('suite ')}"
            section.rows.append(
                [
                    name,
                    spread([r.seconds for r in results]).show(1),
                    cases,
                    rate.show(),
                    f"{rate.median / st_rate:.2f}x",
                    "pass" if all(r.passed for r in results) else "FAIL",
                ]
            )
    section.targets += issue_targets(runs)
    if mutation:
        seconds, caught, failed = mutation_seconds(sample=quick)
        times = spread(seconds)
        section.rows.append(
            [
                f"mutation ({f'{SMOKE_FAULTS} of CI sample' if quick else 'all'} faults): "
                "median to verdict"
                + (f" (benign: {smoke_variant()} alone, one seed, lenient)" if quick else ""),
                f"{times.show(1)} per fault; {sum(seconds):.0f} in all",
                f"{caught} of {len(seconds)} caught",
                "",
                "",
                "pass" if failed is None else "FAIL",
            ]
        )
        if failed is not None:
            section.notes.append(f"Mutation FAILED for: {failed} (`make mutation` says how).")
    section.notes.append(
        f"Seed {SEED}; a fresh reference server (own process, memory store) per run; "
        f"{rounds} interleaved round(s) for quick, one for thorough; wall time of the whole "
        "command (interpreter start, schema loading, the suite's cleanup included), median "
        "(min-max); a baseline (`--baseline GITREF`) is that commit's suite, exported, "
        "run in the same rounds against today's server. The suite runs its own default "
        "processes (one a core: its tests shared by that many pytest processes side by side, "
        "`--processes`), and in one process as the row `--processes 1` says; a baseline "
        "runs in one. Test cases: the requests the server "
        "answered, the one unit both tools "
        "share (see bench/contract.py); `st run`'s own count, which agrees, is shown beside. "
        "`st run` checks the "
        "schema (all its phases, default checks); the suite adds the named properties, the "
        "model state machine and the paging walk. Mutation: seconds from start to verdict "
        "per planted fault (`scripts/run_mutation.py`, profile quick, stops at the first "
        "violation), median (min-max)."
    )
    if not mutation:
        section.notes.append("Mutation: not measured in this run (`--no-mutation`).")
    return section
