"""With --db, every acknowledged write survives a restart and a kill -9."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import new_api_key, serve_in_subprocess

from .conftest import KNOWN, Api


def without_uri(backends: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The backends minus `uri`, which names the port, new at each start."""
    return [{k: v for k, v in b.items() if k != "uri"} for b in backends]


def test_acknowledged_writes_survive_kill_9_and_restart(tmp_path: Path) -> None:
    config = ServerConfig(api_key=new_api_key(), db_path=str(tmp_path / "failover.db"))
    with serve_in_subprocess(config) as server:
        api = Api(server)
        made = [api.create(description=f"n{i}", backends=[KNOWN]) for i in range(30)]
        updated = api.http.patch(
            f"/backends/failover/{made[0]['id']}", json={"metadata": "kept"}
        ).json()
        assert api.http.delete(f"/backends/failover/{made[1]['id']}").status_code == 204
        expected = sorted([updated, *made[2:]], key=lambda b: b["id"], reverse=True)
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        api.close()

    with serve_in_subprocess(config) as again:
        api = Api(again)
        assert without_uri(api.everything()) == without_uri(expected)
        newer = api.create()
        assert newer["id"] > expected[0]["id"]
        api.close()


def test_a_clean_restart_keeps_everything(tmp_path: Path) -> None:
    config = ServerConfig(api_key=new_api_key(), db_path=str(tmp_path / "failover.db"))
    with serve_in_subprocess(config) as server:
        api = Api(server)
        made = api.create(description="kept")
        api.close()
    with serve_in_subprocess(config) as again:
        api = Api(again)
        got = api.http.get(f"/backends/failover/{made['id']}").json()
        assert without_uri([got]) == without_uri([made])
        api.close()
