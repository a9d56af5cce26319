"""The model's refusals: a refused key, a request the documentation says is refused, and the
refusals it neither demands nor forbids (`freedoms`); each an error body, nothing changed."""

from __future__ import annotations

from collections.abc import Iterable

from ...core.api import DESCRIPTION_MAX, METADATA_MAX
from ...core.exchange import Exchange
from ...core.registry import Property
from .. import freedoms
from ..judge import Judge
from .calls import Call, Key, Op
from .expectation import Branch, Context, Expectation
from .world import World

TEXT_LIMITS = {"description": DESCRIPTION_MAX, "metadata": METADATA_MAX}


def refusal(world: World, call: Call, statuses: Iterable[int], reason: str) -> Branch:
    """A refusal: an error body saying its status, and nothing changed (the target doubted
    until it reads back, since a refusal that still wrote shows only there)."""

    def then(exchange: Exchange, judge: Judge) -> World:
        judge.error_body_matches_status(exchange)
        if call.op is Op.UPDATE and call.target in world:
            return world.refused(str(call.target))
        return world

    return Branch(frozenset(statuses), then, reason)


def rate_limited(world: World, call: Call) -> Branch:
    return refusal(world, call, freedoms.RATE_LIMITED, "")


def refused_key(world: World, call: Call) -> Expectation:
    prop = Property.NEAR_MISS_KEY_REFUSED if call.key is Key.NEAR else Property.IGNORED_AUTH
    reason = {
        Key.MISSING: "for a missing key",
        Key.NEAR: "for a key one edit from the key",
    }.get(call.key, "for a key that is not the key")
    branch = refusal(world, call, freedoms.REFUSED_KEY, reason)
    statuses = set(freedoms.REFUSED_KEY)
    # Whether a refused key or another broken rule is answered first is not documented.
    if call.documented:
        statuses |= _break_statuses(world, call)
        branch = refusal(world, call, statuses, reason + " (or the other rules it breaks)")
    return Expectation(prop, (branch, rate_limited(world, call)), world)


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


def refused(world: World, call: Call) -> Expectation:
    why = "; ".join(b.message for b in call.documented[:3])
    branch = refusal(world, call, _break_statuses(world, call), f"to refuse it ({why})")
    return Expectation(Property.NEGATIVE_DATA_REJECTION, (branch, rate_limited(world, call)), world)


def optional_refusals(world: World, call: Call, context: Context) -> list[Branch]:
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
    return [refusal(world, call, statuses, reason) for statuses, reason in reasons]
