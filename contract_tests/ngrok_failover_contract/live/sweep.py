"""Finding and deleting marked backends: the end of every run, and `make contract-cleanup`.

Only a backend whose `description` starts with a run marker is ever touched; which runs'
markers count is the caller's choice (this run's at the end of a run, any at cleanup).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..checks.judge import Judge
from .client import ApiClient
from .listing import list_everything
from .marker import run_of

MAX_PASSES = 5  # a parent must go before its child (ERR_NGROK_6502): retry what was refused


@dataclass
class Swept:
    """What a sweep found and did: id -> run id of each backend removed, or left."""

    removed: dict[str, str] = field(default_factory=dict)
    left: dict[str, str] = field(default_factory=dict)
    listed: int = 0


def sweep(client: ApiClient, judge: Judge, wanted: Callable[[str], bool]) -> Swept:
    """Delete every listed backend whose marker names a run `wanted` accepts."""
    listed = list_everything(client, judge)
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
