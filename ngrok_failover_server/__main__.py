"""`python -m ngrok_failover_server` / `ngrok-failover-server`: start the reference server."""

from __future__ import annotations

import argparse
import math
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import uvicorn

from .app import create_app
from .config import ACCOUNT_NAME_RE, Limits, ServerConfig, format_seconds, key_hint
from .protocol import PARSERS, parser_name
from .rules import is_backend_id
from .store import DEFAULT_ACCOUNT, open_accounts
from .testing import LIMIT_OPTIONS, bind_socket, new_api_key, url_of, uvicorn_config

KEY_ENV = "NGROK_API_KEY"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    config = _config(parser, args)
    try:
        stores = open_accounts(
            config.db_path,
            config.account_names(),
            config.references,
            lock_timeout=config.limits.lock_timeout,
        )
    except sqlite3.Error as err:
        parser.error(f"--db {config.db_path}: cannot open the database: {err}")
    try:
        sock = bind_socket(config.host, config.port)
    except OSError as err:
        stores.close()
        parser.error(f"cannot listen on {config.host}:{config.port}: {err.strerror or err}")
    print(banner(config, url_of(sock), key_from=_key_source(args)), flush=True)
    app = create_app(config, stores)
    try:
        uvicorn.Server(uvicorn_config(app, config.limits, config.http)).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        app.close()
        stores.close()
    return 0


def parse_config(argv: list[str] | None = None) -> ServerConfig:
    """The settings the command line asks for; a bad option exits 2 (argparse's way)."""
    parser = _parser()
    return _config(parser, parser.parse_args(argv))


def banner(config: ServerConfig, url: str, key_from: str = "") -> str:
    """What the server prints on start (`serve_in_subprocess` reads the URL line). Of a
    key it shows a hint only, never the key."""
    refs = "strict" if config.strict_references else "form only"
    source = f" (from {key_from})" if key_from else ""
    lines = [
        "ngrok Failover Backends reference server",
        f"  URL:        {url}",
        f"  API key:    {key_hint(config.api_key)}{source}",
    ]
    if key_from == "a random key":
        lines.append(f"              (give one with {KEY_ENV}, --api-key-file or --api-key)")
    if config.accounts:
        hints = [
            f"{name} ({key_hint(key)})"
            for name, key in ((DEFAULT_ACCOUNT, config.api_key), *config.accounts)
        ]
        lines.append(f"  accounts:   {', '.join(hints)}")
    limits = config.limits
    lines += [
        f"  store:      {config.db_path or 'memory'}",
        f"  references: {refs} ({len(config.known_backends)} known backends)",
        f"  limits:     headers {limits.max_header_bytes} bytes in "
        f"{format_seconds(limits.header_timeout)} s, body {limits.max_body_bytes} bytes in "
        f"{format_seconds(limits.body_timeout)} s, keep-alive "
        f"{format_seconds(limits.keep_alive_timeout)} s, "
        f"{limits.effective_max_connections()} connections, {limits.max_in_flight} in flight",
        f"  parser:     {parser_name(config.http)}, loop {_loop_name()}",
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
    key = args.api_key or _key_file(parser, args.api_key_file) or os.environ.get(KEY_ENV) or None
    if key is not None and not _is_key(key):
        given = "--api-key-file" if not args.api_key and args.api_key_file else KEY_ENV
        parser.error(f"{given}: {_KEY_RULE} ({len(key)} characters given)")
    accounts: list[tuple[str, str]] = list(args.account)
    if args.accounts_file is not None:
        accounts += _accounts_file(parser, args.accounts_file)
    try:
        limits = Limits(**{LIMIT_OPTIONS[o]: v for o, v in _limit_values(args).items()})
    except ValueError as err:
        parser.error(str(err))
    try:
        return _server_config(
            args,
            key=key or new_api_key(),
            accounts=tuple(accounts),
            limits=limits,
            known=known,
            rate=rate,
            window=window,
        )
    except ValueError as err:  # accounts sharing a key: named, the key never shown
        parser.error(str(err))


def _server_config(
    args: argparse.Namespace,
    *,
    key: str,
    accounts: tuple[tuple[str, str], ...],
    limits: Limits,
    known: frozenset[str],
    rate: RateLimit | None,
    window: float | None,
) -> ServerConfig:
    return ServerConfig(
        api_key=key,
        accounts=accounts,
        limits=limits,
        http=args.http,
        host=args.host,
        port=args.port,
        strict_references=args.strict_references,
        known_backends=known,
        db_path=args.db,
        public_url=args.public_url,
        rate_limit=rate.requests if rate is not None else None,
        rate_window=window if window is not None else 60.0,
    )


def _loop_name() -> str:
    """The loop uvicorn's "auto" picks: uvloop where it is installed, else asyncio's."""
    try:
        import uvloop  # noqa: F401, PLC0415
    except ImportError:
        return "asyncio"
    return "uvloop"


def _key_source(args: argparse.Namespace) -> str:
    if args.api_key:
        return "--api-key"
    if args.api_key_file:
        return "--api-key-file"
    if os.environ.get(KEY_ENV):
        return KEY_ENV
    return "a random key"


def _key_file(parser: argparse.ArgumentParser, path: str | None) -> str | None:
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        parser.error(f"--api-key-file {path}: cannot read it: {reason}")
    key = text.strip()
    if not key:
        parser.error(f"--api-key-file {path}: the file is empty; write the key in it")
    return key


def _accounts_file(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, str]]:
    """`NAME:KEY` lines; blank lines and lines starting with # are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        parser.error(f"--accounts-file {path}: cannot read it: {reason}")
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(_account(line))
        except argparse.ArgumentTypeError as err:
            parser.error(f"--accounts-file {path}, line {number}: {err}")
    if not found:
        parser.error(f"--accounts-file {path}: no NAME:KEY line in it")
    return found


def _limit_values(args: argparse.Namespace) -> dict[str, Any]:
    values = {}
    for option in LIMIT_OPTIONS:
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if value is not None:
            values[option] = value
    return values


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ngrok-failover-server",
        description="A local, stateful ngrok Failover Backends API (the reference server).",
        epilog=f"The default account's key: --api-key wins over --api-key-file, which wins "
        f"over {KEY_ENV}; with none of them the key is random. The banner shows its last "
        "four characters only.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=_port, default=0, help="port; 0 picks a free one (0)")
    p.add_argument(
        "--api-key",
        type=_api_key,
        help=f"the default account's key (seen by anyone who lists processes: prefer "
        f"--api-key-file or {KEY_ENV})",
    )
    p.add_argument(
        "--api-key-file",
        metavar="PATH",
        help="a file holding the default account's key (surrounding whitespace ignored)",
    )
    p.add_argument(
        "--account",
        type=_account,
        action="append",
        default=[],
        metavar="NAME:KEY",
        help="one more account and its key; repeat it. Each account has its own backends "
        f"and sees no other's; NAME {DEFAULT_ACCOUNT} adds a key to the default account",
    )
    p.add_argument(
        "--accounts-file",
        metavar="PATH",
        help="a file of NAME:KEY lines, each as --account (# starts a comment line)",
    )
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
    limits = p.add_argument_group("limits (each bounds what one client may take)")
    d = Limits()
    limits.add_argument(
        "--max-header-bytes",
        type=_positive_int,
        metavar="N",
        help=f"the request line and headers at most N bytes, else 431 ({d.max_header_bytes})",
    )
    limits.add_argument(
        "--header-timeout",
        type=_timeout,
        metavar="SECONDS",
        help="a request's headers must arrive within this from its first byte, else 408 "
        f"({format_seconds(d.header_timeout)})",
    )
    limits.add_argument(
        "--body-timeout",
        type=_timeout,
        metavar="SECONDS",
        help="a request's body must arrive within this after its headers, else 408 "
        f"({format_seconds(d.body_timeout)})",
    )
    limits.add_argument(
        "--keep-alive-timeout",
        type=_timeout,
        metavar="SECONDS",
        help="an idle connection (no request begun) closes after this "
        f"({format_seconds(d.keep_alive_timeout)})",
    )
    limits.add_argument(
        "--max-connections",
        type=_positive_int,
        metavar="N",
        help="open connections at most; the next is answered 503 with Retry-After "
        f"({d.effective_max_connections()} here: 512, or half the open-file limit if lower)",
    )
    limits.add_argument(
        "--max-in-flight",
        type=_positive_int,
        metavar="N",
        help=f"requests being answered at most; the next gets 503 ({d.max_in_flight})",
    )
    limits.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        metavar="N",
        help=f"a request body at most N bytes, else 400 ERR_NGROK_213 ({d.max_body_bytes})",
    )
    limits.add_argument(
        "--db-lock-timeout",
        type=_timeout,
        metavar="SECONDS",
        help="how long a write waits for the SQLite file's lock held by another writer, "
        f"then 503 with Retry-After ({format_seconds(d.lock_timeout)})",
    )
    p.add_argument(
        "--http",
        choices=PARSERS,
        default="auto",
        help="uvicorn's HTTP parser: auto is httptools where installed, else h11 (auto)",
    )
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def _timeout(text: str) -> float:
    number = text.removesuffix("s")
    if not _SECONDS_RE.fullmatch(number):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds")
    seconds = float(number)
    if not 0 < seconds < 1e9:
        raise argparse.ArgumentTypeError(f"{text!r}: must be more than 0 seconds and finite")
    return seconds


def _account(text: str) -> tuple[str, str]:
    # The value holds a key: no message repeats it.
    name, colon, key = text.partition(":")
    if not colon:
        raise argparse.ArgumentTypeError("expected NAME:KEY (no ':' in the value given)")
    if not ACCOUNT_NAME_RE.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"account name {name[:64]!r}: letters, digits, '_', '.' and '-', at most 64, "
            "starting with a letter or digit"
        )
    if not _is_key(key):
        raise argparse.ArgumentTypeError(
            f"account {name!r}: {_KEY_RULE} ({len(key)} characters given)"
        )
    return name, key


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


_KEY_RULE = "a key is printable ASCII without spaces, at least one character"


def _is_key(text: str) -> bool:
    return bool(text) and text.isascii() and text.isprintable() and " " not in text


def _api_key(text: str) -> str:
    if not _is_key(text):
        # Not even a bad key is printed back: it may be most of a real one.
        raise argparse.ArgumentTypeError(f"{_KEY_RULE} ({len(text)} characters given)")
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
    # The spec's uri patterns allow a prefix of at most 8 non-empty path segments.
    segments = parts.path.rstrip("/").split("/")[1:]
    if len(segments) > 8 or "" in segments:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a base URL's path has at most 8 segments, none empty (the spec's uri)"
        )
    return text.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
