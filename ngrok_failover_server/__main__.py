"""`python -m ngrok_failover_server` / `ngrok-failover-server`: start the reference server."""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import sys
from typing import NamedTuple
from urllib.parse import urlsplit

import uvicorn

from .app import create_app
from .config import ServerConfig, format_seconds
from .rules import is_backend_id
from .store import open_store
from .testing import bind_socket, new_api_key, url_of, uvicorn_config


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    config = _config(parser, parser.parse_args(argv))
    try:
        store = open_store(config.db_path, config.references)
    except sqlite3.Error as err:
        parser.error(f"--db {config.db_path}: cannot open the database: {err}")
    try:
        sock = bind_socket(config.host, config.port)
    except OSError as err:
        store.close()
        parser.error(f"cannot listen on {config.host}:{config.port}: {err.strerror or err}")
    print(banner(config, url_of(sock)), flush=True)
    try:
        uvicorn.Server(uvicorn_config(create_app(config, store))).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        store.close()
    return 0


def parse_config(argv: list[str] | None = None) -> ServerConfig:
    """The settings the command line asks for; a bad option exits 2 (argparse's way)."""
    parser = _parser()
    return _config(parser, parser.parse_args(argv))


def banner(config: ServerConfig, url: str) -> str:
    """What the server prints on start (`serve_in_subprocess` reads the URL line)."""
    refs = "strict" if config.strict_references else "form only"
    lines = [
        "ngrok Failover Backends reference server",
        f"  URL:        {url}",
        f"  API key:    {config.api_key}",
        f"  store:      {config.db_path or 'memory'}",
        f"  references: {refs} ({len(config.known_backends)} known backends)",
    ]
    if config.public_url:
        lines.append(f"  public URL: {config.public_url}")
    if config.rate_limit:
        per = format_seconds(config.rate_window)
        lines.append(f"  rate limit: {config.rate_limit} requests per {per} s")
    return "\n".join(lines)


def _config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ServerConfig:
    known = frozenset(i for value in args.known_backend for i in value.split(",") if i)
    for backend_id in sorted(known):
        if not is_backend_id(backend_id):
            parser.error(
                f"--known-backend: {backend_id!r} is not a backend id "
                "('bkd', two letters, '_' and 27 base62 characters)"
            )
    if known and not args.strict_references:
        parser.error("--known-backend has no effect without --strict-references")
    rate: RateLimit | None = args.rate_limit
    window: float | None = args.rate_window
    if window is not None and rate is None:
        parser.error("--rate-window has no effect without --rate-limit")
    if rate is not None and rate.window is not None:
        if window is not None and window != rate.window:
            parser.error(
                f"--rate-window {format_seconds(window)} disagrees with "
                f"--rate-limit {rate.text}: give the window once"
            )
        window = rate.window
    return ServerConfig(
        api_key=args.api_key or new_api_key(),
        host=args.host,
        port=args.port,
        strict_references=args.strict_references,
        known_backends=known,
        db_path=args.db,
        public_url=args.public_url,
        rate_limit=rate.requests if rate is not None else None,
        rate_window=window if window is not None else 60.0,
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ngrok-failover-server",
        description="A local, stateful ngrok Failover Backends API (the reference server).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=_port, default=0, help="port; 0 picks a free one (0)")
    p.add_argument("--api-key", type=_api_key, help="the accepted API key (default: random)")
    p.add_argument(
        "--strict-references",
        action="store_true",
        help="child backends must exist (a known backend or a failover backend held here)",
    )
    p.add_argument(
        "--known-backend",
        action="append",
        default=[],
        metavar="ID",
        help="a backend id that exists elsewhere; repeat it or separate ids with commas",
    )
    p.add_argument("--db", metavar="PATH", help="SQLite file to keep backends in (default: memory)")
    p.add_argument(
        "--public-url",
        type=_public_url,
        metavar="URL",
        help="base URL for `uri` fields behind a proxy (default: the request's scheme and host)",
    )
    p.add_argument(
        "--rate-limit",
        type=_rate_limit,
        metavar="N[/Ws]",
        help="at most N requests per rolling 60 s, then 429; N/Ws sets the window in "
        "seconds: 300/5s, 300/1.5s (the s is required: 300/5 is refused) (default: no limit)",
    )
    p.add_argument(
        "--rate-window",
        type=_rate_window,
        metavar="SECONDS",
        help="the --rate-limit window in seconds, more than 0: 5, 1.5 or 5s (default: 60)",
    )
    return p


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


class RateLimit(NamedTuple):
    """`--rate-limit` as given: `window` None when the value names none."""

    requests: int
    window: float | None
    text: str


_COUNT_RE = re.compile(r"[-+]?[0-9]+")
_SECONDS_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")  # no sign, exponent, inf or nan


def _rate_limit(text: str) -> RateLimit:
    count_text, slash, window_text = text.partition("/")
    try:
        count = int(count_text) if _COUNT_RE.fullmatch(count_text) else None
    except ValueError:  # more digits than int() takes
        count = None
    if count is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not N or N/<seconds>s (like 300 or 300/5s)")
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: N must be at least 1")
    if not slash:
        return RateLimit(count, None, text)
    if not window_text:
        raise argparse.ArgumentTypeError(f"{text!r}: the window after '/' is missing (like 300/5s)")
    if not window_text.endswith("s"):
        # A bare 300/5 could be read as minutes; only seconds, said so, are accepted.
        raise argparse.ArgumentTypeError(
            f"{text!r}: write the window in seconds with an 's', like {count}/5s"
        )
    return RateLimit(count, _seconds(window_text[:-1], text), text)


def _rate_window(text: str) -> float:
    return _seconds(text.removesuffix("s"), text)


def _seconds(number: str, text: str) -> float:
    if not _SECONDS_RE.fullmatch(number):
        shown = f"{text!r}" if number == text else f"{text!r}: {number!r}"
        raise argparse.ArgumentTypeError(f"{shown} is not a number of seconds")
    seconds = float(number)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the window must be more than 0 seconds")
    if not math.isfinite(seconds):
        raise argparse.ArgumentTypeError(f"{text!r}: the window is too long")
    return seconds


def _api_key(text: str) -> str:
    if not text or not text.isascii() or not text.isprintable() or " " in text:
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot be an API key (printable ASCII, no spaces)"
        )
    return text


def _public_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a base URL like https://api.example.com (http or https, "
            "a host, no query)"
        )
    if any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(f"{text!r} contains whitespace")
    return text.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
