"""`resolve(env, argv)`: the one place a run's options are decided, for make and pytest alike."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from mutation.plugin import RIG
from ngrok_failover_contract.live.safety import workers_for
from ngrok_failover_contract.runner import options as options_module
from ngrok_failover_contract.runner.options import (
    CI_SEED,
    KEY_ENV,
    LOCAL_KEY,
    OPTIONS,
    Option,
    Options,
    OptionsError,
    check_consent,
    model,
    named,
    resolve,
    text,
)
from ngrok_failover_contract.runner.reproduce import command_line, reproduce_line
from tests.spec_tools import ROOT

LOCAL = "http://127.0.0.1:8080"
REMOTE = "https://api.ngrok.com"
CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"


def test_no_options_means_the_reference_server_quick_and_its_own_key() -> None:
    options = resolve({"CI": "true"}, [])
    assert options.base_url is None and options.api_key == LOCAL_KEY
    assert (options.profile.name, options.seed, options.max_rpm) == ("quick", CI_SEED, None)
    assert options.reports_dir == Path("reports/contract") and not options.remote


def test_seed_is_fixed_in_ci_given_when_asked_and_fresh_otherwise() -> None:
    assert resolve({"CI": "true"}, ["--seed=12"]).seed == 12
    assert resolve({"SEED": "7"}, []).seed == 7
    assert resolve({}, [], default_seed=0).seed == 0
    assert len({resolve({}, []).seed for _ in range(5)}) > 1


def test_a_flag_wins_over_its_environment_variable() -> None:
    env = {"SEED": "7", "PROFILE": "thorough", "BASE_URL": LOCAL, "NGROK_API_KEY": "k"}
    options = resolve(env, ["--seed", "3", "--profile=live", f"--base-url={REMOTE}"])
    assert (options.seed, options.profile.name, options.base_url) == (3, "live", REMOTE)
    assert options.api_key == "k"


def test_a_remote_host_gets_the_live_profile_and_100_requests_a_minute() -> None:
    options = resolve({"NGROK_API_KEY": "k", "LIVE": "1"}, [f"--base-url={REMOTE}"])
    assert options.remote and options.live
    assert (options.profile.name, options.max_rpm) == ("live", 100)
    assert resolve({"NGROK_API_KEY": "k", "MAX_RPM": "0"}, [f"--base-url={REMOTE}"]).max_rpm is None


def test_other_arguments_are_left_to_pytest() -> None:
    options = resolve({}, ["suite", "-q", "-p", "no:cacheprovider", "-x", "--seed=5"])
    assert options.seed == 5


@pytest.mark.parametrize(
    ("env", "argv", "message"),
    [
        ({}, [f"--base-url={LOCAL}"], "needs the API key in $NGROK_API_KEY"),
        ({"NGROK_API_KEY": "k"}, ["--base-url=api.ngrok.com"], "'api.ngrok.com' is not a base URL"),
        ({"SEED": "abc"}, [], "SEED='abc' is not an integer"),
        ({"PROFILE": "fast"}, [], "PROFILE='fast' is not one of live, quick, schema, thorough"),
        ({}, ["--child-backends=bkdhr_short"], "'bkdhr_short' is not a backend id"),
        ({"CHILD_BACKENDS": f"{CHILD},x"}, [], "'x' is not a backend id"),
        ({}, ["--max-rpm=-1"], "-1 is below 0"),
        ({}, ["--run-id=today"], "'today' is not a run id"),
        ({"WORKERS": "0"}, [], "WORKERS.: 0 is not between 1 and 64"),
        ({}, ["--workers=65"], "65 is not between 1 and 64"),
        ({"WORKERS": "many"}, [], "WORKERS='many' is not an integer"),
        ({}, ["--workers=4", "--shard=5"], "SHARD.: 5 is not between 1 and the run's workers"),
        ({"PROCESSES": "0"}, [], "PROCESSES.: 0 is not between 1 and 4"),
        ({}, ["--processes=5"], "5 is not between 1 and 4"),
    ],
)
def test_a_bad_option_is_refused_with_a_message_naming_it(
    env: dict[str, str], argv: list[str], message: str
) -> None:
    with pytest.raises(OptionsError, match=message.replace("$", r"\$").replace("(", r"\(")):
        resolve(env, argv)


def test_a_dry_run_needs_no_key() -> None:
    options = resolve({"DRY_RUN": "yes"}, [f"--base-url={REMOTE}"])
    assert options.dry_run and options.api_key == ""
    check_consent(options)  # nothing will be sent


def test_a_remote_account_needs_consent_and_is_shown_the_plan() -> None:
    options = resolve({"NGROK_API_KEY": "k"}, [f"--base-url={REMOTE}"])
    with pytest.raises(OptionsError, match="treated as a real account") as refused:
        check_consent(options)
    assert "at most 900 requests" in str(refused.value)
    check_consent(resolve({"NGROK_API_KEY": "k"}, [f"--base-url={REMOTE}", "--live"]))
    check_consent(resolve({"NGROK_API_KEY": "k"}, [f"--base-url={LOCAL}"]))


def test_the_suite_argv_resolves_to_the_same_options() -> None:
    """What make contract hands to pytest: the plugin resolves it to the run decided here."""
    env = {"NGROK_API_KEY": "k"}
    argv = [f"--base-url={REMOTE}", "--live", f"--child-backends={CHILD}", "--max-rpm=30"]
    options = resolve(env, argv)
    assert resolve(env, options.suite_argv()) == options
    local = resolve({}, ["--reference-mode=strict", "--mutant=page_loop"], extension=RIG)
    assert resolve({}, local.suite_argv(), extension=RIG) == local
    sharded = resolve({}, ["--workers=8", "--shard=3", "--reference-delay-ms=150"], extension=RIG)
    assert resolve({}, sharded.suite_argv(), extension=RIG) == sharded


def test_workers_are_chosen_from_the_round_trip_unless_given() -> None:
    """Not given, the workers wait for the preflight's round trip (one until then, and the
    suite's pytest is not told any); given, they are the run's; a shard needs them."""
    for argv in ([], [f"--base-url={LOCAL}"], [f"--base-url={REMOTE}"]):
        options = resolve({"NGROK_API_KEY": "k"}, argv)
        assert (options.workers, options.workers_given) == (1, False)
        assert not any(arg.startswith("--workers") for arg in options.suite_argv())
    chosen = resolve({}, []).with_workers(12)
    assert chosen.workers == 12 and chosen.workers_given
    assert resolve({}, chosen.suite_argv()).workers == 12
    assert resolve({"WORKERS": "2", "SHARD": "2"}, []).shard == 2
    with pytest.raises(OptionsError, match=r"SHARD\) needs --workers"):
        resolve({"SHARD": "2"}, [])


def test_workers_hide_the_round_trip_within_the_rate_limit() -> None:
    """Loopback's round trip is not worth hiding; a distant one takes round trip / the
    suite's own time per request in flight, at most 32, and no more than the rate limit
    keeps busy."""
    assert workers_for(0.0004, None).count == 1
    assert "under 1 ms" in workers_for(0.0004, None).why
    assert workers_for(0.020, None).count == 7
    slow = workers_for(0.150, None)
    assert slow.count == 32 and "150 ms" in slow.why and "the most chosen" in slow.why
    limited = workers_for(0.150, 100)
    assert limited.count == 1 and "100 requests a minute" in limited.why
    assert workers_for(0.150, 6000).count == 15


# -- The options model: every option through every form -----------------------------------------

MODEL = model(RIG)
# For each option a value a run would not get without it, as its flag gives it.
SAMPLE: dict[str, object] = {
    "seed": 1234,
    "profile": "thorough",
    "workers": 8,
    "shard": 3,
    "processes": 3,
    "base_url": LOCAL,
    "child_backends": (CHILD,),
    "live": True,
    "require_coverage": True,
    "max_rpm": 30,
    "reports_dir": "out/contract",
    "dry_run": True,
    "reference_mode": "strict",
    "run_id": "20261126T074746Z-3f2a9c",
    "mutant": "page_loop",
    "reference_delay_ms": 150,
    "assume_remote": True,
    "verbose": True,
}
# What every resolve below shares, so that two resolves of the same options are equal.
KEYED = {"CI": "true", KEY_ENV: "k"}
BASE = {"run_id": "20261126T074746Z-000000", "workers": 8}


def _argv(option: Option) -> list[str]:
    base = [f"--{d.replace('_', '-')}={v}" for d, v in BASE.items() if d != option.dest]
    return [*base, *option.argv(SAMPLE[option.dest])]


def _env_text(option: Option, value: object) -> str:
    return "1" if option.switch else text(value)


def _parsed_back(line: str) -> Options:
    """A reproduce line as the run it starts: make's variables, or a command's flags."""
    words = shlex.split(line)
    if words[:2] == ["make", "contract"]:
        env = dict(word.split("=", 1) for word in words[2:] if not word.startswith(KEY_ENV))
        return resolve({**KEYED, **env}, [], extension=RIG)
    flags = [w for w in words if w.startswith("--") or not w.startswith((KEY_ENV, ".venv"))]
    return resolve(
        KEYED, [w for w in flags if w not in ("-m", "scripts.run_contract")], extension=RIG
    )


def _carried(options: Options) -> dict[str, object]:
    return {option.dest: value for option, value in options.carried()}


def test_every_option_of_the_model_has_a_sample() -> None:
    assert set(SAMPLE) == {option.dest for option in MODEL}


@pytest.mark.parametrize("option", MODEL, ids=lambda option: option.dest)
def test_an_option_round_trips_through_every_form(option: Option) -> None:
    value = SAMPLE[option.dest]
    by_flag = resolve(KEYED, _argv(option), extension=RIG)
    assert by_flag.values[option.dest] == value
    if option.env is not None:
        env = {**KEYED, option.env: _env_text(option, value)}
        argv = [a for a in _argv(option) if not a.startswith(option.flag)]
        assert resolve(env, argv, extension=RIG) == by_flag
    if option.command_only:  # the command's own: the suite's pytest never sees it
        assert option.flag not in " ".join(by_flag.suite_argv())
        assert (
            resolve(KEYED, by_flag.suite_argv(), extension=RIG).values[option.dest]
            == option.default
        )
    else:
        assert resolve(KEYED, by_flag.suite_argv(), extension=RIG) == by_flag
    line = reproduce_line(by_flag)
    shown = option.flag in line or bool(option.env and f"{option.env}=" in line)
    assert shown is option.reproduce, line
    if option.reproduce:
        assert _carried(_parsed_back(line)) == _carried(by_flag), line
        installed = command_line("ngrok-failover-contract", by_flag.carried())
        assert _carried(_parsed_back(installed)) == _carried(by_flag), installed
    alone = reproduce_line(by_flag, shard=2)
    assert _parsed_back(alone).shard == 2 and _parsed_back(alone).workers == by_flag.workers


def test_a_make_line_when_make_has_every_variable_else_the_checkout_command() -> None:
    options = resolve(KEYED, ["--require-coverage", "--workers=2", "--shard=2"])
    line = reproduce_line(options)
    assert line == "make contract SEED=0 PROFILE=quick WORKERS=2 SHARD=2 REQUIRE_COVERAGE=1"
    mutant = resolve(KEYED, ["--mutant=page_loop", "--profile=live"], extension=RIG)
    assert reproduce_line(mutant.with_workers(1)) == (  # as the run chose them
        ".venv/bin/python -m scripts.run_contract --seed 0 --profile live --workers 1 "
        "--mutant page_loop"
    )


def _makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_makefile_exports_and_helps_with_every_make_variable() -> None:
    variables = [option.env for option in OPTIONS if option.env] + [KEY_ENV]
    exported = {
        name
        for line in _makefile().splitlines()
        if line.startswith("export ")
        for name in line.split()[1:]
    }
    (help_line,) = [line for line in _makefile().splitlines() if line.startswith("contract:")]
    helped = help_line.split("## ", 1)[1]
    assert [v for v in variables if v not in exported] == []
    assert [v for v in variables if not re.search(rf"\b{v}=", helped)] == []


def test_the_installed_command_names_its_flags_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(options_module, "INSTALLED", True)
    with pytest.raises(OptionsError, match=r"^--workers: 0 is not between") as refused:
        resolve({}, ["--workers=0"])
    assert "WORKERS" not in str(refused.value)
    assert named("seed", 7) == "--seed 7"
    monkeypatch.setattr(options_module, "INSTALLED", False)
    assert named("seed", 7) == "--seed 7 (SEED=7)"


def test_a_key_s_surrounding_whitespace_is_left_out() -> None:
    """A key read from a file ends in a newline, which no header can carry."""
    url = "--base-url=http://127.0.0.1:9"
    env = {"NGROK_API_KEY": " secret-key\n", "NGROK_OTHER_ACCOUNT_KEY": "o\t"}
    options = resolve(env, [url])
    assert (options.api_key, options.other_api_key) == ("secret-key", "o")


@pytest.mark.parametrize(
    ("key", "what"),
    [
        ("secret\nkey", "a control character (its character 7 of 10)"),
        ("sécret", "a character not ASCII (its character 2 of 6)"),
    ],
)
def test_a_key_no_header_can_carry_is_refused_by_what_is_wrong_not_shown(
    key: str, what: str
) -> None:
    with pytest.raises(OptionsError) as refused:
        resolve({"NGROK_API_KEY": key}, ["--base-url=http://127.0.0.1:9"])
    assert str(refused.value).startswith(f"$NGROK_API_KEY holds {what}")
    assert "secret" not in str(refused.value) and "cret" not in str(refused.value)
