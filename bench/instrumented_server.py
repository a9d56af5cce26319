"""The reference server, instrumented: a fixed delay before each answer, and a request count.

Against a server on the same machine a call spends almost no time waiting, so concurrency
has nothing to overlap; ngrok's API is a network round trip away. `--delay-ms` stands in
for that round trip (the client benchmark). `--count-file` receives, at shutdown, how many
HTTP requests were served: the same count for every tool (the contract benchmark).

    python -m bench.instrumented_server --port 8080 --api-key KEY [--delay-ms 20]
        [--count-file PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from ngrok_failover_server.app import create_app
from ngrok_failover_server.asgi import ASGIApp, Message, Receive, Scope, Send
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import bind_socket, delayed, uvicorn_config


class Counted:
    """`app`, counting the HTTP requests it answers.

    The count is written at lifespan shutdown: uvicorn re-raises SIGTERM once it has shut
    down, so nothing after `Server.run()` would run.
    """

    def __init__(self, app: ASGIApp, count_file: Path | None) -> None:
        self.app = app
        self.count_file = count_file
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests += 1
        elif scope["type"] == "lifespan" and self.count_file is not None:
            send = self._writing_count_at_shutdown(send)
        await self.app(scope, receive, send)

    def _writing_count_at_shutdown(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete" and self.count_file is not None:
                self.count_file.write_text(f"{self.requests}\n")
            await send(message)

        return sending


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--count-file", type=Path, help="write the request count here at exit")
    args = parser.parse_args(argv)
    app = create_app(ServerConfig(api_key=args.api_key))
    # Late inside the count: a request is counted when it arrives, answered delay-ms later.
    instrumented = Counted(delayed(app, args.delay_ms / 1000), args.count_file)
    uvicorn.Server(uvicorn_config(instrumented)).run(sockets=[bind_socket("127.0.0.1", args.port)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
