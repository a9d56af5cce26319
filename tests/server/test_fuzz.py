"""Never a 500: random requests straight into the ASGI app (no network, so many of them)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngrok_failover_server.app import create_app
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.store import MemoryStore

from .conftest import KNOWN

KEY = "fuzz-key"
APPS = {
    "default": create_app(ServerConfig(api_key=KEY), MemoryStore()),
    "strict": create_app(
        ServerConfig(api_key=KEY, strict_references=True),
        MemoryStore(ServerConfig(api_key=KEY, strict_references=True).references),
    ),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {},
        optional={
            "description": json_values | st.text(max_size=300),
            "metadata": json_values | st.text(max_size=5000),
            "backends": st.lists(
                st.sampled_from([KNOWN, "bkdfo_" + "1" * 27, "nope"]) | st.text(max_size=40),
                max_size=4,
            )
            | json_values,
            "extra": json_values,
        },
    ).map(lambda d: json.dumps(d).encode()),
)
paths = st.one_of(
    st.just("/backends/failover"),
    st.builds(lambda s: "/backends/failover/" + s, st.text(max_size=40)),
    st.builds(
        lambda s: "/backends/failover/bkdfo_" + s,
        st.text("0123456789abcXYZ", min_size=27, max_size=27),
    ),
    st.text(max_size=30).map(lambda s: "/" + s),
)
header_values = st.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b)


async def call(mode: str, scope: dict[str, Any], body: bytes) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []
    chunks = [body[: len(body) // 2], body[len(body) // 2 :]]

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Any) -> None:
        sent.append(message)

    await APPS[mode](scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, Any], bytes]:
    """A mode, an ASGI scope and a body: any method, path, query, headers and bytes."""
    headers = [
        (name, value)
        for name, value in (
            (
                b"authorization",
                draw(
                    st.sampled_from([b"Bearer " + KEY.encode(), b"Bearer x", b"", None])
                    | header_values
                ),
            ),
            (b"ngrok-version", draw(st.sampled_from([b"2", b"3", None]) | header_values)),
            (
                b"content-type",
                draw(st.sampled_from([b"application/json", b"text/plain", None]) | header_values),
            ),
            (b"host", draw(st.sampled_from([b"example.test", None]) | header_values)),
        )
        if value is not None
    ]
    scope = {
        "type": "http",
        "method": draw(
            st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"])
        ),
        "path": draw(paths),
        "query_string": draw(st.binary(max_size=60)),
        "headers": headers,
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
    }
    return draw(st.sampled_from(["default", "strict"])), scope, draw(bodies)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=requests())
def test_no_input_makes_a_server_error(request: tuple[str, dict[str, Any], bytes]) -> None:
    status, raw = asyncio.run(call(*request))
    assert status < 500, raw
    if status != 204:
        answer = json.loads(raw)
        if status >= 400:
            assert answer["status_code"] == status
            assert isinstance(answer["msg"], str)
