"""C's ``strtod`` (glibc, x86-64 doubles), exactly: what Valkey reads wherever it calls it.

``strtod_prefix`` reads the number at the start of a byte string as strtod does:
leading white space, a sign, decimal digits with an optional point and exponent (an
exponent without digits is not read), hexadecimal floats (``0x1.8p3``),
``inf``/``infinity`` and ``nan``/``nan(...)`` in any case; ``to_double`` rounds it
(correctly, ties to even, as glibc does; Python's float conversion does the same) and
says whether strtod reports ERANGE: an overflow to infinity, or an underflow (glibc:
an inexact result below the smallest normal double, tininess judged after rounding).
``plain_double`` is the fast path for the usual plain decimal spellings.

Users: sorted-set scores and ranges (``zsetargs``), SORT's weights (``sortorder``).
A leaf: no server state, no RESP.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_MIN_NORMAL = 2.2250738585072014e-308
# Below this (exactly), a value rounded to 53 bits with no exponent limit is still
# subnormal: glibc's tininess after rounding.
_TINY_BELOW = Fraction(2) ** -1022 - Fraction(2) ** -1076

_NUMBER = re.compile(
    rb"[ \t\n\v\f\r]*([+-]?)(?:"
    rb"0[xX](?P<hex>(?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?)"
    rb"|(?P<dec>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    rb"|(?P<inf>[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
    rb"|(?P<nan>[nN][aA][nN](?:\([0-9A-Za-z_]*\))?)"
    rb")"
)
_HEX = re.compile(
    rb"(?P<int>[0-9a-fA-F]*)(?:\.(?P<frac>[0-9a-fA-F]*))?(?:[pP](?P<exp>[+-]?[0-9]+))?"
)
_DEC = re.compile(rb"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?")


class Number:
    """What strtod read: an exact magnitude (or a special value) and the bytes it consumed.

    ``special`` is "" for a finite value, "inf" for a spelled infinity, "overflow" for
    digits too large for any format used here, "nan" for a NaN."""

    __slots__ = ("negative", "exact", "special", "consumed")

    def __init__(self, negative: bool, exact: Fraction, special: str, consumed: int) -> None:
        self.negative = negative
        self.exact = exact
        self.special = special
        self.consumed = consumed


# Decimal exponents beyond these certainly overflow / underflow every format used here,
# so huge exponents never build huge fractions.
_EXP_LIMIT = 5200
_TINY = Fraction(1, 10**_EXP_LIMIT)


def strtod_prefix(raw: bytes) -> Number | None:
    """The number at the start of ``raw`` as strtod reads it; ``None`` if there is none."""
    match = _NUMBER.match(raw)
    if match is None:
        return None
    negative = match.group(1) == b"-"
    end = match.end()
    if match.group("inf") is not None:
        return Number(negative, Fraction(0), "inf", end)
    if match.group("nan") is not None:
        return Number(negative, Fraction(0), "nan", end)
    hex_text = match.group("hex")
    if hex_text is not None:
        parts = _HEX.fullmatch(hex_text)
        assert parts is not None
        fraction_digits = parts.group("frac") or b""
        digits = (parts.group("int") + fraction_digits).lstrip(b"0")
        if not digits:
            return Number(negative, Fraction(0), "", end)
        exponent = int(parts.group("exp") or b"0") - 4 * len(fraction_digits)
        magnitude = exponent + 4 * len(digits)  # the value is below 2 ** magnitude
        if magnitude > 4 * _EXP_LIMIT:
            return Number(negative, Fraction(0), "overflow", end)
        if magnitude < -4 * _EXP_LIMIT:
            return Number(negative, _TINY, "", end)
        return Number(negative, Fraction(int(digits, 16)) * Fraction(2) ** exponent, "", end)
    parts = _DEC.fullmatch(match.group("dec"))
    assert parts is not None
    fraction_digits = parts.group("frac") or b""
    digits = (parts.group("int") + fraction_digits).lstrip(b"0")
    if not digits:
        return Number(negative, Fraction(0), "", end)
    exponent = int(parts.group("exp") or b"0") - len(fraction_digits)
    magnitude = exponent + len(digits)  # the value is below 10 ** magnitude
    if magnitude > _EXP_LIMIT:
        return Number(negative, Fraction(0), "overflow", end)
    if magnitude < -_EXP_LIMIT:
        return Number(negative, _TINY, "", end)
    return Number(negative, Fraction(int(digits)) * Fraction(10) ** exponent, "", end)


def to_double(number: Number) -> tuple[float, bool]:
    """The double strtod answers and whether it reported ERANGE (a result that
    overflowed to infinity, or an inexact one below the normal range)."""
    special = number.special
    if special:
        if special == "nan":
            return math.nan, False
        return (-math.inf if number.negative else math.inf), special == "overflow"
    exact = number.exact
    if exact == 0:
        return (-0.0 if number.negative else 0.0), False
    try:
        value = exact.numerator / exact.denominator  # correctly rounded, as glibc's strtod
    except OverflowError:
        value = math.inf
    erange = value == math.inf or (
        value <= _MIN_NORMAL and exact < _TINY_BELOW and Fraction(value) != exact
    )
    return (-value if number.negative else value), erange


# Plain decimal spellings, the usual case: Python's float() reads them exactly as
# strtod does (both round correctly), without building a fraction.
_PLAIN = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NONZERO_DIGIT = re.compile(rb"[1-9]")


def plain_double(raw: bytes) -> tuple[float, bool] | None:
    """(value, ERANGE) of a plain decimal ``raw`` read whole, or ``None`` if not plain
    (or subnormal, where the exact path decides ERANGE)."""
    if _PLAIN.fullmatch(raw) is None:
        return None
    value = float(raw)
    if 0 < abs(value) <= _MIN_NORMAL:
        return None
    if value == math.inf or value == -math.inf:
        return value, True
    if value == 0:
        mantissa = raw.split(b"e")[0].split(b"E")[0]
        return value, _NONZERO_DIGIT.search(mantissa) is not None
    return value, False



def strtod_whole(text: bytes) -> tuple[float, bool] | None:
    """(value, ERANGE) when strtod reads all of ``text`` (no NaN), else ``None``; the
    empty string reads as 0, as strtod leaves nothing over."""
    plain = plain_double(text)
    if plain is not None:
        return plain
    if not text:
        return 0.0, False
    number = strtod_prefix(text)
    if number is None or number.consumed != len(text) or number.special == "nan":
        return None
    return to_double(number)
