"""The failures the suite drops are only those ngrok's documents allow (see keeps_failure)."""

from __future__ import annotations

from pathlib import Path

import pytest
from schemathesis.openapi.checks import MissingHeaderNotRejected, UnsupportedMethodResponse

from contract_tests.mutants import get_mutant
from contract_tests.schema import keeps_failure
from ngrok_failover_server.testing import serve_in_thread

from .helpers import CI_SEED, run_contract


def _unsupported(status: int) -> UnsupportedMethodResponse:
    return UnsupportedMethodResponse(
        operation="PUT /backends/failover",
        method="PUT",
        status_code=status,
        failure_reason="wrong_status",
        message=f"Unsupported method PUT returned {status}, expected 405",
    )


def _key_not_rejected(header: str, status: int) -> MissingHeaderNotRejected:
    return MissingHeaderNotRejected(
        operation="GET /backends/failover",
        header_name=header,
        status_code=status,
        expected_statuses=[401],
        message=f"Missing header not rejected: {header} answered {status}",
    )


@pytest.mark.parametrize("status", [400, 404, 403, 499])
def test_any_4xx_to_an_unsupported_method_is_allowed_against_a_remote_host(status: int) -> None:
    assert not keeps_failure(_unsupported(status), status, remote=True)


@pytest.mark.parametrize("status", [404, 400])
def test_the_reference_server_is_still_held_to_405(status: int) -> None:
    assert keeps_failure(_unsupported(status), status, remote=False)


@pytest.mark.parametrize("status", [200, 204, 500])
def test_a_non_4xx_to_an_unsupported_method_is_a_violation_anywhere(status: int) -> None:
    assert keeps_failure(_unsupported(status), status, remote=True)


def test_a_missing_key_may_get_403_but_nothing_else() -> None:
    assert not keeps_failure(_key_not_rejected("Authorization", 403), 403, remote=False)
    assert keeps_failure(_key_not_rejected("Authorization", 200), 200, remote=False)
    assert keeps_failure(_key_not_rejected("Ngrok-Version", 403), 403, remote=False)


def test_a_404_to_an_unsupported_method_passes_remote_and_fails_on_loopback(
    tmp_path: Path,
) -> None:
    """The same server (a planted 404 for unsupported methods), judged both ways."""
    wrap = get_mutant("unsupported_method_404").wrap
    with serve_in_thread(wrap=wrap) as server:
        common = (f"--seed={CI_SEED}", f"--base-url={server.base_url}")
        env = {"NGROK_API_KEY": server.api_key}
        remote = run_contract(
            tmp_path / "remote", *common, "--assume-remote", "--live", "--max-rpm=0", env=env
        )
        local = run_contract(tmp_path / "local", *common, "--", "-x", env=env)
    assert remote.returncode == 0, remote.summary or remote.output[-3000:]
    assert local.returncode == 1, local.summary or local.output[-3000:]
    assert "## 1. ST204 Wrong response to undeclared method" in local.summary, local.summary
