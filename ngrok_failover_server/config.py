"""The server's settings, shared by the CLI, the test helpers and the ASGI app."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .store import References


@dataclass(frozen=True)
class ServerConfig:
    """How a reference server runs.

    `public_url` is the base that `uri` and `next_page_uri` use (behind a proxy);
    None means the request's own scheme and host. `rate_limit` is requests per
    rolling `rate_window` seconds, None for no limit.
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

    @property
    def references(self) -> References:
        return References(strict=self.strict_references, known=self.known_backends)


def format_seconds(seconds: float) -> str:
    """`seconds` as the CLI reads it back exactly: 5.0 as 5, 1e-05 as 0.00001."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return format(Decimal(repr(float(seconds))), "f")  # repr: the shortest exact digits
