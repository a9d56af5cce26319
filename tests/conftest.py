"""Makes the shared test helpers in tests/ importable from every test folder, and starts the
slow tests first: under `make test`'s workers the rest then runs beside them."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: slow first


def pytest_configure(config: pytest.Config) -> None:
    # make test runs its tests side by side already (pytest -n 3 on 2 cores): each contract
    # run they start is one suite process unless a test asks for parts (test_parts.py does).
    # Empty counts as unset (make exports the variable empty when it is not given).
    if not os.environ.get("PROCESSES"):
        os.environ["PROCESSES"] = "1"
