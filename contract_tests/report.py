"""Violations and the human summary: what broke, the request as curl, the answer, the seed."""

from __future__ import annotations

import shlex
import traceback
from dataclasses import dataclass
from pathlib import Path

import hypothesis
from hypothesis.errors import Flaky

from .client import Exchange
from .verdict import ExitStatus, Kind, transport_fault
from .violations import ContractViolation, Property

REDACTED = "[REDACTED]"
MAX_BODY_CHARS = 2000


def redact(text: str, secret: str) -> str:
    """`text` with the API key and every bearer credential replaced."""
    if secret:
        text = text.replace(secret, REDACTED)
    return text


# Headers any HTTP client adds by itself: noise in a command to reproduce a request.
CLIENT_HEADERS = frozenset(
    {"accept", "accept-encoding", "connection", "content-length", "host", "user-agent"}
)


def as_curl(exchange: Exchange) -> str:
    """The request as a curl command; the key is a shell variable, never its value."""
    parts = ["curl", "-X", exchange.method]
    for name, value in exchange.request_headers.items():
        if name.lower() in CLIENT_HEADERS:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $NGROK_API_KEY"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body is not None:
        parts += ["-d", shlex.quote(exchange.request_body)]
    parts.append(shlex.quote(exchange.url))
    return " ".join(parts)


def describe_response(exchange: Exchange) -> str:
    body = exchange.response_text
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS] + f"... ({len(exchange.response_text)} characters)"
    content_type = exchange.response_headers.get("content-type", "(none)")
    return f"HTTP {exchange.status}, Content-Type: {content_type}\n{body}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One failure of a run, ready to print; `prop` is a `Property` for violations."""

    test: str
    kind: Kind
    prop: str
    message: str
    curl: str | None
    response: str | None
    alone: str | None = None  # the command that runs the shard it came from alone


def finding_from(test: str, error: BaseException, curl: str | None = None) -> list[Finding]:
    """The findings an exception carries; a group (several distinct bugs) gives several.

    Schemathesis raises a group whose text ends with the request as curl; its failures carry
    the names of the checks that report them, and a custom check's failure wraps our
    `ContractViolation`. A transport error anywhere behind an exception makes a transport
    fault. Hypothesis's "flaky" (a replay that went otherwise) is kept apart: in a run that
    lost answers it is one more consequence of them (`exit_status`).
    """
    if isinstance(error, BaseExceptionGroup):
        curl = _reproduce_line(str(error)) or curl
        return [item for sub in error.exceptions for item in finding_from(test, sub, curl)]
    wrapped = getattr(error, "exception", None)
    if isinstance(wrapped, ContractViolation):
        return finding_from(test, wrapped, curl)
    if isinstance(error, ContractViolation):
        exchange = error.exchange
        return [
            Finding(
                test=test,
                kind=Kind.VIOLATION,
                prop=str(error.prop),
                message=error.message,
                curl=as_curl(exchange) if exchange else curl,
                response=describe_response(exchange) if exchange else None,
            )
        ]
    checks, code = getattr(error, "checks", None), getattr(error, "code", None)
    if isinstance(checks, tuple) and checks and isinstance(code, str):  # a Schemathesis failure
        prop = str(Property(checks[0]))  # every check the suite runs is in the registry
        title = str(getattr(error, "title", ""))
        message = str(getattr(error, "message", "")) or str(error)
        return [
            Finding(test, Kind.VIOLATION, prop, f"{code} {title}\n{message.strip()}", curl, None)
        ]
    fault = transport_fault(error)
    if fault is not None:
        request = _request_line(fault)
        message = f"{type(fault).__name__}: {fault}".strip()
        return [Finding(test, Kind.TRANSPORT, "transport", message, request or curl, None)]
    kind = Kind.FLAKY if isinstance(error, Flaky) or _hypothesis_replay_broke(error) else Kind.ERROR
    return [Finding(test, kind, type(error).__name__, str(error).strip(), curl, None)]


def _hypothesis_replay_broke(error: BaseException) -> bool:
    """An assertion of Hypothesis's own code: its replay of a failing state machine went
    otherwise than the run (seen when answers were lost), like `Flaky`."""
    if not isinstance(error, AssertionError) or error.__traceback__ is None:
        return False
    innermost = traceback.extract_tb(error.__traceback__)[-1].filename
    return Path(hypothesis.__file__).parent in Path(innermost).parents


def _request_line(fault: BaseException) -> str | None:
    """`METHOD URL` of the request a transport error hit, when the library kept it."""
    try:
        request = getattr(fault, "request", None)
    except RuntimeError:  # httpx raises when the error has no request
        return None
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    return f"{method} {url}" if method and url else None


def _reproduce_line(text: str) -> str | None:
    """The curl command in a Schemathesis failure's text ("Reproduce with: ...")."""
    for line in text.splitlines():
        if line.strip().startswith("curl "):
            return line.strip()
    return None


def exit_status(findings: list[Finding], *, interrupted: bool) -> ExitStatus:
    """The run's verdict class from what it found (see `ExitStatus`)."""
    kinds = {finding_kind(finding, findings) for finding in findings}
    if interrupted:
        return ExitStatus.INTERRUPTED
    if kinds & {Kind.VIOLATION, Kind.ERROR}:
        return ExitStatus.VIOLATIONS
    if Kind.TRANSPORT in kinds:
        return ExitStatus.INCONCLUSIVE
    return ExitStatus.CONFORMANT


def finding_kind(finding: Finding, findings: list[Finding]) -> Kind:
    """A flaky replay is one more lost answer in a run that lost answers, else an error."""
    if finding.kind is not Kind.FLAKY:
        return finding.kind
    lost = any(other.kind is Kind.TRANSPORT for other in findings)
    return Kind.TRANSPORT if lost else Kind.ERROR


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
    """The markdown summary a person reads first: the verdict, then each finding once."""
    groups = _grouped(findings)
    lost = [(f, t) for f, t in groups if finding_kind(f, findings) is Kind.TRANSPORT]
    problems = [(f, t) for f, t in groups if finding_kind(f, findings) is not Kind.TRANSPORT]
    transport = lost
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


def redact_tree(folder: Path, secret: str) -> None:
    """Scrub the key from every report file, whatever wrote it (JUnit, Schemathesis)."""
    if not secret or not folder.is_dir():
        return
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if secret in text:
            path.write_text(redact(text, secret), encoding="utf-8")
