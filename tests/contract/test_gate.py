"""The gate every request passes: changes only to the run's own ids, marked creates, the rate
limit, and 429 waited out. Each refusal is a planted unsafe request."""

from __future__ import annotations

import errno
import signal
import threading
import time
from collections.abc import Callable

import httpx
import pytest
import requests

from ngrok_failover_contract.core.api import DESCRIPTION_MAX
from ngrok_failover_contract.live.gate import (
    PAUSE_STEP_S,
    Cancelled,
    Gate,
    GatedTransport,
    RunAborted,
    Stopped,
    UnsafeRequest,
    gate_stray_requests,
    gated_session,
)
from ngrok_failover_contract.live.marker import is_marked_or_inert, mark_body, marker_of
from ngrok_failover_contract.live.safety import is_loopback, is_remote, max_rpm_for, profile_for
from ngrok_failover_contract.runner.options import resolve
from ngrok_failover_contract.runner.session import ContractSession
from ngrok_failover_server.testing import serve_in_thread

MARKER = marker_of("20261126T074746Z-3f2a9c")
MINE = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
PRODUCTION = "bkdfo_3MdN8wnQA09ZfXn54fL8vX97Aoj"
BASE = "https://api.ngrok.com/backends/failover"


def _gate(**kwargs: object) -> Gate:
    gate = Gate(MARKER, **kwargs)  # type: ignore[arg-type]
    gate.allow(MINE)
    return gate


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/{PRODUCTION}",
        f"{BASE}/{PRODUCTION.lower()}",
        f"{BASE}/%62kdfo_{PRODUCTION[6:]}",  # percent-encoded
        f"{BASE}/x{PRODUCTION}%20",  # hidden inside junk
        f"{BASE}/{MINE}?before_id={PRODUCTION}",
        BASE,  # the whole collection
        "https://api.ngrok.com/other",
    ],
)
@pytest.mark.parametrize("method", ["PATCH", "DELETE", "delete"])
def test_changes_to_anything_not_created_by_the_run_are_refused(method: str, url: str) -> None:
    with pytest.raises(UnsafeRequest):
        _gate().check(method, url, None)


def test_changes_to_the_runs_own_and_made_up_ids_pass() -> None:
    gate = _gate()
    gate.check("DELETE", f"{BASE}/{MINE}", None)
    gate.check("PATCH", f"{BASE}/{MINE}", b'{"metadata": "x"}')
    gate.check("DELETE", f"{BASE}/not-an-id", None)  # names no backend: a negative test
    gate.check("GET", f"{BASE}/{PRODUCTION}", None)  # reading is not changing


def test_creates_and_description_updates_must_carry_the_marker() -> None:
    gate = _gate()
    with pytest.raises(UnsafeRequest):
        gate.check("POST", BASE, b'{"backends": []}')
    with pytest.raises(UnsafeRequest):
        gate.check("PATCH", f"{BASE}/{MINE}", b'{"description": "renamed"}')
    gate.check("POST", BASE, f'{{"description": "{MARKER} x"}}'.encode())
    gate.check("POST", BASE, b"[1, 2]")  # not an object: cannot create anything
    gate.check("POST", BASE, b'{"description": 7}')  # invalid: cannot create anything


def test_marking_keeps_valid_bodies_valid_and_invalid_ones_invalid() -> None:
    valid = mark_body({"description": "d" * DESCRIPTION_MAX}, MARKER, create=True)
    assert valid["description"].startswith(MARKER)
    assert len(valid["description"]) == DESCRIPTION_MAX
    too_long = mark_body({"description": "d" * (DESCRIPTION_MAX + 1)}, MARKER, create=True)
    assert len(too_long["description"]) > DESCRIPTION_MAX
    assert mark_body({"backends": []}, MARKER, create=True)["description"] == MARKER
    assert mark_body({"metadata": "m"}, MARKER, create=False) == {"metadata": "m"}
    assert mark_body({"description": 7}, MARKER, create=True) == {"description": 7}
    assert mark_body([1], MARKER, create=True) == [1]
    bodies: list[dict[str, object]] = [{"backends": []}, {"description": ""}, {"d": 1}]
    for body in bodies:
        assert is_marked_or_inert(mark_body(body, MARKER, create=True), MARKER, create=True)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limit_keeps_any_60_seconds_to_max_rpm() -> None:
    clock = FakeClock()
    gate = _gate(max_rpm=100, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(250):
        gate.admit("GET", BASE, None)
        sent.append(clock.now)
    for index in range(len(sent) - 100):
        assert sent[index + 100] - sent[index] >= 60.0


def test_429_waits_retry_after_then_a_growing_pause_and_gives_up_at_last() -> None:
    gate = _gate()
    assert gate.retry_wait(200, None, 0) is None
    assert gate.retry_wait(429, "7", 0) == 7.0
    assert gate.retry_wait(429, None, 0) == 2.0
    assert gate.retry_wait(429, None, 2) == 8.0
    assert gate.rate_limited == 3
    with pytest.raises(RunAborted):
        gate.retry_wait(429, None, 8)


def test_a_429_holds_back_every_thread_of_the_run_until_retry_after() -> None:
    """The budget a 429 speaks of is the account's: after one thread's 429, no request of
    any thread goes out before its Retry-After is over."""
    clock = FakeClock()
    gate = _gate(clock=clock, sleep=clock.sleep)
    answers = iter([429, 200])
    gate.send(
        "GET",
        BASE,
        None,
        send_once=lambda: next(answers),
        status_and_retry_after=lambda status: (status, "30"),
        discard=lambda status: None,
    )
    assert clock.now >= 30.0
    other_thread_starts = clock.now - 10.0  # a request admitted 20 s into the pause...
    clock.now = other_thread_starts
    gate.admit("GET", BASE, None)
    assert clock.now >= 30.0  # ...waits for the same end


def test_a_cancelled_shard_stops_at_its_next_request_and_only_that_thread() -> None:
    gate = _gate()
    cancel = threading.Event()
    cancel.set()
    with gate.cancelled_by(cancel), pytest.raises(Cancelled):
        gate.admit("GET", BASE, None)
    gate.admit("GET", BASE, None)  # outside the shard's block: no cancel


def _pass_through(
    gate: Gate, send_once: Callable[[], int], method: str = "GET", url: str = BASE
) -> None:
    """`gate.send` of a request whose answer is `send_once`'s status, never a 429."""
    gate.send(
        method,
        url,
        None,
        send_once=send_once,
        status_and_retry_after=lambda status: (status, None),
        discard=lambda status: None,
    )


def test_a_quiet_walk_holds_deletes_and_a_delete_disturbs_a_walk() -> None:
    gate = _gate()
    mark = gate.deletes_mark()
    assert not gate.disturbed(mark)
    sent: list[str] = []

    def send_once() -> int:
        sent.append("DELETE")
        return 204

    def delete() -> None:
        _pass_through(gate, send_once, "DELETE", f"{BASE}/{MINE}")

    with gate.quiet():
        deleter = threading.Thread(target=delete)
        deleter.start()
        deleter.join(3 * PAUSE_STEP_S)
        assert deleter.is_alive() and not sent, "a delete went out during a quiet walk"
    deleter.join(10)
    assert sent == ["DELETE"]
    assert gate.disturbed(mark)


def test_budget_stops_the_run_but_not_its_cleanup() -> None:
    """What the run created goes at its end, whatever the tests spent."""
    gate = _gate(max_requests=2, max_creates=1)
    gate.budget_note = lambda: " (the account held 500 backends)"
    gate.admit("GET", BASE, None)
    gate.admit("POST", BASE, f'{{"description": "{MARKER}"}}'.encode())
    with pytest.raises(RunAborted, match=r"budget of 2 requests is spent \(the account held 500"):
        gate.admit("GET", BASE, None)
    gate.cleaning = True
    gate.admit("GET", BASE, None)
    gate.admit("DELETE", f"{BASE}/{MINE}", None)
    assert gate.requests == 5


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.3.4.5", True),
        ("http://[::1]:80", True),
        ("http://localhost:1", True),
        ("https://api.ngrok.com", False),
        ("http://vm:8080", False),  # a name is remote, whatever it resolves to today
        ("http://10.0.0.1", False),
    ],
)
def test_only_loopback_addresses_skip_the_live_gate(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_after_a_stop_nothing_more_is_sent_but_the_cleanup() -> None:
    gate = _gate()
    gate.stop("stopped by SIGINT")
    with pytest.raises(Stopped, match="stopped by SIGINT"):
        gate.admit("GET", BASE, None)
    assert gate.requests == 0
    gate.cleaning = True
    gate.admit("DELETE", f"{BASE}/{MINE}", None)
    assert gate.requests == 1


def test_a_stop_ends_a_rate_limit_pause_within_one_step() -> None:
    clock = FakeClock()

    def sleep_then_stop(seconds: float) -> None:
        clock.sleep(seconds)
        gate.stop("stopped by SIGTERM")

    gate = _gate(clock=clock, sleep=sleep_then_stop)
    with pytest.raises(Stopped):
        gate.pause(60.0)
    assert clock.slept == [PAUSE_STEP_S]


def test_the_stop_signal_handler_only_records_the_stop() -> None:
    """It must not raise: an exception from a handler can land while a library holds a lock."""
    gate = _gate()
    session = ContractSession(resolve({}, []), gate)
    session.request_stop(signal.SIGINT, None)
    assert gate.stop_reason == "stopped by SIGINT"
    assert session.signalled == "SIGINT"


def test_a_remote_host_defaults_to_the_live_profile_at_100_requests_a_minute() -> None:
    assert is_remote("https://api.ngrok.com") and not is_remote("http://127.0.0.1:8080")
    assert is_remote("http://127.0.0.1:8080", assume_remote=True) and not is_remote(None)
    assert (max_rpm_for(True, None), max_rpm_for(False, None)) == (100, None)
    assert (max_rpm_for(True, 0), max_rpm_for(False, 30)) == (None, 30)  # 0: no limit
    assert (profile_for(True, None), profile_for(False, None)) == ("live", "quick")
    assert profile_for(True, "thorough") == "thorough"


def test_schemathesis_sessions_pass_the_gate_once_and_stray_requests_pass_it_too() -> None:
    """The session each shard hands Schemathesis sends through the gate; a request on any
    other `requests` session (Schemathesis's auth probes make their own) passes it as well
    while a run is on, and an unsafe one is refused there."""
    with serve_in_thread() as server:
        gate = Gate(MARKER)
        url = f"{server.base_url}/backends/failover"
        headers = {"Authorization": f"Bearer {server.api_key}", "Ngrok-Version": "2"}
        with gated_session(gate) as session:
            assert session.get(url, headers=headers).status_code == 200
        assert (gate.requests, gate.strays) == (1, 0)
        with gate_stray_requests(gate):
            assert requests.get(url, headers=headers, timeout=30).status_code == 200
            with pytest.raises(UnsafeRequest):
                requests.delete(f"{url}/{PRODUCTION}", headers=headers, timeout=30)
            with gated_session(gate) as session:
                session.get(url, headers=headers)
        assert (gate.requests, gate.strays) == (3, 2)
        requests.get(url, headers=headers, timeout=30)  # the run is over: no gate
        assert gate.requests == 3


def test_a_schemathesis_session_reads_the_environment_once_as_requests_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Proxies for the server's own URL (NO_PROXY heeded) and the CA bundle, read when the
    session is made; not again for each request, nor a .netrc."""
    gate = Gate(MARKER)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corporate.pem")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with gated_session(gate, "http://api.example.com") as session:
        assert session.proxies.get("http") == "http://proxy.example:3128"
        assert session.verify == "/etc/ssl/corporate.pem" and not session.trust_env
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with gated_session(gate, "http://127.0.0.1:8080") as session:
        assert session.proxies == {}


class _ClosedUnder(httpx.BaseTransport):
    """The pool's race (encode/httpcore#1110) on the first send: the socket closed under the
    request, EBADF; then the server's answer."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.method)
        if len(self.sent) == 1:
            raise httpx.ReadError("[Errno 9] Bad file descriptor") from OSError(
                errno.EBADF, "Bad file descriptor"
            )
        return httpx.Response(200, json={"backends": [], "next_page_uri": None})


def test_a_get_whose_socket_this_process_closed_is_sent_once_more() -> None:
    inner = _ClosedUnder()
    with httpx.Client(transport=GatedTransport(_gate(), inner)) as client:
        assert client.get(BASE).status_code == 200
    assert inner.sent == ["GET", "GET"]


def test_a_write_or_a_server_s_reset_is_not_sent_again() -> None:
    """A POST may have been stored; a reset is the server's: both are the run's to judge."""
    closed = _ClosedUnder()
    posting = httpx.Client(transport=GatedTransport(_gate(), closed))
    with posting, pytest.raises(httpx.ReadError):
        posting.post(BASE, content=f'{{"description": "{MARKER}"}}')
    assert closed.sent == ["POST"]

    class Reset(_ClosedUnder):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.sent.append(request.method)
            raise httpx.ReadError("reset") from ConnectionResetError(errno.ECONNRESET, "reset")

    reset = Reset()
    getting = httpx.Client(transport=GatedTransport(_gate(), reset))
    with getting, pytest.raises(httpx.ReadError):
        getting.get(BASE)
    assert reset.sent == ["GET"]


class _Held:
    """`threads` threads sending through `gate`, each send held until `release`; `entered`
    gives how many were in flight each time one began."""

    def __init__(self, gate: Gate, threads: int) -> None:
        self.entered: list[int] = []
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._now = 0
        self.threads = [
            threading.Thread(target=_pass_through, args=(gate, self._send_once))
            for _ in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def _send_once(self) -> int:
        with self._lock:
            self._now += 1
            self.entered.append(self._now)
        self.released.wait(timeout=10)
        with self._lock:
            self._now -= 1
        return 200

    def wait_for(self, sends: int) -> None:
        while len(self.entered) < sends:
            time.sleep(0.01)

    def release(self) -> None:
        self.released.set()
        for thread in self.threads:
            thread.join(timeout=10)


def test_in_flight_at_most_holds_every_threads_requests_to_its_count() -> None:
    gate = _gate()
    unbounded = _Held(gate, 3)
    unbounded.wait_for(3)  # no bound: all three at once
    unbounded.release()
    assert unbounded.entered == [1, 2, 3]
    with gate.in_flight_at_most(2):
        bounded = _Held(gate, 3)
        bounded.wait_for(2)
        while gate.requests < 6:  # the third admitted too: only a slot holds it back
            time.sleep(0.01)
        time.sleep(3 * PAUSE_STEP_S)  # without the bound it would be in by now
        assert bounded.entered == [1, 2]
        bounded.release()
    assert len(bounded.entered) == 3 and max(bounded.entered) == 2


def test_a_stop_ends_a_wait_for_a_slot() -> None:
    """A thread admitted but waiting for a slot sees a stop at its next look (every
    PAUSE_STEP_S), and never sends."""
    gate = _gate()
    release = threading.Event()
    sent: list[str] = []
    raised: list[BaseException] = []

    def send(name: str) -> None:
        def send_once() -> int:
            sent.append(name)
            release.wait(timeout=10)
            return 200

        try:
            _pass_through(gate, send_once)
        except Stopped as stopped:
            raised.append(stopped)

    with gate.in_flight_at_most(1):
        holder = threading.Thread(target=send, args=("holder",))
        holder.start()
        while not sent:
            time.sleep(0.01)
        waiter = threading.Thread(target=send, args=("waiter",))
        waiter.start()
        while gate.requests < 2:  # admitted: now waiting for the slot
            time.sleep(0.01)
        gate.stop("stopped by SIGTERM")
        waiter.join(timeout=10)
        release.set()
        holder.join(timeout=10)
    assert sent == ["holder"] and len(raised) == 1
