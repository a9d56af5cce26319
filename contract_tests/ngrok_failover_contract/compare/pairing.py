"""The twin of the base side's ledger: every request the run judges there goes to the other
side too, in the other side's names, and the two answers are judged and compared.

The base side drives the workload (the drivers choose by its answers, as in any run); the
other side follows it, request by request, through its own gate, ledger and model. A list
walk is made by each side on its own (each follows its own `next_page_uri`) and the two
walks are compared. After each test, what each side holds of the run is read and compared
(`state`). A violation raises nothing here: it is one side's verdict, to compare.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from ..checks.freedoms import Window
from ..checks.model.calls import Op
from ..core.api import BACKEND_ID_RE, LIMIT_MAX
from ..core.exchange import Exchange, json_or_none
from ..core.registry import ContractViolation, Property
from ..core.verdict import transport_errors
from ..live.ledger import Ledger
from ..live.listing import walk_pages
from ..live.marker import run_of
from ..live.sweep import Swept
from .differ import Answer, Difference, backend_differences, compare, verdict_differences
from .differ import page_differences as pages_compared
from .judging import Broken, judged
from .mapping import Correspondence
from .recording import CLEANUP, Diverged, Recorder

Walked = TypeVar("Walked")
# Hop-by-hop and per-connection headers: the other side's client sets its own.
_NOT_REPEATED = frozenset({"host", "content-length", "connection", "transfer-encoding"})
# The other side's answer was lost, or it answers no more (a replay that parted).
UNREACHABLE: tuple[type[BaseException], ...] = (*transport_errors(), Diverged)
WALK = "listFailoverBackends (walk)"
STATE = "(state after the test)"
SURVEY = "listFailoverBackends (before the run)"


@dataclass
class Side:
    """One side of a comparison: how people know it, and its run ledger."""

    name: str  # "base" or "other"
    label: str  # its URL, "the reference server (started by the suite)", a recording
    ledger: Ledger

    @property
    def base_url(self) -> str:
        return self.ledger.client.base_url


@dataclass
class Comparison:
    """One run's comparison: both sides, their names, what differs, what could not be sent."""

    base: Side
    other: Side
    names: Correspondence
    base_recorder: Recorder | None = None  # the base side's exchanges Schemathesis sent
    replayed: bool = False  # the other side is a recording
    differences: list[Difference] = field(default_factory=list)
    pairs: int = 0  # requests sent to both sides and compared
    walks: int = 0  # list walks made on both sides and compared
    unsent: list[str] = field(default_factory=list)  # why a request went to the base side only
    faults: list[str] = field(default_factory=list)  # the other side's transport faults
    dark: str | None = None  # why the other side answers no more (a replay that diverged)
    test: str = "(setup)"
    parted: set[str] = field(default_factory=set)  # base ids whose states may differ now
    swept: Swept | None = None  # the other side's cleanup
    _strays: set[str] = field(default_factory=set, repr=False)  # reported already
    _paused: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attach(self) -> None:
        """From now on every judged request of the base side is paired."""
        self.base.ledger.twin = TwinLane(self, self.other.ledger)

    @property
    def paused(self) -> bool:
        return self._paused

    @contextmanager
    def base_alone(self) -> Iterator[None]:
        """The base side's requests are judged alone (and raise) while the block runs."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def found(self, differences: list[Difference], subjects: set[str]) -> None:
        with self._lock:
            self.differences += [_in_test(d, self.test) for d in differences]
            self.parted |= subjects

    def skipped(self, base_id: str) -> bool:
        """Whether a backend's states may have parted on the two sides: compared no more."""
        return base_id in self.parted

    def unreachable(self, error: BaseException, exchange: Exchange | None) -> None:
        """The other side's answer was lost, or it answers no more (a replay that parted)."""
        if isinstance(error, Diverged):
            self.dark = self.dark or str(error)
            return
        where = f"{exchange.method} {exchange.url}" if exchange else "a request"
        self.faults.append(f"{where} ({self.test}): {type(error).__name__}: {error}")

    def surveyed(self, base: Exchange, violation: ContractViolation) -> None:
        """The other side's list broke a property before the run (its survey), where the
        base side's answered: a difference of verdict."""
        other = violation.exchange or base
        differences = verdict_differences(
            SURVEY,
            Answer(base, {}, base.json()),
            Answer(other, {violation.prop: violation.message}, json_or_none(other.response_text)),
        )
        self.found(differences or [], set())

    # -- the other side's request ---------------------------------------------------------

    def counterpart(
        self, exchange: Exchange, raw_body: bytes | None
    ) -> tuple[str, str, bytes | None, dict[str, str]] | str:
        """The other side's request for the base side's `exchange` (its method, URL, body and
        headers), or why it cannot be sent."""
        names = self.names
        url = names.url_to_other(exchange.url, self.base.base_url, self.other.base_url)
        headers: dict[str, str] = {}
        for name, value in exchange.request_headers.items():
            lower = name.lower()
            if lower in _NOT_REPEATED or lower == "authorization":
                continue
            if not value.isascii():
                return f"its header {name} is not ASCII, which the other side's client cannot send"
            headers[name] = value
        auth = names.auth_to_other(
            next(
                (v for k, v in exchange.request_headers.items() if k.lower() == "authorization"),
                None,
            )
        )
        if auth is not None:
            headers["Authorization"] = auth
        content = _body(exchange, raw_body, names)
        if exchange.method.upper() in ("PATCH", "DELETE"):
            why = self._may_change(url)
            if why is not None:
                return why
        return exchange.method, url, content, headers

    def _may_change(self, url: str) -> str | None:
        """Let the other side's gate through the ids of a change the base side's gate let
        through: its own backends, ids made up, their near misses; never one it found there."""
        ledger = self.other.ledger
        for backend_id in BACKEND_ID_RE.findall(url):
            if backend_id in ledger.foreign:
                return f"it would change {backend_id}, which the other side had before the run"
            ledger.allow(backend_id)
        return None

    # -- what each side holds after a test ------------------------------------------------

    def read_state(self) -> None:
        """Every backend each side holds of the run, read by a walk of its list, compared
        pair by pair; and a backend of the run no create of its side was answered with."""
        if self.dark is not None:
            return
        with self.base_alone():
            base = _holdings(self.base.ledger)
        try:
            other = _holdings(self.other.ledger)
        except UNREACHABLE as error:
            self.unreachable(error, None)
            return
        found: list[Difference] = []
        if base.broken or other.broken:
            verdicts = verdict_differences(STATE, base.answer, other.answer) or []
            self.found(verdicts, set())
            return
        for base_id, other_id in self.names.paired.items():
            if self.skipped(base_id):
                continue
            mine, theirs = base.items.get(base_id), other.items.get(other_id)
            if (mine is None) != (theirs is None):
                held = "base" if mine is not None else "other"
                found.append(_missing(held, base_id, other_id, base.last, other.last))
            elif mine is not None and theirs is not None:
                mapped = json_or_none(self.names.to_base(_json(theirs)))
                for name, values in backend_differences(
                    mine, mapped if isinstance(mapped, dict) else {}
                ):
                    found.append(
                        Difference(
                            f"state:{name}",
                            STATE,
                            f"{name} of {base_id}: the base side holds {values[0]}, the other "
                            f"{values[1]}",
                            base.last,
                            other.last,
                            values,
                        )
                    )
        found += self._strays_found(base, other)
        missing = {d.values[0] for d in found if d.kind == "state:missing" and d.values}
        self.found(found, missing)  # reported once: those two hold different things now

    def _strays_found(self, base: _Holdings, other: _Holdings) -> list[Difference]:
        found = []
        for side, mine, theirs in (("base", base, other), ("other", other, base)):
            if mine.strays and not theirs.strays:
                for backend_id, prop in mine.strays.items():
                    if backend_id in self._strays:
                        continue
                    self._strays.add(backend_id)
                    found.append(
                        Difference(
                            prop,
                            STATE,
                            f"the {side} side holds {backend_id}, marked by this run, that no "
                            "create of the run was answered with"
                            + (
                                ", holding what a create it refused (4xx) sent: the refused create "
                                "stored it"
                                if prop == Property.REFUSED_REQUEST_CHANGES_NOTHING
                                else ""
                            ),
                            base.last,
                            other.last,
                        )
                    )
        return found

    # -- the end ---------------------------------------------------------------------------

    def finish(self, workers: int) -> Swept | None:
        """Delete what the run created on the other side (a recording has nothing to delete)."""
        if self.swept is not None or self.replayed:
            return self.swept
        ledger = self.other.ledger
        ledger.client.gate.cleaning = True
        self.phase(CLEANUP)
        try:
            self.swept = ledger.clean_up(workers)
        except Exception as err:  # the other server is gone: say what may be left
            self.swept = Swept(left={i: ledger.run_id for i in ledger.existing})
            self.faults.append(f"the cleanup ({type(err).__name__}: {err})")
        if ledger.journal is not None:
            ledger.journal.close(keep=bool(self.swept.left))
        return self.swept

    def phase(self, name: str) -> None:
        """What the run does now (a test's id, the cleanup): written beside each exchange."""
        self.test = name
        for recorder in (
            self.base_recorder,
            _recorder_of(self.other.ledger),
            _recorder_of(self.base.ledger),
        ):
            if recorder is not None:
                recorder.phase = name


def operation_of(op: Op, exchange: Exchange) -> str:
    """How a report names a request's operation: its operationId, or what it is not."""
    return op.value if op is not Op.OTHER else f"{exchange.method.upper()} (no such operation)"


def _recorder_of(ledger: Ledger) -> Recorder | None:
    recorder = getattr(ledger.client, "recorder", None)
    return recorder if isinstance(recorder, Recorder) else None


def _in_test(difference: Difference, test: str) -> Difference:
    return replace(difference, test=difference.test or test)


def _body(exchange: Exchange, raw_body: bytes | None, names: Correspondence) -> bytes | None:
    """The base side's body in the other side's names, byte for byte otherwise."""
    if raw_body is not None:
        text = raw_body.decode("utf-8", "surrogateescape")
        return names.to_other(text).encode("utf-8", "surrogateescape")
    if exchange.request_body is None:
        return None
    return names.to_other(exchange.request_body).encode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value)


@dataclass
class _Holdings:
    """What one side lists of the run: its backends by id, the marked ones it never made."""

    items: dict[str, dict[str, Any]]
    strays: dict[str, Property]
    last: Exchange | None
    broken: Broken

    @property
    def answer(self) -> Answer:
        assert self.last is not None
        return Answer(self.last, self.broken, None)


def _holdings(ledger: Ledger) -> _Holdings:
    items: dict[str, dict[str, Any]] = {}
    strays: dict[str, Property] = {}
    last = None
    for exchange in walk_pages(ledger.client, LIMIT_MAX):
        last = exchange
        page = exchange.json()
        if exchange.status != 200 or not isinstance(page, dict):
            return _Holdings(
                {},
                {},
                exchange,
                {Property.LIST_ANSWERS_200: f"the list answered {exchange.status}"},
            )
        for item in page.get("backends") or []:
            if not isinstance(item, dict):
                continue
            backend_id = str(item.get("id"))
            if ledger.ever_created(backend_id):
                items[backend_id] = item
            elif run_of(item.get("description")) == ledger.run_id and not ledger.lost_creates:
                strays[backend_id] = (
                    Property.REFUSED_REQUEST_CHANGES_NOTHING
                    if ledger.refused_create_stored(item)
                    else Property.CREATED_BACKEND_IS_AVAILABLE
                )
    return _Holdings(items, strays, last, {})


def _missing(
    held: str, base_id: str, other_id: str, base: Exchange | None, other: Exchange | None
) -> Difference:
    lacking = "other" if held == "base" else "base"
    return Difference(
        "state:missing",
        STATE,
        f"the {held} side still lists the backend ({base_id} on the base side, {other_id} on the "
        f"other) and the {lacking} side does not",
        base,
        other,
        (base_id, other_id),
    )


@dataclass
class TwinLane:
    """The twin of one lane of the base side: the other side's lane of the same seed."""

    comparison: Comparison
    other: Ledger

    @property
    def active(self) -> bool:
        return not self.comparison.paused

    def lane(self, seed: int) -> TwinLane:
        return TwinLane(self.comparison, self.other.lane(seed))

    def pair(
        self,
        lane: Ledger,
        exchange: Exchange,
        window: Window | None,
        *,
        entered: ContractViolation | None,
        raw_body: bytes | None,
    ) -> None:
        comparison = self.comparison
        history = lane.client.history
        sent_by_client = bool(history) and history[-1] is exchange  # its recorder wrote it
        if comparison.base_recorder is not None and window is not None and not sent_by_client:
            comparison.base_recorder.write(exchange, window)  # Schemathesis sent it
        call = lane.oracle.call(exchange)
        base_broken = judged(lane, exchange, window, entered)
        if comparison.dark is not None:
            return
        request = comparison.counterpart(exchange, raw_body)
        if isinstance(request, str):
            comparison.unsent.append(f"{exchange.method} {exchange.url}: {request}")
            return
        try:
            answered, other_window, other_entered = self.other.send(*request)
        except UNREACHABLE as error:
            comparison.unreachable(error, exchange)
            return
        other_broken = judged(self.other, answered, other_window, other_entered)
        names = comparison.names
        subjects = self._pair_created(call.op, exchange, answered)  # before the answers are read
        base = Answer(exchange, base_broken, exchange.json())
        other = Answer(answered, other_broken, json_or_none(names.to_base(answered.response_text)))
        if call.target is not None:
            subjects.add(call.target)
        outcome = compare(
            operation_of(call.op, exchange), call, base, other, skip=comparison.skipped
        )
        comparison.pairs += 1
        parted = outcome.parted or bool(base_broken) or bool(other_broken)
        comparison.found(outcome.differences, subjects if parted else set())

    def _pair_created(self, op: Op, exchange: Exchange, answered: Exchange) -> set[str]:
        """A create both sides answered with a backend: the two ids name one backend now."""
        mine, theirs = exchange.json(), answered.json()
        created = mine.get("id") if isinstance(mine, dict) else None
        other_id = theirs.get("id") if isinstance(theirs, dict) else None
        both = 200 <= exchange.status < 300 and 200 <= answered.status < 300
        if op is not Op.CREATE or not isinstance(created, str):
            return set()
        if both and isinstance(other_id, str):
            self.comparison.names.pair(created, other_id)
        return {created}

    def walk(self, lane: Ledger, walk: Callable[[Ledger], Walked]) -> Walked | None:
        comparison = self.comparison
        with comparison.base_alone():
            base_result, base_broken, base_last = _walked(walk, lane)
        if comparison.dark is not None:
            return base_result
        try:
            other_result, other_broken, other_last = _walked(walk, self.other)
        except UNREACHABLE as error:
            comparison.unreachable(error, None)
            return base_result
        if base_last is None or other_last is None:
            return base_result
        names = comparison.names
        base = Answer(base_last, base_broken, {"backends": _walk_items(base_result)})
        mapped = json_or_none(names.to_base(_json({"backends": _walk_items(other_result)})))
        other = Answer(other_last, other_broken, mapped)
        comparison.walks += 1
        verdicts = verdict_differences(WALK, base, other)
        if verdicts is not None:
            comparison.found(verdicts, set())
        else:
            comparison.found(pages_compared(WALK, base, other, skip=comparison.skipped), set())
        return base_result

    def anchored(self, anchors: list[str]) -> None:
        other, names = self.other, self.comparison.names
        other.anchors[:] = [a for a in map(names.other_of, anchors) if a is not None]
        other.fixed.update(other.oracle.release(other.anchors))

    def discard(self, lane: Ledger, backend_id: str) -> None:
        comparison = self.comparison
        other_id = comparison.names.other_of(backend_id)
        if other_id is None or comparison.dark is not None:
            return
        try:
            self.other.discard(other_id)
        except UNREACHABLE as error:
            comparison.unreachable(error, None)

    def forget(self) -> None:
        self.other.forget()


def _walked(
    walk: Callable[[Ledger], Walked], lane: Ledger
) -> tuple[Walked | None, Broken, Exchange | None]:
    """A walk's result, what it broke, and its last page (or the page that broke it)."""
    try:
        result = walk(lane)
    except ContractViolation as violation:
        return None, {violation.prop: violation.message}, violation.exchange
    return result, {}, getattr(result, "last", None)


def _walk_items(result: object) -> list[Any]:
    items = getattr(result, "items", None)
    return list(items) if isinstance(items, list) else []
