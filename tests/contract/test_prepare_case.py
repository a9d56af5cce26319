"""`drivers.schema.prepare_case` on an update body's `id`: the spec marks it readOnly, so
Schemathesis sends one only in invalid bodies. It becomes the path's own id (update_body_id,
the same update as without it) or one naming no backend of anyone else's
(update_body_other_id), so a server that wrongly follows the body's id harms nobody."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from ngrok_failover_contract.checks.failures import GeneratedCase
from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.core.spec import SPEC
from ngrok_failover_contract.drivers.schema import prepare_case
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import Ledger

OWNED = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
ALSO_OWNED = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tv"
FOREIGN = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tw"
UPDATE = schemathesis.openapi.from_path(SPEC)["/backends/failover/{id}"]["PATCH"]


def drawn(count: int) -> list[GeneratedCase]:
    """`count` schema-valid update cases as Schemathesis generates them, of the path's id."""
    found: list[GeneratedCase] = []

    @given(UPDATE.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck))
    def draw(case: GeneratedCase) -> None:
        case.path_parameters = {"id": OWNED}
        found.append(case)

    draw()
    return found


def made(body: dict[str, Any]) -> GeneratedCase:
    """The same, made directly (what prepare_case reads of an invalid case is the same)."""
    return UPDATE.Case(path_parameters={"id": OWNED}, body=body, media_type="application/json")


def ledger() -> Ledger:
    run = Ledger(ApiClient("http://127.0.0.1:1", "key", Gate("")), Judge(), 0, (), "r")
    for backend_id in (OWNED, ALSO_OWNED):  # as if the run had created them
        run.created.append(backend_id)
        run.client.gate.allow(backend_id)
    return run


def prepared(body: dict[str, Any]) -> tuple[dict[str, Any], Ledger]:
    run = ledger()
    case = made(body)
    assert prepare_case(run, case)
    assert case.path_parameters == {"id": OWNED}
    assert isinstance(case.body, dict)
    return case.body, run


def test_a_schema_valid_body_gets_the_paths_own_id_now_and_then() -> None:
    # readOnly: Schemathesis never puts `id` in a valid body, so the suite adds the path's
    # own, as ngrok's JavaScript client sends it, to some of them.
    cases = drawn(40)
    assert cases and not any(isinstance(c.body, dict) and "id" in c.body for c in cases)
    run, case, ids = ledger(), cases[0], []
    for n in range(16):  # the choice follows the body: 16 bodies see both
        case.path_parameters, case.body = {"id": OWNED}, {"metadata": str(n)}
        assert prepare_case(run, case)
        assert isinstance(case.body, dict)
        ids.append(case.body.get("id"))
    assert set(ids) == {None, OWNED}


def test_a_body_id_becomes_the_paths_own_or_names_no_one_elses_backend() -> None:
    outcomes = set()
    for n in range(16):  # the choice follows the case: 16 bodies see both
        body, run = prepared({"id": FOREIGN, "metadata": n})
        body_id = body["id"]
        assert body_id != FOREIGN and run.client.gate.may_change(body_id)
        outcomes.add("own" if body_id == OWNED else "made up")
        assert body["metadata"] == n
    assert outcomes == {"own", "made up"}


def test_ids_of_the_runs_own_or_no_backend_at_all_stay_when_not_the_paths() -> None:
    kept = {
        body_id: {prepared({"id": body_id, "metadata": n})[0]["id"] for n in range(16)}
        for body_id in (ALSO_OWNED, "", "not an id")
    }
    assert kept == {body_id: {body_id, OWNED} for body_id in kept}


def test_a_body_id_that_is_no_string_is_sent_as_generated() -> None:
    body, _ = prepared({"id": 7})
    assert body == {"id": 7}
