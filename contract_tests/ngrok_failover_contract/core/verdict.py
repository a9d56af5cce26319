"""The exit statuses of a contract run, what a CI can branch on, and how findings decide it."""

from __future__ import annotations

import enum
import functools
import http.client
from collections.abc import Collection

from .causes import cause_of


class ExitStatus(enum.IntEnum):
    CONFORMANT = 0  # no violation found
    VIOLATIONS = 1  # at least one violation of a documented property
    CANNOT_RUN = 2  # unreachable, key refused, wrong base path, bad options
    INCONCLUSIVE = (
        3  # transport faults (reset, answer lost, timeout) or a spent budget stopped a verdict
    )
    INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)


class Kind(enum.StrEnum):
    """What a finding is, and so which exit status it leads to."""

    VIOLATION = "violation"  # a documented property broken: exit 1
    TRANSPORT = "transport fault"  # no answer arrived whole: no verdict on the API (exit 3)
    FLAKY = "flaky"  # Hypothesis's replay went otherwise: after lost answers, one more of them
    ABORTED = "aborted"  # the run could not go on (its budget spent, 429 without end): exit 3
    ERROR = "error"  # the suite itself failed (a bug): shown, exit 1


@functools.cache
def transport_errors() -> tuple[type[BaseException], ...]:
    """A request whose answer never arrived whole: the network's fault, or the server's, but
    no statement about the API. Whatever library sent it. (Loaded when first asked: the
    command decides exit statuses without the HTTP libraries.)"""
    import httpx  # noqa: PLC0415
    import requests  # noqa: PLC0415
    import urllib3.exceptions  # noqa: PLC0415

    return (
        httpx.TransportError,
        requests.exceptions.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.Timeout,
        urllib3.exceptions.ProtocolError,
        http.client.IncompleteRead,
        ConnectionError,
        TimeoutError,
    )


def transport_fault(error: BaseException) -> BaseException | None:
    """The transport error behind `error` (its causes and contexts), if there is one."""
    return cause_of(error, lambda e: isinstance(e, transport_errors()))


def settled(kind: Kind, kinds: Collection[Kind]) -> Kind:
    """A flaky replay is one more lost answer in a run that lost answers, or one more test
    an abort cut short (its examples replayed without the requests refused), else an error."""
    if kind is not Kind.FLAKY:
        return kind
    for cause in (Kind.TRANSPORT, Kind.ABORTED):
        if cause in kinds:
            return cause
    return Kind.ERROR


def exit_status(kinds: Collection[Kind], *, interrupted: bool) -> ExitStatus:
    """The run's verdict class from the kinds of what it found (see `ExitStatus`)."""
    found = {settled(kind, kinds) for kind in kinds}
    if interrupted:
        return ExitStatus.INTERRUPTED
    if found & {Kind.VIOLATION, Kind.ERROR}:
        return ExitStatus.VIOLATIONS
    if found & {Kind.TRANSPORT, Kind.ABORTED}:
        return ExitStatus.INCONCLUSIVE
    return ExitStatus.CONFORMANT
