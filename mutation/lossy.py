"""A transport fault no property names: answers lost on the way, so a run can reach no verdict.

Not a mutant (nothing should catch it as a violation): `tests/contract/test_exit_statuses.py`
wraps the reference server in it to prove such a run ends inconclusive (exit 3), and
`make readme` records what that run prints.
"""

from __future__ import annotations

from ngrok_failover_contract.core.api import COLLECTION

from .asgi import ASGIApp, Message, Receive, Scope, Send


class LosesEveryFifthCreateAnswer:
    """Stores every create, but for every fifth one sends the status line and headers only:
    the connection then closes (uvicorn ends an answer its app left unfinished). Acts only
    while `armed` (a test arms it once the account's own backends are made)."""

    def __init__(self, *, armed: bool = False) -> None:
        self.armed = armed

    def __call__(self, app: ASGIApp) -> ASGIApp:
        creates = 0

        async def lossy(scope: Scope, receive: Receive, send: Send) -> None:
            nonlocal creates
            is_create = scope["type"] == "http" and scope["method"] == "POST"
            if self.armed and is_create and scope["path"] == COLLECTION:
                creates += 1
                if creates % 5 == 0:

                    async def headers_only(message: Message) -> None:
                        if message["type"] == "http.response.start":
                            await send(message)

                    await app(scope, receive, headers_only)
                    return
            await app(scope, receive, send)

        return lossy
