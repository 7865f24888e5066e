"""Longest common subsequence of two byte strings, as Valkey's LCS command walks it.

The table of prefix LCS lengths is kept one row per byte of ``a`` as a bit vector
over the positions of ``b`` (the bit-parallel method of Allison-Dix / Crochemore et
al.): bit ``j`` of row ``i`` is clear exactly when ``LCS(a[:i], b[:j+1])`` is one more
than ``LCS(a[:i], b[:j])``, so ``LCS(a[:i], b[:j])`` is ``j`` minus the set bits below
``j``. Building the rows costs ``len(a)`` big-integer steps; the walk back reads the
table in ``len(a) + len(b)`` steps.

Invariant: ``walk`` visits the table exactly as Valkey's lcsCommand does (a match
steps diagonally; otherwise it goes up when ``LCS(i-1, j) > LCS(i, j-1)``, else
left), so the subsequence and the ranges it reports are the ones Valkey reports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    """One run of the subsequence: ``a[a_start:a_end+1]`` equals ``b[b_start:b_end+1]``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int

    @property
    def length(self) -> int:
        return self.a_end - self.a_start + 1


class Table:
    """The LCS lengths of every pair of prefixes of ``a`` and ``b``."""

    def __init__(self, a: bytes, b: bytes) -> None:
        self.a = a
        self.b = b
        width = len(b)
        full = (1 << width) - 1
        positions: dict[int, int] = {}
        for j, byte in enumerate(b):
            positions[byte] = positions.get(byte, 0) | (1 << j)
        row = full
        rows = [row]
        for byte in a:
            matched = row & positions.get(byte, 0)
            row = ((row + matched) | (row - matched)) & full
            rows.append(row)
        self.rows = rows

    def length(self, i: int = -1, j: int = -1) -> int:
        """``LCS(a[:i], b[:j])``; the whole strings by default."""
        if i < 0:
            i = len(self.a)
        if j < 0:
            j = len(self.b)
        return j - (self.rows[i] & ((1 << j) - 1)).bit_count()

    def walk(self, min_length: int = 0) -> tuple[bytes, list[Match]]:
        """The subsequence and its runs of at least ``min_length`` (0: all), from the
        end of both strings towards their start, as Valkey emits them."""
        a, b = self.a, self.b
        alen = len(a)
        i, j = alen, len(b)
        total = self.length()
        result = bytearray(total)
        position = total
        matches: list[Match] = []
        a_start = alen  # alen: no run open
        a_end = b_start = b_end = 0
        while i > 0 and j > 0:
            emit = False
            if a[i - 1] == b[j - 1]:
                result[position - 1] = a[i - 1]
                if a_start == alen:
                    a_start = a_end = i - 1
                    b_start = b_end = j - 1
                elif a_start == i and b_start == j:
                    a_start -= 1
                    b_start -= 1
                else:
                    emit = True
                if a_start == 0 or b_start == 0:
                    emit = True
                position -= 1
                i -= 1
                j -= 1
            else:
                if self.length(i - 1, j) > self.length(i, j - 1):
                    i -= 1
                else:
                    j -= 1
                if a_start != alen:
                    emit = True
            if emit:
                run = Match(a_start, a_end, b_start, b_end)
                if min_length == 0 or run.length >= min_length:
                    matches.append(run)
                a_start = alen
        return bytes(result), matches
