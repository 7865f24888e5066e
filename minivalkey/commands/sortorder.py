"""What SORT needs beyond the command itself: C's ``strtod`` with its range errors, and
the partial quicksort Valkey runs for ``SORT ... BY ... LIMIT``.

* ``strtod(raw)`` reads a weight as Valkey's SORT does: C's strtod (glibc) over the
  argument up to its first NUL byte, refused (``None``) unless the whole of that is
  consumed, the value is not NaN and strtod did not report a range error. So leading
  blanks, a sign, hexadecimal floats and ``inf``/``infinity`` are accepted, an empty
  string is 0, and an overflow, or an underflow that loses precision (glibc's
  ``ERANGE``: an inexact result below the smallest normal double, tininess judged
  after rounding), is an error. Values are rounded exactly as glibc rounds them
  (correctly, ties to even): Python's float parser does the same.
* ``partial_quicksort(items, compare, first, last)`` sorts ``items`` in place so
  that positions ``first..last`` hold what a full sort would put there, by the very
  steps of Valkey's pqsort (Bentley and McIlroy's quicksort, skipping the partitions
  that hold none of the wanted positions). It is not stable, and SORT's results show
  it when elements compare equal (``ALPHA`` with equal weights), so the steps matter.

A leaf: no server state, no RESP.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import TypeVar

from .args import c_bytes

T = TypeVar("T")

_SPACE = b" \t\n\v\f\r"  # isspace() in the C locale
_DECIMAL = re.compile(rb"[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_HEX = re.compile(rb"[+-]?0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?")
_INFINITY = re.compile(rb"[+-]?(?:inf|infinity)", re.IGNORECASE)
_MIN_NORMAL = 2.0**-1022
_INFINITY_VALUE = float("inf")
# Below this (exactly), a value rounded to 53 bits with no exponent limit is still
# subnormal: glibc's tininess after rounding.
_TINY_BELOW = Fraction(2) ** -1022 - Fraction(2) ** -1076
_INT_CHUNK = 1000  # Python converts at most 4300 decimal digits at once


def strtod(raw: bytes) -> float | None:
    """The double SORT reads from ``raw``, or ``None`` when SORT refuses it."""
    match = _DECIMAL.fullmatch(raw)  # the usual case: a plain decimal number
    if match is None or not (match.group(1) or match.group(2)):
        text = c_bytes(raw)
        if not text:
            return 0.0  # nothing parsed and nothing left over: strtod gives 0
        body = text.lstrip(_SPACE)
        unsigned = body[1:] if body[:1] in (b"+", b"-") else body
        if unsigned[:2] in (b"0x", b"0X"):
            return _hexadecimal(body)
        match = _DECIMAL.fullmatch(body)
        if match is None or not (match.group(1) or match.group(2)):
            return float(body.decode()) if _INFINITY.fullmatch(body) else None
        raw = body
    value = float(raw)
    if _MIN_NORMAL < abs(value) < _INFINITY_VALUE:
        return value
    if abs(value) == _INFINITY_VALUE:
        return None  # overflow
    integral, fraction, exponent = match.groups()
    fraction = fraction or b""
    digits = (integral + fraction).lstrip(b"0")
    if not digits:
        return value  # a zero, exactly
    if value == 0:
        return None  # underflow to zero
    scale = int(exponent or 0) - len(fraction)
    if _range_error(value, Fraction(_digits_value(digits)) * Fraction(10) ** scale):
        return None
    return value


def _hexadecimal(body: bytes) -> float | None:
    match = _HEX.fullmatch(body)
    if match is None:
        return None
    integral, fraction, exponent = match.groups()
    fraction = fraction or b""
    if not integral and not fraction:
        return None  # "0x" alone: strtod stops after the 0
    try:
        value = float.fromhex(body.decode())
    except OverflowError:
        return None
    if abs(value) <= _MIN_NORMAL:
        digits = (integral + fraction).lstrip(b"0")
        if not digits:
            return value
        if value == 0:
            return None
        scale = int(exponent or 0) - 4 * len(fraction)
        if _range_error(value, Fraction(int(digits, 16)) * Fraction(2) ** scale):
            return None
    return value


def _digits_value(digits: bytes) -> int:
    value = 0
    for start in range(0, len(digits), _INT_CHUNK):
        chunk = digits[start : start + _INT_CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _range_error(value: float, exact: Fraction) -> bool:
    """glibc's underflow ERANGE: a tiny exact value that the double does not hold."""
    magnitude = abs(exact)
    if magnitude >= _TINY_BELOW:
        return False
    return Fraction(abs(value)) != magnitude


# -- the partial quicksort ----------------------------------------------------------------


def partial_quicksort(
    items: list[T], compare: Callable[[T, T], int], first: int, last: int
) -> None:
    """Sort ``items`` in place enough that positions ``first..last`` are final, taking
    the same steps as Valkey's pqsort (see the module docstring)."""

    def swap(i: int, j: int) -> None:
        items[i], items[j] = items[j], items[i]

    def median(a: int, b: int, c: int) -> int:
        if compare(items[a], items[b]) < 0:
            if compare(items[b], items[c]) < 0:
                return b
            return c if compare(items[a], items[c]) < 0 else a
        if compare(items[b], items[c]) > 0:
            return b
        return a if compare(items[a], items[c]) < 0 else c

    def wanted(low: int, high: int) -> bool:
        """Whether positions ``low..high`` may hold a wanted one (Valkey's own test)."""
        return not ((first < low and last < low) or (first > high and last > high))

    # Partitions are disjoint, so the order in which they are sorted changes nothing.
    pending = [(0, len(items))]
    while pending:
        base, size = pending.pop()
        if size < 7:
            for position in range(base + 1, base + size):
                back = position
                while back > base and compare(items[back - 1], items[back]) > 0:
                    swap(back, back - 1)
                    back -= 1
            continue
        middle = base + size // 2
        if size > 7:
            low, high = base, base + size - 1
            if size > 40:
                step = size // 8
                low = median(low, low + step, low + 2 * step)
                middle = median(middle - step, middle, middle + step)
                high = median(high - 2 * step, high - step, high)
            middle = median(low, middle, high)
        swap(base, middle)
        pivot = items[base]
        # [base+1, left_equal) and (right_equal, end] hold elements equal to the pivot.
        left_equal = scan_left = base + 1
        scan_right = right_equal = base + size - 1
        while True:
            while scan_left <= scan_right:
                result = compare(items[scan_left], pivot)
                if result > 0:
                    break
                if result == 0:
                    swap(left_equal, scan_left)
                    left_equal += 1
                scan_left += 1
            while scan_left <= scan_right:
                result = compare(items[scan_right], pivot)
                if result < 0:
                    break
                if result == 0:
                    swap(scan_right, right_equal)
                    right_equal -= 1
                scan_right -= 1
            if scan_left > scan_right:
                break
            swap(scan_left, scan_right)
            scan_left += 1
            scan_right -= 1
        end = base + size
        count = min(left_equal - base, scan_left - left_equal)
        _swap_runs(items, base, scan_left - count, count)
        count = min(right_equal - scan_right, end - right_equal - 1)
        _swap_runs(items, scan_left, end - count, count)
        smaller = scan_left - left_equal
        if smaller > 1 and wanted(base, base + smaller - 1):
            pending.append((base, smaller))
        larger = right_equal - scan_right
        if larger > 1 and wanted(end - larger, end - 1):
            pending.append((end - larger, larger))


def _swap_runs(items: list[T], a: int, b: int, count: int) -> None:
    """Exchange the ``count`` elements from ``a`` with those from ``b`` (disjoint runs)."""
    if count > 0:
        items[a : a + count], items[b : b + count] = items[b : b + count], items[a : a + count]
