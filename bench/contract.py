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

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT, VENV_BIN, Section, free_port, running, spread
from .server_vs_prism import KEY

SEED = 0
SPEC = ROOT / "spec" / "failover.openapi.yaml"
# The suite's schema examples per operation, per profile (contract_tests/settings.py).
EXAMPLES = {"quick": 25, "thorough": 150}


@dataclass(frozen=True, slots=True)
class ToolRun:
    seconds: float
    requests: int  # the test cases: calls answered by the server
    passed: bool
    own_count: int | None = None  # st run's own summary figure


def suite_command(base_url: str, profile: str, reports: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scripts.run_contract",
        f"--base-url={base_url}",
        f"--profile={profile}",
        f"--seed={SEED}",
        f"--reports-dir={reports}",
    ]


def st_command(base_url: str, examples: int, reports: str) -> list[str]:
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
        "--workers=1",
        "--no-shrink",
        "--generation-database=none",
        f"--report-dir={reports}",
        "--no-color",
    ]


def timed_run(tool: str, profile: str) -> ToolRun:
    """Run `tool` ("suite" or "st") against a fresh counting server; time it, count it."""
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as tmp:
        port, counts = free_port(), Path(tmp) / "requests"
        server = [sys.executable, "-m", "bench.instrumented_server", f"--port={port}"]
        url = f"http://127.0.0.1:{port}"
        if tool == "suite":
            command = suite_command(url, profile, f"{tmp}/reports")
        else:
            command = st_command(url, EXAMPLES[profile], f"{tmp}/reports")
        env = {**os.environ, "NGROK_API_KEY": KEY}
        with running([*server, f"--api-key={KEY}", f"--count-file={counts}"], port):
            began = time.perf_counter()
            # st's working folder is the temporary one: it keeps a cache (.schemathesis/) there.
            result = subprocess.run(
                command,
                cwd=ROOT if tool == "suite" else tmp,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - began
        if result.returncode not in (0, 1):
            sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        if not counts.exists():
            raise RuntimeError("the instrumented server wrote no request count")
        return ToolRun(
            seconds,
            int(counts.read_text()),
            result.returncode == 0,
            st_test_cases(result.stdout) if tool == "st" else None,
        )


def st_test_cases(output: str) -> int:
    """The test cases `st run` reports in its summary ("Test cases: N generated")."""
    match = re.search(r"Test cases:\s*\n\s*(\d+) generated", output)
    if match is None:
        raise ValueError(f"st run printed no test case count:\n{output[-3000:]}")
    return int(match.group(1))


def mutation_verdicts(output: str) -> list[tuple[str, str, str]]:
    """(fault, caught or SURVIVED, seconds) from run_mutation.py's progress lines."""
    return re.findall(r"^  (\S+): (caught|SURVIVED) in ([\d.]+)s$", output, re.MULTILINE)


def mutation_seconds(sample: bool) -> tuple[list[float], int, bool]:
    """Seconds to verdict of each planted fault, the number caught, and the run's success."""
    command = [sys.executable, "-m", "scripts.run_mutation", f"--seed={SEED}"]
    if sample:
        command.append("--sample")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    verdicts = mutation_verdicts(result.stdout)
    if not verdicts:
        raise RuntimeError(f"run_mutation.py printed no verdicts:\n{result.stdout[-3000:]}")
    caught = sum(1 for _, outcome, _ in verdicts if outcome == "caught")
    return [float(s) for _, _, s in verdicts], caught, result.returncode == 0


def run(*, quick: bool = False) -> Section:
    rounds = 1 if quick else 3
    profiles = ["quick"] if quick else ["quick", "thorough"]
    runs: dict[tuple[str, str], list[ToolRun]] = {}
    for profile in profiles:
        for round_ in range(rounds if profile == "quick" else 1):
            order = ("suite", "st") if round_ % 2 == 0 else ("st", "suite")
            for tool in order:
                runs.setdefault((tool, profile), []).append(timed_run(tool, profile))
    section = Section(
        "contract",
        "4. Contract suite",
        ["run", "wall s", "test cases (requests)", "test cases/s", "vs st run", "verdict"],
    )
    for profile in profiles:
        st_rate = statistics.median(r.requests / r.seconds for r in runs[("st", profile)])
        for tool in ("suite", "st"):
            results = runs[(tool, profile)]
            rate = spread([r.requests / r.seconds for r in results])
            cases = f"{statistics.median(r.requests for r in results):,.0f}"
            if tool == "st":
                own = statistics.median(r.own_count or 0 for r in results)
                cases += f" (st's own count: {own:,.0f})"
            section.rows.append(
                [
                    f"suite, {profile}" if tool == "suite" else f"st run, -n {EXAMPLES[profile]}",
                    spread([r.seconds for r in results]).show(1),
                    cases,
                    rate.show(),
                    f"{rate.median / st_rate:.2f}x",
                    "pass" if all(r.passed for r in results) else "FAIL",
                ]
            )
    seconds, caught, ok = mutation_seconds(sample=quick)
    times = spread(seconds)
    section.rows.append(
        [
            f"mutation ({'CI sample' if quick else 'all'} faults): median to verdict",
            f"{times.show(1)} per fault; {sum(seconds):.0f} in all",
            f"{caught} of {len(seconds)} caught",
            "",
            "",
            "pass" if ok else "FAIL",
        ]
    )
    section.notes.append(
        f"Seed {SEED}; a fresh reference server (own process, memory store) per run; "
        f"{rounds} interleaved round(s) for quick, one for thorough; wall time of the whole "
        "command (interpreter start, schema loading, the suite's cleanup included), median "
        "(min-max). Test cases: the requests the server answered, the one unit both tools "
        "share (see bench/contract.py); `st run`'s own count, which agrees, is shown beside. "
        "`st run` checks the "
        "schema (all its phases, default checks); the suite adds the named properties, the "
        "model state machine and the paging walk. Mutation: seconds from start to verdict "
        "per planted fault (`scripts/run_mutation.py`, profile quick, stops at the first "
        "violation), median (min-max)."
    )
    return section
