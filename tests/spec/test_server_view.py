"""spec/failover.server-view.openapi.yaml: written by `make generate` from the suite's one
builder (`checks.documented.server_view()`), checked for drift by `make check-generated`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from ngrok_failover_contract.checks.documented import documented_view, server_view
from ngrok_failover_contract.core.spec import spec
from scripts import generate_server_view


def test_the_committed_file_is_the_view_the_suite_judges_by() -> None:
    committed = yaml.safe_load(generate_server_view.TARGET.read_text(encoding="utf-8"))
    assert committed == server_view() == documented_view().document
    assert committed != spec()  # it drops something: the undocumented constraints


def test_the_view_is_a_valid_openapi_document() -> None:
    validate(yaml.safe_load(generate_server_view.TARGET.read_text(encoding="utf-8")))


def test_check_passes_on_a_fresh_file_and_fails_on_a_hand_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "spec" / "view.yaml"
    target.parent.mkdir()
    monkeypatch.setattr(generate_server_view, "ROOT", tmp_path)
    monkeypatch.setattr(generate_server_view, "TARGET", target)
    assert generate_server_view.main(["--check"]) == 1  # missing
    assert generate_server_view.main([]) == 0
    assert generate_server_view.main(["--check"]) == 0
    target.write_text(target.read_text().replace("maxLength: 255", "maxLength: 256", 1))
    capsys.readouterr()
    assert generate_server_view.main(["--check"]) == 1
    out, err = capsys.readouterr()
    assert "maxLength: 256" in out
    assert "spec/view.yaml differs" in err
