"""The run's journal (`live.journal`): every id a run created, on disk as soon as it is
created, so that a backend whose description the run emptied (no marker left) is still
found by `cleanup` after a crash; and the gate's rule that only such a backend may lose it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ngrok_failover_contract.core.exchange import auth_headers
from ngrok_failover_contract.live.gate import Gate, UnsafeRequest
from ngrok_failover_contract.live.journal import Journal, journaled
from ngrok_failover_contract.live.marker import marker_of
from ngrok_failover_server.testing import serve_in_thread

from .helpers import ROOT

RUN = "20261201T101011Z-204c1c"
ID = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"


def test_a_journal_is_on_disk_as_soon_as_an_id_is_recorded_and_removed_when_done(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path, RUN)
    journal.record(ID)
    journal.record(ID)  # once only
    assert journaled(tmp_path) == {tmp_path / f"{RUN}.ids": [ID]}
    assert ID in journal
    journal.close(keep=True)
    assert journal.path is not None and journal.path.exists()
    Journal(tmp_path, "other").close(keep=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{RUN}.ids"]


def test_the_gate_lets_an_update_drop_the_marker_only_for_a_journaled_backend(
    tmp_path: Path,
) -> None:
    gate = Gate(marker_of(RUN))
    gate.allow(ID)
    url = f"http://127.0.0.1:1/backends/failover/{ID}"
    with pytest.raises(UnsafeRequest, match="lacks the run marker"):
        gate.check("PATCH", url, b'{"description": ""}')
    journal = Journal(tmp_path, RUN)
    gate.journaled = journal.__contains__
    journal.record(ID)
    gate.check("PATCH", url, b'{"description": ""}')
    with pytest.raises(UnsafeRequest, match="lacks the run marker"):  # a create never may
        gate.check("POST", "http://127.0.0.1:1/backends/failover", b'{"description": ""}')


def test_cleanup_deletes_what_a_killed_run_s_journal_names_and_nothing_else(
    tmp_path: Path,
) -> None:
    with serve_in_thread() as server, httpx.Client(base_url=server.base_url) as http:
        headers = auth_headers(server.api_key)

        def create(description: str) -> str:
            answer = http.post(
                "/backends/failover",
                headers=headers,
                json={"description": description, "backends": []},
            )
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])

        emptied, someone_elses = create(""), create("production")
        journal = Journal(tmp_path / "journal", RUN)
        journal.record(emptied)
        journal.close(keep=True)  # what kill -9 leaves: the journal, and no marker to find
        env = {**os.environ, "NGROK_API_KEY": server.api_key}
        cleanup = subprocess.run(
            [
                sys.executable,
                "-m",
                "scripts.cleanup_contract",
                f"--base-url={server.base_url}",
                f"--reports-dir={tmp_path}",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
        assert f"removed {emptied} (contract run {RUN}, named in its journal)" in cleanup.stdout
        listed = [
            b["id"] for b in http.get("/backends/failover", headers=headers).json()["backends"]
        ]
    assert listed == [someone_elses]
    assert not (tmp_path / "journal" / f"{RUN}.ids").exists()


def test_a_journal_of_a_server_the_run_started_is_kept_in_memory(tmp_path: Path) -> None:
    """That server ends with the run: the journal still tells the gate what the run made."""
    journal = Journal(None, RUN)
    journal.record(ID)
    assert ID in journal and journal.path is None
    journal.close(keep=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sync", [True, False])
def test_a_journal_syncs_each_id_to_disk_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sync: bool
) -> None:
    """A remote account's journal is synced as written; one of a server on this machine is
    written (it outlives a killed run) but not synced."""
    synced: list[int] = []
    monkeypatch.setattr("ngrok_failover_contract.live.journal.os.fsync", synced.append)
    journal = Journal(tmp_path, RUN, sync=sync)
    journal.record(ID)
    assert journaled(tmp_path) == {tmp_path / f"{RUN}.ids": [ID]}
    assert len(synced) == (1 if sync else 0)
    journal.close(keep=False)


def test_cleanup_takes_only_the_options_it_acts_on(capsys: pytest.CaptureFixture[str]) -> None:
    """A run's --workers or --seed would do nothing here: refused as unknown, not ignored."""
    from ngrok_failover_contract.runner.cleanup import main  # noqa: PLC0415

    with pytest.raises(SystemExit) as refused:
        main(["--base-url=http://127.0.0.1:9", "--workers=3"])
    assert refused.value.code == 2
    assert "unrecognized arguments: --workers=3" in capsys.readouterr().err
    with pytest.raises(SystemExit) as helped:
        main(["--help"])
    assert helped.value.code == 0
    shown = capsys.readouterr().out
    assert "the server a killed run tested" in shown and "journals are" in shown
    for flag in ("--seed", "--workers", "--profile", "--live", "--processes"):
        assert flag not in shown, flag
