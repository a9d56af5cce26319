"""The model's prediction for one request, and its judgement of the answer.

`expect(world, call, context)` says which statuses the documentation allows for `call`
given what the lane holds, each with what the body must then show and what the lane holds
afterwards (`expectation`); `Expectation.judge` takes the answer, checks it against the
branch its status chose, and gives the next world, or raises the named property the answer
broke. Where the docs leave a server free (`freedoms`), a prediction has several branches:
the refusals the docs allow beside an answer (`refusals`), or several answers (`answers`).
"""

from __future__ import annotations

from .answers import accepted
from .calls import Call, Key
from .expectation import Context, Expectation
from .refusals import optional_refusals, refused, refused_key
from .world import World


def expect(world: World, call: Call, context: Context) -> Expectation:
    """What the documentation allows as the answer to `call` when the lane holds `world`."""
    if call.key is not Key.VALID:
        return refused_key(world, call)
    if call.documented:
        return refused(world, call)
    answer = accepted(world, call, context)
    optional = optional_refusals(world, call, context)
    if not optional:
        return answer
    return Expectation(answer.prop, (*answer.branches, *optional), world)
