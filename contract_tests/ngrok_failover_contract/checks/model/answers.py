"""The model's answers to calls it lets through: a create, a get, an update and a delete of a
backend the lane holds, one it knows does not exist, and one it cannot know (a list's page:
`listing`)."""

from __future__ import annotations

from typing import Any

from ...core.api import WRITABLE_FIELDS
from ...core.exchange import Exchange
from ...core.registry import Property
from .. import freedoms
from ..judge import Judge
from .calls import Call, Op
from .expectation import Branch, Context, Expectation, why_wrong
from .listing import listed
from .refusals import rate_limited
from .world import REFUSED, Backend, World


def accepted(world: World, call: Call, context: Context) -> Expectation:
    rate = rate_limited(world, call)
    if call.op is Op.CREATE:
        return Expectation(
            Property.CREATE_ACCEPTS_VALID_INPUT, (_created(world, call, context), rate), world
        )
    if call.op is Op.LIST:
        return Expectation(Property.LIST_ANSWERS_200, (listed(world, call, context), rate), world)
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
    rate = rate_limited(world, call)
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
    rate = rate_limited(world, call)
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
        body = an_object(exchange, judge)
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


def an_object(exchange: Exchange, judge: Judge) -> dict[str, Any]:
    body = exchange.json()
    resource = body if isinstance(body, dict) else {}
    judge.has_every_field(resource, exchange)
    return resource


def _read(world: World, held: Backend, exchange: Exchange, judge: Judge) -> World:
    body = an_object(exchange, judge)
    judge.answers_requested_id(held.id, body, exchange)
    judge.reads_back_as_held(held.as_json(), body, exchange, why_wrong(world, held.id))
    judge.uri_is_own(body, exchange)
    return world.read_back(held.id)


def _read_fixed(world: World, fixed: Backend, exchange: Exchange, judge: Judge) -> World:
    """A backend nobody of the run changes reads back as it was created."""
    body = an_object(exchange, judge)
    judge.answers_requested_id(fixed.id, body, exchange)
    judge.reads_back_as_held(
        fixed.as_json(), body, exchange, Property.OPERATION_CHANGES_ONLY_ITS_TARGET
    )
    return world


def _updated(world: World, held: Backend, call: Call, exchange: Exchange, judge: Judge) -> World:
    body = an_object(exchange, judge)
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
