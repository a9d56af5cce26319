"""The recorded runs' files, committed in docs/readme-runs/<run>/ beside the date they were
recorded. A new recording replaces a snapshot only where it differs beyond its run's noise,
so `make readme` right after `make readme` changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from .console import ROOT

SNAPSHOTS = ROOT / "docs" / "readme-runs"
DATE = "recorded-on.txt"
Files = dict[str, str]


class SnapshotError(Exception):
    """A snapshot the README needs is missing."""


def load(run: str) -> Files:
    folder = SNAPSHOTS / run
    if not folder.is_dir():
        raise SnapshotError(f"docs/readme-runs/{run}/ is missing: run make readme RUNS={run}")
    return {
        p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.name != DATE
    }


def recorded_on(run: str) -> str:
    path = SNAPSHOTS / run / DATE
    if not path.exists():
        raise SnapshotError(f"docs/readme-runs/{run}/{DATE} is missing: run make readme RUNS={run}")
    return path.read_text(encoding="utf-8").strip()


def save(run: str, files: Files, mask: Callable[[str], str]) -> bool:
    """Write `files` as `run`'s snapshot unless the one there differs only by `mask`;
    True when written."""
    folder = SNAPSHOTS / run
    if folder.is_dir():
        old = load(run)
        if sorted(old) == sorted(files) and all(mask(old[n]) == mask(files[n]) for n in files):
            return False
        for path in folder.iterdir():
            path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    (folder / DATE).write_text(today + "\n", encoding="utf-8")
    return True
