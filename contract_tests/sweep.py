"""Finding and deleting marked backends: the end of every run, and `make contract-cleanup`.

Only a backend whose `description` starts with a run marker is ever touched; which runs'
markers count is the caller's choice (this run's at the end of a run, any at cleanup).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .client import ApiClient
from .marker import run_of

PAGE_LIMIT = 100
MAX_PAGES = 10_000  # 1,000,000 backends: past that the list is looping
MAX_PASSES = 5  # a parent must go before its child (ERR_NGROK_6502): retry what was refused


@dataclass
class Swept:
    """What a sweep found and did: id -> run id of each backend removed, or left."""

    removed: dict[str, str] = field(default_factory=dict)
    left: dict[str, str] = field(default_factory=dict)
    listed: int = 0


def list_everything(client: ApiClient) -> list[dict[str, Any]]:
    """Every backend on the server, newest first, following `next_page_uri`."""
    found: list[dict[str, Any]] = []
    exchange = client.list_page(limit=PAGE_LIMIT)
    for _ in range(MAX_PAGES):
        page = exchange.json()
        if exchange.status != 200 or not isinstance(page, dict):
            raise RuntimeError(f"listing backends answered {exchange.status}")
        found += [item for item in page.get("backends") or [] if isinstance(item, dict)]
        next_uri = page.get("next_page_uri")
        if not next_uri:
            return found
        exchange = client.request("GET", str(next_uri))
    raise RuntimeError(f"the list did not end after {MAX_PAGES} pages")


def sweep(client: ApiClient, wanted: Callable[[str], bool]) -> Swept:
    """Delete every listed backend whose marker names a run `wanted` accepts."""
    listed = list_everything(client)
    marked = {
        str(item["id"]): run
        for item in listed
        if (run := run_of(item.get("description"))) is not None and wanted(run)
    }
    swept = Swept(listed=len(listed))
    pending = list(marked)  # newest first: parents before the children they name
    for _ in range(MAX_PASSES):
        refused = []
        for backend_id in pending:
            client.gate.allow(backend_id)  # its marker says a contract run made it
            status = client.delete(backend_id).status
            if status in (204, 404):
                swept.removed[backend_id] = marked[backend_id]
            else:
                refused.append(backend_id)
        if not refused or len(refused) == len(pending):
            pending = refused
            break
        pending = refused
    swept.left = {backend_id: marked[backend_id] for backend_id in pending}
    return swept
