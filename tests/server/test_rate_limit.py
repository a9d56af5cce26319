"""The rate limit: its window on the command line, the limiter, and 429 with Retry-After.

Time is a fake clock throughout (only binary fractions, so the sums are exact); no test
waits or measures how long anything takes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ngrok_failover_server.__main__ import banner, main, parse_config
from ngrok_failover_server.app import create_app
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.ratelimit import RateLimiter
from ngrok_failover_server.store import MemoryStore
from ngrok_failover_server.testing import (
    cli_args,
    new_api_key,
    serve_in_subprocess,
    serve_in_thread,
)

from .conftest import Api, refusal

COLL = "/backends/failover"
KEY = "rate-key"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# The command line.


@pytest.mark.parametrize(
    ("argv", "limit", "window"),
    [
        ([], None, 60.0),
        (["--rate-limit", "300"], 300, 60.0),
        (["--rate-limit", "300/5s"], 300, 5.0),
        (["--rate-limit", "300/60s"], 300, 60.0),
        (["--rate-limit", "300/1.5s"], 300, 1.5),
        (["--rate-limit", "300/0.25s"], 300, 0.25),
        (["--rate-limit", "+3/5s"], 3, 5.0),
        (["--rate-limit=300/5s"], 300, 5.0),
        (["--rate-limit", "300", "--rate-window", "5"], 300, 5.0),
        (["--rate-limit", "300", "--rate-window", "1.5"], 300, 1.5),
        (["--rate-limit", "300", "--rate-window", "5s"], 300, 5.0),
        (["--rate-window", "5", "--rate-limit", "300"], 300, 5.0),
        (["--rate-limit", "300/5s", "--rate-window", "5"], 300, 5.0),  # agreeing: fine
        (["--rate-limit", "300/5s", "--rate-window", "5.0"], 300, 5.0),
    ],
)
def test_accepted_rate_limit_forms(argv: list[str], limit: int | None, window: float) -> None:
    config = parse_config(argv)
    assert (config.rate_limit, config.rate_window) == (limit, window)


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--rate-limit", "300/"], "--rate-limit: '300/': the window after '/' is missing"),
        (["--rate-limit", "300/0s"], "--rate-limit: '300/0s': the window must be more than 0"),
        (["--rate-limit", "300/0.0s"], "'300/0.0s': the window must be more than 0 seconds"),
        (["--rate-limit", "abc"], "--rate-limit: 'abc' is not N or N/<seconds>s (like 300"),
        (["--rate-limit", ""], "--rate-limit: '' is not N or N/<seconds>s"),
        (["--rate-limit", "1.5"], "--rate-limit: '1.5' is not N or N/<seconds>s"),
        (["--rate-limit", "9" * 5000], "is not N or N/<seconds>s"),
        (["--rate-limit", "0"], "--rate-limit: '0': N must be at least 1"),
        (["--rate-limit", "-1"], "--rate-limit: '-1': N must be at least 1"),
        (["--rate-limit", "0/5s"], "--rate-limit: '0/5s': N must be at least 1"),
        (["--rate-limit", "300/5m"], "'300/5m': write the window in seconds with an 's', like"),
        (["--rate-limit", "300/5"], "'300/5': write the window in seconds with an 's', like"),
        (["--rate-limit", "300/s"], "--rate-limit: '300/s': '' is not a number of seconds"),
        (["--rate-limit", "300/-5s"], "'300/-5s': '-5' is not a number of seconds"),
        (["--rate-limit", "300/1e3s"], "'300/1e3s': '1e3' is not a number of seconds"),
        (["--rate-limit", "300/infs"], "'300/infs': 'inf' is not a number of seconds"),
        (["--rate-limit", "300/nans"], "'300/nans': 'nan' is not a number of seconds"),
        (["--rate-limit", "300/5s/5s"], "'300/5s/5s': '5s/5' is not a number of seconds"),
        (["--rate-limit", "3/" + "9" * 400 + "s"], "the window is too long"),
        (["--rate-limit", "3", "--rate-window", "0"], "--rate-window: '0': the window must be"),
        (["--rate-limit", "3", "--rate-window", "-1"], "'-1' is not a number of seconds"),
        (["--rate-limit", "3", "--rate-window", "abc"], "'abc' is not a number of seconds"),
        (["--rate-limit", "3", "--rate-window", "5m"], "rate-window: '5m' is not a number"),
        (["--rate-limit", "3", "--rate-window", "inf"], "'inf' is not a number of seconds"),
        (["--rate-window", "5"], "--rate-window has no effect without --rate-limit"),
        (
            ["--rate-limit", "300/5s", "--rate-window", "6"],
            "--rate-window 6 disagrees with --rate-limit 300/5s: give the window once",
        ),
        (
            ["--rate-limit", "300/5s", "--rate-window", "1.5"],
            "--rate-window 1.5 disagrees with --rate-limit 300/5s",
        ),
    ],
)
def test_rejected_rate_limit_forms_exit_2_naming_the_value(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert error in refusal(argv, capsys)


def test_help_says_the_window_needs_its_s(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "300/5s" in help_text
    assert "the s is required: 300/5 is refused" in help_text
    assert "--rate-window SECONDS" in help_text


@pytest.mark.parametrize("window", [60.0, 5.0, 1.5, 0.1, 1e-05, 3600.25, 1e20])
def test_cli_args_carry_the_window_exactly(window: float) -> None:
    config = ServerConfig(api_key="k", rate_limit=7, rate_window=window)
    again = parse_config(cli_args(config))
    assert (again.rate_limit, again.rate_window) == (7, window)


@pytest.mark.parametrize(
    ("limit", "window", "line"),
    [
        (300, 5.0, "  rate limit: 300 requests per 5 s"),
        (300, 1.5, "  rate limit: 300 requests per 1.5 s"),
        (120, 60.0, "  rate limit: 120 requests per 60 s"),
    ],
)
def test_banner_names_the_window(limit: int, window: float, line: str) -> None:
    text = banner(ServerConfig(api_key="k", rate_limit=limit, rate_window=window), "http://h:1")
    assert text.splitlines()[-1] == line


def test_banner_without_a_limit_has_no_rate_line() -> None:
    assert "rate limit" not in banner(ServerConfig(api_key="k"), "http://h:1")


def test_the_command_line_window_reaches_the_server() -> None:
    """A 1-hour window: the Retry-After is far above what a 60 s window could give."""
    config = ServerConfig(api_key=new_api_key(), rate_limit=2, rate_window=3600)
    with serve_in_subprocess(config) as server:
        api = Api(server)
        assert api.http.get(COLL).status_code == 200
        assert api.http.get(COLL).status_code == 200
        refused = api.http.get(COLL)
        api.close()
    assert refused.status_code == 429
    assert 60 < int(refused.headers["retry-after"]) <= 3600


# The limiter.


def test_limiter_counts_requests_in_a_rolling_5_s_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, window=5.0, clock=clock)
    start = clock.now
    assert limiter.acquire() is None  # t=0
    clock.now = start + 1.0
    assert limiter.acquire() is None  # t=1
    clock.now = start + 1.5
    assert limiter.acquire() == 3.5  # the t=0 request leaves at t=5
    clock.now = start + 4.75
    assert limiter.acquire() == 0.25
    clock.now = start + 5.0
    assert limiter.acquire() is None  # t=0 has left: room for one
    assert limiter.acquire() == 1.0  # now t=1 is the oldest
    clock.now = start + 6.0
    assert limiter.acquire() is None
    assert limiter.acquire() == 4.0  # the t=5 request leaves at t=10


def test_refused_requests_do_not_count() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, window=5.0, clock=clock)
    start = clock.now
    assert limiter.acquire() is None
    for step in range(1, 20):  # hammering while refused does not push the window on
        clock.now = start + step * 0.25
        assert limiter.acquire() is not None
    clock.now = start + 5.0
    assert limiter.acquire() is None


@pytest.mark.parametrize(
    ("limit", "window"),
    [(0, 5.0), (-1, 5.0), (1, 0.0), (1, -5.0), (1, float("inf")), (1, float("nan"))],
)
def test_limiter_refuses_a_meaningless_limit_or_window(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(limit, window)


# Retry-After, straight into the ASGI app (no network).


async def _get(app: Any) -> tuple[int, list[tuple[bytes, bytes]]]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": COLL,
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {KEY}".encode()), (b"ngrok-version", b"2")],
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], sent[0]["headers"]


@pytest.mark.parametrize(
    ("window", "after", "retry_after"),
    [
        (5.0, 0.5, b"5"),  # 4.5 s left: rounded up
        (5.0, 3.0, b"2"),  # exactly 2 s left: 2
        (5.0, 4.75, b"1"),  # 0.25 s left: at least 1
        (5.0, 4.999, b"1"),
        (1.5, 0.0, b"2"),
        (3600.0, 0.0, b"3600"),
    ],
)
def test_retry_after_is_whole_seconds_until_the_oldest_request_leaves(
    window: float, after: float, retry_after: bytes
) -> None:
    clock = FakeClock()
    config = ServerConfig(api_key=KEY, rate_limit=1, rate_window=window)
    app = create_app(config, MemoryStore(), clock=clock)
    status, headers = asyncio.run(_get(app))
    assert status == 200
    assert b"retry-after" not in dict(headers)
    clock.now += after
    status, headers = asyncio.run(_get(app))
    assert status == 429
    assert [v for k, v in headers if k == b"retry-after"] == [retry_after]


# Over HTTP.


def test_429_over_http_says_when_to_come_back_and_the_window_reopens() -> None:
    clock = FakeClock()
    store = MemoryStore()
    config = ServerConfig(api_key=new_api_key(), rate_limit=2, rate_window=5)
    app = create_app(config, store, clock=clock)
    with serve_in_thread(config, wrap=lambda _inner: app) as server:
        api = Api(server)
        first = api.http.get(COLL)  # t=0
        assert first.status_code == 200
        assert "retry-after" not in first.headers
        clock.now += 1.25
        assert api.http.get(COLL).status_code == 200  # t=1.25
        clock.now += 1.0
        refused = api.http.post(COLL, json={"backends": []})  # t=2.25
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "3"  # t=0 leaves at t=5: 2.75 s
        assert refused.json()["error_code"] == "ERR_NGROK_226"
        assert store.count() == 0
        clock.now += 2.75  # t=5
        assert api.http.post(COLL, json={"backends": []}).status_code == 201
        again = api.http.get(COLL)  # t=1.25 is now the oldest: 1.25 s left
        assert again.status_code == 429
        assert again.headers["retry-after"] == "2"
        clock.now += 1.25  # t=6.25
        assert api.http.get(COLL).status_code == 200
        api.close()
    assert store.count() == 1
