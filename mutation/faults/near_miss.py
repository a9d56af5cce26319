"""Planted faults of near misses: a key or an id one edit from the real one is taken for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..asgi import ASGIApp, Fault, Reply, Request
from ..registry import fault
from ..rewrite import is_collection, is_item, item_id, list_page


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def loose_key(matches: Callable[[str, str], bool]) -> Callable[[ASGIApp], ASGIApp]:
    """A fault whose key check is `matches(sent, key)`: a sent token it takes for the key
    reaches the server as the key. The key is learnt from the first request auth let past."""

    def wrap(app: ASGIApp) -> ASGIApp:
        key: list[str] = []

        def on_request(request: Request) -> Request:
            sent = bearer_token(request)
            if key and sent is not None and sent != key[0] and matches(sent, key[0]):
                return replace(
                    request, headers={**request.headers, "authorization": "Bearer " + key[0]}
                )
            return request

        def on_reply(request: Request, reply: Reply) -> Reply:
            token = bearer_token(request)
            if not key and token is not None and reply.status not in (401, 403):
                key.append(token)
            return reply

        return Fault(app, on_request=on_request, on_reply=on_reply)

    return wrap


fault(
    "key_prefix_accepted",
    "compares only as many characters of a key as the stored key has (strncmp): the key "
    "with characters appended is accepted",
    "near_miss_key_refused",
)(loose_key(lambda sent, key: sent.startswith(key)))

fault(
    "key_case_insensitive",
    "looks keys up in a case-insensitive index: the key in another letter case is accepted",
    "near_miss_key_refused",
)(loose_key(lambda sent, key: sent.lower() == key.lower()))


@fault(
    "id_case_insensitive",
    "looks an id up exactly, then under a case-insensitive collation (MySQL's _ci): a "
    "backend is found under its id in another letter case",
    "near_miss_id_not_found",
)
def id_case_insensitive(app: ASGIApp) -> ASGIApp:
    # Ids made in one second are often consecutive, so two may differ only in case: the ids
    # the server issued (deleted ones too) are found exactly, or not at all, so that only a
    # near miss the server never issued shows the fault (not a deleted backend's case twin).
    issued: set[str] = set()
    live: dict[str, set[str]] = {}  # the live ids, by their lower case

    def on_request(request: Request) -> Request:
        asked = item_id(request)
        found = sorted(live.get(asked.lower(), ()))
        if found and asked not in issued:
            return replace(request, path=request.path.removesuffix(asked) + found[0])
        return request

    def learn(backend: Any) -> None:
        if isinstance(backend, dict) and isinstance(backend.get("id"), str):
            issued.add(backend["id"])
            live.setdefault(backend["id"].lower(), set()).add(backend["id"])

    def forget(backend_id: str) -> None:
        twins = live.get(backend_id.lower(), set())
        twins.discard(backend_id)
        if not twins:
            live.pop(backend_id.lower(), None)

    def on_reply(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is not None:
            for backend in page["backends"]:
                learn(backend)
        elif reply.status in (200, 201) and (
            is_collection(request, "POST") or is_item(request, "GET")
        ):
            learn(reply.json())
        elif is_item(request, "DELETE") and reply.status == 204:
            forget(item_id(request))
        return reply

    return Fault(app, on_request=on_request, on_reply=on_reply)
