"""`resolve(env, argv)`: the one place a run's options are decided, for make and pytest alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.options import (
    CI_SEED,
    LOCAL_KEY,
    OptionsError,
    check_consent,
    resolve,
)

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
    options = resolve({}, ["contract_tests", "-q", "-p", "no:cacheprovider", "-x", "--seed=5"])
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
        ({}, ["--reference-delay-ms=-5"], "-5 is below 0"),
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


def test_suite_args_resolve_to_the_same_options() -> None:
    """What make contract hands to pytest: the plugin resolves it to the run decided here."""
    env = {"NGROK_API_KEY": "k"}
    argv = [f"--base-url={REMOTE}", "--live", f"--child-backends={CHILD}", "--max-rpm=30"]
    options = resolve(env, argv)
    assert resolve(env, options.suite_args()) == options
    local = resolve({}, ["--reference-mode=strict", "--mutant=page_loop"])
    assert resolve({}, local.suite_args()) == local
    sharded = resolve({}, ["--workers=8", "--shard=3", "--reference-delay-ms=150"])
    assert resolve({}, sharded.suite_args()) == sharded


def test_workers_default_by_where_the_server_is_and_come_from_make() -> None:
    """Loopback answers at once (one request at a time is fastest); a distant server's
    round trips are waited out 16 at a time."""
    assert resolve({}, []).workers == 1
    assert resolve({"NGROK_API_KEY": "k"}, [f"--base-url={LOCAL}"]).workers == 1
    assert resolve({"NGROK_API_KEY": "k"}, [f"--base-url={REMOTE}"]).workers == 16
    assert resolve({"WORKERS": "2", "SHARD": "2"}, []).shard == 2
