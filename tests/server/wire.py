"""Raw HTTP/1.1 on a socket, for what a client library would refuse to send: half-sent
requests, oversized heads, broken lines. And a normal request beside, timed (printed, never
asserted)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

# How long a test waits for the server's answer: a guard against a hang, not a bound.
GUARD_S = 20.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server closed the connection after it

    def error(self) -> dict[str, Any]:
        """The body as ngrok's error object (checked to have its fields)."""
        assert self.headers.get("content-type") == "application/json", self.headers
        parsed: dict[str, Any] = json.loads(self.body)
        assert parsed["status_code"] == self.status, parsed
        assert isinstance(parsed["msg"], str) and parsed["msg"], parsed
        assert parsed["details"]["operation_id"].startswith("op_"), parsed
        return parsed


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=GUARD_S)
    sock.settimeout(GUARD_S)
    return sock


def send(sock: socket.socket, chunks: Iterable[bytes]) -> None:
    """Send `chunks`, stopping quietly if the server has closed the connection."""
    try:
        for chunk in chunks:
            sock.sendall(chunk)
    except OSError:
        pass  # the answer (read next) says why


def read_answer(sock: socket.socket) -> Answer:
    """One answer; the socket is read to its end if the answer closes the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection without an answer: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection inside an answer"
        rest += chunk
    closed = headers.get("connection") == "close" and is_closed(sock)
    return Answer(status, headers, rest[:length], closed)


def is_closed(sock: socket.socket) -> bool:
    """Wait (up to the guard) until the server closes (a reset too); True when it did."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def read_continue(sock: socket.socket) -> None:
    """Read the server's `100 Continue`: it has the request's head and awaits its body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        assert chunk, "the server closed the connection instead of asking for the body"
        data += chunk
    assert data.startswith(b"HTTP/1.1 100 "), data


def exchange(port: int, chunks: Iterable[bytes]) -> Answer:
    with connect(port) as sock:
        send(sock, chunks)
        return read_answer(sock)


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def served_beside(client: httpx.Client, path: str, what: str) -> httpx.Response:
    """A normal request while an attack is under way; prints how long it took."""
    started = time.perf_counter()
    response = client.get(path)
    print(
        f"{what}: a normal GET beside it answered {response.status_code} in "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )
    return response
