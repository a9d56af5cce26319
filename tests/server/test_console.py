"""The server as its command runs it: nothing on stderr for requests the parser refuses (no
WARNING line each), and, without uvloop and httptools (Windows, PyPy), uvicorn's
pure-Python parser and asyncio's loop serving with the same limits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from ngrok_failover_server.testing import new_api_key

from . import wire

COLL = "/backends/failover"
# Run as `python -c`: the modules made unimportable first, as if they were not installed.
WITHOUT_C_PARTS = (
    "import sys; sys.modules['uvloop'] = None; sys.modules['httptools'] = None; "
    "from ngrok_failover_server.__main__ import main; sys.exit(main())"
)


@dataclass
class Process:
    port: int
    key: str
    banner: str
    proc: subprocess.Popen[str]


@contextmanager
def server_process(*args: str, without_c_parts: bool = False) -> Iterator[Process]:
    key = new_api_key()
    command = ["-c", WITHOUT_C_PARTS] if without_c_parts else ["-m", "ngrok_failover_server"]
    proc = subprocess.Popen(
        [sys.executable, *command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NGROK_API_KEY": key},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline()]
        while lines[-1] and "parser:" not in lines[-1]:  # the banner's last line
            lines.append(proc.stdout.readline())
        banner = "".join(lines)
        found = re.search(r"URL:\s+http://127\.0\.0\.1:(\d+)", banner)
        assert found is not None, banner
        yield Process(int(found.group(1)), key, banner, proc)
    finally:
        proc.terminate()
        proc.wait(wire.GUARD_S)


def stderr_of(server: Process) -> str:
    assert server.proc.stderr is not None
    return server.proc.stderr.read()


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_refused_requests_print_nothing(http: str) -> None:
    with server_process(
        "--http", http, "--header-timeout", "0.3", "--max-header-bytes", "4096"
    ) as s:
        auth = {"Authorization": f"Bearer {s.key}", "Ngrok-Version": "2"}
        refusals = [
            b"NOT HTTP AT ALL\r\n\r\n",
            b"GET /backends/failover HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
            wire.request("GET", COLL, {"X-Big": "a" * 5000}),
            b"GET /backends/failover HTTP/1.1\r\nHost: x\r\n",  # never ends: 408
        ]
        statuses = [wire.exchange(s.port, [raw]).status for raw in refusals]
        upgrade = wire.request("GET", COLL, {**auth, "Connection": "Upgrade", "Upgrade": "h2c"})
        statuses.append(wire.exchange(s.port, [upgrade]).status)  # served, not upgraded
        assert statuses == [400, 400, 431, 408, 200]
    assert stderr_of(s) == ""


def test_without_uvloop_and_httptools_h11_and_asyncio_serve() -> None:
    with server_process("--max-header-bytes", "4096", without_c_parts=True) as s:
        assert "parser:     h11, loop asyncio" in s.banner
        auth = {"Authorization": f"Bearer {s.key}", "Ngrok-Version": "2"}
        with httpx.Client(base_url=f"http://127.0.0.1:{s.port}", headers=auth) as client:
            made = client.post(COLL, json={"backends": [], "description": "fallback"})
            assert made.status_code == 201, made.text
            got = client.get(f"{COLL}/{made.json()['id']}")
            assert got.json()["description"] == "fallback"
            wire.served_beside(client, COLL, "h11 on asyncio's loop")
        too_large = wire.exchange(s.port, [wire.request("GET", COLL, {"X-Big": "a" * 5000})])
        assert too_large.status == 431
        too_large.error()
    assert stderr_of(s) == ""


def test_the_default_parser_is_the_c_one_where_installed() -> None:
    with server_process() as s:
        assert "parser:     httptools, loop uvloop" in s.banner
