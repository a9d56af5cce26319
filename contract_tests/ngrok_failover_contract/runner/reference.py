"""The reference server a run starts for itself when no --base-url is given.

The one module of the suite that imports `ngrok_failover_server`, an optional dependency
(`pip install 'ngrok-failover-contract[server]'`): without it, a run needs --base-url.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .options import LOCAL_KEY, LOCAL_OTHER_KEY, Options

if TYPE_CHECKING:
    from ngrok_failover_server.asgi import ASGIApp

    Wrap = Callable[[ASGIApp], ASGIApp]

SERVER_PACKAGE = "ngrok_failover_server"
# The second account the isolation checks use (its key: `LOCAL_OTHER_KEY`).
OTHER_ACCOUNT = "other"
EXTRA = "ngrok-failover-contract[server]"


def missing() -> str | None:
    """Why the reference server cannot be started here, or None when it can."""
    if importlib.util.find_spec(SERVER_PACKAGE) is not None:
        return None
    return (
        "no --base-url was given and the reference server is not installed: "
        f"pip install '{EXTRA}' to test it, or give the --base-url of a server to test"
    )


@contextmanager
def reference_server(options: Options, wraps: Sequence[Wrap] = ()) -> Iterator[str]:
    """Serve the reference server in a thread, its app wrapped by each of `wraps` in turn
    (a plugin's, through `pytest_contract_reference_wrap`); yield its URL."""
    # Imported here, not above: without the extra the plugin still loads (see `missing`).
    from ngrok_failover_server.config import ServerConfig  # noqa: PLC0415
    from ngrok_failover_server.testing import serve_in_thread  # noqa: PLC0415

    config = ServerConfig(
        api_key=LOCAL_KEY,
        accounts=((OTHER_ACCOUNT, LOCAL_OTHER_KEY),),
        strict_references=options.reference_mode == "strict",
        known_backends=frozenset(options.child_backends),
    )

    def wrap(app: ASGIApp) -> ASGIApp:
        for each in wraps:
            app = each(app)
        return app

    with serve_in_thread(config=config, wrap=wrap) as server:
        yield server.base_url
