"""Keyspace events of the generic commands, as Valkey 8.0.1's db.c, expire.c and evict.c
emit them (event, key, database, in order), recorded through ``Keyspace.event_sink``.

Each scenario was run once against valkey-server with ``notify-keyspace-events KEAnm``
and a pattern subscription to ``__keyevent@*__:*``; the expected lists are what it
published, restricted to the classes the generic commands own (generic, new, expired,
evicted, keymiss): the type commands' own events (``set``, ``xadd``...) are left out.
Commands run in process on a manual clock.
"""

from __future__ import annotations

import eventtable
import inprocess
import pytest

from minivalkey import events
from minivalkey.rdb.crc64 import crc64

OWN = events.GENERIC | events.NEW | events.EXPIRED | events.EVICTED | events.KEY_MISS

Event = tuple[str, bytes, int]


class Harness(inprocess.Harness):
    """Records the events of the classes the generic commands own."""

    def __init__(self, **config: str) -> None:
        super().__init__(**config)
        self.seen: list[Event] = []
        self.core.keyspace.event_sink = self._record
        self.run("CONFIG", "SET", "notify-keyspace-events", "KEAnm")

    def _record(self, event_class: int, event: str, key: bytes, db: int) -> None:
        if event_class & OWN:
            self.seen.append((event, key, db))

    def events_of(self, *commands: tuple[str, ...]) -> list[Event]:
        self.seen.clear()
        for command in commands:
            self.run(*command)
        return list(self.seen)


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_del_and_unlink(h: Harness) -> None:
    h.run("SET", "a", "1")
    h.run("SET", "b", "2")
    h.run("XADD", "s", "*", "f", "v")
    assert h.events_of(("DEL", "a", "nokey", "b"), ("UNLINK", "s", "s")) == [
        ("del", b"a", 0),
        ("del", b"b", 0),
        ("del", b"s", 0),
    ]


def test_new_comes_with_every_key_created(h: Harness) -> None:
    assert h.events_of(("SET", "s", "1"), ("SET", "s", "2"), ("XADD", "x", "*", "f", "v")) == [
        ("new", b"s", 0),
        ("new", b"x", 0),
    ]


def test_rename(h: Harness) -> None:
    h.run("SET", "c", "3")
    h.run("SET", "e", "1")
    assert h.events_of(("RENAME", "c", "d"), ("RENAME", "d", "e"), ("RENAME", "e", "e")) == [
        ("new", b"d", 0),
        ("rename_from", b"c", 0),
        ("rename_to", b"d", 0),
        ("new", b"e", 0),  # the old e is deleted silently, the moved value added
        ("rename_from", b"d", 0),
        ("rename_to", b"e", 0),
    ]
    assert h.events_of(("RENAME", "nokey", "x"), ("RENAMENX", "e", "e")) == []


def test_renamenx(h: Harness) -> None:
    h.run("SET", "g", "1")
    h.run("SET", "h", "1")
    assert h.events_of(("RENAMENX", "g", "h"), ("RENAMENX", "g", "i")) == [
        ("new", b"i", 0),
        ("rename_from", b"g", 0),
        ("rename_to", b"i", 0),
    ]


def test_copy(h: Harness) -> None:
    h.run("SET", "e", "1")
    assert h.events_of(
        ("COPY", "e", "f"),
        ("COPY", "e", "f"),  # exists: nothing
        ("COPY", "e", "f", "REPLACE"),
        ("COPY", "e", "g", "DB", "2"),
        ("COPY", "nokey", "x"),
    ) == [
        ("new", b"f", 0),
        ("copy_to", b"f", 0),
        ("new", b"f", 0),
        ("copy_to", b"f", 0),
        ("new", b"g", 2),
        ("copy_to", b"g", 2),
        ("keymiss", b"nokey", 0),  # COPY reads its source as a read command does
    ]


def test_move(h: Harness) -> None:
    h.run("SET", "f", "1")
    h.run("SET", "taken", "1")
    h.run("SELECT", "3")
    h.run("SET", "taken", "2")
    h.run("SELECT", "0")
    assert h.events_of(("MOVE", "f", "3"), ("MOVE", "taken", "3"), ("MOVE", "nokey", "3")) == [
        ("new", b"f", 3),
        ("move_from", b"f", 0),
        ("move_to", b"f", 3),
    ]


def test_expire_persist_and_a_deadline_already_past(h: Harness) -> None:
    h.run("SET", "e", "1")
    assert h.events_of(
        ("EXPIRE", "e", "100"),
        ("EXPIRE", "e", "200", "LT"),  # refused by LT: no event
        ("PERSIST", "e"),
        ("PERSIST", "e"),
        ("PEXPIREAT", "e", "1"),  # in the past: the key is deleted
        ("EXPIRE", "nokey", "10"),
    ) == [
        ("expire", b"e", 0),
        ("persist", b"e", 0),
        ("del", b"e", 0),
    ]


def test_lazy_and_active_expiry(h: Harness) -> None:
    h.run("SET", "x", "1")
    h.run("SET", "y", "1")
    h.run("PEXPIRE", "x", "10")
    h.run("PEXPIRE", "y", "10")
    h.clock.advance_ms(11)
    assert h.events_of(("GET", "x")) == [("expired", b"x", 0), ("keymiss", b"x", 0)]
    h.seen.clear()
    h.core.active_expire_cycle()
    assert h.seen == [("expired", b"y", 0)]
    # An expired key that DEL meets is expired, not deleted.
    h.run("SET", "z", "1")
    h.run("PEXPIRE", "z", "10")
    h.clock.advance_ms(11)
    assert h.events_of(("DEL", "z")) == [("expired", b"z", 0)]


def test_keymiss_follows_valkey_lookups(h: Harness) -> None:
    # OBJECT, MEMORY USAGE and writers look keys up without a keymiss event.
    assert h.events_of(
        ("GET", "nokey"),
        ("EXISTS", "nokey"),
        ("TYPE", "nokey"),
        ("TTL", "nokey"),
        ("TOUCH", "nokey"),
        ("OBJECT", "ENCODING", "nokey"),
        ("MEMORY", "USAGE", "nokey"),
        ("XRANGE", "nokey", "-", "+"),
        ("RENAME", "nokey", "x"),
        ("DEL", "nokey"),
    ) == [("keymiss", b"nokey", 0)] * 6


def test_evicted() -> None:
    h = Harness()
    for key in ("a", "b", "c"):
        h.run("SET", key, "v" * 100)
    h.run("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
    h.seen.clear()
    h.run("CONFIG", "SET", "maxmemory", "1")
    # CONFIG SET itself is no denyoom command: the next command evicts every key
    # (still over the limit: the baseline alone is), then PING answers.
    assert h.run("PING") == b"+PONG\r\n"
    assert sorted(h.seen) == [("evicted", b"a", 0), ("evicted", b"b", 0), ("evicted", b"c", 0)]
    assert h.run("SET", "d", "1") == b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"


def test_nothing_is_sent_while_the_classes_are_off() -> None:
    h = Harness()
    h.run("CONFIG", "SET", "notify-keyspace-events", "K$")
    assert h.events_of(("SET", "a", "1"), ("DEL", "a"), ("GET", "a")) == []


# -- golden tables (all classes, as valkey-server published them) ----------------------


def _string_payload(value: bytes) -> bytes:
    """A DUMP payload of a string (RDB version 10)."""
    body = b"\x00" + bytes([len(value)]) + value + b"\x0a\x00"
    return body + crc64(body).to_bytes(8, "little")


GENERIC: list[eventtable.Row] = [
    ("SET a 1", [("new", "a"), ("set", "a")]),
    ("SET b 2", [("new", "b"), ("set", "b")]),
    ("DEL a b nokey", [("del", "a"), ("del", "b")]),
    ("SET a 1", [("new", "a"), ("set", "a")]),
    ("UNLINK a a", [("del", "a")]),
    ("SET c 3", [("new", "c"), ("set", "c")]),
    ("RENAME c d", [("new", "d"), ("rename_from", "c"), ("rename_to", "d")]),
    ("SET e 1", [("new", "e"), ("set", "e")]),
    ("RENAME d e", [("new", "e"), ("rename_from", "d"), ("rename_to", "e")]),
    ("RENAME e e", []),
    ("RENAME nokey x", []),
    ("RENAMENX e f", [("new", "f"), ("rename_from", "e"), ("rename_to", "f")]),
    ("SET g 1", [("new", "g"), ("set", "g")]),
    ("RENAMENX f g", []),
    ("COPY f h", [("new", "h"), ("copy_to", "h")]),
    ("COPY f h", []),
    ("COPY f h REPLACE", [("new", "h"), ("copy_to", "h")]),
    ("COPY f h DB 2", [("new", "h", 2), ("copy_to", "h", 2)]),
    ("COPY nokey x", [("keymiss", "nokey")]),
    ("MOVE h 3", [("new", "h", 3), ("move_from", "h"), ("move_to", "h", 3)]),
    ("SELECT 3", []),
    ("SET taken 1", [("new", "taken", 3), ("set", "taken", 3)]),
    ("GET nokey", [("keymiss", "nokey", 3)]),
    ("SELECT 0", []),
    ("SET taken 2", [("new", "taken"), ("set", "taken")]),
    ("MOVE taken 3", []),
    ("MOVE nokey 3", []),
    ("SWAPDB 0 3", []),
    ("GET h", []),
    ("SWAPDB 0 3", []),
    ("FLUSHDB", []),
    ("SELECT 3", []),
    ("FLUSHDB", []),
    ("SELECT 2", []),
    ("FLUSHDB", []),
    ("SELECT 0", []),
    ("EXISTS nokey nokey", [("keymiss", "nokey"), ("keymiss", "nokey")]),
    ("TYPE nokey", [("keymiss", "nokey")]),
    ("TTL nokey", [("keymiss", "nokey")]),
    ("PTTL nokey", [("keymiss", "nokey")]),
    ("EXPIRETIME nokey", [("keymiss", "nokey")]),
    ("OBJECT ENCODING nokey", []),
    ("TOUCH nokey", [("keymiss", "nokey")]),
    ("DUMP nokey", [("keymiss", "nokey")]),
    ("RESTORE r 0 {payload}", [("new", "r"), ("restore", "r")]),
    ("RESTORE r 0 {payload}", []),
    ("RESTORE r 0 {payload} REPLACE", [("new", "r"), ("restore", "r")]),
    ("RESTORE r 99999999999999 {payload} REPLACE ABSTTL", [("new", "r"), ("restore", "r")]),
    ("RESTORE r 1 {payload} REPLACE ABSTTL", [("del", "r")]),
    ("RESTORE r2 1 {payload} ABSTTL", []),
    ("RESTORE r 0 junk", []),
]

EXPIRY: list[eventtable.Row] = [
    ("SET f 1", [("new", "f"), ("set", "f")]),
    ("EXPIRE f 100000", [("expire", "f")]),
    ("EXPIRE f 200000 LT", []),
    ("EXPIRE f 50000 GT", []),
    ("EXPIRE f 50000 LT", [("expire", "f")]),
    ("PEXPIRE f 100000000 NX", []),
    ("PEXPIRE f 100000000 XX", [("expire", "f")]),
    ("EXPIREAT f 99999999999", [("expire", "f")]),
    ("PEXPIREAT f 99999999999999", [("expire", "f")]),
    ("PERSIST f", [("persist", "f")]),
    ("PERSIST f", []),
    ("PERSIST nokey", []),
    ("EXPIRE nokey 10", []),
    ("EXPIRE f 0", [("del", "f")]),
    ("SET f 1", [("new", "f"), ("set", "f")]),
    ("PEXPIREAT f 1", [("del", "f")]),
    ("SET x 1", [("new", "x"), ("set", "x")]),
    ("EXPIRE x -1", [("del", "x")]),
    ("SET y 1", [("new", "y"), ("set", "y")]),
    ("EXPIRE y x", []),
    ("SET k v EX 100000", [("new", "k"), ("set", "k"), ("expire", "k")]),
    ("SET k v PX 100000000 GET", [("set", "k"), ("expire", "k")]),
    ("SET k w KEEPTTL", [("set", "k")]),
    ("SET k v EXAT 99999999999", [("set", "k"), ("expire", "k")]),
    ("SET k v PXAT 99999999999999 XX", [("set", "k"), ("expire", "k")]),
    ("SET past v", [("new", "past"), ("set", "past")]),
    ("SET past v EXAT 1", [("del", "past")]),
    ("SET gone v PXAT 1", []),
    ("SET k2 v EX 100000 NX", [("new", "k2"), ("set", "k2"), ("expire", "k2")]),
    ("SET k2 v EX 100000 NX", []),
    ("SETEX k 100000 v", [("set", "k"), ("expire", "k")]),
    ("PSETEX k 100000000 v", [("set", "k"), ("expire", "k")]),
    ("SETEX k 0 v", []),
    ("GETEX k", []),
    ("GETEX k EX 100000", [("expire", "k")]),
    ("GETEX k PX 100000000", [("expire", "k")]),
    ("GETEX k EXAT 99999999999", [("expire", "k")]),
    ("GETEX k PERSIST", [("persist", "k")]),
    ("GETEX k PERSIST", []),
    ("GETEX k PXAT 1", [("del", "k")]),
    ("GETEX nokey EX 10", [("keymiss", "nokey")]),
    ("SET k v", [("new", "k"), ("set", "k")]),
    ("GETDEL k", [("del", "k")]),
    ("GETDEL k", [("keymiss", "k")]),
]

SORT_STORE: list[eventtable.Row] = [
    ("RPUSH l 3 1 2", [("new", "l"), ("rpush", "l")]),
    ("SADD s b a", [("new", "s"), ("sadd", "s")]),
    ("ZADD z 1 x 2 y", [("new", "z"), ("zadd", "z")]),
    ("SORT l STORE dst", [("new", "dst"), ("sortstore", "dst")]),
    ("SORT s ALPHA STORE dst", [("sortstore", "dst")]),
    ("SORT z BY nosort STORE dst", [("sortstore", "dst")]),
    ("SORT l LIMIT 0 0 STORE dst", [("del", "dst")]),
    ("SORT nokey STORE dst", [("keymiss", "nokey")]),
    ("SORT l STORE l", [("sortstore", "l")]),
    ("SORT_RO l", []),
    ("SET w 1", [("new", "w"), ("set", "w")]),
    ("SORT l BY w GET # STORE w", [("sortstore", "w")]),
]

# In a transaction the commands run, and publish, at EXEC; a discarded or refused one
# publishes nothing.
TRANSACTION: list[eventtable.Row] = [
    ("MULTI", []),
    ("SET a 1", []),
    ("INCR a", []),
    ("LPUSH l x", []),
    ("RPOP l", []),
    (
        "EXEC",
        [
            ("new", "a"),
            ("set", "a"),
            ("incrby", "a"),
            ("new", "l"),
            ("lpush", "l"),
            ("rpop", "l"),
            ("del", "l"),
        ],
    ),  # fmt: skip
    ("MULTI", []),
    ("SET a 1", []),
    ("NOSUCHCOMMAND", []),
    ("EXEC", []),
    ("MULTI", []),
    ("SET b 1", []),
    ("DISCARD", []),
]


@pytest.mark.parametrize(
    "table",
    [GENERIC, EXPIRY, SORT_STORE, TRANSACTION],
    ids=["generic", "expiry", "sort-store", "transaction"],
)
def test_golden_tables(table: list[eventtable.Row]) -> None:
    payload = {"{payload}": _string_payload(b"restored")}
    assert eventtable.mismatches(table, arguments=payload) == []
