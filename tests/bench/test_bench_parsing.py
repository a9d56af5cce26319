"""The benchmarks read other tools' output; these pin how. No test here measures a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench import concurrency, contract
from bench.__main__ import TOOK, main, replace_sections
from bench.common import Section, free_port, running, spread
from bench.contract import ToolRun, baselines_of, mutation_verdicts, st_test_cases, workers_said
from bench.contract import issue_targets as contract_targets
from bench.paging import PagingPoint, plot
from bench.server_vs_prism import parse_wrk
from mutation import BENIGN, MUTANTS

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:8080
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  400.00us   9.87ms   90.00%
    Req/Sec    15.50k     1.00k   16.00k    80.00%
  Latency Distribution
     50%  850.00us
     75%    2.20ms
     90%    2.50ms
     99%    1.20s
  77500 requests in 5.00s, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  15500.12
Transfer/sec:      6.00MB
"""


def test_parse_wrk_reads_rate_percentiles_in_ms_and_all_errors() -> None:
    run = parse_wrk(WRK_OUTPUT)
    assert run.requests_per_second == pytest.approx(15500.12)
    assert run.p50_ms == pytest.approx(0.85)
    assert run.p99_ms == pytest.approx(1200.0)
    assert run.errors == 4 + 2 + 1
    assert run.requests == 77500


def test_parse_wrk_refuses_output_without_latency_distribution() -> None:
    with pytest.raises(ValueError, match="percentiles"):
        parse_wrk("Requests/sec:  100.00\n")


def test_st_test_cases_reads_the_summary_count() -> None:
    assert st_test_cases("Test cases:\n  486 generated, 486 passed, 10 skipped\n") == 486
    with pytest.raises(ValueError, match="no test case count"):
        st_test_cases("no summary")


def test_mutation_verdicts_skip_clean_and_benign_lines() -> None:
    output = (
        "  clean lenient: pass in 14.4s\n  benign auth_answers_403: pass in 5.9s\n"
        "  text_content_type: caught in 2.9s\n  auth_ignored: SURVIVED in 12.0s\n"
    )
    assert mutation_verdicts(output) == [
        ("text_content_type", "caught", "2.9"),
        ("auth_ignored", "SURVIVED", "12.0"),
    ]


def test_spread_shows_median_then_range() -> None:
    assert spread([3.0, 1.0, 2.0]).show() == "2 (1-3)"
    assert spread([1234.5]).show(1, " ms") == "1,234.5 ms"


def test_section_renders_a_markdown_table_with_targets_and_notes() -> None:
    section = Section("x", "A title", ["a", "b"], [["1", "2"]], ["a note"], ["a target"])
    assert section.markdown() == (
        "## A title\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n- Target: a target\n\na note\n"
    )


def test_instrumented_server_counts_requests_and_writes_the_count_at_exit(
    tmp_path: Path,
) -> None:
    count_file = tmp_path / "requests"
    port = free_port()
    command = [sys.executable, "-m", "bench.instrumented_server", f"--port={port}"]
    with running([*command, "--api-key=k", f"--count-file={count_file}"], port):
        headers = {"Authorization": "Bearer k", "Ngrok-Version": "2"}
        for _ in range(3):
            httpx.get(f"http://127.0.0.1:{port}/backends/failover", headers=headers)
    assert count_file.read_text() == "3\n"


def test_paging_plot_writes_a_png(tmp_path: Path) -> None:
    points = [
        PagingPoint(store, size, 0.0, spread([0.1, 0.2]), spread([0.1, 0.3]))
        for store in ("memory", "sqlite")
        for size in (1000, 10000)
    ]
    plot(points, tmp_path / "paging.png")
    assert (tmp_path / "paging.png").read_bytes().startswith(b"\x89PNG")


def test_unknown_section_is_refused_with_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["pagingg"])
    assert "server, paging, clients, contract, generate" in capsys.readouterr().err


def test_replacing_one_section_keeps_the_rest_of_the_report_byte_for_byte() -> None:
    document = (
        "# Benchmarks\n\nmachine\n\n## Targets\n\n- 1. Server: fast\n- 2. Paging: flat\n\n"
        "## 1. Server\n\nold server table\n\n## 2. Paging\n\npaging table\n"
    )
    server = Section("server", "1. Server", ["a"], rows=[["new"]], targets=["faster: met"])
    late = Section("late", "3. Late", ["b"], rows=[["x"]])
    replaced = replace_sections(document, [server, late])
    assert "old server table" not in replaced and "| new |" in replaced
    assert "- 1. Server: faster: met" in replaced and "- 1. Server: fast\n" not in replaced
    assert "## 2. Paging\n\npaging table\n" in replaced and "- 2. Paging: flat" in replaced
    assert replaced.index("## 2. Paging") < replaced.index("## 3. Late")
    assert replaced.startswith("# Benchmarks\n\nmachine\n")


ST_SUMMARY_WITH_ERRORS = """\
Test cases:
  487 generated, 480 passed

Errors:
  SystemError: 3
  ConnectionError: 1

Seed: 0
"""


def test_st_runs_own_errors_are_counted_from_its_summary() -> None:
    assert concurrency._st_errors(ST_SUMMARY_WITH_ERRORS) == 4
    assert concurrency._st_errors("Test cases:\n  487 generated, 487 passed\n") == 0


def test_a_failed_runs_last_words_are_its_last_exception_line() -> None:
    tail = "collecting\n  File x.py\nSystemError: AST constructor recursion depth mismatch\ndone\n"
    said = concurrency._last_words(tail)
    assert said == "SystemError: AST constructor recursion depth mismatch"
    assert concurrency._last_words("one\ntwo\nthree\nfour\n") == "two / three / four"


def test_cells_are_named_in_few_words() -> None:
    same = [(0, 4), (0, 8), (20, 4), (20, 8)]
    assert concurrency._where(same) == "with 4 and 8 workers at 0 and 20 ms"
    assert (
        concurrency._where([(0, 4), (150, 16)])
        == "with 4 workers at 0 ms; with 16 workers at 150 ms"
    )


def test_a_smoke_run_checks_one_benign_variant_with_one_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`make bench QUICK=1`'s mutation row: a few of CI's sample of faults, one variant, one
    seed, one mode (the whole set's variants in both modes with three seeds took most of its
    20 minutes)."""
    ran: list[list[str]] = []

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0, "  auth_ignored: caught in 2.0s\n", "")

    monkeypatch.setattr(subprocess, "run", fake_run)  # bench.contract calls subprocess.run
    assert contract.mutation_seconds(sample=True) == ([2.0], 1, None)
    (command,) = ran
    assert "--variant-seeds=1" in command and "--modes=lenient" in command
    assert "--no-reference" in command
    faults = command[command.index("--only") + 1 : command.index("--variant-seeds=1")]
    assert faults == contract.smoke_faults() and len(faults) == contract.SMOKE_FAULTS
    assert all(MUTANTS[name].sample for name in faults)
    chosen = command[command.index("--variants") + 1 :]
    assert chosen == [contract.smoke_variant()] and BENIGN[chosen[0]].sample
    contract.mutation_seconds(sample=False)
    assert "--variants" not in ran[-1] and "--only" not in ran[-1] and "--modes" not in ran[-1]


def test_a_smoke_run_of_workers_skips_the_long_waits() -> None:
    quick = concurrency.plan(quick=True)
    assert concurrency.TARGET_DELAY_MS not in quick.delays  # minutes on a loaded machine
    runs = [(d, w) for d in quick.delays for w in quick.workers if not quick.skipped(d, w)]
    assert runs == [(20, 16)]  # one run: the workers against a delay
    assert quick.skipped(20, 1) and not quick.skipped(0, 1)
    assert "not measured (--quick" in concurrency._target(quick, {})
    assert not concurrency.plan(quick=False).skipped(150, 1)


def test_a_replaced_section_brings_its_time_and_the_whole_run_adds_them_up() -> None:
    took = "\n\nThis section took {:.1f} min.\n"
    document = (
        "# Benchmarks\n\n## Machine\n\n- Whole run: 3.0 min\n\n## Targets\n\n"
        "## 1. Server\n\nold" + took.format(1.0) + "\n## 2. Paging\n\nflat" + took.format(2.0)
    )
    server = Section("server", "1. Server", ["a"], rows=[["new"]], notes=[TOOK.format(minutes=4)])
    replaced = replace_sections(document, [server])
    assert "- Whole run: 6.0 min (each section's own time, added up)\n" in replaced
    untimed = replace_sections(document, [Section("server", "1. Server", ["a"], rows=[["x"]])])
    assert "- Whole run: 3.0 min\n" in untimed  # a section that does not say: left as written


def test_issue_22_targets_read_the_runs_they_name() -> None:
    """The contract section's targets: today's quick run against 7 s, its checked requests
    a second against st run's (4x) and each baseline's (3x); the concurrency section's, for
    the workers the suite chose itself at 150 ms (its summary's count): 60 s and 1.3x the
    network's limit (requests x delay / workers)."""
    runs = {
        ("suite", "quick"): [ToolRun(6.0, 3000, True)],
        ("st", "quick"): [ToolRun(5.0, 500, True)],
        ("suite 228eeca", "quick"): [ToolRun(12.0, 2000, True)],
    }
    assert baselines_of(runs, "quick") == ["228eeca"]
    assert contract_targets(runs) == [
        "the quick profile on loopback at most 7 s: 6.0 s (met)",
        "checked requests a second at least 4x st run's: 5.00x (met)",
        "checked requests a second at least 3x those of 228eeca: 3.00x (met)",
    ]
    chosen = {("suite", 150, concurrency.CHOSEN): [ToolRun(40.0, 3200, True, workers=32)]}
    said = concurrency.chosen_targets(chosen)
    assert said[0].endswith("the verdict within 60 s: 40.0 s (met)")
    assert "(3,200 requests x 150 ms / 32 = 15.0 s): 2.67x (MISSED)" in said[1]


def test_the_workers_a_run_chose_are_read_from_its_summary() -> None:
    summary = (
        "# Contract suite summary\n\n- Verdict: **PASS**\n"
        "- Workers: 32 (the preflight's round trip was 151 ms: 32 in flight hide it)\n"
    )
    assert workers_said(summary) == 32  # a line of its own, not the summary's first
    assert workers_said("# Contract suite summary\n\n- Verdict: **PASS**\n") is None
    parts = "- Part 1: Workers: 32 (why)\n- Part 2: Run id: x\n- Part 2: Workers: 16 (why)\n"
    assert workers_said(parts) == 48  # a run in parts keeps each part's in flight


def test_a_failed_mutation_names_what_failed() -> None:
    assert contract.mutation_failures("x\nmutation: FAILED for page_loop, clock_ahead_90s\n") == (
        "page_loop, clock_ahead_90s"
    )
    assert contract.mutation_failures("no verdict line at all") == "? (it named nothing)"
