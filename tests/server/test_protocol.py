"""The bounded protocols' choices that no request can show from outside."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from ngrok_failover_server.app import create_app
from ngrok_failover_server.config import Limits, ServerConfig
from ngrok_failover_server.protocol import parser_name, protocol_class


class Transport(asyncio.Transport):
    """What the protocol reads of a transport: its socket; what it writes is kept."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.written = b""
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.sock if name == "socket" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def can_write_eof(self) -> bool:
        return False


@pytest.fixture
def accepted() -> Iterator[socket.socket]:
    """The server's end of a TCP connection, made without IPPROTO_TCP (so Nagle is on)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server_end, _ = listener.accept()
    yield server_end
    for sock in (server_end, client, listener):
        sock.close()


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_nagle_is_off_on_every_connection(http: str, accepted: socket.socket) -> None:
    """asyncio's loop (where uvloop is missing) leaves it on: each answer then waited out
    the client's delayed ACK, about 40 ms."""
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    loop = asyncio.new_event_loop()
    try:
        config = uvicorn.Config(create_app(ServerConfig(api_key="k")))
        protocol = protocol_class(Limits(), http)(  # type: ignore[call-arg]
            config=config, server_state=ServerState(), app_state={}, _loop=loop
        )
        protocol.connection_made(Transport(accepted))
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        protocol.connection_lost(None)
    finally:
        loop.close()


def test_auto_picks_httptools_where_installed() -> None:
    assert parser_name("auto") == "httptools"
    assert protocol_class(Limits()).__mro__[1].__name__ == "BoundedHttpToolsProtocol"
    assert protocol_class(Limits(), "h11").__mro__[1].__name__ == "BoundedH11Protocol"


def test_the_protocol_class_carries_its_limits() -> None:
    limits = Limits(max_header_bytes=1234)
    assert protocol_class(limits, "h11").limits is limits  # type: ignore[attr-defined]
