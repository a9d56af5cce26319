"""The server's settings, shared by the CLI, the test helpers and the ASGI app."""

from __future__ import annotations

from dataclasses import dataclass

from .store import References


@dataclass(frozen=True)
class ServerConfig:
    """How a reference server runs.

    `public_url` is the base that `uri` and `next_page_uri` use (behind a proxy);
    None means the request's own scheme and host. `rate_limit` is requests per
    rolling 60 s, None for no limit.
    """

    api_key: str
    host: str = "127.0.0.1"
    port: int = 0
    strict_references: bool = False
    known_backends: frozenset[str] = frozenset()
    db_path: str | None = None
    public_url: str | None = None
    rate_limit: int | None = None

    @property
    def references(self) -> References:
        return References(strict=self.strict_references, known=self.known_backends)
