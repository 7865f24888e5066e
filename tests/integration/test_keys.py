"""Keyspace commands over real sockets (RESP2 and RESP3), replies checked against Valkey 8.0.1.

DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RENAME, RENAMENX, COPY, the EXPIRE family, TTL,
PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, RANDOMKEY; lazy and active expiry with a
manual clock; WATCH; keyspace hit/miss statistics. Non-string values are a tiny
test-only type registered under the name "list" and stored through the server's
event loop (no command creates one yet).
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from helpers import RawClient, exec_aborted_by, wait_until

from minivalkey import ManualClock, Server
from minivalkey.engine.types import TypeSpec, register

START_MS = 1_700_000_000_000
NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
NX_CONFLICT = b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
GT_LT_CONFLICT = b"-ERR GT and LT options at the same time are not compatible\r\n"


class Holder(list):  # type: ignore[type-arg]
    """A non-string value type that only these tests create."""


register(TypeSpec(Holder, "list", lambda _: "quicklist", lambda *_: 0, copy=copy.deepcopy))


def put(server: Server, key: bytes, value: Any, db: int = 0) -> None:
    """Store ``value`` directly in the keyspace, on the server's own thread."""
    done = threading.Event()

    def store() -> None:
        server.core.keyspace[db].set(key, value)
        done.set()

    assert server._loop is not None
    server._loop.call_soon_threadsafe(store)
    assert done.wait(5)


def stored(server: Server, key: bytes, db: int = 0) -> Any:
    return server.core.keyspace[db].data.get(key)


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


class Timed:
    """A server on a manual clock, with a raw client and redis-py clients."""

    def __init__(self, server: Server, clock: ManualClock) -> None:
        self.server = server
        self.clock = clock
        self.raw = RawClient(server.port)
        self._clients: list[redis.Redis] = []

    def redis(self, protocol: int = 2) -> redis.Redis:
        client = redis.Redis(port=self.server.port, protocol=protocol)
        self._clients.append(client)
        return client

    def close(self) -> None:
        self.raw.close()
        for client in self._clients:
            client.close()


@pytest.fixture
def timed(make_server: Callable[..., Server]) -> Iterator[Timed]:
    clock = ManualClock(START_MS)
    harness = Timed(make_server(clock=clock), clock)
    try:
        yield harness
    finally:
        harness.close()


# -- DEL, UNLINK, EXISTS, TYPE ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["DEL", "UNLINK"])
def test_del_and_unlink_count_keys_that_existed(rawp: RawClient, name: str) -> None:
    assert rawp.command("MSET", "a", "1", "b", "2", "c", "3") == b"+OK\r\n"
    assert rawp.command(name, "a", "a", "nokey") == b":1\r\n"
    assert rawp.command(name, "b", "c") == b":2\r\n"
    assert rawp.command(name, "b") == b":0\r\n"
    assert rawp.command("EXISTS", "a", "b", "c") == b":0\r\n"
    assert rawp.command(name) == (
        b"-ERR wrong number of arguments for '%s' command\r\n" % name.lower().encode()
    )


def test_del_removes_any_type(server: Server, r: redis.Redis) -> None:
    put(server, b"l", Holder([b"x"]))
    assert r.delete("l") == 1
    assert r.exists("l") == 0


def test_exists_counts_every_mention(rawp: RawClient) -> None:
    rawp.command("SET", "a", "1")
    rawp.command("SET", "b", "")
    assert rawp.command("EXISTS", "a", "a", "b", "nokey") == b":3\r\n"
    assert rawp.command("EXISTS", "nokey") == b":0\r\n"
    assert rawp.command("EXISTS") == b"-ERR wrong number of arguments for 'exists' command\r\n"


def test_type(server: Server, rawp: RawClient) -> None:
    assert rawp.command("TYPE", "nokey") == b"+none\r\n"
    rawp.command("SET", "s", "v")
    assert rawp.command("TYPE", "s") == b"+string\r\n"
    put(server, b"l", Holder())
    assert rawp.command("TYPE", "l") == b"+list\r\n"
    assert (
        rawp.command("TYPE", "a", "b") == b"-ERR wrong number of arguments for 'type' command\r\n"
    )


def test_binary_key_names(r: redis.Redis) -> None:
    key = b"k\x00\r\n\xff"
    r.set(key, b"v")
    assert r.exists(key) == 1
    assert r.keys() == [key]
    assert r.type(key) == b"string"
    assert r.delete(key) == 1


# -- KEYS ---------------------------------------------------------------------------------


def test_keys_matches_glob_patterns(rawp: RawClient) -> None:
    rawp.command("MSET", "hello", "1", "hallo", "2", "hxllo", "3", "world", "4", "h*llo", "5")
    assert rawp.command("KEYS", "world") == b"*1\r\n$5\r\nworld\r\n"
    assert rawp.command("KEYS", "nothing*") == b"*0\r\n"

    def keys(pattern: str) -> set[bytes]:
        reply = rawp.command("KEYS", pattern)
        return set(reply.split(b"\r\n")[2::2])

    assert keys("*") == {b"hello", b"hallo", b"hxllo", b"world", b"h*llo"}
    assert keys("h?llo") == {b"hello", b"hallo", b"hxllo", b"h*llo"}
    assert keys("h[ae]llo") == {b"hello", b"hallo"}
    assert keys("h[^e]llo") == {b"hallo", b"hxllo", b"h*llo"}
    assert keys("h[a-b]llo") == {b"hallo"}
    assert keys("h\\*llo") == {b"h*llo"}


def test_keys_hides_expired_keys(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "live", "1")
    raw.command("SET", "dying", "1", "PX", "10")
    timed.clock.advance_ms(10)
    assert raw.command("KEYS", "*") == b"*1\r\n$4\r\nlive\r\n"


# -- SCAN ---------------------------------------------------------------------------------


def test_scan_reply_shape(rawp: RawClient) -> None:
    assert rawp.command("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    rawp.command("SET", "k", "v")
    assert rawp.command("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"
    assert rawp.command("SCAN", "0", "MATCH", "*", "COUNT", "5", "TYPE", "string") == (
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["abc"], b"-ERR invalid cursor\r\n"),
        (["-1"], b"-ERR invalid cursor\r\n"),
        (["18446744073709551616"], b"-ERR invalid cursor\r\n"),
        (["0x5"], b"-ERR invalid cursor\r\n"),
        ([""], b"-ERR invalid cursor\r\n"),
        (["abc", "COUNT", "0"], b"-ERR invalid cursor\r\n"),
        (["0", "COUNT", "0"], b"-ERR syntax error\r\n"),
        (["0", "COUNT", "-1"], b"-ERR syntax error\r\n"),
        (["0", "COUNT", "abc"], b"-ERR value is not an integer or out of range\r\n"),
        (
            ["0", "COUNT", "9223372036854775808"],
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (["0", "COUNT"], b"-ERR syntax error\r\n"),
        (["0", "MATCH"], b"-ERR syntax error\r\n"),
        (["0", "TYPE"], b"-ERR syntax error\r\n"),
        (["0", "FOO", "bar"], b"-ERR syntax error\r\n"),
        (["0", "TYPE", "foo"], b"-ERR unknown type name 'foo'\r\n"),
        (["0", "TYPE", b"foo\x00bar"], b"-ERR unknown type name 'foo'\r\n"),
        (["0", "TYPE", "a\r\nb"], b"-ERR unknown type name 'a  b'\r\n"),
        (["0", "COUNT", "0", "TYPE", "foo"], b"-ERR syntax error\r\n"),
        (["0", "TYPE", "foo", "COUNT", "0"], b"-ERR unknown type name 'foo'\r\n"),
        (["0", "COUNT", "1", "COUNT", "0"], b"-ERR syntax error\r\n"),
        (["0", "NOVALUES"], b"-ERR NOVALUES option can only be used in HSCAN\r\n"),
        (["0", "NOSCORES"], b"-ERR NOSCORES option can only be used in ZSCAN\r\n"),
        ([], b"-ERR wrong number of arguments for 'scan' command\r\n"),
    ],
)
def test_scan_errors(rawp: RawClient, args: list[str | bytes], error: bytes) -> None:
    rawp.command("SET", "k", "v")
    assert rawp.command("SCAN", *args) == error


@pytest.mark.parametrize("cursor", [" 5", "+5", "18446744073709551615", b"5\x00x", " -5", "007"])
def test_scan_accepts_cursors_as_strtoull_does(rawp: RawClient, cursor: str | bytes) -> None:
    rawp.command("SET", "k", "v")
    assert rawp.command("SCAN", cursor).startswith(b"*2\r\n$")


def test_scan_options_are_case_insensitive_and_repeatable(r: redis.Redis) -> None:
    r.mset({"a1": "1", "a2": "2", "b1": "3"})
    cursor, found = r.execute_command(
        "SCAN", "0", "match", "x*", "Match", "a*", "count", "1", "COUNT", "100"
    )
    assert cursor == 0
    assert sorted(found) == [b"a1", b"a2"]


def test_scan_iterates_everything_with_small_counts(r: redis.Redis) -> None:
    keys = {b"key:%d" % index for index in range(237)}
    r.mset({key: b"v" for key in keys})
    seen: list[bytes] = []
    cursor = 0
    calls = 0
    while True:
        cursor, batch = r.scan(cursor, count=7)  # COUNT is a hint, not a limit
        seen.extend(batch)
        calls += 1
        if cursor == 0:
            break
    assert calls > 10
    assert sorted(seen) == sorted(keys)  # no key twice when nothing changes
    assert set(r.scan_iter(match="key:1*", count=20)) == {k for k in keys if k.startswith(b"key:1")}


def test_scan_returns_keys_present_throughout_despite_churn(r: redis.Redis) -> None:
    rng = random.Random(7)
    stable = [b"stable:%d" % index for index in range(150)]
    doomed = [b"doomed:%d" % index for index in range(150)]
    r.mset({key: b"v" for key in stable + doomed})
    cursor, seen, fresh = 0, set(), 0
    while True:
        cursor, batch = r.scan(cursor, count=rng.randint(1, 15))
        seen.update(batch)
        for _ in range(rng.randint(0, 10)):
            if doomed and rng.random() < 0.6:
                r.delete(doomed.pop(rng.randrange(len(doomed))))
            else:
                r.set(b"fresh:%d" % fresh, b"v")
                fresh += 1
        if cursor == 0:
            break
    assert set(stable) <= seen
    assert all(key.startswith((b"stable:", b"doomed:", b"fresh:")) for key in seen)


def test_scan_type_filter(server: Server, r: redis.Redis) -> None:
    r.set("s", "v")
    put(server, b"l", Holder([b"x"]))
    assert r.scan(0, _type="string") == (0, [b"s"])
    assert r.scan(0, _type="LIST") == (0, [b"l"])
    assert r.scan(0, _type="hash") == (0, [])
    assert r.scan(0, _type="stream") == (0, [])


def test_scan_skips_expired_keys(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "live", "1")
    raw.command("SET", "dying", "1", "PX", "5")
    timed.clock.advance_ms(5)
    assert raw.command("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n"
    assert raw.command("EXISTS", "dying") == b":0\r\n"


# -- RANDOMKEY ------------------------------------------------------------------------------


def test_randomkey(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("RANDOMKEY") == NULL[protocol]
    rawp.command("SET", "only", "v")
    assert rawp.command("RANDOMKEY") == b"$4\r\nonly\r\n"
    rawp.command("SET", "other", "v")
    seen = {rawp.command("RANDOMKEY") for _ in range(200)}
    assert seen == {b"$4\r\nonly\r\n", b"$5\r\nother\r\n"}
    assert rawp.command("RANDOMKEY", "x") == (
        b"-ERR wrong number of arguments for 'randomkey' command\r\n"
    )


def test_randomkey_never_answers_an_expired_key(timed: Timed) -> None:
    raw = timed.raw
    for index in range(20):
        raw.command("SET", f"gone{index}", "v", "PX", "1")
    raw.command("SET", "live", "v")
    timed.clock.advance_ms(1)
    for _ in range(30):
        assert raw.command("RANDOMKEY") == b"$4\r\nlive\r\n"
    raw.command("DEL", "live")
    assert raw.command("RANDOMKEY") == b"$-1\r\n"


# -- RENAME, RENAMENX ---------------------------------------------------------------------------


def test_rename(rawp: RawClient) -> None:
    assert rawp.command("RENAME", "nokey", "x") == b"-ERR no such key\r\n"
    assert rawp.command("RENAME", "nokey", "nokey") == b"-ERR no such key\r\n"
    rawp.command("SET", "s", "v")
    assert rawp.command("RENAME", "s", "s") == b"+OK\r\n"
    rawp.command("SET", "t", "old")
    rawp.command("EXPIRE", "t", "1000")
    assert rawp.command("RENAME", "s", "t") == b"+OK\r\n"
    assert rawp.command("GET", "t") == b"$1\r\nv\r\n"
    assert rawp.command("TTL", "t") == b":-1\r\n"  # the target's old TTL went with it
    assert rawp.command("EXISTS", "s") == b":0\r\n"
    assert rawp.command("RENAME", "s") == b"-ERR wrong number of arguments for 'rename' command\r\n"


def test_renamenx(rawp: RawClient) -> None:
    assert rawp.command("RENAMENX", "nokey", "x") == b"-ERR no such key\r\n"
    rawp.command("SET", "s", "v")
    assert rawp.command("RENAMENX", "s", "s") == b":0\r\n"
    rawp.command("SET", "t", "v2")
    assert rawp.command("RENAMENX", "s", "t") == b":0\r\n"
    assert rawp.command("GET", "t") == b"$2\r\nv2\r\n"
    assert rawp.command("RENAMENX", "s", "u") == b":1\r\n"
    assert rawp.command("GET", "u") == b"$1\r\nv\r\n"
    assert rawp.command("EXISTS", "s") == b":0\r\n"


def test_rename_moves_the_ttl_and_any_type(server: Server, timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "s", "v", "PX", "5000")
    assert raw.command("RENAME", "s", "t") == b"+OK\r\n"
    assert raw.command("PTTL", "t") == b":5000\r\n"
    assert raw.command("RENAMENX", "t", "u") == b":1\r\n"
    assert raw.command("PEXPIRETIME", "u") == b":%d\r\n" % (START_MS + 5000)
    timed.clock.advance_ms(5000)
    assert raw.command("EXISTS", "u") == b":0\r\n"
    put(timed.server, b"l", Holder([b"x"]))
    assert raw.command("RENAME", "l", "m") == b"+OK\r\n"
    assert raw.command("TYPE", "m") == b"+list\r\n"


def test_rename_of_an_expired_key_is_no_such_key(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "s", "v", "PX", "10")
    timed.clock.advance_ms(10)
    assert raw.command("RENAME", "s", "t") == b"-ERR no such key\r\n"


# -- COPY -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["u", "u"], b"-ERR source and destination objects are the same\r\n"),
        (["u", "u", "DB", "0"], b"-ERR source and destination objects are the same\r\n"),
        (["u", "v", "DB"], b"-ERR syntax error\r\n"),
        (["u", "v", "DB", "x"], b"-ERR value is not an integer or out of range\r\n"),
        (["u", "v", "DB", "16"], b"-ERR DB index is out of range\r\n"),
        (["u", "v", "DB", "-1"], b"-ERR DB index is out of range\r\n"),
        (
            ["u", "v", "DB", "4294967296"],
            b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
        ),
        (["u", "v", "FOO"], b"-ERR syntax error\r\n"),
        (["u", "v", "REPLACE", "DB", "17"], b"-ERR DB index is out of range\r\n"),
        (["u", "v", "DB", "17", "FOO"], b"-ERR DB index is out of range\r\n"),
        (["u", "v", "DB", "1", "FOO"], b"-ERR syntax error\r\n"),
        (["nokey", "v"], b":0\r\n"),
        (["u"], b"-ERR wrong number of arguments for 'copy' command\r\n"),
    ],
)
def test_copy_errors(rawp: RawClient, args: list[str], reply: bytes) -> None:
    rawp.command("SET", "u", "v")
    assert rawp.command("COPY", *args) == reply
    assert rawp.command("EXISTS", "v") == b":0\r\n"


def test_copy_and_replace(rawp: RawClient) -> None:
    rawp.command("SET", "u", "value")
    assert rawp.command("COPY", "u", "v") == b":1\r\n"
    assert rawp.command("GET", "v") == b"$5\r\nvalue\r\n"
    rawp.command("SET", "u", "changed")
    assert rawp.command("COPY", "u", "v") == b":0\r\n"
    assert rawp.command("GET", "v") == b"$5\r\nvalue\r\n"
    assert rawp.command("COPY", "u", "v", "replace", "REPLACE") == b":1\r\n"
    assert rawp.command("GET", "v") == b"$7\r\nchanged\r\n"
    assert rawp.command("GET", "u") == b"$7\r\nchanged\r\n"


def test_copy_to_another_database(r: redis.Redis) -> None:
    r.set("u", "v")
    assert r.execute_command("COPY", "u", "u", "DB", "1") == 1
    r.execute_command("SELECT", "1")
    assert r.get("u") == b"v"
    assert r.copy("u", "w", destination_db=0) is True
    r.execute_command("SELECT", "0")
    assert r.get("w") == b"v"
    r.set("w", "new")
    assert r.execute_command("COPY", "w", "u", "DB", "1") == 0  # u exists in database 1
    assert r.copy("w", "u", destination_db=1, replace=True) is True
    r.execute_command("SELECT", "1")
    assert r.get("u") == b"new"
    assert r.exists("w") == 0
    r.execute_command("SELECT", "0")
    assert r.get("w") == b"new"


def test_copy_keeps_the_ttl_and_deep_copies(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "u", "v", "PX", "3000")
    assert raw.command("COPY", "u", "v") == b":1\r\n"
    assert raw.command("PTTL", "v") == b":3000\r\n"
    raw.command("SET", "w", "x")
    assert raw.command("COPY", "w", "v", "REPLACE") == b":1\r\n"
    assert raw.command("TTL", "v") == b":-1\r\n"
    original = Holder([b"a", [b"nested"]])
    put(timed.server, b"l", original)
    assert raw.command("COPY", "l", "m") == b":1\r\n"
    duplicate = stored(timed.server, b"m")
    assert duplicate == original and duplicate is not original
    assert duplicate[1] is not original[1]
    assert raw.command("TYPE", "m") == b"+list\r\n"


# -- EXPIRE family ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["EXPIRE", "k", "100", "NX", "XX"], NX_CONFLICT),
        (["EXPIRE", "k", "100", "NX", "GT"], NX_CONFLICT),
        (["PEXPIRE", "k", "100", "LT", "NX"], NX_CONFLICT),
        (["EXPIREAT", "k", "100", "GT", "LT"], GT_LT_CONFLICT),
        (["PEXPIREAT", "k", "100", "XX", "GT", "LT"], GT_LT_CONFLICT),
        (["EXPIRE", "k", "100", "GT", "LT", "NX"], NX_CONFLICT),
        (["EXPIRE", "k", "100", "FOO"], b"-ERR Unsupported option FOO\r\n"),
        (["EXPIRE", "k", "100", b"FOO\x00x"], b"-ERR Unsupported option FOO\r\n"),
        (["EXPIRE", "k", "100", "a\r\nb"], b"-ERR Unsupported option a  b\r\n"),
        (["EXPIRE", "k", "abc", "FOO"], b"-ERR Unsupported option FOO\r\n"),
        (["EXPIRE", "k", "abc", "NX", "XX"], NX_CONFLICT),
        (["EXPIRE", "k", "abc"], b"-ERR value is not an integer or out of range\r\n"),
        (["EXPIRE", "k", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
        (["EXPIRE", "nokey", "abc"], b"-ERR value is not an integer or out of range\r\n"),
        (["EXPIRE", "k", "9223372036854775"], b"-ERR invalid expire time in 'expire' command\r\n"),
        (
            ["EXPIRE", "k", "9223372036854775807"],
            b"-ERR invalid expire time in 'expire' command\r\n",
        ),
        (["EXPIRE", "k", "-9223372036854776"], b"-ERR invalid expire time in 'expire' command\r\n"),
        (
            ["PEXPIRE", "k", "9223372036854775807"],
            b"-ERR invalid expire time in 'pexpire' command\r\n",
        ),
        (
            ["EXPIREAT", "k", "9223372036854776"],
            b"-ERR invalid expire time in 'expireat' command\r\n",
        ),
        (
            ["EXPIREAT", "k", "-9223372036854776"],
            b"-ERR invalid expire time in 'expireat' command\r\n",
        ),
        (
            ["EXPIRE", "nokey", "9223372036854775807"],
            b"-ERR invalid expire time in 'expire' command\r\n",
        ),
        (["EXPIRE", "k"], b"-ERR wrong number of arguments for 'expire' command\r\n"),
        (["PEXPIREAT", "k"], b"-ERR wrong number of arguments for 'pexpireat' command\r\n"),
    ],
)
def test_expire_errors(rawp: RawClient, args: list[str | bytes], reply: bytes) -> None:
    rawp.command("SET", "k", "v")
    assert rawp.command(*args) == reply
    assert rawp.command("TTL", "k") == b":-1\r\n"


def test_expire_on_a_missing_key(rawp: RawClient) -> None:
    for name in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert rawp.command(name, "nokey", "100") == b":0\r\n"
        assert rawp.command(name, "nokey", "-100") == b":0\r\n"
    assert rawp.command("EXISTS", "nokey") == b":0\r\n"


def test_expire_units_and_ttl_readings(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "k", "v")
    assert raw.command("EXPIRE", "k", "100") == b":1\r\n"
    assert raw.command("PTTL", "k") == b":100000\r\n"
    assert raw.command("TTL", "k") == b":100\r\n"
    assert raw.command("EXPIRETIME", "k") == b":%d\r\n" % (START_MS // 1000 + 100)
    assert raw.command("PEXPIRETIME", "k") == b":%d\r\n" % (START_MS + 100_000)
    assert raw.command("PEXPIRE", "k", "1500") == b":1\r\n"
    assert raw.command("PTTL", "k") == b":1500\r\n"
    assert raw.command("TTL", "k") == b":2\r\n"  # seconds round to the nearest
    timed.clock.advance_ms(1)
    assert raw.command("TTL", "k") == b":1\r\n"  # 1499 ms
    assert raw.command("EXPIREAT", "k", str(START_MS // 1000 + 50)) == b":1\r\n"
    assert raw.command("PEXPIRETIME", "k") == b":%d\r\n" % (START_MS + 50_000)
    assert raw.command("PEXPIREAT", "k", "4102444801499") == b":1\r\n"
    assert raw.command("EXPIRETIME", "k") == b":4102444801\r\n"
    assert raw.command("PEXPIREAT", "k", "4102444801500") == b":1\r\n"
    assert raw.command("EXPIRETIME", "k") == b":4102444802\r\n"
    assert raw.command("PEXPIREAT", "k", "9223372036854775807") == b":1\r\n"
    assert raw.command("PEXPIRETIME", "k") == b":9223372036854775807\r\n"
    assert raw.command("EXPIREAT", "k", "9223372036854775") == b":1\r\n"
    assert raw.command("EXPIRETIME", "k") == b":9223372036854775\r\n"


def test_ttl_of_missing_and_persistent_keys(rawp: RawClient) -> None:
    for name in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert rawp.command(name, "nokey") == b":-2\r\n"
    rawp.command("SET", "k", "v")
    for name in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert rawp.command(name, "k") == b":-1\r\n"
        assert rawp.command(name, "k", "x") == (
            b"-ERR wrong number of arguments for '%s' command\r\n" % name.lower().encode()
        )


def test_expire_conditions(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "k", "v")
    # No TTL: XX and GT fail (no TTL is an infinite one), LT succeeds.
    assert raw.command("EXPIRE", "k", "100", "XX") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "100", "GT") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "100", "LT") == b":1\r\n"
    assert raw.command("TTL", "k") == b":100\r\n"
    assert raw.command("EXPIRE", "k", "200", "NX") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "200", "LT") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "50", "GT") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "100", "GT") == b":0\r\n"  # equal is not greater
    assert raw.command("EXPIRE", "k", "100", "LT") == b":0\r\n"  # nor less
    assert raw.command("EXPIRE", "k", "200", "GT") == b":1\r\n"
    assert raw.command("EXPIRE", "k", "50", "lt") == b":1\r\n"
    assert raw.command("EXPIRE", "k", "40", "LT", "XX") == b":1\r\n"
    assert raw.command("EXPIRE", "k", "60", "gt", "xx") == b":1\r\n"
    assert raw.command("EXPIRE", "k", "70", "XX", "XX") == b":1\r\n"
    assert raw.command("TTL", "k") == b":70\r\n"
    assert raw.command("EXPIRE", "k", "100", b"NX\x00junk") == b":0\r\n"  # read as NX
    assert raw.command("PERSIST", "k") == b":1\r\n"
    assert raw.command("EXPIRE", "k", "100", "NX") == b":1\r\n"
    assert raw.command("TTL", "k") == b":100\r\n"


def test_deadlines_in_the_past_delete_the_key(timed: Timed) -> None:
    raw = timed.raw
    cases = [
        ["EXPIRE", "k", "-1"],
        ["EXPIRE", "k", "0"],
        ["PEXPIRE", "k", "0"],
        ["EXPIREAT", "k", "0"],
        ["PEXPIREAT", "k", "-5"],
        ["PEXPIREAT", "k", str(START_MS)],
        ["EXPIRE", "k", "-9223372036854775"],
        ["EXPIRE", "k", "-1", "NX"],
        ["EXPIRE", "k", "-1", "LT"],
    ]
    for args in cases:
        raw.command("SET", "k", "v")
        assert raw.command(*args) == b":1\r\n", args
        assert raw.command("EXISTS", "k") == b":0\r\n", args
    raw.command("SET", "k", "v", "EX", "100")
    assert raw.command("EXPIRE", "k", "-1", "GT") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "-1", "NX") == b":0\r\n"
    assert raw.command("EXPIRE", "k", "-1", "XX") == b":1\r\n"
    assert raw.command("EXISTS", "k") == b":0\r\n"
    # Deleting through a past deadline is not an expiry (INFO expired_keys stays).
    assert info_stats(raw)["expired_keys"] == 0


def test_persist(rawp: RawClient) -> None:
    assert rawp.command("PERSIST", "nokey") == b":0\r\n"
    rawp.command("SET", "k", "v")
    assert rawp.command("PERSIST", "k") == b":0\r\n"
    rawp.command("EXPIRE", "k", "100")
    assert rawp.command("PERSIST", "k") == b":1\r\n"
    assert rawp.command("TTL", "k") == b":-1\r\n"
    assert rawp.command("PERSIST", "k") == b":0\r\n"
    assert rawp.command("PERSIST") == b"-ERR wrong number of arguments for 'persist' command\r\n"


def test_expire_with_redis_py(r: redis.Redis) -> None:
    r.set("k", "v")
    assert r.expire("k", 100, nx=True) is True
    assert r.expire("k", 50, gt=True) is False
    assert r.pexpire("k", 200_000, gt=True) is True
    assert 199 <= r.ttl("k") <= 200
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.pttl("nokey") == -2


# -- expiry ----------------------------------------------------------------------------------


def test_lazy_expiry_follows_the_manual_clock(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "k", "v", "PX", "100")
    timed.clock.advance_ms(99)
    assert raw.command("GET", "k") == b"$1\r\nv\r\n"
    assert raw.command("PTTL", "k") == b":1\r\n"
    timed.clock.advance_ms(1)
    assert raw.command("GET", "k") == b"$-1\r\n"
    assert raw.command("TTL", "k") == b":-2\r\n"
    assert raw.command("EXISTS", "k") == b":0\r\n"


def test_active_expiry_removes_keys_nobody_reads(timed: Timed) -> None:
    raw = timed.raw
    for index in range(50):
        raw.command("SET", f"short{index}", "v", "PX", "100")
    raw.command("SET", "long", "v", "EX", "100")
    raw.command("SET", "forever", "v")
    assert raw.command("DBSIZE") == b":52\r\n"
    timed.clock.advance_ms(1000)
    wait_until(lambda: raw.command("DBSIZE") == b":2\r\n", message="active expiry")
    assert info_stats(raw)["expired_keys"] == 50
    assert raw.command("TTL", "long") == b":99\r\n"


def test_active_expiry_touches_watchers(timed: Timed) -> None:
    raw = timed.raw
    raw.command("SET", "k", "v", "PX", "10")
    assert raw.command("WATCH", "k") == b"+OK\r\n"
    timed.clock.advance_ms(10)
    with RawClient(timed.server.port) as other:
        wait_until(lambda: other.command("DBSIZE") == b":0\r\n", message="active expiry")
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*-1\r\n"


# -- WATCH --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "action", "aborts"),
    [
        ([], ["DEL", "k"], False),
        (["SET", "k", "v"], ["DEL", "k"], True),
        (["SET", "k", "v"], ["UNLINK", "k"], True),
        (["SET", "k", "v"], ["EXPIRE", "k", "100", "XX"], False),
        (["SET", "k", "v"], ["EXPIRE", "k", "100", "GT"], False),
        (["SET", "k", "v"], ["EXPIRE", "k", "100"], True),
        (["SET", "k", "v"], ["EXPIRE", "k", "-1"], True),
        (["SET", "k", "v"], ["PERSIST", "k"], False),
        (["SET", "k", "v", "EX", "100"], ["PERSIST", "k"], True),
        (["SET", "k", "v"], ["RENAME", "k", "k"], False),
        (["SET", "k", "v"], ["RENAME", "k", "z"], True),
        (["SET", "z", "v"], ["RENAME", "z", "k"], True),
        (["SET", "z", "v"], ["RENAMENX", "z", "k"], True),
        (["SET", "k", "v"], ["COPY", "k", "z"], False),
        (["SET", "z", "v"], ["COPY", "z", "k"], True),
        (["SET", "k", "v"], ["TYPE", "k"], False),
        (["SET", "k", "v"], ["SCAN", "0"], False),
    ],
)
def test_watch_sees_keyspace_writes(
    server: Server, setup: list[str], action: list[str], aborts: bool
) -> None:
    with RawClient(server.port) as watcher, RawClient(server.port) as other:
        other.command("FLUSHALL")
        if setup:
            other.command(*setup)
        assert exec_aborted_by(watcher, other, "k", *action) is aborts
        other.command("FLUSHALL")


# -- statistics -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "hits", "misses"),
    [
        (["EXISTS", "k", "nokey", "k"], 2, 1),
        (["TYPE", "k"], 1, 0),
        (["TYPE", "nokey"], 0, 1),
        (["TTL", "k"], 1, 0),
        (["PTTL", "nokey"], 0, 1),
        (["EXPIRETIME", "k"], 1, 0),
        (["PEXPIRETIME", "k"], 1, 0),
        (["COPY", "k", "k2"], 1, 0),
        (["COPY", "nokey", "k3"], 0, 1),
        (["SCAN", "0"], 0, 0),
        (["KEYS", "*"], 0, 0),
        (["RANDOMKEY"], 0, 0),
        (["DEL", "k"], 0, 0),
        (["RENAME", "k", "j"], 0, 0),
        (["EXPIRE", "k", "100"], 0, 0),
        (["PERSIST", "k"], 0, 0),
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
