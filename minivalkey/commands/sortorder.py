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

from collections.abc import Callable
from typing import TypeVar

from .args import c_bytes
from .cdouble import strtod_whole

T = TypeVar("T")



def strtod(raw: bytes) -> float | None:
    """The double SORT reads from ``raw``, or ``None`` when SORT refuses it."""
    read = strtod_whole(c_bytes(raw))
    if read is None or read[1]:
        return None
    return read[0]


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
