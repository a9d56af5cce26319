"""What every named check does: one assertion, counted in the run's tally, and a
`ContractViolation` naming its property when it does not hold.

The tally is handed along: a run builds one `Judge` around its coverage and passes it to
whatever checks (the ledger, the Schemathesis check adapters, the model), so checks made in
any thread of the run count in the same place.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property

Resource = dict[str, Any]


class Tally(Protocol):
    """Where a run counts its checks (`reporting.coverage.Coverage` is one)."""

    def checked(self, prop: str, held: bool) -> None: ...


class Checker:
    """The base of the themed checks: `require` is their one way to assert."""

    def __init__(self, tally: Tally | None = None) -> None:
        self.tally = tally

    def require(
        self,
        condition: bool,
        prop: Property,
        message: str,
        exchange: Exchange | None,
        subject: str | None = None,
    ) -> None:
        if self.tally is not None:
            self.tally.checked(prop, condition)
        if not condition:
            raise ContractViolation(prop, message, exchange, subject)
