"""The keyspace engine, synchronously, with a fixed command time (no clock, no sockets)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from minivalkey.engine import keyspace as ks
from minivalkey.engine.keyspace import Database, Keyspace
from minivalkey.engine.types import TypeSpec, copy_value, register, type_name
from minivalkey.errors import WRONGTYPE, CommandError

NOW = 1_700_000_000_000


class Box(list):  # type: ignore[type-arg]
    """A mutable value type that exists only in these tests."""


class Frozen(tuple):  # type: ignore[type-arg]
    """A value type registered with its own copier."""


register(TypeSpec(Box, "list", lambda _: "quicklist", lambda *_: 0, copy=copy.deepcopy))
register(TypeSpec(Frozen, "zset", lambda _: "listpack", lambda *_: 0, copy=Frozen))


class FakeClient:
    """The Watcher side of a client, reduced to recording what the keyspace tells it."""

    def __init__(self) -> None:
        self.watch_dirty = False
        self.watched: dict[tuple[int, bytes], bool] = {}

    def watched_key_touched(self, index: int, key: bytes, still_exists: bool) -> None:
        if self.watched.get((index, key)) and not still_exists:
            self.watched[(index, key)] = False  # an already expired key went away
            return
        self.watch_dirty = True

    def mark_watch_dirty(self, unwatch: bool = True) -> None:
        self.watch_dirty = True


@pytest.fixture
def space() -> Keyspace:
    keyspace = Keyspace(4)
    keyspace.now_ms = NOW
    return keyspace


@pytest.fixture
def db(space: Keyspace) -> Database:
    return space[0]


def watcher(space: Keyspace, key: bytes, index: int = 0) -> FakeClient:
    client = FakeClient()
    client.watched[(index, key)] = space[index].is_expired(key)
    space.watch(client, index, key)
    return client


def scan_all(db: Database, count: int) -> list[bytes]:
    cursor, seen = 0, []
    while True:
        cursor, found = db.scan(cursor, count)
        seen.extend(found)
        if cursor == 0:
            return seen


# -- reading and writing ------------------------------------------------------------------


def test_set_lookup_exists_and_len(db: Database) -> None:
    assert db.lookup(b"k") is None
    assert not db.exists(b"k")
    db.set(b"k", b"v")
    assert db.lookup(b"k") == b"v"
    assert db.exists(b"k")
    assert len(db) == 1
    db.set(b"k", b"w")
    assert db.lookup(b"k") == b"w"
    assert len(db) == 1


def test_lookup_typed_raises_wrongtype_for_another_type(db: Database) -> None:
    db.set(b"s", b"v")
    db.set(b"l", Box([b"a"]))
    assert db.lookup_typed(b"s", bytes) == b"v"
    assert db.lookup_typed(b"missing", bytes) is None
    with pytest.raises(CommandError) as error:
        db.lookup_typed(b"l", bytes)
    assert error.value.text == WRONGTYPE
    assert type_name(db.lookup(b"l")) == "list"
    assert type_name(b"x") == "string"


def test_delete_answers_whether_a_live_key_went(db: Database) -> None:
    db.set(b"k", b"v")
    assert db.delete(b"k") is True
    assert db.delete(b"k") is False
    assert db.lookup(b"k") is None


def test_set_drops_the_ttl_unless_asked_to_keep_it(db: Database) -> None:
    db.set(b"k", b"v")
    assert db.set_expire(b"k", NOW + 1000) is True
    db.set(b"k", b"w", keep_ttl=True)
    assert db.expire_at(b"k") == NOW + 1000
    db.set(b"k", b"x")
    assert db.expire_at(b"k") is None


def test_set_over_an_expired_key_expires_it_first(space: Keyspace, db: Database) -> None:
    db.set(b"k", b"v")
    db.set_expire(b"k", NOW + 10)
    space.now_ms = NOW + 10
    db.set(b"k", b"w", keep_ttl=True)  # the old deadline is gone, not kept
    assert db.lookup(b"k") == b"w"
    assert db.expire_at(b"k") is None
    assert space.stats_expired_keys == 1


def test_persist(db: Database) -> None:
    db.set(b"k", b"v")
    assert db.persist(b"k") is False
    db.set_expire(b"k", NOW + 10)
    assert db.persist(b"k") is True
    assert db.expire_at(b"k") is None
    assert db.persist(b"missing") is False


# -- expiry ---------------------------------------------------------------------------------


def test_lazy_expiry_on_lookup(space: Keyspace, db: Database) -> None:
    db.set(b"k", b"v")
    db.set_expire(b"k", NOW + 100)
    client = watcher(space, b"k")
    space.now_ms = NOW + 99
    assert db.lookup(b"k") == b"v"
    assert not client.watch_dirty
    space.now_ms = NOW + 100  # due exactly at the deadline
    assert len(db) == 1  # still stored until something looks at it
    assert db.is_expired(b"k")
    assert len(db) == 1  # is_expired never deletes
    assert db.lookup(b"k") is None
    assert len(db) == 0
    assert b"k" not in db.expires
    assert space.stats_expired_keys == 1
    assert client.watch_dirty  # an expiry is a change watchers see


def test_set_expire_in_the_past_deletes_now_without_counting_an_expiry(
    space: Keyspace, db: Database
) -> None:
    db.set(b"k", b"v")
    client = watcher(space, b"k")
    assert db.set_expire(b"k", NOW) is False
    assert len(db) == 0
    assert space.stats_expired_keys == 0  # the command deleted it; nothing expired
    assert client.watch_dirty
    assert db.set_expire(b"absent", NOW + 10) is False
    assert len(db) == 0


def test_active_expiry_removes_every_due_key_and_only_those(space: Keyspace) -> None:
    db0, db2 = space[0], space[2]
    for index in range(1, 51):
        db0.set(b"k%d" % index, b"v")
        db0.set_expire(b"k%d" % index, NOW + 10 * index)
    db2.set(b"other", b"v")
    db2.set_expire(b"other", NOW + 5)
    db0.set(b"forever", b"v")
    client = watcher(space, b"k3")
    space.now_ms = NOW + 100
    assert len(db0) == 51  # expired keys still count until removed (DBSIZE does too)
    assert space.active_expire() == 11  # k1..k10 in database 0, other in database 2
    assert len(db0) == 41
    assert len(db2) == 0
    assert space.stats_expired_keys == 11
    assert client.watch_dirty
    assert db0.lookup(b"k11") == b"v"
    assert db0.lookup(b"forever") == b"v"
    assert space.active_expire() == 0


def test_active_expiry_skips_deadlines_that_moved_or_went(space: Keyspace, db: Database) -> None:
    for key in (b"moved", b"persisted", b"rewritten", b"deleted"):
        db.set(key, b"v")
        db.set_expire(key, NOW + 10)
    db.set_expire(b"moved", NOW + 1000)
    db.persist(b"persisted")
    db.set(b"rewritten", b"w")
    db.delete(b"deleted")
    db.set(b"deleted", b"again")  # a new key of the same name, without a TTL
    space.now_ms = NOW + 500
    assert space.active_expire() == 0
    assert sorted(db.data) == [b"deleted", b"moved", b"persisted", b"rewritten"]
    space.now_ms = NOW + 1000
    assert space.active_expire() == 1
    assert b"moved" not in db.data


def test_active_expiry_respects_its_budget(space: Keyspace, db: Database) -> None:
    for index in range(30):
        db.set(b"k%d" % index, b"v")
        db.set_expire(b"k%d" % index, NOW + 1)
    space.now_ms = NOW + 1
    assert space.active_expire(limit=20) == 20
    assert len(db) == 10
    assert space.active_expire(limit=20) == 10
    assert len(db) == 0


def test_the_expiry_heap_stays_bounded_when_a_ttl_is_updated_often(db: Database) -> None:
    db.set(b"k", b"v")
    for step in range(10_000):
        db.set_expire(b"k", NOW + 1000 + step)
    assert len(db._deadlines) <= 2 * len(db.expires) + ks._HEAP_SLACK + 1
    assert db.expire_at(b"k") == NOW + 1000 + 9999


# -- WATCH ------------------------------------------------------------------------------------


def test_every_write_touches_watchers(space: Keyspace, db: Database) -> None:
    operations = [
        lambda: db.set(b"k", b"v"),
        lambda: db.set_expire(b"k", NOW + 10),
        lambda: db.persist(b"k"),
        lambda: db.delete(b"k"),
        lambda: db.add(b"k", b"v"),
        lambda: db.touch(b"k"),
        lambda: db.flush(),
    ]
    for operation in operations:
        client = watcher(space, b"k")
        operation()
        assert client.watch_dirty, operation
        space.unwatch(client, 0, b"k")


def test_writes_that_change_nothing_touch_nobody(space: Keyspace, db: Database) -> None:
    client = watcher(space, b"k")
    assert db.delete(b"k") is False
    assert db.persist(b"k") is False
    db.set(b"other", b"v")
    assert not client.watch_dirty


def test_touch_only_reaches_watchers_of_that_key_and_database(space: Keyspace) -> None:
    same = watcher(space, b"k", index=0)
    other_db = watcher(space, b"k", index=1)
    other_key = watcher(space, b"j", index=0)
    space[0].touch(b"k")
    assert same.watch_dirty
    assert not other_db.watch_dirty
    assert not other_key.watch_dirty


def test_unwatch_forgets_the_watcher(space: Keyspace) -> None:
    client = watcher(space, b"k")
    space.unwatch(client, 0, b"k")
    assert space.watched == {}
    space[0].set(b"k", b"v")
    assert not client.watch_dirty


# -- flush and swap ---------------------------------------------------------------------------


def test_flush_empties_and_notifies(space: Keyspace, db: Database) -> None:
    flushed: list[int] = []
    space.flush_listeners.append(lambda database: flushed.append(database.index))
    db.set(b"a", b"1")
    db.set(b"b", b"2")
    db.set_expire(b"b", NOW + 10)
    assert db.flush() == 2
    assert len(db) == 0
    assert db.expires == {}
    assert db.scan(0, 10) == (0, [])
    assert db.random_key() is None
    assert flushed == [0]
    db.set(b"c", b"3")
    assert scan_all(db, 10) == [b"c"]


def test_delete_listeners_see_the_removed_value(space: Keyspace, db: Database) -> None:
    removed: list[tuple[int, bytes, Any]] = []
    space.delete_listeners.append(
        lambda database, key, value: removed.append((database.index, key, value))
    )
    db.set(b"a", b"1")
    db.set(b"b", b"2")
    db.set_expire(b"b", NOW + 1)
    db.delete(b"a")
    space.now_ms = NOW + 1
    db.lookup(b"b")
    assert removed == [(0, b"a", b"1"), (0, b"b", b"2")]


def test_swap_exchanges_contents_ttls_and_scan_order(space: Keyspace) -> None:
    first, second = space[0], space[1]
    first.set(b"a", b"1")
    first.set_expire(b"a", NOW + 50)
    first.set(b"b", b"2")
    second.set(b"x", b"9")
    watch_a = watcher(space, b"a", index=0)  # a leaves database 0
    watch_x = watcher(space, b"x", index=0)  # x arrives in database 0
    watch_none = watcher(space, b"nothing", index=0)
    space.swap(0, 1)
    assert first.lookup(b"x") == b"9"
    assert second.lookup(b"a") == b"1"
    assert second.expire_at(b"a") == NOW + 50
    assert first.lookup(b"a") is None
    assert watch_a.watch_dirty and watch_x.watch_dirty
    assert not watch_none.watch_dirty
    assert scan_all(first, 10) == [b"x"]
    assert scan_all(second, 10) == [b"a", b"b"]
    first.set(b"y", b"8")  # insertion order continues after the swap
    assert scan_all(first, 1) == [b"x", b"y"]
    space.now_ms = NOW + 50
    assert space.active_expire() == 1  # the deadline moved with its key
    assert second.lookup(b"a") is None and second.lookup(b"b") == b"2"


def test_swap_with_itself_changes_nothing(space: Keyspace, db: Database) -> None:
    db.set(b"a", b"1")
    client = watcher(space, b"a")
    space.swap(0, 0)
    assert db.lookup(b"a") == b"1"
    assert not client.watch_dirty


# -- SCAN order index ------------------------------------------------------------------------


def test_scan_walks_insertion_order_with_a_cursor(db: Database) -> None:
    for index in range(25):
        db.set(b"k%02d" % index, b"v")
    cursor, found = db.scan(0, 10)
    assert found == [b"k%02d" % index for index in range(10)]
    assert cursor != 0
    cursor, found = db.scan(cursor, 10)
    assert found == [b"k%02d" % index for index in range(10, 20)]
    cursor, found = db.scan(cursor, 10)
    assert found == [b"k%02d" % index for index in range(20, 25)]
    assert cursor == 0


def test_scan_counts_only_live_entries_and_bounds_its_work(db: Database) -> None:
    for index in range(30):
        db.set(b"k%d" % index, b"v")
    for index in range(20):  # 20 dead entries: below the compaction threshold
        db.delete(b"k%d" % index)
    assert len(db._order_keys) == 30
    cursor, found = db.scan(0, 1)  # examines at most 10 entries, all dead
    assert found == [] and cursor != 0
    cursor, found = db.scan(cursor, 1)
    assert found == [] and cursor != 0
    cursor, found = db.scan(cursor, 1)
    assert found == [b"k20"]
    assert scan_all(db, 100) == [b"k%d" % index for index in range(20, 30)]


def test_scan_cursors_survive_compaction(db: Database) -> None:
    for index in range(400):
        db.set(b"k%03d" % index, b"v")
    cursor, found = db.scan(0, 100)
    assert found[-1] == b"k099"
    for index in range(0, 380):  # forces compaction of the index
        if index != 150:
            db.delete(b"k%03d" % index)
    assert len(db._order_keys) < 400
    rest = []
    while cursor:
        cursor, found = db.scan(cursor, 100)
        rest.extend(found)
    assert rest == [b"k150"] + [b"k%03d" % index for index in range(380, 400)]


def test_scan_returns_every_key_present_throughout_despite_changes(db: Database) -> None:
    """The SCAN guarantee, under random insertions and deletions between calls."""
    rng = random.Random(1234)
    for index in range(500):
        db.set(b"base%d" % index, b"v")
    stable = {b"base%d" % index for index in range(0, 500, 3)}
    volatile = [b"base%d" % index for index in range(500) if index % 3]
    cursor, seen, calls, added = 0, [], 0, 0
    while True:
        cursor, found = db.scan(cursor, rng.randint(1, 20))
        seen.extend(found)
        calls += 1
        for _ in range(rng.randint(0, 15)):  # churn between calls
            if volatile and rng.random() < 0.5:
                db.delete(volatile.pop(rng.randrange(len(volatile))))
            else:
                db.set(b"new%d" % added, b"v")
                added += 1
        if cursor == 0:
            break
    assert stable <= set(seen)
    assert calls > 10


def test_scan_of_a_cursor_past_the_end_finishes(db: Database) -> None:
    db.set(b"a", b"1")
    assert db.scan(2**64 - 1, 10) == (0, [])


# -- random keys --------------------------------------------------------------------------


def test_random_key_returns_live_keys_and_removes_expired_ones(
    space: Keyspace, db: Database
) -> None:
    assert db.random_key() is None
    db.set(b"live", b"v")
    for index in range(20):
        db.set(b"gone%d" % index, b"v")
        db.set_expire(b"gone%d" % index, NOW + 1)
    space.now_ms = NOW + 1
    for _ in range(50):
        assert db.random_key() == b"live"
    db.delete(b"live")
    assert db.random_key() is None
    assert len(db) == 0


def test_random_key_reaches_every_key(db: Database) -> None:
    keys = {b"k%d" % index for index in range(5)}
    for key in keys:
        db.set(key, b"v")
    seen = {db.random_key() for _ in range(500)}
    assert seen == keys


def test_live_keys_skips_and_removes_expired(space: Keyspace, db: Database) -> None:
    db.set(b"a", b"1")
    db.set(b"b", b"2")
    db.set_expire(b"b", NOW + 1)
    space.now_ms = NOW + 1
    assert list(db.live_keys()) == [b"a"]
    assert len(db) == 1


# -- copying values -------------------------------------------------------------------------


def test_copy_value() -> None:
    text = b"immutable"
    assert copy_value(text) is text
    original = Box([b"a", [b"nested"]])
    duplicate = copy_value(original)
    assert duplicate == original and type(duplicate) is Box
    duplicate[1].append(b"more")
    assert original[1] == [b"nested"]  # the registered deep copy
    frozen = Frozen((1, 2))
    copied = copy_value(frozen)
    assert copied == frozen and copied is not frozen  # the registered copier ran
