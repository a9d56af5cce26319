"""The options model: every option of a contract run declared once, and all its forms.

Each `Option` names its flag, the make variable (also read from the environment) that sets
it, its type and choices, its help, and whether a reproduce line carries it. From `OPTIONS`
come the argparse and pytest options, the reading of the environment (`resolve`), the
suite's argv (`Options.suite_argv`), the reproduce lines (`runner.reproduce`) and `--help`;
the Makefile's `export` list and `make help` name every make variable (tests/contract/
test_options.py holds all of them together). A checkout extends the model with its test
rig's options (`Extension`, contributed by `mutation/`); the installed command has none.
A flag wins over its variable. The API key is read from `NGROK_API_KEY` only, so it never
shows in a command line.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..core.api import BACKEND_ID_RE
from ..core.profiles import PROFILES, Profile
from ..core.spec import INSTALLED
from ..live.marker import MARKER_RE, marker_of, new_run_id
from ..live.safety import is_remote, max_rpm_for, profile_for, render_plan
from .parts import MAX_PROCESSES

KEY_ENV = "NGROK_API_KEY"
# The key of a reference server the suite starts itself: not a secret, but redacted alike.
LOCAL_KEY = "contract-suite-local-key"
# A second account's key, for the isolation checks: from the environment only, as the key.
OTHER_KEY_ENV = "NGROK_OTHER_ACCOUNT_KEY"
# The second account of a reference server the suite starts itself.
LOCAL_OTHER_KEY = "contract-suite-other-account-key"
# CI runs are deterministic: seed 0 unless one is given.
CI_SEED = 0
DEFAULT_REPORTS_DIR = "reports/contract"
REFERENCE_MODES = ("lenient", "strict")
# Loopback answers take microseconds and the run is bound by the CPU: one request at a time
# is fastest there (measured: 21 s with one worker, 25 s with four, docs/benchmarks.md) and
# reproducible by seed alone. A distant server's answers take 50-200 ms, spent waiting: 16 in
# flight make a quick run about seven times faster at 150 ms.
# Until the preflight's round trip chooses them (`live.safety.workers_for`), when not given.
DEFAULT_WORKERS = 1
MAX_WORKERS = 64
_TRUE = ("1", "yes", "true")


class OptionsError(Exception):
    """The options cannot make a run: one message that names the bad value."""


@dataclass(frozen=True, slots=True)
class Option:
    flag: str
    help: str
    env: str | None = None  # the make variable (and environment variable) that sets it
    kind: type[str] | type[int] | type[bool] = str  # bool: a switch without a value (--live)
    choices: tuple[str, ...] | None = None
    reproduce: bool = True  # a reproduce line carries it when it is not `default`
    default: object = None  # the value a run gets without it, once resolved
    # The command's own, of no concern to the suite's pytest (which has a flag of the same
    # name): not declared to it, not in its argv.
    command_only: bool = False

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def switch(self) -> bool:
        return self.kind is bool

    @property
    def named(self) -> str:
        """How messages name it: by its flag, and in a checkout by its make variable too."""
        return self.flag if INSTALLED or self.env is None else f"{self.flag} ({self.env})"

    def argv(self, value: object) -> list[str]:
        """The flag that gives `value` (nothing for a switch that is off)."""
        if self.switch:
            return [self.flag] if value else []
        return [f"{self.flag}={text(value)}"]


def text(value: object) -> str:
    """A value as a flag or a make variable spells it."""
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    return str(value)


OPTIONS = (
    Option(
        "--seed",
        "reproduce a run (default: fresh; 0 when CI=true)",
        env="SEED",
        kind=int,
    ),
    Option(
        "--profile",
        "how hard to explore (default: live on a remote host, else quick)",
        env="PROFILE",
        choices=tuple(sorted(PROFILES)),
    ),
    Option(
        "--workers",
        "requests in flight at once: each test's examples split into shards run side by side "
        "(default: as many as hide the round trip the preflight measures, wherever the server "
        "is; the summary says how many and why)",
        env="WORKERS",
        kind=int,
    ),
    Option(
        "--shard",
        "reproduce one shard alone: of each test split --workers ways, run shard K only",
        env="SHARD",
        kind=int,
    ),
    Option(
        "--processes",
        "suite processes side by side, each running a share of the tests (default: one a "
        "core, at most 4, against a server on this machine, two a core when its round trip "
        "is longer than the suite's own time per request; 1 against a remote account)",
        env="PROCESSES",
        kind=int,
        reproduce=False,  # which process runs a test does not change what it sends
        command_only=True,
    ),
    Option(
        "--base-url",
        "server under test; none: start the reference server",
        env="BASE_URL",
    ),
    Option(
        "--child-backends",
        "comma-separated ids of child backends that exist on the server",
        env="CHILD_BACKENDS",
        default=(),
    ),
    Option("--live", "go ahead against a remote account", env="LIVE", kind=bool, default=False),
    Option(
        "--require-coverage",
        "fail (exit 1) when a documented status of an operation was never seen",
        env="REQUIRE_COVERAGE",
        kind=bool,
        default=False,
    ),
    Option(
        "--max-rpm",
        "requests per rolling minute at most (default: 100 remote, none on loopback; 0: none)",
        env="MAX_RPM",
        kind=int,
        reproduce=False,  # pacing, not what is tested
    ),
    Option(
        "--reports-dir",
        f"where reports go ({DEFAULT_REPORTS_DIR}); one run at a time in a folder",
        env="REPORTS_DIR",
        reproduce=False,
    ),
    Option(
        "--dry-run",
        "print the plan, send nothing",
        env="DRY_RUN",
        kind=bool,
        reproduce=False,
        default=False,
    ),
    Option(
        "--reference-mode",
        "self-started server only: strict checks that children exist",
        choices=REFERENCE_MODES,
        default="lenient",
    ),
    Option(
        "--run-id",
        "the run id in every marker (default: a fresh one)",
        reproduce=False,
    ),
    Option(
        "--verbose",
        "show pytest's whole output (tracebacks too) instead of a line per test; it is always "
        "in pytest.log beside the reports",
        env="VERBOSE",
        kind=bool,
        reproduce=False,
        default=False,
        command_only=True,
    ),
)
# What the suite's pytest declares (runner.plugin): the model less the command's own.
PYTEST_OPTIONS = tuple(option for option in OPTIONS if not option.command_only)
# `compare`'s own, beside the model's (its other side's key: OTHER_NGROK_API_KEY only).
COMPARE_OPTIONS = (
    Option(
        "--other-url",
        "compare: the other server; each request of the run goes to both",
        env="OTHER_URL",
    ),
    Option(
        "--other-child-backends",
        "compare: the other server's child backend ids, in the order of --child-backends "
        "(default: the same ids)",
        env="OTHER_CHILD_BACKENDS",
        default=(),
    ),
    Option(
        "--record",
        "compare: keep each side's exchanges in this folder, to replay with --recorded",
        env="RECORD",
        reproduce=False,
    ),
    Option(
        "--recorded",
        "compare: a folder --record wrote: its other side, replayed, instead of --other-url",
        env="RECORDED",
    ),
)


@dataclass(frozen=True, slots=True)
class Extension:
    """Options a checkout adds to the model (its test rig's), and the pytest plugin that
    acts on them; `remote_switch` names one that makes a loopback URL count as remote."""

    options: tuple[Option, ...] = ()
    plugin: str | None = None
    remote_switch: str | None = None


NO_EXTENSION = Extension()
# The suite's pytest always knows them (a run without them is no comparison).
COMPARE = Extension(options=COMPARE_OPTIONS)


def merged(extensions: Sequence[Extension]) -> Extension:
    """Several extensions as one (each pytest plugin may bring its own)."""
    plugins = [e.plugin for e in extensions if e.plugin]
    switches = [e.remote_switch for e in extensions if e.remote_switch]
    if len(plugins) > 1 or len(switches) > 1:
        raise OptionsError(f"more than one extension of the options: {plugins}")
    return Extension(
        options=tuple(o for e in extensions for o in e.options),
        plugin=plugins[0] if plugins else None,
        remote_switch=switches[0] if switches else None,
    )


def model(extension: Extension = NO_EXTENSION) -> tuple[Option, ...]:
    return OPTIONS + extension.options


def add_options(
    add: Callable[..., Any], options: Sequence[Option] = OPTIONS, hidden: Collection[str] = ()
) -> None:
    """Declare `options` through `add` (argparse's `add_argument` or pytest's `addoption`);
    those `hidden` (dests) are taken but not listed in --help.

    Defaults are None, so `resolve` can tell an absent flag from one given.
    """
    for option in options:
        shown = argparse.SUPPRESS if option.dest in hidden else option.help
        kwargs: dict[str, Any] = {"dest": option.dest, "default": None, "help": shown}
        if option.switch:
            kwargs["action"] = "store_true"
        else:
            kwargs["choices"] = option.choices
            if option.kind is int:
                kwargs["type"] = int
        add(option.flag, **kwargs)


def parser(
    description: str | None = None,
    extension: Extension = NO_EXTENSION,
    *,
    hidden: Collection[str] = (),
    only: Mapping[str, str | None] | None = None,
) -> argparse.ArgumentParser:
    """The command line of a command: the model's options (`only` these dests, when given,
    each with its help for this command or None for the model's: any other is refused as
    unknown), `hidden` ones taken but left out of --help (a command that refuses most of
    their values with a message of its own)."""
    result = argparse.ArgumentParser(description=description, allow_abbrev=False)
    chosen = [_for_command(option, only) for option in model(extension)]
    add_options(result.add_argument, [o for o in chosen if o is not None], hidden)
    return result


def _for_command(option: Option, only: Mapping[str, str | None] | None) -> Option | None:
    if only is None:
        return option
    if option.dest not in only:
        return None
    helped = only[option.dest]
    return option if helped is None else replace(option, help=helped)


@dataclass(frozen=True, slots=True)
class Options:
    seed: int
    profile: Profile
    reports_dir: Path
    api_key: str = field(repr=False)
    # Another account's key on the same server (isolation checks), None when not given.
    other_api_key: str | None = field(repr=False)
    base_url: str | None  # None: the suite starts the reference server
    child_backends: tuple[str, ...]
    run_id: str  # in the marker of every backend the run creates
    remote: bool  # not loopback: someone's real account (see safety)
    max_rpm: int | None  # requests per rolling minute at most; None: no limit
    live: bool  # the user agreed to a run against a remote account
    dry_run: bool
    require_coverage: bool
    reference_mode: str
    workers: int  # requests in flight at once (see drivers.workers)
    shard: int | None  # run only this shard (1-based) of each split test
    processes: int | None  # suite processes side by side, when given (`runner.parts`)
    # Every option of the model (an extension's too) by dest, as its flag would give it.
    values: dict[str, object]
    extension: Extension = field(default=NO_EXTENSION, repr=False)
    # The options given by a flag or a variable (the others have their defaults).
    given: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def marker(self) -> str:
        return marker_of(self.run_id)

    @property
    def workers_given(self) -> bool:
        return self.values["workers"] is not None

    def with_workers(self, workers: int) -> Options:
        """These options with the workers chosen (a reproduce line carries them)."""
        return replace(self, workers=workers, values={**self.values, "workers": workers})

    @property
    def target(self) -> str:
        return self.base_url or "the reference server (started by the suite)"

    @property
    def model(self) -> tuple[Option, ...]:
        return model(self.extension)

    def suite_argv(self) -> list[str]:
        """Flags that make the suite's pytest resolve to these same options (the key and the
        command's own options excepted)."""
        return [
            arg
            for option in self.model
            if not option.command_only and (value := self.values[option.dest]) not in (None, ())
            for arg in option.argv(value)
        ]

    def carried(self) -> list[tuple[Option, object]]:
        """What a reproduce line carries: each option it may carry whose value is not the
        one a run gets without it."""
        return [
            (option, value)
            for option in self.model
            if option.reproduce and (value := self.values[option.dest]) != option.default
        ]


def resolve(
    env: Mapping[str, str],
    argv: Sequence[str],
    *,
    default_seed: int | None = None,
    extension: Extension = NO_EXTENSION,
) -> Options:
    """The run's options from `argv` (flags; others are ignored) and `env`; `OptionsError`
    names the first bad value. `default_seed` replaces a fresh seed when none is given.
    """
    every = model(extension)
    given, _ = parser(extension=extension).parse_known_args(list(argv))
    raw = {option.dest: _value(option, given, env) for option in every}
    by_dest = {option.dest: option for option in every}
    base_url = raw["base_url"] or None
    if base_url is not None:
        check_base_url(base_url, by_dest["base_url"])
    assumed = bool(extension.remote_switch and raw[extension.remote_switch])
    remote = is_remote(base_url, assume_remote=assumed)
    api_key = key_from(env, KEY_ENV) if base_url else LOCAL_KEY
    if base_url and not api_key and not raw["dry_run"]:
        raise OptionsError(f"{by_dest['base_url'].named} needs the API key in ${KEY_ENV}")
    other_api_key = (key_from(env, OTHER_KEY_ENV) or None) if base_url else LOCAL_OTHER_KEY
    if other_api_key is not None and other_api_key == api_key:
        raise OptionsError(f"${OTHER_KEY_ENV} is the key of ${KEY_ENV}: give another account's")
    if raw["max_rpm"] is not None and raw["max_rpm"] < 0:
        raise OptionsError(f"{by_dest['max_rpm'].named}: {raw['max_rpm']} is below 0")
    for option in extension.options:
        if option.kind is int and (raw[option.dest] or 0) < 0:
            raise OptionsError(f"{option.named}: {raw[option.dest]} is below 0")
    workers, shard = _workers(raw["workers"], raw["shard"], by_dest)
    processes = raw["processes"]
    if processes is not None and not 1 <= processes <= MAX_PROCESSES:
        raise OptionsError(
            f"{by_dest['processes'].named}: {processes} is not between 1 and {MAX_PROCESSES}"
        )
    run_id = raw["run_id"] or new_run_id()
    if MARKER_RE.match(marker_of(run_id)) is None:
        raise OptionsError(f"--run-id: {run_id!r} is not a run id like 20261126T074746Z-3f2a9c")
    max_rpm = max_rpm_for(remote, raw["max_rpm"])
    seed = _seed(raw["seed"], env, default_seed)
    profile = PROFILES[profile_for(remote, raw["profile"])]
    reports_dir = Path(raw["reports_dir"] or DEFAULT_REPORTS_DIR)
    children = child_ids(raw["child_backends"] or "", by_dest["child_backends"])
    reference_mode = raw["reference_mode"] or "lenient"
    values: dict[str, object] = {
        **{
            option.dest: option.default if raw[option.dest] is None else raw[option.dest]
            for option in every
        },
        "seed": seed,
        "profile": profile.name,
        "reports_dir": str(reports_dir),
        "base_url": base_url,
        "child_backends": children,
        "reference_mode": reference_mode,
        "run_id": run_id,
        "max_rpm": max_rpm or 0,  # 0: no limit, said explicitly
        "workers": raw["workers"],  # None until chosen (`Options.with_workers`)
        "shard": shard,
    }
    return Options(
        seed=seed,
        profile=profile,
        reports_dir=reports_dir,
        api_key=api_key,
        other_api_key=other_api_key,
        base_url=base_url,
        child_backends=children,
        run_id=run_id,
        remote=remote,
        max_rpm=max_rpm,
        live=bool(raw["live"]),
        dry_run=bool(raw["dry_run"]),
        require_coverage=bool(raw["require_coverage"]),
        reference_mode=reference_mode,
        workers=workers,
        shard=shard,
        processes=processes,
        values=values,
        extension=extension,
        given=frozenset(dest for dest, value in raw.items() if value is not None),
    )


def _value(option: Option, given: argparse.Namespace, env: Mapping[str, str]) -> Any:
    """The flag's value, else its environment variable's (empty counts as absent)."""
    value = getattr(given, option.dest)
    if option.switch and not value:
        value = None
    if value is not None or option.env is None or not env.get(option.env):
        return value
    raw = env[option.env]
    if option.switch:
        return raw.strip().lower() in _TRUE
    if option.choices is not None and raw not in option.choices:
        raise OptionsError(f"{option.env}={raw!r} is not one of {', '.join(option.choices)}")
    if option.kind is int:
        try:
            return int(raw)
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


def _workers(
    given: int | None, shard: int | None, by_dest: Mapping[str, Option]
) -> tuple[int, int | None]:
    """The run's workers (until chosen, when not given) and the shard to run alone, if any."""
    if shard is not None and given is None:
        raise OptionsError(
            f"{by_dest['shard'].named} needs {by_dest['workers'].named} (the shards of how many)"
        )
    if given is None:
        return DEFAULT_WORKERS, shard
    if not 1 <= given <= MAX_WORKERS:
        raise OptionsError(
            f"{by_dest['workers'].named}: {given} is not between 1 and {MAX_WORKERS}"
        )
    if shard is not None and not 1 <= shard <= given:
        raise OptionsError(
            f"{by_dest['shard'].named}: {shard} is not between 1 and the run's workers ({given})"
        )
    return given, shard


def key_from(env: Mapping[str, str], name: str) -> str:
    """The API key in `env[name]`, surrounding whitespace left out (a file's last newline);
    one that no header can carry is refused by what is wrong with it, never shown."""
    key = env.get(name, "").strip()
    for position, character in enumerate(key, start=1):
        if not " " <= character <= "~":
            what = "a control character" if character.isascii() else "a character not ASCII"
            raise OptionsError(
                f"${name} holds {what} (its character {position} of {len(key)}): an API key "
                "is printable ASCII, as a header carries it"
            )
    return key


def check_base_url(base_url: str, option: Option) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise OptionsError(
            f"{option.named}: {base_url!r} is not a base URL like https://api.ngrok.com"
        )


def child_ids(given: str, option: Option) -> tuple[str, ...]:
    children = tuple(c.strip() for c in given.split(",") if c.strip())
    bad = [c for c in children if BACKEND_ID_RE.fullmatch(c) is None]
    if bad:
        raise OptionsError(
            f"{option.named}: {bad[0]!r} is not a backend id "
            "('bkd', two letters, '_' and 27 base62 characters)"
        )
    return children


def name_of(dest: str) -> str:
    """How messages name an option of the product's model (see `Option.named`)."""
    return next(o for o in OPTIONS if o.dest == dest).named


def named(dest: str, value: object) -> str:
    """An option with its value as a person would type it here: `--profile schema`, and in
    a checkout `(PROFILE=schema)` too."""
    option = next(o for o in OPTIONS if o.dest == dest)
    flag = f"{option.flag} {text(value)}"
    return flag if INSTALLED or option.env is None else f"{flag} ({option.env}={text(value)})"


def plan(options: Options) -> str:
    """What the run will do at most, for a person to approve (printed before a live run)."""
    return render_plan(
        base_url=options.target,
        profile=options.profile,
        max_rpm=options.max_rpm,
        run_marker=options.marker,
        workers=options.workers if options.workers_given else None,
    )


def check_consent(options: Options) -> None:
    """A remote account is tested only with `--live` (LIVE=1): else the plan and a refusal."""
    if options.remote and not options.live and not options.dry_run:
        how = "--live" if INSTALLED else "LIVE=1 (make) or --live"
        raise OptionsError(
            f"{options.base_url} is not a loopback address, so it is treated as a real "
            f"account.\n{plan(options)}\nRun again with {how} to go ahead."
        )
