"""The paging walks (`drivers.walks.read_all`) against the reference server behind a wrapper:
pages asked ahead of the one followed, a server whose cursor is not the one predicted, and
a walk disturbed by someone else's delete. No test waits on a clock to pass."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from mutation.asgi import ASGIApp, Forward, Handle, Reply, Request
from mutation.rewrite import derived, is_collection, item_path, list_page
from ngrok_failover_contract.checks.judge import Judge
from ngrok_failover_contract.core.api import COLLECTION
from ngrok_failover_contract.core.registry import ContractViolation, Property
from ngrok_failover_contract.drivers import walks
from ngrok_failover_contract.drivers.walks import Ahead, read_all
from ngrok_failover_contract.live.client import ApiClient
from ngrok_failover_contract.live.gate import Gate
from ngrok_failover_contract.live.ledger import Ledger
from ngrok_failover_contract.live.marker import marker_of
from ngrok_failover_server.testing import serve_in_thread

RUN_ID = "20261201T101011Z-204c1c"
OTHER_RUN_ID = "20261201T101012Z-9e8d7c"  # another user of the account (another run, say)
BACKENDS = 8
# How long a held page waits for a page asked ahead: only a broken walk ever waits it out.
HOLD_S = 10.0

Wrap = Callable[[ASGIApp], ASGIApp]


def _ledger(base_url: str, key: str, run_id: str = RUN_ID) -> Ledger:
    client = ApiClient(base_url, key, Gate(marker_of(run_id)))
    return Ledger(client, Judge(), 0, (), run_id)


@contextmanager
def _run(wrap: Wrap, *, foreign_at: int | None = None) -> Iterator[tuple[Ledger, list[str]]]:
    """A run's ledger on a server wrapped in `wrap`, with BACKENDS backends of its own, and
    two of another user's made after `foreign_at` of them; the ids, newest first."""
    with serve_in_thread(wrap=wrap) as server:
        ledger = _ledger(server.base_url, server.api_key)
        other = _ledger(server.base_url, server.api_key, OTHER_RUN_ID)
        made: list[str] = []
        for n in range(BACKENDS):
            if n == foreign_at:  # two: one of them is not the oldest, so a next page's cursor
                for _ in range(2):
                    theirs = other.create({"description": "theirs", "backends": []})[1]
                    made.append(str(theirs["id"]))
            made.append(str(ledger.create({"description": f"b{n}", "backends": []})[1]["id"]))
        ledger.survey()  # another user's backends are foreign from here on
        ledger.client.history.clear()  # the walk's requests only
        try:
            yield ledger, sorted(made, reverse=True)
        finally:
            ledger.client.close()
            other.client.close()


async def _released(event: asyncio.Event) -> bool:
    """Whether `event` came within HOLD_S: an answer held for it goes on either way."""
    try:
        await asyncio.wait_for(event.wait(), HOLD_S)
    except TimeoutError:
        return False
    return True


def _list_urls(ledger: Ledger) -> list[str]:
    return [e.url for e in ledger.client.history if e.method == "GET" and "?" in e.url]


def _next_urls(ledger: Ledger) -> list[str]:
    """The next_page_uri of every page the server answered."""
    pages = [e.json() for e in ledger.client.history if e.method == "GET" and "?" in e.url]
    return [str(p["next_page_uri"]) for p in pages if isinstance(p, dict) and p["next_page_uri"]]


def _before_id(request: Request) -> str | None:
    return dict(parse_qsl(request.query)).get("before_id")


def test_pages_are_asked_ahead_of_the_one_followed() -> None:
    """The second page's answer is held until the third page is asked: a walk that asks one
    page at a time would wait HOLD_S and show it."""
    asked: set[str] = set()
    held: list[bool] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        arrived = asyncio.Event()

        async def handle(request: Request, forward: Forward) -> Reply:
            before = _before_id(request)
            if is_collection(request, "GET") and before is not None:
                asked.add(before)
                if len(asked) > 1:
                    arrived.set()
                elif not held:
                    held.append(await _released(arrived))
            return await forward(request)

        return Handle(app, handle)

    with _run(wrap) as (ledger, ids), Ahead(4) as ahead:
        listing = read_all(ledger, 1, ahead=ahead)
        assert listing is not None and listing.ids == ids
        assert held == [True], "the third page was not asked before the second was answered"
        # Every prediction held: no page was asked that the walk did not follow.
        assert len(_list_urls(ledger)) == len(ids)


def test_a_walk_takes_the_form_of_the_servers_next_url_and_wastes_no_page() -> None:
    """A server whose next URL puts limit first: the pages asked ahead are in that form, so
    each is the server's next URL and none is thrown away."""

    def limit_first(request: Request, reply: Reply) -> Reply:
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is None:
            return reply
        parts = urlsplit(page["next_page_uri"])
        query = dict(parse_qsl(parts.query))
        moved = urlencode({"limit": query["limit"], "before_id": query["before_id"]})
        return reply.with_json({**page, "next_page_uri": parts._replace(query=moved).geturl()})

    def wrap(app: ASGIApp) -> ASGIApp:
        async def handle(request: Request, forward: Forward) -> Reply:
            return limit_first(request, await forward(request))

        return Handle(app, handle)

    with _run(wrap) as (ledger, ids), Ahead(4) as ahead:
        listing = read_all(ledger, 2, ahead=ahead)
        assert listing is not None and listing.ids == ids
        urls = _list_urls(ledger)
        assert len(urls) == len(ids) // 2 and len(set(urls)) == len(urls)
        assert all(urlsplit(u).query.startswith("limit=2&before_id=") for u in urls[1:])


def _skipping(app: ASGIApp) -> ASGIApp:
    """Each next_page_uri names the backend after the page's last one: the next page starts
    one further than it should, and the backend between is never listed."""

    async def handle(request: Request, forward: Forward) -> Reply:
        reply = await forward(request)
        page = list_page(request, reply)
        if page is None or page["next_page_uri"] is None:
            return reply
        last = page["backends"][-1]["id"]
        after = list_page(
            request,
            await forward(derived(request, "GET", COLLECTION, query=f"before_id={last}&limit=1")),
        )
        if after is None or not after["backends"]:
            return reply
        skipped = after["backends"][0]["id"]
        next_uri = page["next_page_uri"].replace(f"before_id={last}", f"before_id={skipped}")
        return reply.with_json({**page, "next_page_uri": next_uri})

    return Handle(app, handle)


@pytest.mark.parametrize("workers", [1, 4])
def test_a_server_whose_cursor_is_not_the_predicted_one_is_followed_and_its_skip_caught(
    workers: int,
) -> None:
    """Every page asked ahead is thrown away (the server's next URL names another cursor):
    the walk follows the server's URLs, each of them, and names a backend they skip; one
    worker asks nothing ahead."""
    with _run(_skipping) as (ledger, ids), Ahead(workers) as pool:
        ahead = pool if workers > 1 else None
        with pytest.raises(ContractViolation) as failed:
            read_all(ledger, 1, ahead=ahead)
        assert failed.value.prop is Property.EVERY_EXISTING_BACKEND_LISTED
        assert ids[1] in failed.value.message  # the first backend the server skipped
        urls = _list_urls(ledger)
        assert set(_next_urls(ledger)) <= set(urls), "a next_page_uri of the server's not followed"
        # Each page followed is the server's; the first four asked ahead, then two, then
        # one are thrown away (each miss halves how far the walk asks ahead).
        followed = 1 + len(ids) // 2
        assert len(urls) == followed + (4 + 2 + 1 if ahead else 0)


class _Deleter:
    """Another user deletes their backend once the walk has read it (between two pages),
    and the server reads a before_id naming a backend it does not hold as absent (the first
    page again): `empty_before_id` leaves that answer free. With `delete=False`, a faulty
    server that does so for a backend it still holds."""

    def __init__(self, *, delete: bool = True) -> None:
        self.delete = delete
        self.foreign: str | None = None
        self.deleted: set[str] = set()

    def __call__(self, app: ASGIApp) -> ASGIApp:
        async def handle(request: Request, forward: Forward) -> Reply:
            before = _before_id(request)
            if is_collection(request, "GET") and before is not None:
                if self.delete and before == self.foreign and before not in self.deleted:
                    await forward(derived(request, "DELETE", item_path(before)))
                    self.deleted.add(before)
                if before == self.foreign:
                    query = [(k, v) for k, v in parse_qsl(request.query) if k != "before_id"]
                    request = derived(request, "GET", request.path, query=urlencode(query))
            return await forward(request)

        return Handle(app, handle)


def _first_pages(ledger: Ledger) -> int:
    return sum(1 for url in _list_urls(ledger) if "before_id" not in url)


@contextmanager
def _disturbed(deleter: _Deleter) -> Iterator[tuple[Ledger, list[str]]]:
    with _run(deleter, foreign_at=3) as (ledger, ids):
        deleter.foreign = next(i for i in ids if not ledger.ever_created(i))  # not the oldest
        yield ledger, [i for i in ids if i != deleter.foreign]


def test_a_walk_broken_on_a_cursor_someone_else_deleted_is_walked_again() -> None:
    with _disturbed(_Deleter()) as (ledger, ours):
        listing = read_all(ledger, 1)
        assert listing is not None and listing.ids == ours
        assert _first_pages(ledger) == 2


def test_without_walking_again_that_walk_is_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above passes only because the walk is made again."""
    monkeypatch.setattr(walks, "DISTURBED_WALKS", 1)
    with _disturbed(_Deleter()) as (ledger, _), pytest.raises(ContractViolation) as failed:
        read_all(ledger, 1)
    assert failed.value.prop is Property.LISTED_EXACTLY_ONCE


def test_a_cursor_of_someone_elses_backend_that_still_exists_is_no_excuse() -> None:
    with _disturbed(_Deleter(delete=False)) as (ledger, _):
        with pytest.raises(ContractViolation) as failed:
            read_all(ledger, 1)
        assert failed.value.prop is Property.LISTED_EXACTLY_ONCE
        assert _first_pages(ledger) == 1


def test_walks_of_one_test_share_what_they_learn_of_the_list() -> None:
    """Walks side by side start from what the model knew when the first began (`Ahead.known`).
    Another user's backend made after that, older than one of ours, makes a prediction miss;
    once a walk at 100 a page listed it, a walk at 1 a page sharing its `Ahead` predicts
    every page (none asked ahead is thrown away), and one that does not share it misses."""
    with _run(lambda app: app) as (ledger, ids), Ahead(4) as shared, Ahead(4) as alone:
        shared.known(ledger), alone.known(ledger)  # the walks begin, side by side
        other = _ledger(ledger.client.base_url, ledger.client.api_key, OTHER_RUN_ID)
        theirs = str(other.create({"description": "theirs", "backends": []})[1]["id"])
        ours = str(ledger.create({"description": "ours", "backends": []})[1]["id"])
        other.client.close()
        everything = [ours, theirs, *ids]
        read_all(ledger, 100, ahead=shared)
        ledger.client.history.clear()
        listing = read_all(ledger, 1, ahead=shared)
        assert listing is not None and listing.ids == everything
        assert len(_list_urls(ledger)) == len(everything)
        ledger.client.history.clear()
        read_all(ledger, 1, ahead=alone)
        assert len(_list_urls(ledger)) > len(everything)


def test_walks_predict_what_other_shards_create_and_delete_before_a_page_shows_it() -> None:
    """Another shard's lane creates two backends and deletes one of the run's after the walks
    began: no walk listed them, yet a walk at 1 a page predicts every page (the run's ledger
    says what changed), and no page asked ahead is thrown away."""
    with _run(lambda app: app) as (ledger, ids), Ahead(4) as ahead:
        ahead.known(ledger)  # the walks begin
        shard = ledger.lane(7)
        made = [str(shard.create({"description": "s", "backends": []})[1]["id"]) for _ in "ab"]
        shard.delete(ids[2])
        ledger.client.history.clear()
        listing = read_all(ledger, 1, ahead=ahead)
        everything = [*reversed(made), *(i for i in ids if i != ids[2])]
        assert listing is not None and listing.ids == everything
        assert len(_list_urls(ledger)) == len(everything)


@pytest.mark.parametrize(
    ("workers", "made"),
    [
        # Each of theirs followed by one of ours: 4, then 2, then 1 page ahead miss.
        (4, ["theirs", "ours", "theirs", "ours", "theirs", "ours"]),
        # Two of theirs in a row: 2, then 1 ahead miss, and the walk asks none ahead; the
        # next server URL the known list predicts lets it ask one again.
        (2, ["theirs", "theirs", "ours"]),
    ],
)
def test_a_walk_asks_ahead_again_after_its_predictions_missed(
    workers: int, made: list[str]
) -> None:
    """Backends of another user's, made after the survey among the run's newest, make
    predictions miss (were asking only halved, the walk would end one page at a time). Each
    page predicted right lets it ask one further again: the oldest pages are asked ahead.
    The page at the third-oldest is held until the page after it is asked: a walk asking
    no page ahead by then would wait HOLD_S and show it."""
    hold: dict[str, str] = {}
    held: list[bool] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        asked = asyncio.Event()

        async def handle(request: Request, forward: Forward) -> Reply:
            before = _before_id(request)
            if is_collection(request, "GET") and before is not None and hold:
                if before == hold["release"]:
                    asked.set()
                elif before == hold["cursor"] and not held:
                    held.append(await _released(asked))
            return await forward(request)

        return Handle(app, handle)

    with _run(wrap) as (ledger, older):
        other = _ledger(ledger.client.base_url, ledger.client.api_key, OTHER_RUN_ID)
        for whose in made:
            (other if whose == "theirs" else ledger).create({"description": whose, "backends": []})
        other.client.close()
        hold.update(cursor=older[-3], release=older[-2])
        ledger.client.history.clear()
        with Ahead(workers) as ahead:
            listing = read_all(ledger, 1, ahead=ahead)
        assert listing is not None and len(listing.ids) == len(older) + len(made)
        assert held == [True], "the walk no longer asked ahead after its misses"
        assert set(_next_urls(ledger)) <= set(_list_urls(ledger))


def test_the_known_list_learns_listed_backends_and_forgets_those_a_page_skipped() -> None:
    known = walks.Known(["a", "b", "d", "e"])
    assert known.cursor_after(None, 2) == "d"  # the first page: e, d
    known.answered("e", ["d", "c"], 2)  # c is new; the page is full from c to the cursor
    assert known.cursor_after("e", 2) == "c"
    known.answered("c", ["a"], 2)  # a last page: b, older than c and not shown, is gone
    assert known.cursor_after("c", 1) is None  # a alone is older than c: the page is the last
    assert known.cursor_after(None, 1) == "e" and known.cursor_after("d", 1) == "c"
    known.answered(None, ["e", "d"], 2)  # full: nothing older than d is judged
    assert known.cursor_after("d", 1) == "c"


def test_a_walk_begins_asking_as_far_ahead_as_its_first_depth_then_further_a_hit() -> None:
    """`first_depth` (the model's walks: the shards move the list under them) starts a walk
    one page ahead, and each page predicted right lets it ask one further, up to the
    workers; the walk reads the same list, and no page is wasted."""
    with _run(lambda app: app) as (ledger, ids), Ahead(4, first_depth=1) as ahead:
        depths: list[int] = []
        follow = walks._Pages.follow

        def recorded(self: walks._Pages, url: str) -> object:
            depths.append(self.depth)
            return follow(self, url)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(walks._Pages, "follow", recorded)
            listing = read_all(ledger, 1, ahead=ahead)
        assert listing is not None and listing.ids == ids
        assert depths[:5] == [1, 1, 2, 3, 4] and max(depths) == 4  # the first: nothing asked yet
        assert len(_list_urls(ledger)) == len(ids)


OLD = "2001-01-01T00:00:00Z"  # long before any run
OLDER = 6  # another user's backends, there before the run


class _Dated:
    """Lists show the backends in `dates` created then (another user's, from before the
    run), and leave out those in `hidden` (a faulty server's lost backend)."""

    def __init__(self) -> None:
        self.dates: dict[str, str] = {}
        self.hidden: set[str] = set()

    def __call__(self, app: ASGIApp) -> ASGIApp:
        async def handle(request: Request, forward: Forward) -> Reply:
            reply = await forward(request)
            page = list_page(request, reply)
            if page is None:
                return reply
            shown = [
                {**item, "created_at": self.dates.get(item["id"], item["created_at"])}
                for item in page["backends"]
                if item["id"] not in self.hidden
            ]
            return reply.with_json({**page, "backends": shown})

        return Handle(app, handle)


@contextmanager
def _crowded(dated: _Dated, when: str | None = OLD) -> Iterator[tuple[Ledger, list[str]]]:
    """OLDER backends of another user's, dated `when` (None: as the server made them), then
    the run: two anchors and BACKENDS of its own; the run's ids, newest first."""
    with serve_in_thread(wrap=dated) as server:
        ledger = _ledger(server.base_url, server.api_key)
        other = _ledger(server.base_url, server.api_key, OTHER_RUN_ID)
        for _ in range(OLDER):
            theirs = str(other.create({"description": "theirs", "backends": []})[1]["id"])
            if when is not None:
                dated.dates[theirs] = when
        ledger.survey()
        ledger.make_anchors(2)
        for n in range(BACKENDS):
            ledger.create({"description": f"b{n}", "backends": []})
        ledger.client.history.clear()
        try:
            yield ledger, sorted(ledger.existing, reverse=True)
        finally:
            ledger.client.close()
            other.client.close()


@pytest.mark.parametrize("workers", [1, 4])
def test_a_walk_past_the_run_ends_at_the_first_page_older_than_the_run(workers: int) -> None:
    """At 1 a page: the run's ten pages, then one of another user's older backends, and
    no further (nor asked ahead further); a whole walk reads all of them."""
    with _crowded(_Dated()) as (ledger, ours), Ahead(workers) as pool:
        ahead = pool if workers > 1 else None
        listing = read_all(ledger, 1, ahead=ahead, past_run=True)
        assert listing is not None and listing.ids[: len(ours)] == ours
        assert len(listing.ids) == len(ours) + 1
        assert len(_list_urls(ledger)) == len(ours) + 1
        ledger.client.history.clear()
        whole = read_all(ledger, 1, ahead=ahead)
        assert whole is not None and len(whole.ids) == len(ours) + OLDER
        assert len(_list_urls(ledger)) == len(ours) + OLDER


def test_older_backends_made_in_the_runs_first_second_are_read_to_the_end() -> None:
    """Another user's backends dated in the second of the run's anchors may come before
    them in the list (its order is by second): the walk cannot end early."""
    dated = _Dated()
    with _crowded(dated, when=None) as (ledger, ours):
        began = min(backend.created_at for backend in ledger.fixed.values())
        dated.dates = dict.fromkeys(ledger.foreign, began)
        listing = read_all(ledger, 1, past_run=True)
        assert listing is not None and len(listing.ids) == len(ours) + OLDER


def test_a_walk_past_the_run_missing_a_backend_of_the_run_reads_to_the_end_and_says_so() -> None:
    """A server that lost one of the run's backends: the walk does not end at the older
    page (the backend might follow it, misplaced); it reads all and names the lost one."""
    dated = _Dated()
    with _crowded(dated) as (ledger, ours):
        dated.hidden = {ours[3]}
        with pytest.raises(ContractViolation) as failed:
            read_all(ledger, 3, past_run=True)
        assert failed.value.prop is Property.EVERY_EXISTING_BACKEND_LISTED
        assert ours[3] in failed.value.message
        assert len(_list_urls(ledger)) == -(-(len(ours) + OLDER) // 3)  # every page
