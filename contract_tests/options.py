"""The options of one contract run, resolved in one place from flags and the environment.

`make contract`, `make contract-cleanup`, `make mutation` and the pytest plugin all call
`resolve(env, argv)`: every option is declared once (`OPTIONS`), as a flag and, where a user
sets it from make, an environment variable; a flag wins over its variable. The API key is
read from `NGROK_API_KEY` only, so it never shows in a command line.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .api import BACKEND_ID_RE
from .marker import MARKER_RE, marker_of, new_run_id
from .safety import is_remote, max_rpm_for, profile_for, render_plan
from .settings import PROFILES, Profile

KEY_ENV = "NGROK_API_KEY"
# The key of a reference server the suite starts itself: not a secret, but redacted alike.
LOCAL_KEY = "contract-suite-local-key"
# CI runs are deterministic: seed 0 unless one is given.
CI_SEED = 0
DEFAULT_REPORTS_DIR = "reports/contract"
REFERENCE_MODES = ("lenient", "strict")
# Loopback answers take microseconds and the run is bound by the CPU: one request at a time
# is fastest there (measured: 21 s with one worker, 25 s with four, docs/benchmarks.md) and
# reproducible by seed alone. A distant server's answers take 50-200 ms, spent waiting: 16 in
# flight make a quick run about seven times faster at 150 ms.
DEFAULT_LOOPBACK_WORKERS = 1
DEFAULT_REMOTE_WORKERS = 16
MAX_WORKERS = 64
_TRUE = ("1", "yes", "true")


class OptionsError(Exception):
    """The options cannot make a run: one message that names the bad value."""


@dataclass(frozen=True, slots=True)
class Option:
    flag: str
    env: str | None  # the environment variable make passes it in, if any
    help: str
    kind: Callable[[str], Any] | None = None  # int, or None for text; "flag" options are bool
    choices: tuple[str, ...] | None = None
    switch: bool = False  # a flag without a value (--live)

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")


OPTIONS = (
    Option("--base-url", "BASE_URL", "server under test; none: start the reference server"),
    Option(
        "--child-backends",
        "CHILD_BACKENDS",
        "comma-separated ids of child backends that exist on the server",
    ),
    Option(
        "--profile",
        "PROFILE",
        "how hard to explore (default: live on a remote host, else quick)",
        choices=tuple(sorted(PROFILES)),
    ),
    Option("--seed", "SEED", "reproduce a run (default: fresh; 0 when CI=true)", kind=int),
    Option("--reports-dir", "REPORTS_DIR", f"where reports go ({DEFAULT_REPORTS_DIR})"),
    Option("--live", "LIVE", "go ahead against a remote account", switch=True),
    Option("--dry-run", "DRY_RUN", "print the plan, send nothing", switch=True),
    Option(
        "--require-coverage",
        "REQUIRE_COVERAGE",
        "fail (exit 1) when a documented status of an operation was never seen",
        switch=True,
    ),
    Option(
        "--max-rpm",
        "MAX_RPM",
        "requests per rolling minute at most (default: 100 remote, none on loopback; 0: none)",
        kind=int,
    ),
    Option(
        "--workers",
        "WORKERS",
        "requests in flight at once: each test's examples split into shards run side by side "
        f"(default: {DEFAULT_LOOPBACK_WORKERS} on loopback, {DEFAULT_REMOTE_WORKERS} otherwise)",
        kind=int,
    ),
    Option(
        "--shard",
        "SHARD",
        "reproduce one shard alone: of each test split --workers ways, run shard K only",
        kind=int,
    ),
    Option(
        "--reference-mode",
        None,
        "self-started server only: strict checks that children exist",
        choices=REFERENCE_MODES,
    ),
    Option("--mutant", None, "self-started server only: plant this fault (see mutants)"),
    Option(
        "--reference-delay-ms",
        None,
        "self-started server only: answer each request this late, as a distant server would",
        kind=int,
    ),
    Option("--run-id", None, "the run id in every marker (default: a fresh one)"),
    Option(
        "--assume-remote",
        None,
        "for the suite's own tests: treat a loopback --base-url as a remote account",
        switch=True,
    ),
)


def add_options(add: Callable[..., Any]) -> None:
    """Declare every option through `add` (argparse's `add_argument` or pytest's `addoption`).

    Defaults are None, so `resolve` can tell an absent flag from one given.
    """
    for option in OPTIONS:
        kwargs: dict[str, Any] = {"dest": option.dest, "default": None, "help": option.help}
        if option.switch:
            kwargs["action"] = "store_true"
        else:
            kwargs["choices"] = option.choices
            if option.kind is not None:
                kwargs["type"] = option.kind
        add(option.flag, **kwargs)


@dataclass(frozen=True, slots=True)
class Options:
    seed: int
    profile: Profile
    reports_dir: Path
    api_key: str = field(repr=False)
    base_url: str | None  # None: the suite starts the reference server
    child_backends: tuple[str, ...]
    run_id: str  # in the marker of every backend the run creates
    remote: bool  # not loopback: someone's real account (see safety)
    max_rpm: int | None  # requests per rolling minute at most; None: no limit
    live: bool  # the user agreed to a run against a remote account
    dry_run: bool
    require_coverage: bool
    reference_mode: str
    mutant: str | None
    workers: int = 1  # requests in flight at once (see contract_tests.workers)
    shard: int | None = None  # run only this shard (1-based) of each split test
    reference_delay_ms: int = 0

    @property
    def marker(self) -> str:
        return marker_of(self.run_id)

    @property
    def target(self) -> str:
        return self.base_url or "the reference server (started by the suite)"

    def suite_args(self) -> list[str]:
        """Flags that make the suite's pytest resolve to these same options (key excepted)."""
        args = [
            f"--seed={self.seed}",
            f"--profile={self.profile.name}",
            f"--reports-dir={self.reports_dir}",
            f"--run-id={self.run_id}",
            f"--reference-mode={self.reference_mode}",
        ]
        if self.base_url:
            args.append(f"--base-url={self.base_url}")
        if self.child_backends:
            args.append(f"--child-backends={','.join(self.child_backends)}")
        args.append(f"--max-rpm={self.max_rpm or 0}")
        if self.live:
            args.append("--live")
        if self.require_coverage:
            args.append("--require-coverage")
        if self.mutant:
            args.append(f"--mutant={self.mutant}")
        args.append(f"--workers={self.workers}")
        if self.shard is not None:
            args.append(f"--shard={self.shard}")
        if self.reference_delay_ms:
            args.append(f"--reference-delay-ms={self.reference_delay_ms}")
        return args


def parser(description: str | None = None) -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(description=description, allow_abbrev=False)
    add_options(result.add_argument)
    return result


def resolve(
    env: Mapping[str, str], argv: Sequence[str], *, default_seed: int | None = None
) -> Options:
    """The run's options from `argv` (flags; others are ignored) and `env`; `OptionsError`
    names the first bad value. `default_seed` replaces a fresh seed when none is given.
    """
    given, _ = parser().parse_known_args(list(argv))
    values = {option.dest: _value(option, given, env) for option in OPTIONS}
    base_url = values["base_url"] or None
    if base_url is not None:
        _check_base_url(base_url)
    remote = is_remote(base_url, assume_remote=bool(values["assume_remote"]))
    api_key = env.get(KEY_ENV, "") if base_url else LOCAL_KEY
    if base_url and not api_key and not values["dry_run"]:
        raise OptionsError(f"--base-url (BASE_URL) needs the API key in ${KEY_ENV}")
    if values["max_rpm"] is not None and values["max_rpm"] < 0:
        raise OptionsError(f"--max-rpm (MAX_RPM): {values['max_rpm']} is below 0")
    workers, shard = _workers(values["workers"], values["shard"], remote)
    if (values["reference_delay_ms"] or 0) < 0:
        raise OptionsError(f"--reference-delay-ms: {values['reference_delay_ms']} is below 0")
    run_id = values["run_id"] or new_run_id()
    if MARKER_RE.match(marker_of(run_id)) is None:
        raise OptionsError(f"--run-id: {run_id!r} is not a run id like 20261126T074746Z-3f2a9c")
    return Options(
        seed=_seed(values["seed"], env, default_seed),
        profile=PROFILES[profile_for(remote, values["profile"])],
        reports_dir=Path(values["reports_dir"] or DEFAULT_REPORTS_DIR),
        api_key=api_key,
        base_url=base_url,
        child_backends=_children(values["child_backends"] or ""),
        run_id=run_id,
        remote=remote,
        max_rpm=max_rpm_for(remote, values["max_rpm"]),
        live=bool(values["live"]),
        dry_run=bool(values["dry_run"]),
        require_coverage=bool(values["require_coverage"]),
        reference_mode=values["reference_mode"] or "lenient",
        mutant=values["mutant"] or None,
        workers=workers,
        shard=shard,
        reference_delay_ms=values["reference_delay_ms"] or 0,
    )


def _value(option: Option, given: argparse.Namespace, env: Mapping[str, str]) -> Any:
    """The flag's value, else its environment variable's (empty counts as absent)."""
    value = getattr(given, option.dest)
    if value is not None or option.env is None or not env.get(option.env):
        return value
    raw = env[option.env]
    if option.switch:
        return raw.strip().lower() in _TRUE
    if option.choices is not None and raw not in option.choices:
        raise OptionsError(f"{option.env}={raw!r} is not one of {', '.join(option.choices)}")
    if option.kind is not None:
        try:
            return option.kind(raw)
        except ValueError:
            raise OptionsError(f"{option.env}={raw!r} is not an integer") from None
    return raw


def _seed(given: int | None, env: Mapping[str, str], default_seed: int | None) -> int:
    if given is not None:
        return given
    if default_seed is not None:
        return default_seed
    if env.get("CI") == "true":
        return CI_SEED
    return random.SystemRandom().getrandbits(32)


def _workers(given: int | None, shard: int | None, remote: bool) -> tuple[int, int | None]:
    """The run's workers (default by where the server is) and the shard to run alone, if any."""
    if given is None:
        given = DEFAULT_REMOTE_WORKERS if remote else DEFAULT_LOOPBACK_WORKERS
    if not 1 <= given <= MAX_WORKERS:
        raise OptionsError(f"--workers (WORKERS): {given} is not between 1 and {MAX_WORKERS}")
    if shard is not None and not 1 <= shard <= given:
        raise OptionsError(
            f"--shard (SHARD): {shard} is not between 1 and the run's workers ({given})"
        )
    return given, shard


def _check_base_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise OptionsError(
            f"--base-url (BASE_URL): {base_url!r} is not a base URL like https://api.ngrok.com"
        )


def _children(text: str) -> tuple[str, ...]:
    children = tuple(c.strip() for c in text.split(",") if c.strip())
    bad = [c for c in children if BACKEND_ID_RE.fullmatch(c) is None]
    if bad:
        raise OptionsError(
            f"--child-backends (CHILD_BACKENDS): {bad[0]!r} is not a backend id "
            "('bkd', two letters, '_' and 27 base62 characters)"
        )
    return children


def plan(options: Options) -> str:
    """What the run will do at most, for a person to approve (printed before a live run)."""
    return render_plan(
        base_url=options.target,
        profile=options.profile,
        max_rpm=options.max_rpm,
        run_marker=options.marker,
    )


def check_consent(options: Options) -> None:
    """A remote account is tested only with `--live` (LIVE=1): else the plan and a refusal."""
    if options.remote and not options.live and not options.dry_run:
        raise OptionsError(
            f"{options.base_url} is not a loopback address, so it is treated as a real "
            f"account.\n{plan(options)}\nRun again with LIVE=1 (make) or --live to go ahead."
        )
