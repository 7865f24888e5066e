"""SETNX, SETEX, PSETEX, GETSET, GETEX, MSETNX over real sockets, RESP2 and RESP3.

The ``STEPS`` scripts hold replies checked against Valkey 8.0.1; the clocked tests
check exact TTLs with a manual clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient
from string_steps import (
    NOT_INTEGER,
    OK,
    SYNTAX,
    WRONGTYPE,
    Step,
    bulk,
    error,
    integer,
    nil,
    play,
)

from minivalkey import ManualClock, Server

START_MS = 1_700_000_000_000


def arity(name: str) -> bytes:
    return error(f"ERR wrong number of arguments for '{name}' command")


def invalid_expire(name: str) -> bytes:
    return error(f"ERR invalid expire time in '{name}' command")


STEPS: dict[str, list[Step]] = {
    "setnx": [
        (("SETNX", "k", "v"), integer(1)),
        (("SETNX", "k", "w"), integer(0)),
        (("GET", "k"), bulk("v")),
        (("SETNX", "k"), arity("setnx")),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("SETNX", "s", "v"), integer(0)),  # any existing key, whatever its type
        (("TYPE", "s"), b"+stream\r\n"),
    ],
    "setex": [
        (("SETEX", "k", "100", "v"), OK),
        (("GET", "k"), bulk("v")),
        (("TTL", "k"), integer(100)),
        (("SETEX", "k", "0", "w"), invalid_expire("setex")),
        (("SETEX", "k", "-1", "w"), invalid_expire("setex")),
        (("SETEX", "k", "9223372036854776", "w"), invalid_expire("setex")),
        (("SETEX", "k", "abc", "w"), NOT_INTEGER),
        (("SETEX", "k", "1.5", "w"), NOT_INTEGER),
        (("GET", "k"), bulk("v")),
        (("SETEX", "k", "10"), arity("setex")),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("SETEX", "s", "10", "v"), OK),  # overwrites any type
        (("TYPE", "s"), b"+string\r\n"),
    ],
    "psetex": [
        (("PSETEX", "k", "100000", "v"), OK),
        (("TTL", "k"), integer(100)),
        (("PSETEX", "k", "0", "w"), invalid_expire("psetex")),
        (("PSETEX", "k", "9223372036854775807", "w"), invalid_expire("psetex")),
        (("PSETEX", "k", "x", "w"), NOT_INTEGER),
        (("GET", "k"), bulk("v")),
    ],
    "getset": [
        nil("GETSET", "k", "v"),
        (("GETSET", "k", "w"), bulk("v")),
        (("GET", "k"), bulk("w")),
        (("SET", "k", "x", "EX", "100"), OK),
        (("GETSET", "k", "y"), bulk("x")),
        (("TTL", "k"), integer(-1)),  # the TTL goes, as with SET
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("GETSET", "s", "v"), WRONGTYPE),
        (("TYPE", "s"), b"+stream\r\n"),
        (("GETSET", "k"), arity("getset")),
    ],
    "msetnx": [
        (("MSETNX", "a", "1", "b", "2"), integer(1)),
        (("MGET", "a", "b"), b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
        (("MSETNX", "c", "3", "a", "9"), integer(0)),
        (("EXISTS", "c"), integer(0)),  # nothing is written when one key exists
        (("MSETNX", "d", "1", "d", "2"), integer(1)),  # the same key twice: the last wins
        (("GET", "d"), bulk("2")),
        (("MSETNX", "e", "1", "f"), arity("msetnx")),
        (("MSETNX", "e"), arity("msetnx")),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("MSETNX", "s", "1", "g", "2"), integer(0)),
        (("EXISTS", "g"), integer(0)),
    ],
    "getex": [
        nil("GETEX", "k"),
        nil("GETEX", "k", "EX", "abc"),  # a missing key answers null before the value is read
        nil("GETEX", "k", "PX", "0"),
        (("GETEX", "k", "FOO"), SYNTAX),  # but the syntax is checked first
        (("SET", "k", "v"), OK),
        (("GETEX", "k"), bulk("v")),
        (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "EX", "100"), bulk("v")),
        (("TTL", "k"), integer(100)),
        (("GETEX", "k", "ex", "50", "EX", "200"), bulk("v")),  # the last EX wins
        (("TTL", "k"), integer(200)),
        (("GETEX", "k", "PERSIST"), bulk("v")),
        (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "persist", "PERSIST"), bulk("v")),
        (("GETEX", "k", "EX", "10", "PERSIST"), SYNTAX),
        (("GETEX", "k", "PERSIST", "EX", "10"), SYNTAX),
        (("GETEX", "k", "EX", "10", "PX", "10"), SYNTAX),
        (("GETEX", "k", "EXAT", "10", "PXAT", "10"), SYNTAX),
        (("GETEX", "k", "KEEPTTL"), SYNTAX),
        (("GETEX", "k", "NX"), SYNTAX),
        (("GETEX", "k", "XX"), SYNTAX),
        (("GETEX", "k", "GET"), SYNTAX),
        (("GETEX", "k", "EX"), SYNTAX),
        (("GETEX", "k", "EX", "0"), invalid_expire("getex")),
        (("GETEX", "k", "PX", "-1"), invalid_expire("getex")),
        (("GETEX", "k", "EXAT", "9223372036854776"), invalid_expire("getex")),
        (("GETEX", "k", "EX", "1.5"), NOT_INTEGER),
        (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "EXAT", "1"), bulk("v")),  # a deadline already past removes the key
        (("EXISTS", "k"), integer(0)),
        (("SET", "k", "v"), OK),
        (("GETEX", "k", "PXAT", "1"), bulk("v")),
        (("EXISTS", "k"), integer(0)),
        (("GETEX",), arity("getex")),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("GETEX", "s", "EX", "abc"), WRONGTYPE),  # the type before the value
    ],
}


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    return raw


@pytest.mark.parametrize("script", sorted(STEPS))
def test_steps(rawp: RawClient, protocol: int, script: str) -> None:
    play(rawp, protocol, STEPS[script])


@pytest.fixture
def clocked(make_server: Callable[..., Server]) -> Iterator[tuple[RawClient, ManualClock]]:
    clock = ManualClock(START_MS)
    server = make_server(clock=clock)
    with RawClient(server.port) as client:
        yield client, clock


def test_getex_deadlines(clocked: tuple[RawClient, ManualClock]) -> None:
    raw, clock = clocked
    raw.command("SET", "k", "v")
    assert raw.command("GETEX", "k", "PX", "1500") == bulk("v")
    assert raw.command("PTTL", "k") == integer(1500)
    assert raw.command("GETEX", "k", "EXAT", str(START_MS // 1000 + 30)) == bulk("v")
    assert raw.command("PEXPIRETIME", "k") == integer(START_MS + 30_000)
    assert raw.command("GETEX", "k", "PXAT", str(START_MS + 7)) == bulk("v")
    assert raw.command("PTTL", "k") == integer(7)
    assert raw.command("GETEX", "k", "PXAT", str(START_MS)) == bulk("v")  # now: gone
    assert raw.command("EXISTS", "k") == integer(0)
    raw.command("SET", "k", "v")
    assert raw.command("GETEX", "k", "PX", "50") == bulk("v")
    clock.advance_ms(50)
    assert raw.command("GETEX", "k") == b"$-1\r\n"
    # The largest deadlines that fit; one past them overflows.
    raw.command("SET", "k", "v")
    assert raw.command("GETEX", "k", "PXAT", "9223372036854775807") == bulk("v")
    assert raw.command("PEXPIRETIME", "k") == integer(9223372036854775807)
    now = START_MS + 50
    assert raw.command("GETEX", "k", "PX", str(9223372036854775807 - now)) == bulk("v")
    assert raw.command("PEXPIRETIME", "k") == integer(9223372036854775807)
    assert raw.command("GETEX", "k", "PX", str(9223372036854775807 - now + 1)) == (
        invalid_expire("getex")
    )


def test_setex_and_psetex_deadlines(clocked: tuple[RawClient, ManualClock]) -> None:
    raw, clock = clocked
    assert raw.command("PSETEX", "k", "20", "v") == OK
    assert raw.command("PTTL", "k") == integer(20)
    assert raw.command("SETEX", "j", "3", "v") == OK
    assert raw.command("PTTL", "j") == integer(3000)
    clock.advance_ms(20)
    assert raw.command("EXISTS", "k", "j") == integer(1)
    assert raw.command("SETNX", "k", "again") == integer(1)  # the expired key is gone
    assert raw.command("PTTL", "k") == integer(-1)


def test_msetnx_sees_expired_keys_as_missing(clocked: tuple[RawClient, ManualClock]) -> None:
    raw, clock = clocked
    raw.command("SET", "a", "old", "PX", "10")
    clock.advance_ms(10)
    assert raw.command("MSETNX", "a", "new", "b", "2") == integer(1)
    assert raw.command("MGET", "a", "b") == b"*2\r\n$3\r\nnew\r\n$1\r\n2\r\n"
    assert raw.command("TTL", "a") == integer(-1)


def info_stats(client: RawClient) -> dict[str, int]:
    fields = {}
    for line in client.command("INFO", "stats").split(b"\r\n")[1:]:
        name, _, value = line.decode().partition(":")
        if value.lstrip("-").isdigit():
            fields[name] = int(value)
    return fields


def test_keyspace_hits_and_misses(make_server: Callable[..., Server]) -> None:
    """GETSET and GETEX read the key (hits/misses); SETNX, SETEX, MSETNX do not."""
    server = make_server()
    with RawClient(server.port) as raw:
        raw.command("SET", "k", "v")
        base = info_stats(raw)
        raw.command("GETSET", "k", "w")
        raw.command("GETSET", "nokey", "w")
        raw.command("GETEX", "k", "EX", "10")
        raw.command("GETEX", "missing")
        raw.command("SETNX", "k", "x")
        raw.command("SETEX", "k", "10", "x")
        raw.command("MSETNX", "k", "x", "other", "y")
        after = info_stats(raw)
    assert after["keyspace_hits"] - base["keyspace_hits"] == 2
    assert after["keyspace_misses"] - base["keyspace_misses"] == 2
