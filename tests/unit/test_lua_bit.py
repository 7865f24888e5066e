"""The script library bit, called from Lua as a script calls it.

Covers bit (Lua BitOp's 32-bit operations). Each case is a script
body and what pcall of it returns, serialised by `lualib_runner.run`; every expected value
was produced by the same Lua text run through EVAL on valkey-server 8.0.1 (with cjson's
settings at their defaults before each).
"""

from __future__ import annotations

import pytest
from lualib_runner import new_runtime, run

CASES = [
    (
        (
            "return bit.tobit(2^52+3.5), bit.tobit(-2^60-1), bit.tobit(1e300), bit.tobit(0/0), "
            "bit.tobit(1/0), bit.tobit(2^31), bit.tobit(-2^31-1), bit.tobit(0.5), bit.tobit(1.5"
            "), bit.tobit(2.5), bit.tobit(-0.5), bit.tobit(-1.5), bit.tobit('0x10'), bit.tobit("
            "' 12 ')"
        ),
        "true, 2, 0, -2013235812, 0, 0, -2147483648, 2147483647, 0, 2, 2, 0, -2, 16, 12",
    ),
    (
        (
            "return bit.tobit(2^51), bit.tobit(-2^51), bit.tobit(2^51 + 1), bit.tobit(-2^51 - 1"
            "), bit.tobit(2^52), bit.tobit(2^53 + 2), bit.tobit(-6755399441055744), bit.tobit(-"
            "6755399441055745), bit.tobit(-2^53 - 6), bit.tobit(1e18), bit.tobit(-1e18), bit.to"
            "bit(2^64 + 2^12), bit.tobit(4294967295.5), bit.tobit(5e-324), bit.tobit(-0.0)"
        ),
        "true, 0, 0, 0, -2, 0, 1, 0, 0, 12, 1733216256, 1733216256, 1, 0, 0, 0",
    ),
    (
        (
            "return bit.tobit(2^32 + 5), bit.tobit(-1), bit.tobit(0xffffffff), bit.tobit(0x8000"
            "0000), bit.tobit(123456789012)"
        ),
        "true, 5, -1, -1, -2147483648, -1097262572",
    ),
    (
        "return bit.bnot(0), bit.bnot(-1), bit.bnot(5), bit.bnot(2^31), bit.bnot(1.5)",
        "true, -1, 0, -6, 2147483647, -3",
    ),
    (
        (
            "return bit.band(0xff, 0x0f0), bit.band(-1, 0x12345678), bit.band(1), bit.band(7, 6"
            ", 5), bit.band(-1, -1), bit.band(0x80000000, -1)"
        ),
        "true, 240, 305419896, 1, 4, -1, -2147483648",
    ),
    (
        (
            "return bit.bor(1, 2, 4, 8, 16, 32, 64, 128), bit.bor(0x80000000, 1), bit.bor(-1, 0"
            "), bit.bor(0)"
        ),
        "true, 255, -2147483647, -1, 0",
    ),
    (
        (
            "return bit.bxor(1, 2), bit.bxor(-1, 0x0f), bit.bxor(0x55555555, 0xaaaaaaaa), bit.b"
            "xor(5, 5), bit.bxor(1, 2, 4, 8)"
        ),
        "true, 3, -16, -1, 0, 15",
    ),
    (
        (
            "return bit.lshift(1, 0), bit.lshift(1, 31), bit.lshift(1, 32), bit.lshift(1, 33), "
            "bit.lshift(-1, 4), bit.lshift(0x7fffffff, 1), bit.lshift(1, -1), bit.lshift(3, 30."
            "5)"
        ),
        "true, 1, -2147483648, 1, 2, -16, -2, -2147483648, -1073741824",
    ),
    (
        (
            "return bit.rshift(-1, 0), bit.rshift(-1, 1), bit.rshift(-1, 31), bit.rshift(-1, 32"
            "), bit.rshift(256, 4), bit.rshift(1, -1)"
        ),
        "true, -1, 2147483647, 1, -1, 16, 0",
    ),
    (
        (
            "return bit.arshift(-1, 1), bit.arshift(-256, 4), bit.arshift(0x80000000, 31), bit."
            "arshift(256, 4), bit.arshift(-1, 32), bit.arshift(-8, 2)"
        ),
        "true, -1, -16, -1, 16, -1, -2",
    ),
    (
        (
            "return bit.rol(1, 1), bit.rol(0x80000000, 1), bit.rol(0x12345678, 4), bit.rol(0x12"
            "345678, 0), bit.rol(0x12345678, 32), bit.rol(0x12345678, 36), bit.rol(-1, 7)"
        ),
        "true, 2, 1, 591751041, 305419896, 305419896, 591751041, -1",
    ),
    (
        (
            "return bit.ror(1, 1), bit.ror(0x12345678, 4), bit.ror(0x12345678, 0), bit.ror(0x12"
            "345678, 28), bit.ror(2, 33)"
        ),
        "true, -2147483648, -2128394905, 305419896, 591751041, 1",
    ),
    (
        (
            "return bit.bswap(0x12345678), bit.bswap(-1), bit.bswap(1), bit.bswap(0x80), bit.bs"
            "wap(0x12)"
        ),
        "true, 2018915346, -1, 16777216, -2147483648, 301989888",
    ),
    (
        (
            "return bit.tohex(65535, -2147483648), bit.tohex(-1), bit.tohex(255, 2), bit.tohex("
            "255, -3), bit.tohex(1, 0), bit.tohex(1, 20), bit.tohex(0x12345678, -8), bit.tohex("
            "0x12345678, 4), bit.tohex(-2, 2^32 + 3)"
        ),
        ('true, "0000FFFF", "ffffffff", "ff", "0FF", "", "00000001", "12345678", "5678", "ffe"'),
    ),
    (
        "local r = bit.band() return r",
        ("false, \"user_script:1: bad argument #1 to 'band' (number expected, got no value)\""),
    ),
    (
        "local r = bit.band(1, 'x', {}) return r",
        "false, \"user_script:1: bad argument #3 to 'band' (number expected, got table)\"",
    ),
    (
        "local r = bit.tohex(1, nil) return r",
        "false, \"user_script:1: bad argument #2 to 'tohex' (number expected, got nil)\"",
    ),
    (
        "local r = bit.tobit() return r",
        ("false, \"user_script:1: bad argument #1 to 'tobit' (number expected, got no value)\""),
    ),
    (
        "local r = bit.tobit(nil) return r",
        "false, \"user_script:1: bad argument #1 to 'tobit' (number expected, got nil)\"",
    ),
    (
        "local r = bit.tobit('abc') return r",
        "false, \"user_script:1: bad argument #1 to 'tobit' (number expected, got string)\"",
    ),
    (
        "local r = bit.tobit(true) return r",
        ("false, \"user_script:1: bad argument #1 to 'tobit' (number expected, got boolean)\""),
    ),
    (
        "local r = bit.bor(1, nil, 2) return r",
        "false, \"user_script:1: bad argument #2 to 'bor' (number expected, got nil)\"",
    ),
    (
        "local r = bit.lshift(1) return r",
        ("false, \"user_script:1: bad argument #2 to 'lshift' (number expected, got no value)\""),
    ),
    (
        "local r = bit.lshift(nil, 1) return r",
        "false, \"user_script:1: bad argument #1 to 'lshift' (number expected, got nil)\"",
    ),
    (
        "local r = bit.bswap({}) return r",
        "false, \"user_script:1: bad argument #1 to 'bswap' (number expected, got table)\"",
    ),
    (
        "local r = bit.rol(1, 'z') return r",
        "false, \"user_script:1: bad argument #2 to 'rol' (number expected, got string)\"",
    ),
    (
        "local r = bit.band(3, 1, 'oops') return r",
        "false, \"user_script:1: bad argument #3 to 'band' (number expected, got string)\"",
    ),
    (
        ("return bit.tobit('0'), bit.tobit('1e3'), bit.tobit('  0x7fffffff'), bit.tobit('-1')"),
        "true, 0, 1000, 2147483647, -1",
    ),
]


@pytest.mark.parametrize("snippet, expected", CASES)
def test_bit(snippet: str, expected: str) -> None:
    assert run(new_runtime(), snippet) == expected
