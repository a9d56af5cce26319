"""Schemathesis's `ignored_auth` runs through `auth_probes_once`: its probes (the request
again without a key, and with a wrong one) are sent once per operation, not after every 2xx."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from ngrok_failover_contract.checks import adapters

KEY = "the-run-key"


def answer(status: int, authorization: str) -> Any:
    return SimpleNamespace(
        status_code=status, request=SimpleNamespace(headers={"Authorization": authorization})
    )


def case(label: str, *, positive: bool = True) -> Any:
    mode = SimpleNamespace(is_positive=positive)
    return SimpleNamespace(
        operation=SimpleNamespace(label=label),
        meta=SimpleNamespace(generation=SimpleNamespace(mode=mode)),
    )


@pytest.fixture
def probed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations Schemathesis's own check ran for (and would have probed)."""
    seen: list[str] = []

    def check(ctx: object, response: Any, generated: Any) -> None:
        seen.append(generated.operation.label)
        if response.request.headers["Authorization"] == "Bearer refused-probe":
            raise AssertionError("API accepts requests without authentication")

    monkeypatch.setattr(adapters, "schemathesis_ignored_auth", check)
    return seen


def test_each_operation_is_probed_once_after_its_first_2xx(probed: list[str]) -> None:
    check = adapters.auth_probes_once(set(), KEY)
    for label in ("POST /x", "POST /x", "GET /x", "POST /x", "GET /x"):
        check(None, answer(201, f"Bearer {KEY}"), case(label))  # type: ignore[arg-type]
    assert probed == ["POST /x", "GET /x"]


def test_other_answers_are_checked_every_time(probed: list[str]) -> None:
    confirmed = {"POST /x"}
    check = adapters.auth_probes_once(confirmed, KEY)
    check(None, answer(201, "Bearer another-key"), case("POST /x"))  # type: ignore[arg-type]
    check(None, answer(400, f"Bearer {KEY}"), case("POST /x"))  # type: ignore[arg-type]
    check(None, answer(201, f"Bearer {KEY}"), case("POST /x", positive=False))  # type: ignore[arg-type]
    assert probed == ["POST /x"] * 3


def test_an_operation_whose_probe_got_in_is_not_held_proven(probed: list[str]) -> None:
    confirmed: set[str] = set()
    check = adapters.auth_probes_once(confirmed, "refused-probe")
    with pytest.raises(AssertionError):
        check(None, answer(200, "Bearer refused-probe"), case("GET /x"))  # type: ignore[arg-type]
    assert confirmed == set()
