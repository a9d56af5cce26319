"""Before a run touches a server: is it a live account, what will the run do, does it answer?

A target that is not loopback is treated as someone's real account: the run prints its plan
and goes on only when asked (`--live`), at most `DEFAULT_REMOTE_RPM` requests a minute.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpx

from ..core.exchange import auth_headers, json_or_none
from ..core.profiles import Profile

# ngrok allows 120 requests per rolling minute per account; stay below, leaving room for
# the account's other clients.
DEFAULT_REMOTE_RPM = 100
PREFLIGHT_TIMEOUT_S = 10.0
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


def render_plan(*, base_url: str, profile: Profile, max_rpm: int | None, run_marker: str) -> str:
    """What a run against `base_url` will do, at most, in words a user can approve."""
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
            f"  at most {profile.max_requests} requests, {pace}",
            f"  at most {profile.max_creates} create requests, each backend created marked "
            f"{run_marker!r} and deleted at the end",
            "  nothing this run did not create is updated or deleted",
        ]
    )


def preflight(base_url: str, api_key: str, key_env: str = "NGROK_API_KEY") -> None:
    """One list call; raise `PreflightError` with the one message that explains a dead end
    (`key_env` names where the key came from, for the message)."""
    url = base_url.rstrip("/") + "/backends/failover?limit=1"
    headers = auth_headers(api_key)
    try:
        response = httpx.get(url, headers=headers, timeout=PREFLIGHT_TIMEOUT_S)
    except httpx.TimeoutException:
        raise PreflightError(
            f"cannot reach {base_url}: no answer within {PREFLIGHT_TIMEOUT_S:.0f} s"
        ) from None
    except httpx.HTTPError as err:
        raise PreflightError(f"cannot reach {base_url}: {type(err).__name__}: {err}") from None
    if response.status_code in (401, 403):
        raise PreflightError(
            f"the API key was refused ({response.status_code} {_error_code(response)}): "
            f"check {key_env}"
        )
    if response.status_code == 429:
        return  # rate limited: the key works and the run will wait
    page = json_or_none(response.content)
    if response.status_code != 200 or not isinstance(page, dict) or "backends" not in page:
        raise PreflightError(
            f"{base_url} does not look like the ngrok API (GET /backends/failover answered "
            f"{response.status_code}{'' if page is not None else ', not JSON'}): "
            "check the base path"
        )


def _error_code(response: httpx.Response) -> str:
    body = json_or_none(response.content)
    if body is None:
        return "no error body"
    code = body.get("error_code") if isinstance(body, dict) else None
    return str(code) if code else "no error_code"
