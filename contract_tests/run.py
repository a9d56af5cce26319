"""What one run of the suite knows: its target, its own backends, and the children it may use.

Safety by design: the suite changes or deletes only backends this run created (`owned`), so
it can later be pointed at a live account. Ids read from a list or drawn at random never
reach update or delete through `owned_or_fresh`.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

from .client import ApiClient, Exchange
from .properties import has_every_field, id_is_new
from .report import ContractViolation

# Written into the description of the backends the suite makes for itself (anchors, paging).
MARKER = "contract-suite"
BASE62 = string.digits + string.ascii_letters


def fresh_failover_id(rng: random.Random) -> str:
    """A well-formed failover id that no server has handed out (27 random base62 characters)."""
    return "bkdfo_" + "".join(rng.choice(BASE62) for _ in range(27))


@dataclass
class Run:
    """The state of one contract run, shared by every test of the session."""

    client: ApiClient
    seed: int
    given_children: tuple[str, ...]
    anchors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list, repr=False)  # in creation order
    deleted: set[str] = field(default_factory=set, repr=False)

    @property
    def children(self) -> tuple[str, ...]:
        """Child backend ids known to exist: those given, and the run's anchors."""
        return self.given_children + tuple(self.anchors)

    @property
    def live(self) -> list[str]:
        return [backend_id for backend_id in self.created if backend_id not in self.deleted]

    def owns(self, backend_id: str) -> bool:
        return backend_id in self.created

    def record_created(self, backend_id: str, exchange: Exchange | None = None) -> None:
        """Remember a backend the server just created; its id must be new."""
        if exchange is not None:
            id_is_new(backend_id, self.created, exchange)
        if backend_id not in self.created:
            self.created.append(backend_id)

    def record_deleted(self, backend_id: str) -> None:
        self.deleted.add(backend_id)

    def owned_or_fresh(self, backend_id: str, rng: random.Random) -> str:
        """`backend_id` if this run created it, else an id no server has: safe to change."""
        return backend_id if self.owns(backend_id) else fresh_failover_id(rng)

    def pick_children(self, count: int, rng: random.Random) -> list[str]:
        """Up to `count` distinct known child ids, in a random order."""
        pool = list(self.children)
        rng.shuffle(pool)
        return pool[: min(count, len(pool))]

    def create(self, body: dict[str, Any]) -> tuple[Exchange, dict[str, Any]]:
        """Create a backend for a test; a refusal is the test's failure, not a crash."""
        exchange = self.client.create(body)
        resource = exchange.json()
        if exchange.status != 201 or not isinstance(resource, dict) or "id" not in resource:
            raise ContractViolation(
                "create_accepts_valid_input",
                f"a valid create (children known to exist) answered {exchange.status}; "
                "the seed answers 201 with the backend",
                exchange,
            )
        self.record_created(str(resource["id"]), exchange)
        has_every_field(resource, exchange)
        return exchange, resource

    def make_anchors(self, count: int) -> None:
        """Create the failover backends that serve as children of everything else."""
        for number in range(count):
            _, resource = self.create(
                {"description": f"{MARKER} anchor {number}", "metadata": "", "backends": []}
            )
            self.anchors.append(str(resource["id"]))

    def clean_up(self) -> list[str]:
        """Delete what this run created and still lives, newest first (children last).

        Returns the ids the server would not delete.
        """
        left = []
        for backend_id in reversed(self.live):
            exchange = self.client.delete(backend_id)
            if exchange.status in (204, 404):
                self.record_deleted(backend_id)
            else:
                left.append(backend_id)
        return left
