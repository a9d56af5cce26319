"""The ASGI middlewares a planted fault is made of, over buffered `Request` and `Reply`.

`Fault` rewrites one request and its reply with a pair of plain functions; `Handle` gives a
coroutine the request and a `forward` that calls the app with any request, for faults that
call it several times (read, then write) or not at all. Both do the ASGI plumbing
(buffering the body, rebuilding the scope, fixing Content-Length).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from ngrok_failover_contract.core.exchange import json_or_none

# Defined once, in the server package: the suite depends on it, not the other way round.
from ngrok_failover_server.asgi import ASGIApp, Message, Receive, Scope, Send

# Re-exported (mypy strict wants it said) for the faults and the suite's tests.
__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json_or_none(self.body)

    def with_json(self, value: object) -> Request:
        return replace(self, body=json.dumps(value).encode())


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json_or_none(self.body)

    def with_json(self, value: object, status: int | None = None) -> Reply:
        return replace(
            self, body=json.dumps(value).encode(), status=self.status if status is None else status
        )


OnRequest = Callable[[Request], Request]
OnReply = Callable[[Request, Reply], Reply]


def keep_request(request: Request) -> Request:
    return request


def keep_reply(_: Request, reply: Reply) -> Reply:
    return reply


class Fault:
    """Wraps an ASGI app: `on_request` rewrites what it receives, `on_reply` what it answers."""

    def __init__(
        self, app: ASGIApp, on_request: OnRequest = keep_request, on_reply: OnReply = keep_reply
    ) -> None:
        self.app = app
        self.on_request = on_request
        self.on_reply = on_reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = self.on_request(await read_request(scope, receive))
        reply = await call_app(self.app, scope, receive, request)
        await send_reply(send, self.on_reply(request, reply))


Forward = Callable[[Request], Awaitable[Reply]]
Handler = Callable[[Request, Forward], Awaitable[Reply]]


class Handle:
    """Wraps an ASGI app for a fault that must call it more than once, or not at all:
    `handler` gets each request and `forward`, which sends any request to the app (with
    the original connection's scope) and returns its reply; what `handler` returns is sent."""

    def __init__(self, app: ASGIApp, handler: Handler) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def forward(request: Request) -> Reply:
            return await call_app(self.app, scope, receive, request)

        reply = await self.handler(await read_request(scope, receive), forward)
        await send_reply(send, reply)


async def read_request(scope: Scope, receive: Receive) -> Request:
    """The whole request: the scope's parts and the body, buffered."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return Request(
        method=scope["method"],
        path=scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
        body=body,
    )


async def call_app(app: ASGIApp, scope: Scope, receive: Receive, request: Request) -> Reply:
    """`request` sent to `app` within `scope`'s connection; its reply, buffered."""
    new_scope = dict(scope)
    new_scope.update(
        method=request.method,
        path=request.path,
        raw_path=request.path.encode(),
        query_string=request.query.encode("latin-1"),
        headers=[
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in request.headers.items()
            if k != "content-length"
        ]
        + [(b"content-length", str(len(request.body)).encode())],
    )
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        return await receive()

    captured: dict[str, Any] = {"status": 500, "headers": {}, "body": b""}

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured["status"] = message["status"]
            captured["headers"] = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            captured["body"] += message.get("body", b"")

    await app(new_scope, replay, capture)
    return Reply(captured["status"], captured["headers"], captured["body"])


async def send_reply(send: Send, reply: Reply) -> None:
    headers = {k: v for k, v in reply.headers.items() if k != "content-length"}
    headers["content-length"] = str(len(reply.body))
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})
