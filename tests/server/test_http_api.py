"""The API over HTTP, on its happy paths: shapes, update semantics, paging, URIs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import RunningServer, new_api_key, serve_in_thread

from .conftest import KNOWN, Api

ID_RE = re.compile(r"bkdfo_[0-9A-Za-z]{27}")


def test_create_answers_201_with_all_six_fields(any_api: Api) -> None:
    response = any_api.http.post(
        "/backends/failover",
        json={"backends": [KNOWN], "description": "acme failover", "metadata": '{"a": 1}'},
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"id", "uri", "created_at", "description", "metadata", "backends"}
    assert ID_RE.fullmatch(body["id"])
    assert body["uri"] == f"{any_api.server.base_url}/backends/failover/{body['id']}"
    created = datetime.strptime(body["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - created).total_seconds()) < 3600
    assert (body["description"], body["metadata"], body["backends"]) == (
        "acme failover",
        '{"a": 1}',
        [KNOWN],
    )


def test_optional_fields_default_to_empty_strings(any_api: Api) -> None:
    body = any_api.create(backends=[])
    assert (body["description"], body["metadata"], body["backends"]) == ("", "", [])


def test_get_returns_what_create_returned(any_api: Api) -> None:
    made = any_api.create(description="x", backends=[KNOWN])
    response = any_api.http.get(f"/backends/failover/{made['id']}")
    assert response.status_code == 200
    assert response.json() == made


def test_children_keep_their_order(any_api: Api) -> None:
    first = any_api.create()
    second = any_api.create()
    made = any_api.create(backends=[second["id"], KNOWN, first["id"]])
    assert made["backends"] == [second["id"], KNOWN, first["id"]]


def test_update_keeps_absent_fields_and_replaces_present_ones(any_api: Api) -> None:
    made = any_api.create(description="d", metadata="m", backends=[KNOWN])
    response = any_api.http.patch(f"/backends/failover/{made['id']}", json={"metadata": "m2"})
    assert response.status_code == 200
    assert response.json() == {**made, "metadata": "m2"}
    response = any_api.http.patch(f"/backends/failover/{made['id']}", json={"backends": []})
    assert response.json() == {**made, "metadata": "m2", "backends": []}
    response = any_api.http.patch(f"/backends/failover/{made['id']}", json={})
    assert response.json() == {**made, "metadata": "m2", "backends": []}
    assert any_api.http.get(f"/backends/failover/{made['id']}").json() == response.json()


def test_update_body_may_carry_the_paths_own_id(any_api: Api) -> None:
    # As ngrok's JavaScript client sends it: the same update as without it.
    made = any_api.create(description="d", metadata="m", backends=[KNOWN])
    url = f"/backends/failover/{made['id']}"
    response = any_api.http.patch(url, json={"id": made["id"], "description": "d2"})
    assert response.status_code == 200, response.text
    assert response.json() == {**made, "description": "d2"}
    assert any_api.http.get(url).json() == response.json()


def test_delete_answers_204_without_body_or_content_type(any_api: Api) -> None:
    made = any_api.create()
    response = any_api.http.delete(f"/backends/failover/{made['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert any_api.http.get(f"/backends/failover/{made['id']}").status_code == 404


def test_list_is_newest_first_with_absolute_next_page_uri(any_api: Api) -> None:
    ids = [any_api.create()["id"] for _ in range(5)]
    page = any_api.http.get("/backends/failover", params={"limit": "2"}).json()
    assert [b["id"] for b in page["backends"]] == [ids[4], ids[3]]
    assert page["uri"] == f"{any_api.server.base_url}/backends/failover"
    assert page["next_page_uri"] == (
        f"{any_api.server.base_url}/backends/failover?before_id={ids[3]}&limit=2"
    )
    last = any_api.http.get("/backends/failover", params={"before_id": ids[1]}).json()
    assert [b["id"] for b in last["backends"]] == [ids[0]]
    assert last["next_page_uri"] is None


def test_following_next_page_uri_visits_every_backend_once(any_api: Api) -> None:
    ids = [any_api.create()["id"] for _ in range(23)]
    seen: list[str] = []
    url: str | None = "/backends/failover?limit=7"
    pages = 0
    while url:
        page = any_api.http.get(url).json()
        seen += [b["id"] for b in page["backends"]]
        url = page["next_page_uri"]
        pages += 1
    assert seen == ids[::-1]
    assert pages == 4


def test_empty_list_has_no_next_page(api: Api) -> None:
    page = api.http.get("/backends/failover").json()
    assert page == {
        "backends": [],
        "uri": f"{api.server.base_url}/backends/failover",
        "next_page_uri": None,
    }


def test_public_url_is_the_base_of_every_uri() -> None:
    config = ServerConfig(api_key=new_api_key(), public_url="https://proxy.example/api")
    with serve_in_thread(config) as server:
        api = Api(server)
        made = api.create()
        assert made["uri"] == f"https://proxy.example/api/backends/failover/{made['id']}"
        api.create()
        page = api.http.get("/backends/failover?limit=1").json()
        assert page["uri"] == "https://proxy.example/api/backends/failover"
        assert page["next_page_uri"].startswith("https://proxy.example/api/backends/failover?")
        api.close()


def test_uri_follows_the_host_header(api: Api) -> None:
    made = api.create()
    response = api.http.get(f"/backends/failover/{made['id']}", headers={"Host": "example.test"})
    assert response.json()["uri"] == f"http://example.test/backends/failover/{made['id']}"


def test_a_bad_host_header_falls_back_to_the_server_address(api: Api) -> None:
    made = api.create()
    response = api.http.get(f"/backends/failover/{made['id']}", headers={"Host": "a b"})
    assert response.json()["uri"] == f"{api.server.base_url}/backends/failover/{made['id']}"


def test_content_type_with_charset_is_accepted(api: Api) -> None:
    response = api.http.post(
        "/backends/failover",
        content=b'{"backends": []}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_strict_mode_accepts_known_and_held_children(strict_api: Api) -> None:
    child = strict_api.create(backends=[KNOWN])
    parent = strict_api.create(backends=[child["id"], KNOWN])
    assert parent["backends"] == [child["id"], KNOWN]


def test_unicode_survives_the_round_trip(any_api: Api) -> None:
    made = any_api.create(description="ünïcødé ☃ \x00", metadata="😀" * 10)
    got = any_api.http.get(f"/backends/failover/{made['id']}").json()
    assert got["description"] == "ünïcødé ☃ \x00"
    assert got["metadata"] == "😀" * 10


def test_limits_are_inclusive(any_api: Api) -> None:
    made = any_api.create(description="d" * 255, metadata="m" * 4096)
    assert len(made["description"]) == 255 and len(made["metadata"]) == 4096


def test_the_plugin_fixture_serves_a_fresh_server(failover_server: RunningServer) -> None:
    response = httpx.get(
        f"{failover_server.base_url}/backends/failover",
        headers={"Authorization": f"Bearer {failover_server.api_key}", "Ngrok-Version": "2"},
    )
    assert response.json()["backends"] == []


def test_the_bearer_scheme_is_case_insensitive(api: Api) -> None:
    response = api.http.get(
        "/backends/failover", headers={"Authorization": f"bearer {api.server.api_key}"}
    )
    assert response.status_code == 200
