"""Spectral, as `make lint` runs it, fails on the mistakes its ruleset exists to catch."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.spec_tools import ROOT, spec

LINT = ROOT / "lint"
SPECTRAL = LINT / "node_modules" / ".bin" / "spectral"

pytestmark = pytest.mark.skipif(
    not SPECTRAL.exists(), reason="Node tools not installed: run `make setup` (make test does)"
)


def _spectral(document: dict[str, Any], tmp_path: Path) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = subprocess.run(
        [
            str(SPECTRAL),
            "lint",
            "--ruleset",
            "spectral.yaml",
            "--fail-severity",
            "hint",
            "--format",
            "json",
            "--quiet",
            str(path),
        ],
        cwd=LINT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, json.loads(result.stdout or "[]")


def _planted(change: str) -> dict[str, Any]:
    document = copy.deepcopy(spec())
    operations = document["paths"]["/backends/failover"]
    if change == "example over the limit":
        document["components"]["examples"]["CreateRequest"]["value"]["description"] = "x" * 256
    elif change == "no 429":
        del operations["get"]["responses"]["429"]
    elif change == "catch-all default":
        operations["post"]["responses"]["default"] = {"description": "anything"}
    elif change == "no security":
        del operations["post"]["security"]
    return document


def test_the_spec_as_committed_is_clean(tmp_path: Path) -> None:
    assert _spectral(spec(), tmp_path) == (0, [])


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("example over the limit", "oas3-valid-media-example"),
        ("no 429", "failover-error-responses"),
        ("catch-all default", "failover-no-default-response"),
        ("no security", "failover-operation-security"),
    ],
)
def test_spectral_catches(change: str, rule: str, tmp_path: Path) -> None:
    code, results = _spectral(_planted(change), tmp_path)
    assert code != 0
    assert rule in {r["code"] for r in results}
