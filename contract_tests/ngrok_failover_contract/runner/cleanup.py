"""Delete what killed contract runs left behind: `ngrok-failover-contract cleanup`, and
`make contract-cleanup` in the checkout (`python -m scripts.cleanup_contract`).

A run deletes its backends itself, even on Ctrl-C or SIGTERM; only `kill -9` (or a lost
connection) leaves some. They are recognised by the run marker at the start of their
description (`live.marker`), or by the journal a run keeps under its reports folder until
it has cleaned up (`live.journal`: a backend whose description the run emptied carries no
marker); every other backend is left untouched.
Prints each id removed with the run that made it; --dry-run (DRY_RUN=1) only lists them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..checks.judge import Judge
from ..core.registry import ContractViolation
from ..core.verdict import ExitStatus
from ..live.client import ApiClient
from ..live.gate import Gate
from ..live.journal import journaled
from ..live.listing import list_everything
from ..live.marker import run_of
from ..live.safety import PreflightError, preflight
from ..live.sweep import MAX_PASSES, Swept, sweep
from .command import PROG as COMMAND
from .lifecycle import JOURNALS
from .options import KEY_ENV, Options, OptionsError, name_of, parser, resolve
from .reports_folder import FolderRefused, held

PROG = f"{COMMAND} cleanup"
DESCRIPTION = "Delete the backends that killed contract runs left behind (marked ones only)."
# The options cleanup acts on: any other (a run's --seed, --workers) is refused as unknown.
USED: dict[str, str | None] = {
    "base_url": "the server a killed run tested",
    "max_rpm": None,
    "dry_run": "list what would be deleted, delete nothing",
    "reports_dir": "where the killed runs' journals are (reports/contract)",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command_line = parser(DESCRIPTION, only=USED)
    command_line.prog = PROG
    command_line.parse_args(args)  # --help, and unknown flags refused
    try:
        options = resolve(os.environ, args)
    except OptionsError as err:
        print(f"contract-cleanup: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    if options.base_url is None or not options.api_key:
        print(
            f"contract-cleanup: needs {name_of('base_url')} and {KEY_ENV} (a reference server "
            "the suite started itself is gone with its run: nothing to clean)",
            file=sys.stderr,
        )
        return ExitStatus.CANNOT_RUN
    try:  # a run still writing there is alive: what its journal names is still its own
        with held(options.reports_dir, name_of("reports_dir")):
            return _clean_up(options.base_url, options)
    except FolderRefused as err:
        print(f"contract-cleanup: could not run: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN


def _clean_up(base_url: str, options: Options) -> int:
    try:
        preflight(base_url, options.api_key)
    except PreflightError as err:
        print(f"contract-cleanup: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    # The gate's marker is unused: cleanup creates and updates nothing.
    client = ApiClient(base_url, options.api_key, Gate("", max_rpm=options.max_rpm))
    try:
        if options.dry_run:
            return _list_only(client, options.reports_dir / JOURNALS)
        from_journals = _journals(client, options.reports_dir / JOURNALS)
        swept = sweep(client, Judge(), lambda run: True)
    except ContractViolation as err:
        print(f"contract-cleanup: cannot list the backends: {err}", file=sys.stderr)
        return ExitStatus.CANNOT_RUN
    finally:
        client.close()
    for backend_id, run in from_journals.removed.items():
        print(f"removed {backend_id} (contract run {run}, named in its journal)")
    for backend_id, run in from_journals.left.items():
        print(f"NOT removed {backend_id} (contract run {run}): the server refused the delete")
    untouched = swept.listed - len(swept.removed) - len(swept.left)
    swept.removed = {**from_journals.removed, **swept.removed}
    swept.left = {**from_journals.left, **swept.left}
    for backend_id, run in swept.removed.items():
        print(f"removed {backend_id} (contract run {run})")
    for backend_id, run in swept.left.items():
        print(f"NOT removed {backend_id} (contract run {run}): the server refused the delete")
    runs = len(set(swept.removed.values()))
    print(
        f"contract-cleanup: removed {len(swept.removed)} marked backends of {runs} runs; "
        f"{untouched} unmarked backends untouched"
    )
    return 1 if swept.left else 0


def _journals(client: ApiClient, folder: Path) -> Swept:
    """Delete what the journals of killed runs name and still exists; a journal whose every
    id is gone is removed."""
    swept = Swept()
    for path, ids in journaled(folder).items():
        run = path.stem
        pending = list(reversed(ids))  # newest first: a parent before the children it names
        for _ in range(MAX_PASSES):
            refused = []
            for backend_id in pending:
                client.gate.allow(backend_id)  # the journal says a contract run made it
                status = client.delete(backend_id).status
                if status == 204:
                    swept.removed[backend_id] = run
                elif status != 404:
                    refused.append(backend_id)
            if not refused or len(refused) == len(pending):
                pending = refused
                break
            pending = refused
        swept.left.update({backend_id: run for backend_id in pending})
        if not pending:
            path.unlink()
    return swept


def _list_only(client: ApiClient, journals: Path) -> int:
    for path, ids in journaled(journals).items():
        for backend_id in ids:
            print(f"would remove {backend_id} if it exists (named in the journal of {path.stem})")
    listed = list_everything(client, Judge())
    marked = [(str(i.get("id")), run_of(i.get("description"))) for i in listed]
    for backend_id, run in marked:
        if run is not None:
            print(f"would remove {backend_id} (contract run {run})")
    count = sum(run is not None for _, run in marked)
    print(f"contract-cleanup: DRY_RUN: {count} marked backends of {len(listed)}; none removed")
    return 0
