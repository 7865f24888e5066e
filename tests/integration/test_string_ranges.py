"""APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE and LCS over real sockets, RESP2 and RESP3.

The ``STEPS`` scripts hold replies checked against Valkey 8.0.1.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from helpers import RawClient
from string_steps import NOT_INTEGER, OK, SYNTAX, WRONGTYPE, Step, bulk, error, integer, play

from minivalkey import Server

OFFSET_OUT_OF_RANGE = error("ERR offset is out of range")
TOO_LONG = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
LCS_TYPES = error("ERR The specified keys must contain string values")
LCS_LEN_AND_IDX = error("ERR If you want both the length and indexes, please just use IDX.")
LCS_TABLE = error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
EMPTY = b"$0\r\n\r\n"


def arity(name: str) -> bytes:
    return error(f"ERR wrong number of arguments for '{name}' command")


STEPS: dict[str, list[Step]] = {
    "append": [
        (("APPEND", "k", "hello"), integer(5)),
        (("APPEND", "k", " world"), integer(11)),
        (("GET", "k"), bulk("hello world")),
        (("APPEND", "k", ""), integer(11)),
        (("APPEND", "e", ""), integer(0)),  # a missing key is created, even empty
        (("EXISTS", "e"), integer(1)),
        (("SET", "n", "1"), OK),
        (("APPEND", "n", "2"), integer(2)),
        (("INCR", "n"), integer(13)),
        (("APPEND", "b", b"\x00\r\n"), integer(3)),
        (("GET", "b"), bulk(b"\x00\r\n")),
        (("SET", "t", "v", "EX", "100"), OK),
        (("APPEND", "t", "w"), integer(2)),
        (("TTL", "t"), integer(100)),  # the TTL stays
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("APPEND", "s", "x"), WRONGTYPE),
        (("APPEND", "k"), arity("append")),
    ],
    "strlen": [
        (("STRLEN", "k"), integer(0)),
        (("SET", "k", "hello"), OK),
        (("STRLEN", "k"), integer(5)),
        (("SET", "n", "-12345"), OK),
        (("STRLEN", "n"), integer(6)),
        (("SET", "e", ""), OK),
        (("STRLEN", "e"), integer(0)),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("STRLEN", "s"), WRONGTYPE),
        (("STRLEN",), arity("strlen")),
    ],
    "getrange": [
        (("GETRANGE", "k", "0", "-1"), EMPTY),
        (("GETRANGE", "k", "a", "1"), NOT_INTEGER),  # the range is read before the key
        (("SET", "k", "Hello World"), OK),
        (("GETRANGE", "k", "0", "4"), bulk("Hello")),
        (("GETRANGE", "k", "-5", "-1"), bulk("World")),
        (("GETRANGE", "k", "0", "-1"), bulk("Hello World")),
        (("GETRANGE", "k", "-1", "-5"), EMPTY),
        (("GETRANGE", "k", "5", "3"), EMPTY),
        (("GETRANGE", "k", "-100", "2"), bulk("Hel")),
        (("GETRANGE", "k", "-100", "-100"), bulk("H")),  # both clamped to 0
        (("GETRANGE", "k", "-5", "-6"), EMPTY),  # both negative, start after end
        (("GETRANGE", "k", "0", "-100"), bulk("H")),
        (("GETRANGE", "k", "3", "9223372036854775807"), bulk("lo World")),
        (("GETRANGE", "k", "-9223372036854775808", "0"), bulk("H")),
        (("GETRANGE", "k", "20", "30"), EMPTY),
        (("GETRANGE", "k", "0", "1.5"), NOT_INTEGER),
        (("GETRANGE", "k", "0", "9223372036854775808"), NOT_INTEGER),
        (("SET", "n", "1234"), OK),
        (("GETRANGE", "n", "1", "2"), bulk("23")),
        (("SET", "e", ""), OK),
        (("GETRANGE", "e", "0", "-1"), EMPTY),
        (("SUBSTR", "k", "0", "4"), bulk("Hello")),
        (("SUBSTR", "k", "-3", "-1"), bulk("rld")),
        (("SUBSTR", "nokey", "0", "1"), EMPTY),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("GETRANGE", "s", "0", "1"), WRONGTYPE),
        (("GETRANGE", "k", "0"), arity("getrange")),
        (("SUBSTR", "k", "0"), arity("substr")),
    ],
    "setrange": [
        (("SETRANGE", "k", "0", ""), integer(0)),
        (("EXISTS", "k"), integer(0)),  # nothing to write: no key
        (("SETRANGE", "k", "3", "ab"), integer(5)),
        (("GET", "k"), bulk(b"\x00\x00\x00ab")),
        (("SET", "k", "Hello World"), OK),
        (("SETRANGE", "k", "6", "Redis"), integer(11)),
        (("GET", "k"), bulk("Hello Redis")),
        (("SETRANGE", "k", "10", "!!!"), integer(13)),
        (("GET", "k"), bulk("Hello Redi!!!")),
        (("SETRANGE", "k", "15", "x"), integer(16)),
        (("GET", "k"), bulk(b"Hello Redi!!!\x00\x00x")),
        (("SETRANGE", "k", "0", ""), integer(16)),
        (("SETRANGE", "k", "-1", "x"), OFFSET_OUT_OF_RANGE),
        (("SETRANGE", "k", "abc", "x"), NOT_INTEGER),
        (("SETRANGE", "k", "536870911", "xy"), TOO_LONG),  # one byte past 512 MB
        (("SETRANGE", "k", "536870912", ""), integer(16)),  # nothing written: no limit
        (("SETRANGE", "nokey", "536870912", "x"), TOO_LONG),
        (("SETRANGE", "k", "9223372036854775807", "x"), TOO_LONG),
        (("EXISTS", "nokey"), integer(0)),
        (("SET", "n", "1234"), OK),
        (("SETRANGE", "n", "1", "3"), integer(4)),
        (("INCR", "n"), integer(1335)),
        (("SET", "t", "v", "PX", "100000"), OK),
        (("SETRANGE", "t", "1", "w"), integer(2)),
        (("TTL", "t"), integer(100)),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("SETRANGE", "s", "0", "x"), WRONGTYPE),
        (("SETRANGE", "s", "0", ""), WRONGTYPE),
        (("SETRANGE", "s", "-1", "x"), OFFSET_OUT_OF_RANGE),  # the offset before the type
        (("SETRANGE", "k", "0"), arity("setrange")),
    ],
    "lcs": [
        (("MSET", "a", "ohmytext", "b", "mynewtext"), OK),
        (("LCS", "a", "b"), bulk("mytext")),
        (("LCS", "a", "b", "LEN"), integer(6)),
        (("LCS", "b", "a", "len"), integer(6)),
        (
            ("LCS", "a", "b", "IDX"),
            b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
            b"%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
        ),
        (
            ("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
            b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n",
            b"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n",
        ),
        (
            ("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
            b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"$3\r\nlen\r\n:6\r\n",
            b"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"$3\r\nlen\r\n:6\r\n",
        ),
        (
            ("LCS", "a", "b", "IDX", "MINMATCHLEN", "-3"),  # a negative length is 0
            b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
            b"%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
        ),
        (("LCS", "a", "nokey"), EMPTY),
        (("LCS", "nokey", "nokey2", "LEN"), integer(0)),
        (
            ("LCS", "nokey", "b", "IDX"),
            b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
            b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
        ),
        (("MSET", "x", "12345", "y", "2x4"), OK),
        (("LCS", "x", "y"), bulk("24")),
        (("LCS", "a", "b", "LEN", "IDX"), LCS_LEN_AND_IDX),
        (("LCS", "a", "b", "FOO"), SYNTAX),
        (("LCS", "a", "b", "MINMATCHLEN"), SYNTAX),
        (("LCS", "a", "b", "MINMATCHLEN", "x"), NOT_INTEGER),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("LCS", "a", "s"), LCS_TYPES),
        (("LCS", "s", "a", "FOO"), LCS_TYPES),  # the types before the options
        (("LCS", "a"), arity("lcs")),
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


def test_size_limits_follow_proto_max_bulk_len(make_server: Callable[..., Server]) -> None:
    server = make_server()
    with RawClient(server.port) as raw:
        assert raw.command("CONFIG", "SET", "proto-max-bulk-len", "1048576") == OK
        assert raw.command("SETRANGE", "k", "1048575", "x") == integer(1048576)
        assert raw.command("SETRANGE", "k", "1048576", "x") == TOO_LONG
        assert raw.command("APPEND", "k", "y") == TOO_LONG
        assert raw.command("STRLEN", "k") == integer(1048576)
        assert raw.command("SET", "a", "x" * 511) == OK
        # LCS refuses a table of (len(a)+1)*(len(b)+1) 4-byte cells beyond the limit.
        assert raw.command("LCS", "a", "a", "LEN") == integer(511)
        assert raw.command("SET", "a", "x" * 512) == OK
        assert raw.command("LCS", "a", "a", "LEN") == LCS_TABLE


def _lcs_length(a: bytes, b: bytes) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def test_lcs_agrees_with_the_textbook_table(raw: RawClient) -> None:
    rng = random.Random(11)
    for _ in range(60):
        a = bytes(rng.choice(b"acgt") for _ in range(rng.randint(0, 40)))
        b = bytes(rng.choice(b"acgt") for _ in range(rng.randint(0, 40)))
        raw.command("MSET", "a", a, "b", b)
        length = _lcs_length(a, b)
        assert raw.command("LCS", "a", "b", "LEN") == integer(length)
        common = raw.command("LCS", "a", "b")
        assert common.startswith(b"$%d\r\n" % length)


def info_stats(client: RawClient) -> dict[str, int]:
    fields = {}
    for line in client.command("INFO", "stats").split(b"\r\n")[1:]:
        name, _, value = line.decode().partition(":")
        if value.lstrip("-").isdigit():
            fields[name] = int(value)
    return fields


def test_reads_count_keyspace_hits_and_misses(make_server: Callable[..., Server]) -> None:
    """Every read lookup of the string and bitmap commands, as Valkey counts them."""
    server = make_server()
    with RawClient(server.port) as raw:
        raw.command("SET", "s", "hi")
        base = info_stats(raw)
        for line in (
            "STRLEN s",
            "STRLEN no",
            "GETRANGE s 0 1",
            "GETRANGE no 0 1",
            "SUBSTR s 0 1",
            "LCS s no",
            "GETBIT s 1",
            "GETBIT no 1",
            "BITCOUNT s",
            "BITCOUNT no",
            "BITPOS s 1",
            "BITPOS no 1",
            "BITOP AND d s no",
            "BITFIELD s GET u8 0",
            "BITFIELD no GET u8 0",
            "BITFIELD_RO s GET u8 0",
            "BITFIELD s SET u8 0 1",
            "SETBIT s 0 1",
            "APPEND s x",
            "SETRANGE s 0 x",
            "INCRBYFLOAT f 1",
            "INCR i",
        ):
            raw.command(*line.split())
        after = info_stats(raw)
    assert after["keyspace_hits"] - base["keyspace_hits"] == 10
    assert after["keyspace_misses"] - base["keyspace_misses"] == 8
