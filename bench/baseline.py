"""Another commit of this checkout, to run beside today's code: `--baseline GITREF`.

The ref's tree is exported (`git archive`) into a temporary folder and run from there, with
this checkout's environment (.venv) and its own packages first on PYTHONPATH, so that its
`ngrok_failover_contract`, `mutation` and `scripts` are the ones imported, not the checkout's
editable installs. Nothing of the checkout's git state changes (no worktree is registered).
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .common import ROOT

# Where a checkout's importable packages live, as the .venv's editable installs point to them.
PACKAGE_FOLDERS = ("contract_tests", ".", "generated")


@dataclass(frozen=True, slots=True)
class Checkout:
    """Code to run: this checkout (`today`) or an exported commit of it."""

    label: str  # how tables name it: "today", or the ref as given with its commit
    root: Path
    env: dict[str, str] = field(default_factory=dict)  # added to the environment of its runs

    def environ(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **self.env, **extra}


TODAY = Checkout("today", ROOT)


class BaselineError(Exception):
    """The ref names no commit of this checkout."""


def commit_of(ref: str) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise BaselineError(f"--baseline {ref!r}: no such commit in {ROOT}")
    return result.stdout.strip()


@contextmanager
def exported(ref: str) -> Iterator[Checkout]:
    """The tree of `ref`, exported into a temporary folder for the block's length."""
    commit = commit_of(ref)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    )
    with tempfile.TemporaryDirectory(prefix=f"bench-baseline-{commit}-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp)
        path = os.pathsep.join(str((root / folder).resolve()) for folder in PACKAGE_FOLDERS)
        label = ref if ref.startswith(commit) else f"{ref} ({commit})"
        yield Checkout(label, root, {"PYTHONPATH": path})
