"""The suite's verdicts: the clean reference server passes, planted faults are caught.

Each test runs the whole quick suite in a subprocess, as `make contract` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mutation import BENIGN, MUTANTS

from .helpers import CI_SEED, Verdict, run_contract, traceback_lines

SAMPLE = sorted(name for name, mutant in MUTANTS.items() if mutant.sample)


def test_clean_reference_server_passes_and_the_run_writes_every_report(tmp_path: Path) -> None:
    verdict = run_contract(tmp_path, "--seed=7", "--reference-mode=lenient")
    assert verdict.returncode == 0, f"false alarm against the clean server:\n{verdict.summary}"
    assert "PASS: no violation found" in verdict.summary
    assert "seed 7" in verdict.output and "SEED=7" in verdict.output
    # No WORKERS: the round trip of the server the run started chose them; the summary says.
    assert re.search(r"^- Workers: \d+ \(the preflight's round trip was ", verdict.summary, re.M)
    assert (tmp_path / "junit.xml").exists() and (tmp_path / "coverage.md").exists()


def test_clean_strict_server_passes_with_given_child_backends(tmp_path: Path) -> None:
    """Strict mode (children must exist) with children given as well as the run's own; the
    live profile keeps it short (the clean quick run above covers depth)."""
    children = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976,bkdtg_2fKmcZgRe5lU5KuvWGqW6c2j977"
    verdict = run_contract(
        tmp_path,
        f"--seed={CI_SEED}",
        "--reference-mode=strict",
        "--profile=live",
        f"--child-backends={children}",
    )
    assert verdict.returncode == 0, f"false alarm with CHILD_BACKENDS:\n{verdict.summary}"


@pytest.mark.parametrize("name", sorted(n for n, variant in BENIGN.items() if variant.sample))
def test_benign_variant_raises_no_false_alarm(tmp_path: Path, name: str) -> None:
    """The live profile: the coverage phase's probes (an empty `before_id`, methods the API
    lacks) do not depend on the examples' number; `make mutation` runs quick, three seeds."""
    verdict = run_contract(tmp_path, f"--seed={CI_SEED}", f"--mutant={name}", "--profile=live")
    assert verdict.returncode == 0, f"false alarm against {name}:\n{verdict.summary}"


@pytest.mark.parametrize("name", SAMPLE)
def test_planted_fault_is_caught_by_its_property(tmp_path: Path, name: str) -> None:
    verdict = run_contract(tmp_path, f"--seed={CI_SEED}", f"--mutant={name}", "--", "-x")
    assert verdict.returncode == 1, f"{name} survived: {MUTANTS[name].description}"
    assert "FAIL:" in verdict.summary and f"Seed: {CI_SEED}" in verdict.summary
    found = re.findall(r"^## \d+\. (\S+)", verdict.summary, re.MULTILINE)
    assert MUTANTS[name].catcher in found, verdict.summary[:3000]
    # The console tells the same findings, without pytest's tracebacks (in pytest.log).
    assert re.findall(r"^\d+\. (\S+)", verdict.output, re.MULTILINE) == found, verdict.output
    assert traceback_lines(verdict.output) == [], verdict.output
    assert "contract: FAIL: " in verdict.output and "pytest.log" in verdict.output
    assert traceback_lines((tmp_path / "pytest.log").read_text("utf-8"))


def test_interleaving_fault_shows_to_the_histories_and_to_creates_side_by_side(
    tmp_path: Path,
) -> None:
    """`create_ids_collide` answers two creates in flight at once with one id. With one
    worker only the histories (three threads of their own) send creates side by side, and
    they catch it; with eight the run's anchors, created side by side before any test, do
    first. The live profile keeps both runs short."""
    name = "create_ids_collide"
    common = (f"--seed={CI_SEED}", f"--mutant={name}", "--profile=live", "--", "-x")
    alone = run_contract(tmp_path / "one", "--workers=1", *common)
    assert alone.returncode == 1, f"{name} survived the histories:\n{alone.summary}"
    assert "## 1. ids_are_unique\n\nTest: `suite/test_histories.py" in alone.summary, alone.summary
    together = run_contract(tmp_path / "eight", "--workers=8", *common)
    assert together.returncode == 1, f"{name} survived eight workers:\n{together.summary}"
    found = re.findall(r"^## \d+\. (\S+)", together.summary, re.MULTILINE)
    assert found[:1] == [MUTANTS[name].catcher], together.summary[:3000]
    first = together.summary.split("## 2.")[0]
    assert re.search(r"-d '\{\"description\": \"\[contract-suite run \S+\] anchor \d+\"", first), (
        first
    )


def test_thirty_workers_run_thirty_different_scenarios_of_the_model(tmp_path: Path) -> None:
    """Thirty workers split the model's thirty scenarios (quick) into shards of one: each
    shard runs one of its own seed (`drivers.fresh`). Were each Hypothesis's simplest (a
    create, then fourteen cleared descriptions), no update would be refused, and this fault,
    which only a refused update shows, would pass."""
    name = "refused_update_keeps_valid_fields"
    verdict = run_contract(
        tmp_path, f"--seed={CI_SEED}", f"--mutant={name}", "--workers=30", "--", "-x",
        "-k", "test_model",
    )  # fmt: skip
    assert verdict.returncode == 1, f"{name} survived thirty workers:\n{verdict.summary}"
    found = re.findall(r"^## \d+\. (\S+)", verdict.summary, re.MULTILINE)
    assert found[:1] == [MUTANTS[name].catcher], verdict.summary[:3000]


def test_a_finding_of_one_shard_says_how_to_run_that_shard_alone(tmp_path: Path) -> None:
    """With eight workers the model's state machine runs as eight shards side by side: the
    finding of one carries the command that runs that shard by itself."""
    verdict = run_contract(
        tmp_path, f"--seed={CI_SEED}", "--mutant=delete_is_noop", "--workers=8", "--", "-x",
        "-k", "test_model",
    )  # fmt: skip
    assert verdict.returncode == 1, verdict.summary[:3000]
    assert "Test: `suite/test_model.py" in verdict.summary, verdict.summary[:3000]
    assert re.search(r"Reproduce alone: `.*--workers 8 --shard \d+\b.*`", verdict.summary)


def test_older_backends_of_another_user_cost_the_model_no_walk(tmp_path: Path) -> None:
    """An account holding 120 backends older than the run (`account_with_older_backends`):
    no false alarm, and the model's walks stop at the first page of them (`past_run`): its
    requests are those of the same seed on an empty account but a page a walk (live, seed
    0: two more; whole walks, at 1 to 4 a page, read 31 pages more)."""
    model = ("--profile=live", f"--seed={CI_SEED}", "--", "-k", "test_backends_behave_like")
    empty = run_contract(tmp_path / "empty", *model)
    crowded = run_contract(tmp_path / "crowded", "--mutant=account_with_older_backends", *model)
    assert empty.returncode == 0, empty.output
    assert crowded.returncode == 0, (
        f"false alarm on an account of older backends:\n{crowded.summary}"
    )

    def requests(verdict: Verdict) -> int:
        said = re.search(
            r"test_backends_behave_like_the_model +\(([\d,]+) requests", verdict.output
        )
        assert said, verdict.output
        return int(said[1].replace(",", ""))

    assert requests(crowded) - requests(empty) <= 5, (requests(empty), requests(crowded))
