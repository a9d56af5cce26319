"""The run's journal: every backend id it created, written to a local file the moment its
create is answered, beside the reports.

The run marker at the start of a description finds what a killed run left; but a backend
whose description the run set to "" (a boundary the docs allow) carries no marker any more.
The gate lets such an update through only to a backend already in the journal, and
`cleanup` deletes what the journals name as well as what the markers mark. A run that
cleaned up after itself removes its journal.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TextIO

SUFFIX = ".ids"


class Journal:
    """The ids one run created, in `folder/<run id>.ids` (one per line, written as created);
    with no folder in memory only: a server the run started itself ends with the run, and
    leaves nothing for a cleanup to find.

    Written lines outlive a killed run (the system holds them). `sync` also puts each on the
    disk before the run goes on, so that they outlive this machine's crash: for a remote
    account, whose backends would outlive it too. A server on this machine goes down with it,
    and a sync costs a create about 0.5 ms."""

    def __init__(self, folder: Path | None, run_id: str, *, sync: bool = False) -> None:
        self.path = None if folder is None else folder / f"{run_id}{SUFFIX}"
        self._sync = sync
        self._ids: set[str] = set()
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")

    def record(self, backend_id: str) -> None:
        with self._lock:
            if backend_id in self._ids:
                return
            if self._file is not None:
                self._file.write(backend_id + "\n")
                self._file.flush()
                if self._sync:
                    os.fsync(self._file.fileno())
            self._ids.add(backend_id)

    def __contains__(self, backend_id: object) -> bool:
        return backend_id in self._ids

    def close(self, *, keep: bool) -> None:
        """Close the file; `keep` it when the run may have left backends behind."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            if not keep and self.path is not None:
                self.path.unlink(missing_ok=True)


def journaled(folder: Path) -> dict[Path, list[str]]:
    """Every journal in `folder` and the ids it names (for `cleanup`)."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found[path] = [line.strip() for line in lines if line.strip()]
    return found
