"""One run at a time in a reports folder (`runner.reports_folder`): a second run's parts
would claim the first one's tests, and both would pass having run only some of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ngrok_failover_contract.core.verdict import ExitStatus
from ngrok_failover_contract.runner.cli import main
from ngrok_failover_contract.runner.reports_folder import FolderRefused, held


def test_a_held_folder_is_refused_to_another_run_and_free_once_released(tmp_path: Path) -> None:
    with (
        held(tmp_path, "--reports-dir"),
        pytest.raises(FolderRefused) as refused,
        held(tmp_path, "--reports-dir"),
    ):
        pass
    message = str(refused.value)
    assert f"another run (process {os.getpid()}) is writing its reports in {tmp_path}" in message
    assert message.endswith("a folder of its own with --reports-dir")
    with held(tmp_path, "--reports-dir"):  # released: the next run takes it
        pass


def test_a_second_run_in_the_same_folder_cannot_run_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "summary.md").write_text("the first run's\n", encoding="utf-8")
    with held(tmp_path, "--reports-dir"):
        status = main([f"--reports-dir={tmp_path}", "--seed=0"])
    assert status == ExitStatus.CANNOT_RUN
    assert "could not run: another run" in capsys.readouterr().err
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "the first run's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "summary.md"]


def test_a_second_comparison_in_the_same_folder_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTHER_NGROK_API_KEY", "other-key")
    with held(tmp_path, "--reports-dir"):
        status = main(["compare", f"--reports-dir={tmp_path}", "--other-url=http://127.0.0.1:9"])
    assert status == ExitStatus.CANNOT_RUN
    assert "could not run: another run" in capsys.readouterr().err


def test_cleanup_waits_for_a_run_that_is_still_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a live run's journal names is that run's: cleanup is for killed runs."""
    monkeypatch.setenv("NGROK_API_KEY", "some-key")
    with held(tmp_path, "--reports-dir"):
        status = main(["cleanup", "--base-url=http://127.0.0.1:9", f"--reports-dir={tmp_path}"])
    assert status == ExitStatus.CANNOT_RUN
    assert "contract-cleanup: could not run: another run" in capsys.readouterr().err


def test_a_folder_that_cannot_be_written_is_named_with_the_option_to_give_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "summary.md"
    taken.write_text("kept\n", encoding="utf-8")
    status = main([f"--reports-dir={taken}", "--seed=0"])
    assert status == ExitStatus.CANNOT_RUN
    shown = capsys.readouterr().err
    assert f"could not run: cannot write reports in {taken}: a file of that name is there" in shown
    assert shown.rstrip().endswith("give a folder with --reports-dir (REPORTS_DIR)")
    assert taken.read_text(encoding="utf-8") == "kept\n"
