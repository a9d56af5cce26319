"""The checkout's test rig for the contract suite: planted faults and benign variants of the
reference server, never in a distribution.

Each is an ASGI middleware around the reference server's app (`asgi.Fault`), registered by
name with the property meant to catch it (`registry`); `plugin` loads them into a run
(`-p mutation.plugin --mutant NAME`) through the suite's `pytest_contract_reference_wrap`
hook. `make mutation` (scripts/run_mutation.py) runs the suite against every one.
"""

from __future__ import annotations

from . import benign, faults  # noqa: F401  (each registers what it defines)
from .registry import BENIGN, MUTANTS, Mutant, get_mutant

__all__ = ["BENIGN", "MUTANTS", "Mutant", "get_mutant"]
