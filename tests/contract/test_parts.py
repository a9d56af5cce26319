"""A run in parts (`runner.parts`): several suite processes side by side, one run's verdict.

Unit tests pin the order parts take tests in and that each is claimed once, how parts are
named and counted, and how their reports merge; whole runs show that two parts on one server
leave a user's backends alone and report as one run, and that a fault one part's test
catches fails the run.
"""

from __future__ import annotations

import fcntl
import json
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from ngrok_failover_contract.live.gate import Gate, RunAborted
from ngrok_failover_contract.live.marker import MARKER_RE, marker_of
from ngrok_failover_contract.live.safety import ROUND_TRIP_SAMPLES, SUITE_S_PER_REQUEST
from ngrok_failover_contract.reporting.coverage import Coverage
from ngrok_failover_contract.reporting.events import Collected, Ended, Finished, Requests
from ngrok_failover_contract.reporting.merge import merge_junit, merged_end
from ngrok_failover_contract.runner.parts import (
    MAX_PROCESSES,
    ROUND_TRIP_ENV,
    Claims,
    Part,
    PartError,
    claim_order,
    claims_of,
    in_suite_order,
    part_folder,
    part_from_env,
    part_run_id,
    processes_for,
    round_trip_from_env,
    spent_of,
    start_shared,
    usable_cores,
)
from ngrok_failover_contract.runner.plugin import _torn_down_to
from ngrok_failover_contract.runner.run_parts import _follow, _Launched
from ngrok_failover_contract.runner.stops import Stops
from ngrok_failover_server.asgi import ASGIApp, Receive, Scope, Send
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import delayed, new_api_key, serve_in_thread

from .accounts import account
from .helpers import CI_SEED, ROOT, run_contract

TESTS = [
    "test_links_chain_operations",
    "test_backends_behave_like_the_model",
    "test_operation_honours_spec[POST /backends/failover]",
    "test_every_page_followed_lists_each_existing_backend_once_newest_first",
    "test_operation_honours_spec[GET /backends/failover]",
    "test_operation_honours_spec[GET /backends/failover/{id}]",
    "test_deleted_backend_is_gone_everywhere",
    "test_ids_one_edit_away_are_not_found",
]
TEST_LINE = re.compile(r"^\s+\[\s*(\d+)/(\d+)\] (\S+)\s+(.+?)  \(")


def test_parts_take_the_heaviest_tests_first_whatever_the_order_they_come_in() -> None:
    order = [TESTS[i] for i in claim_order(TESTS)]
    assert order[:4] == TESTS[:4]  # the state machines, the creates' fuzzing, the walks
    reordered = list(reversed(TESTS))
    assert [reordered[i] for i in claim_order(reordered)][:4] == order[:4]
    assert sorted(order) == sorted(TESTS)


def test_each_test_is_claimed_by_one_part_however_many_ask_at_once(tmp_path: Path) -> None:
    """Several parts asking for the same tests at once: each test goes to exactly one."""
    path = tmp_path / "parts" / "claims"
    won: list[list[str]] = [[] for _ in range(4)]

    def part(number: int) -> None:
        claims = Claims(path)  # a part's own handle on the shared file, as each process has
        won[number] += [test for test in TESTS * 3 if claims.take(test)]

    threads = [threading.Thread(target=part, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(test for tests in won for test in tests) == sorted(TESTS)
    assert sorted(path.read_text().splitlines()) == sorted(TESTS)


def test_a_part_has_a_run_id_of_its_own_in_the_marker_s_form() -> None:
    run_id = "20261201T101500Z-3f2a9c"
    ids = [part_run_id(run_id, number) for number in (1, 2, 3)]
    assert ids[0] == run_id
    assert len(set(ids)) == 3
    assert all(MARKER_RE.match(marker_of(i)) for i in ids)
    assert all(i.startswith("20261201T101500Z-") for i in ids)


def test_a_malformed_part_is_refused_by_name() -> None:
    assert part_from_env({}) is None
    assert part_from_env({"NGROK_FAILOVER_CONTRACT_PART": "2/3"}) == Part(2, 3)
    for raw in ("2", "a/b", "0/2", "3/2"):
        with pytest.raises(PartError, match="NGROK_FAILOVER_CONTRACT_PART"):
            part_from_env({"NGROK_FAILOVER_CONTRACT_PART": raw})


def test_processes_follow_the_cores_only_where_no_account_is_at_stake() -> None:
    local = partial(processes_for, remote=False, shard=False)
    assert local(None, cores=2).count == 2
    assert local(None, cores=64).count == MAX_PROCESSES
    assert local(None, cores=None).count == 1
    assert local(3, cores=1).count == 3  # as given
    remote = processes_for(None, remote=True, shard=False, cores=8)
    assert remote.count == 1 and "rate limit" in remote.why
    assert processes_for(None, remote=False, shard=True, cores=8).count == 1
    assert "one a core" in local(None, cores=2).why


def test_processes_are_two_a_core_where_the_round_trip_outlasts_the_suite_s_work() -> None:
    """Tests that wait on a server one request at a time overlap in more processes; one
    answering at once keeps one a core (the suite's CPU is the bound). A run that is
    remote, reproduces a shard, or was given its processes never measures."""
    local = partial(processes_for, remote=False, shard=False)

    def after(seconds: float | None) -> Callable[[], float | None]:
        return lambda: seconds

    slow = local(None, cores=2, measure=after(0.15))
    assert slow.count == 4 and "150 ms" in slow.why and slow.round_trip_s == 0.15
    assert local(None, cores=1, measure=after(0.15)).count == 2
    assert local(None, cores=8, measure=after(0.15)).count == MAX_PROCESSES
    near = local(None, cores=2, measure=after(SUITE_S_PER_REQUEST))
    assert near.count == 2 and near.round_trip_s == SUITE_S_PER_REQUEST
    assert local(None, cores=2, measure=after(None)).count == 2

    def never() -> float:
        raise AssertionError("measured a server that cannot choose the processes")

    assert local(3, cores=2, measure=never).count == 3
    assert processes_for(None, remote=True, shard=False, cores=2, measure=never).count == 1
    assert processes_for(None, remote=False, shard=True, cores=2, measure=never).count == 1


def test_the_command_s_round_trip_reaches_the_parts_or_is_refused_by_name() -> None:
    assert round_trip_from_env({}) is None
    assert round_trip_from_env({ROUND_TRIP_ENV: "0.150000"}) == 0.15
    for raw in ("fast", "-1", "nan", "1e9"):
        with pytest.raises(PartError, match=ROUND_TRIP_ENV):
            round_trip_from_env({ROUND_TRIP_ENV: raw})


def test_a_server_that_answers_late_gets_more_processes_each_told_its_round_trip(
    tmp_path: Path,
) -> None:
    """A server 10 ms late behind a loopback port, no --processes: the command measures its
    round trip (a list call and its samples), starts two processes a core, and each part's
    preflight is one list call, its workers chosen from the command's measure."""
    calls: list[str] = []

    def counted(app: ASGIApp) -> ASGIApp:
        async def counting(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == "GET":
                calls.append(f"{scope['path']}?{scope['query_string'].decode()}")
            await app(scope, receive, send)

        return delayed(counting, 0.01)

    key = new_api_key()
    with serve_in_thread(ServerConfig(api_key=key), wrap=counted) as server:
        verdict = run_contract(
            tmp_path,
            f"--base-url={server.base_url}",
            f"--seed={CI_SEED}",
            "--",
            "-k",
            "test_never_created_id_is_404",
            env={"NGROK_API_KEY": key, "PROCESSES": ""},  # the tests' default is one
        )
    assert verdict.returncode == 0, verdict.output[-3000:]
    expected = min(2 * (usable_cores() or 1), MAX_PROCESSES)
    assert f"{expected} processes side by side (the server's round trip was" in verdict.output
    measures = calls.count("/backends/failover?limit=1")
    assert measures == 1 + ROUND_TRIP_SAMPLES + expected, calls
    workers = re.findall(r"^- Part \d: Workers: (\d+) ", verdict.summary, re.M)
    assert len(workers) == expected and all(int(w) > 1 for w in workers), verdict.summary
    assert key not in verdict.output


def test_stops_reach_each_part_once_it_is_ready() -> None:
    class Child:
        def __init__(self) -> None:
            self.sent: list[int] = []

        def poll(self) -> None:
            return None

        def send_signal(self, signum: int) -> None:
            self.sent.append(signum)

    first, second = Child(), Child()
    stops = Stops()
    stops.attach(first)  # type: ignore[arg-type]
    stops.attach(second)  # type: ignore[arg-type]
    stops._on_signal(signal.SIGINT, None)  # held: nobody is ready
    assert first.sent == second.sent == []
    stops.ready(first)  # type: ignore[arg-type]
    assert first.sent == [signal.SIGINT] and second.sent == []
    stops.ready(second)  # type: ignore[arg-type]
    stops._on_signal(signal.SIGTERM, None)
    assert first.sent == [signal.SIGINT, signal.SIGTERM]
    assert second.sent == [signal.SIGINT, signal.SIGTERM]


def test_the_parts_coverage_adds_up() -> None:
    one, two, whole = Coverage(), Coverage(), Coverage()
    for coverage, answers in ((one, [404, 200]), (two, [404, 401])):
        for status in answers:
            coverage.observe("GET", "http://h/backends/failover/bkdfo_x", status)
            whole.observe("GET", "http://h/backends/failover/bkdfo_x", status)
        coverage.checked("get_answers_200", held=status != 401)
        whole.checked("get_answers_200", held=status != 401)
    merged = Coverage()
    merged.add(one.as_json())
    merged.add(two.as_json())
    assert merged.as_json() == whole.as_json()
    with pytest.raises(ValueError, match=r"coverage\.json"):
        merged.add({"operations": []})


def test_the_parts_junit_is_one_suite_of_all_their_cases(tmp_path: Path) -> None:
    def written(name: str, cases: list[str], failures: int) -> Path:
        body = "".join(f'<testcase classname="suite" name="{case}" />' for case in cases)
        path = tmp_path / f"{name}.xml"
        path.write_text(
            f'<testsuites><testsuite name="contract" tests="{len(cases)}" errors="0" '
            f'failures="{failures}" skipped="0" time="{len(cases)}.5">{body}</testsuite>'
            "</testsuites>"
        )
        return path

    merge_junit([written("a", ["x", "y"], 1), written("b", ["z"], 0)], tmp_path / "out.xml")
    suite = ET.parse(tmp_path / "out.xml").getroot().find("testsuite")
    assert suite is not None
    assert [case.get("name") for case in suite.findall("testcase")] == ["x", "y", "z"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("3", "1", "2.500")


def test_the_parts_ends_are_one_run_s_end() -> None:
    ends = [
        Ended(0, (), requests=10, creates=3, removed=3),
        Ended(1, (), requests=5, creates=2, removed=None, left=("bkdfo_b",), signalled="SIGINT"),
    ]
    end = merged_end(ends, 130, [])
    assert (end.requests, end.creates, end.removed, end.left) == (15, 5, 3, ("bkdfo_b",))
    assert (end.status, end.signalled, end.cannot_run) == (130, "SIGINT", None)


def _test_lines(output: str) -> list[tuple[int, int, str, str]]:
    found = []
    for line in output.splitlines():
        match = TEST_LINE.match(line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3], match[4]))
    return found


@pytest.mark.slow
def test_two_parts_on_one_server_leave_its_backends_alone_and_report_as_one_run(
    tmp_path: Path,
) -> None:
    """Each part sees the other's backends as another client's: both pass, the user's
    backends come out as they were, and the reports are one run's."""
    with account() as acct:
        before = acct.listing()
        verdict = run_contract(
            tmp_path,
            f"--base-url={acct.server.base_url}",
            f"--seed={CI_SEED}",
            env={"PROCESSES": "2", "NGROK_API_KEY": acct.server.api_key},
        )
        assert verdict.returncode == 0, verdict.output[-3000:]
        assert acct.listing() == before
        assert not acct.changes_naming_production()
    assert "2 processes side by side (as given)" in verdict.output
    lines = _test_lines(verdict.output)
    total = lines[0][1]
    assert [number for number, *_ in lines] == list(range(1, total + 1))
    assert {of for _, of, *_ in lines} == {total}
    assert len({test for *_, test in lines}) == total  # each test once, in one part or the other
    assert {outcome for _, _, outcome, _ in lines} <= {"passed", "skipped"}
    parts = [tmp_path / "parts" / str(number) for number in (1, 2)]
    requests = [int(n) for n in re.findall(r"^- Part \d: Requests: (\d+)", verdict.summary, re.M)]
    (whole,) = re.findall(r"^- Requests: (\d+) .*, in all parts$", verdict.summary, re.M)
    assert len(requests) == 2 and int(whole) == sum(requests), verdict.summary
    run_ids = [line for line in verdict.summary.splitlines() if "Run id:" in line]
    assert len(run_ids) == 2 and run_ids[0].startswith("- Part 1:"), verdict.summary
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None and len(suite.findall("testcase")) == total
    merged = json.loads((tmp_path / "coverage.json").read_text())
    each = [json.loads((part / "coverage.json").read_text()) for part in parts]
    for operation, statuses in merged["operations"].items():
        for status, count in statuses.items():
            assert count == sum(p["operations"][operation][status] for p in each)
    assert acct.server.api_key not in (tmp_path / "pytest.log").read_text()


@pytest.mark.slow
def test_a_fault_one_part_catches_fails_the_whole_run(tmp_path: Path) -> None:
    """Without --base-url each part plants the fault in a reference server of its own; the
    test that catches it runs in one part or the other, and the run fails with its finding."""
    verdict = run_contract(
        tmp_path,
        f"--seed={CI_SEED}",
        "--mutant=id_case_insensitive",
        "--",
        "-k",
        "test_ids_one_edit_away or test_deleted_backend or test_keys_one_edit_away",
        env={"PROCESSES": "2"},
    )
    assert verdict.returncode == 1, verdict.output[-3000:]
    assert "2 processes side by side" in verdict.output
    outcomes = {test: outcome for *_, outcome, test in _test_lines(verdict.output)}
    assert outcomes["suite/test_lifecycle.py::test_ids_one_edit_away_are_not_found"] == "FAILED"
    assert (
        outcomes["suite/test_lifecycle.py::test_keys_one_edit_away_are_refused_on_every_operation"]
        == "passed"
    )
    assert "FAIL" in verdict.summary and "near_miss_id_not_found" in verdict.summary, (
        verdict.summary
    )


def test_a_part_with_no_test_is_no_failure_and_coverage_is_judged_once(tmp_path: Path) -> None:
    """One test, two parts: one claims nothing to run. --require-coverage is the whole run's:
    the statuses one test never shows are one finding, not one a part."""
    verdict = run_contract(
        tmp_path,
        f"--seed={CI_SEED}",
        "--",
        "-k",
        "test_never_created_id_is_404",
        env={"PROCESSES": "2", "REQUIRE_COVERAGE": "1"},  # as make passes it: every part sees it
    )
    assert verdict.returncode == 1, verdict.output[-3000:]
    assert "2 processes side by side" in verdict.output
    assert [(n, of) for n, of, *_ in _test_lines(verdict.output)] == [(1, 1)]
    assert verdict.summary.count("documented_statuses_seen") == 1, verdict.summary


def test_the_console_counts_every_part_s_tests_before_it_shows_one() -> None:
    """A part may finish a test before the other has collected: that line waits, so it is
    numbered of all the run's tests (each part collects every one); the requests told are
    every part's."""

    class Console:
        def __init__(self) -> None:
            self.seen: list[object] = []

        def handle(self, event: object) -> None:
            self.seen.append(event)

        def say(self, text: str) -> None:
            self.seen.append(text)

    launched = [_Launched(Part(n, 2), Path(), None, -1, None) for n in (1, 2)]  # type: ignore[arg-type]
    inbox: queue.Queue[tuple[int, object]] = queue.Queue()
    done = Finished("suite/test_a.py::test_a", "passed", 3, 0.1)
    end = Ended(0, (), requests=3, creates=0, removed=0)
    for item in [
        (0, Collected(7)),
        (0, Requests(3)),
        (0, done),
        (1, Collected(7)),
        (1, Requests(4)),
        (0, end),
        (0, None),
        (1, None),
    ]:
        inbox.put(item)
    console = Console()
    _follow(launched, inbox, console, Stops())  # type: ignore[arg-type]
    assert console.seen == [Collected(7), Requests(3), done, Requests(7)]
    assert launched[0].ended == end and launched[1].ended is None


def test_the_parts_findings_come_in_the_suite_s_order() -> None:
    """As one process would have found them: the directed scenarios' (the plainest) first,
    what no test found (the cleanup's, the coverage's) last."""
    tests = [
        "(cleanup)",
        "suite/test_histories.py::test_concurrent_calls_have_an_order_the_model_explains",
        "suite/test_stateful.py::test_links_chain_operations",
        "suite/test_lifecycle.py::test_update_keeps_absent_fields_and_replaces_present_ones",
        "suite/test_model.py::test_backends_behave_like_the_model",
    ]
    ordered = sorted(tests, key=in_suite_order)
    assert ordered == [tests[3], tests[4], tests[2], tests[1], tests[0]]


def test_a_part_tears_down_only_what_no_later_test_shares() -> None:
    """The next test a part runs is unknown when pytest tears the last one down (another
    part may claim any): only what every later test shares is kept."""

    class Item:
        def __init__(self, path: str) -> None:
            self.path = Path(path)

    fakes = [Item("suite/a.py"), Item("suite/a.py"), Item("suite/b.py"), Item("suite/b.py")]
    items: list[pytest.Item] = fakes  # type: ignore[assignment]
    assert _torn_down_to(items, 0) is items[2]  # another module's: the session stays
    assert _torn_down_to(items, 1) is items[2]
    assert _torn_down_to(items, 2) is items[3]  # only this module's left: it stays too
    assert _torn_down_to(items, 3) is None


def test_a_claim_waits_while_another_part_holds_the_claims() -> None:
    """The claims file is locked while a part reads and writes it: a claim made meanwhile
    waits (without the lock two parts could both read a test as free and both run it)."""

    with tempfile.TemporaryDirectory() as folder:
        start_shared(Path(folder))
        claims = claims_of(Path(folder), None)
        taken: list[bool] = []
        with claims.path.open("a+", encoding="utf-8") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # as another part does inside `take`
            waiting = threading.Thread(target=lambda: taken.append(claims.take(TESTS[0])))
            waiting.start()
            waiting.join(timeout=0.3)
            assert waiting.is_alive() and taken == []  # it waits for the lock
            held.write(TESTS[1] + "\n")
        waiting.join()
        assert taken == [True]
        assert claims.path.read_text().splitlines() == [TESTS[1], TESTS[0]]


def test_the_command_starts_its_parts_without_loading_what_only_the_suite_needs() -> None:
    """The command (with the checkout's rig) reaches the parts' start having loaded none of
    the suite's heavy libraries: the parts load them, side by side, while it waits."""
    probe = (
        "import sys\n"
        "from scripts.run_contract import rig\n"
        "from ngrok_failover_contract.runner import cli, run, run_parts\n"
        "rig()\n"
        "heavy = ('schemathesis', 'hypothesis', 'httpx', 'requests', 'pytest', 'jsonschema_rs')\n"
        "print(' '.join(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_parts_spend_one_budget_whichever_part_spends_it(tmp_path: Path) -> None:
    """Two parts' gates, each allowed the run's 5 creates: the run's sixth is refused, in
    the part that sends it (without the shared count each part would make 5)."""
    marker = "[contract run 20261201T000000Z-abcdef]"
    part_gates = [
        Gate(
            marker, max_creates=5, spend=spent_of(part_folder(tmp_path, Part(k, 2)), Part(k, 2)).add
        )
        for k in (1, 2)
    ]
    start_shared(tmp_path)
    body = {"description": f"{marker} a backend", "backends": []}
    url = "http://127.0.0.1:1/backends/failover"
    for gate in (*part_gates, *part_gates, part_gates[0]):
        gate.admit("POST", url, body)
    part_gates[1].admit("GET", url, None)  # a read spends no create
    with pytest.raises(RunAborted, match="budget of 5 creates"):
        part_gates[1].admit("POST", url, body)
    assert (part_gates[0].creates, part_gates[1].creates) == (3, 3)  # each part's own count
    start_shared(tmp_path)  # the next run's parts start from nothing
    part_gates[1].admit("POST", url, body)
