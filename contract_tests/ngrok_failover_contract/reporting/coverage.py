"""What a run showed: each operation's documented statuses seen or not, and each named
property exercised and held. Written as `coverage.md` and `coverage.json` beside the summary.

Statuses come from the spec's responses; 401 and 403 count as one (ngrok documents either
for a refused key). 5XX is left out (a conformant server need never show one), and 429 is
shown but not required: whether a server is rate limited is its setting, not something the
requests of a run can ask for.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from ..checks.documented import server_view
from ..core.api import is_collection, item_id

AUTH = "401/403"
NOT_REQUIRED = frozenset({"429"})


@cache
def documented_statuses() -> dict[str, tuple[str, ...]]:
    """operationId -> the statuses its responses document, in the spec's order."""
    found: dict[str, tuple[str, ...]] = {}
    for path_item in server_view()["paths"].values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            statuses: list[str] = []
            for key in operation["responses"]:
                status = AUTH if key in ("401", "403") else key
                if status[0] != "5" and status not in statuses:
                    statuses.append(status)
            found[operation["operationId"]] = tuple(statuses)
    return found


def operation_of(method: str, url: str) -> str | None:
    """The operationId a request reached, or None for a path or method the API lacks."""
    path = urlsplit(url).path
    method = method.upper()
    if is_collection(path):
        return {"GET": "listFailoverBackends", "POST": "createFailoverBackend"}.get(method)
    if item_id(path) is not None:
        return {
            "GET": "getFailoverBackend",
            "PATCH": "updateFailoverBackend",
            "DELETE": "deleteFailoverBackend",
        }.get(method)
    return None


@dataclass
class Coverage:
    """Counts of one run: answers by (operation, status), checks by property."""

    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    exercised: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)
    # Shards count side by side: `+=` on a Counter is a read and a write.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, method: str, url: str, status: int) -> None:
        """An answer arrived (the gate calls this for every answer, 429s included)."""
        operation = operation_of(method, url)
        if operation is not None:
            code = str(status)
            with self._lock:
                self.answers[operation, AUTH if code in ("401", "403") else code] += 1

    def checked(self, prop: str, held: bool) -> None:
        """A named property was checked (the run's `Judge` counts here)."""
        with self._lock:
            self.exercised[prop] += 1
            if held:
                self.held[prop] += 1

    def seen(self, operation: str, status: str) -> int:
        if status.endswith("XX"):
            return sum(
                n
                for (op, code), n in self.answers.items()
                if op == operation and code[0] == status[0]
            )
        return self.answers[operation, status]

    def missing(self) -> list[tuple[str, str]]:
        """Documented statuses (429 aside) no answer of the run showed."""
        return [
            (operation, status)
            for operation, statuses in documented_statuses().items()
            for status in statuses
            if status not in NOT_REQUIRED and not self.seen(operation, status)
        ]

    def as_json(self) -> dict[str, object]:
        return {
            "operations": {
                operation: {status: self.seen(operation, status) for status in statuses}
                for operation, statuses in documented_statuses().items()
            },
            "properties": {
                prop: {"exercised": self.exercised[prop], "held": self.held[prop]}
                for prop in sorted(self.exercised)
            },
            "missing": [f"{operation} {status}" for operation, status in self.missing()],
        }

    def add(self, written: dict[str, object]) -> None:
        """Add what another process of the run wrote (`as_json`): its counts are this run's
        too (`runner.parts`); statuses no operation documents were not written, nor needed."""
        operations = written.get("operations")
        properties = written.get("properties")
        if not isinstance(operations, dict) or not isinstance(properties, dict):
            raise ValueError("not a coverage.json: it has no operations or properties")
        with self._lock:
            for operation, statuses in operations.items():
                for status, count in statuses.items():
                    self.answers[operation, status] += int(count)
            for prop, counts in properties.items():
                self.exercised[prop] += int(counts["exercised"])
                self.held[prop] += int(counts["held"])

    def as_markdown(self) -> str:
        every = sorted({s for statuses in documented_statuses().values() for s in statuses})
        lines = [
            "# Contract coverage",
            "",
            "Answers seen, by operation and documented status (- : not documented there). A "
            "row counts requests by their answer: createFailoverBackend's 201 are the "
            "backends created, its other columns create requests refused.",
            "",
            "| operation | " + " | ".join(every) + " |",
            "| --- |" + " --- |" * len(every),
        ]
        for operation, statuses in documented_statuses().items():
            cells = [
                (str(self.seen(operation, s)) if self.seen(operation, s) else "**not seen**")
                if s in statuses
                else "-"
                for s in every
            ]
            lines.append(f"| {operation} | " + " | ".join(cells) + " |")
        lines += ["", "| property | exercised | held |", "| --- | --- | --- |"]
        lines += [
            f"| {prop} | {self.exercised[prop]} | {self.held[prop]} |"
            for prop in sorted(self.exercised)
        ]
        missing = self.missing()
        lines += ["", f"Documented statuses not seen (429 is not required): {len(missing)}"]
        lines += [f"- {operation} {status}" for operation, status in missing]
        return "\n".join(lines) + "\n"

    def write(self, out: Path) -> None:
        (out / "coverage.md").write_text(self.as_markdown(), encoding="utf-8")
        (out / "coverage.json").write_text(
            json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8"
        )
