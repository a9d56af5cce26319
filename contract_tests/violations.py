"""What a check raises when the server under test breaks a named property of the API."""

from __future__ import annotations

from .client import Exchange


class ContractViolation(AssertionError):
    """A named property of the API that the server under test broke."""

    def __init__(self, prop: str, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(f"[{prop}] {message}")
        self.prop = prop
        self.message = message
        self.exchange = exchange
