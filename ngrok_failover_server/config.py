"""The server's settings, shared by the CLI, the test helpers and the ASGI app."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .store import DEFAULT_ACCOUNT, References

ACCOUNT_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# A cap on connections that the default file limit (1,024 on most systems) leaves room for.
MAX_CONNECTIONS = 512


@dataclass(frozen=True)
class Limits:
    """What one client may take of a server; each is an option with a safe default.

    Sizes are bytes, times seconds. `max_connections` None means `MAX_CONNECTIONS`, or half
    the process's file limit when that is lower (`effective_max_connections`).
    """

    max_header_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: float = 5.0
    max_connections: int | None = None
    max_in_flight: int = 100
    max_body_bytes: int = 1 << 20
    # How long a write waits for SQLite's lock (another process holding it) before a 503.
    lock_timeout: float = 2.0
    # What a 503 asks a client to wait, in whole seconds.
    retry_after: int = 1

    def __post_init__(self) -> None:
        for name in ("max_header_bytes", "max_in_flight", "max_body_bytes", "retry_after"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.max_connections is not None and self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, not {self.max_connections}")
        for name in ("header_timeout", "body_timeout", "keep_alive_timeout", "lock_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be more than 0 seconds, not {getattr(self, name)}")

    def effective_max_connections(self) -> int:
        if self.max_connections is not None:
            return self.max_connections
        return min(MAX_CONNECTIONS, max(1, _open_file_limit() // 2))


def _open_file_limit() -> int:
    try:
        import resource  # noqa: PLC0415 (not on Windows)
    except ImportError:
        return 2 * MAX_CONNECTIONS
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 2 * MAX_CONNECTIONS


@dataclass(frozen=True)
class ServerConfig:
    """How a reference server runs.

    `api_key` is the key of the default account. `accounts` adds (account name, key)
    pairs: each account has its own backends and sees no other's; naming the default
    account adds a key to it. `public_url` is the base that `uri` and `next_page_uri`
    use (behind a proxy); None means the request's own scheme and host. `rate_limit` is
    requests per rolling `rate_window` seconds, None for no limit.
    """

    api_key: str
    host: str = "127.0.0.1"
    port: int = 0
    strict_references: bool = False
    known_backends: frozenset[str] = frozenset()
    db_path: str | None = None
    public_url: str | None = None
    rate_limit: int | None = None
    rate_window: float = 60.0
    accounts: tuple[tuple[str, str], ...] = ()
    limits: Limits = field(default_factory=Limits)
    # uvicorn's HTTP parser: "auto" is httptools where it is installed, else h11.
    http: str = "auto"

    def __post_init__(self) -> None:
        owners: dict[str, str] = {}
        for name, key in ((DEFAULT_ACCOUNT, self.api_key), *self.accounts):
            if not ACCOUNT_NAME_RE.fullmatch(name):
                raise ValueError(
                    f"account name {name[:80]!r}: letters, digits, '_', '.' and '-', "
                    "at most 64, starting with a letter or digit"
                )
            if not key:
                raise ValueError(f"account {name!r}: the key is empty")
            owner = owners.setdefault(key, name)
            if owner != name:
                # Never the key itself: only whose it is.
                raise ValueError(f"accounts {owner!r} and {name!r} have the same key")
        if self.http not in ("auto", "h11", "httptools"):
            raise ValueError(f"http must be auto, h11 or httptools, not {self.http!r}")

    @property
    def references(self) -> References:
        return References(strict=self.strict_references, known=self.known_backends)

    def account_of_key(self) -> dict[str, str]:
        """Every accepted key and the account it belongs to."""
        return {key: name for name, key in ((DEFAULT_ACCOUNT, self.api_key), *self.accounts)}

    def account_names(self) -> tuple[str, ...]:
        """The accounts, the default first, each once, in the order given."""
        names = [DEFAULT_ACCOUNT, *(name for name, _key in self.accounts)]
        return tuple(dict.fromkeys(names))

    def first_keys(self) -> dict[str, str]:
        """Each account's first key, by account name (the default's is `api_key`)."""
        keys: dict[str, str] = {}
        for name, key in ((DEFAULT_ACCOUNT, self.api_key), *self.accounts):
            keys.setdefault(name, key)
        return keys


def format_seconds(seconds: float) -> str:
    """`seconds` as the CLI reads it back exactly: 5.0 as 5, 1e-05 as 0.00001."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return format(Decimal(repr(float(seconds))), "f")  # repr: the shortest exact digits


def key_hint(key: str) -> str:
    """What may be shown of a key: its last four characters, none of a short one."""
    if len(key) < 12:
        return f"a {len(key)}-character key"
    return f"ending in {key[-4:]!r}"
