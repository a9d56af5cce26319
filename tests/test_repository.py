"""The repository stands alone: nothing names a path outside it, and `make clean` removes what
runs write (every entry of .gitignore)."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.spec_tools import ROOT

# A checkout elsewhere has nothing beside it and no development machine's folders.
OUTSIDE_RE = re.compile(r"\.\./shared|/w[o]rk/|parent / \"shared\"|ROOT\.parent")
SHARED = "sha" + "red"  # spelled apart, so that this file does not name what it looks for


def outside_paths(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if OUTSIDE_RE.search(line)]


def _tracked() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [path for path in listing.splitlines() if not path.endswith((".lock", ".png"))]


@pytest.mark.parametrize(
    "line",
    [
        f'SEED = ROOT.{"parent"} / "{SHARED}" / "seed"',
        f"# see /{'work'}/{SHARED}/reference/ngrok-api-facts.md",
        f"cat ../{SHARED}/seed/failover-backends-api.txt",
    ],
)
def test_a_path_outside_the_repository_is_found(line: str) -> None:
    assert outside_paths(f"ok\n{line}\n") == [line]


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    found = {}
    for path in _tracked():
        file = ROOT / path
        if not file.is_file():
            continue  # deleted in the working tree
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if lines := outside_paths(text):
            found[path] = lines[:3]
    assert not found, found


def _clean_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^clean:.*\n((?:\t.*\n|  .*\n)+)", makefile, re.MULTILINE)
    assert match, "no clean target in the Makefile"
    return match.group(1)


def test_make_clean_removes_every_folder_and_file_git_ignores() -> None:
    recipe = _clean_recipe()
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missing = [entry for entry in ignored if entry.lstrip("*") not in recipe]
    assert not missing, f"make clean leaves {missing} behind"
