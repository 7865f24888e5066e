"""Cursors over the members of a hash, set or sorted set (HSCAN, SSCAN, ZSCAN).

Valkey answers a small encoding (listpack, intset) whole in one call with cursor 0;
only hashtable-encoded collections are walked with a cursor. For those, a
``ScanOrder`` lists the members sorted by a fixed 64-bit key drawn from the member's
hash (never 0), and a cursor is the key of the last member a call examined: the next
call examines the members whose keys are greater. As a member's key never changes,
the guarantees Valkey's reverse-binary cursor gives hold here too, however the
collection changes between calls:

* a member present from the first call to the last is returned (exactly once,
  unless it is removed and added again);
* a member added or removed meanwhile may or may not be returned;
* a call examines at most ``count`` live members (members sharing a key are
  examined together, so a cursor never falls between them).

Invariants: a ``ScanOrder`` belongs to one collection, which creates it lazily on
its first cursor call and, while it exists, tells it of every member it adds
(``add``); removed members are not reported and are skipped when met (``alive``),
and dropped when they come to outnumber the live ones. Engine modules keep the
order as an attribute (``scan_order``, ``None`` until needed) and drop it on
conversions and copies. No RESP, no asyncio.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable

_MASK64 = 2**64 - 1
_SLACK = 64


def scan_key(member: Hashable) -> int:
    """The member's fixed place in the order: 1 .. 2**64-1 (0 is the end cursor)."""
    return (hash(member) & _MASK64) or 1


class ScanOrder:
    __slots__ = ("keys", "members")

    def __init__(self, members: Iterable[Hashable]) -> None:
        pairs = sorted(((scan_key(member), member) for member in members), key=_first)
        self.keys = [key for key, _ in pairs]
        self.members = [member for _, member in pairs]

    def add(self, member: Hashable) -> None:
        """A member joined the collection (a member already listed stays once)."""
        key = scan_key(member)
        keys = self.keys
        start = bisect_left(keys, key)
        end = start
        while end < len(keys) and keys[end] == key:
            if self.members[end] == member:
                return
            end += 1
        keys.insert(end, key)
        self.members.insert(end, member)

    def scan(
        self, cursor: int, count: int, alive: Callable[[Hashable], bool], size: int
    ) -> tuple[int, list[Hashable]]:
        """Up to ``count`` live members after ``cursor`` and the next cursor (0: done).

        ``alive`` says whether a listed member is still in the collection and
        ``size`` how many members it has now.
        """
        if len(self.members) > 2 * size + _SLACK:
            self._compact(alive)
        keys, members = self.keys, self.members
        position = bisect_right(keys, cursor)
        end = len(keys)
        found: list[Hashable] = []
        while position < end and len(found) < count:
            key = keys[position]
            while position < end and keys[position] == key:
                member = members[position]
                if alive(member):
                    found.append(member)
                position += 1
        if position >= end:
            return 0, found
        return keys[position - 1], found

    def _compact(self, alive: Callable[[Hashable], bool]) -> None:
        kept = [
            (key, member)
            for key, member in zip(self.keys, self.members, strict=True)
            if alive(member)
        ]
        self.keys = [key for key, _ in kept]
        self.members = [member for _, member in kept]


def _first(pair: tuple[int, Hashable]) -> int:
    return pair[0]
