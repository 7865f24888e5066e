"""BITFIELD and BITFIELD_RO over real sockets, RESP2 and RESP3.

The ``STEPS`` scripts hold replies checked against Valkey 8.0.1, including its 64-bit
corner cases (SAT choosing a limit from wrapped intermediate values, ``#`` offsets
whose product wraps around) and its order of checks.
"""

from __future__ import annotations

import pytest
from helpers import RawClient
from string_steps import Step, play

STEPS: dict[str, list[Step]] = {
    "basics": [
        (("BITFIELD", "k", "SET", "i8", "0", "100"), b"*1\r\n:0\r\n"),
        (("BITFIELD", "k", "GET", "i8", "0"), b"*1\r\n:100\r\n"),
        (("BITFIELD", "k", "INCRBY", "i8", "0", "100"), b"*1\r\n:-56\r\n"),
        (("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100"), b"*1\r\n:44\r\n"),
        (
            ("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "100"),
            b"*1\r\n$-1\r\n",
            b"*1\r\n_\r\n",
        ),
        (
            (
                "BITFIELD",
                "k",
                "OVERFLOW",
                "WRAP",
                "INCRBY",
                "i8",
                "0",
                "100",
                "OVERFLOW",
                "SAT",
                "INCRBY",
                "i8",
                "0",
                "-300",
            ),
            b"*2\r\n:-112\r\n:-128\r\n",
        ),
        (
            (
                "BITFIELD",
                "k",
                "GET",
                "u8",
                "0",
                "GET",
                "u4",
                "4",
                "GET",
                "i64",
                "0",
                "GET",
                "u63",
                "1",
            ),
            b"*4\r\n:128\r\n:0\r\n:-9223372036854775808\r\n:0\r\n",
        ),
        (
            ("BITFIELD", "k", "SET", "u8", "#1", "255", "GET", "u8", "8", "SET", "u8", "#1", "0"),
            b"*3\r\n:0\r\n:255\r\n:255\r\n",
        ),
        (("GET", "k"), b"$2\r\n\x80\x00\r\n"),
        (("BITFIELD", "k", "GET", "i8", "4294967288"), b"*1\r\n:0\r\n"),
        (("BITFIELD", "nokey", "GET", "u8", "100"), b"*1\r\n:0\r\n"),
        (("EXISTS", "nokey"), b":0\r\n"),
        (("BITFIELD", "nokey"), b"*0\r\n"),
        (("BITFIELD_RO", "k", "GET", "i8", "0", "GET", "u1", "1"), b"*2\r\n:-128\r\n:0\r\n"),
        (("BITFIELD_RO", "k"), b"*0\r\n"),
        (
            ("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "100", "300"),
            b"*1\r\n$-1\r\n",
            b"*1\r\n_\r\n",
        ),
        (("STRLEN", "f"), b":14\r\n"),
        (("SET", "t", "v", "EX", "100"), b"+OK\r\n"),
        (("BITFIELD", "t", "SET", "u8", "64", "1"), b"*1\r\n:0\r\n"),
        (("TTL", "t"), b":100\r\n"),
    ],
    "limits": [
        (
            (
                "BITFIELD",
                "s",
                "SET",
                "u8",
                "0",
                "255",
                "GET",
                "u8",
                "0",
                "INCRBY",
                "u8",
                "0",
                "1",
                "OVERFLOW",
                "SAT",
                "INCRBY",
                "u8",
                "0",
                "-5",
                "INCRBY",
                "u8",
                "0",
                "-300",
            ),
            b"*5\r\n:0\r\n:255\r\n:0\r\n:0\r\n:0\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "SAT",
                "SET",
                "i8",
                "0",
                "-9223372036854775808",
                "GET",
                "i8",
                "0",
            ),
            b"*2\r\n:0\r\n:127\r\n",
        ),
        (
            ("BITFIELD", "s", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0"),
            b"*2\r\n:127\r\n:255\r\n",
        ),
        (
            ("BITFIELD", "s", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "GET", "u8", "0"),
            b"*2\r\n:255\r\n:255\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "SAT",
                "SET",
                "i64",
                "0",
                "-9223372036854775808",
                "INCRBY",
                "i64",
                "0",
                "-1",
                "INCRBY",
                "i64",
                "0",
                "9223372036854775807",
                "INCRBY",
                "i64",
                "0",
                "9223372036854775807",
            ),
            (
                b"*4\r\n:-72057594037927936\r\n:-9223372036854775808\r\n:-1\r\n:922337"
                b"2036854775806\r\n"
            ),
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "WRAP",
                "SET",
                "i64",
                "0",
                "9223372036854775807",
                "INCRBY",
                "i64",
                "0",
                "1",
            ),
            b"*2\r\n:9223372036854775806\r\n:-9223372036854775808\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "SAT",
                "INCRBY",
                "u63",
                "0",
                "9223372036854775807",
                "INCRBY",
                "u63",
                "0",
                "1",
                "INCRBY",
                "u63",
                "0",
                "-9223372036854775808",
            ),
            b"*3\r\n:9223372036854775807\r\n:9223372036854775807\r\n:0\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "SAT",
                "SET",
                "i8",
                "0",
                "9223372036854775807",
                "SET",
                "i8",
                "0",
                "200",
                "SET",
                "i8",
                "0",
                "-200",
            ),
            b"*3\r\n:0\r\n:127\r\n:127\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "FAIL",
                "SET",
                "i8",
                "0",
                "200",
                "SET",
                "i8",
                "0",
                "-129",
                "SET",
                "i8",
                "0",
                "-128",
            ),
            b"*3\r\n$-1\r\n$-1\r\n:-128\r\n",
            b"*3\r\n_\r\n_\r\n:-128\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "WRAP",
                "SET",
                "i8",
                "0",
                "200",
                "SET",
                "i8",
                "0",
                "-200",
                "SET",
                "u1",
                "0",
                "3",
                "SET",
                "i1",
                "0",
                "1",
                "GET",
                "i1",
                "0",
                "SET",
                "i2",
                "0",
                "-3",
            ),
            b"*6\r\n:-128\r\n:-56\r\n:0\r\n:-1\r\n:-1\r\n:-2\r\n",
        ),
        (
            (
                "BITFIELD",
                "s",
                "OVERFLOW",
                "FAIL",
                "INCRBY",
                "u1",
                "0",
                "1",
                "INCRBY",
                "u1",
                "0",
                "1",
                "INCRBY",
                "i1",
                "0",
                "-1",
                "INCRBY",
                "i1",
                "0",
                "-1",
            ),
            b"*4\r\n:1\r\n$-1\r\n$-1\r\n$-1\r\n",
            b"*4\r\n:1\r\n_\r\n_\r\n_\r\n",
        ),
        (("BITFIELD", "w", "SET", "i64", "#288230376151711745", "-1"), b"*1\r\n:0\r\n"),
        (("STRLEN", "w"), b":16\r\n"),  # 64 * (2**58 + 1) wraps around to bit 64
        (
            ("BITFIELD", "w", "GET", "u8", "#288230376151711744"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
    ],
    "errors": [
        (("SET", "k", "x"), b"+OK\r\n"),
        (
            ("BITFIELD", "k", "OVERFLOW", "FOO", "INCRBY", "i8", "0", "100"),
            b"-ERR Invalid OVERFLOW type specified\r\n",
        ),
        (
            ("BITFIELD", "k", "GET", "u64", "0"),
            (
                b"-ERR Invalid bitfield type. Use something like i16 u8. Note "
                b"that u64 is not supported but i64 is.\r\n"
            ),
        ),
        (
            ("BITFIELD", "k", "GET", "i65", "0"),
            (
                b"-ERR Invalid bitfield type. Use something like i16 u8. Note "
                b"that u64 is not supported but i64 is.\r\n"
            ),
        ),
        (
            ("BITFIELD", "k", "GET", "i0", "0"),
            (
                b"-ERR Invalid bitfield type. Use something like i16 u8. Note "
                b"that u64 is not supported but i64 is.\r\n"
            ),
        ),
        (
            ("BITFIELD", "k", "GET", "x8", "0"),
            (
                b"-ERR Invalid bitfield type. Use something like i16 u8. Note "
                b"that u64 is not supported but i64 is.\r\n"
            ),
        ),
        (
            ("BITFIELD", "k", "GET", "I8", "0"),
            (
                b"-ERR Invalid bitfield type. Use something like i16 u8. Note "
                b"that u64 is not supported but i64 is.\r\n"
            ),
        ),
        (
            ("BITFIELD", "k", "GET", "i", "0"),
            (
                b"-ERR Invalid bitfield type. Use something like i16 u8. Note "
                b"that u64 is not supported but i64 is.\r\n"
            ),
        ),
        (
            ("BITFIELD", "k", "GET", "i8", "-1"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD", "k", "GET", "i8", "#-1"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD", "k", "GET", "i8", "##1"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD", "k", "GET", "i8", "4294967296"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD", "k", "GET", "i8", "#536870912"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD", "k", "SET", "i8", "0", "abc"),
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD", "k", "INCRBY", "i8", "0", "9223372036854775808"),
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (("BITFIELD", "k", "FOO"), b"-ERR syntax error\r\n"),
        (("BITFIELD", "k", "GET"), b"-ERR syntax error\r\n"),
        (("BITFIELD", "k", "GET", "i8"), b"-ERR syntax error\r\n"),
        (("BITFIELD", "k", "SET", "i8", "0"), b"-ERR syntax error\r\n"),
        (("BITFIELD", "k", "OVERFLOW"), b"-ERR syntax error\r\n"),
        (("BITFIELD", "k", "SET", "i8", "0", "1", "FOO"), b"-ERR syntax error\r\n"),
        (("GET", "k"), b"$1\r\nx\r\n"),
        (
            ("BITFIELD_RO", "k", "SET", "i8", "0", "1"),
            b"-ERR BITFIELD_RO only supports the GET subcommand\r\n",
        ),
        (
            ("BITFIELD_RO", "k", "GET", "i8", "0", "INCRBY", "i8", "0", "1"),
            b"-ERR BITFIELD_RO only supports the GET subcommand\r\n",
        ),
        (
            ("BITFIELD_RO", "k", "GET", "i8", "0", "INCRBY", "i8", "0", "x"),
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (("XADD", "s", "1-1", "f", "v"), b"$3\r\n1-1\r\n"),
        (
            ("BITFIELD", "s", "GET", "u8", "0"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            ("BITFIELD", "s", "SET", "u8", "0", "1"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            ("BITFIELD", "s", "SET", "u8", "0", "x"),
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            ("BITFIELD_RO", "s", "GET", "u8", "0"),
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            ("BITFIELD_RO", "s", "SET", "u8", "0", "1"),
            b"-ERR BITFIELD_RO only supports the GET subcommand\r\n",
        ),
        (("BITFIELD",), b"-ERR wrong number of arguments for 'bitfield' command\r\n"),
        (("BITFIELD_RO",), b"-ERR wrong number of arguments for 'bitfield_ro' command\r\n"),
        (("BITFIELD", "k", "GET", b"u8\x00junk", "0"), b"*1\r\n:120\r\n"),
        (
            ("BITFIELD", "k", "GET", "u8", b"0\x00"),
            b"-ERR bit offset is not an integer or out of range\r\n",
        ),
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
