"""The model of the API (`checks.model`): what it predicts for a request, given what a lane
holds, and the property an answer outside its prediction breaks. Exchanges are made by hand,
so each test states one request, one answer, and the verdict the documentation gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from ngrok_failover_contract.checks.freedoms import CLOCK_SKEW, Window
from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.checks.model.calls import Key, key_of
from ngrok_failover_contract.checks.model.expectation import Context
from ngrok_failover_contract.checks.model.oracle import Oracle
from ngrok_failover_contract.checks.model.world import Backend
from ngrok_failover_contract.core.exchange import Exchange
from ngrok_failover_contract.core.registry import ContractViolation, Property

BASE = "http://127.0.0.1:1"
KEY = "the-run-key"
HELD = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tu"
OTHER = "bkdfo_2fKmcY180hfsrLrsT0VTrp3T7Tv"
CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"
NOW = datetime.now(UTC).replace(microsecond=0)
STAMP = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def exchange(
    method: str,
    path: str,
    status: int,
    answer: object = None,
    *,
    body: object = None,
    key: str | None = KEY,
    headers: dict[str, str] | None = None,
) -> Exchange:
    sent = {"Ngrok-Version": "2"}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    if body is not None:
        sent["Content-Type"] = "application/json"
    return Exchange(
        method=method,
        url=BASE + path,
        request_headers={**sent, **(headers or {})},
        request_body=None if body is None else json.dumps(body),
        status=status,
        response_headers={"content-type": "application/json"},
        response_text="" if answer is None else json.dumps(answer),
    )


def backend(backend_id: str = HELD, **fields: object) -> dict[str, object]:
    return {
        "id": backend_id,
        "uri": f"{BASE}/backends/failover/{backend_id}",
        "created_at": STAMP,
        "description": "acme",
        "metadata": "",
        "backends": [],
        **fields,
    }


def error(status: int) -> dict[str, object]:
    return {"error_code": "ERR_NGROK_215", "status_code": status, "msg": "no", "details": {}}


def oracle(*held: dict[str, object], context: Context | None = None) -> Oracle:
    """A lane's model that holds `held` (each as created and read back)."""
    model = Oracle(KEY, "", Judge(), context or Context())
    for resource in held:
        model.world = model.world.created(Backend.answered(resource))
        model.world = model.world.read_back(str(resource["id"]))
    return model


def broken(model: Oracle, answer: Exchange, window: Window | None = None) -> Property:
    with pytest.raises(ContractViolation) as caught:
        model.observe(answer, window)
    return caught.value.prop


# -- Creates ---------------------------------------------------------------------------------


def test_a_create_answered_with_what_was_written_is_held() -> None:
    model = oracle()
    body = {"description": "acme", "backends": []}
    model.observe(exchange("POST", "/backends/failover", 201, backend(), body=body))
    assert model.world.get(HELD) == Backend.answered(backend())


@pytest.mark.parametrize(
    ("answer", "prop"),
    [
        (backend(description="acm"), Property.DESCRIPTION_READS_BACK),
        (backend(uri="/backends/failover/" + HELD), Property.URI_IS_OWN),
        ({k: v for k, v in backend().items() if k != "metadata"}, Property.BACKEND_HAS_EVERY_FIELD),
    ],
    ids=["a field changed", "a relative uri", "a field missing"],
)
def test_a_create_answered_otherwise_breaks_the_field_it_gets_wrong(
    answer: dict[str, object], prop: Property
) -> None:
    body = {"description": "acme", "backends": []}
    assert broken(oracle(), exchange("POST", "/backends/failover", 201, answer, body=body)) is prop


def test_a_valid_create_refused_or_crashed_is_create_accepts_valid_input() -> None:
    body = {"description": "acme", "backends": []}
    for status in (400, 500):
        answer = exchange("POST", "/backends/failover", status, error(status), body=body)
        assert broken(oracle(), answer) is Property.CREATE_ACCEPTS_VALID_INPUT


def test_created_at_outside_the_run_s_window_is_not_the_creation_time() -> None:
    body = {"description": "acme", "backends": []}
    window = Window(NOW, NOW)
    late = (NOW + CLOCK_SKEW + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = exchange("POST", "/backends/failover", 201, backend(created_at=late), body=body)
    assert broken(oracle(), answer, window) is Property.CREATED_AT_IS_CREATION_TIME
    fixed = exchange(
        "POST", "/backends/failover", 201, backend(created_at="2024-04-19T20:23:43Z"), body=body
    )
    assert broken(oracle(), fixed, window) is Property.CREATED_AT_IS_CREATION_TIME
    malformed = exchange(
        "POST", "/backends/failover", 201, backend(created_at="yesterday"), body=body
    )
    oracle().observe(malformed, window)  # not an instant: the schema checks' finding
    skewed = (NOW + CLOCK_SKEW - timedelta(seconds=5)).isoformat()  # an offset, within skew
    oracle().observe(
        exchange("POST", "/backends/failover", 201, backend(created_at=skewed), body=body), window
    )


# -- Refusals the documentation demands, and freedoms ------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"backends": [], "name": "x"},
        {"backends": [], "description": "d" * 256},
        {"backends": ["bkd_malformed"]},
        {"backends": [], "description": 7},
    ],
    ids=["unknown field", "description too long", "malformed child", "not a string"],
)
def test_accepting_what_ngrok_documents_as_refused_is_negative_data_rejection(
    body: dict[str, object],
) -> None:
    answer = exchange("POST", "/backends/failover", 201, backend(), body=body)
    assert broken(oracle(), answer) is Property.NEGATIVE_DATA_REJECTION


@pytest.mark.parametrize(
    "query", ["before_id=", "limit=05", "before_id=bkdfo_unknown"], ids=["empty", "padded", "bad"]
)
@pytest.mark.parametrize("status", [200, 400])
def test_what_only_the_spec_forbids_may_be_accepted_or_refused(query: str, status: int) -> None:
    empty: dict[str, object] = {"backends": [], "uri": BASE + "/backends/failover"}
    answer = {**empty, "next_page_uri": None} if status == 200 else error(400)
    oracle().observe(exchange("GET", f"/backends/failover?{query}", status, answer))


def test_a_text_within_its_limit_in_characters_but_not_in_bytes_may_be_refused() -> None:
    """ngrok's other resources count 255 bytes; the number for backends is not documented."""
    body = {"backends": [], "description": "\U0001f600" * 200}  # 200 characters, 800 bytes
    oracle().observe(exchange("POST", "/backends/failover", 400, error(400), body=body))
    oracle().observe(
        exchange(
            "POST", "/backends/failover", 201, backend(description=body["description"]), body=body
        )
    )


def test_an_update_body_may_carry_the_paths_own_id_and_is_an_update_as_without_it() -> None:
    """update_body_id (rule): ngrok's JavaScript client sends it; nothing else changes."""
    body = {"id": HELD, "metadata": "m2"}
    model = oracle(backend())
    model.observe(
        exchange("PATCH", "/backends/failover/" + HELD, 200, backend(metadata="m2"), body=body)
    )
    assert model.world.get(HELD) == Backend.answered(backend(metadata="m2"))
    refused = exchange("PATCH", "/backends/failover/" + HELD, 400, error(400), body=body)
    assert broken(oracle(backend()), refused) is Property.UPDATE_ANSWERS_200
    erased = exchange(
        "PATCH",
        "/backends/failover/" + HELD,
        200,
        backend(metadata="m2", description=""),
        body=body,
    )
    assert broken(oracle(backend()), erased) is Property.UPDATE_KEEPS_ABSENT_FIELDS


@pytest.mark.parametrize("status", [200, 400, 422])
def test_an_update_body_with_another_id_may_be_read_as_absent_or_refused(status: int) -> None:
    """update_body_other_id (gap): the path's backend updated as if the id were absent, or
    a refusal that changes nothing; either way the other backend is untouched."""
    body = {"id": OTHER, "metadata": "m2"}
    model = oracle(backend(), backend(OTHER))
    answer = backend(metadata="m2") if status == 200 else error(status)
    model.observe(exchange("PATCH", "/backends/failover/" + HELD, status, answer, body=body))
    now = backend(metadata="m2") if status == 200 else backend()
    model.observe(exchange("GET", "/backends/failover/" + HELD, 200, now))
    model.observe(exchange("GET", "/backends/failover/" + OTHER, 200, backend(OTHER)))


def test_an_update_body_with_another_id_is_held_to_what_either_answer_means() -> None:
    body = {"id": OTHER, "metadata": "m2"}
    path = "/backends/failover/" + HELD
    model = oracle(backend(), backend(OTHER))
    model.observe(exchange("PATCH", path, 400, error(400), body=body))
    stored = exchange("GET", path, 200, backend(metadata="m2"))
    assert broken(model, stored) is Property.REFUSED_REQUEST_CHANGES_NOTHING
    elsewhere = exchange("PATCH", path, 200, backend(OTHER, metadata="m2"), body=body)
    assert broken(oracle(backend(), backend(OTHER)), elsewhere) is Property.ANSWERS_REQUESTED_ID
    not_a_string = exchange("PATCH", path, 200, backend(metadata="m2"), body={**body, "id": 7})
    assert broken(oracle(backend()), not_a_string) is Property.NEGATIVE_DATA_REJECTION


@pytest.mark.parametrize("status", [401, 403])
def test_a_missing_key_is_refused_with_401_or_403(status: int) -> None:
    oracle().observe(exchange("GET", "/backends/failover", status, error(status), key=None))
    answer = exchange("GET", "/backends/failover", 200, {"backends": []}, key=None)
    assert broken(oracle(), answer) is Property.IGNORED_AUTH


@pytest.mark.parametrize(
    "other", [KEY + "x", KEY[:-1], KEY.upper(), f"{KEY[:4]} {KEY[4:]}"], ids=str
)
def test_a_key_one_edit_away_accepted_is_near_miss_key_refused(other: str) -> None:
    assert key_of({"Authorization": f"Bearer {other}"}, KEY) is Key.NEAR
    answer = exchange("GET", "/backends/failover/" + HELD, 200, backend(), key=other)
    assert broken(oracle(backend()), answer) is Property.NEAR_MISS_KEY_REFUSED


def test_any_other_key_accepted_is_ignored_auth() -> None:
    assert key_of({"Authorization": "Bearer something-else"}, KEY) is Key.REFUSED
    assert key_of({"authorization": f"bearer {KEY}"}, KEY) is Key.VALID  # scheme in any case


# -- Reads, the frame and refused writes --------------------------------------------------------


def test_a_get_answers_the_backend_as_last_written() -> None:
    model = oracle(backend())
    update = {"metadata": "m2"}
    model.observe(
        exchange("PATCH", "/backends/failover/" + HELD, 200, backend(metadata="m2"), body=update)
    )
    model.observe(exchange("GET", "/backends/failover/" + HELD, 200, backend(metadata="m2")))
    stale = exchange("GET", "/backends/failover/" + HELD, 200, backend(metadata="m1"))
    assert broken(model, stale) is Property.OPERATION_CHANGES_ONLY_ITS_TARGET


def test_an_update_answered_with_an_absent_field_changed_breaks_update_keeps_absent_fields() -> (
    None
):
    update = {"metadata": "m2"}
    answer = exchange(
        "PATCH",
        "/backends/failover/" + HELD,
        200,
        backend(metadata="m2", description=""),
        body=update,
    )
    assert broken(oracle(backend()), answer) is Property.UPDATE_KEEPS_ABSENT_FIELDS


def test_a_refused_update_that_stored_a_field_is_refused_request_changes_nothing() -> None:
    model = oracle(backend())
    body = {"metadata": "m2", "name": "bad"}
    model.observe(exchange("PATCH", "/backends/failover/" + HELD, 400, error(400), body=body))
    answer = exchange("GET", "/backends/failover/" + HELD, 200, backend(metadata="m2"))
    assert broken(model, answer) is Property.REFUSED_REQUEST_CHANGES_NOTHING


def test_a_backend_changed_though_nothing_was_written_to_it_breaks_the_frame() -> None:
    model = oracle(backend(), backend(OTHER))
    model.observe(
        exchange(
            "PATCH",
            "/backends/failover/" + OTHER,
            200,
            backend(OTHER, metadata="x"),
            body={"metadata": "x"},
        )
    )
    answer = exchange("GET", "/backends/failover/" + HELD, 200, backend(metadata="x"))
    assert broken(model, answer) is Property.OPERATION_CHANGES_ONLY_ITS_TARGET


# -- Ids that do not exist ------------------------------------------------------------------------


def test_an_id_the_lane_deleted_answers_404_on_every_operation() -> None:
    model = oracle(backend())
    model.observe(exchange("DELETE", "/backends/failover/" + HELD, 204))
    for method in ("GET", "PATCH", "DELETE"):
        body = {"metadata": "x"} if method == "PATCH" else None
        model.observe(exchange(method, "/backends/failover/" + HELD, 404, error(404), body=body))
    answer = exchange("GET", "/backends/failover/" + HELD, 200, backend())
    assert broken(model, answer) is Property.GONE_AFTER_DELETE


def test_an_update_of_an_unknown_id_must_not_create_it() -> None:
    model = oracle()
    model.observe(
        exchange("PATCH", "/backends/failover/" + OTHER, 404, error(404), body={"metadata": "x"})
    )
    answer = exchange("GET", "/backends/failover/" + OTHER, 200, backend(OTHER))
    assert broken(model, answer) is Property.UPDATE_MUST_NOT_CREATE


def test_an_id_one_edit_from_a_held_one_found_is_near_miss_id_not_found() -> None:
    flipped = "bkdfo_" + HELD[6:].swapcase()
    answer = exchange("GET", "/backends/failover/" + flipped, 200, backend())
    assert broken(oracle(backend()), answer) is Property.NEAR_MISS_ID_NOT_FOUND


@pytest.mark.parametrize("status", [400, 404])
def test_a_malformed_id_may_be_refused_as_malformed_or_not_found(status: int) -> None:
    oracle().observe(exchange("GET", "/backends/failover/bkdfo_short", status, error(status)))


def test_an_id_the_lane_cannot_know_may_exist_or_not() -> None:
    context = Context(elsewhere=lambda i: i == OTHER)
    oracle(context=context).observe(
        exchange("GET", "/backends/failover/" + OTHER, 200, backend(OTHER))
    )
    oracle(context=context).observe(exchange("GET", "/backends/failover/" + OTHER, 404, error(404)))


# -- Lists ---------------------------------------------------------------------------------


def page(*items: dict[str, object], next_page: str | None = None) -> dict[str, object]:
    return {"backends": list(items), "uri": BASE + "/backends/failover", "next_page_uri": next_page}


def test_a_last_first_page_lists_every_held_backend_as_held() -> None:
    model = oracle(backend(), backend(OTHER))
    model.observe(exchange("GET", "/backends/failover", 200, page(backend(OTHER), backend())))
    missing = exchange("GET", "/backends/failover", 200, page(backend()))
    assert broken(model, missing) is Property.EVERY_EXISTING_BACKEND_LISTED
    stale = exchange(
        "GET", "/backends/failover", 200, page(backend(OTHER), backend(metadata="old"))
    )
    assert broken(oracle(backend(), backend(OTHER)), stale) is Property.LIST_MATCHES_GET


def test_a_listed_backend_the_lane_deleted_is_deleted_backend_not_listed() -> None:
    model = oracle(backend())
    model.observe(exchange("DELETE", "/backends/failover/" + HELD, 204))
    answer = exchange("GET", "/backends/failover", 200, page(backend()))
    assert broken(model, answer) is Property.DELETED_BACKEND_NOT_LISTED


def test_a_listed_backend_a_refused_create_would_have_stored_breaks_refusals() -> None:
    stray = backend(OTHER, description="[contract-suite run x] refused")
    context = Context(stray=lambda item: item.get("id") == OTHER)
    answer = exchange("GET", "/backends/failover", 200, page(stray))
    assert broken(oracle(context=context), answer) is Property.REFUSED_REQUEST_CHANGES_NOTHING


def test_a_page_over_its_limit_breaks_limit_is_honoured() -> None:
    answer = exchange("GET", "/backends/failover?limit=1", 200, page(backend(), backend(OTHER)))
    assert broken(oracle(), answer) is Property.LIMIT_IS_HONOURED


@pytest.mark.parametrize(
    ("make", "prop"),
    [
        (lambda: oracle(backend()), Property.CREATED_BACKEND_IS_AVAILABLE),
        (oracle, Property.LIST_ANSWERS_200),
    ],
    ids=["get", "list"],
)
def test_a_server_error_for_a_valid_request_names_the_answer_it_should_have_had(
    make: Callable[[], Oracle], prop: Property
) -> None:
    path = (
        "/backends/failover/" + HELD
        if prop is Property.CREATED_BACKEND_IS_AVAILABLE
        else "/backends/failover"
    )
    assert broken(make(), exchange("GET", path, 500, error(500))) is prop
