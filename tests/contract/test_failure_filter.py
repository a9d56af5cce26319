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


@pytest.mark.parametrize("status", [400, 403, 404, 405, 499])
def test_any_4xx_to_an_unsupported_method_is_allowed_wherever_the_server_runs(
    status: int,
) -> None:
    """ngrok documents no 405: a loopback server is held to the docs, not to our choice."""
    assert not keeps_failure(_unsupported(status), status)


@pytest.mark.parametrize("status", [200, 204, 500])
def test_a_non_4xx_to_an_unsupported_method_is_a_violation(status: int) -> None:
    assert keeps_failure(_unsupported(status), status)


def test_a_missing_key_may_get_403_but_nothing_else() -> None:
    assert not keeps_failure(_key_not_rejected("Authorization", 403), 403)
    assert keeps_failure(_key_not_rejected("Authorization", 200), 200)
    assert keeps_failure(_key_not_rejected("Ngrok-Version", 403), 403)


def test_a_404_to_an_unsupported_method_passes_remote_and_on_loopback(tmp_path: Path) -> None:
    """The same server (404 for methods the API lacks) is judged the same wherever it runs."""
    wrap = get_mutant("unsupported_method_404").wrap
    with serve_in_thread(wrap=wrap) as server:
        common = (f"--seed={CI_SEED}", f"--base-url={server.base_url}")
        env = {"NGROK_API_KEY": server.api_key}
        remote = run_contract(
            tmp_path / "remote", *common, "--assume-remote", "--live", "--max-rpm=0", env=env
        )
        local = run_contract(tmp_path / "local", *common, "--", "-x", env=env)
    assert remote.returncode == 0, remote.summary or remote.output[-3000:]
    assert local.returncode == 0, local.summary or local.output[-3000:]
