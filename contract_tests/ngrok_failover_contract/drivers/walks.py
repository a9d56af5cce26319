"""The paging tests' walks: the whole list read as a client reads it, each page checked.

A walk follows the chain the server's `next_page_uri`s make, one page after another. With
`Ahead` it also asks for the pages it expects next before it reaches them: the model knows
which backends exist and their order (ids sort as they were made), so it can name each
page's last id, the next page's `before_id`. A page asked ahead is used only when the
server's own next URL is the one asked; the checks run on the chain as without it.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Lock
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

from ..checks.freedoms import Window, instant, listed_after
from ..checks.judge import Judge
from ..core.exchange import Exchange
from ..core.registry import ContractViolation, Property
from ..live.gate import Gate
from ..live.ledger import Ledger

Walked = TypeVar("Walked")
Sent = tuple[Exchange, Window, ContractViolation | None]  # `Ledger.send`: entered, unjudged

# More pages than this (for the backends that exist) means the list never ends.
PAGE_SLACK = 5
# Walks of one read, at most, when a page breaks on a backend someone else deleted.
DISTURBED_WALKS = 3


@dataclass
class Listing:
    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    last: Exchange | None = None
    # The page each id was listed on: a finding about one item shows that page's request.
    page_of: dict[str, Exchange] = field(default_factory=dict)


class Ahead:
    """Where the walks of one test send their pages when they ask ahead: `workers` threads,
    so at most that many requests are in flight across the walks sharing it. The walks also
    share what they learn of the list (`Known`): a backend one walk listed, or found gone,
    is in the others' predictions from then on."""

    def __init__(self, workers: int, *, first_depth: int | None = None) -> None:
        self.workers = workers
        # How far a walk asks ahead at its start (then one further a hit, half after a miss).
        self.first_depth = workers if first_depth is None else min(workers, first_depth)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="contract-ahead")
        self._known: Known | None = None
        self._lock = Lock()

    def known(self, ledger: Ledger) -> Known:
        """The list the walks expect, begun from `ledger`'s model by the first walk to ask."""
        with self._lock:
            if self._known is None:
                self._known = Known(ledger.foreign, ledger.run or ledger)
            return self._known

    def __enter__(self) -> Ahead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def send(self, ledger: Ledger, url: str) -> Future[Sent]:
        return self._pool.submit(ledger.send, "GET", url, *ledger.client.prepare())


class Known:
    """The backends a walk expects the list to hold, oldest first (ids sort as they were
    made): `ids`, those any walk sharing it listed since, less those a page showed gone;
    and, as they happen, the creates and deletes `run` (the run's ledger) was answered
    for: another shard's backend moves the list under a walk before any walk lists it.
    Only the pages asked ahead follow it; the checks hold the walk to the model."""

    def __init__(self, ids: Iterable[str], run: Ledger | None = None) -> None:
        self._ids = sorted(ids)
        self._run = run
        self._created = 0  # how many of the run's creates are in `_ids` (`created` grows)
        self._deleted = 0  # how many of its deletes were taken out
        self._lock = Lock()

    def learn(self, listed: Iterable[str]) -> None:
        with self._lock:
            self._learn(listed)

    def _learn(self, listed: Iterable[str]) -> None:
        gone = self._run.deleted if self._run is not None else ()
        for backend_id in listed:
            at = bisect.bisect_left(self._ids, backend_id)
            if (at == len(self._ids) or self._ids[at] != backend_id) and backend_id not in gone:
                self._ids.insert(at, backend_id)

    def _follow_run(self) -> None:
        """The run's creates and deletes since the last call, in `_ids` (under `_lock`)."""
        if self._run is None:
            return
        created, deleted = self._run.changed_since(self._created, self._deleted)
        self._created += len(created)
        if deleted is not None:
            self._deleted = len(deleted)
            self._ids = [i for i in self._ids if i not in deleted]
        self._learn(created)

    def answered(self, cursor: str | None, page: list[str], limit: int) -> None:
        """A page at `cursor` (None: the first) listed `page`: a known backend it should
        have listed and did not is gone (another user's, deleted meanwhile), or the server
        is wrong (the walk's checks say so)."""
        self.learn(page)
        shown = set(page)
        with self._lock:
            end = len(self._ids) if cursor is None else bisect.bisect_left(self._ids, cursor)
            full = len(page) >= limit
            start = bisect.bisect_left(self._ids, min(page)) if full and page else 0
            kept = [i for i in self._ids[start:end] if i in shown]
            self._ids[start:end] = kept

    def cursor_after(self, cursor: str | None, limit: int) -> str | None:
        """The next page's cursor after the page at `cursor`: the last of the `limit`
        backends just older than it (None: that page is the last)."""
        with self._lock:
            self._follow_run()
            older = len(self._ids) if cursor is None else bisect.bisect_left(self._ids, cursor)
            return self._ids[older - limit] if older - limit >= 1 else None


def read_all(
    ledger: Ledger,
    limit: int,
    *,
    order: bool = True,
    ahead: Ahead | None = None,
    past_run: bool = False,
) -> Listing | None:
    """Every page at `limit` per page, each page judged by the lane's model, the walk held to
    the paging properties: no page twice, no backend twice, an end; then `check_listing`.

    The ledger's `list_bound` (how many backends can exist) bounds the pages, so an endless
    list is caught even when its URLs never repeat. In a comparison each side walks its own
    list, following its own pages, one at a time (both sides must get one order of
    requests), and the twin compares the walks (None: the walk broke on the base side; the
    comparison holds the verdict). `ahead`: pages asked for ahead of the one followed.

    `past_run`: the walk may end before the list does, at the first page whose backends were
    all created in a second before the run's first (its anchors'), once every backend the
    lane expects and every anchor is listed (`_past_run`): newest first, what follows holds
    none of the run's. Those older backends (another user's, there before the run) are read
    in full by the paging test; the model's walks, at 1 to 4 a page, would read them all.

    A walk broken on a page whose `before_id` names a backend of someone else's that is gone
    (another run's, or another user's of a shared account, deleted meanwhile) is walked
    again: how such a cursor is answered is not documented (`empty_before_id`).
    """
    twin = ledger.twin
    if twin is not None and twin.active:
        return twin.walk(ledger, lambda lane: _walk(lane, limit, order=order))
    for walks in range(1, DISTURBED_WALKS + 1):
        listing = Listing()
        try:
            return _walk(
                ledger, limit, order=order, ahead=ahead, listing=listing, past_run=past_run
            )
        except ContractViolation as violation:
            last = walks == DISTURBED_WALKS
            if last or not _broke_on_foreign_gone(ledger, violation, listing.ids):
                raise
    raise AssertionError("unreachable: the last walk returns or raises")


def _walk(
    ledger: Ledger,
    limit: int,
    *,
    order: bool,
    ahead: Ahead | None = None,
    listing: Listing | None = None,
    past_run: bool = False,
) -> Listing:
    judge = ledger.judge
    listing = Listing() if listing is None else listing
    visited: set[str] = set()
    max_pages = ledger.list_bound() // limit + PAGE_SLACK
    run_began = _run_began(ledger) if past_run else None
    # Pages asked ahead stop one page past the oldest anchor: the walk ends there.
    pages = _Pages(ledger, limit, ahead, floor=min(ledger.fixed) if run_began else None)
    try:
        exchange = pages.first()
        while True:
            page = exchange.json()
            visited.add(exchange.url)
            listing.last = exchange
            for item in page.get("backends") or []:
                judge.listed_once(item["id"], listing.ids, exchange)
                listing.ids.append(item["id"])
                listing.items.append(item)
                listing.page_of[item["id"]] = exchange
            pages.read(exchange, [str(item["id"]) for item in page.get("backends") or []])
            next_uri = page.get("next_page_uri")
            if not next_uri or _past_run(ledger, run_began, page, listing):
                break
            judge.page_not_revisited(str(next_uri), visited, exchange)
            judge.list_ends(len(visited), max_pages, exchange)
            exchange = pages.follow(str(next_uri))
        pages.finish()
    finally:
        pages.close()
    check_listing(judge, listing, ledger.existing, ledger.deleted, order=order)
    return listing


class _Pages:
    """One walk's pages in the order the walk follows them. Without `ahead`, each is sent
    when the walk reaches it. With it, up to `ahead.workers` pages beyond the one followed
    are in flight, each at the cursor the list the walks know predicts (`Known`), in the
    form of the server's first `next_page_uri` (clients follow that URL, not one they build).

    When the server's next URL is not the one asked ahead (its cursor differs: a backend
    nobody knew of, one gone meanwhile, another order within a second), the pages ahead are
    thrown away and the walk goes on from the server's URL, asking half as far ahead; each
    page whose URL was the one predicted lets it ask one further again, up to `workers`
    (a server that never matches costs at most twice `workers` pages per walk; one moved by
    another user's creates and deletes costs a few pages a move). Each page thrown away was
    a real request and is judged by the model like any other (a GET with a `before_id` the
    list holds, or one the model lets be refused): what the server answered must be
    allowed, followed or not; only the walk's own checks (once, no loop, an end, all
    listed) are held to the chain. Pages asked ahead of a walk that failed go unjudged
    (those not sent yet are not sent)."""

    def __init__(
        self, ledger: Ledger, limit: int, ahead: Ahead | None, *, floor: str | None = None
    ) -> None:
        self.ledger, self.limit, self.ahead, self.floor = ledger, limit, ahead, floor
        self.most = ahead.workers if ahead is not None else 0
        self.depth = ahead.first_depth if ahead is not None else 0
        # Asked ahead, in chain order: the URL, its cursor, the request.
        self.pending: deque[tuple[str, str, Future[Sent]]] = deque()
        self.thrown: list[Future[Sent]] = []  # asked ahead, not followed, to be judged
        self.form: tuple[str, str] | None = None  # a next URL before and after its cursor
        self.known = ahead.known(ledger) if ahead is not None else None
        self.expected: str | None = None  # the next URL predicted, asked ahead or not

    def first(self) -> Exchange:
        return self._judged(self._send(self.ledger.client.list_path(limit=self.limit)))

    def read(self, page: Exchange, listed: list[str]) -> None:
        """The walk read `page`, which listed `listed`: the walks sharing `Known` learn it."""
        if self.known is not None:
            self.known.answered(_cursor(page.url), listed, self.limit)

    def follow(self, url: str) -> Exchange:
        """The page at `url`, the server's next URL after the page the walk read last."""
        # The walk's thread sends nothing itself now: a cancelled shard's walk stops here.
        self.ledger.client.gate.pause(0)
        if self.known is None:
            return self._judged(self._send(url))
        if self.form is None:
            self.form = _form(url)
        if self.pending and self.pending[0][0] == url:
            future = self.pending.popleft()[2]
            self.depth = min(self.most, self.depth + 1)
        else:
            self._throw_away()
            if url == self.expected:  # asking nothing ahead, and the prediction held
                self.depth = min(self.most, self.depth + 1)
            future = self._send(url)
        self._ask_ahead(url)
        self._judge_thrown()
        return self._judged(future)

    def finish(self) -> None:
        """The walk reached its end: what it asked beyond it is judged too."""
        self._throw_away()
        self._judge_thrown()

    def close(self) -> None:
        for _, _, future in self.pending:
            future.cancel()
        self.pending.clear()

    def _send(self, url: str) -> Future[Sent]:
        if self.ahead is None:  # one worker: sent here, as a walk always was
            future: Future[Sent] = Future()
            future.set_result(self.ledger.send("GET", url, *self.ledger.client.prepare()))
            return future
        return self.ahead.send(self.ledger, url)

    def _judged(self, future: Future[Sent]) -> Exchange:
        exchange, window, entered = future.result()

        def judged() -> Exchange:
            self.ledger.judged(exchange, window, entered=entered)
            return exchange

        return _diagnosed(self.ledger, judged)

    def _throw_away(self) -> None:
        if not self.pending:
            return
        # None is cancelled: which would be is a race, and the seed must mean one run.
        self.thrown += [future for _, _, future in self.pending]
        self.pending.clear()
        self.depth //= 2

    def _judge_thrown(self) -> None:
        thrown, self.thrown = self.thrown, []
        for future in thrown:
            self._judged(future)

    def _ask_ahead(self, followed: str) -> None:
        """Top the pages in flight up to `depth`, each after the one before it; no page is
        asked past the end the known list expects. Also the URL expected after `followed`,
        asked or not."""
        self.expected = None
        if self.form is None or self.known is None:
            return
        start = _cursor(followed)
        cursor = self.pending[-1][1] if self.pending else start
        while cursor is not None and len(self.pending) < self.depth:
            if self.floor is not None and cursor <= self.floor:
                break  # the page at `cursor` lists only older backends: the walk ends there
            cursor = self.known.cursor_after(cursor, self.limit)
            if cursor is not None:
                self.pending.append((url := self._url(cursor), cursor, self._send(url)))
        if self.pending:
            self.expected = self.pending[0][0]
        elif start is not None and (after := self.known.cursor_after(start, self.limit)):
            self.expected = self._url(after)  # nothing asked ahead (depth 0): still expected

    def _url(self, cursor: str) -> str:
        assert self.form is not None
        return self.form[0] + quote(cursor, safe="") + self.form[1]


def _run_began(ledger: Ledger) -> str | None:
    """When the run's first backend (an anchor) was created, as the server answered; None
    without anchors, or with a time that does not read."""
    dated = [(instant(b.created_at), b.created_at) for b in ledger.fixed.values()]
    read = [(moment, stamp) for moment, stamp in dated if moment is not None]
    if not dated or len(read) < len(dated):
        return None
    return min(read)[1]


def _past_run(
    ledger: Ledger, run_began: str | None, page: dict[str, Any], listing: Listing
) -> bool:
    """Whether the walk has read all of the run's part of the list: `page` holds backends
    only, none of which the run's first may follow (each created in an earlier second:
    `listed_after`), and every backend the lane expects to exist and every anchor was
    listed. Else (one missing, or misplaced among older ones) the walk goes on to the end,
    as a whole walk, so its checks say which."""
    items = page.get("backends") or []
    if run_began is None or not items:
        return False
    for item in items:
        if not isinstance(item, dict) or listed_after(item.get("created_at"), run_began):
            return False
    listed = set(listing.ids)
    return all(i in listed for i in (*ledger.existing, *ledger.fixed))


def _cursor(url: str) -> str | None:
    """The `before_id` of a page's URL (None: none, or more than one)."""
    values = parse_qs(urlsplit(url).query, keep_blank_values=True).get("before_id", [])
    return values[0] if len(values) == 1 else None


def _form(url: str) -> tuple[str, str] | None:
    """`url` cut around its cursor's value, when putting the cursor back in gives `url`."""
    cursor = _cursor(url)
    head, _, query = url.partition("?")
    params = query.split("&")
    named = [n for n, p in enumerate(params) if p.split("=", 1)[0] == "before_id"]
    if cursor is None or len(named) != 1:
        return None
    before = "&".join([*params[: named[0]], "before_id="])
    after = "&".join(["", *params[named[0] + 1 :]]) if named[0] + 1 < len(params) else ""
    form = (f"{head}?{before}", after)
    return form if form[0] + quote(cursor, safe="") + form[1] == url else None


def _broke_on_foreign_gone(
    ledger: Ledger, violation: ContractViolation, listed: Collection[str]
) -> bool:
    """Whether the page `violation` names asked after a backend the run did not create, one
    a list showed (this walk, or before), that is gone now (a get answers 404): another
    user's delete moved the list under the walk, and the page's answer is free
    (`empty_before_id`: read as absent, or refused)."""
    exchange = violation.exchange
    cursor = _cursor(exchange.url) if exchange is not None else None
    if cursor is None or ledger.ever_created(cursor):
        return False
    if cursor not in listed and cursor not in ledger.foreign:
        return False
    return ledger.client.get(cursor).status == 404


def _diagnosed(ledger: Ledger, read_page: Callable[[], Exchange]) -> Exchange:
    """A page read; a backend it shows unlike the model is read by itself: if a get shows
    the same, the backend itself changed (the get names why), else the list is stale."""
    try:
        return read_page()
    except ContractViolation as violation:
        known = violation.subject in ledger.oracle.world or violation.subject in ledger.fixed
        if violation.prop is Property.LIST_MATCHES_GET and known:
            ledger.get(str(violation.subject))
        raise


def settled(gate: Gate, walk: Callable[[], Walked]) -> Walked:
    """`walk` (a read of the whole list, and its checks), trusted only on a list that stood
    still: a violation seen while another shard of the run deleted a backend may come from
    that delete (the backend a next page starts after, gone), so the walk is made again with
    the run's deletes held back, and that walk's verdict is the one that counts.
    """
    mark = gate.deletes_mark()
    try:
        return walk()
    except ContractViolation:
        if not gate.disturbed(mark):
            raise
    with gate.quiet():
        return walk()


def check_listing(
    judge: Judge,
    listing: Listing,
    existing: list[str],
    deleted: set[str],
    *,
    order: bool = True,
) -> None:
    """Every existing backend of the run listed once; none of its deleted ones; newest first.

    Order shows only across a second's boundary (`newest_first`): a caller whose backends
    may all share one second (the model machine, replayed by Hypothesis) passes order=False.
    """
    assert listing.last is not None
    listed = set(listing.ids)
    judge.live_backends_listed([i for i in existing if i not in listed], listing.last)
    for backend_id in deleted:
        judge.deleted_not_listed(backend_id, listed, listing.last)
    if order:
        judge.newest_first(listing.items, listing.last)
