"""Each planted fault of issue 19 does what its description says against a reference server,
and only when its trigger is there: these prove the rig, not the suite (`make mutation`
shows which property catches each)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from mutation import MUTANTS
from mutation.asgi import ASGIApp, Receive, Scope, Send
from mutation.faults.clocks import BUILD_INSTANT
from mutation.faults.paging import LIST_CAP
from mutation.faults.transport import CHILD_SLOTS

from .planted import COLLECTION, Api, child, planted

ISSUE_19 = {
    "refused_update_keeps_valid_fields": "refused_request_changes_nothing",
    "refused_create_still_stored": "refused_request_changes_nothing",
    "update_reaches_older_neighbour": "operation_changes_only_its_target",
    "key_prefix_accepted": "near_miss_key_refused",
    "key_case_insensitive": "near_miss_key_refused",
    "id_case_insensitive": "near_miss_id_not_found",
    "update_loses_concurrent_update": "history_is_linearizable",
    "created_at_frozen": "created_at_is_creation_time",
    "list_capped": "every_existing_backend_listed",
    "crash_on_many_children": "create_accepts_valid_input",
    "update_ignores_empty_description": "description_reads_back",
    "description_cut_to_10": "description_reads_back",
    "before_id_deleted_500": "list_answers_200",
}
TOO_LONG_METADATA = "m" * 4097


def test_each_fault_of_issue_19_is_registered_with_the_property_meant_to_catch_it() -> None:
    assert {name: MUTANTS[name].catcher for name in ISSUE_19} == ISSUE_19
    # CI's sample (tests/contract/test_verdicts.py) runs two of them in every make test.
    sampled = sorted(name for name in ISSUE_19 if MUTANTS[name].sample)
    assert sampled == ["refused_update_keeps_valid_fields", "update_loses_concurrent_update"]


# Refused requests that still write; writes that reach another backend.


def test_a_refused_update_stores_its_valid_fields() -> None:
    with planted("refused_update_keeps_valid_fields") as api:
        backend = api.create(description="before", metadata="kept")
        mixed = api.patch(backend["id"], {"description": "after", "metadata": TOO_LONG_METADATA})
        assert mixed.status_code == 400 and mixed.json()["error_code"] == "ERR_NGROK_6504"
        assert api.get(backend["id"])["description"] == "after"  # stored though refused
        unknown = api.patch(backend["id"], {"metadata": "written", "colour": "red"})
        assert unknown.status_code == 400 and unknown.json()["error_code"] == "ERR_NGROK_214"
        assert api.get(backend["id"])["metadata"] == "written"


def test_a_refused_update_of_one_field_and_a_valid_one_behave() -> None:
    with planted("refused_update_keeps_valid_fields") as api:
        backend = api.create(description="before", metadata="kept")
        assert api.patch(backend["id"], {"metadata": TOO_LONG_METADATA}).status_code == 400
        assert api.get(backend["id"]) == backend
        ok = api.patch(backend["id"], {"description": "after", "metadata": "new"})
        assert ok.status_code == 200
        assert api.get(backend["id"]) == {**backend, "description": "after", "metadata": "new"}


def test_a_refused_create_stores_a_backend_anyway() -> None:
    with planted("refused_create_still_stored") as api:
        refused = api.http.post(
            COLLECTION,
            json={"description": "refused", "metadata": TOO_LONG_METADATA, "backends": []},
        )
        assert refused.status_code == 400 and refused.json()["error_code"] == "ERR_NGROK_6504"
        (stored,) = api.ids()
        assert api.get(stored)["description"] == "refused"


def test_a_create_refused_for_its_description_or_key_stores_nothing_a_valid_one_one() -> None:
    with planted("refused_create_still_stored") as api:
        long = api.http.post(COLLECTION, json={"description": "d" * 256, "backends": []})
        assert long.status_code == 400 and long.json()["error_code"] == "ERR_NGROK_6503"
        bad_key = {"authorization": "Bearer not-the-key"}
        assert api.http.post(COLLECTION, json={}, headers=bad_key).status_code == 401
        assert api.ids() == []
        created = api.create(description="valid")
        assert api.ids() == [created["id"]]


def test_an_update_of_metadata_also_rewrites_the_backend_created_just_before() -> None:
    with planted("update_reaches_older_neighbour") as api:
        oldest, middle, newest = (api.create(metadata=f"m{n}") for n in range(3))
        assert api.patch(middle["id"], {"metadata": "changed"}).status_code == 200
        assert api.get(oldest["id"])["metadata"] == "changed"  # not its target
        assert api.get(newest["id"]) == newest


def test_an_update_without_metadata_or_of_the_oldest_backend_changes_only_its_target() -> None:
    with planted("update_reaches_older_neighbour") as api:
        oldest, newest = api.create(metadata="a"), api.create(metadata="b")
        assert api.patch(newest["id"], {"description": "only this"}).status_code == 200
        assert api.get(oldest["id"]) == oldest
        assert api.patch(oldest["id"], {"metadata": "c"}).status_code == 200
        assert api.get(newest["id"])["metadata"] == "b"


# Near misses of the key and of an id.


def status_with_key(api: Api, key: str) -> int:
    return api.http.get(COLLECTION, headers={"authorization": f"Bearer {key}"}).status_code


def test_a_key_with_characters_appended_is_accepted_others_refused() -> None:
    with planted("key_prefix_accepted") as api:
        key = api.server.api_key
        assert api.http.get(COLLECTION).status_code == 200  # the server learns its key
        assert status_with_key(api, key + "x") == 200
        assert status_with_key(api, key + "-extra-characters") == 200
        assert status_with_key(api, key[:-1]) == 401
        assert status_with_key(api, key.swapcase()) == 401
        assert status_with_key(api, "x" + key) == 401


def test_a_key_in_another_letter_case_is_accepted_others_refused() -> None:
    with planted("key_case_insensitive") as api:
        key = api.server.api_key
        assert api.http.get(COLLECTION).status_code == 200
        assert status_with_key(api, key.swapcase()) == 200
        assert status_with_key(api, key.upper()) == 200
        assert status_with_key(api, key + "x") == 401
        assert status_with_key(api, key[:-1] + chr(ord(key[-1]) ^ 1)) == 401


def one_letter_flipped(backend_id: str) -> str:
    position = next(i for i in range(6, len(backend_id)) if backend_id[i].isalpha())
    return backend_id[:position] + backend_id[position].swapcase() + backend_id[position + 1 :]


def test_a_backend_is_found_updated_and_deleted_under_its_id_in_another_letter_case() -> None:
    with planted("id_case_insensitive") as api:
        backend = api.create(description="one")
        flipped = one_letter_flipped(backend["id"])
        assert api.get(flipped) == backend
        assert api.get(backend["id"][:6] + backend["id"][6:].swapcase()) == backend
        assert api.patch(flipped, {"description": "two"}).status_code == 200
        assert api.get(backend["id"])["description"] == "two"
        assert api.http.delete(f"{COLLECTION}/{flipped}").status_code == 204
        assert api.http.get(f"{COLLECTION}/{backend['id']}").status_code == 404
        assert api.http.get(f"{COLLECTION}/{flipped}").status_code == 404


def test_an_id_one_character_changed_is_not_found_and_ids_differing_in_case_stay_apart() -> None:
    with planted("id_case_insensitive") as api:
        backend = api.create()
        last = backend["id"][-1]
        changed = backend["id"][:-1] + ("0" if last != "0" else "1")
        assert api.http.get(f"{COLLECTION}/{changed}").status_code == 404
        assert api.get(backend["id"]) == backend  # the exact id: itself


# Concurrent writes to one backend.


def reads_before_writes(reads: int) -> Callable[[ASGIApp], ASGIApp]:
    """Holds every update until `reads` gets have arrived: two updates overlap whatever the
    machine's speed (the fault's own window is what makes them overlap in a real run)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        seen = [0]
        all_read = asyncio.Event()

        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == "GET":
                seen[0] += 1
                if seen[0] >= reads:
                    all_read.set()
            elif scope["type"] == "http" and scope["method"] == "PATCH":
                await asyncio.wait_for(all_read.wait(), timeout=30)  # a failure, never a hang
            await app(scope, receive, send)

        return gated

    return wrap


def test_two_overlapping_updates_of_different_fields_lose_one() -> None:
    with planted("update_loses_concurrent_update", inner=reads_before_writes(2)) as api:
        backend = api.create(description="d0", metadata="m0")
        answers: dict[str, dict[str, Any]] = {}

        def update(field: str) -> None:
            response = api.patch(backend["id"], {field: field[0] + "1"})
            assert response.status_code == 200, response.text
            answers[field] = response.json()

        threads = [threading.Thread(target=update, args=(f,)) for f in ("description", "metadata")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # Each answer shows its own field written and the other one as it was before.
        assert answers["description"]["metadata"] == "m0"
        assert answers["metadata"]["description"] == "d0"
        final = api.get(backend["id"])
        assert (final["description"], final["metadata"]) in {("d1", "m0"), ("d0", "m1")}


def test_updates_in_turn_keep_each_other_and_a_refused_one_changes_nothing() -> None:
    with planted("update_loses_concurrent_update") as api:
        backend = api.create(description="d0", metadata="m0", backends=[child(1)])
        assert api.patch(backend["id"], {"description": "d1"}).status_code == 200
        assert api.patch(backend["id"], {"metadata": "m1"}).status_code == 200
        assert api.get(backend["id"]) == {**backend, "description": "d1", "metadata": "m1"}
        assert api.patch(backend["id"], {"colour": "red"}).status_code == 400
        unknown = "bkdfo_" + "0" * 27
        assert api.patch(unknown, {"description": "x"}).status_code == 404


# Clocks.


def test_every_created_at_is_the_build_instant_not_the_creation_time() -> None:
    with planted("created_at_frozen") as api:
        before = int(time.time())
        created = api.create()
        after = time.time()
        stamp = datetime.fromisoformat(created["created_at"].replace("Z", "+00:00")).timestamp()
        assert created["created_at"] == BUILD_INSTANT and not before <= stamp <= after
        assert api.get(created["id"])["created_at"] == BUILD_INSTANT
        listed = api.http.get(COLLECTION).json()["backends"]
        assert [backend["created_at"] for backend in listed] == [BUILD_INSTANT]


# Scale past a page.


def test_a_walk_ends_after_the_newest_backends_of_the_cap_and_says_there_is_no_next_page() -> None:
    with planted("list_capped") as api:
        made = [api.create()["id"] for _ in range(LIST_CAP)]
        newest_first = list(reversed(made))
        assert api.pages(limit=25) == [newest_first[:25], newest_first[25:50], newest_first[50:]]
        assert api.ids() == newest_first  # up to the cap, every backend is listed
        made += [api.create()["id"] for _ in range(5)]
        newest_first = list(reversed(made))
        assert api.ids() == newest_first[:LIST_CAP]  # the 5 oldest are never listed
        assert api.pages(limit=25) == [newest_first[:25], newest_first[25:50], newest_first[50:60]]
        beyond = api.http.get(COLLECTION, params={"before_id": newest_first[61]}).json()
        assert beyond["backends"] == [] and beyond["next_page_uri"] is None


def test_a_list_before_a_just_deleted_backend_answers_500() -> None:
    with planted("before_id_deleted_500") as api:
        oldest, middle, newest = (api.create()["id"] for _ in range(3))
        assert api.http.delete(f"{COLLECTION}/{middle}").status_code == 204
        assert api.http.get(COLLECTION, params={"before_id": middle}).status_code == 500
        kept = api.http.get(COLLECTION, params={"before_id": newest})
        assert kept.status_code == 200 and [b["id"] for b in kept.json()["backends"]] == [oldest]
        never = api.http.get(COLLECTION, params={"before_id": "bkdfo_" + "0" * 27})
        assert never.status_code == 200


# Shapes the strategies never reached.


@pytest.mark.parametrize("count", [CHILD_SLOTS + 1, 20])
def test_a_valid_create_or_update_with_more_children_than_the_slots_crashes_and_stores_nothing(
    count: int,
) -> None:
    many = [child(n) for n in range(count)]
    with planted("crash_on_many_children") as api:
        crashed = api.http.post(COLLECTION, json={"description": "many", "backends": many})
        assert crashed.status_code == 500
        assert api.ids() == []
        backend = api.create(description="few", backends=many[:CHILD_SLOTS])
        assert backend["backends"] == many[:CHILD_SLOTS]
        assert api.patch(backend["id"], {"description": "x", "backends": many}).status_code == 500
        assert api.get(backend["id"]) == backend


def test_many_children_with_a_bad_one_are_refused_as_the_server_refuses_them() -> None:
    with planted("crash_on_many_children") as api:
        bad = [child(n) for n in range(CHILD_SLOTS)] + ["not-an-id"]
        refused = api.http.post(COLLECTION, json={"backends": bad})
        assert refused.status_code == 400 and refused.json()["error_code"] == "ERR_NGROK_215"
        assert api.ids() == []


def test_an_update_setting_the_description_empty_is_ignored() -> None:
    with planted("update_ignores_empty_description") as api:
        backend = api.create(description="was set", metadata="m")
        answer = api.patch(backend["id"], {"description": ""})
        assert answer.status_code == 200 and answer.json()["description"] == "was set"
        assert api.patch(backend["id"], {"description": "", "metadata": ""}).status_code == 200
        assert api.get(backend["id"]) == {**backend, "metadata": ""}
        assert api.patch(backend["id"], {"description": "other"}).status_code == 200
        assert api.get(backend["id"])["description"] == "other"
        assert api.create(description="")["description"] == ""  # a create keeps it


def test_descriptions_are_stored_cut_to_ten_characters() -> None:
    with planted("description_cut_to_10") as api:
        backend = api.create(description="0123456789 and more")
        assert backend["description"] == "0123456789"
        assert api.get(backend["id"])["description"] == "0123456789"
        assert api.patch(backend["id"], {"description": "short"}).json()["description"] == "short"
        assert api.create(description="ten chars!")["description"] == "ten chars!"


def test_the_clean_server_does_none_of_it() -> None:
    """The same triggers against the reference server: each answer as the spec says."""
    with planted(None) as api:
        backend = api.create(description="before", metadata="m")
        mixed = api.patch(backend["id"], {"description": "after", "metadata": TOO_LONG_METADATA})
        assert mixed.status_code == 400 and api.get(backend["id"]) == backend
        assert (
            api.http.post(
                COLLECTION, json={"metadata": TOO_LONG_METADATA, "backends": []}
            ).status_code
            == 400
        )
        assert api.ids() == [backend["id"]]
        assert status_with_key(api, api.server.api_key + "x") == 401
        assert status_with_key(api, api.server.api_key.swapcase()) == 401
        assert api.http.get(f"{COLLECTION}/{one_letter_flipped(backend['id'])}").status_code == 404
        assert api.patch(backend["id"], {"description": ""}).json()["description"] == ""
        many = [child(n) for n in range(CHILD_SLOTS + 1)]
        assert api.create(description="0123456789 and more", backends=many)["backends"] == many
        assert httpx.codes.is_success(api.http.get(COLLECTION).status_code)


def test_backends_of_one_second_come_in_a_new_order_each_time_so_a_walk_misses_some() -> None:
    with planted("same_second_unstable") as api:
        made = {api.create()["id"] for _ in range(12)}
        first, second = api.ids(), api.ids()
        assert set(first) == set(second) == made and first != second
        walked = [i for page in api.pages(limit=1) for i in page]
        assert sorted(walked) != sorted(made)  # some twice, others never


def test_any_version_is_served_as_2_but_none_is_still_refused() -> None:
    with planted("any_version_accepted") as api:
        assert api.http.get(COLLECTION, headers={"ngrok-version": "3"}).status_code == 200
        headers = {k: v for k, v in api.http.headers.items() if k.lower() != "ngrok-version"}
        bare = httpx.get(f"{api.server.base_url}{COLLECTION}", headers=headers)
        assert bare.status_code == 400 and bare.json()["error_code"] == "ERR_NGROK_218"


def test_a_page_after_a_cursor_without_a_limit_is_the_first_page() -> None:
    with planted("before_id_needs_limit") as api:
        oldest, middle, newest = (api.create()["id"] for _ in range(3))
        beside = api.http.get(COLLECTION, params={"before_id": middle, "limit": "5"}).json()
        assert [b["id"] for b in beside["backends"]] == [oldest]
        alone = api.http.get(COLLECTION, params={"before_id": middle}).json()
        assert [b["id"] for b in alone["backends"]] == [newest, middle, oldest]
