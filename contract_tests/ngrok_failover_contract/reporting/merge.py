"""One run's reports from those of its parts (`runner.parts`): their events' end, their
coverage and their JUnit XML as one run's."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from .coverage import Coverage
from .events import Ended
from .findings import Finding

# The counts a JUnit <testsuite> keeps of its test cases.
_COUNTS = ("tests", "errors", "failures", "skipped")


def merged_end(ends: Sequence[Ended], status: int, findings: Sequence[Finding]) -> Ended:
    """The parts' ends as the run's: `status` and `findings` decided over all of them."""
    removed = [end.removed for end in ends if end.removed is not None]
    return Ended(
        status=status,
        findings=tuple(findings),
        requests=sum(end.requests for end in ends),
        creates=sum(end.creates for end in ends),
        removed=sum(removed) if removed else None,
        left=tuple(sorted(i for end in ends for i in end.left)),
        signalled=next((end.signalled for end in ends if end.signalled), None),
        cannot_run=next((end.cannot_run for end in ends if end.cannot_run), None),
    )


def merged_coverage(folders: Sequence[Path]) -> Coverage:
    """The run's coverage: each part's coverage.json added up (a part that wrote none, as
    one that stopped before its end, adds nothing)."""
    coverage = Coverage()
    for folder in folders:
        path = folder / "coverage.json"
        if path.exists():
            coverage.add(json.loads(path.read_text("utf-8")))
    return coverage


def merge_junit(parts: Sequence[Path], out: Path) -> None:
    """One JUnit XML of the parts' test cases, in one <testsuite> as a single run writes
    them; its time is the longest part's (they ran side by side)."""
    trees = [ET.parse(path) for path in parts if path.exists()]
    if not trees:
        return
    first = trees[0]
    suite = first.getroot().find("testsuite")
    if suite is None:
        raise ValueError(f"{parts[0]}: no <testsuite> in this JUnit XML")
    times = [float(suite.get("time", "0"))]
    for tree in trees[1:]:
        other = tree.getroot().find("testsuite")
        if other is None:
            continue
        for name in _COUNTS:
            total = int(suite.get(name, "0")) + int(other.get(name, "0"))
            suite.set(name, str(total))
        times.append(float(other.get("time", "0")))
        suite.extend(other.findall("testcase"))
    suite.set("time", f"{max(times):.3f}")
    first.write(out, encoding="utf-8", xml_declaration=True)
