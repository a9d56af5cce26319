"""The console a person reads: the events the suite sends, a line per test, the findings as
the summary states them, the verdict, where pytest's whole output went."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from ngrok_failover_contract.core.verdict import ExitStatus, Kind
from ngrok_failover_contract.reporting.console import (
    LiveScreen,
    PlainScreen,
    RunConsole,
    screen_for,
)
from ngrok_failover_contract.reporting.events import (
    Collected,
    Ended,
    Event,
    EventError,
    Finished,
    Ready,
    Requests,
    Running,
    decode,
    encode,
)
from ngrok_failover_contract.reporting.findings import Finding
from ngrok_failover_contract.reporting.redaction import redact
from ngrok_failover_contract.reporting.summary import render_summary

CURL = "curl -X POST -H 'Ngrok-Version: 2' http://127.0.0.1:1/backends/failover"
VIOLATION = Finding(
    test="suite/test_model.py::test_backends_behave_like_the_model",
    kind=Kind.VIOLATION,
    prop="uri_is_own",
    message="backend bkdfo_x has uri '/backends/failover/bkdfo_x'\nsecond line",
    curl=CURL,
    response='HTTP 201, Content-Type: application/json\n{"id": "bkdfo_x"}',
)
LOST = Finding(
    test="suite/test_paging.py::test_every_page",
    kind=Kind.TRANSPORT,
    prop="transport",
    message="RemoteProtocolError: peer closed connection",
    curl="POST http://127.0.0.1:1/backends/failover",
    response=None,
)
REPORTS = Path("reports/contract")


def _ended(status: ExitStatus, *findings: Finding, **facts: object) -> Ended:
    given: dict[str, object] = {"requests": 120, "creates": 14, "removed": 14, **facts}
    return Ended(status=int(status), findings=findings, **given)  # type: ignore[arg-type]


def _run(events: list[Event], ended: Ended | None = None, **options: object) -> list[str]:
    stream = io.StringIO()
    console = RunConsole(PlainScreen(stream), **options)  # type: ignore[arg-type]
    for event in events:
        console.handle(event)
    if ended is not None:
        console.end(ended, REPORTS)
    return stream.getvalue().splitlines()


TESTS: list[Event] = [
    Ready(),
    Collected(2),
    Running("suite/test_lifecycle.py::test_a"),
    Requests(15),
    Finished("suite/test_lifecycle.py::test_a", "passed", 15, 0.21),
    Running("suite/test_model.py::test_backends_behave_like_the_model"),
    Finished("suite/test_model.py::test_backends_behave_like_the_model", "failed", 1, 0.1),
]


@pytest.mark.parametrize(
    "event",
    [*TESTS, _ended(ExitStatus.VIOLATIONS, VIOLATION, LOST, left=("bkdfo_y",), signalled="SIGINT")],
    ids=lambda event: type(event).__name__,
)
def test_every_event_round_trips_through_its_line(event: Event) -> None:
    line = encode(event)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert decode(line) == event


@pytest.mark.parametrize(
    "line", ["not json\n", '{"event": "nope"}\n', '{"event": "collected"}\n', "[1]\n"]
)
def test_a_line_that_is_no_event_is_refused_by_name(line: str) -> None:
    with pytest.raises(EventError, match="not an event of the suite") as refused:
        decode(line)
    assert repr(line) in str(refused.value)


def test_a_line_per_test_with_its_outcome_and_requests() -> None:
    lines = _run(TESTS)
    assert lines == [
        "  [1/2] passed  suite/test_lifecycle.py::test_a  (15 requests, 0.2 s)",
        "  [2/2] FAILED  suite/test_model.py::test_backends_behave_like_the_model  "
        "(1 request, 0.1 s)",
    ]


def test_a_long_test_says_it_is_still_running_in_plain_lines() -> None:
    now = [0.0]
    stream = io.StringIO()
    console = RunConsole(PlainScreen(stream), clock=lambda: now[0], heartbeat_s=30.0)
    console.handle(Collected(1))
    console.handle(Running("suite/test_model.py::test_m"))
    for count, at in ((100, 10.0), (900, 31.0), (1000, 40.0), (2500, 62.0)):
        now[0] = at
        console.handle(Requests(count))
    assert stream.getvalue().splitlines() == [
        "  [1/1] running suite/test_model.py::test_m  (900 requests so far)",
        "  [1/1] running suite/test_model.py::test_m  (2,500 requests so far)",
    ]


def test_a_violation_is_told_as_the_summary_states_it_and_names_the_log() -> None:
    lines = _run(TESTS, _ended(ExitStatus.VIOLATIONS, VIOLATION))
    text = "\n".join(lines)
    summary = render_summary(
        [VIOLATION], seed=0, target="t", profile="quick", reproduce="r", status=ExitStatus(1)
    )
    assert "## 1. uri_is_own" in summary and "\n1. uri_is_own\n" in text
    for said in (*VIOLATION.message.splitlines(), CURL, '{"id": "bkdfo_x"}', VIOLATION.test):
        assert said in summary and said in text, said
    assert lines[2] == "contract: cleanup: deleted 14 backends this run created, none left"
    assert lines[-2] == "contract: FAIL: 1 violation(s) (exit status 1)"
    assert lines[-1].startswith("contract: reports in reports/contract/ (summary.md first")
    assert lines[-1].endswith("pytest's whole output in reports/contract/pytest.log")
    assert "Traceback" not in text and "```" not in text


def test_an_inconclusive_run_tells_its_transport_faults_and_the_requests_they_hit() -> None:
    lines = _run(TESTS, _ended(ExitStatus.INCONCLUSIVE, LOST))
    text = "\n".join(lines)
    assert "Transport faults: 1" in text
    assert (
        "- POST http://127.0.0.1:1/backends/failover: RemoteProtocolError: peer closed "
        "connection (Test: suite/test_paging.py::test_every_page)" in text
    )
    assert (
        lines[-2]
        == "contract: INCONCLUSIVE: 1 transport fault(s) stopped a verdict (exit status 3)"
    )
    assert "pytest.log" in lines[-1]


def test_a_long_answer_is_cut_shorter_on_the_console_than_in_the_summary() -> None:
    answer = "HTTP 200, Content-Type: application/json\n" + "x" * 1900
    long = dataclasses.replace(VIOLATION, response=answer)
    text = "\n".join(_run([], _ended(ExitStatus.VIOLATIONS, long)))
    assert "x" * 500 in text and "x" * 700 not in text and "summary.md has more" in text


@pytest.mark.parametrize(
    ("ended", "line"),
    [
        (
            _ended(ExitStatus.INTERRUPTED, requests=0, creates=0, removed=0, signalled="SIGINT"),
            "contract: INTERRUPTED: stopped by SIGINT during start-up, before the run created "
            "anything (exit status 130)",
        ),
        (
            _ended(ExitStatus.INTERRUPTED, signalled="SIGTERM"),
            "contract: INTERRUPTED: stopped by SIGTERM; 0 violation(s) before the stop "
            "(exit status 130)",
        ),
        (
            _ended(ExitStatus.CANNOT_RUN, cannot_run="http://x keeps no state: ..."),
            "contract: could not run: http://x keeps no state: ...",
        ),
        (_ended(ExitStatus.CONFORMANT), "contract: PASS: no violation found (exit status 0)"),
    ],
    ids=["stopped-at-start-up", "stopped-mid-run", "could-not-run", "pass"],
)
def test_each_end_is_one_line_before_the_reports(ended: Ended, line: str) -> None:
    lines = _run([], ended)
    assert lines[-2] == line
    assert sum("stopped by" in said or "could not run" in said for said in lines) <= 1


def test_a_stopped_run_says_which_test_it_stopped_in_and_what_is_left() -> None:
    events: list[Event] = [Collected(3), Running("suite/test_model.py::test_m"), Requests(40)]
    lines = _run(events, _ended(ExitStatus.INTERRUPTED, left=("bkdfo_y",), signalled="SIGINT"))
    assert lines[0] == "  [1/3] stopped suite/test_model.py::test_m  (120 requests in all)"
    assert lines[1] == (
        "contract: cleanup: deleted 14 backends this run created; NOT deleted: bkdfo_y"
    )


def test_verbose_leaves_the_tests_to_pytest_and_ends_with_the_verdict() -> None:
    lines = _run(TESTS, _ended(ExitStatus.VIOLATIONS, VIOLATION), quiet=True)
    assert [line for line in lines if line.startswith("  [")] == []
    assert "1. uri_is_own" not in lines  # pytest's output (shown instead) has the summary
    assert lines[-2] == "contract: FAIL: 1 violation(s) (exit status 1)"


def test_the_key_is_replaced_in_every_line() -> None:
    secret = "sekret-key-123"
    leaky = dataclasses.replace(VIOLATION, message=f"echoed Bearer {secret}")
    lines = _run(
        [
            Running(f"suite/t.py::t[{secret}]"),
            Finished(f"suite/t.py::t[{secret}]", "failed", 1, 0),
        ],
        _ended(ExitStatus.VIOLATIONS, leaky),
        redact=lambda text: redact(text, secret),
    )
    text = "\n".join(lines)
    assert secret not in text and "echoed Bearer [REDACTED]" in text


def test_a_terminal_gets_a_live_bar_and_keeps_the_test_lines() -> None:
    stream = io.StringIO()
    screen = screen_for(stream, live=True)
    assert isinstance(screen, LiveScreen)
    console = RunConsole(screen)
    for event in TESTS:
        console.handle(event)
    console.end(_ended(ExitStatus.VIOLATIONS, VIOLATION), REPORTS)
    shown = stream.getvalue()
    assert "passed  suite/test_lifecycle.py::test_a" in shown
    assert "[2/2] FAILED  suite/test_model.py::test_backends_behave_like_the_model" in shown
    assert "contract: FAIL: 1 violation(s) (exit status 1)" in shown


def test_a_pipe_gets_plain_lines() -> None:
    assert isinstance(screen_for(io.StringIO()), PlainScreen)


def test_a_transport_fault_of_several_paragraphs_is_one_line_in_both() -> None:
    flaky = dataclasses.replace(
        LOST, kind=Kind.FLAKY, curl=None, message="Inconsistent data!\n\nThe second run stopped."
    )
    told = "- request unknown: Inconsistent data! The second run stopped. (Test: suite/"
    text = "\n".join(_run([], _ended(ExitStatus.INCONCLUSIVE, LOST, flaky)))
    summary = render_summary(
        [LOST, flaky], seed=0, target="t", profile="q", reproduce="r", status=ExitStatus(3)
    )
    assert told in text, text
    assert "- `request unknown`: Inconsistent data! The second run stopped. (Test: `" in summary
