"""`python -m ngrok_failover_server` / `ngrok-failover-server`: start the reference server."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from urllib.parse import urlsplit

import uvicorn

from .app import create_app
from .config import ServerConfig
from .rules import is_backend_id
from .store import open_store
from .testing import bind_socket, new_api_key, url_of, uvicorn_config


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    known = frozenset(i for value in args.known_backend for i in value.split(",") if i)
    for backend_id in sorted(known):
        if not is_backend_id(backend_id):
            parser.error(
                f"--known-backend: {backend_id!r} is not a backend id "
                "('bkd', two letters, '_' and 27 base62 characters)"
            )
    if known and not args.strict_references:
        parser.error("--known-backend has no effect without --strict-references")
    config = ServerConfig(
        api_key=args.api_key or new_api_key(),
        host=args.host,
        port=args.port,
        strict_references=args.strict_references,
        known_backends=known,
        db_path=args.db,
        public_url=args.public_url,
        rate_limit=args.rate_limit,
    )
    try:
        store = open_store(config.db_path, config.references)
    except sqlite3.Error as err:
        parser.error(f"--db {config.db_path}: cannot open the database: {err}")
    try:
        sock = bind_socket(config.host, config.port)
    except OSError as err:
        store.close()
        parser.error(f"cannot listen on {config.host}:{config.port}: {err.strerror or err}")
    url = url_of(sock)
    refs = "strict" if config.strict_references else "form only"
    print("ngrok Failover Backends reference server", flush=True)
    print(f"  URL:        {url}", flush=True)
    print(f"  API key:    {config.api_key}", flush=True)
    print(f"  store:      {config.db_path or 'memory'}", flush=True)
    print(f"  references: {refs} ({len(known)} known backends)", flush=True)
    if config.public_url:
        print(f"  public URL: {config.public_url}", flush=True)
    if config.rate_limit:
        print(f"  rate limit: {config.rate_limit} requests per 60 s", flush=True)
    try:
        uvicorn.Server(uvicorn_config(create_app(config, store))).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        store.close()
    return 0


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
        type=_positive_int,
        metavar="N",
        help="answer 429 past N requests in a rolling 60 s (default: no limit)",
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


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
