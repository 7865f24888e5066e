"""The 80-bit long double arithmetic behind INCRBYFLOAT, and the LCS table.

Expected values are those of x86-64 ``long double`` (64-bit significand) and glibc's
``strtold`` / ``%.17Lf``, as Valkey 8.0.1 shows them through INCRBYFLOAT.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from minivalkey.engine import longdouble
from minivalkey.engine.lcs import Table


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b"1", Fraction(1)),
        (b"+.5", Fraction(1, 2)),
        (b"5.", Fraction(5)),
        (b"-0", Fraction(0)),
        (b"0x10", Fraction(16)),
        (b"0x.8p1", Fraction(1)),
        (b"0X1P-2", Fraction(1, 4)),
        (b"1e3", Fraction(1000)),
        (b"0e999999999999999999999999", Fraction(0)),  # exactly zero: no underflow
        (b"0" * 5000 + b"1", Fraction(1)),  # more digits than Python converts at once
    ],
)
def test_parse_accepts(text: bytes, value: Fraction) -> None:
    assert longdouble.parse(text) == value


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b" 1",
        b"1 ",
        b"\t1",
        b"1\x00",
        b".",
        b"1e",
        b"1e+",
        b"0x",
        b"0x1p",
        b"abc",
        b"nan",
        b"NaN",
        b"-nan",
        b"infin",
        b"1e5000",
        b"1e-5000",
        b"0x1p-16446",
        b"1e99999999999999999999999",
        b"1" * 5120,
        b"1,5",
    ],
)
def test_parse_refuses(text: bytes) -> None:
    assert longdouble.parse(text) is None


def test_parse_infinities() -> None:
    assert longdouble.parse(b"inf") == math.inf
    assert longdouble.parse(b"-Infinity") == -math.inf
    assert longdouble.add(Fraction(1), math.inf) is None


def test_rounding_to_a_64_bit_significand() -> None:
    # 2**64 + 1 needs 65 bits: the tie rounds to even (2**64); 2**64 + 3 rounds up.
    assert longdouble.round_to_format(Fraction(2**64 + 1)) == 2**64
    assert longdouble.round_to_format(Fraction(2**64 + 3)) == 2**64 + 4
    assert longdouble.round_to_format(Fraction(2**63 - 1)) == 2**63 - 1  # exact
    smallest = Fraction(1, 2**16445)
    assert longdouble.round_to_format(smallest) == smallest  # the smallest subnormal
    assert longdouble.round_to_format(smallest / 2) == 0  # a tie: to even, zero
    assert longdouble.round_to_format(Fraction(2) ** 16384) == math.inf


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (b"0.1", b"0.1"),
        (b"1501.1", b"1501.09999999999999998"),
        (b"0.000003814697265625", b"0.00000381469726562"),  # a tie at the 17th digit: even
        (b"0.000000000000000015", b"0.00000000000000002"),
        (b"-0.000000000000000005", b"0"),  # "-0" after rounding prints as 0
        (b"1e30", b"1000000000000000000024696061952"),
        (b"9223372036854775808", b"9223372036854775808"),
    ],
)
def test_format_human(value: bytes, text: bytes) -> None:
    parsed = longdouble.parse(value)
    assert isinstance(parsed, Fraction)
    assert longdouble.format_human(parsed) == text


def test_format_of_a_huge_value() -> None:
    value = longdouble.parse(b"1e4931")
    assert isinstance(value, Fraction)
    text = longdouble.format_human(value)
    assert len(text) == 4932
    assert text.startswith(b"1000000000000000000006018949387963891323837774254533114")


def test_lcs_table_matches_the_textbook_one() -> None:
    rng = random.Random(3)
    for _ in range(200):
        a = bytes(rng.choice(b"abc") for _ in range(rng.randint(0, 12)))
        b = bytes(rng.choice(b"abc") for _ in range(rng.randint(0, 12)))
        table = Table(a, b)
        textbook = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                if a[i - 1] == b[j - 1]:
                    textbook[i][j] = textbook[i - 1][j - 1] + 1
                else:
                    textbook[i][j] = max(textbook[i - 1][j], textbook[i][j - 1])
                assert table.length(i, j) == textbook[i][j]
        common, runs = table.walk()
        assert len(common) == textbook[len(a)][len(b)]
        for run in runs:
            assert a[run.a_start : run.a_end + 1] == b[run.b_start : run.b_end + 1]
