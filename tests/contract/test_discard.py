"""Backends the run deletes unjudged (a fixture's teardown, a scenario's end) are gone for
the model too: a later list that leaves them out is no violation."""

from __future__ import annotations

from pathlib import Path

from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import Ledger
from ngrok_failover_contract.live.marker import marker_of
from ngrok_failover_contract.runner.lifecycle import ANCHOR_COUNT
from ngrok_failover_server.testing import serve_in_thread

from .helpers import CI_SEED, run_contract

RUN_ID = "20261201T120000Z-d15ca4"


def test_a_list_after_an_unjudged_delete_does_not_expect_what_it_deleted() -> None:
    with serve_in_thread() as server:
        client = ApiClient(server.base_url, server.api_key, Gate(marker_of(RUN_ID)))
        ledger = Ledger(client, Judge(), 0, (), RUN_ID)
        try:
            kept = str(ledger.create({"description": "kept", "backends": []})[1]["id"])
            made = [str(ledger.create({"description": "page", "backends": []})[1]["id"])]
            assert ledger.discard_many(made) == made  # as a fixture ends: unjudged
            page = ledger.list_page(limit=100).json()  # judged: the one page holds all held
            assert [item["id"] for item in page["backends"]] == [kept]
            ledger.discard(kept)
            assert ledger.list_page(limit=100).json()["backends"] == []
        finally:
            client.close()


def test_the_link_machines_scenarios_delete_their_backends_at_their_end(tmp_path: Path) -> None:
    """Like the model's, each scenario of Schemathesis's link machine deletes what it still
    holds when it ends (every list walk of the run would read it): the run's cleanup finds
    only the anchors, made before any test."""
    verdict = run_contract(
        tmp_path, f"--seed={CI_SEED}", "--profile=live", "--", "-k", "test_links_chain_operations"
    )
    assert verdict.returncode == 0, verdict.output
    assert f"cleanup: deleted {ANCHOR_COUNT} backends this run created" in verdict.output, (
        verdict.output
    )
