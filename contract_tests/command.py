"""The one command line that runs the suite in a subprocess (make contract, make mutation,
`ngrok-failover-contract`, the suite's own tests): pytest on this package, quiet, with no
cache written, from any folder, in a checkout or installed."""

from __future__ import annotations

import sys
from pathlib import Path

# The installed command (packaging/contract/pyproject.toml); make contract in a checkout.
PROG = "ngrok-failover-contract"
PACKAGE = Path(__file__).resolve().parent
# The suite's own pytest configuration: with it (`-c`) no pytest config of the folder the
# command runs from (addopts, testpaths, conftest.py above the package) is read.
CONFIG = PACKAGE / "pytest-suite.ini"


def suite_command(*options: str) -> list[str]:
    """`python -m pytest <this package>` with `options`, from any folder.

    The package is named by its path, not `--pyargs`: pytest loads the conftest.py of a path
    argument before it parses the options, so the suite's own (`--base-url`...) are known.
    The root dir is the package's parent, so test ids read `contract_tests/test_...` wherever
    the package is installed.
    """
    return [
        sys.executable,
        "-m",
        "pytest",
        str(PACKAGE),
        "-c",
        str(CONFIG),
        f"--rootdir={PACKAGE.parent}",
        "-p",
        "no:cacheprovider",
        "-q",
        *options,
    ]
