"""The suite's pytest as the suite's command line starts it (`runner.command`):
`python -m ngrok_failover_contract.runner.pytest_entry ARGS` runs `python -m pytest ARGS`,
then ends the process at once.

When pytest returns, the run has written all it writes (reports, journal, events, output);
what is left is the interpreter's teardown, which frees every object the run made: about
0.2 s at the end of each run. `os._exit` skips it, once logging and the standard streams
are flushed (other exit handlers are skipped too: nothing the run needs registers one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

import pytest


def main() -> None:
    code = pytest.console_main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe, a closed stream: nothing left to keep.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
