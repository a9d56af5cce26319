"""A comparison's report: each kind of difference once (a table first: kind, operation, count,
first example; then each first example: the request as curl, both answers side by side, the
fact that would decide it), as `differences.md` for people and `differences.json` for tools.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.exchange import Exchange
from ..core.verdict import ExitStatus
from ..reporting.curl import as_curl, describe_response
from ..reporting.redaction import redact
from .deciders import Fact, deciding
from .differ import Difference
from .keys import OTHER_SIDE_KEY_ENV

MARKDOWN = "differences.md"
JSON = "differences.json"
VERDICTS = {
    ExitStatus.CONFORMANT: "SAME: no difference found",
    ExitStatus.VIOLATIONS: "DIFFERENT: {kinds} kind(s) of difference, {count} in all",
    ExitStatus.INCONCLUSIVE: "INCONCLUSIVE: {reason}",
    ExitStatus.INTERRUPTED: "INTERRUPTED: {kinds} kind(s) of difference before the stop",
    ExitStatus.CANNOT_RUN: "COULD NOT RUN: {reason}",
}
_CELL = 60  # a value in a table cell, at most


@dataclass(frozen=True, slots=True)
class KindOfDifference:
    """Every difference of one kind: how many, on which operations and sides, the first."""

    kind: str
    count: int
    operations: dict[str, int]
    first: Difference
    facts: list[Fact]


def kinds_of(differences: list[Difference]) -> list[KindOfDifference]:
    """The differences grouped by kind, in the order each kind was first seen."""
    grouped: dict[str, list[Difference]] = {}
    for difference in differences:
        grouped.setdefault(difference.kind, []).append(difference)
    return [
        KindOfDifference(
            kind,
            len(found),
            dict(Counter(d.operation for d in found)),
            found[0],
            deciding(kind, found[0].operation, found[0].values),
        )
        for kind, found in grouped.items()
    ]


@dataclass
class RunFacts:
    """What the report says of the run besides its differences."""

    status: ExitStatus
    base: str
    other: str
    seed: int
    profile: str
    reproduce: str
    pairs: int = 0
    walks: int = 0
    sides: dict[str, list[str]] = field(default_factory=dict)  # each side's spend and cleanup
    unsent: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    diverged: str | None = None
    problems: list[str] = field(default_factory=list)  # the run's own findings (errors...)
    cannot_run: str | None = None


def verdict_of(facts: RunFacts, kinds: list[KindOfDifference]) -> str:
    reason = facts.cannot_run or _inconclusive(facts)
    line = VERDICTS[facts.status].format(
        kinds=len(kinds), count=sum(k.count for k in kinds), reason=reason
    )
    return f"{line} (exit status {int(facts.status)})"


def _inconclusive(facts: RunFacts) -> str:
    if facts.diverged:
        return "the replay parted from its recording, and no difference was found before"
    count = len(facts.faults) + len(facts.problems)
    return f"{count} request(s) got no answer from a side, so the sides could not be compared"


def render_markdown(facts: RunFacts, kinds: list[KindOfDifference]) -> str:
    lines = [
        "# Comparison: where two servers differ",
        "",
        f"- Verdict: **{verdict_of(facts, kinds)}**",
        f"- Base side: {facts.base}",
        f"- Other side: {facts.other}",
        f"- Seed: {facts.seed}, profile {facts.profile}",
        f"- Compared: {facts.pairs} requests sent to both sides, {facts.walks} list walks made "
        "by each",
        f"- Reproduce: `{facts.reproduce}`",
        *(f"- {name.capitalize()} side: {'; '.join(said)}" for name, said in facts.sides.items()),
        "",
    ]
    if facts.diverged:
        lines += ["## The replay parted from its recording", "", facts.diverged, ""]
        lines += [
            "From there on the other side answered nothing: what came later was not compared.",
            "",
        ]
    if kinds:
        lines += ["| kind | operation | count | first example |", "| --- | --- | --- | --- |"]
        for number, kind in enumerate(kinds, start=1):
            operations = ", ".join(f"{op} ({n})" for op, n in kind.operations.items())
            lines.append(
                f"| `{kind.kind}` | {operations} | {kind.count} | "
                f"{number}. {_cell(kind.first.message, 100)} |"
            )
        lines.append("")
    for number, kind in enumerate(kinds, start=1):
        lines += _example(number, kind)
    lines += _not_compared(facts)
    return "\n".join(lines).rstrip("\n") + "\n"


def _example(number: int, kind: KindOfDifference) -> list[str]:
    first = kind.first
    lines = [f"## {number}. {kind.kind}", "", first.message, ""]
    if first.test:
        lines += [f"Test: `{first.test}`", ""]
    lines += [_decided(kind.facts), ""]
    lines += ["| | base side | other side |", "| --- | --- | --- |"]
    lines += [f"| {name} | {_cell(a)} | {_cell(b)} |" for name, a, b in _side_by_side(first)]
    lines.append("")
    for side, exchange in (("base", first.base), ("other", first.other)):
        if exchange is None:
            continue
        lines += [f"Request ({side} side):", "", "```sh", curl_of(exchange, side), "```", ""]
    for side, exchange in (("base", first.base), ("other", first.other)):
        if exchange is None:
            continue
        lines += [f"Answer ({side} side):", "", "```", describe_response(exchange), "```", ""]
    return lines


def _side_by_side(first: Difference) -> list[tuple[str, str, str]]:
    rows = []
    a, b = first.base, first.other
    if a is not None and b is not None:
        rows.append(("status", str(a.status), str(b.status)))
        rows.append(("content type", _media(a), _media(b)))
    if first.values is not None and first.kind not in ("status", "content_type"):
        rows.append((first.kind.removeprefix("state:"), *first.values))
    return rows


def _media(exchange: Exchange) -> str:
    found = [v for k, v in exchange.response_headers.items() if k.lower() == "content-type"]
    return found[0] if found else "(none)"


def _decided(facts: list[Fact]) -> str:
    if not facts:
        return (
            "Decided by: no fact in spec/facts.yaml. The documentation does not say, so "
            "neither side is wrong by the contract; which one your clients rely on is yours "
            "to judge."
        )
    shown = "; ".join(f"`{f.where}`: {f.says} ({f.source})" for f in facts)
    return f"Decided by spec/facts.yaml: {shown}"


def _not_compared(facts: RunFacts) -> list[str]:
    lines: list[str] = []
    for title, items in (
        ("Sent to the base side only", facts.unsent),
        ("No answer from the other side", facts.faults),
        ("The run's own problems (not differences)", facts.problems),
    ):
        if items:
            lines += [f"## {title}: {len(items)}", ""]
            lines += [f"- {_cell(item, 400)}" for item in items[:20]]
            lines += ([f"- ... and {len(items) - 20} more"] if len(items) > 20 else []) + [""]
    return lines


def _cell(text: str, limit: int = _CELL) -> str:
    one = " ".join(text.split()).replace("|", "\\|")
    return one if len(one) <= limit else one[: limit - 3] + "..."


def curl_of(exchange: Exchange, side: str) -> str:
    """The request as curl; the other side's key is its own variable."""
    curl = as_curl(exchange)
    return curl.replace("$NGROK_API_KEY", f"${OTHER_SIDE_KEY_ENV}") if side == "other" else curl


def render_json(facts: RunFacts, kinds: list[KindOfDifference]) -> dict[str, Any]:
    return {
        "verdict": verdict_of(facts, kinds),
        "status": int(facts.status),
        "base": facts.base,
        "other": facts.other,
        "seed": facts.seed,
        "profile": facts.profile,
        "reproduce": facts.reproduce,
        "compared": {"pairs": facts.pairs, "walks": facts.walks},
        "sides": facts.sides,
        "kinds": [
            {
                "kind": kind.kind,
                "count": kind.count,
                "operations": kind.operations,
                "facts": [
                    {"where": f.where, "says": f.says, "source": f.source} for f in kind.facts
                ],
                "first": _example_json(kind.first),
            }
            for kind in kinds
        ],
        "diverged": facts.diverged,
        "unsent": facts.unsent,
        "faults": facts.faults,
        "problems": facts.problems,
        "cannot_run": facts.cannot_run,
    }


def _example_json(first: Difference) -> dict[str, Any]:
    def side(exchange: Exchange | None, name: str) -> dict[str, Any] | None:
        if exchange is None:
            return None
        return {
            "request": curl_of(exchange, name),
            "status": exchange.status,
            "answer": describe_response(exchange),
        }

    return {
        "operation": first.operation,
        "message": first.message,
        "test": first.test,
        "values": list(first.values) if first.values else None,
        "base": side(first.base, "base"),
        "other": side(first.other, "other"),
    }


def write(
    folder: Path, facts: RunFacts, kinds: list[KindOfDifference], secrets: tuple[str, ...]
) -> None:
    """Both reports into `folder`, every secret replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        MARKDOWN: render_markdown(facts, kinds),
        JSON: json.dumps(render_json(facts, kinds), indent=2, ensure_ascii=False) + "\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(_redacted(text, secrets), encoding="utf-8")


def _redacted(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = redact(text, secret)
    return text
