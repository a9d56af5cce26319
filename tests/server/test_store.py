"""The stores, without HTTP: the same behaviour in memory and in SQLite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ngrok_failover_server.ids import IdGenerator
from ngrok_failover_server.rules import BackendPatch, NewBackend, is_failover_id
from ngrok_failover_server.store import (
    FailoverBackend,
    MissingChildren,
    NotFound,
    References,
    SqliteStore,
    StillReferenced,
    Store,
)

from .conftest import KNOWN, OTHER

Factory = Callable[..., Store]
STRICT = References(strict=True, known=frozenset({KNOWN}))


def test_created_backend_has_an_id_a_timestamp_and_the_given_fields(store_factory: Factory) -> None:
    store = store_factory()
    made = store.create(NewBackend("d", "m", (KNOWN,)))
    assert is_failover_id(made.id)
    assert made.created_at.endswith("Z") and len(made.created_at) == 20
    assert (made.description, made.metadata, made.backends) == ("d", "m", (KNOWN,))
    assert store.get(made.id) == made


def test_ids_sort_by_creation_even_within_one_second(store_factory: Factory) -> None:
    store = store_factory()
    ids = [store.create(NewBackend()).id for _ in range(50)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 50


def test_id_generator_keeps_order_when_the_clock_goes_back() -> None:
    gen = IdGenerator("bkdfo_")
    first, _ = gen.new(now=2_000_000_000)
    second, _ = gen.new(now=1_900_000_000)
    assert second > first


def test_update_replaces_present_fields_and_keeps_absent_ones(store_factory: Factory) -> None:
    store = store_factory()
    made = store.create(NewBackend("d", "m", (KNOWN,)))
    updated = store.update(made.id, BackendPatch(metadata="m2"))
    assert updated == FailoverBackend(made.id, made.created_at, "d", "m2", (KNOWN,))
    cleared = store.update(made.id, BackendPatch(backends=()))
    assert cleared.backends == ()
    assert store.get(made.id) == cleared


def test_unknown_id_raises_not_found_on_get_update_delete(store_factory: Factory) -> None:
    store = store_factory()
    missing = "bkdfo_" + "0" * 27
    with pytest.raises(NotFound):
        store.get(missing)
    with pytest.raises(NotFound):
        store.update(missing, BackendPatch(description="x"))
    with pytest.raises(NotFound):
        store.delete(missing)


def test_delete_removes_the_backend(store_factory: Factory) -> None:
    store = store_factory()
    made = store.create(NewBackend())
    store.delete(made.id)
    with pytest.raises(NotFound):
        store.get(made.id)
    assert store.count() == 0


def test_pages_are_newest_first_and_chain_by_before_id(store_factory: Factory) -> None:
    store = store_factory()
    ids = [store.create(NewBackend()).id for _ in range(10)]
    seen: list[str] = []
    before = None
    while True:
        page = store.page(before, 3)
        seen += [b.id for b in page.items]
        if not page.has_more:
            break
        before = page.items[-1].id
    assert seen == ids[::-1]


def test_an_exactly_full_last_page_says_nothing_follows(store_factory: Factory) -> None:
    store = store_factory()
    for _ in range(4):
        store.create(NewBackend())
    assert store.page(None, 4).has_more is False
    assert store.page(None, 3).has_more is True


def test_before_id_need_not_exist(store_factory: Factory) -> None:
    store = store_factory()
    ids = [store.create(NewBackend()).id for _ in range(3)]
    between = ids[1][:-1] + "0" if ids[1][-1] != "0" else ids[1]
    page = store.page(between, 10)
    assert [b.id for b in page.items] == [i for i in reversed(ids) if i < between]
    assert store.page("", 10).items == ()
    assert len(store.page("zzz", 10).items) == 3


def test_strict_store_rejects_missing_children(store_factory: Factory) -> None:
    store = store_factory(STRICT)
    with pytest.raises(MissingChildren) as caught:
        store.create(NewBackend(backends=(KNOWN, OTHER)))
    assert caught.value.missing == (OTHER,)
    assert store.count() == 0
    child = store.create(NewBackend(backends=(KNOWN,)))
    parent = store.create(NewBackend(backends=(child.id, KNOWN)))
    with pytest.raises(MissingChildren):
        store.update(parent.id, BackendPatch(backends=(OTHER,)))
    assert store.get(parent.id) == parent


def test_strict_store_refuses_to_delete_a_referenced_backend(store_factory: Factory) -> None:
    store = store_factory(STRICT)
    child = store.create(NewBackend())
    parent = store.create(NewBackend(backends=(child.id,)))
    with pytest.raises(StillReferenced) as caught:
        store.delete(child.id)
    assert caught.value.parents == (parent.id,)
    store.update(parent.id, BackendPatch(backends=()))
    store.delete(child.id)
    assert store.count() == 1


def test_self_reference_does_not_block_deletion(store_factory: Factory) -> None:
    store = store_factory(STRICT)
    made = store.create(NewBackend())
    store.update(made.id, BackendPatch(backends=(made.id,)))
    store.delete(made.id)
    assert store.count() == 0


def test_default_store_only_stores_children(store_factory: Factory) -> None:
    store = store_factory()
    child = store.create(NewBackend())
    store.create(NewBackend(backends=(child.id, OTHER)))
    store.delete(child.id)  # not strict: references are not checked
    assert store.count() == 1


def test_bulk_insert_then_create_keeps_order(store_factory: Factory) -> None:
    store = store_factory()
    gen = IdGenerator("bkdfo_")
    records = []
    for _ in range(5):
        backend_id, _created = gen.new()
        records.append(FailoverBackend(backend_id, "2024-04-19T20:23:43Z", "", "", ()))
    store.bulk_insert(records)
    made = store.create(NewBackend())
    assert made.id > records[-1].id
    assert [b.id for b in store.page(None, 100).items] == [made.id] + [
        r.id for r in reversed(records)
    ]


def test_concurrent_creates_make_unique_ids(store_factory: Factory) -> None:
    store = store_factory()
    ids: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        made = [store.create(NewBackend()).id for _ in range(50)]
        with lock:
            ids.extend(made)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 400
    assert store.count() == 400
    listed: list[str] = []
    before = None
    while True:
        page = store.page(before, 100)
        listed += [b.id for b in page.items]
        if not page.has_more:
            break
        before = page.items[-1].id
    assert listed == sorted(ids, reverse=True)


def test_concurrent_updates_of_different_fields_lose_nothing(store_factory: Factory) -> None:
    store = store_factory()
    made = store.create(NewBackend())
    barrier = threading.Barrier(2)

    def set_description() -> None:
        barrier.wait()
        for i in range(100):
            store.update(made.id, BackendPatch(description=f"d{i}"))

    def set_metadata() -> None:
        barrier.wait()
        for i in range(100):
            store.update(made.id, BackendPatch(metadata=f"m{i}"))

    threads = [threading.Thread(target=set_description), threading.Thread(target=set_metadata)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = store.get(made.id)
    assert (final.description, final.metadata) == ("d99", "m99")


def test_sqlite_store_keeps_everything_across_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "kept.db")
    store = SqliteStore(path)
    made = store.create(NewBackend("d\x00é", "m", (KNOWN,)))
    store.close()
    again = SqliteStore(path)
    try:
        assert again.get(made.id) == made
        assert again.create(NewBackend()).id > made.id
    finally:
        again.close()
