"""Every private name of Schemathesis and Hypothesis the suite uses is imported in one module,
`ngrok_failover_contract.compat`, and each of them is still there: an upgrade that moves one
fails here, naming it."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import hypothesis.core
import hypothesis.stateful

from ngrok_failover_contract import compat
from tests.spec_tools import ROOT

COMPAT = Path(compat.__file__)
# The public modules; any other module of theirs is private.
PUBLIC = {
    "schemathesis",
    "schemathesis.config",
    "schemathesis.errors",
    "hypothesis",
    "hypothesis.errors",
    "hypothesis.stateful",
    "hypothesis.strategies",
}
# Where the suite and its checkout-only helpers live.
SCANNED = ("contract_tests", "mutation", "tests/contract", "scripts", "bench")


def imported(source: str) -> list[tuple[str, str]]:
    """(module, name) of each Schemathesis or Hypothesis name `source` imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in ("schemathesis", "hypothesis"):
                found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (alias.name, "")
                for alias in node.names
                if alias.name.split(".")[0] in ("schemathesis", "hypothesis")
            ]
    return found


def missing(source: str) -> list[str]:
    """Each name `source` imports that its module no longer has, as `module.name`."""
    gone = []
    for module, name in imported(source):
        try:
            loaded = importlib.import_module(module)
        except ImportError:
            gone.append(module)
            continue
        if name and not hasattr(loaded, name):
            gone.append(f"{module}.{name}")
    return gone


def private(source: str) -> list[str]:
    return [f"{m}.{n}" for m, n in imported(source) if m not in PUBLIC]


def test_every_private_name_compat_imports_is_still_there() -> None:
    names = imported(COMPAT.read_text("utf-8"))
    assert len(names) >= 12, names  # the names it exists for
    assert missing(COMPAT.read_text("utf-8")) == []


def test_a_name_an_upgrade_removed_is_named() -> None:
    planted = "from schemathesis.core.failures import Failure, GoneInAnUpgrade\n"
    assert missing(planted) == ["schemathesis.core.failures.GoneInAnUpgrade"]
    assert missing("from schemathesis.no_such_module import x\n") == ["schemathesis.no_such_module"]


def test_hypothesis_still_reads_the_explicit_examples_attribute() -> None:
    assert compat.EXPLICIT_EXAMPLES in inspect.getsource(hypothesis.core)


def test_hypothesis_stateful_still_reads_its_own_buffer_size() -> None:
    """compat pins `hypothesis.stateful.BUFFER_SIZE`: a rename would leave the pin unread."""
    assert "BUFFER_SIZE" in inspect.getsource(hypothesis.stateful)
    assert hypothesis.stateful.BUFFER_SIZE == compat.STATEFUL_BUFFER_SIZE  # type: ignore[attr-defined]


def test_no_other_module_uses_a_private_name() -> None:
    found = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in (COMPAT, Path(__file__)):  # this file names them on purpose
                continue
            source = path.read_text("utf-8")
            names = private(source) + (
                [compat.EXPLICIT_EXAMPLES] if compat.EXPLICIT_EXAMPLES in source else []
            )
            if names:
                found[str(path.relative_to(ROOT))] = names
    assert found == {}


def test_a_private_import_elsewhere_is_found() -> None:
    assert private("from schemathesis.openapi.checks import JsonSchemaError\n") == [
        "schemathesis.openapi.checks.JsonSchemaError"
    ]
    assert private("from schemathesis import Case\nimport hypothesis\n") == []
