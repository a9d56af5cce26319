"""The README's expensive runs: each recorded by `make readme` into docs/readme-runs/<run>/, and
checked cheaply against the checkout as it is now.

A run is too slow for every `make test` (a whole contract run) or not the same twice (random
ids, ports, timings). `record` runs it as the README says and returns its files; `check` finds
what in a snapshot no longer matches the checkout (a property renamed, a test gone, a banner
changed); `noise` masks what differs from run to run, so a new recording that differs only
there leaves the snapshot (and the tree) as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from mutation import MUTANTS
from mutation.lossy import LosesEveryFifthCreateAnswer
from ngrok_failover_contract.core.registry import Property
from ngrok_failover_contract.core.spec import spec
from ngrok_failover_contract.reporting.coverage import documented_statuses
from ngrok_failover_server.__main__ import banner
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

from .console import PYTHON, ROOT, RunError, environment, run, shown

Files = dict[str, str]
SUITE = ROOT / "contract_tests" / "ngrok_failover_contract" / "suite"
PRISM = ROOT / "bench" / "node_modules" / ".bin" / "prism"
SPEC = "spec/failover.openapi.yaml"
SERVE_KEY = "staging-key-7Qx2"
VIOLATION_FAULT = "update_clears_absent"
LOSSY_KEY = "secret"

_NOISE = (
    (re.compile(r"bkdfo_[0-9A-Za-z]{27}"), "bkdfo_<id>"),
    (re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}"), "<run id>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"--port \d+|PORT=\d+"), "<port>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"), "<time>"),
    (re.compile(r", [\d.]+ s\)"), ", <seconds> s)"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
)


def noise(text: str) -> str:
    """`text` with what differs between two runs of the same command masked."""
    for pattern, mask in _NOISE:
        text = pattern.sub(mask, text)
    return text


def numbers_too(text: str) -> str:
    """For a run whose counts differ too (requests side by side): every number masked."""
    return re.sub(r"\d+(?:[.,]\d+)*", "N", noise(text))


def history_too(text: str) -> str:
    """For a run whose findings quote a history of threads side by side: its calls, their
    timings and their order (the threads' interleaving) masked, and every number."""
    text = re.sub(r"(?m)^ +\[\d+\] thread .*$", "<a call>", text)
    text = re.sub(r"(?m)^ +the longest order explained: .*$", "<orders>", text)
    return numbers_too(text)


def preferred_port(port: int) -> int:
    """`port` if nothing listens there (the README's usual 8080), else a free one."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        found: int = sock.getsockname()[1]
        return found


# -- Checks of a snapshot against the checkout ------------------------------------------------


def _test_names(console: str) -> list[tuple[str, str]]:
    return re.findall(r"^  \[[ \d]+/\d+\] \S+ +suite/(\S+?)::(\w+)", console, re.MULTILINE)


def missing_tests(console: str) -> list[str]:
    """Tests a console names that the suite no longer has."""
    gone = []
    for module, name in _test_names(console):
        source = SUITE / module
        if not source.exists() or f"def {name}(" not in source.read_text(encoding="utf-8"):
            gone.append(f"suite/{module}::{name}")
    return gone


def unknown_properties(names: list[str]) -> list[str]:
    known = {str(p) for p in Property}
    return [name for name in names if name not in known]


def _findings(console: str) -> list[str]:
    return re.findall(r"^\d+\. (\w+)$", console, re.MULTILINE)


# -- The coverage of a deterministic run ------------------------------------------------------

_PROPERTY_ROW_RE = re.compile(r"^\| (\w+) \| (\d+) \| (\d+) \|$", re.MULTILINE)


def record_coverage() -> Files:
    with tempfile.TemporaryDirectory(prefix="readme-coverage-") as reports:
        run(["make", "--no-print-directory", "-s", "contract", "REQUIRE_COVERAGE=1", "SEED=0",
             f"REPORTS_DIR={reports}"])  # fmt: skip
        return {
            name: (Path(reports) / name).read_text(encoding="utf-8")
            for name in ("coverage.md", "summary.md")
        }


def check_coverage(files: Files) -> list[str]:
    coverage = files["coverage.md"]
    problems = [f"property {p} is no longer registered" for p in unknown_properties(
        [m.group(1) for m in _PROPERTY_ROW_RE.finditer(coverage)])]  # fmt: skip
    statuses = documented_statuses()
    header = next(line for line in coverage.splitlines() if line.startswith("| operation |"))
    columns = header.strip("| ").split(" | ")[1:]
    documented = sorted({s for found in statuses.values() for s in found})
    if sorted(columns) != documented:
        problems.append(f"statuses {columns} are not the spec's {documented}")
    table = next(part for part in coverage.split("\n\n") if part.startswith("| operation |"))
    rows = re.findall(r"^\| (\w+) \| ", table, re.MULTILINE)[1:]  # the header's first cell
    if sorted(rows) != sorted(statuses):
        problems.append(f"operations {rows} are not the spec's {sorted(statuses)}")
    return problems


def coverage_table(files: Files) -> str:
    """The status table, then the property table in one sentence."""
    coverage = files["coverage.md"]
    table = next(part for part in coverage.split("\n\n") if part.startswith("| operation |"))
    rows = _PROPERTY_ROW_RE.findall(coverage)
    (first, f_run, f_held), (last, l_run, l_held) = rows[0], rows[-1]
    return (
        f"{table}\n\nfollowed by {len(rows)} properties, from `{first}` ({int(f_run):,} checks, "
        f"{int(f_held):,} held) to `{last}` ({int(l_run):,} and {int(l_held):,}).\n"
    )


def _requests(summary: str) -> tuple[int, int, int]:
    """(requests, create requests, backends created) from a summary's Requests line."""
    match = re.search(
        r"^- Requests: (\d+) .*create requests: (\d+), backends created: (\d+)", summary, re.M
    )
    if match is None:
        raise RunError(f"a summary without its Requests line:\n{summary[:2000]}")
    requests, creates, created = (int(n) for n in match.groups())
    return requests, creates, created


def quick_requests(files: Files) -> str:
    requests, _, _ = _requests(files["summary.md"])
    return (
        f"sends {requests:,} requests (seed 0, against the reference server: "
        f"{requests / 100:.0f} minutes at 100 a minute)"
    )


# -- A live profile run, against the reference server taken for a remote account ---------------


def record_live() -> Files:
    with tempfile.TemporaryDirectory(prefix="readme-live-") as reports:
        run([PYTHON, "-m", "scripts.run_contract", "--assume-remote", "--live", "--max-rpm=0",
             "--profile=live", "--seed=0", "--workers=1", f"--reports-dir={reports}"])  # fmt: skip
        return {"summary.md": (Path(reports) / "summary.md").read_text(encoding="utf-8")}


def live_requests(files: Files) -> str:
    requests, creates, created = _requests(files["summary.md"])
    return (
        f"{requests:,} requests, {creates:,} of them create requests and {created:,} backends "
        f"created, against the reference server (seed 0, one worker): some {requests / 100:.0f} "
        "minutes at 100 a minute"
    )


# -- A violation: the console of a run against a planted fault ---------------------------------


def record_violation() -> Files:
    argv = [PYTHON, "-m", "scripts.run_contract", "--mutant", VIOLATION_FAULT, "--seed", "0"]
    console = run(argv, statuses=(1,))
    return {"console.txt": console.transcript()}


def check_violation(files: Files) -> list[str]:
    console = files["console.txt"]
    problems = [f"the test {t} is gone" for t in missing_tests(console)]
    problems += [f"property {p} is no longer registered" for p in unknown_properties(
        _findings(console))]  # fmt: skip
    if VIOLATION_FAULT not in MUTANTS:
        problems.append(f"the planted fault {VIOLATION_FAULT} is gone")
    elif (catcher := MUTANTS[VIOLATION_FAULT].catcher) not in _findings(console):
        problems.append(f"the console shows no finding of {catcher}, the fault's catcher")
    return problems


# -- Inconclusive: answers lost on the way ---------------------------------------------------


def record_inconclusive() -> Files:
    port = preferred_port(8080)
    config = ServerConfig(api_key=LOSSY_KEY, port=port)
    with (
        tempfile.TemporaryDirectory(prefix="readme-inconclusive-") as tmp,
        serve_in_thread(config, wrap=LosesEveryFifthCreateAnswer(armed=True)) as server,
    ):
        # The reports go to a temporary folder, but the console names the usual one.
        work = Path(tmp)
        (work / ".venv").symlink_to(ROOT / ".venv")
        (work / "scripts").symlink_to(ROOT / "scripts")
        (work / "mutation").symlink_to(ROOT / "mutation")
        argv = [PYTHON, "-m", "scripts.run_contract", "--base-url", server.base_url,
                "--workers", "8", "--seed", "0"]  # fmt: skip
        console = run(argv, env={"NGROK_API_KEY": LOSSY_KEY}, statuses=(3,), cwd=work)
        log = (work / "reports" / "contract" / "pytest.log").read_text(encoding="utf-8")
    return {"console.txt": console.transcript(), "pytest-log-lines.txt": f"{log.count(chr(10))}\n"}


def check_inconclusive(files: Files) -> list[str]:
    console = files["console.txt"]
    problems = [f"the test {t} is gone" for t in missing_tests(console)]
    if "INCONCLUSIVE" not in console or _findings(console):
        problems.append("the run is no longer inconclusive without a violation")
    return problems


# -- A stateless mock: Prism ------------------------------------------------------------------


@contextlib.contextmanager
def prism(port: int) -> Iterator[str]:
    """`prism mock` of the spec on 127.0.0.1:port until the block ends; yields its version."""
    if not PRISM.exists():
        raise RunError(f"{PRISM.relative_to(ROOT)} is missing: make readme installs it (npm ci)")
    version = run([str(PRISM), "--version"]).output.strip()
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), SPEC],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(port, process)
        yield version
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _wait_for(port: int, process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RunError(f"{process.args!r} exited with {process.returncode} at start")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
            return
        threading.Event().wait(0.1)
    raise RunError(f"nothing listened on 127.0.0.1:{port} within 60 s")


def record_prism() -> Files:
    port = preferred_port(4010)
    url = f"http://127.0.0.1:{port}"
    with prism(port) as version, tempfile.TemporaryDirectory(prefix="readme-prism-") as reports:
        stateful = run(["make", "-s", "contract", f"BASE_URL={url}", "NGROK_API_KEY=any-key",
                        "SEED=0"], statuses=(2,))  # fmt: skip
        # make exits 2 whatever its recipe's status: the command itself, to see its 1.
        run([PYTHON, "-m", "scripts.run_contract", f"--base-url={url}", "--seed=0",
             "--profile=schema", f"--reports-dir={reports}"], env={"NGROK_API_KEY": "any-key"},
            statuses=(1,))  # fmt: skip
        summary = (Path(reports) / "summary.md").read_text(encoding="utf-8")
    return {"console.txt": stateful.transcript(), "schema-summary.md": summary,
            "prism-version.txt": version + "\n"}  # fmt: skip


def _schema_findings(files: Files) -> list[str]:
    return re.findall(r"^## \d+\. (\w+)$", files["schema-summary.md"], re.MULTILINE)


def check_prism(files: Files) -> list[str]:
    problems = [f"the test {t} is gone" for t in missing_tests(files["console.txt"])]
    found = _schema_findings(files)
    if len(set(found)) != 1:
        problems.append(f"the README says every finding is the same one; they are {found}")
    problems += [f"property {p} is no longer registered" for p in unknown_properties(found)]
    return problems


def prism_finding(files: Files) -> str:
    """The schema run's first finding, its heading and first three lines."""
    summary = files["schema-summary.md"]
    start = summary.index("## 1. ")
    lines = summary[start:].splitlines()[:4]
    return "```text\n" + "\n".join(lines) + "\n```\n"


def prism_findings(files: Files) -> str:
    found = _schema_findings(files)
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
    return f"{words.get(len(found), str(len(found)))} finding{'s' * (len(found) != 1)}"


def prism_version(files: Files) -> str:
    return f"Prism {files['prism-version.txt'].strip()}"


# -- make serve, and a curl against it ---------------------------------------------------------

CURL_SHOWN = (
    '$ curl -H "Authorization: Bearer {key}" -H "Ngrok-Version: 2" \\\n'
    '       -H "Content-Type: application/json" '
    '-d \'{{"backends": [], "description": "acme"}}\' \\\n'
    "       {url}/backends/failover"
)


def record_serve() -> Files:
    port = preferred_port(8080)
    argv = ["make", "serve", f"PORT={port}", f"API_KEY={SERVE_KEY}"]
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=environment(PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = _lines_until(process, "  parser:")
        url = f"http://127.0.0.1:{port}"
        if shutil.which("curl") is None:
            raise RunError(
                "make readme runs the README's curl: install curl (apt-get install curl)"
            )
        body = '{"backends": [], "description": "acme"}'
        answer = run(["curl", "-sS", "-H", f"Authorization: Bearer {SERVE_KEY}", "-H",
                      "Ngrok-Version: 2", "-H", "Content-Type: application/json", "-d", body,
                      f"{url}/backends/failover"])  # fmt: skip
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(30)
    console = "\n".join([f"$ {shown(argv)}", *lines, CURL_SHOWN.format(key=SERVE_KEY, url=url),
                         answer.output.rstrip("\n")])  # fmt: skip
    return {"console.txt": console + "\n"}


def _lines_until(process: subprocess.Popen[str], last: str) -> list[str]:
    """The lines `process` prints up to the one starting with `last` (60 s at most)."""
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(last):
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(60) or not lines or not lines[-1].startswith(last):
        raise RunError(f"make serve printed no {last.strip()!r} line:\n" + "\n".join(lines))
    return lines


def check_serve(files: Files) -> list[str]:
    """The banner as the server prints it now, and the answer's fields as the spec has them."""
    console = files["console.txt"].splitlines()
    found = re.search(r"^  URL: +http://127\.0\.0\.1:(\d+)$", files["console.txt"], re.M)
    if found is None:
        return ["the console shows no URL line"]
    port = int(found.group(1))
    url = f"http://127.0.0.1:{port}"
    start = console.index("ngrok Failover Backends reference server")
    printed = console[start : start + 7]
    now = banner(ServerConfig(api_key=SERVE_KEY, port=port), url, key_from="NGROK_API_KEY")
    problems = []
    if printed != now.splitlines():
        problems.append(f"the banner is now:\n{now}")
    answer = json.loads(console[-1])
    fields = spec()["components"]["schemas"]["FailoverBackend"]["required"]
    if sorted(answer) != sorted(fields) or answer.get("description") != "acme":
        problems.append(f"the answer {answer} does not have the spec's fields {fields}")
    return problems


# -- make bench QUICK=1: how long the smoke run takes ------------------------------------------


def record_bench_quick() -> Files:
    console = run(["make", "--no-print-directory", "bench", "QUICK=1"], timeout=1800)
    load = re.findall(
        r"^- Load average at start \(1, 5, 15 min\): ([\d.]+), ", console.output, re.M
    )
    times = [line for line in console.output.splitlines() if re.match(r"bench: .* took ", line)]
    times += [f"load average at start: {load[0]}"] if load else []
    # The load at the end too: a shared machine's other work stretches every section.
    times += [f"load average at end: {os.getloadavg()[0]:.2f}"]
    if not any("whole run" in line for line in times):
        raise RunError(f"make bench QUICK=1 printed no time:\n{console.output[-3000:]}")
    return {"times.txt": "\n".join(times) + "\n"}


def quick_time(files: Files, date: str) -> str:
    lines = files["times.txt"].splitlines()
    whole = next((line for line in lines if "whole run" in line), "")
    minutes = re.search(r"took ([\d.]+) min", whole)
    if minutes is None:
        raise RunError(f"no time in {whole!r}")
    loads = [line.split(": ")[1] for line in lines if line.startswith("load average at ")]
    load = f", load average {' at start, '.join(loads)} at end" if loads else ""
    return f"took {minutes.group(1)} min here (measured {date}{load})"


def check_bench_quick(files: Files) -> list[str]:
    from bench.__main__ import SECTIONS  # noqa: PLC0415 (matplotlib: only when checked)

    ran = re.findall(r"^bench: (\w+) took", files["times.txt"], re.MULTILINE)
    return [] if ran == list(SECTIONS) else [f"the smoke run ran {ran}, not {list(SECTIONS)}"]


Renderer = Callable[[Files], str]
