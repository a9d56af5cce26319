"""The benign variants of issue 19 differ from the reference server where their descriptions
say, and nowhere else: each answer is one the documentation allows (`make mutation` shows
that the suite raises no alarm against them)."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

import pytest

from mutation import BENIGN
from mutation.benign import CLOCK_AHEAD_S, OLDER_BACKENDS

from .planted import COLLECTION, Api, planted

ERROR_FIELDS = {"error_code", "status_code", "msg", "details"}


def test_the_variants_of_issue_19_are_registered_and_not_yet_sampled() -> None:
    names = ("text_limits_in_bytes", "other_kind_id_400", "clock_ahead_90s")
    assert all(BENIGN[name].description for name in names)
    assert not [name for name in names if BENIGN[name].sample]


# Text limits in bytes.


def refused(api: Api, method: str, path: str, body: object, code: str) -> str:
    response = api.http.request(method, path, json=body)
    error = response.json()
    assert response.status_code == 400 and set(error) == ERROR_FIELDS, response.text
    assert error["error_code"] == code and error["status_code"] == 400, error
    return str(error["msg"])


def test_a_description_over_255_bytes_is_refused_though_it_has_fewer_characters() -> None:
    with planted("text_limits_in_bytes") as api:
        body = {"description": "é" * 128, "backends": []}  # 128 characters, 256 bytes
        msg = refused(api, "POST", COLLECTION, body, "ERR_NGROK_6503")
        assert "256 bytes" in msg and "255" in msg
        four_bytes = {"description": "😀" * 64}  # 64 characters, 256 bytes
        backend = api.create(description="a" * 255)
        refused(api, "PATCH", f"{COLLECTION}/{backend['id']}", four_bytes, "ERR_NGROK_6503")
        assert api.get(backend["id"]) == backend
        assert api.ids() == [backend["id"]]


def test_metadata_over_4096_bytes_is_refused_with_6504() -> None:
    with planted("text_limits_in_bytes") as api:
        body = {"metadata": "é" * 2049, "backends": []}  # 4098 bytes
        assert "4098 bytes" in refused(api, "POST", COLLECTION, body, "ERR_NGROK_6504")
        assert api.ids() == []


def test_texts_within_the_limits_in_bytes_are_stored_as_sent() -> None:
    with planted("text_limits_in_bytes") as api:
        description = "é" * 127 + "a"  # 255 bytes
        metadata = "😀" * 1024  # 4096 bytes
        backend = api.create(description=description, metadata=metadata)
        assert (backend["description"], backend["metadata"]) == (description, metadata)
        assert api.get(backend["id"]) == backend


def test_the_server_s_earlier_checks_keep_their_place_before_the_byte_count() -> None:
    with planted("text_limits_in_bytes") as api:
        long = {"description": "é" * 200, "backends": []}
        bad_key = {"authorization": "Bearer not-the-key"}
        assert api.http.post(COLLECTION, json=long, headers=bad_key).status_code == 401
        refused(api, "POST", COLLECTION, {**long, "colour": "red"}, "ERR_NGROK_214")
        refused(api, "POST", COLLECTION, {"description": "x" * 256}, "ERR_NGROK_6503")
        # The reference server reads an update's body before it looks the id up; so does this.
        unknown = f"{COLLECTION}/bkdfo_{'0' * 27}"
        refused(api, "PATCH", unknown, {"description": "é" * 200}, "ERR_NGROK_6503")


# Ids of another kind, and malformed ids.


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_of_another_kind_is_refused_with_243_a_malformed_one_with_242(method: str) -> None:
    with planted("other_kind_id_400") as api:
        backend = api.create()
        other_kind = "bkdhr_" + backend["id"].removeprefix("bkdfo_")
        body = {"description": "x"} if method == "PATCH" else None
        for asked, code in [(other_kind, "ERR_NGROK_243"), ("bkdfo_short", "ERR_NGROK_242")]:
            response = api.http.request(method, f"{COLLECTION}/{asked}", json=body)
            error = response.json()
            assert response.status_code == 400 and error["error_code"] == code, response.text
            assert set(error) == ERROR_FIELDS and error["status_code"] == 400
        unknown = api.http.request(method, f"{COLLECTION}/bkdfo_{'0' * 27}", json=body)
        assert unknown.status_code == 404 and unknown.json()["error_code"] == "ERR_NGROK_6514"
        assert api.get(backend["id"]) == backend


def test_an_id_of_another_kind_with_a_bad_key_is_still_401() -> None:
    with planted("other_kind_id_400") as api:
        bad_key = {"authorization": "Bearer not-the-key"}
        response = api.http.get(f"{COLLECTION}/bkdhr_{'0' * 27}", headers=bad_key)
        assert response.status_code == 401


# A clock ahead.


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def test_created_at_is_ahead_of_the_creation_by_the_clock_s_lead_everywhere() -> None:
    with planted("clock_ahead_90s") as api:
        before = int(time.time())  # created_at has whole seconds
        backend = api.create()
        after = time.time()
        assert before + CLOCK_AHEAD_S <= epoch(backend["created_at"]) <= after + CLOCK_AHEAD_S
        assert backend["created_at"].endswith("Z")
        assert api.get(backend["id"])["created_at"] == backend["created_at"]
        listed = api.http.get(COLLECTION).json()["backends"]
        assert [item["created_at"] for item in listed] == [backend["created_at"]]
        updated = api.patch(backend["id"], {"description": "later"}).json()
        assert updated["created_at"] == backend["created_at"]


# A deleted backend's before_id refused.


def test_a_deleted_backend_s_before_id_is_400_and_every_other_cursor_a_page() -> None:
    with planted("before_id_deleted_400") as api:
        oldest, middle, newest = (api.create()["id"] for _ in range(3))
        assert api.http.delete(f"{COLLECTION}/{middle}").status_code == 204
        response = api.http.get(COLLECTION, params={"before_id": middle})
        error = response.json()
        assert response.status_code == 400 and set(error) == ERROR_FIELDS, response.text
        assert error["error_code"] == "ERR_NGROK_215" and error["status_code"] == 400
        assert middle in error["msg"]
        kept = api.http.get(COLLECTION, params={"before_id": newest}).json()["backends"]
        assert [item["id"] for item in kept] == [oldest]
        never = api.http.get(COLLECTION, params={"before_id": "bkdfo_" + "0" * 27})
        assert never.status_code == 200  # a cursor never made: as the reference server reads it
        bad_key = {"authorization": "Bearer not-the-key"}
        assert (
            api.http.get(COLLECTION, params={"before_id": middle}, headers=bad_key).status_code
            == 401
        )


# Backends of one second in another order.


def _hash_order(api: Api, made: list[str]) -> list[str]:
    stamps = {backend_id: api.get(backend_id)["created_at"] for backend_id in made}
    tie = {backend_id: hashlib.sha256(backend_id.encode()).hexdigest() for backend_id in made}
    return sorted(made, key=lambda i: (stamps[i], tie[i]), reverse=True)


def test_backends_of_one_second_come_in_their_ids_hash_order_on_every_page() -> None:
    with planted("same_second_by_hash") as api:
        made = [api.create()["id"] for _ in range(12)]  # in one second or two
        expected = _hash_order(api, made)
        assert expected != sorted(made, reverse=True)  # not the reference server's order
        for limit in (1, 5, 100):
            assert [i for page in api.pages(limit) for i in page] == expected, limit


# Pages of at most 50.


def test_a_page_holds_at_most_50_and_links_the_rest_a_smaller_limit_is_kept() -> None:
    with planted("pages_of_at_most_50") as api:
        made = [api.create()["id"] for _ in range(60)]
        pages = api.pages(limit=100)
        assert [len(page) for page in pages] == [50, 10]
        assert sorted(i for page in pages for i in page) == sorted(made)
        assert [len(page) for page in api.pages(limit=25)] == [25, 25, 10]


def test_an_account_of_older_backends_lists_them_a_day_old_after_the_runs() -> None:
    with planted("account_with_older_backends") as api:
        mine = api.create()
        pages = api.pages(limit=100)
        listed = [i for page in pages for i in page]
        assert len(listed) == OLDER_BACKENDS + 1 and listed[0] == mine["id"]
        older = api.http.get(f"{COLLECTION}/{listed[-1]}").json()
        made = datetime.fromisoformat(mine["created_at"].replace("Z", "+00:00"))
        dated = datetime.fromisoformat(older["created_at"].replace("Z", "+00:00"))
        assert timedelta(hours=23) < made - dated < timedelta(hours=25)
        assert older["description"] == "another user's"
