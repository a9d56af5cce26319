"""Delete what killed contract runs left behind: what `make contract-cleanup` calls
(`python -m scripts.cleanup_contract`).

A run deletes its backends itself, even on Ctrl-C or SIGTERM; only `kill -9` (or a lost
connection) leaves some. They are recognised by the run marker at the start of their
description alone (`contract_tests.marker`); every other backend is left untouched.
Prints each id removed with the run that made it; DRY_RUN=1 (--dry-run) only lists them.
"""

from __future__ import annotations

import os
import sys

from contract_tests.client import ApiClient
from contract_tests.gate import Gate
from contract_tests.marker import run_of
from contract_tests.options import OptionsError, parser, resolve
from contract_tests.paging import list_everything
from contract_tests.safety import PreflightError, preflight
from contract_tests.sweep import sweep
from contract_tests.violations import ContractViolation

CANNOT_RUN = 2


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    parser(__doc__.splitlines()[0]).parse_args(args)  # --help, and unknown flags refused
    try:
        options = resolve(os.environ, args)
    except OptionsError as err:
        print(f"contract-cleanup: {err}", file=sys.stderr)
        return CANNOT_RUN
    if options.base_url is None or not options.api_key:
        print(
            "contract-cleanup: needs BASE_URL and NGROK_API_KEY (a reference server the suite "
            "started itself is gone with its run: nothing to clean)",
            file=sys.stderr,
        )
        return CANNOT_RUN
    try:
        preflight(options.base_url, options.api_key)
    except PreflightError as err:
        print(f"contract-cleanup: {err}", file=sys.stderr)
        return CANNOT_RUN
    # The gate's marker is unused: cleanup creates and updates nothing.
    client = ApiClient(options.base_url, options.api_key, Gate("", max_rpm=options.max_rpm))
    try:
        if options.dry_run:
            return _list_only(client)
        swept = sweep(client, lambda run: True)
    except ContractViolation as err:
        print(f"contract-cleanup: cannot list the backends: {err}", file=sys.stderr)
        return CANNOT_RUN
    finally:
        client.close()
    for backend_id, run in swept.removed.items():
        print(f"removed {backend_id} (contract run {run})")
    for backend_id, run in swept.left.items():
        print(f"NOT removed {backend_id} (contract run {run}): the server refused the delete")
    runs = len(set(swept.removed.values()))
    print(
        f"contract-cleanup: removed {len(swept.removed)} marked backends of {runs} runs; "
        f"{swept.listed - len(swept.removed) - len(swept.left)} unmarked backends untouched"
    )
    return 1 if swept.left else 0


def _list_only(client: ApiClient) -> int:
    listed = list_everything(client)
    marked = [(str(i.get("id")), run_of(i.get("description"))) for i in listed]
    for backend_id, run in marked:
        if run is not None:
            print(f"would remove {backend_id} (contract run {run})")
    count = sum(run is not None for _, run in marked)
    print(f"contract-cleanup: DRY_RUN: {count} marked backends of {len(listed)}; none removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
