"""Planted faults: realistic bugs of a Failover Backends server, as ASGI middlewares.

Each wraps the reference server's app; `pytest contract_tests --mutant NAME` (or
`scripts/run_mutation.py`) runs the suite against it, and the suite must catch every one.
"""

from __future__ import annotations

from .faults import BENIGN, MUTANTS, Mutant, get_mutant

__all__ = ["BENIGN", "MUTANTS", "Mutant", "get_mutant"]
