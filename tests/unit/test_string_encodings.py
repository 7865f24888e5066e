"""String encodings (OBJECT ENCODING) and sizes (MEMORY USAGE) as history makes them.

``ENCODINGS`` replays commands on key ``a`` and gives, after each, the encoding and the
size of the value that Valkey 8.0.1 reports (its MEMORY USAGE of a one-letter key minus
the 24 bytes of the key's entry). The registry of values not in their natural encoding
is checked directly: what it keeps, what it drops, and that copies share encodings.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from minivalkey.clock import ManualClock
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.engine import strings
from minivalkey.engine.types import spec_of
from minivalkey.session import Client


class _Connection:
    def close_after_reply(self) -> None:
        pass

    def close_now(self) -> None:
        pass

    def deliver(self, reply: object) -> None:
        pass


def _client() -> Client:
    core = ServerCore(clock=ManualClock(1_700_000_000_000))
    client = Client(core, _Connection())
    core.add_client(client)
    return client


def run(client: Client, *args: str | bytes) -> bytes:
    return execute(client, [arg if isinstance(arg, bytes) else arg.encode() for arg in args])


def described(client: Client, key: bytes) -> tuple[str, int] | None:
    value: Any = client.db.data.get(key)
    if value is None:
        return None
    spec = spec_of(value)
    return spec.encoding(value), spec.memory(value, 0)


ENCODINGS: list[tuple[tuple[str, ...], str | None, int | None]] = [
    (("SET", "a", "1"), "int", 16),
    (("SET", "a", "12345678901234567890"), "embstr", 40),
    (("SET", "a", "1234567890123456789"), "int", 16),
    (("SET", "a", "-0"), "embstr", 24),
    (("SET", "a", "x"), "embstr", 24),
    (("SET", "a", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "embstr", 64),
    (("SET", "a", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "raw", 72),
    (("SET", "a", "y" * 270), "raw", 336),
    (("APPEND", "a", "y"), "raw", 336),
    (("APPEND", "a", "y"), "raw", 336),
    (("SET", "a", "1"), "int", 16),
    (("APPEND", "a", "2"), "raw", 24),
    (("INCR", "a"), "int", 16),
    (("APPEND", "a", "2"), "raw", 32),
    (("DECRBY", "a", "5"), "int", 16),
    (("INCRBYFLOAT", "a", "1"), "embstr", 24),
    (("INCRBYFLOAT", "a", "1.5"), "embstr", 32),
    (("INCRBYFLOAT", "a", "1e30"), "embstr", 56),
    (("INCRBYFLOAT", "a", "1e50"), "raw", 72),
    (("SET", "a", "hi"), "embstr", 24),
    (("SETRANGE", "a", "0", "x"), "raw", 24),
    (("SET", "a", "1234"), "int", 16),
    (("SETRANGE", "a", "0", ""), "int", 16),
    (("SETRANGE", "a", "0", "9"), "raw", 24),
    (("SETRANGE", "a", "100", "9"), "raw", 240),
    (("SETRANGE", "a", "300", "9"), "raw", 656),
    (("SET", "a", "5"), "int", 16),
    (("SETBIT", "a", "0", "0"), "raw", 24),
    (("SET", "a", "5"), "int", 16),
    (("SETBIT", "a", "0", "1"), "raw", 24),
    (("SETBIT", "a", "1000", "1"), "raw", 272),
    (("SETBIT", "a", "100000", "1"), "raw", 28688),
    (("DEL", "a"), None, None),
    (("SETBIT", "a", "7", "1"), "raw", 24),
    (("DEL", "a"), None, None),
    (("SETRANGE", "a", "5", "x"), "raw", 24),
    (("DEL", "a"), None, None),
    (("APPEND", "a", "hello"), "embstr", 32),
    (("APPEND", "a", "x"), "raw", 32),
    (("APPEND", "a", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"), "raw", 144),
    (("APPEND", "a", "z"), "raw", 144),
    (("SET", "a", "10"), "int", 16),
    (("BITFIELD", "a", "GET", "u8", "0"), "int", 16),
    (("BITFIELD", "a", "SET", "u8", "0", "49"), "raw", 24),
    (("SET", "a", "10"), "int", 16),
    (("BITFIELD", "a", "OVERFLOW", "FAIL", "INCRBY", "u8", "80", "300"), "raw", 48),
    (("SET", "a", "x"), "embstr", 24),
    (("BITOP", "NOT", "a", "a"), "raw", 24),
    (("SET", "b", "1"), "raw", 24),
    (("BITOP", "OR", "a", "b"), "raw", 24),
    (("SET", "a", "1"), "int", 16),
    (("GETSET", "a", "2"), "int", 16),
    (("MSET", "a", "3", "b", "4"), "int", 16),
    (("SETEX", "a", "100", "1"), "int", 16),
    (("PSETEX", "a", "100000", "x" * 59), "raw", 80),
    (("SETRANGE", "a", "0", "y"), "raw", 80),
    (("INCRBYFLOAT", "a", "3"), "raw", 80),
    (("SET", "a", "abc"), "embstr", 24),
    (("APPEND", "a", ""), "raw", 24),
    (("SET", "a", "100"), "int", 16),
    (("APPEND", "a", ""), "raw", 24),
]


def test_encodings_and_sizes_follow_the_history() -> None:
    client = _client()
    for args, encoding, size in ENCODINGS:
        run(client, *args)
        expected = None if encoding is None else (encoding, size)
        assert described(client, b"a") == expected, args


def test_sds_growth_of_repeated_appends() -> None:
    """sdsMakeRoomFor doubles the room: APPEND 1 byte at a time to 100 bytes."""
    client = _client()
    sizes = []
    for _ in range(100):
        run(client, "APPEND", "k", "x")
        sizes.append(described(client, b"k"))
    # Sizes as Valkey 8.0.1 reports them for the same appends.
    assert sizes[0] == ("embstr", 24)  # the first APPEND stores its argument as SET would
    assert sizes[1] == ("raw", 24)  # made raw, then room for 4 bytes: 3 + 4 + 1 -> 8
    assert sizes[2] == ("raw", 24)
    assert sizes[5] == ("raw", 32)  # 6 bytes: room for 12, 3 + 12 + 1 -> 16
    assert sizes[44] == ("raw", 80)
    assert sizes[99] == ("raw", 144)


def test_copy_and_rename_keep_the_encoding() -> None:
    client = _client()
    run(client, "SET", "a", "12")
    run(client, "SETBIT", "a", "0", "0")  # same bytes, now raw
    assert described(client, b"a") == ("raw", 24)
    run(client, "COPY", "a", "b")
    run(client, "RENAME", "a", "c")
    assert described(client, b"b") == ("raw", 24)
    assert described(client, b"c") == ("raw", 24)
    run(client, "APPEND", "c", "3")  # a change to one copy leaves the other alone
    assert described(client, b"b") == ("raw", 24)
    assert client.db.data[b"b"] == b"12"
    run(client, "SET", "d", "12")  # the same bytes written by SET: int
    assert described(client, b"d") == ("int", 16)


def test_one_byte_values_do_not_share_an_encoding() -> None:
    client = _client()
    run(client, "SETBIT", "a", "1", "1")  # "@", raw
    run(client, "SET", "b", "@")
    assert described(client, b"a") == ("raw", 24)
    assert described(client, b"b") == ("embstr", 24)
    assert client.db.data[b"a"] == client.db.data[b"b"]


def test_the_empty_string_is_always_embstr() -> None:
    """The one limitation of telling encodings by identity: b"" is one shared object."""
    client = _client()
    run(client, "SET", "a", "")
    run(client, "APPEND", "a", "")
    assert described(client, b"a") == ("embstr", 24)  # Valkey: raw


def test_replaced_values_leave_the_registry() -> None:
    client = _client()
    strings.sweep()
    before = strings.registry_size()
    for _ in range(50):
        run(client, "APPEND", "k", "x")
        run(client, "SETRANGE", "r", "0", "y")
        run(client, "INCRBYFLOAT", "f", "1")
        run(client, "BITFIELD", "b", "INCRBY", "u8", "0", "1")
    # One listed value per key (APPEND's first write is not listed).
    assert strings.registry_size() - before <= 4
    run(client, "FLUSHALL")
    gc.collect()
    strings.sweep()
    assert strings.registry_size() <= before  # (other servers of the session only lose some)


def test_the_registry_is_swept_when_it_doubles() -> None:
    strings.sweep()
    base = strings.registry_size()
    kept = [strings.mark_raw(b"kept %d" % n, strings.sds_new(8)) for n in range(10)]
    for n in range(3 * 256):
        strings.mark_raw(b"dropped %d" % n, strings.sds_new(12))  # referenced by nobody
    # Sweeps ran on the way: what is left is bounded, and the kept ones are all there.
    assert strings.registry_size() <= max(256, 2 * (base + 10)) + 10
    assert all(strings.string_encoding(value) == "raw" for value in kept)
    strings.sweep()
    assert strings.registry_size() <= base + 10


def test_forget_keeps_a_value_still_referenced() -> None:
    value = strings.mark_raw(bytes(bytearray(b"shared value")), strings.sds_new(12))
    holder = {b"key": value}
    strings.forget(value)  # held by ``holder`` too: kept
    assert strings.string_encoding(holder[b"key"]) == "raw"
    del holder
    strings.forget(value)  # now only this test's local: dropped
    assert strings.string_encoding(value) == "embstr"


@pytest.mark.parametrize(
    ("request_size", "size"),
    [
        (1, 8),
        (8, 8),
        (9, 16),
        (20, 24),
        (64, 64),
        (65, 80),
        (129, 160),
        (306, 320),
        (4097, 5120),
        (33005, 40960),
    ],
)
def test_jemalloc_size_classes(request_size: int, size: int) -> None:
    assert strings.jemalloc_size(request_size) == size


def test_sds_headers_and_growth() -> None:
    assert strings.sds_new(0) == (8, 8)  # an empty sds is never of type 5
    assert strings.sds_new(5) == (5, 8)
    assert strings.sds_new(31) == (5, 40)
    assert strings.sds_new(32) == (8, 40)
    assert strings.sds_new(300) == (16, 320)
    assert strings.sds_grow(5, (5, 8), 1) == (8, 16)  # type 5 has no room: regrown
    assert strings.sds_grow(6, (8, 16), 6) == (8, 16)  # room for 12 bytes already
    big = strings.sds_new(2_000_000)
    assert big == (32, 2_097_152)
    assert strings.sds_grow(2_000_000, big, 97_142) == big  # fits in the spare room
    # Past 1 MB the room grows by 1 MB instead of doubling.
    assert strings.sds_grow(2_000_000, big, 200_000) == (
        32,
        strings.jemalloc_size(9 + 2_200_000 + 1024 * 1024 + 1),
    )
