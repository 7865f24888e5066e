"""Extended precision sums: what HINCRBYFLOAT and INCRBYFLOAT answer on Valkey 8.0.1 (x86-64)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from minivalkey.engine import longdouble as ld


def increments(*texts: bytes) -> bytes:
    """What HINCRBYFLOAT answers after incrementing an absent field by each text in turn."""
    total = Fraction(0)
    for text in texts:
        operand = ld.parse(text)
        assert isinstance(operand, Fraction)
        added = ld.add(total, operand)
        assert added is not None
        total = added
    return ld.format_human(total)


@pytest.mark.parametrize(
    ("texts", "answer"),
    [
        ((b"1.23",), b"1.23"),
        ((b"1.23", b"0.77"), b"2"),
        ((b"1.23", b"0.77", b"-0.1"), b"1.9"),  # the Tcl suite's issue #2846
        ((b"10.5", b"0.1"), b"10.6"),  # a double would print 10.59999999999999964
        ((b"17179869184", b"1"), b"17179869185"),
        ((b"3.0e3",), b"3000"),
        ((b"0x1p-3",), b"0.125"),
        ((b"0x1.8p1",), b"3"),
        ((b"0x10",), b"16"),
        ((b"+.5",), b"0.5"),
        ((b"5.",), b"5"),
        ((b"-.5e-3",), b"-0.0005"),
        ((b"-1e-30",), b"0"),  # -0.00000000000000000 loses its sign
        ((b"-0.0",), b"0"),
        ((b"1e-4940",), b"0"),  # a subnormal is accepted, and prints as 0
        # exact ties at the 17th decimal go to the even digit, as glibc's printf rounds
        ((b"0.000003814697265625",), b"0.00000381469726562"),
        ((b"0.000011444091796875",), b"0.00001144409179688"),
        ((b"9223372036854775807", b"1.0"), b"9223372036854775808"),
        ((b"-9223372036854775808", b"-1"), b"-9223372036854775809"),
    ],
)
def test_sums_print_as_valkey_prints_them(texts: tuple[bytes, ...], answer: bytes) -> None:
    assert increments(*texts) == answer


def test_huge_values_print_every_integer_digit() -> None:
    text = increments(b"1e4000")
    assert len(text) == 4000  # just below 10**4000
    assert text.startswith(b"99999999999999999999654638730996237849324925835069576313015")
    text = increments(b"1e4000", b"1e4000", b"1e4932")
    assert len(text) == 4933  # beyond Python's default limit on int-to-text conversions
    assert text.startswith(b"1000000000000000000006018949387963891323837774254533114773785")


@pytest.mark.parametrize(
    "text",
    [
        b"", b" 1", b"1 ", b"1e", b"1e+", b".", b"e5", b"0x", b"0x1p", b"abc", b"1\x002",
        b"nan", b"NaN", b"-nan", b"nan(1)", b"infinit", b"1e5000", b"-1e5000", b"1e-5000",
        b"0x1p20000", b"1" * 5119, b"+-1", b"1_000", b"\xff",
    ],
)
def test_what_string2ld_refuses(text: bytes) -> None:
    assert ld.parse(text) is None


def test_infinities_and_zeros_are_read() -> None:
    assert ld.parse(b"inf") == float("inf")
    assert ld.parse(b"-Infinity") == float("-inf")
    assert ld.parse(b"+INF") == float("inf")
    assert ld.parse(b"0e99999999999999999999") == 0  # zero is exact, not an underflow
    assert ld.parse(b"0x0p-99999") == 0
    # string2ld's buffer holds 5119 characters and a NUL
    assert ld.format_human(ld.parse(b"1." + b"0" * 5117)) == b"1"  # type: ignore[arg-type]
    assert ld.parse(b"1." + b"0" * 5118) is None


def test_rounding_is_to_64_bits_ties_to_even() -> None:
    assert ld.round_to_format(Fraction(2**64 + 1)) == 2**64  # a tie: down to the even one
    assert ld.round_to_format(Fraction(2**64 + 3)) == 2**64 + 4  # a tie: up to the even one
    assert ld.round_to_format(Fraction(-(2**64) - 3)) == -(2**64) - 4
    assert ld.round_to_format(Fraction(1, 3)) == Fraction(12297829382473034411, 2**65)
    assert ld.from_int(-(2**63)) == -(2**63)
    assert ld.round_to_format(Fraction(2**16384)) == float("inf")
    assert ld.round_to_format(Fraction(1, 2**16446)) == 0  # half the least subnormal: to 0
    assert ld.round_to_format(Fraction(3, 2**16446)) == Fraction(2, 2**16445)  # 1.5 q: to 2 q
    big = ld.parse(b"1e4932")
    assert isinstance(big, Fraction)
    assert ld.add(big, big) is None  # overflows: Valkey's NaN-or-infinity error
