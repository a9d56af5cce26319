"""The ledger of one contract run: its target, the backends it created, the children it may use.

Safety by design: the suite changes or deletes only backends this run created. Ids the run
created, and ids it made up (which no server has), are allowed through the run's `Gate`,
which refuses every other PATCH or DELETE; `owned_or_fresh` swaps any other id for a made-up
one before a request is built. Backends that existed before the run are remembered
(`foreign`), so a server answering a create with one of them cannot make the suite own it.

Each lane (a shard's view, or the run's own) holds the model of what it owns
(`checks.model.Oracle`): every exchange it sends (`request`, `create`, ...) or that
Schemathesis sent for it (`defer`) is entered here and judged there.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from ..checks.freedoms import Window
from ..checks.judge import Judge
from ..checks.model.calls import Op
from ..checks.model.expectation import Context
from ..checks.model.oracle import Oracle
from ..checks.model.world import Backend
from ..core.api import BASE62, COLLECTION, FAILOVER_PREFIX, ID_LENGTH
from ..core.exchange import Exchange, json_or_none
from ..core.registry import ContractViolation
from ..core.spec import spec
from .batch import Answer, Request, at_once
from .client import ApiClient
from .journal import Journal
from .listing import list_everything
from .marker import run_of
from .sweep import Swept, sweep

Walked = TypeVar("Walked")
# Backends on the server that this run did not create (a shared account) the list may hold.
FOREIGN_ALLOWANCE = 500
# Backends there before the run from which a spent budget is told to be theirs: the paging
# test's walks read them all (the model's stop at the run's oldest: `walks.read_all`).
CROWDED = 100


class Twin(Protocol):
    """The other side of a comparison, as one lane of the base side sees it (`compare`)."""

    @property
    def active(self) -> bool:
        """False while the base side is judged alone (its half of a paired list walk)."""

    def lane(self, seed: int) -> Twin:
        """The twin of a new lane of the base side (the other side's lane of that seed)."""

    def pair(
        self,
        lane: Ledger,
        exchange: Exchange,
        window: Window | None,
        *,
        entered: ContractViolation | None,
        raw_body: bytes | None,
    ) -> None:
        """`exchange` of `lane` was sent and entered: judge it, send its counterpart to the
        other side, judge that, and compare the two; nothing is raised."""

    def walk(self, lane: Ledger, walk: Callable[[Ledger], Walked]) -> Walked | None:
        """`walk` (a read of the whole list) on each side, each judged by its own model and
        compared; what it gave on the base side (None when it broke there)."""

    def anchored(self, anchors: list[str]) -> None:
        """The base side made its anchors (each create paired): the other side's are theirs."""

    def discard(self, lane: Ledger, backend_id: str) -> None:
        """The base side deleted `backend_id` unjudged: the other side deletes its own."""

    def forget(self) -> None:
        """The base side's lane forgot its scenario: the other side's too."""


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
    # The anchors as created: every lane expects them to read back so (nobody changes them).
    fixed: dict[str, Backend] = field(default_factory=dict, repr=False)
    # When the first anchor's answer had arrived (`time.monotonic`; None: no anchors yet).
    anchored_at: float | None = field(default=None, repr=False)
    journal: Journal | None = field(default=None, repr=False)  # every id the run created
    # Operations that refused Schemathesis's auth probes (`checks.adapters.auth_probes_once`).
    auth_proven: set[str] = field(default_factory=set, repr=False)
    # In a comparison (`compare`), what sends each judged request to the other side too.
    twin: Twin | None = field(default=None, repr=False)
    # The run's ledger under another account's key (isolation checks), if it has one.
    other: Ledger | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _creating: int = field(default=0, repr=False)  # the run's creates in flight
    _lost_creates: int = field(default=0, repr=False)  # creates whose answer never came
    # What each create the server refused (4xx) would have stored: none may appear.
    _refused_creates: set[str] = field(default_factory=set, repr=False)
    _oracle: Oracle | None = field(default=None, repr=False)

    def lane(self, seed: int) -> Ledger:
        """A view for one shard: it owns only what it creates (the anchors are the run's,
        fixed), its choices follow `seed`, and it has a model of its own; every creation and
        deletion is the run's too."""
        run = self.run or self
        return Ledger(
            client=run.client,
            judge=run.judge,
            seed=seed,
            given_children=run.given_children,
            run_id=run.run_id,
            anchors=run.anchors,
            created=[],
            foreign=run.foreign,
            stateful=run.stateful,
            run=run,
            fixed=run.fixed,
            journal=run.journal,
            auth_proven=run.auth_proven,
            twin=run.twin.lane(seed) if run.twin is not None else None,
            other=run.other,
            _lock=run._lock,
        )

    @property
    def oracle(self) -> Oracle:
        """The model of what this lane owns (made on first use)."""
        if self._oracle is None:
            context = Context(
                ordered=self.run is None,  # a shard's lane serves Hypothesis, which replays
                children=frozenset(self.children),
                elsewhere=self._elsewhere,
                stray=self.stray,
                other_account=self._other_account,
                fixed=self.fixed,
            )
            base_path = urlsplit(self.client.base_url).path
            self._oracle = Oracle(self.client.api_key, base_path, self.judge, context)
        return self._oracle

    def _other_account(self, backend_id: str) -> bool:
        other = (self.run or self).other
        return other is not None and other.ever_created(backend_id)

    def _elsewhere(self, backend_id: str) -> bool:
        """An id that may exist though this lane does not hold it: another lane's, a given
        child, one the run found on the account. Any other id the lane predicts 404 for."""
        run = self.run or self
        return (
            (run.owns(backend_id) and not self.owns(backend_id))
            or backend_id in self.foreign
            or backend_id in self.given_children
        )

    def stray(self, item: dict[str, Any]) -> bool:
        """A listed backend marked by this run that no create of the run was answered 201
        for, and that a create the server refused would have stored, while no create is in
        flight and none lost its answer: the refused create stored it."""
        run = self.run or self
        if run_of(item.get("description")) != self.run_id or run.owns(str(item.get("id"))):
            return False
        with self._lock:
            quiet = not run._creating and not run._lost_creates
            return quiet and _stored(item) in run._refused_creates

    @property
    def lost_creates(self) -> int:
        """The run's creates whose answer never came whole (or was a server error): what
        they stored, if anything, has no name the run knows."""
        return (self.run or self)._lost_creates

    def ever_created(self, backend_id: str) -> bool:
        """Whether the run (any lane of it) created `backend_id`."""
        return (self.run or self).owns(backend_id)

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

    def crowded_note(self) -> str:
        """Why a spent budget may be the account's, not the server's fault (see CROWDED)."""
        found = len(self.foreign)
        if found < CROWDED:
            return ""
        return (
            f" (the account held {found} backends before the run, and the paging test's walks "
            "read them all: an account of the run's own, or fewer backends, keeps it in its "
            "budget)"
        )

    def note_listed(self, backend_ids: list[str]) -> None:
        """Ids seen in a list that this run did not create are someone else's; not while a
        create of the run is in flight, whose backend may be listed before it is answered."""
        with self._lock:
            if not (self.run or self)._creating:
                self.foreign.update(i for i in backend_ids if not self.ever_created(i))

    @contextmanager
    def creating(self) -> Iterator[None]:
        """Around a create, from before it is sent until its answer is recorded; a create
        whose answer never came may have created a backend the run cannot name."""
        self._creates_sent(1)
        try:
            yield
        except BaseException:
            self._creates_recorded(1, lost=1)
            raise
        self._creates_recorded(1, lost=0)

    def _creates_sent(self, count: int) -> None:
        with self._lock:
            (self.run or self)._creating += count

    def _creates_recorded(self, count: int, *, lost: int) -> None:
        run = self.run or self
        with self._lock:
            run._creating -= count
            run._lost_creates += lost

    def enter(self, exchange: Exchange) -> None:
        """What an exchange did, for the run's safety: a backend created (its id must be
        new, run-wide), one deleted, the foreign ids a list shows."""
        call = self.oracle.call(exchange)
        body = exchange.json()
        success = 200 <= exchange.status < 300
        if call.op is Op.CREATE and success and isinstance(body, dict) and "id" in body:
            self.record_created(str(body["id"]), exchange)  # stored, whatever its status says
        elif call.op is Op.CREATE and 400 <= exchange.status < 500:
            sent = json_or_none(exchange.request_body)
            if isinstance(sent, dict):
                with self._lock:
                    (self.run or self)._refused_creates.add(_stored(sent))
        elif call.op is Op.CREATE and exchange.status >= 500:
            with self._lock:  # a server error says nothing of what it stored
                (self.run or self)._lost_creates += 1
        elif call.op is Op.DELETE and exchange.status == 204 and call.target is not None:
            self.record_deleted(call.target)
        elif call.op is Op.LIST and exchange.status == 200 and isinstance(body, dict):
            items = body.get("backends")
            if isinstance(items, list):
                self.note_listed([str(i.get("id")) for i in items if isinstance(i, dict)])

    def entered(self, exchange: Exchange) -> ContractViolation | None:
        """`enter`, giving the violation it found (a reused id) instead of raising it."""
        try:
            self.enter(exchange)
        except ContractViolation as violation:
            return violation
        return None

    def observe(self, exchange: Exchange, window: Window | None = None) -> Exchange:
        """Enter `exchange`, then judge it by the lane's model (raising what it breaks)."""
        self.judged(exchange, window, entered=self.entered(exchange))
        return exchange

    def judged(
        self,
        exchange: Exchange,
        window: Window | None,
        *,
        entered: ContractViolation | None = None,
        deferred: bool = False,
        raw_body: bytes | None = None,
    ) -> None:
        """Judge an entered exchange by the lane's model: raise what it breaks (`deferred`:
        at the oracle's `raise_deferred`). In a comparison the twin takes it instead: it
        sends the same request to the other side and judges both, raising nothing.
        `raw_body`: the body as sent, when another library sent it (Schemathesis)."""
        if self.twin is not None and self.twin.active:
            self.twin.pair(self, exchange, window, entered=entered, raw_body=raw_body)
            return
        if entered is not None:
            raise entered
        if deferred:
            self.oracle.defer(exchange, window)
        else:
            self.oracle.observe(exchange, window)

    def send(
        self, method: str, url: str, content: str | bytes | None, headers: dict[str, str]
    ) -> tuple[Exchange, Window, ContractViolation | None]:
        """Send one request as given and enter it, unjudged: the exchange, when it was
        served, and what entering it found (a reused id)."""
        entered = None
        try:
            # A create whose entry fails counts as one whose answer was lost (`creating`).
            with self.creating() if _is_create(method, url) else nullcontext():
                exchange, window = self._transmit(method, url, content, headers)
                self.enter(exchange)
        except ContractViolation as violation:
            entered = violation
        return exchange, window, entered

    def _transmit(
        self, method: str, url: str, content: str | bytes | None, headers: dict[str, str]
    ) -> tuple[Exchange, Window]:
        started = time.time()
        exchange = self.client.send(method, url, content, headers)
        return exchange, self.client.window_since(started)

    def answers(self, requests: Sequence[Request], workers: int) -> Iterator[Answer]:
        """Each of `requests` sent and entered, handed over in their order for the caller to
        judge (`judged`), for requests whose predicted answers do not depend on one
        another's order. With `workers` > 1 they go out up to that many at a time and are
        all entered, in their order, once all are answered (what a wrong server created
        past the first wrong answer is still the run's to delete); the first wrong answer
        in their order is judged first, whatever order the server answered them in. One
        worker, or a comparison (both sides must get one order of requests): one at a
        time, each sent once the one before it was taken, as `request` sends."""
        if workers <= 1 or len(requests) <= 1 or self.twin is not None:
            for request in requests:
                content, headers = self.client.prepare(request.body, request.headers)
                yield Answer(*self.send(request.method, request.url, content, headers))
            return
        sent = [(r.method, r.url, *self.client.prepare(r.body, r.headers)) for r in requests]
        creates = sum(_is_create(method, url) for method, url, _, _ in sent)
        self._creates_sent(creates)  # in flight until entered, as `send` counts one
        lost = creates
        answered: list[Answer | BaseException] = []
        try:
            for (method, url, _, _), outcome in zip(
                sent, at_once([partial(self._transmit, *s) for s in sent], workers), strict=True
            ):
                if isinstance(outcome, BaseException):
                    answered.append(outcome)
                    continue
                entered = self.entered(outcome[0])
                lost -= _is_create(method, url) and entered is None
                answered.append(Answer(*outcome, entered))
        finally:
            self._creates_recorded(creates, lost=lost)
        stop = next((a for a in answered if isinstance(a, KeyboardInterrupt)), None)
        if stop is not None:
            raise stop  # the run ends: nothing more is judged
        for answer in answered:
            if isinstance(answer, BaseException):
                raise answer  # after the answers before it were judged, as one by one
            yield answer

    def request_all(self, requests: Sequence[Request], workers: int) -> list[Exchange]:
        """`request` for each of `requests`, up to `workers` at a time (`answers`): each
        answer judged in their order, the first wrong one raised."""
        exchanges = []
        for answer in self.answers(requests, workers):
            self.judged(answer.exchange, answer.window, entered=answer.entered)
            exchanges.append(answer.exchange)
        return exchanges

    def request(
        self,
        method: str,
        url: str,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> Exchange:
        """Send one request of the lane's (a path or the absolute URL of a next page) and
        judge its answer; a create's body carries the run marker (`ApiClient.create`)."""
        exchange, window, entered = self.send(method, url, *self.client.prepare(body, headers))
        self.judged(exchange, window, entered=entered)
        return exchange

    def discard(self, backend_id: str) -> None:
        """Delete a backend unjudged (a scenario's end), on the other side of a comparison too."""
        self.client.delete(backend_id)
        self.record_deleted(backend_id)
        self.oracle.drop([backend_id])
        if self.twin is not None:
            self.twin.discard(self, backend_id)

    def forget(self) -> None:
        """A scenario ended and its backends were deleted: its model starts from nothing."""
        self.oracle.forget()
        if self.twin is not None:
            self.twin.forget()

    def end_scenario(self) -> None:
        """A scenario ended: what the lane still holds is deleted unjudged (every later walk
        of the list would read it), and its model starts from nothing."""
        for backend in list(self.oracle.world.held):
            self.discard(backend.id)
        self.forget()

    def get(self, backend_id: str) -> Exchange:
        return self.request("GET", f"{COLLECTION}/{backend_id}")

    def update(self, backend_id: str, body: dict[str, Any], *, unmarked: bool = False) -> Exchange:
        """An update; `unmarked` sends a description as it is (the gate lets it through only
        to a backend in the run's journal, which finds it after a crash without its marker)."""
        sent = body if unmarked else self.client.marked(body)
        return self.request("PATCH", f"{COLLECTION}/{backend_id}", sent)

    def delete(self, backend_id: str) -> Exchange:
        return self.request("DELETE", f"{COLLECTION}/{backend_id}")

    def list_page(self, limit: int | None = None, before_id: str | None = None) -> Exchange:
        return self.request("GET", self.client.list_path(limit, before_id))

    def record_created(self, backend_id: str, exchange: Exchange | None = None) -> None:
        """Remember a backend the server just created; its id must be new, run-wide."""
        run = self.run or self
        with self._lock:
            if exchange is not None and self.stateful:
                self.judge.id_is_new(backend_id, [*run.created, *self.foreign], exchange)
            if backend_id not in run.created and backend_id not in self.foreign:
                if self.journal is not None:
                    self.journal.record(backend_id)
                run.created.append(backend_id)
                self.client.gate.allow(backend_id)
                if self.run is not None:
                    self.created.append(backend_id)

    def changed_since(self, created: int, deleted: int) -> tuple[list[str], frozenset[str] | None]:
        """The run's creates from its `created`th on, and all its deletes when they are more
        than `deleted` (else None): what moved the list since a reader last asked."""
        run = self.run or self
        with self._lock:
            gone = frozenset(run.deleted) if len(run.deleted) != deleted else None
            return run.created[created:], gone

    def record_deleted(self, backend_id: str) -> None:
        with self._lock:
            self.deleted.add(backend_id)
            if self.run is not None:
                self.run.deleted.add(backend_id)

    def allow(self, backend_id: str) -> None:
        """Let the run send changes to `backend_id`, an id it made up (one edit from its own,
        say): no server has it, so the model predicts 404 for it."""
        self.client.gate.allow(backend_id)

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
        """Create a backend for a test, judged by the model: a refusal of a valid body is
        the test's failure (`create_accepts_valid_input`), not a crash."""
        exchange = self.request("POST", COLLECTION, self.client.marked(body, create=True))
        return exchange, exchange.json()

    def create_all(self, bodies: Sequence[dict[str, Any]], workers: int) -> list[Any]:
        """`create` for each of `bodies`, up to `workers` at a time (`request_all`): what
        each answered, in their order."""
        return [exchange.json() for exchange in self.request_all(self._creates(bodies), workers)]

    def _creates(self, bodies: Sequence[dict[str, Any]]) -> list[Request]:
        return [Request("POST", COLLECTION, self.client.marked(b, create=True)) for b in bodies]

    def make_anchors(self, count: int, workers: int = 1) -> None:
        """Create the failover backends that serve as children of everything else, up to
        `workers` at a time (`answers`), kept in the order asked for; they are fixed from
        then on (no lane changes them). A server that keeps no state shows itself here
        (`StatelessServer`), before any test runs: it answers the spec's example whatever
        was written, or does not find the backend it just created. A field that reads back
        otherwise is a violation like any other, not a sign of a mock."""
        example = spec()["components"]["examples"]["FailoverBackend"]["value"]
        bodies = [{"description": f"anchor {number}", "backends": []} for number in range(count)]
        for answer in self.answers(self._creates(bodies), workers):
            answered = answer.exchange.json()
            if isinstance(answered, dict) and answered.get("id") == example["id"]:
                raise StatelessServer(
                    f"a create answered the spec's example backend ({example['id']}), "
                    f"whatever was written"
                )
            self.judged(answer.exchange, answer.window, entered=answer.entered)
            if self.anchored_at is None:
                self.anchored_at = time.monotonic()
            self.anchors.append(str(answered["id"]))
        if self.anchors:
            found = self.client.get(self.anchors[0])
            if found.status == 404:
                raise StatelessServer(f"the backend just created ({self.anchors[0]}) is not found")
            self.observe(found)
        self.fixed.update(self.oracle.release(self.anchors))
        if self.twin is not None:
            self.twin.anchored(self.anchors)

    def discard_many(self, backend_ids: list[str], workers: int = 1) -> list[str]:
        """Delete backends of the run that no test needs any more, `workers` at a time
        (unjudged: what they held was checked while they were used), and in a comparison
        the other side's own, one at a time; the ids deleted (or already gone). Every walk
        of the list reads each one left."""
        deleted = self._deleted_unjudged(backend_ids, workers)
        if self.twin is not None:
            for backend_id in deleted:
                self.twin.discard(self, backend_id)
        return deleted

    def _deleted_unjudged(self, backend_ids: list[str], workers: int) -> list[str]:
        """`backend_ids` deleted as the cleanup deletes, on this side only."""

        def delete(backend_id: str) -> str | None:
            if self.client.delete(backend_id).status in (204, 404):
                self.record_deleted(backend_id)
                return backend_id
            return None

        with ThreadPoolExecutor(max(1, workers), thread_name_prefix="contract-discard") as pool:
            deleted = [i for i in pool.map(delete, backend_ids) if i is not None]
        # Gone, though no judged request said so: the lane's model must not expect them in
        # a later list (the paging fixture's backends, once its walks are done).
        self.oracle.drop(deleted)
        return deleted

    def clean_up(self, workers: int = 1) -> Swept:
        """Delete what this run created: the ids it knows, `workers` at a time, the anchors
        (the only children, none a child of another) last, as many at a time; then any
        backend still carrying this run's marker (a create whose answer was lost).
        """
        swept = Swept()
        parents = [i for i in reversed(self.existing) if i not in self.anchors]
        # Each side of a comparison cleans up its own (`compare.pairing`).
        removed = self._deleted_unjudged(parents, workers)
        anchors = [i for i in reversed(self.anchors) if i not in self.deleted]
        removed += self._deleted_unjudged(anchors, workers)
        swept.removed.update(dict.fromkeys(removed, self.run_id))
        rest = sweep(self.client, self.judge, lambda run: run == self.run_id)
        for backend_id in rest.removed:
            self.record_deleted(backend_id)
        swept.removed.update(rest.removed)
        swept.left, swept.listed = rest.left, rest.listed
        if self.stateful and not self._lost_creates:  # else a lost answer may have made them
            swept.strays = {i: item for i, item in rest.found.items() if not self.owns(i)}
        return swept

    def refused_create_stored(self, item: dict[str, Any]) -> bool:
        """Whether a create the server refused would have stored `item`."""
        return _stored(item) in (self.run or self)._refused_creates


def _is_create(method: str, url: str) -> bool:
    return method.upper() == "POST" and urlsplit(url).path.endswith(COLLECTION)


def _stored(body: dict[str, Any]) -> str:
    """What a create body would store, or a listed backend holds, to tell one from another
    (as JSON: a refused body may hold anything)."""
    fields = [body.get("description"), body.get("metadata", ""), body.get("backends")]
    return json.dumps(fields, sort_keys=True, default=str)
