"""A sorted set of integers (stream IDs) with O(log n) insert, delete and range start.

It is a list of sorted chunks plus the list of each chunk's largest value: a
bisect over the maxima finds the chunk, a bisect inside it finds the place. A
chunk splits in two when it grows past ``2 * LOAD`` and disappears when empty,
so every operation moves at most ``2 * LOAD`` references.

Invariants: chunks are non-empty, sorted, and disjoint in increasing order;
``_maxes[i] == _chunks[i][-1]``; a value is present at most once (callers keep
their own dict for membership and payloads, and only add absent values).
``irange`` re-locates its position by value after each chunk, so the set may be
changed while an iterator from it is suspended; plain iteration (``iter``) may not.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from itertools import chain

LOAD = 256


class SortedIds:
    __slots__ = ("_chunks", "_maxes", "_len")

    def __init__(self, values: Iterable[int] = ()) -> None:
        ordered = sorted(values)
        self._chunks: list[list[int]] = [
            ordered[i : i + LOAD] for i in range(0, len(ordered), LOAD)
        ]
        self._maxes: list[int] = [chunk[-1] for chunk in self._chunks]
        self._len = len(ordered)

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def _locate(self, value: int) -> tuple[int, int] | None:
        """(chunk index, position in the chunk) of ``value``, or ``None`` if absent."""
        maxes = self._maxes
        index = bisect_left(maxes, value)
        if index == len(maxes):
            return None
        chunk = self._chunks[index]
        position = bisect_left(chunk, value)
        if position == len(chunk) or chunk[position] != value:
            return None
        return index, position

    def __contains__(self, value: int) -> bool:
        return self._locate(value) is not None

    def add(self, value: int) -> None:
        """Insert ``value``, which must not be present."""
        maxes = self._maxes
        if not maxes:
            self._chunks.append([value])
            maxes.append(value)
            self._len = 1
            return
        index = bisect_left(maxes, value)
        if index == len(maxes):
            index -= 1
            self._chunks[index].append(value)
            maxes[index] = value
        else:
            insort(self._chunks[index], value)
        self._len += 1
        chunk = self._chunks[index]
        if len(chunk) > 2 * LOAD:
            self._chunks[index : index + 1] = [chunk[:LOAD], chunk[LOAD:]]
            maxes[index : index + 1] = [chunk[LOAD - 1], chunk[-1]]

    def extend_sorted(self, values: list[int]) -> None:
        """Append ascending ``values``, all greater than every value present."""
        if not values:
            return
        chunks, maxes = self._chunks, self._maxes
        if chunks and len(chunks[-1]) + len(values) <= LOAD:  # the usual: room in the last
            chunks[-1] += values
            maxes[-1] = values[-1]
            self._len += len(values)
            return
        taken = 0  # values that went into the last chunk, filling it up to LOAD
        if chunks and len(chunks[-1]) < LOAD:
            taken = LOAD - len(chunks[-1])
            chunks[-1] += values[:taken]
            maxes[-1] = chunks[-1][-1]
        for first in range(taken, len(values), LOAD):
            chunk = values[first : first + LOAD]
            chunks.append(chunk)
            maxes.append(chunk[-1])
        self._len += len(values)

    def discard(self, value: int) -> bool:
        """Remove ``value`` if present; True when it was."""
        chunks = self._chunks
        if chunks and chunks[0][0] == value:  # the oldest: acknowledgements come in order
            first = chunks[0]
            del first[0]
            self._len -= 1
            if not first:
                del chunks[0]
                del self._maxes[0]
            return True
        found = self._locate(value)
        if found is None:
            return False
        index, position = found
        chunk = self._chunks[index]
        maxes = self._maxes
        del chunk[position]
        self._len -= 1
        if not chunk:
            del self._chunks[index]
            del maxes[index]
        elif position == len(chunk):
            maxes[index] = chunk[-1]
        return True

    def discard_all(self, values: list[int]) -> None:
        """Remove ``values``, which are all present and distinct."""
        chunks = self._chunks
        first = chunks[0] if chunks else None
        taken = len(values)
        if first is not None and first[:taken] == values:
            # The oldest, in order (what acknowledging a batch of deliveries removes).
            del first[:taken]
            self._len -= taken
            if not first:
                del chunks[0]
                del self._maxes[0]
            return
        for value in values:
            self.discard(value)

    def first(self) -> int | None:
        return self._chunks[0][0] if self._chunks else None

    def last(self) -> int | None:
        return self._maxes[-1] if self._maxes else None

    def irange(self, low: int, high: int) -> Iterator[int]:
        """Values ``v`` with ``low <= v <= high``, ascending."""
        position = low
        while position <= high:
            index = bisect_left(self._maxes, position)
            if index == len(self._maxes):
                return
            chunk = self._chunks[index]
            start = bisect_left(chunk, position)
            stop = bisect_right(chunk, high)
            last = chunk[-1]
            yield from chunk[start:stop]
            if stop < len(chunk):
                return  # ``high`` falls inside this chunk
            position = last + 1

    def __iter__(self) -> Iterator[int]:
        return chain.from_iterable(self._chunks)

    def copy(self) -> SortedIds:
        clone = SortedIds()
        clone._chunks = [list(chunk) for chunk in self._chunks]
        clone._maxes = list(self._maxes)
        clone._len = self._len
        return clone
