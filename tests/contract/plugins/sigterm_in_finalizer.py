"""Planted for a test: a SIGTERM arrives while a finalizer runs, as when it lands in one of
Hypothesis's gc callbacks. An exception raised there is printed as "Exception ignored" and
lost, so the suite's handler must only record the stop (the gate acts on it).

Load it with `-p tests.contract.plugins.sigterm_in_finalizer`; it fires in the first test.
"""

from __future__ import annotations

import signal

import pytest


class _Finalizer:
    def __del__(self) -> None:
        signal.raise_signal(signal.SIGTERM)


class _Fired:
    done = False


@pytest.hookimpl(trylast=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    if not _Fired.done:
        _Fired.done = True
        _Finalizer()  # dropped at once: its __del__ runs here
