"""Shards: a test's examples split to run side by side, and how their failures come back."""

from __future__ import annotations

import ast
import socket
import threading
from functools import partial
from typing import Any, cast

import pytest

from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.compat import ast_parse_serialized
from ngrok_failover_contract.core.exchange import Exchange
from ngrok_failover_contract.core.registry import ContractViolation, Property
from ngrok_failover_contract.drivers.walks import settled
from ngrok_failover_contract.drivers.workers import Shard, run_shards, shard_of, side_by_side, split
from ngrok_failover_contract.live import safety
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.marker import marker_of
from ngrok_failover_contract.live.safety import (
    ROUND_TRIP_SAMPLES,
    PreflightError,
    plain_round_trip,
    preflight,
    round_trip,
    workers_for,
)
from ngrok_failover_contract.reporting.coverage import Coverage
from ngrok_failover_contract.runner.options import resolve
from ngrok_failover_contract.runner.session import ContractSession
from ngrok_failover_server.asgi import ASGIApp, Receive, Scope, Send
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import delayed, new_api_key, serve_in_thread

BASE = "http://127.0.0.1:9/backends/failover"


def _gate() -> Gate:
    return Gate(marker_of("20261126T074746Z-3f2a9c"))


def test_examples_are_shared_and_shard_one_keeps_the_runs_seed() -> None:
    shards = split(seed=7, examples=30, workers=16)
    assert len(shards) == 16 and sum(s.examples for s in shards) == 30
    assert [s.number for s in shards] == list(range(1, 17))
    assert shards[0].seed == 7 and len({s.seed for s in shards}) == 16
    assert split(seed=7, examples=30, workers=16) == shards  # derived, not drawn
    assert split(seed=7, examples=30, workers=1) == [Shard(1, 1, 7, 30)]
    assert len(split(seed=7, examples=3, workers=16)) == 3  # no shard without an example


def test_one_shard_alone_is_the_same_shard_as_in_the_whole_run() -> None:
    whole = split(seed=0, examples=25, workers=8)
    assert split(seed=0, examples=25, workers=8, only=3) == [whole[2]]


def test_the_first_failure_cancels_the_others_and_names_its_shard() -> None:
    gate = _gate()
    started = threading.Barrier(4)
    finished: list[int] = []

    def body(shard: Shard) -> None:
        started.wait(10)
        if shard.number == 2:
            raise ContractViolation(Property.IDS_ARE_UNIQUE, "planted")
        gate.pause(60.0)  # a long wait: only a cancel ends it early (at its next step)
        finished.append(shard.number)

    with pytest.raises(ContractViolation) as failed:
        run_shards(gate, split(seed=0, examples=4, workers=4), body)
    assert shard_of(failed.value) == split(seed=0, examples=4, workers=4)[1]
    assert finished == [], "shards went on after another shard of the test failed"


def test_one_worker_runs_the_tasks_in_turn_in_the_calling_thread() -> None:
    threads: list[str] = []
    tasks = [lambda: threads.append(threading.current_thread().name) for _ in range(3)]
    side_by_side(_gate(), tasks, workers=1)
    assert threads == [threading.current_thread().name] * 3


class _Walks:
    """A walk that fails the first time; optionally a delete is sent meanwhile."""

    def __init__(self, gate: Gate, *, delete_meanwhile: bool) -> None:
        self.gate, self.delete_meanwhile, self.calls = gate, delete_meanwhile, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls == 1:
            if self.delete_meanwhile:
                self.gate.send(
                    "DELETE",
                    f"{BASE}/bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu",
                    None,
                    send_once=lambda: 204,
                    status_and_retry_after=lambda status: (status, None),
                    discard=lambda status: None,
                )
            raise ContractViolation(Property.LISTED_EXACTLY_ONCE, "planted repeat")
        return "listing"


def test_a_walk_that_failed_while_a_delete_went_out_is_walked_again_in_quiet() -> None:
    gate = _gate()
    gate.allow("bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu")
    walks = _Walks(gate, delete_meanwhile=True)
    assert settled(gate, walks) == "listing" and walks.calls == 2


def test_a_walk_that_failed_on_a_list_standing_still_is_a_violation_at_once() -> None:
    gate = _gate()
    walks = _Walks(gate, delete_meanwhile=False)
    with pytest.raises(ContractViolation, match="planted repeat"):
        settled(gate, walks)
    assert walks.calls == 1


def test_checks_in_every_shard_count_in_the_runs_tally() -> None:
    """The tally is handed along in the run's `Judge`, not found in a thread's context: the
    checks of shards in other threads count in the same place, none lost to a race."""
    tally = Coverage()
    judge = Judge(tally)
    page = Exchange("GET", BASE, {}, None, 200, {}, "{}")

    def checks() -> None:
        for _ in range(200):
            judge.page_within_limit({"backends": []}, 1, page)

    side_by_side(_gate(), [checks] * 4, workers=4)
    assert (tally.exercised["limit_is_honoured"], tally.held["limit_is_honoured"]) == (800, 800)


def test_ast_parse_is_serialized_only_while_shards_run_side_by_side() -> None:
    original = ast.parse
    seen: list[bool] = []
    side_by_side(_gate(), [lambda: seen.append(ast.parse is not original)] * 2, workers=2)
    assert seen == [True, True] and ast.parse is original


def test_ast_parse_is_serialized_only_inside_the_block() -> None:
    original = ast.parse
    with ast_parse_serialized():
        assert ast.parse is not original
        assert isinstance(ast.parse("x = 1"), ast.Module)
    assert ast.parse is original


def test_nested_blocks_serialize_ast_parse_with_one_lock() -> None:
    """Shards side by side inside a shard: the inner block's parses wait for the outer
    block's too (a lock of its own would let them race: SystemError, seen at 150 ms)."""
    original = ast.parse
    with ast_parse_serialized():
        outer = ast.parse
        with ast_parse_serialized():
            assert ast.parse is outer
        assert ast.parse is outer
    assert ast.parse is original
    nested: list[object] = []

    def inner() -> None:
        side_by_side(_gate(), [lambda: nested.append(ast.parse)] * 2, workers=2)

    side_by_side(_gate(), [inner, lambda: nested.append(ast.parse)], workers=2)
    assert len(set(map(id, nested))) == 1 and ast.parse is original


def test_the_preflight_measures_the_round_trip_that_chooses_the_workers() -> None:
    """A server 40 ms late behind a loopback port: the preflight's round trip shows it (not
    the address), and that asks for requests in flight (40 ms over the 3 ms of the
    suite's own per request); the measure alone takes whatever the server answers."""
    key = new_api_key()
    with serve_in_thread(ServerConfig(api_key=key), wrap=lambda app: delayed(app, 0.04)) as late:
        slow = preflight(late.base_url, key)
        assert round_trip(late.base_url, "not the key") >= 0.04
    assert slow >= 0.04
    assert workers_for(slow, None).count >= 13


def test_the_preflight_reads_a_distant_round_trip_in_fewer_samples() -> None:
    """A near server's round trip is the fastest of four samples after the first call; a
    server 110 ms late gets two (their time is the run's), and the fastest of them chooses."""

    def counted(app: ASGIApp, calls: list[str], delay: float) -> ASGIApp:
        async def counting(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                calls.append(scope["path"])
            await app(scope, receive, send)

        return delayed(counting, delay) if delay else counting

    key = new_api_key()
    for delay, expected in ((0.0, 1 + ROUND_TRIP_SAMPLES), (0.11, 3)):
        calls: list[str] = []
        wrap = partial(counted, calls=calls, delay=delay)
        with serve_in_thread(ServerConfig(api_key=key), wrap=wrap) as server:
            trip = preflight(server.base_url, key)
        assert len(calls) == expected, (delay, calls)
        assert trip >= delay


def test_the_command_measures_a_round_trip_with_the_standard_library_alone() -> None:
    """The command's measure (before any process loads httpx) reads as the preflight's: a
    list call, then its samples on one connection; a server that is not there is None, and
    the preflight told a measure checks with one call and returns it."""
    calls: list[str] = []

    def counting(app: ASGIApp) -> ASGIApp:
        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                calls.append(dict(scope["headers"]).get(b"authorization", b"").decode())
            await app(scope, receive, send)

        return delayed(counted, 0.04)

    key = new_api_key()
    with serve_in_thread(ServerConfig(api_key=key), wrap=counting) as late:
        trip = plain_round_trip(late.base_url + "/", key)
        assert trip is not None and 0.03 <= trip < 1.0  # the loop may wake a little early
        assert calls == [f"Bearer {key}"] * (1 + ROUND_TRIP_SAMPLES)
        calls.clear()
        assert preflight(late.base_url, key, measured=0.123) == 0.123
        assert len(calls) == 1
        with pytest.raises(PreflightError, match="refused"):
            preflight(late.base_url, "not the key", measured=0.123)
    assert plain_round_trip(late.base_url, key) is None  # stopped: nothing answers there


def test_the_command_s_measure_says_at_once_that_no_answer_came_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that takes the request and never answers: the command stops there, not
    after its processes' preflight waited as long again."""
    monkeypatch.setattr(safety, "PREFLIGHT_TIMEOUT_S", 0.2)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(PreflightError, match=f"cannot reach {url}: no answer within 0 s"):
            plain_round_trip(url, "some-key")


def test_a_comparison_keeps_one_worker_whatever_the_round_trip() -> None:
    """Workers chosen from a slow base side's round trip would break a comparison's pairing
    (each request to one side, then the other); a contract run gets them."""
    options = resolve({"NGROK_API_KEY": new_api_key()}, ["--base-url=http://127.0.0.1:9"])
    contract = ContractSession(options, Gate(marker_of(options.run_id)))
    contract.choose_workers(0.15)
    assert contract.options.workers > 1
    comparison = ContractSession(options, Gate(marker_of(options.run_id)))
    comparison.comparing = cast(Any, object())
    comparison.choose_workers(0.15)
    assert comparison.options.workers == 1
    assert comparison.workers_why == "a comparison sends one request at a time"
