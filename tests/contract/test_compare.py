"""`compare` as a user runs it (`make compare`'s command in a subprocess): the base side is
the reference server the suite starts, the other side a reference server served from here
(so two processes), planted with a fault or not. Each run is a slice of the `live` profile's
workload (the lifecycle tests: every operation, every kind of answer) to keep `make test`
fast; `make compare-mutation` runs the whole workload against every fault and variant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mutation import MUTANTS
from ngrok_failover_contract.compare.keys import OTHER_SIDE_KEY_ENV
from ngrok_failover_contract.core.registry import Property
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.runner.lifecycle import ANCHOR_COUNT
from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_thread

from .helpers import CI_SEED, ROOT

OTHER_KEY = "compare-test-other-side-key"
SLICE = ("--profile=live", f"--seed={CI_SEED}", "--", "-k", "test_lifecycle")
FAULT = "metadata_stripped"  # every metadata read back without its surrounding spaces


@dataclass(frozen=True)
class Compared:
    returncode: int
    output: str
    report: dict[str, Any]
    markdown: str


@contextmanager
def other_side(fault: str | None = None, *, strict: bool = False) -> Iterator[str]:
    config = ServerConfig(api_key=OTHER_KEY, strict_references=strict)
    wrap = MUTANTS[fault].wrap if fault else None
    with serve_in_thread(config, wrap=wrap) as server:
        yield server.base_url


def run_compare(reports: Path, *args: str, key: str | None = OTHER_KEY) -> Compared:
    env = {k: v for k, v in os.environ.items() if k != OTHER_SIDE_KEY_ENV}
    if key is not None:
        env[OTHER_SIDE_KEY_ENV] = key
    command = [sys.executable, "-m", "scripts.run_compare", f"--reports-dir={reports}", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    path, markdown = reports / "differences.json", reports / "differences.md"
    return Compared(
        result.returncode,
        result.stdout + result.stderr,
        json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {},
        markdown.read_text(encoding="utf-8") if markdown.is_file() else "",
    )


def kinds(compared: Compared) -> list[tuple[str, int, dict[str, int]]]:
    """What a report found, with no id of either side: each kind, its count, its operations."""
    return [(k["kind"], k["count"], k["operations"]) for k in compared.report["kinds"]]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["lenient", "strict"])
def test_the_reference_server_compared_with_itself_differs_nowhere(
    tmp_path: Path, mode: str
) -> None:
    """And (lenient) a replay of that comparison that parts from its recording is
    inconclusive: exit 3, the report naming where."""
    recording = tmp_path / "recording"
    with other_side(strict=mode == "strict") as url:
        compared = run_compare(
            tmp_path / "live",
            f"--other-url={url}",
            f"--reference-mode={mode}",
            f"--record={recording}",
            *SLICE,
        )
    assert compared.returncode == ExitStatus.CONFORMANT, compared.output
    assert compared.report["kinds"] == []
    assert compared.report["compared"]["pairs"] > 50  # the workload reached both sides
    assert "SAME: no difference found (exit status 0)" in compared.markdown
    assert "DIFFERS" not in compared.output
    assert OTHER_KEY not in compared.output + compared.markdown + json.dumps(compared.report)
    if mode == "strict":
        return
    lines = (recording / "other.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (recording / "other.jsonl").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    replayed = run_compare(tmp_path / "replay", f"--recorded={recording}", *SLICE, key=None)
    assert replayed.returncode == ExitStatus.INCONCLUSIVE, replayed.output
    assert "the recording ends after" in replayed.report["diverged"]
    assert "INCONCLUSIVE: the replay parted from its recording" in replayed.markdown


@pytest.mark.slow
def test_a_planted_fault_is_a_difference_named_by_its_kind_and_a_replay_reports_it_alike(
    tmp_path: Path,
) -> None:
    recording = tmp_path / "recording"
    with other_side(FAULT) as url:
        live = run_compare(tmp_path / "live", f"--other-url={url}", f"--record={recording}", *SLICE)
    assert live.returncode == ExitStatus.VIOLATIONS, live.output
    found = [kind for kind, _, _ in kinds(live)]
    assert Property.METADATA_READS_BACK in found
    assert "| kind | operation | count | first example |" in live.markdown
    assert "] DIFFERS suite/test_lifecycle.py::" in live.output  # the test's line says so
    assert f"## 1. {found[0]}" in live.markdown
    assert OTHER_KEY not in (recording / "other.jsonl").read_text(encoding="utf-8")
    # The recorded faulty side against a third server (the base side the replay starts).
    replayed = run_compare(tmp_path / "replay", f"--recorded={recording}", *SLICE, key=None)
    assert replayed.returncode == ExitStatus.VIOLATIONS, replayed.output
    assert replayed.report["diverged"] is None
    assert kinds(replayed) == kinds(live)
    assert replayed.report["compared"] == live.report["compared"]


def test_a_fixture_s_unjudged_deletes_reach_the_other_side(tmp_path: Path) -> None:
    """The paging test's backends go at its end on both sides (`Ledger.discard_many`), as in
    a contract run: each side's cleanup finds only the anchors, made before any test."""
    with other_side() as url:
        compared = run_compare(
            tmp_path,
            f"--other-url={url}",
            "--profile=live",
            f"--seed={CI_SEED}",
            "--",
            "-k",
            "test_every_page_followed",
        )
    assert compared.returncode == ExitStatus.CONFORMANT, compared.output
    cleanups = [line for line in compared.output.splitlines() if "cleanup: deleted" in line]
    assert [line.split(" side: ")[0] for line in cleanups] == ["compare: base", "compare: other"]
    for line in cleanups:
        assert f"cleanup: deleted {ANCHOR_COUNT} backends this run created" in line, line


def test_a_comparison_with_no_key_for_the_other_side_cannot_run(tmp_path: Path) -> None:
    compared = run_compare(tmp_path, "--other-url=http://127.0.0.1:9", key=None)
    assert compared.returncode == ExitStatus.CANNOT_RUN
    assert f"needs the other side's key in ${OTHER_SIDE_KEY_ENV}" in compared.output


def test_a_comparison_with_no_other_side_cannot_run(tmp_path: Path) -> None:
    compared = run_compare(tmp_path)
    assert compared.returncode == ExitStatus.CANNOT_RUN
    assert "compare needs the other side: --other-url URL" in compared.output


@pytest.mark.parametrize(
    ("flag", "refused"),
    [
        ("--processes=2", "--processes 2 cannot be (give none, or 1)"),
        ("--workers=4", "--workers 4 cannot be (give none, or 1)"),
    ],
)
def test_a_comparison_runs_one_request_at_a_time_in_one_process(
    tmp_path: Path, flag: str, refused: str
) -> None:
    compared = run_compare(tmp_path, "--other-url=http://127.0.0.1:9", flag)
    assert compared.returncode == ExitStatus.CANNOT_RUN
    assert refused in compared.output, compared.output


def test_a_comparison_s_help_leaves_out_the_options_it_refuses(tmp_path: Path) -> None:
    """They are still taken, to be refused by name (above), but --help offers only what a
    comparison can do."""
    helped = run_compare(tmp_path, "--help", key=None)
    assert helped.returncode == 0, helped.output
    assert "--other-url" in helped.output and "--seed" in helped.output
    for flag in ("--workers", "--shard", "--processes", "--require-coverage"):
        assert flag not in helped.output, flag
    coverage = run_compare(tmp_path, "--other-url=http://127.0.0.1:9", "--require-coverage")
    assert coverage.returncode == ExitStatus.CANNOT_RUN
    assert "--shard and --require-coverage are a contract run's" in coverage.output
