"""Planted for a test: a SIGTERM arrives while a finalizer runs, so the exception its handler
raises is printed as "Exception ignored" and swallowed, as Hypothesis's gc callbacks do.

Load it with `-p tests.contract.plugins.swallowed_sigterm`; it fires in the first test.
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
        _Finalizer()  # dropped at once: its __del__ runs here and the exception is lost
