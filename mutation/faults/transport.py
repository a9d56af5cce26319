"""Planted faults of transport: statuses, content types, headers, crashes."""

from __future__ import annotations

from dataclasses import replace

from ..asgi import ASGIApp, Fault, Forward, Handle, Reply, Request
from ..registry import fault
from ..rewrite import crash_reply, derived, is_collection, is_item, item_id, item_path


@fault("text_content_type", "answers JSON labelled text/plain", "content_type_conformance")
def text_content_type(app: ASGIApp) -> ASGIApp:
    def on_reply(_: Request, reply: Reply) -> Reply:
        if not reply.body:
            return reply
        return replace(reply, headers={**reply.headers, "content-type": "text/plain"})

    return Fault(app, on_reply=on_reply)


@fault(
    "version_not_required",
    "serves requests without the Ngrok-Version header",
    "missing_required_header",
)
def version_not_required(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        return replace(request, headers={"ngrok-version": "2", **request.headers})

    return Fault(app, on_request=on_request)


@fault("auth_ignored", "serves requests whatever their API key", "ignored_auth", sample=True)
def auth_ignored(app: ASGIApp) -> ASGIApp:
    # The reference server's key is learnt from the first request that gets past auth.
    key: dict[str, str] = {}

    def on_request(request: Request) -> Request:
        auth = request.headers.get("authorization")
        if "good" not in key and auth:
            key["candidate"] = auth
        good = key.get("good") or key.get("candidate")
        return replace(request, headers={**request.headers, "authorization": good or ""})

    def on_reply(request: Request, reply: Reply) -> Reply:
        if reply.status not in (401, 403) and "candidate" in key:
            key.setdefault("good", key["candidate"])
        return reply

    return Fault(app, on_request=on_request, on_reply=on_reply)


@fault(
    "create_answers_200", "answers a create with 200 instead of 201", "create_accepts_valid_input"
)
def create_answers_200(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_collection(request, "POST") and reply.status == 201:
            return replace(reply, status=200)
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "delete_answers_200_body",
    "answers a delete with 200 and the deleted backend",
    "delete_answers_204",
)
def delete_answers_200_body(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        if is_item(request, "DELETE") and reply.status == 204:
            return reply.with_json({"id": item_id(request)}, status=200)
        return reply

    return Fault(app, on_reply=on_reply)


@fault(
    "crash_on_empty_children",
    "crashes (500) on a create with no child backends",
    "create_accepts_valid_input",
)
def crash_on_empty_children(app: ASGIApp) -> ASGIApp:
    def on_reply(request: Request, reply: Reply) -> Reply:
        body = request.json()
        if is_collection(request, "POST") and isinstance(body, dict) and body.get("backends") == []:
            return crash_reply()
        return reply

    return Fault(app, on_reply=on_reply)


# Child slots in a storage row: one more is an exception the handler does not catch.
CHILD_SLOTS = 6


@fault(
    "crash_on_many_children",
    f"crashes (500) on a valid create or update with more than {CHILD_SLOTS} children (a row "
    f"with {CHILD_SLOTS} child slots; the transaction is rolled back)",
    "create_accepts_valid_input",
)
def crash_on_many_children(app: ASGIApp) -> ASGIApp:
    async def handle(request: Request, forward: Forward) -> Reply:
        body = request.json()
        children = body.get("backends") if isinstance(body, dict) else None
        if not (isinstance(children, list) and len(children) > CHILD_SLOTS):
            return await forward(request)
        if is_collection(request, "POST"):
            reply = await forward(request)
            if reply.status != 201:
                return reply  # refused before the insert
            await forward(derived(request, "DELETE", item_path(reply.json()["id"])))
            return crash_reply()
        if is_item(request, "PATCH"):
            before = await forward(derived(request, "GET", request.path))
            reply = await forward(request)
            if reply.status != 200 or before.status != 200:
                return reply
            old = {name: before.json()[name] for name in ("description", "metadata", "backends")}
            await forward(request.with_json(old))
            return crash_reply()
        return await forward(request)

    return Handle(app, handle)


@fault(
    "any_version_accepted",
    "checks that Ngrok-Version is there, not what it says: any version is served as 2",
    "negative_data_rejection",
)
def any_version_accepted(app: ASGIApp) -> ASGIApp:
    def on_request(request: Request) -> Request:
        if "ngrok-version" not in request.headers:
            return request
        return replace(request, headers={**request.headers, "ngrok-version": "2"})

    return Fault(app, on_request=on_request)
