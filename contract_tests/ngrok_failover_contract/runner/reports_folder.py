"""One run at a time in a reports folder: a second run's parts would claim the first one's
tests (`runner.parts`: each would pass having run only some of them), and each run would
write over the other's reports. The lock is the operating system's (`flock`): it goes with
the process that held it, however that ended, so a killed run leaves no folder locked."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".run.lock"  # holds the pid of the run that holds it, for the message


class FolderRefused(Exception):
    """The reports folder cannot be this run's: another run holds it, or it cannot be
    written (a file of that name, no permission)."""


@contextmanager
def held(folder: Path, option: str) -> Iterator[None]:
    """`folder` (made if missing) for this run alone while the block runs; `FolderRefused`,
    naming `option` (how to give another folder), when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        why = "a file of that name is there" if folder.is_file() else err.strerror or str(err)
        raise FolderRefused(
            f"cannot write reports in {folder}: {why}; give a folder with {option}"
        ) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            by = f" (process {holder})" if holder.isdigit() else ""
            raise FolderRefused(
                f"another run{by} is writing its reports in {folder}: wait for it, or give "
                f"this one a folder of its own with {option}"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(descriptor)
