"""SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP over real sockets, RESP2 and RESP3.

The ``STEPS`` scripts hold replies checked against Valkey 8.0.1; the model tests
compare BITCOUNT and BITPOS with a plain list of bits over many random strings and
ranges (the model agreed with Valkey on the same shapes).
"""

from __future__ import annotations

import random

import pytest
from helpers import RawClient
from string_steps import NOT_INTEGER, OK, SYNTAX, WRONGTYPE, Step, bulk, error, integer, play

from minivalkey import Server

BAD_OFFSET = error("ERR bit offset is not an integer or out of range")
BAD_BIT = error("ERR bit is not an integer or out of range")
BITPOS_BIT = error("ERR The bit argument must be 1 or 0.")
NOT_ONE_KEY = error("ERR BITOP NOT must be called with a single source key.")


def arity(name: str) -> bytes:
    return error(f"ERR wrong number of arguments for '{name}' command")


STEPS: dict[str, list[Step]] = {
    "setbit_getbit": [
        (("SETBIT", "k", "7", "1"), integer(0)),
        (("GET", "k"), bulk(b"\x01")),
        (("SETBIT", "k", "7", "1"), integer(1)),
        (("SETBIT", "k", "7", "0"), integer(1)),
        (("SETBIT", "k", "0", "1"), integer(0)),
        (("SETBIT", "k", "100", "1"), integer(0)),
        (("STRLEN", "k"), integer(13)),
        (("GETBIT", "k", "0"), integer(1)),
        (("GETBIT", "k", "7"), integer(0)),
        (("GETBIT", "k", "100"), integer(1)),
        (("GETBIT", "k", "99999"), integer(0)),
        (("GETBIT", "nokey", "0"), integer(0)),
        (("SET", "n", "12"), OK),  # "1" is 0x31, "2" is 0x32
        (("GETBIT", "n", "2"), integer(1)),
        (("GETBIT", "n", "4"), integer(0)),
        (("GETBIT", "n", "15"), integer(0)),
        (("SETBIT", "n", "15", "1"), integer(0)),
        (("GET", "n"), bulk("13")),
        (("SETBIT", "k", "-1", "1"), BAD_OFFSET),
        (("SETBIT", "k", "abc", "1"), BAD_OFFSET),
        (("SETBIT", "k", "4294967296", "1"), BAD_OFFSET),  # 512 MB worth of bits
        (("SETBIT", "k", "4294967296", "x"), BAD_OFFSET),  # the offset first
        (("SETBIT", "k", "1", "2"), BAD_BIT),
        (("SETBIT", "k", "1", "-1"), BAD_BIT),
        (("SETBIT", "k", "1", "abc"), BAD_BIT),
        (("GETBIT", "k", "-1"), BAD_OFFSET),
        (("GETBIT", "k", "4294967296"), BAD_OFFSET),
        (("SET", "t", "v", "EX", "100"), OK),
        (("SETBIT", "t", "100", "1"), integer(0)),
        (("TTL", "t"), integer(100)),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("SETBIT", "s", "0", "1"), WRONGTYPE),
        (("SETBIT", "s", "0", "2"), BAD_BIT),  # the arguments before the type
        (("GETBIT", "s", "0"), WRONGTYPE),
        (("GETBIT", "s", "-1"), BAD_OFFSET),
        (("SETBIT", "k", "1"), arity("setbit")),
    ],
    "bitcount": [
        (("SET", "k", "foobar"), OK),
        (("BITCOUNT", "k"), integer(26)),
        (("BITCOUNT", "k", "0", "0"), integer(4)),
        (("BITCOUNT", "k", "1", "1"), integer(6)),
        (("BITCOUNT", "k", "1", "1", "BYTE"), integer(6)),
        (("BITCOUNT", "k", "5", "30", "BIT"), integer(17)),
        (("BITCOUNT", "k", "5", "30", "bit"), integer(17)),
        (("BITCOUNT", "k", "1"), integer(22)),  # the end may be left out (to the last byte)
        (("BITCOUNT", "k", "-1"), integer(4)),
        (("BITCOUNT", "k", "-2", "-1"), integer(7)),
        (("BITCOUNT", "k", "-1", "-2"), integer(0)),
        (("BITCOUNT", "k", "3", "2"), integer(0)),
        (("BITCOUNT", "k", "0", "-1", "BIT"), integer(26)),
        (("BITCOUNT", "k", "-9223372036854775808", "9223372036854775807"), integer(26)),
        (("BITCOUNT", "k", "0", "4294967296"), integer(26)),
        (("BITCOUNT", "k", "0", "1", "FOO"), SYNTAX),
        (("BITCOUNT", "k", "0", "1", "BIT", "x"), SYNTAX),
        (("BITCOUNT", "k", "a"), NOT_INTEGER),
        (("BITCOUNT", "k", "0", "a"), NOT_INTEGER),
        (("BITCOUNT", "k", "0", "a", "FOO"), SYNTAX),  # the unit before the end
        (("BITCOUNT", "k", "a", "0", "FOO"), NOT_INTEGER),  # the start before the unit
        (("BITCOUNT", "nokey"), integer(0)),
        (("BITCOUNT", "nokey", "0", "1", "FOO"), SYNTAX),
        (("SET", "n", "12"), OK),
        (("BITCOUNT", "n"), integer(6)),
        (("SET", "e", ""), OK),
        (("BITCOUNT", "e", "0", "-1"), integer(0)),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("BITCOUNT", "s"), WRONGTYPE),
        (("BITCOUNT",), arity("bitcount")),
    ],
    "bitpos": [
        (("SET", "k", b"\xff\xf0\x00"), OK),
        (("BITPOS", "k", "0"), integer(12)),
        (("BITPOS", "k", "1"), integer(0)),
        (("BITPOS", "k", "0", "2"), integer(16)),
        (("BITPOS", "k", "1", "2"), integer(-1)),
        (("BITPOS", "k", "1", "7", "15", "BIT"), integer(7)),
        (("BITPOS", "k", "0", "7", "15", "BIT"), integer(12)),
        (("BITPOS", "k", "0", "0", "11", "BIT"), integer(-1)),
        (("BITPOS", "k", "0", "12", "12", "bit"), integer(12)),
        (("BITPOS", "k", "1", "12", "12", "BIT"), integer(-1)),
        (("BITPOS", "k", "0", "-1"), integer(16)),
        (("BITPOS", "k", "1", "0", "0", "BYTE"), integer(0)),
        (("SET", "ones", b"\xff\xff"), OK),
        (("BITPOS", "ones", "0"), integer(16)),  # no end: zeros follow the string
        (("BITPOS", "ones", "0", "0"), integer(16)),
        (("BITPOS", "ones", "0", "0", "-1"), integer(-1)),  # an end: nothing past it
        (("BITPOS", "ones", "0", "0", "15", "BIT"), integer(-1)),
        (("BITPOS", "ones", "0", "5", "1"), integer(-1)),  # start after end
        (("BITPOS", "nokey", "0"), integer(0)),
        (("BITPOS", "nokey", "1"), integer(-1)),
        (("BITPOS", "nokey", "1", "0", "1", "BIT"), integer(-1)),
        (("SET", "e", ""), OK),
        (("BITPOS", "e", "0"), integer(-1)),
        (("BITPOS", "e", "1"), integer(-1)),
        (("BITPOS", "k", "2"), BITPOS_BIT),
        (("BITPOS", "k", "abc"), NOT_INTEGER),
        (("BITPOS", "k", "0", "a"), NOT_INTEGER),
        (("BITPOS", "k", "0", "0", "a"), NOT_INTEGER),
        (("BITPOS", "k", "0", "0", "1", "FOO"), SYNTAX),
        (("BITPOS", "k", "0", "0", "1", "BIT", "x"), SYNTAX),
        (("BITPOS", "k", "2", "0", "1", "BIT", "x"), BITPOS_BIT),  # the bit before all else
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("BITPOS", "s", "0"), WRONGTYPE),
        (("BITPOS", "k"), arity("bitpos")),
    ],
    "bitop": [
        (("SET", "a", "foobar"), OK),
        (("SET", "b", "abcdef"), OK),
        (("BITOP", "AND", "d", "a", "b"), integer(6)),
        (("GET", "d"), bulk("`bc`ab")),
        (("BITOP", "or", "d", "a", "b"), integer(6)),
        (("GET", "d"), bulk("goofev")),
        (("BITOP", "XOR", "d", "a", "b", "nokey"), integer(6)),
        (("GET", "d"), bulk(b"\x07\r\x0c\x06\x04\x14")),
        (("BITOP", "NOT", "d", "a"), integer(6)),
        (("GET", "d"), bulk(b"\x99\x90\x90\x9d\x9e\x8d")),
        (("SET", "c", b"\xff"), OK),
        (("BITOP", "AND", "d", "c", "a"), integer(6)),  # shorter sources read as zeros
        (("GET", "d"), bulk(b"f\x00\x00\x00\x00\x00")),
        (("BITOP", "OR", "d", "c", "a"), integer(6)),
        (("GET", "d"), bulk(b"\xffoobar")),
        (("SET", "d", "x", "EX", "100"), OK),
        (("BITOP", "AND", "d", "a"), integer(6)),
        (("TTL", "d"), integer(-1)),  # the destination is replaced, its TTL goes
        (("BITOP", "AND", "d", "nokey", "nokey2"), integer(0)),
        (("EXISTS", "d"), integer(0)),  # nothing to store: the destination is deleted
        (("SET", "e", ""), OK),
        (("BITOP", "OR", "d", "e"), integer(0)),
        (("BITOP", "NOT", "d", "a", "b"), NOT_ONE_KEY),
        (("BITOP", "FOO", "d", "a"), SYNTAX),
        (("BITOP", "NOT", "d"), arity("bitop")),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("BITOP", "AND", "d", "a", "s"), WRONGTYPE),
        (("BITOP", "AND", "s", "a"), integer(6)),  # the destination may hold any type
        (("TYPE", "s"), b"+string\r\n"),
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


# -- BITCOUNT and BITPOS against a model -----------------------------------------------


def _bits(data: bytes) -> list[int]:
    return [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]


def _clamp(start: int, end: int, total: int) -> tuple[int, int]:
    start = start + total if start < 0 else start
    end = end + total if end < 0 else end
    return max(start, 0), min(max(end, 0), total - 1)


def _model_bitcount(data: bytes, args: list[int | str]) -> int:
    if not args:
        return sum(_bits(data))
    start = int(args[0])
    end = int(args[1]) if len(args) > 1 else len(data) - 1
    if start < 0 and end < 0 and start > end:
        return 0
    in_bits = len(args) > 2 and args[2] == "BIT"
    bits = _bits(data)
    start, end = _clamp(start, end, len(bits) if in_bits else len(data))
    if not in_bits:
        start, end = start * 8, end * 8 + 7
    return sum(bits[start : end + 1])


def _model_bitpos(data: bytes, bit: int, args: list[int | str]) -> int:
    bits = _bits(data)
    end_given = len(args) > 1
    in_bits = len(args) > 2 and args[2] == "BIT"
    start = int(args[0]) if args else 0
    end = int(args[1]) if end_given else len(data) - 1
    start, end = _clamp(start, end, len(bits) if in_bits else len(data))
    if start > end:
        return -1
    if not in_bits:
        start, end = start * 8, end * 8 + 7
    for position in range(start, end + 1):
        if bits[position] == bit:
            return position
    return end + 1 if bit == 0 and not end_given else -1


def test_bitcount_and_bitpos_follow_the_model(raw: RawClient) -> None:
    rng = random.Random(5)
    for _ in range(150):
        data = bytes(rng.choice((0, 255, rng.randrange(256))) for _ in range(rng.randint(1, 12)))
        raw.command("SET", "k", data)
        for _ in range(4):
            args: list[int | str] = [rng.randint(-100, 100), rng.randint(-100, 100)]
            args = args[: rng.randint(0, 2)]
            if len(args) == 2 and rng.random() < 0.5:
                args.append(rng.choice(("BIT", "BYTE")))
            assert raw.command("BITCOUNT", "k", *args) == integer(_model_bitcount(data, args))
            bit = rng.randint(0, 1)
            assert raw.command("BITPOS", "k", bit, *args) == integer(_model_bitpos(data, bit, args))


# -- WATCH -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "write", "dirty"),
    [
        (("SETBIT", "k", "3", "1"), ("SETBIT", "k", "3", "1"), False),  # the bit was set
        (("SETBIT", "k", "3", "1"), ("SETBIT", "k", "3", "0"), True),
        (("SET", "k", "12"), ("SETBIT", "k", "2", "1"), False),  # made raw, silently
        (("SET", "k", "ab"), ("BITFIELD", "k", "SET", "u8", "0", "97"), False),
        (
            ("SET", "k", "ab"),
            ("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"),
            False,
        ),
        (("SET", "k", "ab"), ("BITFIELD", "k", "INCRBY", "u8", "0", "0"), False),
        (("SET", "k", "ab"), ("SETRANGE", "k", "0", ""), False),
        (("SET", "k", "ab"), ("APPEND", "k", ""), True),  # APPEND always signals
        (("SET", "k", "ab"), ("BITOP", "AND", "k", "k"), True),
    ],
)
def test_writes_that_change_nothing_leave_watch_clean(
    server: Server, raw: RawClient, setup: tuple[str, ...], write: tuple[str, ...], dirty: bool
) -> None:
    """Checked against Valkey 8.0.1: only a real change signals the key."""
    with RawClient(server.port) as other:
        other.command(*setup)
        raw.command("WATCH", "k")
        other.command(*write)
        raw.command("MULTI")
        raw.command("PING")
        assert raw.command("EXEC") == (b"*-1\r\n" if dirty else b"*1\r\n+PONG\r\n")
