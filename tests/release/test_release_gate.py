"""The release gate (scripts/release.py, scripts/check_breaking.py) on copies of the spec: the
version must match the changes. Only the gate runs here; `make release` also runs make test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scripts.check_breaking import GateError, compare, default_base, spec_at
from scripts.release import gate, set_version
from tests.release.plants import ROOT, SPEC_TEXT, Doc, planted, schemas


def _remove_metadata(doc: Doc) -> None:
    del schemas(doc)["FailoverBackend"]["properties"]["metadata"]
    schemas(doc)["FailoverBackend"]["required"].remove("metadata")


def _new_optional_field(doc: Doc) -> None:
    schemas(doc)["FailoverBackendCreate"]["properties"]["labels"] = {"type": "string"}


def _longer_description(doc: Doc) -> None:
    doc["paths"]["/backends/failover"]["post"]["description"] += " Its id is returned."


def _head(change: Callable[[Doc], None], version: str) -> str:
    doc = planted(change)
    return set_version(yaml.safe_dump(doc, sort_keys=False), version)


@pytest.mark.parametrize(
    ("change", "version", "refusal"),
    [
        (
            _remove_metadata,
            "0.2.0",
            "a minor step from 0.1.0, but the changes since base need a major step",
        ),
        (
            _remove_metadata,
            "0.1.1",
            "a patch step from 0.1.0, but the changes since base need a major step",
        ),
        (_remove_metadata, "1.0.0", None),
        (
            _new_optional_field,
            "0.1.1",
            "a patch step from 0.1.0, but the changes since base need a minor step",
        ),
        (_new_optional_field, "0.2.0", None),
        (_longer_description, "0.1.1", None),
        (_longer_description, "0.1.0", "0.1.0 is not above base's 0.1.0"),
        (_longer_description, "0.0.9", "0.0.9 is not above base's 0.1.0"),
    ],
)
def test_the_version_must_match_the_changes(
    change: Callable[[Doc], None], version: str, refusal: str | None
) -> None:
    refused = gate(compare("base", SPEC_TEXT, _head(change, version), client=False))
    if refusal is None:
        assert refused == []
    else:
        (reason,) = refused
        assert refusal in reason


def test_set_version_changes_only_that_line() -> None:
    new = set_version(SPEC_TEXT, "1.2.3")
    old_lines, new_lines = SPEC_TEXT.splitlines(), new.splitlines()
    changed = [n for n, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1
    assert old_lines[changed[0]].startswith("  version: ")
    assert new_lines[changed[0]] == "  version: 1.2.3"
    assert yaml.safe_load(new)["info"]["version"] == "1.2.3"


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_release_refuses_a_breaking_change_without_a_major_bump_and_writes_nothing(
    tmp_path: Path,
) -> None:
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(SPEC_TEXT)
    head.write_text(yaml.safe_dump(planted(_remove_metadata), sort_keys=False))
    before = head.read_text()

    refused = _run("scripts.release", "0.2.0", "--base-spec", str(base), "--spec", str(head))
    assert refused.returncode == 1, refused.stderr
    assert "need a major step" in refused.stderr
    assert "response-required-property-removed" in refused.stderr
    assert head.read_text() == before

    accepted = _run("scripts.release", "1.0.0", "--base-spec", str(base), "--spec", str(head))
    assert accepted.returncode == 0, accepted.stderr
    assert "release: 1.0.0 accepted" in accepted.stdout
    assert yaml.safe_load(head.read_text())["info"]["version"] == "1.0.0"

    # check-breaking on the released spec passes; on the unbumped one it fails.
    ok = _run("scripts.check_breaking", "--base-spec", str(base), "--spec", str(head))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "check-breaking: OK" in ok.stdout
    head.write_text(before)
    failed = _run("scripts.check_breaking", "--base-spec", str(base), "--spec", str(head))
    assert failed.returncode == 1
    assert "check-breaking: FAIL" in failed.stderr
    assert "response-required-property-removed" in failed.stdout


def test_changelog_lists_breaking_and_other_changes(tmp_path: Path) -> None:
    def both(doc: Doc) -> None:
        _remove_metadata(doc)
        _new_optional_field(doc)
        _longer_description(doc)

    base, head, out = tmp_path / "base.yaml", tmp_path / "head.yaml", tmp_path / "CHANGES.md"
    base.write_text(SPEC_TEXT)
    head.write_text(_head(both, "1.0.0"))
    result = _run(
        "scripts.check_breaking",
        "--changelog",
        "--base-spec",
        str(base),
        "--spec",
        str(head),
        "--output",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.startswith(f"# Changes since {base}\n\ninfo.version 0.1.0 -> 1.0.0.\n")
    breaking = text.index("## Breaking changes: API")
    added = text.index("## Added: API")
    other = text.index("## Other changes: API")
    assert breaking < added < other
    assert (
        "- `response-required-property-removed` GET /backends/failover/{id} 200 metadata: removed"
        in text
    )
    assert "- `new-optional-request-property` POST /backends/failover labels: added" in text
    assert "- `api-description-updated` POST /backends/failover: new description" in text
    assert "## Breaking changes: Python client" in text  # the model lost its field
    assert "client-field-removed" in text


def _repo(folder: Path) -> Callable[..., None]:
    """A git repository with one empty commit in `folder`, and its `git`."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty",
        "-m", "one")  # fmt: skip
    return git


def test_the_base_defaults_to_the_latest_v_tag_then_origin_main_then_head(tmp_path: Path) -> None:
    git = _repo(tmp_path)
    assert default_base(tmp_path) == "HEAD"
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    assert default_base(tmp_path) == "origin/main"
    git("tag", "v0.1.0")
    git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "two",
    )
    git("tag", "v0.2.0")
    git("tag", "other")
    assert default_base(tmp_path) == "v0.2.0"


def test_the_spec_is_read_at_a_git_ref() -> None:
    assert "openapi: 3.1.0" in spec_at("HEAD")


def test_a_base_that_is_no_ref_is_refused_naming_the_tags_there_are(tmp_path: Path) -> None:
    """`make check-breaking BASE=v0.1.0` in a clone with no tags: what to give instead."""
    git = _repo(tmp_path)
    with pytest.raises(GateError, match=r"'v0\.1\.0' \(BASE=\) is no tag.*no v\* tag yet.*HEAD~1"):
        spec_at("v0.1.0", tmp_path)
    git("tag", "v0.2.0")
    with pytest.raises(GateError, match=r"its v\* tags: v0\.2\.0.*default \(v0\.2\.0 here\)"):
        spec_at("v0.1.0", tmp_path)
