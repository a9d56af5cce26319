"""An exchange as a person replays it: the request as a curl command, the answer in short."""

from __future__ import annotations

import shlex

from ..core.exchange import Exchange

MAX_BODY_CHARS = 2000
# Headers any HTTP client adds by itself: noise in a command to reproduce a request.
CLIENT_HEADERS = frozenset(
    {"accept", "accept-encoding", "connection", "content-length", "host", "user-agent"}
    | {"x-schemathesis-testcaseid"}  # Schemathesis's own bookkeeping
)


def as_curl(exchange: Exchange) -> str:
    """The request as a curl command; the key is a shell variable, never its value."""
    parts = ["curl", "-X", exchange.method]
    for name, value in exchange.request_headers.items():
        if name.lower() in CLIENT_HEADERS:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $NGROK_API_KEY"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body is not None:
        parts += ["-d", shlex.quote(exchange.request_body)]
    parts.append(shlex.quote(exchange.url))
    return " ".join(parts)


def describe_response(exchange: Exchange) -> str:
    body = exchange.response_text
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS] + f"... ({len(exchange.response_text)} characters)"
    content_type = exchange.response_headers.get("content-type", "(none)")
    return f"HTTP {exchange.status}, Content-Type: {content_type}\n{body}"
