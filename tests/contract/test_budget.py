"""A spent budget tells when the account's own backends spent it: the paging test's walks
read all that exist, so an account crowded before the run runs out where an empty one would
not."""

from __future__ import annotations

import httpx

from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.core.exchange import auth_headers
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import CROWDED, Ledger
from ngrok_failover_contract.live.marker import marker_of
from ngrok_failover_server.testing import serve_in_thread

RUN_ID = "20261202T120000Z-b0d6e7"


def test_a_crowded_account_is_named_in_the_note_of_a_spent_budget() -> None:
    with serve_in_thread() as server:
        headers = auth_headers(server.api_key)
        with httpx.Client(base_url=server.base_url, headers=headers) as team:
            for number in range(CROWDED - 1):
                team.post(
                    "/backends/failover", json={"description": f"team {number}", "backends": []}
                )
            client = ApiClient(server.base_url, server.api_key, Gate(marker_of(RUN_ID)))
            try:
                ledger = Ledger(client, Judge(), 0, (), RUN_ID)
                ledger.survey()
                assert ledger.crowded_note() == ""  # one fewer: the budget's alone to tell
                team.post("/backends/failover", json={"description": "one more", "backends": []})
                ledger.survey()
                note = ledger.crowded_note()
            finally:
                client.close()
    assert note.startswith(f" (the account held {CROWDED} backends before the run")
    assert "an account of the run's own" in note
