"""The model of one lane, answering as it goes: every exchange of the lane, whoever sent it,
is judged against what the model predicts, and moves the model on.

One oracle per lane (a shard's backends, or the whole run's with one worker), used by one
thread at a time; `step` is the same judgement as a pure function, for the linearizability
search over histories of several threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from ...core.exchange import Exchange
from ...core.registry import ContractViolation
from .. import freedoms
from ..judge import Judge
from .calls import Call, Op, call_of
from .expect import expect
from .expectation import Context, Expectation
from .world import Backend, World


@dataclass
class Oracle:
    key: str = field(repr=False)
    base_path: str
    judge: Judge
    context: Context = field(default_factory=Context)
    world: World = field(default_factory=World)
    deferred: ContractViolation | None = field(default=None, repr=False)
    violations: int = 0  # answers that broke the model so far
    # Side-by-side walks of one lane judge their pages at once: one judgement at a time.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The last exchange read and its reading: the ledger reads each one, then the model
    # does (validating a request against both views is most of the reading's cost).
    _last: tuple[Exchange | None, Call | None] = field(default=(None, None), repr=False)

    def call(self, exchange: Exchange) -> Call:
        seen, call = self._last  # one read: another thread may replace the pair
        if seen is not exchange or call is None:
            call = call_of(exchange, base_path=self.base_path, key=self.key)
            self._last = (exchange, call)
        return call

    def expectation(self, exchange: Exchange, window: freedoms.Window | None = None) -> Expectation:
        context = replace(self.context, window=window) if window else self.context
        return expect(self.world, self.call(exchange), context)

    def observe(self, exchange: Exchange, window: freedoms.Window | None = None) -> None:
        """Judge `exchange`'s answer (raising the named property it breaks) and move on."""
        with self._lock:
            try:
                self.world = self.expectation(exchange, window).judge(exchange, self.judge)
            except ContractViolation:
                self.violations += 1
                self.world = self._tainted(exchange)
                raise

    def _tainted(self, exchange: Exchange) -> World:
        """The world after an answer broke the model: what the request touched is unknown."""
        call = self.call(exchange)
        body = exchange.json()
        touched = call.target if call.target is not None else None
        if call.op is Op.CREATE and isinstance(body, dict) and isinstance(body.get("id"), str):
            touched = body["id"]
        return self.world.taint(touched) if touched is not None else self.world

    def forget(self) -> None:
        """A scenario ended and its backends were deleted: start the next from nothing."""
        with self._lock:
            self.world = World()

    def drop(self, backend_ids: Iterable[str]) -> None:
        """Backends deleted unjudged (a fixture's teardown, a scenario's end) are held no
        more: a later answer that lists or finds them is judged as for any other gone id."""
        with self._lock:
            self.world = self.world.without(set(backend_ids))

    def defer(self, exchange: Exchange, window: freedoms.Window | None = None) -> None:
        """Judge now, raise later (`raise_deferred`): Schemathesis's own checks of the same
        answer run in between, and report together with the model's."""
        try:
            self.observe(exchange, window)
        except ContractViolation as violation:
            self.deferred = violation

    def raise_deferred(self) -> None:
        violation, self.deferred = self.deferred, None
        if violation is not None:
            raise violation

    def release(self, backend_ids: Iterable[str]) -> dict[str, Backend]:
        """Hand these backends over, as the model holds them, to be fixed from now on (the
        run's anchors: every lane expects them unchanged)."""
        wanted = set(backend_ids)
        released = {b.id: b for b in self.world if b.id in wanted}
        self.world = self.world.without(wanted)
        return released


def step(
    world: World, exchange: Exchange | None, *, oracle: Oracle, request: Exchange
) -> Iterator[World]:
    """The worlds `request` may leave when answered `exchange` (None: the answer was lost),
    from `world`: none when the model cannot have given that answer."""
    if exchange is None:
        # Lost: any documented answer may have been given; the history search tries the
        # world unchanged (never reached the server) by itself.
        return iter(())
    try:
        after = expect(world, oracle.call(request), oracle.context).judge(exchange, Judge())
    except ContractViolation:
        return iter(())
    return iter((after,))
