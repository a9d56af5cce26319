"""Makes the shared test helpers in tests/ importable from every test folder, and starts the
slow tests first: under `make test`'s workers the rest then runs beside them."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: slow first
