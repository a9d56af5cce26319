"""The README's figures of speed, read from the benchmark report `make bench` writes.

Every figure the README gives of this machine's speed is quoted here, from
docs/benchmarks.md, with the report's date: nowhere else. A figure the report lacks is an
error that names the section and the row, so a changed report cannot leave a stale quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bench.__main__ import SECTIONS

from .console import ROOT

REPORT = ROOT / "docs" / "benchmarks.md"
_ALONE_RE = re.compile(r"measured on its own \(`[^`]*`\), (\d{4}-\d{2}-\d{2})")
_TOOK_RE = re.compile(r"^This section took ([\d.]+) min\.$", re.MULTILINE)


class ReportError(Exception):
    """docs/benchmarks.md lacks a figure the README quotes."""


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    title: str
    headers: list[str]
    rows: list[list[str]]
    text: str

    @property
    def name(self) -> str:
        return f"{self.number}. {self.title}"

    def row(self, **cells: str) -> dict[str, str]:
        """The one row whose named cells (header with spaces as _) hold these values."""
        wanted = {key.replace("_", " "): value for key, value in cells.items()}
        for header in wanted:
            if header not in self.headers:
                raise ReportError(
                    f"docs/benchmarks.md, section {self.name!r}: no column {header!r}"
                )
        for row in self.rows:
            named = self._named(row)
            if all(named[h] == v for h, v in wanted.items()):
                return named
        shown = ", ".join(f"{h} = {v!r}" for h, v in wanted.items())
        raise ReportError(f"docs/benchmarks.md, section {self.name!r}: no row with {shown}")

    def column(self, header: str, **cells: str) -> list[str]:
        """`header`'s cell of every row whose named cells hold these values."""
        wanted = {key.replace("_", " "): value for key, value in cells.items()}
        found = [
            named[header]
            for row in self.rows
            if all((named := self._named(row))[h] == v for h, v in wanted.items())
        ]
        if not found:
            raise ReportError(f"docs/benchmarks.md, section {self.name!r}: no rows for {wanted}")
        return found

    def _named(self, row: list[str]) -> dict[str, str]:
        """A row's cells by header; of two columns with one header, the first."""
        return dict(reversed(list(zip(self.headers, row, strict=False))))

    def starting(self, begins: str) -> list[str]:
        """The first row whose first cell begins so."""
        for row in self.rows:
            if row[0].startswith(begins):
                return row
        raise ReportError(f"docs/benchmarks.md, section {self.name!r}: no row {begins!r}...")

    def target(self, begins: str) -> str:
        """The figure a target line states: what follows its last ': ' up to ' ('."""
        for line in self.text.splitlines():
            if line.startswith(f"- Target: {begins}"):
                return line.rsplit(": ", 1)[1].split(" (")[0]
        raise ReportError(f"docs/benchmarks.md, section {self.name!r}: no target {begins!r}")

    @property
    def measured_alone(self) -> str | None:
        """The date it was measured on its own (`--replace`), if it was."""
        match = _ALONE_RE.search(self.text)
        return match.group(1) if match else None

    @property
    def minutes(self) -> float | None:
        match = _TOOK_RE.search(self.text)
        return float(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Report:
    machine: dict[str, str]
    sections: dict[int, Section] = field(default_factory=dict)

    def section(self, number: int) -> Section:
        if number not in self.sections:
            raise ReportError(f"docs/benchmarks.md has no section {number}")
        return self.sections[number]

    def machine_line(self, key: str) -> str:
        if key not in self.machine:
            raise ReportError(f"docs/benchmarks.md: the Machine list has no {key!r}")
        return self.machine[key]

    @property
    def date(self) -> str:
        return self.machine_line("Date").split()[0]


def parse(text: str) -> Report:
    blocks = re.split(r"(?m)^(?=## )", text)
    machine: dict[str, str] = {}
    sections: dict[int, Section] = {}
    for block in blocks:
        heading = block.split("\n", 1)[0]
        if heading == "## Machine":
            for line in block.splitlines():
                if line.startswith("- "):  # `- Key: value`, or a line of its own
                    key, _, value = line[2:].partition(": ")
                    machine[key] = value
        elif (numbered := re.match(r"## (\d+)\. (.+)$", heading)) is not None:
            lines = [line for line in block.splitlines() if line.startswith("| ")]
            if len(lines) < 2:
                raise ReportError(f"docs/benchmarks.md: section {heading[3:]!r} has no table")
            headers, *rows = (_cells(line) for line in lines[:1] + lines[2:])
            number = int(numbered.group(1))
            sections[number] = Section(number, numbered.group(2), headers, rows, block)
    if not machine:
        raise ReportError(
            "docs/benchmarks.md has no Machine list: is it a report make bench wrote?"
        )
    return Report(machine, sections)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def read() -> Report:
    if not REPORT.exists():
        raise ReportError("docs/benchmarks.md is missing: run make bench")
    return parse(REPORT.read_text(encoding="utf-8"))


def median(cell: str) -> str:
    """`24,962 (24,005-25,927)` -> `24,962`: the median a cell shows first."""
    return cell.split(" (", maxsplit=1)[0].split(" per ", maxsplit=1)[0]


def _range(cells: list[str]) -> str:
    values = sorted(cells, key=lambda c: float(c.rstrip("x")))
    return values[0] if values[0] == values[-1] else f"{values[0]} to {values[-1]}"


# -- What the README prints ------------------------------------------------------------------


def _key(section: Section) -> str:
    """A section by the name `make bench SECTION=` gives it."""
    return SECTIONS[section.number - 1] if section.number <= len(SECTIONS) else section.title


def whole_run(report: Report) -> str:
    """How long the full `make bench` took, as far as the report can tell."""
    numbered = list(report.sections.values())
    minutes = [s.minutes for s in numbered]
    if numbered and None not in minutes:
        total = sum(m for m in minutes if m is not None)
        return f"{total:.0f} min (its sections' own times, added up)"
    line = median(report.machine_line("Whole run"))
    later = [_key(s) for s in numbered if s.measured_alone and s.minutes is None]
    if later:
        return (
            f"{line} for the run that wrote the report, besides the time of the sections "
            f"measured on their own since ({', '.join(later)}), which the report does not give"
        )
    return line


def dates(report: Report) -> str:
    later = [f"{_key(s)} {s.measured_alone}" for s in report.sections.values() if s.measured_alone]
    more = f"; measured on their own since: {', '.join(later)}" if later else ""
    return f"of {report.date}{more}"


def machine(report: Report) -> str:
    cpu = report.machine_line("CPU")
    model = cpu.split("), ", 1)[1] if "), " in cpu else cpu
    python = next((k for k in report.machine if k.startswith("Python ")), "Python ?")
    return f"{cpu.split(' cores')[0]} cores, {model}, {python.split(',')[0]}"


def headline() -> str:
    report = read()
    server, paging, clients = report.section(1), report.section(2), report.section(3)
    contract, generate, workers = report.section(4), report.section(5), report.section(6)

    def rate(operation: str, where: str) -> str:
        return median(server.row(operation=operation, server=where)["req/s"])

    get_prism = server.row(operation="get by id", server="reference (memory)")["vs Prism"]
    get_sqlite = server.row(operation="get by id", server="reference (SQLite)")["vs Prism"]
    limits = server.target("the limits add")
    h11 = _range(server.column("vs as shipped", server="reference (memory), h11"))
    loop_cpu = _range(server.column("CPU vs as shipped", server="reference (SQLite), on the loop"))
    loop_rate = _range(server.column("vs as shipped", server="reference (SQLite), on the loop"))
    largest = paging.rows[-1][paging.headers.index("backends")]
    memory = paging.row(store="memory", backends=largest)
    sqlite = paging.row(store="sqlite", backends=largest)
    seq = "sequential calls/s"
    sync = clients.row(server="loopback", client="generated sync")
    official = clients.target("generated sync at least 1.5x the official client")
    concurrent = clients.target("generated async with 16 concurrent calls").split(";")[0]
    quick = contract.row(run="suite, quick")
    thorough = contract.row(run="suite, thorough")
    mutation = contract.starting("mutation")
    at_150 = {
        w: median(workers.row(added_delay="150 ms", workers=w)["suite: wall s"])
        for w in ("1", "4", "8", "16")
    }
    chose = next(
        (
            named
            for named in map(workers._named, workers.rows)
            if named["added delay"] == "150 ms" and named["workers"].startswith("chosen")
        ),
        None,
    )
    itself = (
        f"{median(chose['suite: wall s'])} s with the processes and workers it chooses itself "
        f"({chose['workers'].split(' (', 1)[0].removeprefix('chosen: ')} in flight), "
        if chose
        else ""
    )
    st_150 = _range(
        [
            median(workers.row(added_delay="150 ms", workers=w)["st run: wall s"])
            for w in ("4", "8", "16")
        ]
    )
    whole = generate.starting("`make generate`")
    # A report from before `make generate` made the TypeScript client too times one step.
    both = whole[0].startswith("`make generate`: both")
    python_step = generate.starting("its Python client alone" if both else "its generator")
    bare = generate.row(run="bare `openapi-python-client generate`")
    lines = [
        f"Headline figures ({machine(report)}; [`docs/benchmarks.md`](docs/benchmarks.md) "
        f"{dates(report)}):",
        f"- the reference server against Prism's mock of the same spec (wrk, 32 connections), "
        f"while keeping state: get by id {rate('get by id', 'reference (memory)')} requests/s "
        f"against {rate('get by id', 'Prism')}, {get_prism} ({get_sqlite} with SQLite, "
        f"{rate('get by id', 'reference (SQLite)')}); create "
        f"{rate('create', 'reference (memory)')} (SQLite {rate('create', 'reference (SQLite)')}), "
        f"a list page of 100 {rate('list page (limit=100)', 'reference (memory)')} (SQLite "
        f"{rate('list page (limit=100)', 'reference (SQLite)')});",
        f"- what the server's limits cost: {limits} on a get's CPU time (against uvicorn's own "
        f"protocol); h11, where httptools does not install, serves {h11} as many requests; "
        f"calling SQLite on the event loop instead of its worker threads would take {loop_cpu} "
        f"the CPU per request and serve {loop_rate} the requests, with a loop that waits on "
        "the file;",
        f"- paging: the last page of {largest} backends costs what the first does "
        f"({memory['last / first']} in memory, {sqlite['last / first']} in SQLite), "
        f"{median(memory['last page ms'])} ms and {median(sqlite['last page ms'])} ms for 100 "
        "backends;",
        f"- the generated sync client costs what raw httpx does ({sync['vs raw httpx']}) and "
        f"makes {official} the calls of ngrok's official client, which opens a connection per "
        f"call ({median(sync[seq])} against "
        f"{median(clients.row(server='loopback', client='ngrok-api (official)')[seq])} a "
        f"second); {concurrent.replace('with +20 ms per answer', 'with 20 ms of network delay')} "
        "for 16 concurrent async calls against sequential sync ones (on loopback, with nothing "
        "to wait for, concurrency only adds work: see the report's notes);",
        f"- the contract suite: `quick` in {median(quick['wall s'])} s and `thorough` in "
        f"{median(thorough['wall s'])} s, making {quick['vs st run']} "
        f"({thorough['vs st run']}) the checked requests per second of `st run` on the same "
        f"spec and server; `make mutation` reaches a verdict in a median "
        f"{median(mutation[1])} s per planted fault;",
        f"- against a server answering 150 ms late, `quick` takes {itself}{at_150['1']} s "
        f"with one worker, {at_150['4']} with 4, {at_150['8']} with 8 and {at_150['16']} with 16 "
        f"(`st run` with 4 to 16 workers: {st_150} s);",
        f"- `make generate` takes {median(whole[1])} s"
        + (" for both clients; its Python client's step " if both else ", its generator call ")
        + f"{median(python_step[1])} s, against {median(bare['wall s'])} s for a bare "
        "`openapi-python-client generate`.",
    ]
    return "\n".join(lines) + "\n"


def bench_time(quick: str) -> str:
    """How long `make bench` takes: the full run from its report, the smoke run as measured."""
    return (
        f"- `make bench` itself: the full run {whole_run(read())}; `make bench QUICK=1` {quick}.\n"
    )
