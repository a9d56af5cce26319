"""Accounts kept apart: a key neither sees nor changes another account's backends, either way.

ngrok's API is multi-tenant: a key reaches its own account only, and a backend of another
account is answered as one that does not exist (404; ngrok documents nothing else). The
second account's key comes from `NGROK_OTHER_ACCOUNT_KEY`; the reference server the suite
starts for itself has two accounts.
"""

from __future__ import annotations

import pytest

from ..core.api import LIMIT_MAX
from ..drivers.walks import read_all
from ..live.ledger import Ledger


def test_one_account_neither_sees_nor_changes_another_s_backends(ledger: Ledger) -> None:
    """Both ways: get, update and delete of the other account's backend answer 404 and change
    nothing (it reads back unchanged with its own key), and no page of the list shows it."""
    other = ledger.other
    if other is None:
        pytest.skip("no second account: give its key in NGROK_OTHER_ACCOUNT_KEY")
    ours = str(ledger.create({"description": "ours", "backends": []})[1]["id"])
    theirs = str(other.create({"description": "theirs", "backends": []})[1]["id"])
    for key, foreign, own in ((ledger, theirs, ours), (other, ours, theirs)):
        key.get(foreign)
        key.update(foreign, {"metadata": "not yours"})
        key.delete(foreign)
        read_all(key, LIMIT_MAX)
        key.get(own)
    ledger.get(ours)  # as created, after the other account's update and delete of it
    other.get(theirs)
