"""scripts/generate.py: reproducible output, and a drift check that catches hand edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from scripts.generate import TARGET, diff_trees, generate_into


def test_two_generations_are_byte_identical_and_match_generated(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    generate_into(first)
    generate_into(second)
    assert diff_trees(first, second) == []
    assert diff_trees(first, TARGET) == []
    assert not list(first.rglob(".ruff_cache"))


def test_drift_check_shows_a_hand_edit_as_a_diff(tmp_path: Path) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(TARGET, edited)
    model = edited / "ngrok_failover_client" / "models" / "failover_backend.py"
    model.write_text(model.read_text().replace("created_at: datetime.datetime", "created_at: str"))
    (edited / "stale.py").write_text("x = 1\n")
    fresh = tmp_path / "fresh"
    generate_into(fresh)
    diff = "".join(diff_trees(fresh, edited))
    assert "-    created_at: str\n+    created_at: datetime.datetime\n" in diff
    assert "--- generated/stale.py\n+++ /dev/null\n" in diff
