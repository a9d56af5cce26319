"""The one command line that runs the suite in a subprocess (make contract, make mutation,
`ngrok-failover-contract`, the suite's own tests): pytest on this package, quiet, with no
cache written, from any folder, in a checkout or installed; the process ends as soon as
pytest has (`runner.pytest_entry`)."""

from __future__ import annotations

import sys
from pathlib import Path

# The installed command (contract_tests/pyproject.toml); make contract in a checkout.
PROG = "ngrok-failover-contract"
PACKAGE = Path(__file__).resolve().parent.parent
SUITE = PACKAGE / "suite"
# The suite's own pytest configuration: with it (`-c`) no pytest config of the folder the
# command runs from (addopts, testpaths, conftest.py above the package) is read.
CONFIG = SUITE / "pytest-suite.ini"
# `python -m pytest`, without the interpreter's teardown at the end.
ENTRY = "ngrok_failover_contract.runner.pytest_entry"
# The one installed pytest plugin the suite uses (it applies the run's seed to Hypothesis).
# Others are not loaded: a user's plugins could change a run, and pytest would rewrite the
# asserts of every module of each plugin's distribution (all of Schemathesis's) at each start.
PLUGINS = ("_hypothesis_pytestplugin",)


def suite_command(*options: str, plugins: tuple[str, ...] = ()) -> list[str]:
    """`python -m pytest <the suite's folder>` (through `ENTRY`) with `options`, from any
    folder; `plugins` are loaded first (`-p`: a checkout's test rig, whose options must be
    known), after `PLUGINS`; no other installed plugin is.

    The folder is named by its path, not `--pyargs`: pytest loads the conftest.py of a path
    argument before it parses the options, so the suite's own (`--base-url`...) are known.
    The root dir is the package, so test ids read `suite/test_...` wherever it is installed.
    """
    return [
        sys.executable,
        "-m",
        ENTRY,
        str(SUITE),
        "-c",
        str(CONFIG),
        f"--rootdir={PACKAGE}",
        "-p",
        "no:cacheprovider",
        # Its collections of garbage at the end cost a run 0.2 s; it only warns.
        "-p",
        "no:unraisableexception",
        "--disable-plugin-autoload",
        *(arg for plugin in (*PLUGINS, *plugins) for arg in ("-p", plugin)),
        "-q",
        *options,
    ]
