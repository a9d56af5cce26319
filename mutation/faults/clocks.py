"""Planted faults of clocks: created_at that is not when the backend was created."""

from __future__ import annotations

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import fault
from ..rewrite import map_resources

# SOURCE_DATE_EPOCH=1700000000, a reproducible build's stamp, taken for the clock.
BUILD_INSTANT = "2023-11-14T22:13:20Z"


@fault(
    "created_at_frozen",
    f"stamps every backend with the build's SOURCE_DATE_EPOCH ({BUILD_INSTANT}), a "
    "reproducible-build setting read as the clock",
    "created_at_is_creation_time",
)
def created_at_frozen(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        return map_resources(reply, lambda r: {**r, "created_at": BUILD_INSTANT})

    return Fault(app, on_reply=on_reply)
