"""String commands over real sockets (RESP2 and RESP3), replies checked against Valkey 8.0.1.

GET, SET (every option and combination), MGET, MSET, INCR, INCRBY, DECR, DECRBY, GETDEL.
WRONGTYPE cases use a tiny test-only value type stored through the server's loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from helpers import RawClient, exec_aborted_by

from minivalkey import ManualClock, Server
from minivalkey.engine.types import TypeSpec, register

START_MS = 1_700_000_000_000
NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
INVALID_SET_EXPIRE = b"-ERR invalid expire time in 'set' command\r\n"
OVERFLOW = b"-ERR increment or decrement would overflow\r\n"


class Holder(list):  # type: ignore[type-arg]
    """A non-string value type that only these tests create."""


register(TypeSpec(Holder, "list", lambda _: "quicklist", lambda *_: 0, copy=Holder))


def put(server: Server, key: bytes, value: Any) -> None:
    """Store ``value`` directly in database 0, on the server's own thread."""
    done = threading.Event()

    def store() -> None:
        server.core.keyspace[0].set(key, value)
        done.set()

    assert server._loop is not None
    server._loop.call_soon_threadsafe(store)
    assert done.wait(5)


def info_stats(client: RawClient) -> dict[str, int]:
    """The integer fields of INFO stats."""
    reply = client.command("INFO", "stats")
    fields = {}
    for line in reply.split(b"\r\n")[1:]:
        name, _, value = line.decode().partition(":")
        if value.lstrip("-").isdigit():
            fields[name] = int(value)
    return fields


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    """The ``raw`` client speaking RESP2 or RESP3."""
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    return raw


@pytest.fixture
def clocked(make_server: Callable[..., Server]) -> Iterator[tuple[RawClient, ManualClock, Server]]:
    clock = ManualClock(START_MS)
    server = make_server(clock=clock)
    with RawClient(server.port) as client:
        yield client, clock, server


# -- GET and SET -----------------------------------------------------------------------


def test_get_and_set(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("GET", "k") == NULL[protocol]
    assert rawp.command("SET", "k", "v") == b"+OK\r\n"
    assert rawp.command("GET", "k") == b"$1\r\nv\r\n"
    assert rawp.command("SET", "k", "") == b"+OK\r\n"
    assert rawp.command("GET", "k") == b"$0\r\n\r\n"
    binary = b"\x00\r\n\xff" * 1000
    assert rawp.command("SET", "k", binary) == b"+OK\r\n"
    assert rawp.command("GET", "k") == b"$4000\r\n" + binary + b"\r\n"
    assert rawp.command("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert rawp.command("SET", "k") == b"-ERR wrong number of arguments for 'set' command\r\n"


def test_get_and_set_get_against_another_type(server: Server, rawp: RawClient) -> None:
    put(server, b"l", Holder([b"x"]))
    assert rawp.command("GET", "l") == WRONGTYPE
    assert rawp.command("SET", "l", "v", "GET") == WRONGTYPE
    assert rawp.command("SET", "l", "v", "NX", "GET") == WRONGTYPE
    assert rawp.command("TYPE", "l") == b"+list\r\n"  # nothing was written
    assert rawp.command("SET", "l", "v") == b"+OK\r\n"  # a plain SET overwrites any type
    assert rawp.command("GET", "l") == b"$1\r\nv\r\n"


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["NX", "XX"], SYNTAX),
        (["XX", "NX"], SYNTAX),
        (["EX"], SYNTAX),
        (["PX"], SYNTAX),
        (["EXAT"], SYNTAX),
        (["PXAT"], SYNTAX),
        (["EX", "10", "PX", "10"], SYNTAX),
        (["PX", "10", "EX", "10"], SYNTAX),
        (["EXAT", "10", "PXAT", "10"], SYNTAX),
        (["PXAT", "10", "EXAT", "10"], SYNTAX),
        (["EX", "10", "EXAT", "10"], SYNTAX),
        (["KEEPTTL", "EX", "10"], SYNTAX),
        (["EX", "10", "KEEPTTL"], SYNTAX),
        (["PXAT", "10", "KEEPTTL"], SYNTAX),
        (["PERSIST"], SYNTAX),
        (["FOO"], SYNTAX),
        (["NX", "FOO"], SYNTAX),
        (["EX", "0"], INVALID_SET_EXPIRE),
        (["EX", "-1"], INVALID_SET_EXPIRE),
        (["PX", "0"], INVALID_SET_EXPIRE),
        (["EXAT", "0"], INVALID_SET_EXPIRE),
        (["PXAT", "-5"], INVALID_SET_EXPIRE),
        (["EX", "abc"], NOT_INTEGER),
        (["EX", "10.5"], NOT_INTEGER),
        (["PX", " 10"], NOT_INTEGER),
        (["PX", "9223372036854775807"], INVALID_SET_EXPIRE),
        (["EX", "9223372036854775"], INVALID_SET_EXPIRE),
        (["EX", "9223372036854776"], INVALID_SET_EXPIRE),
        (["EXAT", "9223372036854776"], INVALID_SET_EXPIRE),
        (["EX", "0", "GET"], INVALID_SET_EXPIRE),
        (["GET", "EX", "0"], INVALID_SET_EXPIRE),
        (["EX", "0", "NX", "XX"], SYNTAX),
    ],
)
def test_set_option_errors(rawp: RawClient, args: list[str], reply: bytes) -> None:
    rawp.command("SET", "k", "old")
    assert rawp.command("SET", "k", "new", *args) == reply
    assert rawp.command("GET", "k") == b"$3\r\nold\r\n"
    assert rawp.command("TTL", "k") == b":-1\r\n"


def test_set_nx_and_xx(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SET", "k", "v", "XX") == NULL[protocol]
    assert rawp.command("EXISTS", "k") == b":0\r\n"
    assert rawp.command("SET", "k", "v", "nx") == b"+OK\r\n"
    assert rawp.command("SET", "k", "w", "NX") == NULL[protocol]
    assert rawp.command("SET", "k", "w", "NX", "NX") == NULL[protocol]
    assert rawp.command("SET", "k", "w", "xx", "XX") == b"+OK\r\n"
    assert rawp.command("GET", "k") == b"$1\r\nw\r\n"
    assert rawp.command("SET", "k", "z", b"nx\x00junk") == NULL[protocol]  # a C string: NX


def test_set_get(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SET", "k", "v", "GET") == NULL[protocol]
    assert rawp.command("SET", "k", "v2", "get") == b"$1\r\nv\r\n"
    assert rawp.command("SET", "k", "v3", "GET", "GET") == b"$2\r\nv2\r\n"
    assert rawp.command("SET", "k", "v4", "NX", "GET") == b"$2\r\nv3\r\n"
    assert rawp.command("GET", "k") == b"$2\r\nv3\r\n"  # NX failed: unchanged
    assert rawp.command("SET", "k", "v5", "XX", "GET") == b"$2\r\nv3\r\n"
    assert rawp.command("SET", "n", "v", "XX", "GET") == NULL[protocol]
    assert rawp.command("EXISTS", "n") == b":0\r\n"
    assert rawp.command("SET", "n", "v", "NX", "GET") == NULL[protocol]
    assert rawp.command("GET", "n") == b"$1\r\nv\r\n"


def test_set_expiry_options(clocked: tuple[RawClient, ManualClock, Server]) -> None:
    raw, clock, _ = clocked
    assert raw.command("SET", "k", "v", "EX", "10") == b"+OK\r\n"
    assert raw.command("PTTL", "k") == b":10000\r\n"
    assert raw.command("SET", "k", "v", "PX", "1500") == b"+OK\r\n"
    assert raw.command("PTTL", "k") == b":1500\r\n"
    assert raw.command("SET", "k", "v", "EXAT", str(START_MS // 1000 + 20)) == b"+OK\r\n"
    assert raw.command("PEXPIRETIME", "k") == b":%d\r\n" % (START_MS // 1000 * 1000 + 20_000)
    assert raw.command("SET", "k", "v", "PXAT", str(START_MS + 7)) == b"+OK\r\n"
    assert raw.command("PTTL", "k") == b":7\r\n"
    # Repeating the same kind of expiry is allowed; the last one wins.
    assert raw.command("SET", "k", "v", "EX", "10", "EX", "20") == b"+OK\r\n"
    assert raw.command("TTL", "k") == b":20\r\n"
    assert raw.command("SET", "k", "v", "px", "100", "PX", "200000") == b"+OK\r\n"
    assert raw.command("PTTL", "k") == b":200000\r\n"
    # Limits: the largest deadlines that fit in 64 bits.
    assert raw.command("SET", "k", "v", "EXAT", "9223372036854775") == b"+OK\r\n"
    assert raw.command("EXPIRETIME", "k") == b":9223372036854775\r\n"
    assert raw.command("SET", "k", "v", "PXAT", "9223372036854775807") == b"+OK\r\n"
    assert raw.command("PEXPIRETIME", "k") == b":9223372036854775807\r\n"
    # The expiry is reached through the clock.
    raw.command("SET", "k", "v", "PX", "50")
    clock.advance_ms(49)
    assert raw.command("GET", "k") == b"$1\r\nv\r\n"
    clock.advance_ms(1)
    assert raw.command("GET", "k") == b"$-1\r\n"


def test_set_keepttl(clocked: tuple[RawClient, ManualClock, Server]) -> None:
    raw, _, _ = clocked
    raw.command("SET", "k", "v", "EX", "100")
    assert raw.command("SET", "k", "w", "KEEPTTL") == b"+OK\r\n"
    assert raw.command("TTL", "k") == b":100\r\n"
    assert raw.command("SET", "k", "x", "KEEPTTL", "KEEPTTL", "XX") == b"+OK\r\n"
    assert raw.command("TTL", "k") == b":100\r\n"
    assert raw.command("SET", "k", "y") == b"+OK\r\n"  # a plain SET drops the TTL
    assert raw.command("TTL", "k") == b":-1\r\n"
    assert raw.command("SET", "new", "v", "KEEPTTL") == b"+OK\r\n"
    assert raw.command("TTL", "new") == b":-1\r\n"


def test_set_with_a_deadline_already_past(clocked: tuple[RawClient, ManualClock, Server]) -> None:
    raw, _, _ = clocked
    assert raw.command("SET", "k", "v", "PXAT", "1") == b"+OK\r\n"
    assert raw.command("EXISTS", "k") == b":0\r\n"
    raw.command("SET", "k", "v")
    assert raw.command("SET", "k", "w", "EXAT", "1", "GET") == b"$1\r\nv\r\n"
    assert raw.command("EXISTS", "k") == b":0\r\n"  # the old key went, nothing new came
    raw.command("SET", "k", "v")
    assert raw.command("SET", "k", "w", "PXAT", str(START_MS)) == b"+OK\r\n"
    assert raw.command("EXISTS", "k") == b":0\r\n"
    raw.command("SET", "k", "v")
    assert raw.command("SET", "k", "w", "PXAT", "1", "NX") == b"$-1\r\n"  # NX fails first
    assert raw.command("GET", "k") == b"$1\r\nv\r\n"
    assert info_stats(raw)["expired_keys"] == 0


def test_set_with_redis_py(r: redis.Redis) -> None:
    assert r.set("k", "v", ex=100) is True
    assert 99 <= r.ttl("k") <= 100
    assert r.set("k", "w", nx=True) is None
    assert r.set("k", "w", xx=True, keepttl=True) is True
    assert 99 <= r.ttl("k") <= 100
    assert r.set("k", "x", get=True) == b"w"
    assert r.ttl("k") == -1
    assert r.get("k") == b"x"


# -- MGET, MSET --------------------------------------------------------------------------------


def test_mget(server: Server, rawp: RawClient, protocol: int) -> None:
    rawp.command("SET", "a", "1")
    put(server, b"l", Holder([b"x"]))
    null = NULL[protocol]
    assert rawp.command("MGET", "a", "nokey", "l", "a") == (
        b"*4\r\n$1\r\n1\r\n" + null + null + b"$1\r\n1\r\n"
    )
    assert rawp.command("MGET") == b"-ERR wrong number of arguments for 'mget' command\r\n"


def test_mset(clocked: tuple[RawClient, ManualClock, Server]) -> None:
    raw, _, _ = clocked
    raw.command("SET", "a", "old", "EX", "100")
    assert raw.command("MSET", "a", "1", "b", "2", "a", "3") == b"+OK\r\n"
    assert raw.command("MGET", "a", "b") == b"*2\r\n$1\r\n3\r\n$1\r\n2\r\n"
    assert raw.command("TTL", "a") == b":-1\r\n"
    assert raw.command("MSET", "a", "1", "b") == (
        b"-ERR wrong number of arguments for 'mset' command\r\n"
    )
    assert raw.command("MSET", "a") == b"-ERR wrong number of arguments for 'mset' command\r\n"
    assert raw.command("GET", "a") == b"$1\r\n3\r\n"


def test_mset_and_mget_with_redis_py(r: redis.Redis) -> None:
    assert r.mset({"a": "1", "b": b"\x00"}) is True
    assert r.mget("a", "b", "c") == [b"1", b"\x00", None]


# -- counters ------------------------------------------------------------------------------


def test_incr_family(rawp: RawClient) -> None:
    assert rawp.command("INCR", "n") == b":1\r\n"
    assert rawp.command("INCRBY", "n", "10") == b":11\r\n"
    assert rawp.command("DECR", "n") == b":10\r\n"
    assert rawp.command("DECRBY", "n", "5") == b":5\r\n"
    assert rawp.command("DECRBY", "n", "-7") == b":12\r\n"
    assert rawp.command("INCRBY", "n", "-20") == b":-8\r\n"
    assert rawp.command("INCRBY", "n", "0") == b":-8\r\n"
    assert rawp.command("GET", "n") == b"$2\r\n-8\r\n"  # stored as decimal text
    assert rawp.command("DECR", "m") == b":-1\r\n"
    assert rawp.command("DECRBY", "o", "3") == b":-3\r\n"
    assert rawp.command("INCRBY", "p", "-3") == b":-3\r\n"
    assert rawp.command("TYPE", "p") == b"+string\r\n"


@pytest.mark.parametrize(
    ("stored", "args", "reply"),
    [
        ("9223372036854775807", ["INCR"], OVERFLOW),
        ("9223372036854775807", ["INCRBY", "1"], OVERFLOW),
        ("1", ["INCRBY", "9223372036854775807"], OVERFLOW),
        ("-9223372036854775808", ["DECR"], OVERFLOW),
        ("-9223372036854775808", ["DECRBY", "1"], OVERFLOW),
        ("-9223372036854775808", ["INCRBY", "-1"], OVERFLOW),
        ("-1", ["INCRBY", "-9223372036854775808"], OVERFLOW),
        ("0", ["DECRBY", "-9223372036854775808"], b"-ERR decrement would overflow\r\n"),
        ("0", ["INCRBY", "abc"], NOT_INTEGER),
        ("0", ["DECRBY", "abc"], NOT_INTEGER),
        ("0", ["INCRBY", "1.0"], NOT_INTEGER),
        ("0", ["INCRBY", "9223372036854775808"], NOT_INTEGER),
        ("0", ["INCRBY", "+1"], NOT_INTEGER),
        ("abc", ["INCR"], NOT_INTEGER),
        ("007", ["INCR"], NOT_INTEGER),
        ("-0", ["INCR"], NOT_INTEGER),
        (" 1", ["INCR"], NOT_INTEGER),
        ("1 ", ["DECR"], NOT_INTEGER),
        ("1.5", ["INCRBY", "1"], NOT_INTEGER),
        ("", ["INCR"], NOT_INTEGER),
        ("12345678901234567890", ["INCR"], NOT_INTEGER),
        ("abc", ["INCRBY", "xyz"], NOT_INTEGER),
    ],
)
def test_incr_errors_leave_the_value(
    rawp: RawClient, stored: str, args: list[str], reply: bytes
) -> None:
    rawp.command("SET", "n", stored)
    name, *rest = args
    assert rawp.command(name, "n", *rest) == reply
    assert rawp.command("GET", "n") == b"$%d\r\n%s\r\n" % (len(stored), stored.encode())


def test_incr_at_the_limits(rawp: RawClient) -> None:
    rawp.command("SET", "n", "9223372036854775806")
    assert rawp.command("INCR", "n") == b":9223372036854775807\r\n"
    rawp.command("SET", "n", "-9223372036854775807")
    assert rawp.command("DECR", "n") == b":-9223372036854775808\r\n"
    assert rawp.command("INCRBY", "n", "9223372036854775807") == b":-1\r\n"
    assert rawp.command("INCRBY", "n", "-9223372036854775807") == b":-9223372036854775808\r\n"


def test_incr_keeps_the_ttl(clocked: tuple[RawClient, ManualClock, Server]) -> None:
    raw, _, _ = clocked
    raw.command("SET", "n", "10", "PX", "100000")
    assert raw.command("INCR", "n") == b":11\r\n"
    assert raw.command("DECRBY", "n", "2") == b":9\r\n"
    assert raw.command("PTTL", "n") == b":100000\r\n"


def test_incr_against_another_type(server: Server, rawp: RawClient) -> None:
    put(server, b"l", Holder())
    for args in (["INCR", "l"], ["DECR", "l"], ["INCRBY", "l", "1"], ["DECRBY", "l", "1"]):
        assert rawp.command(*args) == WRONGTYPE
    assert rawp.command("INCRBY", "l", "abc") == NOT_INTEGER  # the argument is read first
    assert rawp.command("TYPE", "l") == b"+list\r\n"


def test_counter_arity(rawp: RawClient) -> None:
    assert rawp.command("INCR") == b"-ERR wrong number of arguments for 'incr' command\r\n"
    assert rawp.command("INCRBY", "n") == b"-ERR wrong number of arguments for 'incrby' command\r\n"
    assert (
        rawp.command("DECR", "a", "b") == b"-ERR wrong number of arguments for 'decr' command\r\n"
    )
    assert rawp.command("DECRBY", "n", "1", "2") == (
        b"-ERR wrong number of arguments for 'decrby' command\r\n"
    )


def test_counters_with_redis_py(r: redis.Redis) -> None:
    assert r.incr("n") == 1
    assert r.incrby("n", 41) == 42
    assert r.decr("n", 2) == 40
    assert r.get("n") == b"40"


# -- GETDEL ---------------------------------------------------------------------------------


def test_getdel(server: Server, rawp: RawClient, protocol: int) -> None:
    rawp.command("SET", "k", "v")
    assert rawp.command("GETDEL", "k") == b"$1\r\nv\r\n"
    assert rawp.command("EXISTS", "k") == b":0\r\n"
    assert rawp.command("GETDEL", "k") == NULL[protocol]
    put(server, b"l", Holder())
    assert rawp.command("GETDEL", "l") == WRONGTYPE
    assert rawp.command("EXISTS", "l") == b":1\r\n"
    assert rawp.command("GETDEL") == b"-ERR wrong number of arguments for 'getdel' command\r\n"


# -- WATCH and statistics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "action", "aborts"),
    [
        (["SET", "k", "v"], ["SET", "k", "v"], True),
        (["SET", "k", "v"], ["SET", "k", "w", "NX"], False),
        ([], ["SET", "k", "w", "XX"], False),
        (["SET", "k", "v"], ["SET", "k", "w", "KEEPTTL"], True),
        (["SET", "k", "v"], ["SET", "k", "v", "PXAT", "1"], True),
        ([], ["SET", "k", "v", "PXAT", "1"], False),
        (["SET", "k", "v"], ["GET", "k"], False),
        (["SET", "k", "v"], ["MGET", "k"], False),
        ([], ["MSET", "j", "1", "k", "2"], True),
        ([], ["INCR", "k"], True),
        (["SET", "k", "1"], ["INCRBY", "k", "0"], True),
        (["SET", "k", "x"], ["INCR", "k"], False),
        (["SET", "k", "v"], ["GETDEL", "k"], True),
        ([], ["GETDEL", "k"], False),
    ],
)
def test_watch_sees_string_writes(
    server: Server, setup: list[str], action: list[str], aborts: bool
) -> None:
    with RawClient(server.port) as watcher, RawClient(server.port) as other:
        other.command("FLUSHALL")
        if setup:
            other.command(*setup)
        assert exec_aborted_by(watcher, other, "k", *action) is aborts
        other.command("FLUSHALL")


@pytest.mark.parametrize(
    ("command", "hits", "misses"),
    [
        (["GET", "k"], 1, 0),
        (["GET", "nokey"], 0, 1),
        (["MGET", "k", "nokey", "k"], 2, 1),
        (["SET", "k", "v", "GET"], 1, 0),
        (["SET", "nk", "v", "GET"], 0, 1),
        (["SET", "k", "v", "NX", "GET"], 1, 0),
        (["SET", "nk", "v", "XX", "GET"], 0, 1),
        (["GETDEL", "k"], 1, 0),
        (["GETDEL", "nokey"], 0, 1),
        (["SET", "k", "v"], 0, 0),
        (["MSET", "a", "b"], 0, 0),
        (["INCR", "n"], 0, 0),
        (["DECRBY", "n", "2"], 0, 0),
    ],
)
def test_keyspace_hits_and_misses(
    raw: RawClient, command: list[str], hits: int, misses: int
) -> None:
    raw.command("SET", "k", "v")
    before = info_stats(raw)
    assert not raw.command(*command).startswith(b"-")
    after = info_stats(raw)
    assert after["keyspace_hits"] - before["keyspace_hits"] == hits
    assert after["keyspace_misses"] - before["keyspace_misses"] == misses
