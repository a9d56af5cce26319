"""A mock that keeps no state is told so in one line and can be held to the schema alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutation.asgi import ASGIApp, Fault, Reply, Request
from mutation.rewrite import rewrite_field
from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_server.testing import serve_in_thread

from .helpers import CI_SEED, Verdict, run_contract

# The spec's example backend: what a mock built from examples answers to every create.
EXAMPLE_ID = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"


def answers_every_create_with_the_example(app: ASGIApp) -> ASGIApp:
    """Stores nothing a client can find again: every create answers the same example id."""

    def on_reply(request: Request, reply: Reply) -> Reply:
        body = reply.json()
        if request.method == "POST" and reply.status == 201 and isinstance(body, dict):
            uri = body["uri"].replace(body["id"], EXAMPLE_ID)
            return reply.with_json({**body, "id": EXAMPLE_ID, "uri": uri})
        return reply

    return Fault(app, on_reply=on_reply)


def _run_against_a_stateless_server(reports: Path, *args: str, processes: int = 1) -> Verdict:
    with serve_in_thread(wrap=answers_every_create_with_the_example) as server:
        common = (f"--seed={CI_SEED}", f"--base-url={server.base_url}", *args)
        env = {"NGROK_API_KEY": server.api_key, "PROCESSES": str(processes)}
        return run_contract(reports, *common, env=env)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_stateless_server_is_named_once_and_pointed_to_the_schema_profile(
    tmp_path: Path, processes: int
) -> None:
    """Once, in a run of two parts too: both find it, the summary says it once."""
    semantic = _run_against_a_stateless_server(tmp_path, processes=processes)
    assert semantic.returncode == ExitStatus.CANNOT_RUN, semantic.output[-3000:]
    assert "keeps no state" in semantic.output and "--profile schema" in semantic.output
    assert semantic.summary.count("keeps no state") == 1, semantic.summary


def test_a_stateless_server_passes_the_schema_profile(tmp_path: Path) -> None:
    schema = _run_against_a_stateless_server(tmp_path, "--profile=schema")
    assert schema.returncode == ExitStatus.CONFORMANT, schema.summary or schema.output[-3000:]
    assert "Profile: schema" in schema.summary


def test_a_server_that_stores_a_field_wrong_is_a_violation_not_a_mock(tmp_path: Path) -> None:
    """Only a mock's evidence (the spec's example answered, or a backend not found right
    after its create) means "keeps no state"; a description stored cut short is a violation."""
    cut = rewrite_field(
        "description", lambda value: value[:10] if isinstance(value, str) else value
    )
    with serve_in_thread(wrap=cut) as server:
        verdict = run_contract(
            tmp_path,
            f"--seed={CI_SEED}",
            f"--base-url={server.base_url}",
            "--profile=live",
            "--",
            "-x",
            env={"NGROK_API_KEY": server.api_key},
        )
    assert verdict.returncode == ExitStatus.VIOLATIONS, verdict.output[-3000:]
    assert "keeps no state" not in verdict.output
    assert "## 1. description_reads_back" in verdict.summary, verdict.summary[:3000]
