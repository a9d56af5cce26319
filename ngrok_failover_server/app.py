"""The HTTP layer: a raw ASGI3 app that routes, parses and maps domain errors to ngrok's.

Validation rules live in `rules`, state in `store`; this module only speaks HTTP.
Checks run in ngrok's order: auth (which also picks the account, and so its store and its
rate limit), rate limit, version, route and method, then query and body, then the store.
A store that may block (SQLite) is called in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote

from . import errors as E
from .asgi import Receive, Scope, Send
from .config import ServerConfig
from .ratelimit import RateLimiter
from .rules import (
    LIMIT_MAX,
    LIMIT_MIN,
    Rule,
    RuleViolation,
    is_failover_id,
    parse_create,
    parse_limit,
    parse_update,
)
from .store import (
    DEFAULT_ACCOUNT,
    AccountStores,
    FailoverBackend,
    MissingChildren,
    NotFound,
    StillReferenced,
    Store,
    StoreBusy,
    StoreError,
    open_accounts,
)

log = logging.getLogger(__name__)

COLLECTION = "/backends/failover"
_ITEM_PREFIX = COLLECTION + "/"
_COLLECTION_ALLOW = (b"allow", b"GET, POST")
_ITEM_ALLOW = (b"allow", b"GET, PATCH, DELETE")
_JSON = (b"content-type", b"application/json")
_CLOSE = (b"connection", b"close")
_HOST_RE = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
_RULE_CODES = {
    Rule.NOT_AN_OBJECT: E.UNPARSEABLE_BODY,
    Rule.UNKNOWN_FIELD: E.UNKNOWN_FIELD,
    Rule.INVALID_VALUE: E.INVALID_VALUE,
    Rule.DESCRIPTION_TOO_LONG: E.DESCRIPTION_TOO_LONG,
    Rule.METADATA_TOO_LONG: E.METADATA_TOO_LONG,
    Rule.TOO_MANY_CHILDREN: E.TOO_MANY_CHILDREN,
}


def _not_found(err: NotFound) -> str:
    return f"Failover backend {err.backend_id[:80]!r} not found."


def _missing_children(err: MissingChildren) -> str:
    return "A referenced backend does not exist: " + ", ".join(err.missing) + "."


def _still_referenced(err: StillReferenced) -> str:
    return (
        f"The backend {err.backend_id} is referenced by another backend "
        f"({', '.join(err.parents)}) and cannot be deleted."
    )


def _busy(err: StoreBusy) -> str:
    return f"The store is locked by another writer (waited {err.waited:.1f} s); retry later."


# The store's domain errors as ngrok answers: status, code (None: ngrok documents none),
# message. The table cannot tie each builder to its own error type (hence Any); `_handle`
# looks them up by exact type.
_STORE_ERRORS: dict[type[StoreError], tuple[int, str | None, Callable[[Any], str]]] = {
    NotFound: (404, E.NOT_FOUND, _not_found),
    MissingChildren: (400, E.MISSING_CHILD, _missing_children),
    StillReferenced: (400, E.STILL_REFERENCED, _still_referenced),
    StoreBusy: (503, None, _busy),
}

Response = tuple[int, bytes | None, tuple[tuple[bytes, bytes], ...]]
T = TypeVar("T")


class ClientGone(Exception):
    """The client disconnected before its body arrived: nothing to answer."""


def create_app(
    config: ServerConfig,
    store: Store | AccountStores | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> FailoverApp:
    """The ASGI app for `config`. A given store brings its own reference policy: a `Store`
    serves the default account (then `config` may name no other), `AccountStores` each
    account. None opens them as `config` says (the caller of `close` closes them).

    `clock` (seconds, monotonic) times the rate limit; tests pass a fake one.
    """
    if store is None:
        stores = open_accounts(
            config.db_path,
            config.account_names(),
            config.references,
            lock_timeout=config.limits.lock_timeout,
        )
    elif isinstance(store, AccountStores):
        stores = store
    else:
        if config.account_names() != (DEFAULT_ACCOUNT,):
            raise ValueError("a config with several accounts needs AccountStores, not a Store")
        stores = AccountStores({DEFAULT_ACCOUNT: store})
    missing = [name for name in config.account_names() if name not in stores]
    if missing:
        raise ValueError(f"no store for the account(s) {', '.join(missing)}")
    return FailoverApp(config, stores, clock)


class FailoverApp:
    """The Failover Backends API as an ASGI3 callable."""

    def __init__(
        self,
        config: ServerConfig,
        stores: AccountStores,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.stores = stores
        # A key is found by its SHA-256, so the lookup's timing says nothing of the keys.
        self._accounts = {
            _digest(key.encode()): (key.encode(), account)
            for key, account in config.account_of_key().items()
        }
        # ngrok's limit is each account's own.
        self._limiters = {
            account: RateLimiter(config.rate_limit, config.rate_window, clock)
            for account in config.account_names()
            if config.rate_limit
        }
        self._public_url = config.public_url.rstrip("/") if config.public_url else None
        self._limits = config.limits
        self._in_flight = 0
        # A blocking store's calls run here, off the event loop: one thread writes (SQLite
        # has one writer at a time), one reads (WAL lets it run while a write waits).
        self._writer: ThreadPoolExecutor | None = None
        self._reader: ThreadPoolExecutor | None = None

    @property
    def store(self) -> Store:
        """The default account's store."""
        return self.stores[DEFAULT_ACCOUNT]

    def close(self) -> None:
        """Stop the store threads (the stores stay open: their opener closes them)."""
        for pool in (self._writer, self._reader):
            if pool is not None:
                pool.shutdown(wait=True)
        self._writer = self._reader = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if self._in_flight >= self._limits.max_in_flight:
            status, body, headers = _error(
                503,
                None,
                f"The server has {self._in_flight} requests in flight, its most; retry later.",
                ((b"retry-after", str(self._limits.retry_after).encode()),),
            )
        else:
            self._in_flight += 1
            try:
                status, body, headers = await self._answer(scope, receive)
            except ClientGone:
                return
            finally:
                self._in_flight -= 1
        if body is not None:
            headers = (*headers, (b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body or b""})

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        try:
            return await self._handle(scope, receive)
        except ClientGone:
            raise
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            return _error(500, None, "Internal server error.")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _handle(self, scope: Scope, receive: Receive) -> Response:
        try:
            return await self._dispatch(scope, receive)
        except E.ApiError as err:
            return _error(err.status, err.code, err.msg, err.headers)
        except RuleViolation as err:
            return _error(400, _RULE_CODES[err.rule], err.message)
        except StoreError as err:
            answer = _STORE_ERRORS.get(type(err))
            if answer is None:
                raise  # not a client's fault: a 500
            status, code, message = answer
            extra: tuple[tuple[bytes, bytes], ...] = ()
            if isinstance(err, StoreBusy):
                log.warning(
                    "answered 503 to %s %s: the store stayed locked %.1f s (another writer?)",
                    scope.get("method"),
                    scope.get("path", "")[:80],
                    err.waited,
                )
                extra = ((b"retry-after", str(self._limits.retry_after).encode()),)
            return _error(status, code, message(err), extra)

    async def _dispatch(self, scope: Scope, receive: Receive) -> Response:
        headers = _headers(scope)
        account = self._authenticate(headers.get(b"authorization"))
        store = self.stores[account]
        limiter = self._limiters.get(account)
        if limiter is not None:
            wait = limiter.acquire()
            if wait is not None:
                # Whole seconds (RFC 9110, 10.2.3), rounded up so a retry then is accepted.
                retry_after = str(max(1, math.ceil(wait))).encode()
                raise E.ApiError(
                    429,
                    E.RATE_LIMITED,
                    "You have exceeded your rate limit.",
                    ((b"retry-after", retry_after),),
                )
        _check_version(headers.get(b"ngrok-version"))

        path: str = scope["path"]
        method: str = scope["method"]
        query = _query(scope.get("query_string", b""))
        if path == COLLECTION:
            if method == "GET":
                return await self._list(store, scope, headers, query)
            if method == "POST":
                _no_params(query)
                new = parse_create(await self._json_body(headers, receive))
                made = await self._call(store, True, store.create, new)
                return self._send(201, made, scope, headers)
            raise _method_not_allowed(method, _COLLECTION_ALLOW)
        if path.startswith(_ITEM_PREFIX) and "/" not in path[len(_ITEM_PREFIX) :]:
            backend_id = path[len(_ITEM_PREFIX) :]
            if method not in ("GET", "PATCH", "DELETE"):
                raise _method_not_allowed(method, _ITEM_ALLOW)
            if not is_failover_id(backend_id):
                raise NotFound(backend_id)  # answered like any unknown id
            _no_params(query)
            if method == "GET":
                found = await self._call(store, False, store.get, backend_id)
                return self._send(200, found, scope, headers)
            if method == "PATCH":
                patch = parse_update(await self._json_body(headers, receive), backend_id)
                changed = await self._call(store, True, store.update, backend_id, patch)
                return self._send(200, changed, scope, headers)
            await self._call(store, True, store.delete, backend_id)
            return 204, None, ()
        raise E.ApiError(404, None, f"No API resource at path {path[:200]!r}.")

    async def _call(self, store: Store, write: bool, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)`: inline for a store that never blocks, else in a store thread."""
        if not store.blocking:
            return fn(*args)
        if write:
            self._writer = self._writer or ThreadPoolExecutor(1, "failover-store-writer")
            pool = self._writer
        else:
            self._reader = self._reader or ThreadPoolExecutor(1, "failover-store-reader")
            pool = self._reader
        queued = time.monotonic()
        timeout = self._limits.lock_timeout

        def run() -> T:
            # A call that waited its whole turn behind others (each bounded by the lock
            # timeout) fails at once, so no answer waits more than twice the timeout.
            waited = time.monotonic() - queued
            if waited >= timeout:
                raise StoreBusy(waited)
            return fn(*args)

        return await asyncio.get_running_loop().run_in_executor(pool, run)

    def _authenticate(self, value: bytes | None) -> str:
        """The account whose key `value` carries, or an ApiError (401)."""
        if value is None:
            raise E.ApiError(
                401, E.NO_AUTH, "Your request did not include an Authorization header."
            )
        scheme, _, token = value.partition(b" ")
        token = token.strip()
        if scheme.lower() == b"bearer":  # case-insensitive (RFC 9110, section 11.1)
            key, account = self._accounts.get(_digest(token), (b"", ""))
            if account and hmac.compare_digest(token, key):
                return account
        if scheme.lower() != b"bearer" or not token:
            raise E.ApiError(
                401,
                E.UNPARSEABLE_AUTH,
                "The Authorization header could not be parsed: expected 'Bearer <API key>'.",
            )
        raise E.ApiError(401, E.INVALID_KEY, "The authentication you specified is invalid.")

    async def _list(
        self, store: Store, scope: Scope, headers: dict[bytes, bytes], query: dict[str, str]
    ) -> Response:
        for name in query:
            if name not in ("before_id", "limit"):
                raise _unknown_param(name)
        limit = parse_limit(query.get("limit"))
        if limit is None:
            raise E.ApiError(
                400,
                E.LIMIT_OUT_OF_RANGE,
                f"limit: {query['limit'][:40]!r} is not an integer "
                f"from {LIMIT_MIN} to {LIMIT_MAX}.",
            )
        before_id = query.get("before_id")
        if before_id == "":
            raise E.ApiError(400, E.INVALID_VALUE, "before_id: must not be empty.")
        page = await self._call(store, False, store.page, before_id, limit)
        base = self._base_url(scope, headers)
        next_page = None
        if page.has_more:
            last = quote(page.items[-1].id, safe="")
            next_page = f"{base}{COLLECTION}?before_id={last}&limit={limit}"
        body = {
            "backends": [_backend_json(b, base) for b in page.items],
            "uri": base + COLLECTION,
            "next_page_uri": next_page,
        }
        return 200, E.dumps(body), (_JSON,)

    async def _json_body(self, headers: dict[bytes, bytes], receive: Receive) -> object:
        content_type = headers.get(b"content-type")
        if content_type is None:
            raise E.ApiError(
                400, E.NO_CONTENT_TYPE, "Content-Type: missing; send 'application/json'."
            )
        media_type = content_type.split(b";", 1)[0].strip().lower()
        if media_type != b"application/json":
            shown = content_type[:80].decode("latin-1")
            raise E.ApiError(
                400,
                E.UNSUPPORTED_CONTENT_TYPE,
                f"Content-Type: {shown!r} is not supported; send 'application/json'.",
            )
        raw = await _read_body(headers, receive, self._limits.max_body_bytes)
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError) as err:
            raise E.ApiError(
                400, E.UNPARSEABLE_BODY, f"body: not parseable as JSON ({str(err)[:200]})."
            ) from None

    def _send(
        self, status: int, record: FailoverBackend, scope: Scope, headers: dict[bytes, bytes]
    ) -> Response:
        return status, E.dumps(_backend_json(record, self._base_url(scope, headers))), (_JSON,)

    def _base_url(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        if self._public_url is not None:
            return self._public_url
        host = headers.get(b"host", b"").decode("latin-1")
        if not _HOST_RE.fullmatch(host):
            server = scope.get("server") or ("127.0.0.1", 80)
            host = (
                f"{server[0]}:{server[1]}" if ":" not in server[0] else f"[{server[0]}]:{server[1]}"
            )
        scheme = "https" if scope.get("scheme") == "https" else "http"
        return f"{scheme}://{host}"


def _backend_json(record: FailoverBackend, base: str) -> dict[str, Any]:
    return {
        "id": record.id,
        "uri": f"{base}{_ITEM_PREFIX}{record.id}",
        "created_at": record.created_at,
        "description": record.description,
        "metadata": record.metadata,
        "backends": list(record.backends),
    }


def _digest(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


def _error(
    status: int, code: str | None, msg: str, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> Response:
    return status, E.error_body(status, code, msg), (_JSON, *extra)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    # Header names arrive lowercased (ASGI spec); the first of repeated ones wins.
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        found.setdefault(name, value)
    return found


def _check_version(value: bytes | None) -> None:
    if value is None:
        raise E.ApiError(
            400, E.MISSING_VERSION, "Your request has not specified an API version (Ngrok-Version)."
        )
    if value != b"2":
        shown = value[:40].decode("latin-1")
        raise E.ApiError(
            400,
            E.UNSUPPORTED_VERSION,
            f"Ngrok-Version: {shown!r} is not a supported API version; only '2' is.",
        )


def _query(raw: bytes) -> dict[str, str]:
    # Last value wins for a repeated parameter.
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, max_num_fields=100)
    except ValueError:  # more than max_num_fields
        raise E.ApiError(400, E.UNKNOWN_PARAM, "Too many query parameters (over 100).") from None
    return dict(pairs)


def _no_params(query: dict[str, str]) -> None:
    for name in query:
        raise _unknown_param(name)


def _unknown_param(name: str) -> E.ApiError:
    return E.ApiError(400, E.UNKNOWN_PARAM, f"Unknown query parameter {name[:80]!r}.")


def _method_not_allowed(method: str, allow: tuple[bytes, bytes]) -> E.ApiError:
    return E.ApiError(
        405,
        None,
        f"Method {method[:20]} is not allowed here; allowed: {allow[1].decode()}.",
        (allow,),
    )


async def _read_body(headers: dict[bytes, bytes], receive: Receive, limit: int) -> bytes:
    too_large = E.ApiError(
        400,
        E.UNPARSEABLE_BODY,
        f"body: larger than the {limit} bytes accepted.",
        (_CLOSE,),  # the rest of it is not read: the connection cannot carry another request
    )
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")
