"""Before a run touches a server: is it a live account, what will the run do, does it answer?

A target that is not loopback is treated as someone's real account: the run prints its plan
and goes on only when asked (`--live`), at most `DEFAULT_REMOTE_RPM` requests a minute.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..core.exchange import auth_headers, json_or_none
from ..core.profiles import Profile

if TYPE_CHECKING:  # the command reads the rules here before the suite's pytest starts
    import httpx

# ngrok allows 120 requests per rolling minute per account; stay below, leaving room for
# the account's other clients.
DEFAULT_REMOTE_RPM = 100
PREFLIGHT_TIMEOUT_S = 10.0
# The preflight's requests after its first, on the first one's connection: their round trip
# (the fastest of them: a shared machine slows some; the first also pays for the connection)
# chooses the run's workers. At most this many, and no more once they took SAMPLING_S: a
# distant server's round trip is plain in two, and each more would cost the run one.
ROUND_TRIP_SAMPLES = 4
SAMPLING_S = 0.2
# The suite's own time per request, about (docs/benchmarks.md's profile): a round trip this
# long or shorter is not worth hiding, and hiding one takes round trip / this in flight.
SUITE_S_PER_REQUEST = 0.003
MAX_CHOSEN_WORKERS = 32
OPERATIONS = (
    "POST   /backends/failover        create (every body marked with the run's id)",
    "GET    /backends/failover        list, following next_page_uri",
    "GET    /backends/failover/{id}   get",
    "PATCH  /backends/failover/{id}   update: only backends this run created",
    "DELETE /backends/failover/{id}   delete: only backends this run created",
)


class PreflightError(Exception):
    """The target cannot be tested at all: one message, and the run ends."""


def is_loopback(base_url: str) -> bool:
    """127.0.0.0/8, ::1 or `localhost`; any other name counts as remote (no DNS lookup)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_remote(base_url: str | None, *, assume_remote: bool = False) -> bool:
    """A real account: a base URL that is not loopback (or one the suite's tests call remote)."""
    return bool(base_url) and (assume_remote or not is_loopback(base_url or ""))


def max_rpm_for(remote: bool, given: int | None) -> int | None:
    """Requests per minute at most: `given` (0: no limit), else 100 remote and none locally."""
    if given is None:
        return DEFAULT_REMOTE_RPM if remote else None
    return given or None


def profile_for(remote: bool, given: str | None) -> str:
    """`given`, else `live` on a real account (minutes at its rate limit), `quick` locally."""
    return given or ("live" if remote else "quick")


def render_plan(
    *,
    base_url: str,
    profile: Profile,
    max_rpm: int | None,
    run_marker: str,
    workers: int | None = None,
) -> str:
    """What a run against `base_url` will do, at most, in words a user can approve
    (`workers`: as given; None: chosen from the preflight's round trip)."""
    minutes = profile.max_requests / max_rpm if max_rpm else None
    pace = (
        f"at most {max_rpm} requests per minute: up to {minutes:.0f} minutes"
        if minutes is not None
        else "no rate limit"
    )
    return "\n".join(
        [
            f"contract plan for {base_url} (profile {profile.name}):",
            *(f"  {line}" for line in OPERATIONS),
            f"  at most {profile.max_requests} requests, its cleanup's deletes besides, {pace}",
            f"  {workers} requests in flight at once at most (as given)"
            if workers is not None
            else f"  requests in flight at once: as many as hide the preflight's round trip "
            f"(1 to {MAX_CHOSEN_WORKERS}; --workers sets them)",
            f"  at most {profile.max_creates} create requests, each backend created marked "
            f"{run_marker!r} and deleted at the end",
            "  nothing this run did not create is updated or deleted",
        ]
    )


@dataclass(frozen=True, slots=True)
class Workers:
    """Requests in flight at once, and why that many (for the plan and the summary)."""

    count: int
    why: str


def workers_for(round_trip_s: float, max_rpm: int | None) -> Workers:
    """Enough requests in flight to hide the round trip behind the suite's own work, no more
    than the rate limit can use: `max_rpm` a minute over that round trip."""
    ms = f"{round_trip_s * 1000:.0f} ms" if round_trip_s >= 0.001 else "under 1 ms"
    # Rounded: a round trip under 1.5 times the suite's own is not worth a second worker.
    hide = min(MAX_CHOSEN_WORKERS, max(1, round(round_trip_s / SUITE_S_PER_REQUEST)))
    why = f"the preflight's round trip was {ms}"
    if hide == 1:
        return Workers(1, f"{why}: nothing to hide, one request at a time")
    if hide == MAX_CHOSEN_WORKERS:
        why += f": {hide} in flight hide most of it (the most chosen)"
    else:
        why += f": {hide} in flight hide it"
    if max_rpm:
        usable = max(1, math.ceil(max_rpm / 60 * round_trip_s))
        if usable < hide:
            return Workers(usable, f"{why}, but {max_rpm} requests a minute keep {usable} busy")
    return Workers(hide, why)


def preflight(
    base_url: str, api_key: str, key_env: str = "NGROK_API_KEY", measured: float | None = None
) -> float:
    """A few list calls; raise `PreflightError` with the one message that explains a dead
    end (`key_env` names where the key came from, for the message). Return the round trip
    of the calls on an open connection, in seconds; one call, and `measured` returned, when
    the round trip is known already (the command's, `plain_round_trip`)."""
    import httpx  # noqa: PLC0415

    try:
        response, trips = _listed(base_url, api_key, 0 if measured is not None else None)
    except httpx.TimeoutException:
        raise _no_answer(base_url) from None
    except httpx.HTTPError as err:
        raise PreflightError(f"cannot reach {base_url}: {type(err).__name__}: {err}") from None
    if response.status_code in (401, 403):
        raise PreflightError(
            f"the API key was refused ({response.status_code} {_error_code(response)}): "
            f"check {key_env}"
        )
    if response.status_code == 429:  # rate limited: the key works and the run will wait
        return measured if measured is not None else trips[0]
    page = json_or_none(response.content)
    if response.status_code != 200 or not isinstance(page, dict) or "backends" not in page:
        # A server error says nothing of the path: the server, or a proxy before it, fails.
        hint = (
            "the server, or a proxy in front of it, is failing"
            if response.status_code >= 500
            else "check the base path"
        )
        raise PreflightError(
            f"{base_url} does not look like the ngrok API (GET /backends/failover answered "
            f"{response.status_code}{'' if page is not None else ', not JSON'}): {hint}"
        )
    return measured if measured is not None else _fastest(trips)


def round_trip(base_url: str, api_key: str) -> float:
    """The preflight's measure alone, whatever the answers (the server a run started for
    itself: what it answers is the checks' to judge, not a reason not to run)."""
    return _fastest(_listed(base_url, api_key, samples=ROUND_TRIP_SAMPLES)[1])


def plain_round_trip(base_url: str, api_key: str) -> float | None:
    """The preflight's measure with the standard library alone, for the command, which
    decides how many processes to start before any of them loads httpx: the fastest of the
    list calls after the first on one connection, as many as `_listed` makes. None: a
    failure the processes' own preflight explains; `PreflightError` when no answer came in
    time (the preflight would wait as long again to say so)."""
    import http.client  # noqa: PLC0415

    parts = urlsplit(base_url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = parts.path.rstrip("/") + "/backends/failover?limit=1"
    connection = kind(parts.hostname or "", parts.port, timeout=PREFLIGHT_TIMEOUT_S)

    def call() -> None:
        connection.request("GET", path, headers=auth_headers(api_key))
        connection.getresponse().read()

    try:
        trips = [_timed(call), *_samples(call, ROUND_TRIP_SAMPLES)]
    except TimeoutError:
        raise _no_answer(base_url) from None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    return _fastest(trips)


def _no_answer(base_url: str) -> PreflightError:
    return PreflightError(f"cannot reach {base_url}: no answer within {PREFLIGHT_TIMEOUT_S:.0f} s")


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _samples(call: Callable[[], object], most: int) -> list[float]:
    """The seconds each of up to `most` more calls took, fewer once they took SAMPLING_S."""
    trips: list[float] = []
    while len(trips) < most and sum(trips) < SAMPLING_S:
        trips.append(_timed(call))
    return trips


def _fastest(trips: list[float]) -> float:
    """The round trip of calls on an open connection: the fastest after the first (which
    also opened it), or the first alone."""
    return min(trips[1:] or trips)


def _listed(
    base_url: str, api_key: str, samples: int | None = None
) -> tuple[httpx.Response, list[float]]:
    """A list call, then `samples` more on its connection (default: as many as a first
    200 allows), fewer once they took SAMPLING_S; the first answer and the seconds each call
    took."""
    import httpx  # noqa: PLC0415

    url = base_url.rstrip("/") + "/backends/failover?limit=1"
    with httpx.Client(headers=auth_headers(api_key), timeout=PREFLIGHT_TIMEOUT_S) as http:
        started = time.perf_counter()
        response = http.get(url)
        trips = [time.perf_counter() - started]
        more = ROUND_TRIP_SAMPLES if response.status_code == 200 else 0
        trips += _samples(lambda: http.get(url), more if samples is None else samples)
    return response, trips


def _error_code(response: httpx.Response) -> str:
    body = json_or_none(response.content)
    if body is None:
        return "no error body"
    code = body.get("error_code") if isinstance(body, dict) else None
    return str(code) if code else "no error_code"
