"""The human summary a person reads first: the verdict, then each finding once."""

from __future__ import annotations

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
    groups = _grouped(findings)
    transport = [(f, t) for f, t in groups if _kind(f, findings) is Kind.TRANSPORT]
    problems = [(f, t) for f, t in groups if _kind(f, findings) is not Kind.TRANSPORT]
    verdict = _VERDICTS[status].format(violations=len(problems), transport=len(transport))
    lines = [
        "# Contract suite summary",
        "",
        f"- Verdict: **{verdict}** (exit status {int(status)}, {status.name.lower()})",
        f"- Target: {target}",
        f"- Profile: {profile}",
        f"- Seed: {seed}",
        f"- Reproduce: `{reproduce}`",
        *(f"- {fact}" for fact in footer or []),
        "",
    ]
    for number, (finding, tests) in enumerate(problems, start=1):
        title = finding.prop if finding.kind is Kind.VIOLATION else f"{finding.prop} (error)"
        lines += [f"## {number}. {title}", "", _tests_line(tests), "", "```"]
        lines += [finding.message, "```", ""]
        if finding.alone:
            lines += [f"Reproduce alone: `{finding.alone}`", ""]
        if finding.curl:
            lines += ["Request:", "", "```sh", finding.curl, "```", ""]
        if finding.response:
            lines += ["Response:", "", "```", finding.response, "```", ""]
    if transport:
        lines += [
            f"## Transport faults: {sum(len(tests) for _, tests in transport)}",
            "",
            "No answer arrived whole (connection reset or closed, timeout): not a violation "
            "of the API, but no verdict either.",
            "",
        ]
        lines += [
            f"- `{f.curl or 'request unknown'}`: {f.message} ({_tests_line(t)})"
            for f, t in transport
        ]
        lines.append("")
    return "\n".join(lines) + "\n"


def _tests_line(tests: list[str]) -> str:
    if len(tests) == 1:
        return f"Test: `{tests[0]}`"
    return (
        f"Tests ({len(tests)}): "
        + ", ".join(f"`{test}`" for test in tests[:5])
        + (", ..." if len(tests) > 5 else "")
    )
