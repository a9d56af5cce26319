"""The one command line that runs the suite in a subprocess (make contract, make mutation,
the suite's own tests): pytest on this package, quiet, with no cache written."""

from __future__ import annotations

import sys


def suite_command(*options: str) -> list[str]:
    """`python -m pytest contract_tests` with `options`; run it from the checkout's root."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        "-q",
        *options,
    ]
