"""What a failed test found: each failure as a `Finding` with its property, curl and answer."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

from ..core.causes import cause_of
from ..core.exchange import Exchange, exchange_of_error
from ..core.registry import ContractViolation, Property
from ..core.verdict import Kind, transport_fault
from .curl import as_curl, describe_response

# Every check name Schemathesis may report that the registry knows.
_KNOWN = frozenset(str(prop) for prop in Property)


@dataclass(frozen=True, slots=True)
class Finding:
    """One failure of a run, ready to print; `prop` is a `Property` for violations."""

    test: str
    kind: Kind
    prop: str
    message: str
    curl: str | None
    response: str | None
    alone: str | None = None  # the command that runs the shard it came from alone


def finding_from(
    test: str, error: BaseException, exchange: Exchange | None = None
) -> list[Finding]:
    """The findings an exception carries; a group (several distinct bugs) gives several.

    A failure group Schemathesis raised carries the exchange it is about (`drivers.schema.
    validated`), shown as curl; its failures carry the names of the checks that report them,
    and a custom check's failure wraps our `ContractViolation`. A transport error anywhere
    behind an exception makes a transport fault. Hypothesis's "flaky" (a replay that went
    otherwise) is kept apart: in a run that lost answers it is one more consequence of them.
    """
    exchange = exchange_of_error(error) or exchange
    if isinstance(error, BaseExceptionGroup):
        return [item for sub in error.exceptions for item in finding_from(test, sub, exchange)]
    wrapped = getattr(error, "exception", None)
    if isinstance(wrapped, ContractViolation):
        return finding_from(test, wrapped, exchange)
    curl = as_curl(exchange) if exchange else None
    response = describe_response(exchange) if exchange else None
    if isinstance(error, ContractViolation):
        own = error.exchange
        return [
            Finding(
                test=test,
                kind=Kind.VIOLATION,
                prop=str(error.prop),
                message=error.message,
                curl=as_curl(own) if own else curl,
                response=describe_response(own) if own else None,
            )
        ]
    # Here, not above: the command decodes findings and need not load Schemathesis.
    from hypothesis.errors import Flaky  # noqa: PLC0415

    from ..compat import failure_checks  # noqa: PLC0415

    checks = failure_checks(error)
    if checks:  # a Schemathesis failure, named by the check that reports it
        name = checks[0]
        prop = name if name in _KNOWN else f"unregistered check {name}"
        title = str(getattr(error, "title", ""))
        message = str(getattr(error, "message", "")) or str(error)
        code = str(getattr(error, "code", ""))
        text = f"{code} {title}\n{message.strip()}"
        return [Finding(test, Kind.VIOLATION, prop, text, curl, response)]
    fault = transport_fault(error)
    if fault is not None:
        request = _request_line(fault)
        message = f"{type(fault).__name__}: {fault}".strip()
        return [Finding(test, Kind.TRANSPORT, "transport", message, request or curl, None)]
    aborted = _aborted(error)
    if aborted is not None:
        return [Finding(test, Kind.ABORTED, "RunAborted", str(aborted).strip(), curl, None)]
    kind = Kind.FLAKY if isinstance(error, Flaky) or _hypothesis_replay_broke(error) else Kind.ERROR
    return [Finding(test, kind, type(error).__name__, str(error).strip(), curl, None)]


def _aborted(error: BaseException) -> BaseException | None:
    """The `RunAborted` behind `error` (its causes and contexts), if there is one."""
    from ..live.gate import RunAborted  # noqa: PLC0415 (the command need not load httpx)

    return cause_of(error, lambda e: isinstance(e, RunAborted))


def _hypothesis_replay_broke(error: BaseException) -> bool:
    """An assertion of Hypothesis's own code: its replay of a failing state machine went
    otherwise than the run (seen when answers were lost), like `Flaky`."""
    if not isinstance(error, AssertionError) or error.__traceback__ is None:
        return False
    import hypothesis  # noqa: PLC0415

    innermost = traceback.extract_tb(error.__traceback__)[-1].filename
    return Path(hypothesis.__file__).parent in Path(innermost).parents


def _request_line(fault: BaseException) -> str | None:
    """`METHOD URL` of the request a transport error hit, when the library kept it."""
    try:
        request = getattr(fault, "request", None)
    except RuntimeError:  # httpx raises when the error has no request
        return None
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    return f"{method} {url}" if method and url else None
