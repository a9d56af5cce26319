"""The reference server against Prism's mock of the same spec, under the same wrk load.

Both run as their own process (uvicorn with one worker; `prism mock`, its output
discarded), wrk runs with one thread so a core is left to the server, and the runs
interleave: each round runs every operation against one side then the other, the order
alternating from round to round. Reported: requests/s and wrk's p50/p99 latency, median
and range over the rounds, and the ratio of the medians.

Prism answers every request from the spec's examples and keeps nothing; the reference
server stores what it is sent (every `create` here adds a backend, and a `get` reads one
of the 1,000 seeded first).

Beside them, what the server's limits cost: the same server on uvicorn's own httptools
protocol with no limit (as it ran before them), on h11 (the parser it falls back to where
httptools does not install), and with SQLite called on the event loop instead of in its
worker threads (`bench/variant_server.py`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_subprocess

from .common import ROOT, Section, cpu_seconds, free_port, ratio, running, spread, verdict

KEY = "bench-key"
CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"
SPEC = ROOT / "spec" / "failover.openapi.yaml"
PRISM = ROOT / "bench" / "node_modules" / ".bin" / "prism"
SEEDED = 1000
TARGET_GET_RATIO = 3.0
TARGET_LIMITS_COST = 0.10
_HEADERS = f'wrk.headers["Authorization"] = "Bearer {KEY}"\nwrk.headers["Ngrok-Version"] = "2"\n'
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def lua_scripts(backend_id: str) -> dict[str, str]:
    """The wrk script of each operation: get by id, create, and list pages of 100 and 1."""
    body = json.dumps({"backends": [CHILD], "description": "bench", "metadata": "{}"})
    return {
        "get by id": _HEADERS + f'wrk.path = "/backends/failover/{backend_id}"\n',
        "create": _HEADERS
        + 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        + f'wrk.body = {json.dumps(body)}\nwrk.path = "/backends/failover"\n',
        "list page (limit=100)": _HEADERS + 'wrk.path = "/backends/failover?limit=100"\n',
        # Like for like: Prism's list answer is the spec's example, one backend.
        "list page (limit=1)": _HEADERS + 'wrk.path = "/backends/failover?limit=1"\n',
    }


@dataclass(frozen=True, slots=True)
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx responses plus socket errors
    requests: int = 0
    cpu_us: float = 0.0  # the server process's CPU time per request, microseconds


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"wrk printed a latency I cannot read: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkRun:
    """Requests/sec, the 50% and 99% lines of `--latency`, and the errors wrk counted."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if rps is None or p50 is None or p99 is None:
        raise ValueError(f"wrk's output lacks req/s or latency percentiles:\n{output}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    total = re.search(r"^\s+(\d+) requests in ", output, re.MULTILINE)
    requests = int(total.group(1)) if total else 0
    return WrkRun(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), errors, requests)


def run_wrk(
    url: str, lua: str, *, connections: int, seconds: int, pid: int | None = None
) -> WrkRun:
    """One wrk run; with the server's `pid`, also the CPU it spent per request."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    run = parse_wrk(result.stdout)
    if pid is None or not run.requests:
        return run
    cpu_us = (cpu_seconds(pid) - cpu_before) * 1e6 / run.requests
    return replace(run, cpu_us=cpu_us)


def seed_backends(base_url: str, count: int) -> list[str]:
    auth = {"Authorization": f"Bearer {KEY}", "Ngrok-Version": "2"}
    with httpx.Client(base_url=base_url, headers=auth) as client:
        return [
            client.post("/backends/failover", json={"backends": [CHILD]}).json()["id"]
            for _ in range(count)
        ]


def is_stateful(base_url: str) -> bool:
    """A backend created now is the newest in the list: the server keeps what it is sent."""
    created = seed_backends(base_url, 1)[0]
    auth = {"Authorization": f"Bearer {KEY}", "Ngrok-Version": "2"}
    with httpx.Client(base_url=base_url, headers=auth) as client:
        page = client.get("/backends/failover", params={"limit": "1"}).json()
    return bool(page["backends"][0]["id"] == created)


MEMORY, SQLITE, PRISM_SIDE = "reference (memory)", "reference (SQLite)", "Prism"
NO_LIMITS, H11 = "reference (memory), no limits", "reference (memory), h11"
SQLITE_INLINE = "reference (SQLite), on the loop"
SIDES = (MEMORY, NO_LIMITS, H11, SQLITE, SQLITE_INLINE, PRISM_SIDE)
# What each variant is measured against: the server as it ships.
VARIANT_OF = {NO_LIMITS: MEMORY, H11: MEMORY, SQLITE_INLINE: SQLITE}


def variant(port: int, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.variant_server",
        f"--port={port}",
        f"--api-key={KEY}",
        *args,
    ]


def run(*, quick: bool = False) -> Section:
    seconds, rounds, connections = (1, 1, 32) if quick else (5, 3, 32)
    port, stock_port, inline_port = free_port(), free_port(), free_port()
    prism = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)]
    with (
        tempfile.TemporaryDirectory(prefix="bench-server-") as tmp,
        serve_in_subprocess(ServerConfig(api_key=KEY)) as memory,
        serve_in_subprocess(ServerConfig(api_key=KEY, http="h11")) as h11,
        serve_in_subprocess(ServerConfig(api_key=KEY, db_path=f"{tmp}/bench.db")) as sqlite,
        running(variant(stock_port, "--stock-protocol"), stock_port) as stock_pid,
        running(
            variant(inline_port, "--inline-store", f"--db={tmp}/inline.db"), inline_port
        ) as inline_pid,
        running(prism, port, timeout=60) as prism_pid,
    ):
        pids = {
            MEMORY: memory.pid,
            NO_LIMITS: stock_pid,
            H11: h11.pid,
            SQLITE: sqlite.pid,
            SQLITE_INLINE: inline_pid,
            PRISM_SIDE: prism_pid,
        }
        urls = {
            MEMORY: memory.base_url,
            NO_LIMITS: f"http://127.0.0.1:{stock_port}",
            H11: h11.base_url,
            SQLITE: sqlite.base_url,
            SQLITE_INLINE: f"http://127.0.0.1:{inline_port}",
            PRISM_SIDE: f"http://127.0.0.1:{port}",
        }
        per_side = {}
        for side in SIDES[:-1]:  # each server its own backends
            ids = seed_backends(urls[side], SEEDED)
            per_side[side] = lua_scripts(ids[SEEDED // 2])
        per_side[PRISM_SIDE] = per_side[MEMORY]  # Prism answers any well-formed id
        scripts = per_side[MEMORY]
        for side in SIDES:  # warm up every side (Node's JIT, Python's caches)
            for lua in per_side[side].values():
                run_wrk(urls[side], lua, connections=connections, seconds=1)
        runs: dict[tuple[str, str], list[WrkRun]] = {}
        for round_ in range(rounds):
            order = SIDES if round_ % 2 == 0 else tuple(reversed(SIDES))
            for operation in scripts:
                for side in order:
                    lua = per_side[side][operation]
                    result = run_wrk(
                        urls[side], lua, connections=connections, seconds=seconds, pid=pids[side]
                    )
                    runs.setdefault((operation, side), []).append(result)
        stateful = is_stateful(memory.base_url) and is_stateful(sqlite.base_url)
        stateful = stateful and all(is_stateful(urls[side]) for side in VARIANT_OF)

    section = Section(
        "server",
        "1. Reference server against Prism (wrk)",
        [
            "operation",
            "server",
            "req/s",
            "vs Prism",
            "vs as shipped",
            "CPU µs/req",
            "CPU vs as shipped",
            "p50 ms",
            "p99 ms",
            "errors",
        ],
    )
    ratios: dict[str, float] = {}
    medians: dict[tuple[str, str], float] = {}
    cpu: dict[tuple[str, str], float] = {}
    for operation in scripts:
        for side in SIDES:
            rps_of = [r.requests_per_second for r in runs[(operation, side)]]
            medians[(operation, side)] = spread(rps_of).median
            cpu[(operation, side)] = spread([r.cpu_us for r in runs[(operation, side)]]).median
    for operation in scripts:
        prism_rps = medians[(operation, PRISM_SIDE)]
        for side in SIDES:
            these = runs[(operation, side)]
            rps = spread([r.requests_per_second for r in these])
            ratios[f"{operation}, {side}"] = rps.median / prism_rps
            shipped = VARIANT_OF.get(side)
            section.rows.append(
                [
                    operation,
                    side,
                    rps.show(),
                    ratio(rps.median, prism_rps),
                    ratio(rps.median, medians[(operation, shipped)]) if shipped else "",
                    spread([r.cpu_us for r in these]).show(1),
                    ratio(cpu[(operation, side)], cpu[(operation, shipped)]) if shipped else "",
                    spread([r.p50_ms for r in these]).show(2),
                    spread([r.p99_ms for r in these]).show(2),
                    str(sum(r.errors for r in these)),
                ]
            )
    for store in ("memory", "SQLite"):
        get_ratio = ratios[f"get by id, reference ({store})"]
        section.targets.append(
            f"get by id at least {TARGET_GET_RATIO:.0f}x Prism's throughput, while stateful "
            f"({store}): {get_ratio:.2f}x, stateful {'yes' if stateful else 'NO'} "
            f"({verdict(get_ratio >= TARGET_GET_RATIO and stateful)})"
        )
    cost = cpu[("get by id", MEMORY)] / cpu[("get by id", NO_LIMITS)] - 1
    section.targets.append(
        f"the limits add at most {TARGET_LIMITS_COST:.0%} to the server's CPU time per get "
        f"by id (memory, against uvicorn's own protocol): {cost:+.1%} "
        f"({verdict(cost <= TARGET_LIMITS_COST)})"
    )
    section.notes.append(
        f"wrk -t1 -c{connections} -d{seconds}s --latency against each server in turn, "
        f"{rounds} interleaved round(s) (the order reversed every other round) after a 1 s "
        "untimed warm-up of each; figures are the median (min-max) over rounds, and errors "
        "the non-2xx answers and socket errors of all rounds. The reference server: one "
        f"uvicorn worker (its own process), {SEEDED:,} backends seeded, every create stores "
        "one more. Prism: `prism mock` of the same spec, its request log discarded; it "
        "validates each request and answers from the spec's examples, storing nothing. Its "
        "list page is the example's one backend (367 bytes) whatever the limit; the "
        "reference server's page of 100 is 25 KB, so `limit=1` is the like-for-like list row."
    )
    section.notes.append(
        "What the limits cost (the column `vs as shipped`): `no limits` is the same app on "
        "uvicorn's own httptools protocol, as the server ran before its limits (no cap on "
        "headers, connections or read times); `h11` is the server on the pure-Python parser it "
        "uses where httptools does not install; `on the loop` calls SQLite on the event loop "
        "instead of in the store's writer and reader threads, as before "
        "(`bench/variant_server.py`). Each variant has its own process and its own 1,000 "
        "backends. `CPU µs/req` is the CPU time (user and system) the server's process spent "
        "per request over the run (from /proc; Prism's node process alone): unlike a rate, it "
        "barely moves when other processes share the machine, so it is the cost to read."
    )
    return section
