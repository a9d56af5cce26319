"""scripts/generate_typescript.py: reproducible output, drift check, version from the spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scripts.generate_typescript import (
    CLIENT,
    GENERATED,
    SCHEMA,
    SPEC,
    diff_generated,
    generate_typescript_into,
)


def test_two_generations_are_byte_identical_and_match_the_committed_files(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    generate_typescript_into(first)
    generate_typescript_into(second)
    for name in GENERATED:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert diff_generated(first, CLIENT) == []


def test_drift_check_shows_a_hand_edit_and_a_spec_change(tmp_path: Path) -> None:
    committed = tmp_path / "committed"
    for name in GENERATED:
        (committed / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CLIENT / name, committed / name)
    schema = committed / SCHEMA
    schema.write_text(schema.read_text().replace("created_at: string;", "created_at: Date;"))
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.read_text().replace("\n  version: ", "\n  version: 9.9.9-", 1))
    fresh = tmp_path / "fresh"
    generate_typescript_into(fresh, spec)
    diff = "".join(diff_generated(fresh, committed))
    assert "-            created_at: Date;\n+            created_at: string;\n" in diff
    assert '+  "version": "9.9.9-' in diff  # package.json follows info.version
    lock = json.loads((fresh / "package-lock.json").read_text())
    assert lock["version"] == lock["packages"][""]["version"]
    assert lock["version"].startswith("9.9.9-")
