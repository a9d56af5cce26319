"""The human summary a person reads first: the verdict, then each finding once."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.verdict import ExitStatus, Kind, exit_status, settled
from .findings import Finding


def status_of(findings: list[Finding], *, interrupted: bool) -> ExitStatus:
    """The run's verdict class from what it found (see `ExitStatus`)."""
    return exit_status([finding.kind for finding in findings], interrupted=interrupted)


def _kind(finding: Finding, findings: list[Finding]) -> Kind:
    return settled(finding.kind, [other.kind for other in findings])


def _grouped(findings: list[Finding]) -> list[tuple[Finding, list[str]]]:
    """Findings that say the same thing (one broken fixture fails many tests) once each."""
    groups: dict[tuple[object, ...], tuple[Finding, list[str]]] = {}
    for finding in findings:
        key = (finding.kind, finding.prop, finding.message, finding.curl)
        groups.setdefault(key, (finding, []))[1].append(finding.test)
    return list(groups.values())


_VERDICTS = {
    ExitStatus.CONFORMANT: "PASS: no violation found",
    ExitStatus.VIOLATIONS: "FAIL: {violations} violation(s)",
    ExitStatus.INCONCLUSIVE: "INCONCLUSIVE: {transport} transport fault(s) stopped a verdict",
    ExitStatus.INTERRUPTED: "INTERRUPTED: {violations} violation(s) before the stop",
    ExitStatus.CANNOT_RUN: "COULD NOT RUN",
}


@dataclass(frozen=True, slots=True)
class Outline:
    """The findings as a person reads them, in the summary and on the console alike: the
    verdict, each problem once (numbered from 1), then the transport faults."""

    status: ExitStatus
    verdict: str
    problems: list[tuple[Finding, list[str]]]
    transport: list[tuple[Finding, list[str]]]

    @property
    def verdict_line(self) -> str:
        return f"{self.verdict} (exit status {int(self.status)})"


def outline(findings: list[Finding], status: ExitStatus) -> Outline:
    groups = _grouped(findings)
    transport = [(f, t) for f, t in groups if _kind(f, findings) is Kind.TRANSPORT]
    problems = [(f, t) for f, t in groups if _kind(f, findings) is not Kind.TRANSPORT]
    verdict = _VERDICTS[status].format(violations=len(problems), transport=len(transport))
    aborted = [f for f, _ in problems if f.kind is Kind.ABORTED]
    if status is ExitStatus.INCONCLUSIVE and aborted:
        verdict = f"INCONCLUSIVE: the run stopped before its verdict: {aborted[0].message}"
    return Outline(status, verdict, problems, transport)


def _title(finding: Finding) -> str:
    if finding.kind is Kind.VIOLATION:
        return finding.prop
    return f"{finding.prop} ({'no verdict' if finding.kind is Kind.ABORTED else 'error'})"


TRANSPORT_NOTE = (
    "No answer arrived whole (connection reset or closed, timeout): not a violation "
    "of the API, but no verdict either."
)


def render_summary(
    findings: list[Finding],
    *,
    seed: int,
    target: str,
    profile: str,
    reproduce: str,
    status: ExitStatus,
    footer: list[str] | None = None,
) -> str:
    """The markdown summary: the verdict, the run's facts, then each finding once."""
    told = outline(findings, status)
    lines = [
        "# Contract suite summary",
        "",
        f"- Verdict: **{told.verdict}** (exit status {int(status)}, {status.name.lower()})",
        f"- Target: {target}",
        f"- Profile: {profile}",
        f"- Seed: {seed}",
        f"- Reproduce: `{reproduce}`",
        *(f"- {fact}" for fact in footer or []),
        "",
    ]
    for number, (finding, tests) in enumerate(told.problems, start=1):
        lines += [f"## {number}. {_title(finding)}", "", _tests_line(tests), "", "```"]
        lines += [finding.message, "```", ""]
        if finding.alone:
            lines += [f"Reproduce alone: `{finding.alone}`", ""]
        if finding.curl:
            lines += ["Request:", "", "```sh", finding.curl, "```", ""]
        if finding.response:
            lines += ["Response:", "", "```", finding.response, "```", ""]
    if told.transport:
        lines += [f"## Transport faults: {_faults(told)}", "", TRANSPORT_NOTE, ""]
        lines += [
            f"- `{f.curl or 'request unknown'}`: {_one_line(f.message)} ({_tests_line(t)})"
            for f, t in told.transport
        ]
        lines.append("")
    return "\n".join(lines) + "\n"


# A console shows the start of a long answer; summary.md has up to 2,000 characters of it.
CONSOLE_ANSWER_CHARS = 600


def render_findings(told: Outline) -> list[str]:
    """The same findings as plain lines for a console: no markdown, the same words, long
    answers cut shorter."""
    lines: list[str] = []
    for number, (finding, tests) in enumerate(told.problems, start=1):
        lines += ["", f"{number}. {_title(finding)}", _indent(_tests_line(tests, quote=""))]
        lines += [_indent(line) for line in finding.message.splitlines()]
        if finding.alone:
            lines.append(_indent(f"Reproduce alone: {finding.alone}"))
        if finding.curl:
            lines += [_indent("Request:"), _indent(finding.curl, 2)]
        if finding.response:
            lines.append(_indent("Response:"))
            lines += [_indent(line, 2) for line in _shortened(finding.response).splitlines()]
    if told.transport:
        lines += ["", f"Transport faults: {_faults(told)}", _indent(TRANSPORT_NOTE)]
        lines += [
            _indent(
                f"- {f.curl or 'request unknown'}: {_one_line(f.message)} "
                f"({_tests_line(t, quote='')})"
            )
            for f, t in told.transport
        ]
    return lines


def _one_line(message: str) -> str:
    """A list item's message (Hypothesis's are paragraphs) on one line."""
    return " ".join(message.split())


def _shortened(response: str) -> str:
    if len(response) <= CONSOLE_ANSWER_CHARS:
        return response
    return response[:CONSOLE_ANSWER_CHARS] + "... (summary.md has more)"


def _faults(told: Outline) -> int:
    return sum(len(tests) for _, tests in told.transport)


def _indent(text: str, level: int = 1) -> str:
    return "   " * level + text if text else text


def _tests_line(tests: list[str], quote: str = "`") -> str:
    if len(tests) == 1:
        return f"Test: {quote}{tests[0]}{quote}"
    return (
        f"Tests ({len(tests)}): "
        + ", ".join(f"{quote}{test}{quote}" for test in tests[:5])
        + (", ..." if len(tests) > 5 else "")
    )
