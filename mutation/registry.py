"""The registry of planted faults and benign variants: each names the bug, says in one line
how a real server would get it wrong, and names the property meant to catch it (any catch
counts for a test; `make mutation` demands that one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ngrok_failover_contract.core.registry import Property

from .asgi import ASGIApp

Wrap = Callable[[ASGIApp], ASGIApp]


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str
    description: str
    catcher: str  # the check meant to catch it
    wrap: Wrap
    sample: bool  # part of CI's representative subset
    min_workers: int = 1  # requests side by side it takes to show (a race)


MUTANTS: dict[str, Mutant] = {}
# Variants that differ from the reference server only where ngrok documents no answer: the
# suite must pass against each (no false alarm).
BENIGN: dict[str, Mutant] = {}


def fault(
    name: str, description: str, catcher: str, *, sample: bool = False, min_workers: int = 1
) -> Callable[[Wrap], Wrap]:
    Property(catcher)  # every fault names a property of the registry: a typo fails at import

    def register(wrap: Wrap) -> Wrap:
        MUTANTS[name] = Mutant(name, description, catcher, wrap, sample, min_workers)
        return wrap

    return register


def benign(name: str, description: str, *, sample: bool = False) -> Callable[[Wrap], Wrap]:
    def register(wrap: Wrap) -> Wrap:
        BENIGN[name] = Mutant(name, description, "", wrap, sample)
        return wrap

    return register


def get_mutant(name: str) -> Mutant:
    """A planted fault or a benign variant, by name."""
    known = {**MUTANTS, **BENIGN}
    try:
        return known[name]
    except KeyError:
        raise KeyError(f"no mutant {name!r}; known: {', '.join(sorted(known))}") from None
