"""Backends the run deletes unjudged (a fixture's teardown, a scenario's end) are gone for
the model too: a later list that leaves them out is no violation."""

from __future__ import annotations

from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import Ledger
from ngrok_failover_contract.live.marker import marker_of
from ngrok_failover_server.testing import serve_in_thread

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
