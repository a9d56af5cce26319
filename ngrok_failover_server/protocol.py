"""uvicorn's HTTP/1.1 protocols, bounded by this server's `Limits`.

uvicorn parses with httptools (C) where it is installed, else h11 (pure Python); neither
bounds what a slow or hostile client may hold. Each is subclassed here, the parsing left
to uvicorn, with:

- a cap on the request line and headers: 431, parsed no further than the cap (h11 counts
  them itself, `max_incomplete_event_size`; for httptools the bytes fed are counted);
- a header read timeout and a body read timeout (408), and the keep-alive timeout also
  for a connection that never sends a byte;
- a cap on open connections: past it, an idle connection or the one waiting longest for
  its headers is closed to make room; if every one has a request under way, the new one
  is answered 503 with `Retry-After`;
- ngrok's JSON error body for what the parser refuses, logged at DEBUG, not a WARNING each.

An answer the server gives before the request is whole closes the connection after a
short linger (reading and dropping what the client still sends), so the client can read
the answer before the socket goes; the 503 past the connection cap closes at once, to
give its descriptor back.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
import socket
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, ClassVar

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from .config import Limits
from .errors import error_body

log = logging.getLogger(__name__)

try:
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # not installed (Windows, PyPy): h11 serves alone
    httptools = None  # type: ignore[assignment]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

# The longest a refused connection stays open, reading and dropping.
_LINGER_MAX = 1.0
# Event order across connections (a clock can give two of them the same time).
_ORDER = itertools.count()


class _Reading(enum.Enum):
    """What the connection waits for from the client."""

    NOTHING = "nothing"  # between requests, or the request is whole
    HEADERS = "headers"  # a request has begun, its headers are not all in
    BODY = "body"  # the headers are in, the body is not


class _Guard(asyncio.Protocol):
    """What both protocols add: the timers, the caps and the answers. A mixin, first in the
    bases of a uvicorn protocol (its `super()` is that protocol), whose attributes it uses
    are declared here."""

    limits: ClassVar[Limits] = Limits()
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    connections: set[Any]
    timeout_keep_alive_task: asyncio.TimerHandle | None
    client: tuple[str, int] | None
    cycle: Any  # the request under way: uvicorn's RequestResponseCycle, or None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._guard_open(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._cancel_read_timer()

    def _guard_init(self) -> None:
        self._reading = _Reading.NOTHING
        self._since = 0  # when `_reading` last changed, as a place in `_ORDER`
        self._read_timer: asyncio.TimerHandle | None = None
        self._lingering = False  # answered and closing: drop what still arrives

    def _guard_open(self, transport: asyncio.Transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # Each answer at once: asyncio's loop leaves Nagle on for a socket made without
            # IPPROTO_TCP, and every answer would wait out the client's delayed ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._since = next(_ORDER)
        if len(self.connections) > self.limits.effective_max_connections() and not (
            self._evict_one()
        ):
            # Answered and closed at once, not after a linger: past the cap, descriptors
            # may be near their limit, and a request this small is read whole anyway.
            self._lingering = True
            log.debug("answered 503 to a connection past the cap")
            msg = "The server has too many open connections; retry later."
            extra = [(b"retry-after", str(self.limits.retry_after).encode())]
            transport.write(raw_response(503, msg, extra))
            transport.close()
            return
        # uvicorn times out a keep-alive connection only after a response; this times out
        # one that never sends a request too. Any data cancels it (uvicorn's own rule).
        self.timeout_keep_alive_task = self.loop.call_later(
            self.limits.keep_alive_timeout, self._close
        )

    def _evict_one(self) -> bool:
        """Past the cap, make room by closing the connection that holds a place for least:
        an idle one, else the one that has waited longest for a request's headers (a
        connection flood's). False if every other connection has a request under way."""
        victims = [c for c in self.connections if isinstance(c, _Guard) and c is not self]
        ranked = [(rank, c) for c in victims if (rank := c._eviction_rank()) is not None]
        if not ranked:
            return False
        _rank, victim = min(ranked, key=lambda pair: pair[0])
        log.debug("closed a connection (%s) to make room for a new one", victim._reading.value)
        victim._lingering = True
        victim._cancel_read_timer()
        victim.transport.close()
        return True

    def _eviction_rank(self) -> tuple[int, int] | None:
        if self._lingering or self.transport.is_closing():
            return None
        if self._reading is _Reading.HEADERS:
            return (1, self._since)
        if self._reading is _Reading.NOTHING and self._is_idle():
            return (0, self._since)
        return None

    def _is_idle(self) -> bool:
        return self.cycle is None or bool(self.cycle.response_complete)

    def _intercepted(self) -> bool:
        """True if the data just received is not for the parser: it came after an answer
        that ends the connection."""
        return self._lingering

    def _now_reading(self, what: _Reading) -> None:
        """Arm the timer of what the connection now waits for; a phase keeps its deadline."""
        if what is self._reading:
            if what is _Reading.NOTHING:
                self._since = next(_ORDER)  # data came: idle from now, for eviction's order
            return
        self._cancel_read_timer()
        self._reading = what
        self._since = next(_ORDER)
        if what is _Reading.HEADERS:
            self._read_timer = self.loop.call_later(
                self.limits.header_timeout, self._headers_timed_out
            )
        elif what is _Reading.BODY:
            self._read_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)

    def _headers_timed_out(self) -> None:
        self._read_timer = None
        seconds = self.limits.header_timeout
        self._refuse(408, f"The request's headers did not arrive within {seconds:g} s.")

    def _body_timed_out(self) -> None:
        self._read_timer = None
        cycle = self.cycle
        if cycle is not None and cycle.response_started:
            self._close()  # answered already; the client still owes the body
            return
        if cycle is not None:
            # The app waits on the body: it now reads a disconnect and answers nothing.
            cycle.disconnected = True
            cycle.message_event.set()
        seconds = self.limits.body_timeout
        self._refuse(408, f"The request's body did not arrive within {seconds:g} s.")

    def _refuse_unparseable(self, status: int) -> None:
        if status == 431:
            limit = self.limits.max_header_bytes
            msg = f"The request line and headers are larger than the {limit} bytes accepted."
        else:
            msg = "The request is not valid HTTP/1.1; the server could not parse it."
        self._refuse(status, msg)

    def _refuse(self, status: int, msg: str) -> None:
        """Answer `status` with ngrok's error body, then close after a short linger."""
        if self._lingering or self.transport.is_closing():
            return
        self._cancel_read_timer()
        self._lingering = True
        peer = f"{self.client[0]}:{self.client[1]}" if self.client else "?"
        log.debug("answered %d to %s: %s", status, peer, msg)
        self.transport.write(raw_response(status, msg, []))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._read_timer = self.loop.call_later(self._linger(), self._close)

    def _linger(self) -> float:
        return min(_LINGER_MAX, self.limits.header_timeout)

    def _cancel_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _close(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _unsupported_upgrade_warning(self) -> None:
        # uvicorn warns for each request asking to upgrade; this API has no upgrades to give.
        log.debug("ignored an Upgrade header (the API is plain HTTP/1.1)")


def raw_response(status: int, msg: str, extra: list[tuple[bytes, bytes]]) -> bytes:
    """A whole HTTP/1.1 answer with ngrok's error body that closes the connection."""
    body = error_body(status, None, msg)
    phrase = HTTPStatus(status).phrase.encode()
    head = [
        b"HTTP/1.1 %d %s" % (status, phrase),
        b"content-type: application/json",
        b"content-length: %d" % len(body),
        b"connection: close",
        *(name + b": " + value for name, value in extra),
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class _H11Connection(h11.Connection):
    """h11's connection, handing a parse error to the protocol instead of raising it
    (uvicorn would log a WARNING and answer plain text)."""

    def __init__(self, max_head: int, on_error: Callable[[int], None]) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_head)
        self._max_head = max_head
        self._on_error = on_error

    def next_event(self) -> Any:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as err:
            self._on_error(err.error_status_hint)
            return h11.NEED_DATA  # uvicorn stops reading events; the answer is sent
        # h11 bounds a head still arriving; one that came whole in a read is measured here.
        if (
            isinstance(event, h11.Request)
            and _head_size(event.method, event.target, event.headers.raw_items()) > self._max_head
        ):
            self._on_error(431)
            return h11.NEED_DATA
        return event


def _head_size(method: bytes, target: bytes, headers: Iterable[tuple[bytes, bytes]]) -> int:
    """The bytes of a request line and headers: `GET /x HTTP/1.1`, `Name: value`, CRLFs."""
    return len(method) + len(target) + 11 + sum(len(n) + len(v) + 4 for n, v in headers) + 2


class BoundedH11Protocol(_Guard, H11Protocol):
    """uvicorn's h11 protocol with the guard's limits."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _H11Connection(self.limits.max_header_bytes, self._refuse_unparseable)
        self.timeout_keep_alive = self.limits.keep_alive_timeout  # type: ignore[assignment]
        self._guard_init()

    def data_received(self, data: bytes) -> None:
        if self._intercepted():
            return
        super().data_received(data)
        if self._lingering:
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._now_reading(_Reading.BODY)
        elif state is h11.IDLE:
            self._now_reading(_Reading.HEADERS)  # bytes came, no whole request head yet
        else:
            self._now_reading(_Reading.NOTHING)


class _HeadTooLarge(Exception):
    """Raised in a parser callback to stop httptools at a head over the cap."""


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    if httptools is None or HttpToolsProtocol is None:
        return None

    class BoundedHttpToolsProtocol(_Guard, HttpToolsProtocol):
        """uvicorn's httptools protocol with the guard's limits. httptools has no limit
        on headers, so the bytes fed while a request's head is incomplete are counted."""

        def __init__(
            self,
            config: Config,
            server_state: ServerState,
            app_state: dict[str, Any],
            _loop: asyncio.AbstractEventLoop | None = None,
        ) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self.timeout_keep_alive = self.limits.keep_alive_timeout  # type: ignore[assignment]
            self._guard_init()
            self._head_bytes = 0  # fed since the last head was whole, outside bodies
            self._chunk = 0  # the bytes of the data being fed
            self._chunk_in_body = False  # whether they began inside a body
            self._parsing = _Reading.NOTHING

        def data_received(self, data: bytes) -> None:
            # uvicorn's own, with the head counted and its errors answered as JSON.
            if self._lingering:
                return
            self._unset_keepalive_if_required()
            self._chunk = len(data)
            self._chunk_in_body = self._parsing is _Reading.BODY
            if not self._chunk_in_body:
                self._head_bytes += self._chunk
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                self._unsupported_upgrade_warning()
                if self.cycle is not None:
                    self.cycle.keep_alive = False  # the parser reads no further request
            except httptools.HttpParserError:
                over = self._head_bytes > self.limits.max_header_bytes
                self._refuse_unparseable(431 if over else 400)
                return
            what = self._parsing
            if what is _Reading.HEADERS and self._head_bytes > self.limits.max_header_bytes:
                self._refuse_unparseable(431)
            elif what is not self._reading:
                self._now_reading(what)
            elif what is _Reading.NOTHING:
                self._since = next(_ORDER)  # as `_now_reading` would: idle from now

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._parsing = _Reading.HEADERS

        def on_headers_complete(self) -> None:
            # The bytes fed bound the head from above (a chunk that began in a body may hold
            # all of it); only a bound over the cap is worth measuring the head exactly.
            bound = self._head_bytes + (self._chunk if self._chunk_in_body else 0)
            limit = self.limits.max_header_bytes
            if (
                bound > limit
                and _head_size(self.parser.get_method(), self.url, self.headers) > limit
            ):
                self._head_bytes = bound
                raise _HeadTooLarge  # feed_data stops and raises; the app is never called
            self._parsing = _Reading.BODY
            self._head_bytes = 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._parsing = _Reading.NOTHING

    return BoundedHttpToolsProtocol


BoundedHttpToolsProtocol = _httptools_protocol()
PARSERS = ("auto", "h11", "httptools")


def protocol_class(limits: Limits, http: str = "auto") -> type[asyncio.Protocol]:
    """The protocol uvicorn runs for `limits`: httptools where installed ("auto"), or h11."""
    if http not in PARSERS:
        raise ValueError(f"http must be one of {', '.join(PARSERS)}, not {http!r}")
    base: type[asyncio.Protocol]
    if http == "h11" or (http == "auto" and BoundedHttpToolsProtocol is None):
        base = BoundedH11Protocol
    elif BoundedHttpToolsProtocol is None:
        raise ValueError("http=httptools, but httptools is not installed")
    else:
        base = BoundedHttpToolsProtocol
    return type(base.__name__, (base,), {"limits": limits})


def parser_name(http: str = "auto") -> str:
    """The parser `http` picks here: h11 or httptools."""
    if http == "auto":
        return "httptools" if BoundedHttpToolsProtocol is not None else "h11"
    return http
