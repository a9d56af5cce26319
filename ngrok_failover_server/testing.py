"""Run a reference server inside your tests: in a background thread, or in a subprocess.

    with serve_in_thread() as server:
        client = ngrok.Client(server.api_key, base_url=server.base_url)

Each server gets a free 127.0.0.1 port and (unless a config says otherwise) a fresh
memory store and a random API key.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import uvicorn
import uvicorn.config

from .app import create_app
from .asgi import ASGIApp, Receive, Scope, Send
from .config import Limits, ServerConfig, format_seconds
from .protocol import protocol_class
from .store import open_accounts

_START_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningServer:
    """A server that answers at `base_url` to `Authorization: Bearer <api_key>`.

    `api_key` is the default account's key; `accounts` maps each account's name to its
    (first) key, the default one included. `pid` is the server's process id when it runs
    in a subprocess, else None.
    """

    base_url: str
    api_key: str
    config: ServerConfig
    pid: int | None = None
    accounts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.accounts:
            object.__setattr__(self, "accounts", MappingProxyType(self.config.first_keys()))


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


def uvicorn_config(
    app: ASGIApp, limits: Limits | None = None, http: str = "auto"
) -> uvicorn.Config:
    """uvicorn bounded by `limits`, with quiet logs; its fast parts (httptools, uvloop)
    where they are installed, else its pure-Python parser (h11) and asyncio's loop."""
    return uvicorn.Config(
        app,
        loop="auto",
        http=protocol_class(limits or Limits(), http),
        ws="none",
        interface="asgi3",
        lifespan="on",
        log_config=log_config(),
        log_level="warning",
        access_log=False,
        server_header=False,
    )


def log_config() -> dict[str, Any]:
    """uvicorn's logging, and this server's lines (a busy store, an unexpected error) in its
    format on stderr; what the server logs at DEBUG (each refused request) stays unshown."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["ngrok_failover_server"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


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
    stores = open_accounts(
        config.db_path,
        config.account_names(),
        config.references,
        lock_timeout=config.limits.lock_timeout,
    )
    failover = create_app(config, stores)
    app: ASGIApp = failover if wrap is None else wrap(failover)
    sock = bind_socket(config.host, config.port)
    server = uvicorn.Server(uvicorn_config(app, config.limits, config.http))
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
        failover.close()
        stores.close()


@contextmanager
def serve_in_subprocess(
    config: ServerConfig | None = None, *, extra_args: tuple[str, ...] = ()
) -> Iterator[RunningServer]:
    """Start `python -m ngrok_failover_server` for `config`; stop it (SIGTERM) on exit.

    Useful to test restarts and crashes: `RunningServer.pid` is the process to kill. The
    keys reach it by its environment (`NGROK_API_KEY`) and a private accounts file, never
    its command line.
    """
    config = config or ServerConfig(api_key=new_api_key())
    with tempfile.TemporaryDirectory(prefix="failover-server-") as folder:
        args = cli_args(config)
        if config.accounts:
            accounts = Path(folder) / "accounts"
            accounts.touch(mode=0o600)
            accounts.write_text("".join(f"{name}:{key}\n" for name, key in config.accounts))
            args += ["--accounts-file", str(accounts)]
        env = {**os.environ, "NGROK_API_KEY": config.api_key}
        with _server_process([*args, *extra_args], env, config) as running:
            yield running


@contextmanager
def _server_process(
    args: list[str], env: dict[str, str], config: ServerConfig
) -> Iterator[RunningServer]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ngrok_failover_server", *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
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
    """The command-line options that start a server with `config`, less its keys (give the
    default account's in `NGROK_API_KEY`, the others' in an `--accounts-file`)."""
    args = ["--host", config.host, "--port", str(config.port)]
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
    if config.http != "auto":
        args += ["--http", config.http]
    defaults = Limits()
    for option, name in LIMIT_OPTIONS.items():
        value = getattr(config.limits, name)
        if value != getattr(defaults, name):
            shown = format_seconds(value) if isinstance(value, float) else str(value)
            args += [option, shown]
    return args


# Each limit's command-line option (the CLI reads them back with the same names).
LIMIT_OPTIONS = {
    "--max-header-bytes": "max_header_bytes",
    "--header-timeout": "header_timeout",
    "--body-timeout": "body_timeout",
    "--keep-alive-timeout": "keep_alive_timeout",
    "--max-connections": "max_connections",
    "--max-in-flight": "max_in_flight",
    "--max-body-bytes": "max_body_bytes",
    "--db-lock-timeout": "lock_timeout",
}
