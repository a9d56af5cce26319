"""The ledger of one contract run: its target, the backends it created, the children it may use.

Safety by design: the suite changes or deletes only backends this run created. Ids the run
created, and ids it made up (which no server has), are allowed through the run's `Gate`,
which refuses every other PATCH or DELETE; `owned_or_fresh` swaps any other id for a made-up
one before a request is built. Backends that existed before the run are remembered
(`foreign`), so a server answering a create with one of them cannot make the suite own it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..checks.judge import Judge
from ..core.api import BASE62, FAILOVER_PREFIX, ID_LENGTH
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
from .client import ApiClient
from .listing import list_everything
from .sweep import Swept, sweep

# Backends on the server that this run did not create (a shared account) the list may hold.
FOREIGN_ALLOWANCE = 500


class StatelessServer(Exception):
    """The server keeps no state (a mock): semantic properties cannot be checked."""


def fresh_failover_id(rng: random.Random, prefix: str = FAILOVER_PREFIX) -> str:
    """A well-formed id that no server has handed out (27 random base62 characters)."""
    return prefix + "".join(rng.choice(BASE62) for _ in range(ID_LENGTH))


@dataclass
class Ledger:
    """What one run created, deleted and found: handed to every test of the session."""

    client: ApiClient
    judge: Judge  # the run's checks, counted in its tally
    seed: int
    given_children: tuple[str, ...]
    run_id: str
    anchors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list, repr=False)  # in creation order
    deleted: set[str] = field(default_factory=set, repr=False)
    foreign: set[str] = field(default_factory=set, repr=False)  # there before the run
    stateful: bool = True  # False (the schema profile): ids are not held to uniqueness
    # A lane's run-wide ledger (None: this is the run's); lanes share its lock and counts.
    run: Ledger | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _creating: int = field(default=0, repr=False)  # the run's creates in flight

    def lane(self, seed: int) -> Ledger:
        """A view for one shard: it owns only what it creates (besides the anchors), and
        its choices follow `seed`; every creation and deletion is the run's too."""
        run = self.run or self
        return Ledger(
            client=run.client,
            judge=run.judge,
            seed=seed,
            given_children=run.given_children,
            run_id=run.run_id,
            anchors=run.anchors,
            created=list(run.anchors),
            foreign=run.foreign,
            stateful=run.stateful,
            run=run,
            _lock=run._lock,
        )

    def ever_created(self, backend_id: str) -> bool:
        """Whether the run (any lane of it) created `backend_id`."""
        return (self.run or self).owns(backend_id)

    def knows(self, backend_id: str) -> bool:
        """Whether `backend_id` exists for the run: one it created, or a known child."""
        return self.ever_created(backend_id) or backend_id in self.children

    @property
    def children(self) -> tuple[str, ...]:
        """Child backend ids known to exist: those given, and the run's anchors."""
        return self.given_children + tuple(self.anchors)

    @property
    def existing(self) -> list[str]:
        """The backends this run created and has not deleted, oldest first."""
        return [backend_id for backend_id in self.created if backend_id not in self.deleted]

    def list_bound(self) -> int:
        """How many backends the list can hold at most: all the run created, all seen that
        it did not, and room for a shared account's (beyond it, a list that never ends)."""
        run = self.run or self
        return len(run.created) + len(self.foreign) + FOREIGN_ALLOWANCE

    def owns(self, backend_id: str) -> bool:
        return backend_id in self.created

    def survey(self) -> None:
        """Remember every backend that exists before the run creates anything."""
        self.foreign = {str(item.get("id")) for item in list_everything(self.client, self.judge)}

    def note_listed(self, backend_ids: list[str]) -> None:
        """Ids seen in a list that this run did not create are someone else's; not while a
        create of the run is in flight, whose backend may be listed before it is answered."""
        with self._lock:
            if not (self.run or self)._creating:
                self.foreign.update(i for i in backend_ids if not self.ever_created(i))

    @contextmanager
    def creating(self) -> Iterator[None]:
        """Around a create, from before it is sent until its answer is recorded."""
        run = self.run or self
        with self._lock:
            run._creating += 1
        try:
            yield
        finally:
            with self._lock:
                run._creating -= 1

    def record_created(self, backend_id: str, exchange: Exchange | None = None) -> None:
        """Remember a backend the server just created; its id must be new, run-wide."""
        run = self.run or self
        with self._lock:
            if exchange is not None and self.stateful:
                self.judge.id_is_new(backend_id, [*run.created, *self.foreign], exchange)
            if backend_id not in run.created and backend_id not in self.foreign:
                run.created.append(backend_id)
                self.client.gate.allow(backend_id)
                if self.run is not None:
                    self.created.append(backend_id)

    def record_deleted(self, backend_id: str) -> None:
        with self._lock:
            self.deleted.add(backend_id)
            if self.run is not None:
                self.run.deleted.add(backend_id)

    def fresh_id(self, rng: random.Random, prefix: str = FAILOVER_PREFIX) -> str:
        """An id no server has, that the run may use in an update or a delete."""
        backend_id = fresh_failover_id(rng, prefix)
        self.client.gate.allow(backend_id)
        return backend_id

    def pick_children(self, count: int, rng: random.Random) -> list[str]:
        """Up to `count` distinct known child ids, in a random order."""
        pool = list(self.children)
        rng.shuffle(pool)
        return pool[: min(count, len(pool))]

    def create(self, body: dict[str, Any]) -> tuple[Exchange, dict[str, Any]]:
        """Create a backend for a test; a refusal is the test's failure, not a crash."""
        with self.creating():
            return self.accept_created(self.client.create(body))

    def accept_created(self, exchange: Exchange) -> tuple[Exchange, dict[str, Any]]:
        """The backend a valid create answered, entered in the ledger (its id must be new)."""
        resource = exchange.json()
        if exchange.status != 201 or not isinstance(resource, dict) or "id" not in resource:
            raise ContractViolation(
                Property.CREATE_ACCEPTS_VALID_INPUT,
                f"a valid create (children known to exist) answered {exchange.status}; "
                "the seed answers 201 with the backend",
                exchange,
            )
        self.record_created(str(resource["id"]), exchange)
        self.judge.has_every_field(resource, exchange)
        return exchange, resource

    def make_anchors(self, count: int) -> None:
        """Create the failover backends that serve as children of everything else; a server
        that keeps no state shows itself here (`StatelessServer`), before any test runs."""
        for number in range(count):
            body = {"description": f"anchor {number}", "backends": []}
            with self.creating():
                exchange = self.client.create(body)
            answered, written = exchange.json(), exchange.sent_json()["description"]
            if isinstance(answered, dict) and answered.get("description") not in (None, written):
                # A mock answers its example, whatever was written.
                raise StatelessServer(
                    f"a create of description {written!r} answered a backend with description "
                    f"{answered.get('description')!r}"
                )
            _, resource = self.accept_created(exchange)
            self.anchors.append(str(resource["id"]))
            if number == 0 and self.client.get(self.anchors[0]).status == 404:
                raise StatelessServer(f"the backend just created ({self.anchors[0]}) is not found")

    def clean_up(self, workers: int = 1) -> Swept:
        """Delete what this run created: the ids it knows, `workers` at a time, the anchors
        (the only children) last; then any backend still carrying this run's marker (a
        create whose answer was lost).
        """
        swept = Swept()

        def delete(backend_id: str) -> None:
            if self.client.delete(backend_id).status in (204, 404):
                self.record_deleted(backend_id)
                swept.removed[backend_id] = self.run_id

        parents = [i for i in reversed(self.existing) if i not in self.anchors]
        with ThreadPoolExecutor(workers, thread_name_prefix="contract-cleanup") as pool:
            list(pool.map(delete, parents))
        for backend_id in reversed(self.anchors):
            if backend_id not in self.deleted:
                delete(backend_id)
        rest = sweep(self.client, self.judge, lambda run: run == self.run_id)
        for backend_id in rest.removed:
            self.record_deleted(backend_id)
        swept.removed.update(rest.removed)
        swept.left, swept.listed = rest.left, rest.listed
        return swept
