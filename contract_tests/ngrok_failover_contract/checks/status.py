"""Statuses and errors: a deleted or unknown id, a documented status, ngrok's error body."""

from __future__ import annotations

from collections.abc import Collection

from ..core.exchange import Exchange
from ..core.registry import Property
from ..core.spec import rule
from .checker import Checker

# The answer to an id no backend has (facts: not_found).
NOT_FOUND: int = rule("not_found")["status"]


class Status(Checker):
    """Statuses, 404s and error bodies."""

    def not_found(self, why: Property, exchange: Exchange) -> None:
        """An id that does not exist (deleted, or never created) answers 404."""
        self.require(
            exchange.status == NOT_FOUND,
            why,
            f"{exchange.method} of a backend that does not exist answered {exchange.status}; "
            "the spec answers 404 (ERR_NGROK_6514)",
            exchange,
        )
        self.error_body_matches_status(exchange)

    def deleted_not_listed(
        self, backend_id: str, listed: Collection[str], exchange: Exchange
    ) -> None:
        """A deleted backend no longer appears in the list."""
        self.require(
            backend_id not in listed,
            Property.DELETED_BACKEND_NOT_LISTED,
            f"{backend_id} was deleted (204) yet the list still has it",
            exchange,
        )

    def error_body_matches_status(self, exchange: Exchange) -> None:
        """A 4xx or 5xx answer's JSON body says its own status in `status_code`, and has `msg`.

        ngrok's API page: every error body is an object with status_code (the HTTP status, an
        integer) and msg (a string); its Python client reads both (`spec/facts.yaml`,
        error_body). A body that is not JSON at all is the schema checks' concern.
        """
        body = exchange.json()
        if exchange.status < 400 or body is None:
            return
        fields = body if isinstance(body, dict) else {}
        code, msg = fields.get("status_code"), fields.get("msg")
        self.require(
            type(code) is int and code == exchange.status and isinstance(msg, str),
            Property.ERROR_BODY_MATCHES_STATUS,
            f"an error answered HTTP {exchange.status} with status_code={code!r} and msg={msg!r}; "
            "ngrok's error body gives the HTTP status as status_code (an integer) and a msg string",
            exchange,
        )

    def status_in(self, prop: Property, allowed: Collection[int], exchange: Exchange) -> None:
        """The request was answered with one of the statuses the seed or spec gives for it."""
        self.require(
            exchange.status in allowed,
            prop,
            f"{exchange.method} answered {exchange.status}; expected one of {sorted(allowed)}",
            exchange,
        )
