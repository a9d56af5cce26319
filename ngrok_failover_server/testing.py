"""Run a reference server inside your tests: in a background thread, or in a subprocess.

    with serve_in_thread() as server:
        client = ngrok.Client(server.api_key, base_url=server.base_url)

Each server gets a free 127.0.0.1 port and (unless a config says otherwise) a fresh
memory store and a random API key.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import uvicorn

from .app import create_app
from .asgi import ASGIApp, Receive, Scope, Send
from .config import ServerConfig, format_seconds
from .store import open_store

_START_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningServer:
    """A server that answers at `base_url` to `Authorization: Bearer <api_key>`.

    `pid` is the server's process id when it runs in a subprocess, else None.
    """

    base_url: str
    api_key: str
    config: ServerConfig
    pid: int | None = None


def new_api_key() -> str:
    return "fake_" + secrets.token_urlsafe(24)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one, chosen by the OS)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_config(app: ASGIApp) -> uvicorn.Config:
    """uvicorn with its fast parts (httptools, uvloop) and quiet logs."""
    return uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
    )


def delayed(app: ASGIApp, seconds: float) -> ASGIApp:
    """`app`, answering each HTTP request `seconds` late: a server across a network, where
    a client's time goes to waiting (concurrent clients and test runs are measured on it)."""

    async def late(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(seconds)
        await app(scope, receive, send)

    return late if seconds > 0 else app


@contextmanager
def serve_in_thread(
    config: ServerConfig | None = None, *, wrap: Callable[[ASGIApp], ASGIApp] | None = None
) -> Iterator[RunningServer]:
    """Start uvicorn in a background thread; yield once it answers; stop it on exit.

    `config` None means a random API key and a memory store. `config.port` 0 means a
    free port. `wrap` wraps the ASGI app, for example in a fault-planting middleware.
    """
    config = config or ServerConfig(api_key=new_api_key())
    store = open_store(config.db_path, config.references)
    app: ASGIApp = create_app(config, store)
    if wrap is not None:
        app = wrap(app)
    sock = bind_socket(config.host, config.port)
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="failover-server", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the reference server did not start; see its log above")
            time.sleep(0.005)
        port = sock.getsockname()[1]
        yield RunningServer(url_of(sock), config.api_key, replace(config, port=port))
    finally:
        server.should_exit = True
        thread.join(_START_TIMEOUT)
        sock.close()
        store.close()


@contextmanager
def serve_in_subprocess(
    config: ServerConfig | None = None, *, extra_args: tuple[str, ...] = ()
) -> Iterator[RunningServer]:
    """Start `python -m ngrok_failover_server` for `config`; stop it (SIGTERM) on exit.

    Useful to test restarts and crashes: `RunningServer.pid` is the process to kill.
    """
    config = config or ServerConfig(api_key=new_api_key())
    proc = subprocess.Popen(
        [sys.executable, "-m", "ngrok_failover_server", *cli_args(config), *extra_args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + _START_TIMEOUT
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            match = re.search(r"URL:\s+(\S+)", line)
            url = match.group(1) if match else None
        if url is None:
            raise RuntimeError(f"the reference server did not start (exit code {proc.poll()})")
        port = int(url.rsplit(":", 1)[1])
        yield RunningServer(url, config.api_key, replace(config, port=port), pid=proc.pid)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(_START_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def cli_args(config: ServerConfig) -> list[str]:
    """The command-line options that start a server with `config`."""
    args = ["--host", config.host, "--port", str(config.port), "--api-key", config.api_key]
    if config.strict_references:
        args.append("--strict-references")
    for backend_id in sorted(config.known_backends):
        args += ["--known-backend", backend_id]
    if config.db_path is not None:
        args += ["--db", config.db_path]
    if config.public_url is not None:
        args += ["--public-url", config.public_url]
    if config.rate_limit is not None:
        args += ["--rate-limit", str(config.rate_limit)]
        args += ["--rate-window", format_seconds(config.rate_window)]
    return args
