"""The reference server as it was before its limits, to measure what they cost (the server
section): uvicorn's own httptools protocol with no limit (`--stock-protocol`), or SQLite
called on the event loop instead of in its worker threads (`--inline-store`). Bench only:
the server ships neither.

    python -m bench.variant_server --port 8080 --api-key KEY --stock-protocol
    python -m bench.variant_server --port 8080 --api-key KEY --db PATH --inline-store
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import uvicorn

from ngrok_failover_server.app import FailoverApp, create_app
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.store import Store, open_accounts
from ngrok_failover_server.testing import bind_socket, uvicorn_config

T = TypeVar("T")


class InlineStoreApp(FailoverApp):
    """Every store call made on the event loop, as the server did before."""

    async def _call(self, store: Store, write: bool, fn: Callable[..., T], *args: Any) -> T:
        return fn(*args)


def stock_config(app: FailoverApp) -> uvicorn.Config:
    """The server's uvicorn settings before its limits (they were these exactly)."""
    return uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--db", help="SQLite file (default: memory)")
    variant = parser.add_mutually_exclusive_group(required=True)
    variant.add_argument("--stock-protocol", action="store_true")
    variant.add_argument("--inline-store", action="store_true")
    args = parser.parse_args(argv)
    config = ServerConfig(api_key=args.api_key, db_path=args.db)
    stores = open_accounts(config.db_path, config.account_names())
    app = InlineStoreApp(config, stores) if args.inline_store else create_app(config, stores)
    settings = stock_config(app) if args.stock_protocol else uvicorn_config(app)
    try:
        uvicorn.Server(settings).run(sockets=[bind_socket("127.0.0.1", args.port)])
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
