"""A run's life on its target: the ledger made (survey, anchors), and whatever ends the run,
what it created deleted once, with Ctrl-C and SIGTERM waiting for that."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType
from typing import Any

import pytest

from ..core.registry import ContractViolation, Property
from ..core.verdict import ExitStatus
from ..live.client import ApiClient
from ..live.journal import Journal
from ..live.ledger import Ledger, StatelessServer
from ..live.safety import round_trip
from ..live.sweep import Swept
from ..reporting.findings import finding_from
from .comparing import base_client, finish_other, other_side
from .options import named
from .parts import run_folder
from .reference import reference_server
from .session import ContractSession

# Where each run's journal is kept, under the reports folder (`live.journal`).
JOURNALS = "journal"
# Anchor backends the run creates first, to serve as children of everything else: enough
# that bodies with many children (a boundary) can name only children known to exist.
ANCHOR_COUNT = 12


def install_signals(contract: ContractSession) -> None:
    """Ctrl-C and SIGTERM only record the stop (the gate acts on it), until the run ends."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.signal(signum, contract.request_stop)
        contract.closing.callback(signal.signal, signum, previous)


@contextmanager
def open_ledger(contract: ContractSession, wraps: list[Callable[[Any], Any]]) -> Iterator[Ledger]:
    """The target, reached through a client, with the run's anchors made and cleaned up."""
    options = contract.options
    with ExitStack() as stack:
        base_url = options.base_url or stack.enter_context(reference_server(options, wraps))
        if options.base_url is None:  # the server the run started: its round trip too
            contract.choose_workers(round_trip(base_url, options.api_key))
            options = contract.options
        client = base_client(contract, base_url)
        stack.callback(client.close)
        journals = run_folder(options.reports_dir, contract.part) / JOURNALS
        journal = Journal(
            journals if options.base_url else None, options.run_id, sync=options.remote
        )
        contract.gate.journaled = journal.__contains__
        contract.ledger = ledger = Ledger(
            client=client,
            judge=contract.judge,
            seed=options.seed,
            given_children=options.child_backends,
            run_id=options.run_id,
            stateful=options.profile.semantic,
            journal=journal,
        )
        # A comparison pairs one account per side: the isolation checks are a run's own.
        if (
            options.other_api_key is not None
            and options.profile.semantic
            and contract.comparing is None
        ):
            other_client = ApiClient(base_url, options.other_api_key, contract.gate)
            stack.callback(other_client.close)
            ledger.other = Ledger(  # the isolation checks' second account (no journal:
                client=other_client,  # its backends keep their marker; cleanup finds them)
                judge=contract.judge,
                seed=options.seed,
                given_children=(),
                run_id=options.run_id,
                other=ledger,
            )
        stack.callback(finish_run, contract)  # also at the session's end, whatever ends it
        ledger.survey()
        contract.gate.budget_note = ledger.crowded_note
        if ledger.other is not None:
            ledger.other.survey()
        if contract.comparing is not None:  # from here on, each request goes to both sides
            stack.enter_context(other_side(contract, ledger, journals=JOURNALS, finish=finish_run))
        if options.profile.semantic:
            try:
                ledger.make_anchors(ANCHOR_COUNT, options.workers)
            except StatelessServer as err:
                contract.cannot_run = (
                    f"{options.target} keeps no state: {err}; a mock can be held to the "
                    f"schema only: run again with {named('profile', 'schema')}"
                )
                pytest.exit(contract.cannot_run, returncode=ExitStatus.CANNOT_RUN)
        yield ledger


def finish_run(contract: ContractSession) -> None:
    """Delete what the run created, once; Ctrl-C and SIGTERM wait until it is done."""
    ledger = contract.ledger
    if ledger is None or contract.swept is not None:
        return
    contract.gate.cleaning = True  # a stop signal does not stop the cleanup
    with _signals_deferred():
        contract.swept = swept = _clean_up(ledger, contract.options.workers)
        if ledger.other is not None:  # the second account's, with its own key
            other = _clean_up(ledger.other, contract.options.workers)
            swept.removed.update(other.removed)
            swept.left.update(other.left)
            swept.strays.update(other.strays)
        if ledger.journal is not None:  # kept for `cleanup` while anything may be left
            ledger.journal.close(keep=bool(swept.left))
        finish_other(contract)
    if contract.comparing is not None:
        return  # a comparison read each side's strays after every test
    for backend_id, item in swept.strays.items():
        contract.findings.extend(finding_from("(cleanup)", _stray(ledger, backend_id, item)))


def _clean_up(ledger: Ledger, workers: int) -> Swept:
    try:
        return ledger.clean_up(workers)
    except Exception as err:  # the server is gone: say what may be left
        print(f"contract: cleanup failed: {type(err).__name__}: {err}", file=sys.stderr)
        return Swept(left={i: ledger.run_id for i in ledger.existing})


def _stray(ledger: Ledger, backend_id: str, item: dict[str, Any]) -> ContractViolation:
    """A backend the cleanup found marked by this run that no create of the run made."""
    if ledger.refused_create_stored(item):
        return ContractViolation(
            Property.REFUSED_REQUEST_CHANGES_NOTHING,
            f"the cleanup found {backend_id}, marked by this run and holding what a create the "
            "server refused (4xx) sent: the refused create stored it (deleted now)",
        )
    return ContractViolation(
        Property.CREATED_BACKEND_IS_AVAILABLE,
        f"the cleanup found {backend_id}, marked by this run, though no create of the run was "
        "answered with it: a create answered another backend than the one it stored "
        "(deleted now)",
    )


@contextmanager
def _signals_deferred() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def wait(signum: int, frame: FrameType | None) -> None:
        # os.write, not print: print's buffer lock may be held by the code interrupted.
        os.write(
            sys.stderr.fileno(),
            f"contract: {signal.Signals(signum).name} received; still deleting this run's "
            "backends (kill -9, then make contract-cleanup, to stop at once)\n".encode(),
        )

    previous = {s: signal.signal(s, wait) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
