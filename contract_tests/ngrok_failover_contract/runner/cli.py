"""The contract suite's command: `ngrok-failover-contract` once installed, `make contract` in
the checkout (`python -m scripts.run_contract` calls `main` here).

Options come from flags and the environment (`runner.options.resolve`, the one place that
decides them); the seed is printed so `--seed n` (`SEED=n` in a checkout) reproduces the run.
pytest runs the suite in a subprocess (`runner.run`): the console shows a line per test, then
the findings as `summary.md` states them and the verdict; pytest's whole output goes to
`pytest.log` beside the reports (`--verbose` shows it too), the API key replaced. Reports go
to reports/contract/ under the current folder. Exit status: `core.verdict.ExitStatus`
(0 conformant, 1 violations, 2 could not run, 3 inconclusive, 130 interrupted).

A base URL that is not loopback is someone's real account: the run prints its plan and goes
on only with --live (LIVE=1); --dry-run (DRY_RUN=1) prints the plan and stops. Ctrl-C or
SIGTERM stop the run at any moment, after it deleted what it created (`runner.stops`).
`cleanup` deletes what killed runs left (`runner.cleanup`). A checkout's `make contract`
extends the options with its test rig's (`main(argv, extension=...)`, from
scripts/run_contract.py).

This module loads only the standard library before it catches stop signals: loading the
rest takes a second or more, and a stop in that second must not be lost either.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from .stops import Stops

if TYPE_CHECKING:
    from .options import Extension


def main(argv: list[str] | None = None, extension: Callable[[], Extension] | None = None) -> int:
    """Run the command; `extension` loads a checkout's options (once stops are caught)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        return _main(args, extension)
    except Exception as error:  # a bug of the suite's own: its traceback, never the key
        return _crashed(error)


def _main(args: list[str], extension: Callable[[], Extension] | None) -> int:
    if args[:1] == ["cleanup"]:  # Ctrl-C ends it as any command (it has nothing to hold)
        from . import cleanup  # noqa: PLC0415

        return cleanup.main(args[1:])
    stops = Stops().catch()
    try:
        from .options import NO_EXTENSION  # noqa: PLC0415 (after the catch: see above)

        loaded = extension() if extension else NO_EXTENSION
        if args[:1] == ["compare"]:  # one workload against two servers (`runner.compare_run`)
            from .compare_run import run_compare  # noqa: PLC0415

            return run_compare(args[1:], loaded, stops)
        from .run import run  # noqa: PLC0415

        return run(args, loaded, stops)
    finally:
        stops.release()


def _crashed(error: Exception) -> int:
    """The traceback with every key of the environment replaced (one in a header value
    shows in the message of the exception it raised), and the could-not-run status."""
    import os  # noqa: PLC0415
    import traceback  # noqa: PLC0415

    from ..compare.keys import OTHER_SIDE_KEY_ENV  # noqa: PLC0415
    from ..core.verdict import ExitStatus  # noqa: PLC0415
    from ..reporting.redaction import redact  # noqa: PLC0415
    from .options import KEY_ENV, OTHER_KEY_ENV  # noqa: PLC0415

    text = "".join(traceback.format_exception(error))
    for name in (KEY_ENV, OTHER_KEY_ENV, OTHER_SIDE_KEY_ENV):
        value = os.environ.get(name, "")
        for secret in sorted({value, value.strip()} - {""}, key=len, reverse=True):
            text = redact(text, secret)
    print(text, end="", file=sys.stderr)
    print(
        "contract: the suite itself failed (a fault of the suite's, not a verdict on the "
        "server): the traceback above says where",
        file=sys.stderr,
    )
    return ExitStatus.CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())
