"""A reference server standing in for a user's account: 20 'production' backends, and a spy
that records every PATCH and DELETE it receives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from mutation.asgi import ASGIApp, Fault, Reply, Request
from ngrok_failover_contract.core.exchange import auth_headers
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import RunningServer, new_api_key, serve_in_thread

PRODUCTION_COUNT = 20
Wrap = Callable[[ASGIApp], ASGIApp]


@dataclass
class Spy:
    """What reached the server: every change (method and path), and how many creates."""

    changes: list[str] = field(default_factory=list)
    creates: int = 0
    requests: int = 0

    def wrap(self, app: ASGIApp) -> ASGIApp:
        def on_request(request: Request) -> Request:
            self.requests += 1
            if request.method in ("PATCH", "DELETE"):
                self.changes.append(f"{request.method} {request.path}")
            if request.method == "POST":
                self.creates += 1
            return request

        return Fault(app, on_request=on_request)


@dataclass
class Account:
    server: RunningServer
    spy: Spy
    production: list[str]  # ids, newest first

    def headers(self) -> dict[str, str]:
        return auth_headers(self.server.api_key)

    def listing(self) -> str:
        """Every backend, as the server's bytes (one page holds them all)."""
        url = f"{self.server.base_url}/backends/failover?limit=100"
        response = httpx.get(url, headers=self.headers(), timeout=30)
        assert response.status_code == 200, response.text
        return response.text

    def ids(self) -> list[str]:
        return [item["id"] for item in json.loads(self.listing())["backends"]]

    def changes_naming_production(self) -> list[str]:
        return [c for c in self.spy.changes if any(p in c for p in self.production)]


@contextmanager
def account(
    strict: bool = True,
    rate_limit: int | None = None,
    rate_window: float = 60.0,
    extra: Wrap | None = None,
) -> Iterator[Account]:
    """A server holding 20 production backends (some the children of others).

    `rate_limit` is the server's, in requests per rolling `rate_window` seconds; `extra`
    plants a fault.
    """
    spy = Spy()

    def wrap(app: ASGIApp) -> ASGIApp:
        # The planted fault outermost: what it does to the wire, the client sees.
        spied = spy.wrap(app)
        return extra(spied) if extra else spied

    config = ServerConfig(
        api_key=new_api_key(),
        strict_references=strict,
        rate_limit=rate_limit,
        rate_window=rate_window,
    )
    with serve_in_thread(config, wrap=wrap) as server:
        made: list[str] = []
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for number in range(PRODUCTION_COUNT):
                body = {
                    "description": f"production {number}",
                    "metadata": json.dumps({"team": "web", "n": number}),
                    "backends": made[-2:] if number % 3 == 2 else [],
                }
                headers = auth_headers(server.api_key)
                response = client.post("/backends/failover", json=body, headers=headers)
                assert response.status_code == 201, response.text
                made.append(response.json()["id"])
        spy.changes.clear()
        spy.creates = spy.requests = 0
        yield Account(server, spy, list(reversed(made)))


def replace_reply(change: Callable[[Request, Reply], Reply]) -> Wrap:
    def wrap(app: ASGIApp) -> ASGIApp:
        return Fault(app, on_reply=change)

    return wrap
