"""The model's prediction for one request, and its judgement of the answer.

`expect(world, call, context)` says which statuses the documentation allows for `call`
given what the lane holds, each with what the body must then show and what the lane holds
afterwards; `Expectation.judge` takes the answer, checks it against the branch its status
chose, and gives the next world, or raises the named property the answer broke. Where the
docs leave a server free (`freedoms`), a prediction has several branches.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...core.api import DESCRIPTION_MAX, LIMIT_DEFAULT, METADATA_MAX, WRITABLE_FIELDS
from ...core.exchange import Exchange
from ...core.registry import Property
from .. import freedoms
from ..judge import Judge
from .calls import Call, Key, Op
from .world import REFUSED, WRITTEN, Backend, World

TEXT_LIMITS = {"description": DESCRIPTION_MAX, "metadata": METADATA_MAX}
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


def expect(world: World, call: Call, context: Context) -> Expectation:
    """What the documentation allows as the answer to `call` when the lane holds `world`."""
    if call.key is not Key.VALID:
        return _refused_key(world, call)
    if call.documented:
        return _refused(world, call)
    accepted = _accepted(world, call, context)
    optional = _optional_refusals(world, call, context)
    if not optional:
        return accepted
    return Expectation(accepted.prop, (*accepted.branches, *optional), world)


# -- Refusals -------------------------------------------------------------------------------


def _refusal(world: World, call: Call, statuses: Iterable[int], reason: str) -> Branch:
    """A refusal: an error body saying its status, and nothing changed (the target doubted
    until it reads back, since a refusal that still wrote shows only there)."""

    def then(exchange: Exchange, judge: Judge) -> World:
        judge.error_body_matches_status(exchange)
        if call.op is Op.UPDATE and call.target in world:
            return world.refused(str(call.target))
        return world

    return Branch(frozenset(statuses), then, reason)


def _rate_limited(world: World, call: Call) -> Branch:
    return _refusal(world, call, freedoms.RATE_LIMITED, "")


def _refused_key(world: World, call: Call) -> Expectation:
    prop = Property.NEAR_MISS_KEY_REFUSED if call.key is Key.NEAR else Property.IGNORED_AUTH
    reason = {
        Key.MISSING: "for a missing key",
        Key.NEAR: "for a key one edit from the key",
    }.get(call.key, "for a key that is not the key")
    branch = _refusal(world, call, freedoms.REFUSED_KEY, reason)
    statuses = set(freedoms.REFUSED_KEY)
    # Whether a refused key or another broken rule is answered first is not documented.
    if call.documented:
        statuses |= _break_statuses(world, call)
        branch = _refusal(world, call, statuses, reason + " (or the other rules it breaks)")
    return Expectation(prop, (branch, _rate_limited(world, call)), world)


def _break_statuses(world: World, call: Call) -> set[int]:
    statuses: set[int] = set()
    for broken in call.documented:
        if broken.where == "operation":
            statuses |= freedoms.ANY_CLIENT_ERROR
        elif broken.where == "path":
            statuses |= freedoms.MALFORMED_ID
        else:
            statuses |= freedoms.BAD_REQUEST
    # An item operation on an id that does not exist may be answered 404 first.
    if call.target is not None and call.target not in world:
        statuses |= freedoms.UNKNOWN_ID
    return statuses


def _refused(world: World, call: Call) -> Expectation:
    why = "; ".join(b.message for b in call.documented[:3])
    branch = _refusal(world, call, _break_statuses(world, call), f"to refuse it ({why})")
    return Expectation(
        Property.NEGATIVE_DATA_REJECTION, (branch, _rate_limited(world, call)), world
    )


def _optional_refusals(world: World, call: Call, context: Context) -> list[Branch]:
    """Refusals the documentation neither demands nor forbids for a call it lets through."""
    reasons: list[tuple[frozenset[int], str]] = []
    if call.undocumented:
        why = "; ".join(b.message for b in call.undocumented[:3])
        reasons.append((freedoms.ANY_CLIENT_ERROR, f"or to refuse it (only the spec says: {why})"))
    fields = call.fields
    for name, limit in TEXT_LIMITS.items():
        value = fields.get(name)
        if isinstance(value, str) and "refuse" in freedoms.text_length_verdicts(value, limit):
            reasons.append((freedoms.BAD_REQUEST, f"or to refuse {name} as over {limit} bytes"))
    if call.op is Op.UPDATE and "refuse" in freedoms.body_id_verdicts(
        fields.get("id"), call.target
    ):
        reasons.append((freedoms.ANY_CLIENT_ERROR, "or to refuse a body id not the path's"))
    children = fields.get("backends")
    if isinstance(children, list) and call.op in (Op.CREATE, Op.UPDATE):
        unknown = [c for c in children if c not in context.children and c not in world]
        if unknown:
            reasons.append(
                (freedoms.BAD_REQUEST, f"or to refuse a child it cannot know exists ({unknown[0]})")
            )
    before = call.query.get("before_id")
    known = before in world or before in context.fixed
    if call.op is Op.LIST and before is not None and not known:
        # empty_before_id (gap): how a cursor naming no backend (empty, deleted, never made)
        # is answered is not documented: read as absent, or refused.
        reasons.append((freedoms.ANY_CLIENT_ERROR, "or to refuse a before_id naming no backend"))
    if call.op is Op.DELETE and call.target is not None and world.referenced(call.target):
        reasons.append((freedoms.BAD_REQUEST, "or to refuse it: another backend lists it (6502)"))
    return [_refusal(world, call, statuses, reason) for statuses, reason in reasons]


# -- Accepted calls -------------------------------------------------------------------------


def _accepted(world: World, call: Call, context: Context) -> Expectation:
    rate = _rate_limited(world, call)
    if call.op is Op.CREATE:
        return Expectation(
            Property.CREATE_ACCEPTS_VALID_INPUT, (_created(world, call, context), rate), world
        )
    if call.op is Op.LIST:
        return Expectation(Property.LIST_ANSWERS_200, (_listed(world, call, context), rate), world)
    target = str(call.target)
    held = world.get(target)
    fixed = context.fixed.get(target)
    if held is None and fixed is not None and call.op is Op.GET:
        branch = Branch(
            frozenset({200}), lambda ex, j: _read_fixed(world, fixed, ex, j), "with it as created"
        )
        return Expectation(Property.OPERATION_CHANGES_ONLY_ITS_TARGET, (branch, rate), world)
    if held is None:
        return _absent(world, call, context, target)
    if call.op is Op.GET:
        branch = Branch(
            frozenset({200}), lambda ex, j: _read(world, held, ex, j), "with it as last written"
        )
        return Expectation(Property.CREATED_BACKEND_IS_AVAILABLE, (branch, rate), world)
    if call.op is Op.UPDATE:
        branch = Branch(
            frozenset({200}),
            lambda ex, j: _updated(world, held, call, ex, j),
            "with the backend updated",
        )
        return Expectation(Property.UPDATE_ANSWERS_200, (branch, rate), world)
    branch = Branch(frozenset({204}), lambda ex, j: world.deleted(target), "(deleted)")
    return Expectation(Property.DELETE_ANSWERS_204, (branch, rate), world)


def _absent(world: World, call: Call, context: Context, target: str) -> Expectation:
    """An id the lane does not hold: known not to exist (deleted, made up), or unknown."""
    rate = _rate_limited(world, call)
    if context.other_account(target):

        def apart(exchange: Exchange, judge: Judge) -> World:
            judge.error_body_matches_status(exchange)
            return world

        branch = Branch(frozenset(freedoms.UNKNOWN_ID), apart, "for a backend of another account")
        return Expectation(Property.ACCOUNTS_KEPT_APART, (branch, rate), world)
    if target in world.tainted:
        return _unknown(world, call, target)
    if target in world.gone or not context.elsewhere(target):
        prop = (
            Property.GONE_AFTER_DELETE
            if target in world.gone
            else Property.UPDATE_MUST_NOT_CREATE
            if target in world.upserted
            else _near_miss(world, target) or Property.NEVER_CREATED_IS_404
        )

        def then(exchange: Exchange, judge: Judge) -> World:
            judge.error_body_matches_status(exchange)
            return world.upsert_tried(target) if call.op is Op.UPDATE else world

        branch = Branch(frozenset(freedoms.UNKNOWN_ID), then, "for an id that does not exist")
        return Expectation(prop, (branch, rate), world)
    return _unknown(world, call, target)


def _unknown(world: World, call: Call, target: str) -> Expectation:
    """Another lane's, a given child, one found on the account, or one an earlier answer
    left unknown: it may exist or not."""
    rate = _rate_limited(world, call)
    success = {Op.GET: 200, Op.UPDATE: 200, Op.DELETE: 204}[call.op]

    def either(exchange: Exchange, judge: Judge) -> World:
        if exchange.status == 200:
            body = exchange.json()
            judge.has_every_field(body if isinstance(body, dict) else {}, exchange)
            judge.answers_requested_id(target, body if isinstance(body, dict) else {}, exchange)
        elif exchange.status == 404:
            judge.error_body_matches_status(exchange)
        return world

    branch = Branch(frozenset({success, 404}), either, "for an id this lane does not hold")
    return Expectation(Property.ANSWERS_REQUESTED_ID, (branch, rate), world)


def _near_miss(world: World, target: str) -> Property | None:
    """An id one edit from one the lane holds (case, one character): near_miss_id_not_found."""
    for backend in world:
        other = backend.id
        if len(other) != len(target) or other == target:
            continue
        if other.lower() == target.lower() or sum(map(str.__ne__, other, target)) == 1:
            return Property.NEAR_MISS_ID_NOT_FOUND
    return None


def _created(world: World, call: Call, context: Context) -> Branch:
    written = call.fields

    def then(exchange: Exchange, judge: Judge) -> World:
        body = _object(exchange, judge)
        for name in WRITABLE_FIELDS:
            if name in written:
                judge.field_reads_back(name, written[name], body, exchange)
        if "backends" not in written:  # accepted without it: no children (the Go client)
            judge.field_reads_back("backends", [], body, exchange)
        judge.uri_is_own(body, exchange)
        if context.window is not None:
            judge.created_at_is_creation_time(body, context.window, exchange)
        return world.created(Backend.answered(body))

    return Branch(frozenset({201}), then, "with the backend created")


def _object(exchange: Exchange, judge: Judge) -> dict[str, Any]:
    body = exchange.json()
    resource = body if isinstance(body, dict) else {}
    judge.has_every_field(resource, exchange)
    return resource


def _why_wrong(world: World, backend_id: str) -> Property | None:
    """The property a backend reading back unlike the model breaks: a refused write that
    wrote after all; a change made by an operation on another backend; else (None) the
    property of the field written last."""
    doubt = world.doubt(backend_id)
    if doubt == REFUSED:
        return Property.REFUSED_REQUEST_CHANGES_NOTHING
    if doubt == WRITTEN:
        return None
    return Property.OPERATION_CHANGES_ONLY_ITS_TARGET


def _read(world: World, held: Backend, exchange: Exchange, judge: Judge) -> World:
    body = _object(exchange, judge)
    judge.answers_requested_id(held.id, body, exchange)
    judge.reads_back_as_held(held.as_json(), body, exchange, _why_wrong(world, held.id))
    judge.uri_is_own(body, exchange)
    return world.read_back(held.id)


def _read_fixed(world: World, fixed: Backend, exchange: Exchange, judge: Judge) -> World:
    """A backend nobody of the run changes reads back as it was created."""
    body = _object(exchange, judge)
    judge.answers_requested_id(fixed.id, body, exchange)
    judge.reads_back_as_held(
        fixed.as_json(), body, exchange, Property.OPERATION_CHANGES_ONLY_ITS_TARGET
    )
    return world


def _updated(world: World, held: Backend, call: Call, exchange: Exchange, judge: Judge) -> World:
    body = _object(exchange, judge)
    written = call.fields
    judge.answers_requested_id(held.id, body, exchange)
    kept = held.as_json()
    why = Property.REFUSED_REQUEST_CHANGES_NOTHING if world.doubt(held.id) == REFUSED else None
    for name in WRITABLE_FIELDS:
        if name in written:
            judge.field_reads_back(name, written[name], body, exchange)
        elif why is not None:
            judge.reads_back_as_held({name: kept[name]}, body, exchange, why)
        else:
            judge.update_keeps_absent(name, kept, body, exchange)
    for name in ("id", "created_at"):
        judge.identity_unchanged(name, kept, body, exchange)
    judge.uri_is_own(body, exchange)
    return world.updated(held.patched(written))


def _listed(world: World, call: Call, context: Context) -> Branch:
    def then(exchange: Exchange, judge: Judge) -> World:
        page = exchange.json()
        page = page if isinstance(page, dict) else {}
        judge.list_uri_is_collection(page, exchange)
        judge.next_page_uri_absolute(page, exchange)
        judge.empty_page_is_last(page, exchange)
        judge.page_within_limit(page, _limit(call), exchange)
        items = [i for i in page.get("backends") or [] if isinstance(i, dict)]
        seen: list[str] = []
        for item in items:
            judge.listed_once(str(item.get("id")), seen, exchange)
            seen.append(str(item.get("id")))
        if context.ordered:
            judge.newest_first(items, exchange)
        after = world
        for item in items:
            backend_id = str(item.get("id"))
            if backend_id in world.gone:
                judge.deleted_not_listed(backend_id, seen, exchange)
            held = world.get(backend_id)
            fixed = context.fixed.get(backend_id)
            if held is not None:
                # A list unlike the model: list_matches_get (a stale copy, say), unless a
                # refused write to it stored something after all.
                why = _why_wrong(world, backend_id)
                why = why if why is Property.REFUSED_REQUEST_CHANGES_NOTHING else None
                judge.listed_as_held(held.as_json(), item, exchange, why)
                after = after.read_back(backend_id)
            elif fixed is not None:
                judge.listed_as_held(fixed.as_json(), item, exchange, None)
            elif context.other_account(backend_id):
                judge.require(
                    False,
                    Property.ACCOUNTS_KEPT_APART,
                    f"the list holds {backend_id}, a backend this run created with another "
                    "account's key: a key sees only its own account's backends",
                    exchange,
                    backend_id,
                )
            elif context.stray(item):
                judge.require(
                    False,
                    Property.REFUSED_REQUEST_CHANGES_NOTHING,
                    f"the list holds {backend_id}, marked by this run and holding what a create "
                    "the server refused (4xx) sent, and no create of the run was answered 201 "
                    "with it: the refused create stored it",
                    exchange,
                )
        cursor = call.query.get("before_id")
        known = (world.get(cursor) or context.fixed.get(cursor)) if cursor else None
        if known is not None:
            judge.page_after_cursor(
                known.id, known.created_at, items, exchange, ordered=context.ordered
            )
        if cursor is None:
            missing = _missing_from_first_page(world, items, page, ordered=context.ordered)
            judge.first_page_holds_newest(missing, exchange)
        return after

    return Branch(frozenset({200}), then, "with a page of the list")


def _limit(call: Call) -> int:
    text = call.query.get("limit")
    return int(text) if text is not None and text.isdigit() and int(text) > 0 else LIMIT_DEFAULT


def _missing_from_first_page(
    world: World, items: list[dict[str, Any]], page: dict[str, Any], *, ordered: bool
) -> list[str]:
    """A first page holds the newest backends: with no next page, all the lane holds; else
    (`ordered`) every one of the lane's newer (by a second at least) than one it shows."""
    listed = {str(item.get("id")) for item in items}
    held = list(world)
    if page.get("next_page_uri") is None:
        return [b.id for b in held if b.id not in listed]
    if not ordered:
        return []
    shown = [b for b in held if b.id in listed]
    return [
        b.id
        for b in held
        if b.id not in listed
        and any(not freedoms.listed_after(s.created_at, b.created_at) for s in shown)
    ]
