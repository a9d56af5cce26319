"""The test rig as a pytest plugin: `-p mutation.plugin` adds its options to a run and plants
the fault it names into the reference server the suite starts for itself.

Its options extend the suite's options model (`RIG`): `make contract` (scripts/run_contract.py)
and `make mutation` pass them on; the installed command has none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ngrok_failover_contract.runner.options import Extension, Option, Options, add_options

from .registry import BENIGN, MUTANTS, get_mutant

if TYPE_CHECKING:  # the command loads RIG before it starts the suite: pytest and the server later
    import pytest

    from .asgi import ASGIApp

RIG = Extension(
    options=(
        Option(
            "--mutant",
            "self-started server only: plant this fault or benign variant (mutation/)",
            choices=tuple(sorted({**MUTANTS, **BENIGN})),
        ),
        Option(
            "--reference-delay-ms",
            "self-started server only: answer each request this late, as a distant server would",
            kind=int,
            default=0,
        ),
        Option(
            "--assume-remote",
            "for the suite's own tests: treat a loopback --base-url as a remote account",
            kind=bool,
            default=False,
        ),
    ),
    plugin=__name__,
    remote_switch="assume_remote",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract-rig", "the checkout's test rig (mutation/)")
    add_options(group.addoption, RIG.options)


def pytest_contract_extension() -> Extension:
    return RIG


def pytest_contract_reference_wrap(options: Options) -> Callable[[ASGIApp], ASGIApp]:
    """The named fault (if any) around the app, and the delay (if any) around that."""
    name = options.values.get("mutant")
    fault = get_mutant(str(name)).wrap if name else None
    delay_ms = options.values.get("reference_delay_ms") or 0
    assert isinstance(delay_ms, int)

    from ngrok_failover_server.testing import delayed  # noqa: PLC0415

    def wrap(app: ASGIApp) -> ASGIApp:
        return delayed(fault(app) if fault else app, delay_ms / 1000)

    return wrap
