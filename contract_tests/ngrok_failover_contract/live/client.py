"""A small HTTP client for the API that keeps every exchange, for reports and reproduction.

Every request goes through the run's `Gate` (safety, rate limit, 429 retries); every create
and update body is marked with the run's marker before it is sent (`Exchange.sent_json` is
what the server got, and what the properties compare with).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..checks.freedoms import Window
from ..core.api import COLLECTION
from ..core.exchange import Exchange, auth_headers
from .gate import Gate, GatedTransport
from .marker import mark_body

# Every request of a run, ours and Schemathesis's: a server that never answers ends the run.
REQUEST_TIMEOUT_S = 30.0


@dataclass
class ApiClient:
    """Calls the five operations with the headers every ngrok client sends."""

    base_url: str
    api_key: str = field(repr=False)
    gate: Gate = field(repr=False)
    history: list[Exchange] = field(default_factory=list, repr=False)
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._http = httpx.Client(
            timeout=REQUEST_TIMEOUT_S, follow_redirects=False, transport=GatedTransport(self.gate)
        )

    @property
    def headers(self) -> dict[str, str]:
        return auth_headers(self.api_key)

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        url: str,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> Exchange:
        """Send one request (a path or an absolute URL) and record the exchange."""
        return self.send(method, url, *self.prepare(body, headers))

    def prepare(
        self, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[str | None, dict[str, str]]:
        """The content and headers `request` sends for a JSON `body` (None: no body)."""
        sent_headers = dict(self.headers if headers is None else headers)
        if body is None:
            return None, sent_headers
        sent_headers["Content-Type"] = "application/json"
        return json.dumps(body), sent_headers

    def send(
        self, method: str, url: str, content: str | bytes | None, headers: dict[str, str]
    ) -> Exchange:
        """Send one request as given, byte for byte (a comparison repeats another side's
        requests so), and record the exchange."""
        full_url = url if "://" in url else self.base_url + url
        response = self._http.request(method, full_url, content=content, headers=headers)
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        exchange = Exchange(
            method=method,
            url=full_url,
            request_headers=dict(headers),
            request_body=text,
            status=response.status_code,
            response_headers=dict(response.headers),
            response_text=response.text,
        )
        self.history.append(exchange)
        return exchange

    def window_since(self, started: float) -> Window:
        """When the request just answered could have been served: from `started` to now (a
        replayed side gives the recorded one)."""
        return Window.around(started, time.time())

    def marked(self, body: Any, create: bool = False) -> Any:
        """`body` with the run marker, as every create (and an update naming a
        description) carries it."""
        return mark_body(body, self.gate.marker, create=create)

    def create(self, body: dict[str, Any]) -> Exchange:
        return self.request("POST", COLLECTION, self.marked(body, create=True))

    def get(self, backend_id: str) -> Exchange:
        return self.request("GET", f"{COLLECTION}/{backend_id}")

    def update(self, backend_id: str, body: dict[str, Any]) -> Exchange:
        return self.request("PATCH", f"{COLLECTION}/{backend_id}", self.marked(body))

    def delete(self, backend_id: str) -> Exchange:
        return self.request("DELETE", f"{COLLECTION}/{backend_id}")

    def list_page(self, limit: int | None = None, before_id: str | None = None) -> Exchange:
        return self.request("GET", self.list_path(limit, before_id))

    @staticmethod
    def list_path(limit: int | None = None, before_id: str | None = None) -> str:
        params = {
            name: value
            for name, value in (("limit", limit), ("before_id", before_id))
            if value is not None
        }
        query = "&".join(f"{name}={value}" for name, value in params.items())
        return COLLECTION + (f"?{query}" if query else "")
