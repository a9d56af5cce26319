"""Planted for a test: a SIGINT arrives just after httpcore took its connection pool's lock,
before the `with` block that releases it has begun. A handler that raised there would leave
the lock held, and the run's cleanup, on the same pool, would wait for it forever (seen once
in an unplanted run). Here the timing is made certain.

Load it with `-p tests.contract.plugins.sigint_in_pool_lock`; it fires in the first test.
"""

from __future__ import annotations

import signal

import pytest
from httpcore._synchronization import ThreadLock

_enter = ThreadLock.__enter__


class _Armed:
    on = False
    fired = False


def _enter_then_signal(self: ThreadLock) -> ThreadLock:
    locked = _enter(self)
    if _Armed.on:
        _Armed.on = False
        signal.raise_signal(signal.SIGINT)  # its handler runs here, with the lock held
    return locked


ThreadLock.__enter__ = _enter_then_signal  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    if not _Armed.fired:
        _Armed.fired = _Armed.on = True
