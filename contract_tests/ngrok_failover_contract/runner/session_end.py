"""The end of a session: the verdict from the findings, the summary and coverage written,
the key scrubbed from every report."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..compare.keys import OTHER_SIDE_KEY_ENV
from ..core.registry import ContractViolation, Property
from ..core.verdict import ExitStatus
from ..reporting.coverage import Coverage
from ..reporting.findings import Finding, finding_from
from ..reporting.redaction import redact, redact_tree
from ..reporting.summary import render_summary, status_of
from .options import KEY_ENV, LOCAL_KEY, OTHER_KEY_ENV, Options
from .reproduce import reproduce_line

if TYPE_CHECKING:  # the command uses the redaction and facts here, not the session
    from .session import ContractSession

# How a summary's facts say why the run could not run.
COULD_NOT_RUN = "Could not run:"
# A part's facts (`runner.parts`), beside its summary, for the command's merged summary.
PART_FACTS = "facts.json"


def secrets(options: Options) -> tuple[str, ...]:
    keys = (os.environ.get(KEY_ENV, ""), options.api_key, LOCAL_KEY, options.other_api_key or "")
    others = (os.environ.get(OTHER_KEY_ENV, ""), os.environ.get(OTHER_SIDE_KEY_ENV, ""))
    return tuple(s for s in (*keys, *others) if s)


def verdict(contract: ContractSession) -> ExitStatus:
    """The run's exit status, with --require-coverage's finding added first."""
    _require_coverage(contract)
    status = status_of(contract.findings, interrupted=contract.signalled is not None)
    return ExitStatus.CANNOT_RUN if contract.cannot_run is not None else status


def write_reports(contract: ContractSession, status: ExitStatus) -> None:
    options = contract.options
    options.reports_dir.mkdir(parents=True, exist_ok=True)
    summary = render_summary(
        contract.findings,
        seed=options.seed,
        target=options.base_url or "reference server (started by the suite)",
        profile=options.profile.name,
        reproduce=reproduce_line(options),
        status=status,
        footer=_run_facts(contract, status),
    )
    summary = redact_all(summary, secrets(options))
    (options.reports_dir / "summary.md").write_text(summary, encoding="utf-8")
    contract.coverage.write(options.reports_dir)
    if contract.part is not None:  # what the command's merged summary says of this part
        facts = [redact_all(fact, secrets(options)) for fact in _run_facts(contract, status)]
        written = {"facts": facts, "spent": dataclasses.asdict(_spent(contract))}
        (options.reports_dir / PART_FACTS).write_text(json.dumps(written) + "\n", "utf-8")


def redact_all(text: str, hidden: tuple[str, ...]) -> str:
    for secret in hidden:
        text = redact(text, secret)
    return text


def scrub_reports(contract: ContractSession) -> None:
    """JUnit XML and Schemathesis's reports are written by now: the key out of all of them."""
    for secret in secrets(contract.options):
        redact_tree(contract.options.reports_dir, secret)


def _require_coverage(contract: ContractSession) -> None:
    """With --require-coverage, a documented status never seen is a finding (exit 1)."""
    # A part's coverage is a share of the run's: the command judges the merged one.
    whole = contract.part is None
    if contract.options.require_coverage and contract.cannot_run is None and whole:
        contract.findings.extend(coverage_findings(contract.coverage))


def coverage_findings(coverage: Coverage) -> list[Finding]:
    """--require-coverage's finding: the documented statuses no answer showed, if any."""
    missing = coverage.missing()
    if not missing:
        return []
    shown = ", ".join(f"{operation} {status}" for operation, status in missing)
    violation = ContractViolation(
        Property.DOCUMENTED_STATUSES_SEEN,
        f"no answer of the run showed these documented statuses: {shown} "
        "(coverage.md has the whole table)",
    )
    return finding_from("(coverage)", violation)


@dataclass(frozen=True, slots=True)
class Spent:
    """What a run (or a part of one) sent and made."""

    requests: int
    creates: int  # create requests: many are refused on purpose
    created: int  # backends created
    rate_limited: int  # 429 answers waited out

    def fact(self, options: Options) -> str:
        rate = f"at most {options.max_rpm}/min" if options.max_rpm else "no rate limit"
        return (
            f"Requests: {self.requests} ({rate}), create requests: {self.creates}, "
            f"backends created: {self.created}, 429 answers waited out: {self.rate_limited}"
        )

    @classmethod
    def total(cls, parts: list[Spent]) -> Spent:
        return cls(*(sum(getattr(p, f.name) for p in parts) for f in dataclasses.fields(cls)))


def _spent(contract: ContractSession) -> Spent:
    ledger, gate = contract.ledger, contract.gate
    created = 0 if ledger is None else len(ledger.created)
    if ledger is not None and ledger.other is not None:
        created += len(ledger.other.created)
    return Spent(gate.requests, gate.creates, created, gate.rate_limited)


def _run_facts(contract: ContractSession, status: ExitStatus) -> list[str]:
    """What the run spent and what it left: requests, 429s waited out, cleanup."""
    options, swept = contract.options, contract.swept
    facts = [
        f"Run id: {options.run_id} (the marker of every backend it created)",
        _spent(contract).fact(options),
        f"Workers: {options.workers} ({contract.workers_why})",
    ]
    if contract.cannot_run is not None:
        facts.append(f"{COULD_NOT_RUN} {contract.cannot_run}")
    if swept is not None:
        left = f"; NOT deleted: {sorted(swept.left)}" if swept.left else "; none left"
        facts.append(f"Cleanup: deleted {len(swept.removed)} backends this run created{left}")
    if status is ExitStatus.INTERRUPTED:
        facts.append("Interrupted: the run was stopped before its end (Ctrl-C or SIGTERM)")
    return facts
