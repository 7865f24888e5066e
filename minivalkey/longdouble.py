"""x87 extended precision ("long double" on x86-64) numbers, as Valkey's float increments use them.

Valkey's HINCRBYFLOAT reads its operands with ``strtold`` (through ``string2ld``),
adds them in 80-bit extended precision and prints the sum with ``%.17Lf`` before
removing the trailing zeros of the fraction (``ld2string`` in its human mode).
Python has no such type, so this module does the same arithmetic exactly with
integers.

A finite value is a pair ``(m, e)`` standing for ``m * 2**e``: ``m`` a signed
integer of at most 64 bits (the significand), ``e`` at least ``MIN_EXP`` (the
exponent of the least subnormal). Every pair this module hands out is the
correctly rounded (to nearest, ties to even) image of an exact rational, as
the FPU computes it; a result at or beyond ``2**16384`` is infinite (``INF``,
a sign of +1 or -1).

Invariant: a leaf module; nothing here knows about commands or RESP.
"""

from __future__ import annotations

import re

MANTISSA_BITS = 64
MIN_EXP = -16382 - 63  # the least subnormal is 2**MIN_EXP
MAX_BITS = 16384  # finite values are below 2**MAX_BITS
# string2ld copies its argument into a buffer of this size (MAX_LONG_DOUBLE_CHARS).
MAX_TEXT = 5 * 1024

Finite = tuple[int, int]


class Infinite:
    """An infinite value (its sign: +1 or -1)."""

    __slots__ = ("sign",)

    def __init__(self, sign: int) -> None:
        self.sign = sign

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Infinite) and other.sign == self.sign

    def __hash__(self) -> int:
        return hash(("inf", self.sign))

    def __repr__(self) -> str:
        return "INF" if self.sign > 0 else "-INF"


Value = Finite | Infinite

_NUMBER = re.compile(
    rb"([+-]?)(?:"
    rb"(inf(?:inity)?)"
    rb"|0x((?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+))(?:p([+-]?[0-9]+))?"
    rb"|((?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:e([+-]?[0-9]+))?"
    rb")",
    re.IGNORECASE,
)
# Decimal magnitudes beyond which the exact rational need not be built: above
# the largest finite value, or below half the least subnormal (about 1.8e-4951).
_MAX_DECIMAL_EXP = 4933
_MIN_DECIMAL_EXP = -4952
_CHUNK_DIGITS = 3000


def _int_from_digits(digits: bytes) -> int:
    """``int(digits)`` without Python's limit on the length of decimal conversions."""
    if len(digits) <= _CHUNK_DIGITS:
        return int(digits)
    head, tail = digits[:-_CHUNK_DIGITS], digits[-_CHUNK_DIGITS:]
    return _int_from_digits(head) * 10**_CHUNK_DIGITS + int(tail)


def _digits_of(value: int) -> str:
    """``str(value)`` (non-negative) without Python's limit on the length of conversions."""
    if value.bit_length() <= 9000:
        return str(value)
    high, low = divmod(value, 10**_CHUNK_DIGITS)
    return _digits_of(high) + str(low).zfill(_CHUNK_DIGITS)


def round_rational(num: int, den: int) -> Value:
    """``num / den`` (``den`` > 0) rounded to the nearest long double, ties to even."""
    if num == 0:
        return (0, 0)
    sign = -1 if num < 0 else 1
    size = abs(num)
    # k: the exponent of the leading bit, size / den in [2**k, 2**(k+1)).
    k = size.bit_length() - den.bit_length()
    if (size << max(0, -k)) < (den << max(0, k)):
        k -= 1
    exp = max(k - (MANTISSA_BITS - 1), MIN_EXP)
    if exp >= 0:
        quotient, remainder = divmod(size, den << exp)
        divisor = den << exp
    else:
        quotient, remainder = divmod(size << -exp, den)
        divisor = den
    twice = remainder * 2
    if twice > divisor or (twice == divisor and quotient & 1):
        quotient += 1
    if quotient >> MANTISSA_BITS:  # rounded up to the next power of two
        quotient >>= 1
        exp += 1
    if exp + quotient.bit_length() > MAX_BITS:
        return Infinite(sign)
    return (sign * quotient, exp)


def from_int(value: int) -> Value:
    """A 64-bit integer as a long double (exact: the significand has 64 bits)."""
    return round_rational(value, 1)


def parse(raw: bytes) -> Value | None:
    """What ``string2ld`` accepts: the whole argument is one ``strtold`` number, with no
    leading space, not NaN, neither overflowing nor underflowing to zero; else ``None``.

    Infinities (``inf``, ``+Infinity``...) are accepted, as ``strtold`` reads them.
    """
    if not raw or len(raw) >= MAX_TEXT:
        return None
    match = _NUMBER.fullmatch(raw)
    if match is None:
        return None
    sign_text, infinity, hex_digits, hex_exp, digits, dec_exp = match.groups()
    sign = -1 if sign_text == b"-" else 1
    if infinity is not None:
        return Infinite(sign)
    if hex_digits is not None:
        whole, _, fraction = hex_digits.partition(b".")
        mantissa = int(whole + fraction or b"0", 16)
        exponent = _exponent(hex_exp) - 4 * len(fraction)
        if mantissa == 0:
            return (0, 0)
        # mantissa * 2**exponent: beyond the range, skip building huge numbers.
        top = mantissa.bit_length() + exponent
        if top > MAX_BITS:
            return None
        if top < MIN_EXP - 1:
            return None
        if exponent >= 0:
            result = round_rational(sign * (mantissa << exponent), 1)
        else:
            result = round_rational(sign * mantissa, 1 << -exponent)
    else:
        whole, _, fraction = digits.partition(b".")
        significant = (whole + fraction).lstrip(b"0")
        if not significant:
            return (0, 0)
        exponent = _exponent(dec_exp) - len(fraction)
        # value in [10**(n-1+exponent), 10**(n+exponent)) for n significant digits
        magnitude = len(significant) + exponent
        if magnitude - 1 > _MAX_DECIMAL_EXP:
            return None
        if magnitude < _MIN_DECIMAL_EXP:
            return None
        mantissa = _int_from_digits(significant)
        if exponent >= 0:
            result = round_rational(sign * mantissa * 10**exponent, 1)
        else:
            result = round_rational(sign * mantissa, 10**-exponent)
    if isinstance(result, Infinite) or result[0] == 0:
        return None  # ERANGE: overflow, or an underflow all the way to zero
    return result


def _exponent(text: bytes | None) -> int:
    if text is None:
        return 0
    body = text.lstrip(b"+-").lstrip(b"0")
    if len(body) > 12:  # far beyond any exponent that can matter; keep the sign
        return -(10**12) if text[:1] == b"-" else 10**12
    value = int(body or b"0")
    return -value if text[:1] == b"-" else value


def add(left: Finite, right: Finite) -> Value:
    """The rounded sum of two finite values."""
    (m1, e1), (m2, e2) = left, right
    low = min(e1, e2)
    total = (m1 << (e1 - low)) + (m2 << (e2 - low))
    if low >= 0:
        return round_rational(total << low, 1)
    return round_rational(total, 1 << -low)


def format_human(value: Value) -> bytes:
    """``ld2string(..., LD_STR_HUMAN)``: ``%.17Lf`` without the trailing zeros of the
    fraction (nor a trailing dot), ``-0`` written ``0``, infinities ``inf`` / ``-inf``."""
    if isinstance(value, Infinite):
        return b"inf" if value.sign > 0 else b"-inf"
    mantissa, exp = value
    size = abs(mantissa)
    if exp >= 0:
        text = _digits_of(size << exp)
    else:
        scaled = size * 10**17
        shift = -exp
        quotient = scaled >> shift
        remainder = scaled - (quotient << shift)
        half = 1 << (shift - 1)
        if remainder > half or (remainder == half and quotient & 1):
            quotient += 1
        digits = _digits_of(quotient).rjust(18, "0")
        whole, fraction = digits[:-17], digits[-17:].rstrip("0")
        text = whole + "." + fraction if fraction else whole
    if mantissa < 0 and text != "0":
        text = "-" + text
    return text.encode()
