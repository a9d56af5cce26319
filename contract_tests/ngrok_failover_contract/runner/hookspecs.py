"""The hooks the suite offers to pytest plugins (a checkout's test rig, `mutation/plugin.py`,
implements both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .options import Extension, Options


@pytest.hookspec
def pytest_contract_extension() -> Extension | None:
    """Options this plugin adds to the run's options model (it declares them to pytest
    itself, with `options.add_options`)."""


@pytest.hookspec
def pytest_contract_reference_wrap(options: Options) -> Callable[[Any], Any] | None:
    """A wrapper of the self-started reference server's ASGI app for this run, or None."""
