"""A prediction of the model: the branches the documentation allows for one request's
answer (a status each, what the body must then show, and the next world), and the judgement
of the answer against the branch its status chose (`Expectation.judge`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...core.exchange import Exchange
from ...core.registry import Property
from .. import freedoms
from ..judge import Judge
from .world import REFUSED, WRITTEN, Backend, World

Then = Callable[[Exchange, Judge], World]


@dataclass(frozen=True)
class Context:
    """What the model knows beyond the lane's world, for one run."""

    # Child ids known to exist (given ones, the run's anchors): a body naming only these,
    # and the lane's own backends, must be accepted.
    children: frozenset[str] = frozenset()
    # Backends the run made under another account's key: this key must not find them.
    other_account: Callable[[str], bool] = lambda _: False
    # Ids that may exist though the lane does not hold them (another lane's, a given child,
    # one seen on the account): for any other id the lane predicts 404.
    elsewhere: Callable[[str], bool] = lambda _: False
    # A listed backend marked by this run that a create the server refused would have
    # stored (and no create answered 201 for): the refused create stored it.
    stray: Callable[[dict[str, Any]], bool] = lambda _: False
    # Whether to judge what shows only across a second's boundary (the order of a page, a
    # first page missing newer backends): not where Hypothesis replays a failing example,
    # whose clock would differ (a replay that cannot fail again is "flaky", not a verdict).
    ordered: bool = True
    # Backends that exist and that nobody of the run changes (its anchors), as created.
    fixed: Mapping[str, Backend] = field(default_factory=dict)
    window: freedoms.Window | None = None  # when the request was sent and answered


@dataclass(frozen=True)
class Branch:
    statuses: frozenset[int]
    then: Then
    reason: str


@dataclass(frozen=True)
class Expectation:
    """The branches the documentation allows, the property a status outside all of them
    breaks, and why."""

    prop: Property
    branches: tuple[Branch, ...]
    world: World

    @property
    def statuses(self) -> frozenset[int]:
        return frozenset(s for branch in self.branches for s in branch.statuses)

    def judge(self, exchange: Exchange, judge: Judge) -> World:
        status = exchange.status
        if status >= 500:
            # A valid request: the property of the answer it should have had; else no 5xx.
            refusal = self.prop in _REFUSALS
            judge.require(
                False,
                Property.NOT_A_SERVER_ERROR if refusal else self.prop,
                f"{exchange.method} answered {status}; "
                + _explain(self, "a server error is never the documented answer"),
                exchange,
            )
        branch = next((b for b in self.branches if status in b.statuses), None)
        judge.require(
            branch is not None,
            self.prop,
            f"{exchange.method} answered {status}; " + _explain(self, ""),
            exchange,
        )
        assert branch is not None
        return branch.then(exchange, judge)


_REFUSALS = (
    Property.NEGATIVE_DATA_REJECTION,
    Property.IGNORED_AUTH,
    Property.NEAR_MISS_KEY_REFUSED,
)


def _explain(expectation: Expectation, lead: str) -> str:
    allowed = "; ".join(
        f"{_statuses(b.statuses)} {b.reason}" for b in expectation.branches if b.reason
    )
    return (lead + "; " if lead else "") + f"the documentation allows {allowed}"


def _statuses(statuses: Collection[int]) -> str:
    ordered = sorted(statuses)
    if len(ordered) > 5 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}-{ordered[-1]}"
    return " or ".join(str(s) for s in ordered)


def why_wrong(world: World, backend_id: str) -> Property | None:
    """The property a backend reading back unlike the model breaks: a refused write that
    wrote after all; a change made by an operation on another backend; else (None) the
    property of the field written last."""
    doubt = world.doubt(backend_id)
    if doubt == REFUSED:
        return Property.REFUSED_REQUEST_CHANGES_NOTHING
    if doubt == WRITTEN:
        return None
    return Property.OPERATION_CHANGES_ONLY_ITS_TARGET
