"""Sorted sets: members with scores, ordered by (score, member).

A ``ZSet`` keeps two views of the same members:

* ``scores``: a dict member -> score (O(1) ZSCORE, membership);
* an ordered sequence of keys ``(score, member)``, sorted as Valkey sorts them
  (by score, then by the member's bytes as memcmp does, a shorter prefix first:
  exactly Python's ordering of ``(float, bytes)`` tuples). The sequence is a list
  of chunks (each sorted, at most ``2 * LOAD`` keys) with ``maxes[i]`` the last key
  of chunk ``i``, and a Fenwick tree over the chunk lengths (built lazily) for
  positional queries. Finding a key or a rank, inserting and deleting one key
  cost O(log n) (plus a memmove within one chunk); a range of m keys costs
  O(log n + m).

Invariants:
* ``scores`` and the chunks hold the same members; no chunk is empty; ``maxes``
  has one entry per chunk; ``_tree`` is ``None`` or matches the chunk lengths.
* No score is NaN. ``-0.0`` and ``0.0`` compare equal (as doubles do in Valkey),
  so a key is found whichever of the two its score holds.
* ``encoding`` is ``"listpack"`` or ``"skiplist"``, what OBJECT ENCODING answers;
  the commands decide conversions (they know the configuration), the engine only
  performs them. A listpack stores an integral score as an integer, so ``-0.0``
  is kept as ``0.0`` there (on insertion and on conversion to listpack), as
  Valkey's listpack does.
* ``scan_order`` is ``None`` until a cursor scan of a skiplist needs one; while it
  exists every member added is reported to it; conversions and copies drop it.
* No RESP, no asyncio, nothing of the server: commands drive it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import itemgetter
from typing import Any

from .collscan import ScanOrder
from .types import TypeSpec, register

LISTPACK = "listpack"
SKIPLIST = "skiplist"

LOAD = 512  # chunks are split past 2 * LOAD keys and merged below LOAD // 2

Key = tuple[float, bytes]

score_of: Callable[[Key], float] = itemgetter(0)
member_of: Callable[[Key], bytes] = itemgetter(1)


class ZSet:
    __slots__ = ("scores", "_lists", "_maxes", "_tree", "encoding", "scan_order")

    def __init__(self, encoding: str = LISTPACK) -> None:
        self.scores: dict[bytes, float] = {}
        self._lists: list[list[Key]] = []
        self._maxes: list[Key] = []
        self._tree: list[int] | None = None
        self.encoding = encoding
        self.scan_order: ScanOrder | None = None

    @classmethod
    def from_sorted(cls, keys: list[Key], encoding: str) -> ZSet:
        """A set made of ``keys``, already sorted and with distinct members."""
        zset = cls(encoding)
        if encoding == LISTPACK:
            keys = [(0.0, member) if score == 0 else (score, member) for score, member in keys]
        zset.scores = {member: score for score, member in keys}
        zset._lists = [keys[i : i + LOAD] for i in range(0, len(keys), LOAD)]
        zset._maxes = [chunk[-1] for chunk in zset._lists]
        return zset

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, member: bytes) -> bool:
        return member in self.scores

    def __iter__(self) -> Iterator[Key]:
        for chunk in self._lists:
            yield from chunk

    def __reversed__(self) -> Iterator[Key]:
        for chunk in reversed(self._lists):
            yield from reversed(chunk)

    def score(self, member: bytes) -> float | None:
        return self.scores.get(member)

    def first(self) -> Key:
        return self._lists[0][0]

    def last(self) -> Key:
        return self._lists[-1][-1]

    def rank(self, member: bytes) -> int | None:
        """The member's 0-based position from the lowest, or ``None`` if absent."""
        score = self.scores.get(member)
        if score is None:
            return None
        key = (score, member)
        pos = bisect_left(self._maxes, key)
        return self._prefix(pos) + bisect_left(self._lists[pos], key)

    def at(self, index: int) -> Key:
        """The key at 0-based ``index`` (0 <= index < len)."""
        pos, offset = self._locate(index)
        return self._lists[pos][offset]

    def iter_from(self, index: int, reverse: bool = False) -> Iterator[Key]:
        """Keys from position ``index`` on, towards the highest (or the lowest when
        ``reverse``); ``index`` must be a valid position."""
        lists = self._lists
        pos, offset = self._locate(index)
        if not reverse:
            yield from islice(lists[pos], offset, None)
            for chunk in islice(lists, pos + 1, None):
                yield from chunk
        else:
            chunk = lists[pos]
            for i in range(offset, -1, -1):
                yield chunk[i]
            for p in range(pos - 1, -1, -1):
                yield from reversed(lists[p])

    def slice(self, start: int, stop: int) -> list[Key]:
        """Keys at positions ``start`` to ``stop - 1`` (0 <= start < stop <= len), in order."""
        lists = self._lists
        if len(lists) == 1:
            return lists[0][start:stop]
        pos, offset = self._locate(start)
        wanted = stop - start
        out = lists[pos][offset : offset + wanted]
        while len(out) < wanted:
            pos += 1
            out.extend(lists[pos][: wanted - len(out)])
        return out

    def rev_slice(self, start: int, stop: int) -> list[Key]:
        """Keys at reverse positions ``start`` to ``stop - 1`` (0 is the highest)."""
        size = len(self.scores)
        keys = self.slice(size - stop, size - start)
        keys.reverse()
        return keys

    # Bounds. Each answers a position in 0..len: the first key at or after the bound.

    def score_ge(self, value: float) -> int:
        """Position of the first key whose score is >= ``value``."""
        return self._bisect(value, score_of, False)

    def score_gt(self, value: float) -> int:
        """Position of the first key whose score is > ``value``."""
        return self._bisect(value, score_of, True)

    def member_ge(self, value: bytes) -> int:
        """Position of the first key whose member is >= ``value``, assuming the keys are
        ordered by member too (all scores equal, the case lex ranges are meant for)."""
        return self._bisect(value, member_of, False)

    def member_gt(self, value: bytes) -> int:
        return self._bisect(value, member_of, True)

    def _bisect(self, value: Any, key: Callable[[Key], Any], right: bool) -> int:
        find = bisect_right if right else bisect_left
        maxes = self._maxes
        pos = find(maxes, value, key=key)
        if pos == len(maxes):
            return len(self.scores)
        return self._prefix(pos) + find(self._lists[pos], value, key=key)

    # -- writing -------------------------------------------------------------------------

    def insert(self, member: bytes, score: float) -> None:
        """Add a member that is not in the set."""
        if score == 0 and self.encoding == LISTPACK:
            score = 0.0
        self.scores[member] = score
        self._insert_key((score, member))
        if self.scan_order is not None:
            self.scan_order.add(member)

    def update(self, member: bytes, score: float) -> None:
        """Give a member of the set a new score."""
        if score == 0 and self.encoding == LISTPACK:
            score = 0.0
        old = self.scores[member]
        self.scores[member] = score
        self._remove_key((old, member))
        self._insert_key((score, member))

    def discard(self, member: bytes) -> bool:
        """Remove ``member``; False when it was not there."""
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self._remove_key((score, member))
        return True

    def pop_first(self, count: int) -> list[Key]:
        """Remove and return the ``count`` lowest keys (fewer if the set is smaller)."""
        return self.delete_range(0, min(count, len(self.scores)))

    def pop_last(self, count: int) -> list[Key]:
        """Remove and return the ``count`` highest keys, highest first."""
        size = len(self.scores)
        keys = self.delete_range(size - min(count, size), size)
        keys.reverse()
        return keys

    def delete_range(self, start: int, stop: int) -> list[Key]:
        """Remove the keys at positions ``start`` to ``stop - 1``; answers them in order."""
        if start >= stop:
            return []
        lists = self._lists
        scores = self.scores
        if len(lists) == 1:
            chunk = lists[0]
            removed = chunk[start:stop]
            del chunk[start:stop]
            if chunk:
                self._maxes[0] = chunk[-1]
            else:
                lists.clear()
                self._maxes.clear()
            self._tree = None
        else:
            removed = self.slice(start, stop)
            first, offset = self._locate(start)
            pos = first
            left = stop - start
            while left:
                chunk = lists[pos]
                taken = min(left, len(chunk) - offset)
                del chunk[offset : offset + taken]
                left -= taken
                if chunk:
                    self._maxes[pos] = chunk[-1]
                    pos += 1
                else:
                    del lists[pos]
                    del self._maxes[pos]
                offset = 0
            self._tree = None
            # Only the chunks at either end of the range may have become small.
            for p in (first + 1, first):
                if p < len(lists) and len(lists) > 1 and len(lists[p]) < LOAD // 2:
                    self._merge(p)
        for _, member in removed:
            del scores[member]
        return removed

    # -- encodings ---------------------------------------------------------------------------

    def to_skiplist(self) -> None:
        self.encoding = SKIPLIST
        self.scan_order = None

    def to_listpack(self) -> None:
        self.encoding = LISTPACK
        self.scan_order = None
        if any(score == 0 for score in self.scores.values()):
            for member, score in self.scores.items():
                if score == 0:
                    self.scores[member] = 0.0
            for chunk in self._lists:
                chunk[:] = [(0.0, m) if s == 0 else (s, m) for s, m in chunk]
            self._maxes = [chunk[-1] for chunk in self._lists]

    def max_member_length(self) -> int:
        return max(map(len, self.scores), default=0)

    def copy(self) -> ZSet:
        twin = ZSet(self.encoding)
        twin.scores = dict(self.scores)
        twin._lists = [list(chunk) for chunk in self._lists]
        twin._maxes = list(self._maxes)
        return twin

    def state(self) -> tuple[object, ...]:
        """Everything observable: the encoding and the keys in order (with each score's
        sign, which ``-0.0 == 0.0`` would hide)."""
        return (self.encoding, tuple((score.hex(), member) for score, member in self))

    # -- the chunked list ----------------------------------------------------------------------

    def _insert_key(self, key: Key) -> None:
        lists, maxes = self._lists, self._maxes
        if not lists:
            lists.append([key])
            maxes.append(key)
            self._tree = None
            return
        pos = bisect_left(maxes, key)
        if pos == len(maxes):
            pos -= 1
            lists[pos].append(key)
            maxes[pos] = key
        else:
            insort(lists[pos], key)
        if len(lists[pos]) > 2 * LOAD:
            chunk = lists[pos]
            lists.insert(pos + 1, chunk[LOAD:])
            del chunk[LOAD:]
            maxes[pos] = chunk[-1]
            maxes.insert(pos + 1, lists[pos + 1][-1])
            self._tree = None
        elif self._tree is not None:
            self._tree_add(pos, 1)

    def _remove_key(self, key: Key) -> None:
        lists, maxes = self._lists, self._maxes
        pos = bisect_left(maxes, key)
        chunk = lists[pos]
        del chunk[bisect_left(chunk, key)]
        if not chunk:
            del lists[pos]
            del maxes[pos]
            self._tree = None
            return
        maxes[pos] = chunk[-1]
        if len(chunk) < LOAD // 2 and len(lists) > 1:
            self._merge(pos)
        elif self._tree is not None:
            self._tree_add(pos, -1)

    def _merge(self, pos: int) -> None:
        """Join the small chunk ``pos`` with a neighbour (splitting again if too long)."""
        lists, maxes = self._lists, self._maxes
        if len(lists) < 2:
            return
        if pos == len(lists) - 1:
            pos -= 1
        lists[pos].extend(lists[pos + 1])
        del lists[pos + 1]
        del maxes[pos + 1]
        chunk = lists[pos]
        if len(chunk) > 2 * LOAD:
            lists.insert(pos + 1, chunk[LOAD:])
            del chunk[LOAD:]
            maxes.insert(pos + 1, lists[pos + 1][-1])
        maxes[pos] = chunk[-1]
        self._tree = None

    def _build_tree(self) -> list[int]:
        tree = [0] + [len(chunk) for chunk in self._lists]
        size = len(tree)
        for i in range(1, size):
            parent = i + (i & -i)
            if parent < size:
                tree[parent] += tree[i]
        self._tree = tree
        return tree

    def _tree_add(self, pos: int, delta: int) -> None:
        tree = self._tree
        assert tree is not None
        i = pos + 1
        size = len(tree)
        while i < size:
            tree[i] += delta
            i += i & -i

    def _prefix(self, pos: int) -> int:
        """How many keys the chunks before chunk ``pos`` hold."""
        if pos == 0:
            return 0
        tree = self._tree if self._tree is not None else self._build_tree()
        total = 0
        i = pos
        while i:
            total += tree[i]
            i -= i & -i
        return total

    def _locate(self, index: int) -> tuple[int, int]:
        """(chunk, offset) of the key at position ``index``."""
        lists = self._lists
        if len(lists) == 1:
            return 0, index
        first = len(lists[0])
        if index < first:
            return 0, index
        tree = self._tree if self._tree is not None else self._build_tree()
        pos = 0
        step = 1 << (len(tree) - 1).bit_length()
        while step:
            nxt = pos + step
            if nxt < len(tree) and tree[nxt] <= index:
                index -= tree[nxt]
                pos = nxt
            step >>= 1
        return pos, index


def from_pairs(pairs: Iterable[tuple[bytes, float]], encoding: str) -> ZSet:
    """A set of the (member, score) ``pairs`` (each member once)."""
    keys = sorted((score, member) for member, score in pairs)
    return ZSet.from_sorted(keys, encoding)


# -- MEMORY USAGE ---------------------------------------------------------------------------

_ROBJ = 16


def malloc_size(size: int) -> int:
    """The usable size jemalloc gives a request of ``size`` bytes (its size classes)."""
    if size <= 8:
        return 8
    if size <= 128:
        return (size + 15) & ~15
    step = 1 << (size - 1).bit_length() - 3
    return (size + step - 1) & ~(step - 1)


def _lp_int_size(value: int) -> int:
    if 0 <= value <= 127:
        return 1
    if -4096 <= value <= 4095:
        return 2
    if -(2**15) <= value < 2**15:
        return 3
    if -(2**23) <= value < 2**23:
        return 4
    if -(2**31) <= value < 2**31:
        return 5
    return 9


def _lp_entry_size(raw: bytes) -> int:
    """Bytes one listpack entry holding ``raw`` takes (encoding, data, back length)."""
    size = 0
    if raw and len(raw) <= 20 and raw.lstrip(b"-").isdigit():
        digits = raw[1:] if raw[:1] == b"-" else raw
        if (digits[:1] != b"0" or digits == b"0") and raw != b"-0":
            value = int(raw)
            if -(2**63) <= value < 2**63:
                size = _lp_int_size(value)
    if not size:
        length = len(raw)
        size = length + (1 if length < 64 else 2 if length < 4096 else 5)
    back = 1 if size <= 127 else 2 if size < 16383 else 3 if size < 2097151 else 4
    return size + back


def listpack_bytes(zset: ZSet) -> int:
    """The listpack's size in bytes (a score that is not an integer is stored as text:
    its shortest round-trip spelling stands for Valkey's d2string here)."""
    total = 7  # header and end byte
    for score, member in zset:
        total += _lp_entry_size(member)
        if score.is_integer() and abs(score) <= 2**62:
            total += 1 + _lp_int_size(int(score))
        else:
            total += _lp_entry_size(repr(score).encode())
    return total


def _sds_alloc(length: int) -> int:
    header = 3 if length < 256 else 5 if length < 65536 else 9
    return malloc_size(header + length + 1)


def zset_memory(zset: ZSet, samples: int) -> int:
    """MEMORY USAGE of a sorted set, in the shape of Valkey's objectComputeSize: the
    listpack's allocation, or the skiplist's fixed parts, its dict's buckets and the
    average of ``samples`` nodes (0: all) times their number. Node levels are random
    in Valkey; an average node size stands for them here."""
    if zset.encoding == LISTPACK:
        return _ROBJ + malloc_size(listpack_bytes(zset))
    size = len(zset)
    buckets = 1 << size.bit_length() if size else 0
    total = _ROBJ + 16 + 32 + 56 + 8 * buckets + malloc_size(24 + 16 * 32)
    taken = 0
    element_bytes = 0
    for _, member in zset:
        if samples and taken >= samples:
            break
        element_bytes += _sds_alloc(len(member)) + 24 + 53
        taken += 1
    if taken:
        total += int(element_bytes / taken * size)
    return total


register(
    TypeSpec(
        kind=ZSet,
        name="zset",
        encoding=lambda zset: zset.encoding,
        memory=zset_memory,
        copy=ZSet.copy,
        state=ZSet.state,
    )
)
