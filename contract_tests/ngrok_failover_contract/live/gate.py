"""The one gate every request of a run passes through, whichever library sends it.

Our httpx client mounts `GatedTransport`; Schemathesis sends with `requests` on the session
each shard hands it (`gated_session`, whose adapter is `GatedAdapter`). Its auth probes build
a session of their own (Schemathesis 4.32.5 drops the one given), so for the run's length
`gate_stray_requests` sends any other `requests` request through the gate too. The gate:

- lets a PATCH or DELETE through only to `.../backends/failover/<id>` where every backend id
  in the URL is one this run created or made up (`allow`): an id read from a list, guessed
  or taken from an example never reaches a change, whatever phase built the request;
- lets a create through only if its body carries the run marker (see `marker`);
- keeps to `max_rpm` requests in any rolling 60 s, and to the run's request and create budget,
  whatever number of threads (shards, see `workers`) send through it;
- waits out a 429 (`Retry-After` when given) and sends the request again; every thread of the
  run waits with it, since the budget a 429 speaks of is the account's, not a thread's;
- raises `Stopped` at the next request or pause once `stop` was called (Ctrl-C, SIGTERM), and
  `Cancelled` in a shard whose test already failed in another shard;
- holds deletes while a list walk asks for quiet (`quiet`): a shard's walk must not see
  another shard delete the backend its next page starts after.
"""

from __future__ import annotations

import errno
import http.cookiejar
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import httpx
import requests
from requests.adapters import HTTPAdapter

from ..compat import SameHostRedirectsSession
from ..core.api import BACKEND_ID_RE, is_collection, item_id
from ..core.causes import cause_of
from ..core.exchange import json_or_none
from .marker import is_marked_or_inert

Answer = TypeVar("Answer")
WINDOW_S = 60.0
MAX_429_RETRIES = 8
MAX_WAIT_S = 120.0
PAUSE_STEP_S = 0.25  # how long a stop may wait for a pause (rate limit, 429) to notice it


class UnsafeRequest(Exception):
    """The suite was about to change something it does not own: a bug of the suite, stopped."""


class RunAborted(Exception):
    """The run cannot go on (budget spent, 429 without end); not a violation of the server."""


class Cancelled(BaseException):
    """Another shard of the same test failed first: this one stops at its next request.

    A BaseException, like KeyboardInterrupt, so that Hypothesis does not take it for a
    failure of the example it interrupts (nor try to shrink it).
    """


class Stopped(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, raised like Ctrl-C so that pytest ends the session (and cleans up).

    The gate raises it before a request or during a pause, where no library holds a lock:
    raised from the signal handler itself it could land between a lock's acquire and its
    `with` block (httpcore's pool lock did: the cleanup then waited for it forever).
    """


class Gate:
    """Safety policy, rate limit and budget of one run; thread-safe."""

    def __init__(
        self,
        marker: str,
        *,
        max_rpm: int | None = None,
        max_requests: int | None = None,
        max_creates: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[str, str, int], None] | None = None,
        spend: Callable[[int, int], tuple[int, int]] | None = None,
    ) -> None:
        self.marker = marker
        self.max_rpm = max_rpm
        self.max_requests = max_requests
        self.max_creates = max_creates
        self.clock = clock
        self.sleep = sleep
        self.observe = observe  # told (method, url, status) of every answer: coverage
        # Where the budget is the run's, shared with other processes: adds (requests, creates)
        # to the run's totals and gives them (`runner.parts.Spent`); None: this gate's own.
        self.spend = spend
        self.requests = 0
        self.creates = 0
        self.rate_limited = 0  # 429 answers waited out
        self.strays = 0  # `requests` requests sent on a session not of `gated_session`
        self._allowed: set[str] = set()
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # deletes and quiet walks
        self._resume_at = 0.0  # after a 429: no thread sends before this (clock time)
        self._deletes_sent = 0  # counted when sent, so a walk sees one that is in flight
        self._deletes_in_flight = 0
        self._quiet = 0  # walks that hold deletes back
        self._local = threading.local()  # the cancel event of a shard's thread
        self._slots: threading.BoundedSemaphore | None = None  # `in_flight_at_most`
        # Ids in the run's journal (`live.journal`): an update may drop their marker.
        self.journaled: Callable[[str], bool] = lambda _: False
        self.stop_reason: str | None = None
        self.cleaning = False  # the run's cleanup: it goes on after a stop
        # Why the budget may not do, said when it is spent (the ledger's, once it surveyed).
        self.budget_note: Callable[[], str] = str

    def stop(self, reason: str) -> None:
        """Stop the run at its next request or pause; safe to call from a signal handler."""
        self.stop_reason = reason  # one assignment: no lock a signal could find held

    def _raise_if_stopped(self) -> None:
        if self.cleaning:
            return
        if self.stop_reason is not None:
            raise Stopped(self.stop_reason)
        cancel: threading.Event | None = getattr(self._local, "cancel", None)
        if cancel is not None and cancel.is_set():
            raise Cancelled("another shard of this test failed")

    @contextmanager
    def cancelled_by(self, event: threading.Event) -> Iterator[None]:
        """Requests of this thread raise `Cancelled` once `event` is set (a shard's thread)."""
        self._local.cancel = event
        try:
            yield
        finally:
            self._local.cancel = None

    @contextmanager
    def in_flight_at_most(self, count: int) -> Iterator[None]:
        """While it lasts, the requests of every thread are held to `count` in flight at
        once: a test whose threads can outnumber its workers (shards, and the pages their
        walks ask ahead) keeps to them, and a shard left alone gets the slots of those done."""
        self._slots = threading.BoundedSemaphore(count)
        try:
            yield
        finally:
            self._slots = None

    @contextmanager
    def _slot(self) -> Iterator[None]:
        slots = self._slots  # the one taken is the one given back
        if slots is None:
            yield
            return
        while not slots.acquire(timeout=PAUSE_STEP_S):
            self._raise_if_stopped()
        try:
            yield
        finally:
            slots.release()

    def deletes_mark(self) -> tuple[int, int]:
        """Deletes sent so far and in flight now: a walk takes it before it starts."""
        with self._lock:
            return self._deletes_sent, self._deletes_in_flight

    def disturbed(self, mark: tuple[int, int]) -> bool:
        """Whether a delete was in flight at `mark` or sent since: it may have moved the
        pages under a walk (the backend a next page starts after, deleted by another shard)."""
        sent, in_flight = mark
        with self._lock:
            return in_flight > 0 or self._deletes_sent != sent

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """No delete of the run is sent, nor in flight, until the block ends."""
        with self._changed:
            self._quiet += 1
            while self._deletes_in_flight:
                self._changed.wait(PAUSE_STEP_S)
        try:
            yield
        finally:
            with self._changed:
                self._quiet -= 1
                self._changed.notify_all()

    def _delete_started(self) -> None:
        with self._changed:
            while self._quiet and not self.cleaning:
                self._changed.wait(PAUSE_STEP_S)
                self._raise_if_stopped()
            self._deletes_in_flight += 1
            self._deletes_sent += 1

    def _delete_answered(self) -> None:
        with self._changed:
            self._deletes_in_flight -= 1
            self._changed.notify_all()

    def pause(self, seconds: float) -> None:
        """Sleep `seconds`, in short steps so that a stop ends the wait."""
        while seconds > 0:
            self._raise_if_stopped()
            step = min(seconds, PAUSE_STEP_S)
            self.sleep(step)
            seconds -= step
        self._raise_if_stopped()

    def allow(self, backend_id: str) -> None:
        """This run created `backend_id` (or made it up): it may change or delete it."""
        with self._lock:
            self._allowed.add(backend_id)

    def may_change(self, backend_id: str) -> bool:
        return backend_id in self._allowed

    def check(self, method: str, url: str, body: object) -> None:
        """Raise `UnsafeRequest` unless the request is one the run may send."""
        method = method.upper()
        path = unquote(urlsplit(url).path)
        if method in ("PATCH", "DELETE"):
            if item_id(path) is None:
                raise UnsafeRequest(f"refused {method} {path}: only single backends are changed")
            # Any backend id, wherever it hides in the URL, must be one the run may change.
            foreign = [i for i in BACKEND_ID_RE.findall(unquote(url)) if i not in self._allowed]
            if foreign:
                raise UnsafeRequest(f"refused {method} {path}: {foreign} not created by this run")
        changes = method == "PATCH" or (method == "POST" and is_collection(path))
        if changes and not is_marked_or_inert(_json(body), self.marker, create=method == "POST"):
            target = item_id(path)
            if method == "POST" or target is None or not self.journaled(target):
                raise UnsafeRequest(f"refused {method} {path}: the body lacks the run marker")

    def admit(self, method: str, url: str, body: object) -> None:
        """Check the request, count it against the budget, and wait for the rate limit."""
        self._raise_if_stopped()
        self.check(method, url, body)
        create = method.upper() == "POST" and is_collection(urlsplit(url).path)
        with self._lock:
            self.requests += 1
            self.creates += create
            requests, creates = (
                (self.requests, self.creates) if self.spend is None else self.spend(1, create)
            )
            # The cleanup is outside the budget: what the run created goes, whatever it spent.
            limit = None if self.cleaning else self.max_requests
            if limit is not None and requests > limit:
                note = self.budget_note()
                raise RunAborted(f"the run's budget of {limit} requests is spent{note}")
            if create and self.max_creates is not None and creates > self.max_creates:
                raise RunAborted(f"the run's budget of {self.max_creates} creates is spent")
            wait = max(self._rate_wait(), self._resume_at - self.clock())
        self.pause(wait)

    def _rate_wait(self) -> float:
        """Seconds to wait so that no 60 s window holds more than `max_rpm` requests."""
        now = self.clock()
        if self.max_rpm is None:
            return 0.0
        while self._sent and self._sent[0] <= now - WINDOW_S:
            self._sent.popleft()
        wait = 0.0
        if len(self._sent) >= self.max_rpm:
            wait = self._sent[-self.max_rpm] + WINDOW_S - now
        self._sent.append(now + wait)
        return max(wait, 0.0)

    def retry_wait(self, status: int, retry_after: str | None, attempt: int) -> float | None:
        """Seconds to wait before sending again after `status`, or None to keep the answer."""
        if status != 429:
            return None
        if attempt >= MAX_429_RETRIES:
            raise RunAborted(f"the server still answered 429 after {attempt} retries")
        given = _seconds(retry_after)
        wait = min(given if given is not None else 2.0 * 2**attempt, MAX_WAIT_S)
        with self._lock:
            self.rate_limited += 1
            self._resume_at = max(self._resume_at, self.clock() + wait)
        return wait

    def send(
        self,
        method: str,
        url: str,
        body: object,
        *,
        send_once: Callable[[], Answer],
        status_and_retry_after: Callable[[Answer], tuple[int, str | None]],
        discard: Callable[[Answer], None],
    ) -> Answer:
        """Admit the request, send it, and send it again after each 429 waited out.

        One loop for every HTTP library the run uses: each gives how to send, how to read an
        answer's status and `Retry-After`, and how to let an unused answer go.
        """
        attempt = 0
        deleting = method.upper() == "DELETE"
        while True:
            self.admit(method, url, body)
            if deleting:
                self._delete_started()
            try:
                with self._slot():
                    answer = send_once()
            finally:
                if deleting:
                    self._delete_answered()
            status, retry_after = status_and_retry_after(answer)
            if self.observe is not None:
                self.observe(method, url, status)
            wait = self.retry_wait(status, retry_after, attempt)
            if wait is None:
                return answer
            discard(answer)
            attempt += 1  # admit waits until the run may send again (`_resume_at`)


def _seconds(retry_after: str | None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not retry_after:
        return None
    value = retry_after.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _json(body: object) -> Any:
    # A streamed body is not one of ours.
    return json_or_none(body) if isinstance(body, bytes | str) else None


# No cap on the pool's connections, kept alive or not: with more threads in flight than it
# keeps (httpx's default 20), httpcore's sync pool may close an idle connection it has just
# handed to a waiting thread, whose request then reads a closed socket ("Bad file
# descriptor") or hangs to its timeout (encode/httpcore#1110). A run's threads are bounded.
# An idle connection is let go after 2 s, before a server's own keep-alive ends (uvicorn's
# default is 5 s, httpx's too): one reused as the server closes it loses its request.
POOL_LIMITS = httpx.Limits(
    max_connections=None, max_keepalive_connections=None, keepalive_expiry=2.0
)


class GatedTransport(httpx.BaseTransport):
    """httpx transport: the gate before each send, 429 waited out and sent again."""

    def __init__(self, gate: Gate, inner: httpx.BaseTransport | None = None) -> None:
        self.gate = gate
        self.inner = inner or httpx.HTTPTransport(limits=POOL_LIMITS)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def discard(response: httpx.Response) -> None:
            response.read()
            response.close()

        return self.gate.send(
            request.method,
            str(request.url),
            request.content,
            send_once=lambda: self._send_once(request),
            status_and_retry_after=lambda r: (r.status_code, r.headers.get("retry-after")),
            discard=discard,
        )

    def _send_once(self, request: httpx.Request) -> httpx.Response:
        """One send; a GET whose socket the pool closed under it (encode/httpcore#1110:
        EBADF, a fault of this process, not of the server) is sent once more."""
        try:
            return self.inner.handle_request(request)
        except httpx.ReadError as err:
            if request.method != "GET" or not _closed_here(err):
                raise
            return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _closed_here(error: BaseException) -> bool:
    """Whether `error` comes of reading a socket this process had closed (EBADF)."""
    return cause_of(error, lambda e: isinstance(e, OSError) and e.errno == errno.EBADF) is not None


def _send_gated(
    gate: Gate,
    send: Callable[..., requests.Response],
    adapter: HTTPAdapter,
    request: requests.PreparedRequest,
    **kwargs: Any,
) -> requests.Response:
    return gate.send(
        str(request.method),
        str(request.url),
        request.body,
        send_once=lambda: send(adapter, request, **kwargs),
        status_and_retry_after=lambda r: (r.status_code, r.headers.get("retry-after")),
        discard=lambda r: r.close(),
    )


class GatedAdapter(HTTPAdapter):
    """`requests` adapter: the gate before each send, 429 waited out and sent again."""

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self.gate = gate

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        return _send_gated(self.gate, _UNGATED_SEND, self, request, **kwargs)


def gated_session(gate: Gate, base_url: str | None = None) -> requests.Session:
    """A session for Schemathesis's calls: every request through `gate`.

    Like the session Schemathesis makes for itself: redirects followed on the same host
    only, no default headers (the case's are sent as generated), and no cookies kept from
    one answer to the next request. With `base_url`, the environment's proxies for it
    (`NO_PROXY` heeded) and CA bundle are read once, not for every request as `requests`
    does (about a fifth of a millisecond each, in a run's thousands); no `.netrc` either:
    each case carries its own Authorization.
    """
    session = SameHostRedirectsSession()
    if base_url is not None:
        session.proxies = requests.utils.get_environ_proxies(base_url)
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        session.verify = bundle or True
        session.trust_env = False
    session.headers.clear()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    for prefix in ("http://", "https://"):
        session.mount(prefix, GatedAdapter(gate))
    return session


_UNGATED_SEND = HTTPAdapter.send


@contextmanager
def gate_stray_requests(gate: Gate) -> Iterator[None]:
    """Send every other `requests` request of this process through `gate` while the block
    runs: those of a session Schemathesis makes for itself (its auth probes). A request of
    a `GatedAdapter` has passed the gate already and goes out as it is."""

    def send(
        adapter: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        if isinstance(adapter, GatedAdapter):
            return _UNGATED_SEND(adapter, request, **kwargs)
        gate.strays += 1
        return _send_gated(gate, _UNGATED_SEND, adapter, request, **kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        HTTPAdapter.send = _UNGATED_SEND  # type: ignore[method-assign]
