"""At most 100 children (ngrok refuses too many with ERR_NGROK_6513 and names no number), so
a list page of 100 backends stays bounded in bytes whatever its backends hold."""

from __future__ import annotations

import time

from ngrok_failover_server.rules import CHILDREN_MAX, DESCRIPTION_MAX, METADATA_MAX

from .conftest import KNOWN, Api

COLL = "/backends/failover"
# A backend's JSON less its text and children: id, uri (the test server's), created_at, keys.
FRAME_BYTES = 300
CHILD_BYTES = len(KNOWN) + 3  # quotes and a comma


def test_the_cap_itself_is_accepted(api: Api) -> None:
    made = api.create(backends=[KNOWN] * CHILDREN_MAX)
    assert len(made["backends"]) == CHILDREN_MAX
    updated = api.http.patch(f"{COLL}/{made['id']}", json={"backends": [KNOWN] * CHILDREN_MAX})
    assert updated.status_code == 200


def test_one_more_is_refused_with_6513_and_nothing_stored(api: Api) -> None:
    refused = api.http.post(COLL, json={"backends": [KNOWN] * 29_000})  # the create
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "ERR_NGROK_6513"
    assert "29000 children, more than the 100 allowed" in refused.json()["msg"]
    assert api.everything() == []


def test_a_page_of_the_largest_backends_is_bounded(api: Api) -> None:
    largest = {
        "backends": [KNOWN] * CHILDREN_MAX,
        "description": "d" * DESCRIPTION_MAX,
        "metadata": "m" * METADATA_MAX,
    }
    for _ in range(100):
        api.create(**largest)
    started = time.perf_counter()
    page = api.http.get(COLL, params={"limit": "100"})
    took = (time.perf_counter() - started) * 1000
    print(f"a page of 100 of the largest backends: {len(page.content):,} bytes in {took:.1f} ms")
    per_backend = FRAME_BYTES + DESCRIPTION_MAX + METADATA_MAX + CHILDREN_MAX * CHILD_BYTES
    assert len(page.json()["backends"]) == 100
    assert len(page.content) <= 100 * per_backend
