"""A reference server with one planted fault or benign variant of `mutation/`, and a client
that speaks to it as the suite would: what the rig's tests drive."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from mutation import get_mutant
from mutation.asgi import ASGIApp
from ngrok_failover_contract.core.exchange import auth_headers
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import RunningServer, new_api_key, serve_in_thread

COLLECTION = "/backends/failover"
# A child id of the documented form; the lenient server takes any without looking it up.
CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j97"


def child(number: int) -> str:
    return f"{CHILD}{number % 10}"


@dataclass
class Api:
    server: RunningServer
    http: httpx.Client  # the server's key and version on every request

    def create(self, **fields: Any) -> dict[str, Any]:
        response = self.http.post(COLLECTION, json={"backends": [], **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def get(self, backend_id: str) -> dict[str, Any]:
        response = self.http.get(f"{COLLECTION}/{backend_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def patch(self, backend_id: str, body: object) -> httpx.Response:
        return self.http.patch(f"{COLLECTION}/{backend_id}", json=body)

    def pages(self, limit: int = 100) -> list[list[str]]:
        """The ids of each page of a walk from the first page, newest first."""
        pages: list[list[str]] = []
        url: str | None = f"{COLLECTION}?limit={limit}"
        while url is not None:
            response = self.http.get(url)
            assert response.status_code == 200, response.text
            page = response.json()
            pages.append([backend["id"] for backend in page["backends"]])
            url = page["next_page_uri"]
            assert len(pages) <= 1000, "the walk does not end"
        return pages

    def ids(self) -> list[str]:
        return [backend_id for page in self.pages() for backend_id in page]


@contextmanager
def planted(
    name: str | None, *, strict: bool = False, inner: Callable[[ASGIApp], ASGIApp] | None = None
) -> Iterator[Api]:
    """A fresh reference server with `name` planted (None: the clean server); `inner`, if
    given, wraps the reference app inside the planted fault."""
    fault = get_mutant(name).wrap if name else None

    def wrap(app: ASGIApp) -> ASGIApp:
        app = inner(app) if inner else app
        return fault(app) if fault else app

    config = ServerConfig(api_key=new_api_key(), strict_references=strict)
    with serve_in_thread(config, wrap=wrap) as server:
        headers = auth_headers(server.api_key)
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as http:
            yield Api(server, http)
