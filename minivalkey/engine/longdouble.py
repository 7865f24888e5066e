"""x86-64 ``long double`` arithmetic for INCRBYFLOAT, exactly, with rationals.

Valkey parses INCRBYFLOAT's operands with ``strtold``, adds them in the 80-bit
extended format (a 64-bit significand, exponents down to subnormals at 2**-16445)
and prints the sum with ``%.17Lf`` before trimming trailing zeros. Python has no
such type, so a value here is an exact ``Fraction`` that is always representable
in that format: every operation rounds its exact result to the nearest one (ties
to even), which is what the hardware does, and printing rounds the exact decimal
expansion, as glibc does.

Invariants:
* ``parse`` accepts exactly what Valkey's string2ld accepts (strtold syntax: decimal
  or hexadecimal, ``inf``/``infinity``; no NaN, no leading blank, nothing after the
  number, no overflow, no underflow to zero, under 5120 bytes) and answers ``None``
  for the rest; an infinity comes back as ``math.inf`` / ``-math.inf``.
* ``add`` answers ``None`` when the sum is NaN or infinite (Valkey's error case).
* No state, no imports of the server: a leaf.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_CHARS = 5 * 1024  # Valkey's MAX_LONG_DOUBLE_CHARS: longer arguments are refused
_MANTISSA_BITS = 64
_MIN_NORMAL_EXP = -16382  # the smallest normal value is 2**-16382
_MAX_EXP = 16384  # values at or above 2**16384 overflow
_QUANTUM_FLOOR = _MIN_NORMAL_EXP - (_MANTISSA_BITS - 1)  # subnormal spacing: 2**-16445

_DECIMAL = re.compile(rb"([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?")
_HEX = re.compile(
    rb"([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?"
)
_INFINITY = re.compile(rb"([+-]?)(?:inf|infinity)", re.IGNORECASE)
_SPACE = b" \t\n\v\f\r"

LongDouble = Fraction | float  # a float only for the two infinities

# Python refuses decimal conversions of more than 4300 digits at once; a value of
# this format can have about 5000, so conversions go by chunks of this many digits.
_CHUNK = 1000


def _int_from_digits(digits: bytes) -> int:
    value = 0
    for start in range(0, len(digits), _CHUNK):
        chunk = digits[start : start + _CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _digits_of(value: int) -> bytes:
    chunks: list[bytes] = []
    while value >= 10**_CHUNK:
        value, low = divmod(value, 10**_CHUNK)
        chunks.append(b"%0*d" % (_CHUNK, low))
    chunks.append(b"%d" % value)
    return b"".join(reversed(chunks))


def round_to_format(exact: Fraction) -> Fraction | float:
    """The ``long double`` nearest to ``exact`` (ties to even), or a signed infinity."""
    if exact == 0:
        return Fraction(0)
    negative = exact < 0
    magnitude = -exact if negative else exact
    numerator, denominator = magnitude.numerator, magnitude.denominator
    # floor(log2(magnitude)), corrected from the bit lengths (off by one at most)
    exponent = numerator.bit_length() - denominator.bit_length()
    if (numerator << max(0, -exponent)) < (denominator << max(0, exponent)):
        exponent -= 1
    if exponent >= _MAX_EXP:
        return -math.inf if negative else math.inf
    quantum_exp = max(exponent - (_MANTISSA_BITS - 1), _QUANTUM_FLOOR)
    scaled = magnitude / Fraction(2) ** quantum_exp
    units, remainder = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * remainder
    if twice > scaled.denominator or (twice == scaled.denominator and units & 1):
        units += 1
    result = Fraction(units) * Fraction(2) ** quantum_exp
    if result >= Fraction(2) ** _MAX_EXP:
        return -math.inf if negative else math.inf
    return -result if negative else result


def parse(raw: bytes) -> LongDouble | None:
    """What Valkey's string2ld makes of ``raw``, or ``None`` when it refuses it."""
    if not raw or len(raw) >= MAX_CHARS or raw[0] in _SPACE:
        return None
    match = _DECIMAL.fullmatch(raw)
    if match is not None:
        sign, whole, fraction, only_fraction, exponent = match.groups()
        digits = (whole or b"") + (fraction or b"") + (only_fraction or b"")
        scale = _exponent(exponent) - len(fraction or only_fraction or b"")
        return _finish(sign, _int_from_digits(digits), 10, scale, len(digits.lstrip(b"0")))
    match = _HEX.fullmatch(raw)
    if match is not None:
        sign, whole, fraction, only_fraction, exponent = match.groups()
        digits = (whole or b"") + (fraction or b"") + (only_fraction or b"")
        scale = _exponent(exponent) - 4 * len(fraction or only_fraction or b"")
        return _finish(sign, int(digits, 16), 2, scale, 0)
    match = _INFINITY.fullmatch(raw)
    if match is not None:
        return -math.inf if match.group(1) == b"-" else math.inf
    return None  # NaN and everything else


def _exponent(raw: bytes | None) -> int:
    """An exponent's value; beyond 18 digits only its sign matters (it is clamped)."""
    if raw is None:
        return 0
    body = raw.lstrip(b"+-").lstrip(b"0")
    if len(body) > 18:
        return -(10**18) if raw[:1] == b"-" else 10**18
    return int(raw)


def _finish(sign: bytes, mantissa: int, base: int, scale: int, digits: int) -> LongDouble | None:
    """``mantissa * base**scale`` in the format; ``None`` on overflow or underflow to 0."""
    if mantissa == 0:
        return Fraction(0)
    # Far outside the format's range the exact value is not worth building.
    if base == 10:
        magnitude = digits + scale  # the value lies in [10**(magnitude-1), 10**magnitude)
        if magnitude > 4934:
            return None
        if magnitude < -4952:
            return None
    else:
        magnitude = mantissa.bit_length() + scale
        if magnitude > _MAX_EXP + 1:
            return None
        if magnitude < _QUANTUM_FLOOR - 2:
            return None
    exact = Fraction(mantissa) * Fraction(base) ** scale
    value = round_to_format(exact)
    if isinstance(value, float) or value == 0:
        return None  # ERANGE: overflow to infinity, or underflow to zero
    return -value if sign == b"-" else value


def add(value: LongDouble, increment: LongDouble) -> Fraction | None:
    """``value + increment`` rounded to the format; ``None`` for NaN or infinity."""
    if isinstance(value, float) or isinstance(increment, float):
        return None  # an infinite operand gives an infinite or NaN sum
    total = round_to_format(value + increment)
    return None if isinstance(total, float) else total


def from_int(value: int) -> Fraction:
    """A 64-bit integer as a ``long double`` (exact: the significand has 64 bits)."""
    return Fraction(value)


def format_human(value: Fraction) -> bytes:
    """``%.17Lf`` with trailing zeros (and a bare point) removed, ``-0`` printed ``0``:
    Valkey's ld2string in its human-friendly mode."""
    negative = value < 0
    scaled = (-value if negative else value) * 10**17
    units, remainder = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * remainder
    if twice > scaled.denominator or (twice == scaled.denominator and units & 1):
        units += 1
    whole, fraction = divmod(units, 10**17)
    text = _digits_of(whole) + b".%017d" % fraction
    text = text.rstrip(b"0").rstrip(b".")
    if negative:
        text = b"-" + text
    return b"0" if text == b"-0" else text
