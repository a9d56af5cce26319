"""What one side's answer breaks, as the suite's verdicts would say: its lane's model, and the
spec's documented view where a contract run asks Schemathesis (the same filter: a status the
operation declares, its media type, the documented constraints of its schema).

A comparison does not run Schemathesis's checks (some send requests of their own, to one
side only); these are the ones of them a server's answer alone decides.
"""

from __future__ import annotations

from ..checks.documented import answer_breaks, declared_media
from ..checks.freedoms import Window
from ..checks.model.calls import Call, Op
from ..core.api import COLLECTION
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
from ..live.ledger import Ledger

Broken = dict[str, str]  # property -> what the check said
_ITEM = COLLECTION + "/{id}"
_OPERATIONS = {
    Op.CREATE: ("POST", COLLECTION),
    Op.LIST: ("GET", COLLECTION),
    Op.GET: ("GET", _ITEM),
    Op.UPDATE: ("PATCH", _ITEM),
    Op.DELETE: ("DELETE", _ITEM),
}


def judged(
    lane: Ledger, exchange: Exchange, window: Window | None, entered: ContractViolation | None
) -> Broken:
    """Judge an entered exchange on `lane`'s model (which moves on) and by the spec; what it
    broke, raising nothing."""
    broken: Broken = {}
    if entered is not None:
        broken[entered.prop] = entered.message
    try:
        lane.oracle.observe(exchange, window)
    except ContractViolation as violation:
        broken.setdefault(violation.prop, violation.message)
    for prop, message in spec_breaks(lane.oracle.call(exchange), exchange).items():
        broken.setdefault(prop, message)
    return broken


def spec_breaks(call: Call, exchange: Exchange) -> Broken:
    """The documented rules of the spec `exchange`'s answer breaks, by the property a contract
    run names them with (a method the API lacks is the model's alone)."""
    if call.op is Op.OTHER:
        return {}
    method, path = _OPERATIONS[call.op]
    status = exchange.status
    declared = declared_media(method, path, status)
    if declared is None:
        return {
            Property.STATUS_CODE_CONFORMANCE: f"{method} {path} answered {status}, a status the "
            "spec does not declare for it"
        }
    if not exchange.response_text or not declared:
        return {}
    media = media_type(exchange)
    if media not in declared:
        return {
            Property.CONTENT_TYPE_CONFORMANCE: f"answered {status} as {media or '(no type)'}; "
            f"the spec declares {', '.join(declared)}"
        }
    body = exchange.json()
    if body is None:
        return {Property.RESPONSE_SCHEMA_CONFORMANCE: f"answered {status} with a body not JSON"}
    errors = answer_breaks(method, path, status, body)
    if errors:
        return {Property.RESPONSE_SCHEMA_CONFORMANCE: "; ".join(errors[:3])}
    return {}


def media_type(exchange: Exchange) -> str:
    """The answer's media type, without its parameters (`charset`), lower case."""
    value = next(
        (v for k, v in exchange.response_headers.items() if k.lower() == "content-type"), ""
    )
    return value.split(";")[0].strip().lower()
