"""Sets: one ``Set`` class whose ``encoding`` is ``intset``, ``listpack`` or ``hashtable``.

The encoding follows Valkey 8.0.1's rules under the three thresholds of ``SetLimits``
(``set-max-intset-entries``, ``set-max-listpack-entries``, ``set-max-listpack-value``),
read by the commands at the time of each call:

* ``create(first, hint)``: an intset when the first member is a 64-bit integer and
  the hint (how many members are about to be added) is at most the intset limit,
  else a listpack when the hint is at most the listpack entry limit, else a hashtable.
* ``maybe_convert(hint)`` before a batch of additions: a listpack (intset) whose
  limit the hint exceeds becomes a hashtable at once, whatever the batch holds.
* ``add``: an intset given a non-integer becomes a listpack when that keeps within
  the listpack limits (entries, the length of the new member and of the longest
  integer already held), else a hashtable; an intset past its entry limit (itself
  capped at 2**30) becomes a hashtable; a listpack given a member that would pass
  either listpack limit becomes a hashtable.
* ``to_intset_if_fits``: a set known to hold only integers, within the intset limit,
  becomes an intset (SINTERSTORE's last step).
* Nothing ever converts a hashtable back to a smaller encoding in place, except
  ``replace_with`` (SPOP's rewrite of a set with few members left).

Storage, per encoding (members are ``bytes``; an intset member is the canonical
decimal text of its integer, exactly what string2ll accepts):

* intset: ``_ints``, the integers sorted ascending (iteration is numeric order);
* listpack: ``_lp``, a dict in insertion order (iteration is that order; a removal
  keeps the order of the others);
* hashtable: ``_items`` (a list) and ``_pos`` (member -> index in ``_items``), so that
  membership, addition, removal (the last item moves into the hole) and a random
  pick are all O(1). The iteration order is ``_items``' order: arbitrary, as
  Valkey's is.

Invariants: exactly the storage of the current encoding is in use (the others are
empty); ``scan_order`` is ``None`` unless the set is a hashtable that a cursor has
walked, and is told of every member added while it exists; conversions and copies
drop it. No RESP, no asyncio, no imports of command modules.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from .collscan import ScanOrder
from .types import TypeSpec, register

INTSET = "intset"
LISTPACK = "listpack"
HASHTABLE = "hashtable"

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
# Valkey caps the intset entry limit whatever the setting says.
_INTSET_HARD_MAX = 1 << 30
# A listpack never grows past this many bytes (Valkey's lpSafeToAdd).
_LISTPACK_MAX_SAFETY_SIZE = 1 << 30
_LP_HEADER = 6
_LP_END = 1


class SetLimits(NamedTuple):
    """The encoding thresholds in force for one command."""

    intset_entries: int
    listpack_entries: int
    listpack_value: int


def as_int64(member: bytes) -> int | None:
    """The integer ``member`` spells in Valkey's strict form (string2ll), else ``None``."""
    if not member or len(member) > 20:
        return None
    body = member[1:] if member[0] == 0x2D else member
    if not body.isdigit() or (body[0] == 0x30 and (len(body) > 1 or member[0] == 0x2D)):
        return None
    value = int(member)
    if value < _INT64_MIN or value > _INT64_MAX:
        return None
    return value


def intset_max_entries(limits: SetLimits) -> int:
    return min(limits.intset_entries, _INTSET_HARD_MAX)


# -- listpack sizes (for the safety limit and MEMORY USAGE) ------------------------------


def _backlen_size(length: int) -> int:
    if length <= 127:
        return 1
    if length < 16383:
        return 2
    if length < 2097151:
        return 3
    if length < 268435455:
        return 4
    return 5


def _int_encoding_size(value: int) -> int:
    if 0 <= value <= 127:
        return 1
    if -4096 <= value <= 4095:
        return 2
    if -32768 <= value <= 32767:
        return 3
    if -8388608 <= value <= 8388607:
        return 4
    if -2147483648 <= value <= 2147483647:
        return 5
    return 9


def _int_entry_size(value: int) -> int:
    size = _int_encoding_size(value)
    return size + _backlen_size(size)


def listpack_entry_size(member: bytes) -> int:
    """Bytes one member takes in a listpack (integers are stored as integers)."""
    value = as_int64(member)
    if value is not None:
        return _int_entry_size(value)
    length = len(member)
    header = 1 if length < 64 else 2 if length < 4096 else 5
    return header + length + _backlen_size(header + length)


def _repeated_int_estimate(value: int, count: int) -> int:
    """Valkey's lpEstimateBytesRepeatedInteger: a listpack of ``count`` copies of ``value``."""
    return _LP_HEADER + _int_entry_size(value) * count + _LP_END


def _int_width(value: int) -> int:
    if -32768 <= value <= 32767:
        return 2
    if -2147483648 <= value <= 2147483647:
        return 4
    return 8


class Set:
    """A set value; see the module docstring for its encodings and storage."""

    __slots__ = ("encoding", "_ints", "_lp", "_items", "_pos", "scan_order")

    def __init__(self, encoding: str = INTSET) -> None:
        self.encoding = encoding
        self._ints: list[int] = []
        self._lp: dict[bytes, None] = {}
        self._items: list[bytes] = []
        self._pos: dict[bytes, int] = {}
        self.scan_order: ScanOrder | None = None

    # -- creation --------------------------------------------------------------------

    @classmethod
    def create(cls, first: bytes, size_hint: int, limits: SetLimits) -> Set:
        """An empty set of the encoding Valkey's setTypeCreate picks for ``first``."""
        if size_hint <= limits.intset_entries and as_int64(first) is not None:
            return cls(INTSET)
        if size_hint <= limits.listpack_entries:
            return cls(LISTPACK)
        return cls(HASHTABLE)

    def maybe_convert(self, size_hint: int, limits: SetLimits) -> None:
        """Before adding ``size_hint`` members: go to a hashtable if they cannot fit."""
        encoding = self.encoding
        if (encoding == LISTPACK and size_hint > limits.listpack_entries) or (
            encoding == INTSET and size_hint > limits.intset_entries
        ):
            self._convert(HASHTABLE)

    # -- reading ---------------------------------------------------------------------

    def __len__(self) -> int:
        encoding = self.encoding
        if encoding == HASHTABLE:
            return len(self._items)
        if encoding == LISTPACK:
            return len(self._lp)
        return len(self._ints)

    def __contains__(self, member: object) -> bool:
        encoding = self.encoding
        if encoding == HASHTABLE:
            return member in self._pos
        if encoding == LISTPACK:
            return member in self._lp
        if type(member) is not bytes:
            return False
        value = as_int64(member)
        if value is None:
            return False
        ints = self._ints
        index = bisect_left(ints, value)
        return index < len(ints) and ints[index] == value

    def __iter__(self) -> Iterator[bytes]:
        """The members in the encoding's order (intset: numeric; listpack: insertion)."""
        encoding = self.encoding
        if encoding == HASHTABLE:
            return iter(self._items)
        if encoding == LISTPACK:
            return iter(self._lp)
        return (b"%d" % value for value in self._ints)

    def members(self) -> list[bytes]:
        encoding = self.encoding
        if encoding == HASHTABLE:
            return list(self._items)
        if encoding == LISTPACK:
            return list(self._lp)
        return [b"%d" % value for value in self._ints]

    def all_integers(self) -> bool:
        if self.encoding == INTSET:
            return True
        return all(as_int64(member) is not None for member in self)

    # -- writing ---------------------------------------------------------------------

    def add(self, member: bytes, limits: SetLimits) -> bool:
        """Add ``member`` (converting as Valkey's setTypeAdd does); False if present."""
        encoding = self.encoding
        if encoding == HASHTABLE:
            return self._ht_add(member)
        if encoding == LISTPACK:
            lp = self._lp
            if member in lp:
                return False
            if (
                len(lp) < limits.listpack_entries
                and len(member) <= limits.listpack_value
                and self._listpack_can_take(len(member), limits)
            ):
                lp[member] = None
            else:
                self._convert(HASHTABLE)
                self._ht_add(member)
            return True
        value = as_int64(member)
        if value is not None:
            ints = self._ints
            index = bisect_left(ints, value)
            if index < len(ints) and ints[index] == value:
                return False
            ints.insert(index, value)
            if len(ints) > intset_max_entries(limits):
                self._convert(HASHTABLE)
            return True
        if self._intset_fits_listpack(len(member), limits):
            self._convert(LISTPACK)
            self._lp[member] = None
        else:
            self._convert(HASHTABLE)
            self._ht_add(member)
        return True

    def remove(self, member: bytes) -> bool:
        """Remove ``member``; False if it was not there. Never converts."""
        encoding = self.encoding
        if encoding == HASHTABLE:
            return self._ht_remove(member)
        if encoding == LISTPACK:
            lp = self._lp
            if member in lp:
                del lp[member]
                return True
            return False
        value = as_int64(member)
        if value is None:
            return False
        ints = self._ints
        index = bisect_left(ints, value)
        if index < len(ints) and ints[index] == value:
            del ints[index]
            return True
        return False

    def remove_all(self, members: Iterable[bytes]) -> None:
        """Remove members known to be present (a batch, as lpBatchDelete)."""
        if self.encoding == LISTPACK:
            gone = set(members)
            self._lp = {member: None for member in self._lp if member not in gone}
            return
        for member in members:
            self.remove(member)

    def to_intset_if_fits(self, limits: SetLimits) -> None:
        """A set holding only integers becomes an intset if the intset limit allows."""
        if self.encoding == INTSET or len(self) > intset_max_entries(limits):
            return
        self._convert(INTSET)

    def replace_with(self, other: Set) -> None:
        """Take ``other``'s members and encoding (``other`` must not be used afterwards)."""
        self.encoding = other.encoding
        self._ints = other._ints
        self._lp = other._lp
        self._items = other._items
        self._pos = other._pos
        self.scan_order = None

    # -- random members --------------------------------------------------------------

    def random_member(self) -> bytes:
        """A uniformly chosen member of a non-empty set."""
        encoding = self.encoding
        if encoding == HASHTABLE:
            items = self._items
            return items[random.randrange(len(items))]
        if encoding == LISTPACK:
            lp = self._lp
            return next(islice(lp, random.randrange(len(lp)), None))
        ints = self._ints
        return b"%d" % ints[random.randrange(len(ints))]

    def random_members(self, count: int) -> list[bytes]:
        """``count`` members drawn independently (repeats allowed), in random order."""
        encoding = self.encoding
        if encoding == HASHTABLE:
            return random.choices(self._items, k=count)
        if encoding == LISTPACK:
            return random.choices(list(self._lp), k=count)
        return [b"%d" % value for value in random.choices(self._ints, k=count)]

    def ordered_sample(self, count: int) -> list[bytes]:
        """``count`` distinct members, uniformly chosen, in the set's own order
        (Valkey's one pass over a listpack, lpNextRandom)."""
        members = self.members()
        picked = sorted(random.sample(range(len(members)), count))
        return [members[index] for index in picked]

    def distinct_sample(self, count: int) -> list[bytes]:
        """``count`` distinct members, uniformly chosen, in random order."""
        encoding = self.encoding
        if encoding == HASHTABLE:
            return random.sample(self._items, count)
        if encoding == LISTPACK:
            return random.sample(list(self._lp), count)
        return [b"%d" % value for value in random.sample(self._ints, count)]

    def pop_random(self) -> bytes:
        """Remove and return a uniformly chosen member of a non-empty set."""
        member = self.random_member()
        self.remove(member)
        return member

    # -- cursors -------------------------------------------------------------------------

    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """One SSCAN step over a hashtable: up to ``count`` members after ``cursor``."""
        order = self.scan_order
        if order is None:
            order = self.scan_order = ScanOrder(self._items)
        pos = self._pos
        next_cursor, found = order.scan(cursor, count, pos.__contains__, len(pos))
        return next_cursor, found  # type: ignore[return-value]

    # -- copies and snapshots --------------------------------------------------------

    def copy(self) -> Set:
        clone = Set(self.encoding)
        clone._ints = list(self._ints)
        clone._lp = dict(self._lp)
        clone._items = list(self._items)
        clone._pos = dict(self._pos)
        return clone

    def state(self) -> tuple[str, tuple[bytes, ...]]:
        return self.encoding, tuple(self)

    # -- internals -----------------------------------------------------------------------

    def _ht_add(self, member: bytes) -> bool:
        pos = self._pos
        if member in pos:
            return False
        pos[member] = len(self._items)
        self._items.append(member)
        if self.scan_order is not None:
            self.scan_order.add(member)
        return True

    def _ht_remove(self, member: bytes) -> bool:
        pos = self._pos
        index = pos.pop(member, None)
        if index is None:
            return False
        items = self._items
        last = items.pop()
        if index < len(items):
            items[index] = last
            pos[last] = index
        return True

    def _listpack_can_take(self, length: int, limits: SetLimits) -> bool:
        """lpSafeToAdd: the listpack stays under its byte limit with ``length`` more."""
        lp = self._lp
        bound = _LP_HEADER + _LP_END + (len(lp) + 1) * (limits.listpack_value + 10)
        if bound <= _LISTPACK_MAX_SAFETY_SIZE:
            return True
        total = _LP_HEADER + _LP_END + sum(listpack_entry_size(member) for member in lp)
        return total + length <= _LISTPACK_MAX_SAFETY_SIZE

    def _intset_fits_listpack(self, length: int, limits: SetLimits) -> bool:
        """Whether an intset given a non-integer of ``length`` bytes may become a listpack."""
        ints = self._ints
        count = len(ints)
        longest = estimate = 0
        if count:
            low, high = ints[0], ints[-1]
            longest = max(len(b"%d" % low), len(b"%d" % high))
            estimate = max(
                _repeated_int_estimate(low, count), _repeated_int_estimate(high, count)
            )
        return (
            count < limits.listpack_entries
            and length <= limits.listpack_value
            and longest <= limits.listpack_value
            and estimate + length <= _LISTPACK_MAX_SAFETY_SIZE
        )

    def _convert(self, encoding: str) -> None:
        members = self.members()
        self._ints = []
        self._lp = {}
        self._items = []
        self._pos = {}
        self.scan_order = None
        self.encoding = encoding
        if encoding == HASHTABLE:
            self._items = members
            self._pos = {member: index for index, member in enumerate(members)}
        elif encoding == LISTPACK:
            self._lp = dict.fromkeys(members)
        else:
            values = [as_int64(member) for member in members]
            self._ints = sorted(value for value in values if value is not None)
            assert len(self._ints) == len(members), "only integers may go into an intset"


def set_memory(value: Set, samples: int) -> int:
    """MEMORY USAGE of a set, in the shape of Valkey's objectComputeSize.

    intset: the object and the intset blob (header and fixed-width integers);
    listpack: the object and the listpack bytes; hashtable: the object, the dict
    and its buckets, and the average of up to ``samples`` sampled members (entry and
    string) times the number of members.
    """
    robj = 16
    encoding = value.encoding
    if encoding == INTSET:
        ints = value._ints
        width = max((_int_width(ints[0]), _int_width(ints[-1])), default=2)
        return robj + 8 + width * len(ints)
    if encoding == LISTPACK:
        return robj + _LP_HEADER + _LP_END + sum(listpack_entry_size(m) for m in value._lp)
    size = len(value)
    buckets = 4
    while buckets < size:
        buckets *= 2
    total = robj + 56 + 8 * buckets
    sampled = value._items if samples <= 0 else value._items[:samples]
    if sampled:
        per_member = sum(24 + _sds_size(member) for member in sampled) / len(sampled)
        total += int(per_member * size)
    return total


def _sds_size(member: bytes) -> int:
    length = len(member)
    header = 1 if length < 32 else 3 if length < 256 else 5 if length < 65536 else 9
    return header + length + 1


register(
    TypeSpec(
        kind=Set,
        name="set",
        encoding=lambda value: value.encoding,
        memory=set_memory,
        copy=Set.copy,
        state=Set.state,
    )
)
