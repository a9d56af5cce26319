"""Delete what killed contract runs left behind: what `make contract-cleanup` calls.

A run deletes its backends itself, even on Ctrl-C or SIGTERM; only `kill -9` (or a lost
connection) leaves some. They are recognised by the run marker at the start of their
description alone (`contract_tests.marker`); every other backend is left untouched.
Prints each id removed with the run that made it; DRY_RUN=1 (--dry-run) only lists them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract_tests.client import ApiClient  # noqa: E402
from contract_tests.gate import Gate  # noqa: E402
from contract_tests.marker import run_of  # noqa: E402
from contract_tests.safety import (  # noqa: E402
    PreflightError,
    is_remote,
    max_rpm_for,
    preflight,
)
from contract_tests.sweep import list_everything, sweep  # noqa: E402

CANNOT_RUN = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL") or None)
    parser.add_argument(
        "--max-rpm",
        type=int,
        default=int(os.environ["MAX_RPM"]) if os.environ.get("MAX_RPM") else None,
        help="requests per rolling minute at most (default: 100 remote, none on loopback)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=os.environ.get("DRY_RUN", "").lower() in ("1", "yes", "true"),
        help="list the marked backends, delete nothing",
    )
    args = parser.parse_args(argv)
    api_key = os.environ.get("NGROK_API_KEY", "")
    if not args.base_url or not api_key:
        print(
            "contract-cleanup: needs BASE_URL and NGROK_API_KEY (a reference server the suite "
            "started itself is gone with its run: nothing to clean)",
            file=sys.stderr,
        )
        return CANNOT_RUN
    try:
        preflight(args.base_url, api_key)
    except PreflightError as err:
        print(f"contract-cleanup: {err}", file=sys.stderr)
        return CANNOT_RUN
    max_rpm = max_rpm_for(is_remote(args.base_url), args.max_rpm)
    # The gate's marker is unused: cleanup creates and updates nothing.
    client = ApiClient(args.base_url, api_key, Gate("", max_rpm=max_rpm))
    try:
        if args.dry_run:
            return _list_only(client)
        swept = sweep(client, lambda run: True)
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
