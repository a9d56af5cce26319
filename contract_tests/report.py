"""Violations and the human summary: what broke, the request as curl, the answer, the seed."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from .client import Exchange
from .violations import ContractViolation

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
    """One failed test of a run, ready to print."""

    test: str
    prop: str
    message: str
    curl: str | None
    response: str | None


def finding_from(test: str, error: BaseException, curl: str | None = None) -> list[Finding]:
    """The findings an exception carries; a group (several distinct bugs) gives several.

    Schemathesis raises a group whose text ends with the request as curl; its failures carry
    a code and a title, and a custom check's failure wraps our `ContractViolation`.
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
                prop=error.prop,
                message=error.message,
                curl=as_curl(exchange) if exchange else curl,
                response=describe_response(exchange) if exchange else None,
            )
        ]
    code, title = getattr(error, "code", None), getattr(error, "title", None)
    if isinstance(code, str) and isinstance(title, str):  # a Schemathesis failure
        message = str(getattr(error, "message", "")) or str(error)
        return [Finding(test, f"{code} {title}", message.strip(), curl, None)]
    return [Finding(test, type(error).__name__, str(error).strip(), curl, None)]


def _reproduce_line(text: str) -> str | None:
    """The curl command in a Schemathesis failure's text ("Reproduce with: ...")."""
    for line in text.splitlines():
        if line.strip().startswith("curl "):
            return line.strip()
    return None


def render_summary(
    findings: list[Finding],
    *,
    seed: int,
    target: str,
    profile: str,
    reproduce: str,
    footer: list[str] | None = None,
) -> str:
    """The markdown summary a person reads first."""
    verdict = "PASS: no violation found" if not findings else f"FAIL: {len(findings)} violation(s)"
    lines = [
        "# Contract suite summary",
        "",
        f"- Verdict: **{verdict}**",
        f"- Target: {target}",
        f"- Profile: {profile}",
        f"- Seed: {seed}",
        f"- Reproduce: `{reproduce}`",
        *(f"- {fact}" for fact in footer or []),
        "",
    ]
    for number, finding in enumerate(findings, start=1):
        lines += [f"## {number}. {finding.prop}", "", f"Test: `{finding.test}`", "", "```"]
        lines += [finding.message, "```", ""]
        if finding.curl:
            lines += ["Request:", "", "```sh", finding.curl, "```", ""]
        if finding.response:
            lines += ["Response:", "", "```", finding.response, "```", ""]
    return "\n".join(lines) + "\n"


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
