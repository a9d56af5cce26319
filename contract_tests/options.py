"""The options of the current contract run, known from pytest's configure step on.

Test modules read them at import (Schemathesis parametrizes at collection time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .gate import Gate
from .settings import Profile


@dataclass(frozen=True, slots=True)
class Options:
    seed: int
    profile: Profile
    reports_dir: Path
    api_key: str
    base_url: str | None  # None: the suite starts the reference server
    child_backends: tuple[str, ...]
    run_id: str  # in the marker of every backend the run creates
    remote: bool  # not loopback: someone's real account (see safety)
    max_rpm: int | None  # requests per rolling minute at most; None: no limit


class Current:
    """Holder of the options; set once per pytest session by the conftest."""

    options: Options | None = None
    gate: Gate | None = None  # every request of the run passes it


def current() -> Options:
    if Current.options is None:
        raise RuntimeError("contract options are set by contract_tests/conftest.py")
    return Current.options
