"""Where the server's keys come from, and that no output shows one: the banner, `--help`,
errors and `make serve` name a key by its last four characters at most."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ngrok_failover_server.__main__ import banner, main, parse_config
from ngrok_failover_server.config import ServerConfig, key_hint
from ngrok_failover_server.testing import RunningServer, serve_in_subprocess

from .conftest import Api, refusal

ROOT = Path(__file__).resolve().parents[2]
KEY = "live_key_from_somewhere_9Qx4"
OTHER_KEY = "another_accounts_key_7Hd2"


@pytest.fixture(autouse=True)
def no_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_API_KEY", raising=False)


def key_file(tmp_path: Path, text: str, name: str = "key") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NGROK_API_KEY", KEY)
    assert parse_config([]).api_key == KEY


def test_the_key_comes_from_a_file_whitespace_stripped(tmp_path: Path) -> None:
    assert parse_config(["--api-key-file", key_file(tmp_path, f"  {KEY}\n")]).api_key == KEY


def test_api_key_wins_over_the_file_which_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NGROK_API_KEY", "from_env_0000000")
    path = key_file(tmp_path, "from_file_000000")
    assert parse_config(["--api-key-file", path]).api_key == "from_file_000000"
    assert parse_config(["--api-key-file", path, "--api-key", KEY]).api_key == KEY


def test_no_key_anywhere_makes_a_random_one() -> None:
    assert parse_config([]).api_key != parse_config([]).api_key


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("", "the file is empty"),
        (" \n\n", "the file is empty"),
        ("two words", "printable ASCII without spaces"),
    ],
)
def test_a_bad_key_file_is_refused_by_name(
    tmp_path: Path, content: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = key_file(tmp_path, content)
    err = refusal(["--api-key-file", path], capsys)
    assert f"--api-key-file {path}" in err or "--api-key-file:" in err
    assert named in err
    assert "two words" not in err


def test_an_unreadable_key_file_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    err = refusal(["--api-key-file", str(missing)], capsys)
    assert f"--api-key-file {missing}: cannot read it: No such file or directory" in err
    folder = tmp_path / "a-folder"
    folder.mkdir()
    err = refusal(["--api-key-file", str(folder)], capsys)
    assert f"--api-key-file {folder}: cannot read it: Is a directory" in err


def test_the_banner_shows_a_hint_never_the_key() -> None:
    config = ServerConfig(api_key=KEY, accounts=(("team-b", OTHER_KEY),))
    text = banner(config, "http://127.0.0.1:1", key_from="NGROK_API_KEY")
    assert KEY not in text and OTHER_KEY not in text
    assert "API key:    ending in '9Qx4' (from NGROK_API_KEY)" in text
    assert "accounts:   default (ending in '9Qx4'), team-b (ending in '7Hd2')" in text


def test_a_short_key_shows_no_character() -> None:
    assert key_hint("secret") == "a 6-character key"
    assert "secret" not in banner(ServerConfig(api_key="secret"), "http://h:1")


def test_help_says_which_key_wins(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--api-key wins over --api-key-file, which wins over NGROK_API_KEY" in text


def test_the_started_server_prints_no_key_and_takes_it_from_its_environment() -> None:
    with serve_in_subprocess(ServerConfig(api_key=KEY)) as server:
        assert server.pid is not None
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes()
        assert KEY.encode() not in cmdline
        api = Api(server)
        assert api.http.get("/backends/failover").status_code == 200
        api.close()


def test_make_serve_echoes_no_key() -> None:
    """`make serve API_KEY=...` as a user types it: the key in no line it prints."""
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"API_KEY={KEY}", "PORT=0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("NGROK_API_KEY", "MAKEFLAGS")},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    while lines[-1] and "parser:" not in lines[-1]:
        lines.append(proc.stdout.readline())
    proc.terminate()
    rest, _ = proc.communicate(timeout=30)
    printed = "".join(lines) + rest
    assert "API key:    ending in '9Qx4' (from NGROK_API_KEY)" in printed, printed
    assert KEY not in printed


def test_a_running_server_knows_its_accounts(failover_server_accounts: RunningServer) -> None:
    server = failover_server_accounts
    assert set(server.accounts) == {"default", "other"}
    assert server.accounts["default"] == server.api_key
