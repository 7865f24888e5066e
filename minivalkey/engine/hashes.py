"""Hashes: a dict of field -> value (``bytes``) with Valkey's two encodings.

Invariants:
* ``Hash.fields`` maps every field to its value, both ``bytes``; a stored hash is
  never empty (the command that removes its last field deletes the key).
* ``encoding`` is ``"listpack"`` or ``"hashtable"``; the class never changes. A
  listpack hash becomes a hashtable, never back, exactly where Valkey converts it:
  before a write whose arguments hold more pairs than ``hash-max-listpack-entries``
  or a field or value longer than ``hash-max-listpack-value`` (``prepare``, Valkey's
  hashTypeTryConversion), before storing a field or value over the length limit
  (``put``: HINCRBY, HINCRBYFLOAT), and after a new field takes the length past
  the entry limit.
* The dict's order is the listpack's: new fields at the tail, a replaced value in
  place, a removed field closes its gap; HGETALL, HKEYS, HVALS, HSCAN and
  HRANDFIELD walk it in that order. A hashtable keeps the order too (Valkey's is
  its hash order, which clients cannot rely on).
* ``scan_order`` (hashtable only, created by the first HSCAN with a cursor) is
  told of every new field; ``_picks`` (hashtable only, created by the first random
  pick) lists every field exactly once, plus removed fields also in ``_gone``, and
  is compacted when those outnumber the live ones. Conversions and copies drop both.
* ``buckets`` follows the size of Valkey's dict for a hashtable (powers of two,
  grown at a 1:1 fill, shrunk at 1:8), for MEMORY USAGE only.

No RESP, no asyncio, no imports of command modules.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from .collscan import ScanOrder
from .strings import is_integer_text
from .types import TypeSpec, register

LISTPACK = "listpack"
HASHTABLE = "hashtable"

_MIN_BUCKETS = 4  # Valkey's DICT_HT_INITIAL_SIZE
_PICK_SLACK = 64


def _buckets_for(size: int) -> int:
    """Valkey's _dictNextExp: the least power of two holding ``size`` (at least 4)."""
    if size <= _MIN_BUCKETS:
        return _MIN_BUCKETS
    return 1 << (size - 1).bit_length()


class Hash:
    __slots__ = ("fields", "encoding", "scan_order", "buckets", "_picks", "_gone")

    def __init__(self) -> None:
        self.fields: dict[bytes, bytes] = {}
        self.encoding = LISTPACK
        self.scan_order: ScanOrder | None = None
        self.buckets = 0
        self._picks: list[bytes] | None = None
        self._gone: set[bytes] = set()

    def __len__(self) -> int:
        return len(self.fields)

    def get(self, field: bytes) -> bytes | None:
        return self.fields.get(field)

    # -- writes ------------------------------------------------------------------------

    def prepare(self, args: Sequence[bytes], max_entries: int, max_value: int) -> None:
        """Before writing the field/value pairs ``args`` (Valkey's hashTypeTryConversion):
        too many pairs, or any argument longer than ``max_value``, makes a hashtable."""
        if self.encoding != LISTPACK:
            return
        pairs = len(args) // 2
        if pairs > max_entries:
            self.convert()
            self._grow_to(pairs)
            return
        for arg in args:
            if len(arg) > max_value:
                self.convert()
                return

    def put(self, field: bytes, value: bytes, max_entries: int, max_value: int) -> bool:
        """Store ``field`` = ``value``; True when the field is new (Valkey's hashTypeSet)."""
        fields = self.fields
        if self.encoding == LISTPACK:
            if len(field) > max_value or len(value) > max_value:
                self.convert()
            else:
                created = field not in fields
                fields[field] = value
                if len(fields) > max_entries:  # also after an update, the limit lowered
                    self.convert()
                return created
        size = len(fields)
        if size >= self.buckets:
            self.buckets = _buckets_for(size + 1)
        created = field not in fields
        fields[field] = value
        if created:
            if self.scan_order is not None:
                self.scan_order.add(field)
            if self._picks is not None:
                if field in self._gone:
                    self._gone.discard(field)
                else:
                    self._picks.append(field)
        return created

    def remove(self, field: bytes) -> bool:
        """Delete ``field``; True when it was there."""
        fields = self.fields
        if field not in fields:
            return False
        del fields[field]
        if self.encoding == HASHTABLE:
            if self._picks is not None:
                self._gone.add(field)
            size = len(fields)
            if self.buckets > _MIN_BUCKETS and size * 8 <= self.buckets:
                self.buckets = _buckets_for(size)
        return True

    def convert(self) -> None:
        """listpack -> hashtable (the dict is sized for the fields it holds)."""
        if self.encoding == HASHTABLE:
            return
        self.encoding = HASHTABLE
        self.buckets = _buckets_for(len(self.fields))

    def _grow_to(self, size: int) -> None:
        # dictExpand: a table already large enough stays as it is.
        if size >= len(self.fields):
            self.buckets = max(self.buckets, _buckets_for(size))

    # -- random fields -----------------------------------------------------------------

    def random_field(self, rng: random.Random) -> bytes:
        """One field drawn uniformly (the hash is not empty)."""
        if self.encoding == LISTPACK:
            fields = self.fields
            index = rng.randrange(len(fields))
            for position, field in enumerate(fields):
                if position == index:
                    return field
        return self._pick(rng)

    def random_fields(self, count: int, rng: random.Random) -> list[bytes]:
        """``count`` fields drawn independently and uniformly (repetitions allowed)."""
        if self.encoding == LISTPACK:
            listed = list(self.fields)
            return [listed[rng.randrange(len(listed))] for _ in range(count)]
        return [self._pick(rng) for _ in range(count)]

    def sample_in_order(self, count: int, rng: random.Random) -> list[bytes]:
        """``count`` distinct fields (fewer than the hash holds), in the hash's order."""
        listed = list(self.fields)
        chosen = sorted(rng.sample(range(len(listed)), count))
        return [listed[index] for index in chosen]

    def sample_distinct(self, count: int, rng: random.Random) -> list[bytes]:
        """``count`` distinct fields in the order they were drawn (a hashtable much
        larger than ``count``: draw, and draw again on a repetition)."""
        seen: dict[bytes, None] = {}
        while len(seen) < count:
            seen.setdefault(self._pick(rng))
        return list(seen)

    def _pick(self, rng: random.Random) -> bytes:
        picks = self._picks
        gone = self._gone
        if picks is None or len(gone) > len(self.fields) + _PICK_SLACK:
            picks = self._picks = list(self.fields)
            gone.clear()
        while True:
            field = picks[rng.randrange(len(picks))]
            if field not in gone:
                return field

    # -- iteration, copies ------------------------------------------------------------------

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        return iter(self.fields.items())

    def cursor_order(self) -> ScanOrder:
        """The hashtable's HSCAN order (created on first use)."""
        if self.scan_order is None:
            self.scan_order = ScanOrder(self.fields)
        return self.scan_order

    def copy(self) -> Hash:
        clone = Hash()
        clone.fields = dict(self.fields)
        clone.encoding = self.encoding
        if self.encoding == HASHTABLE:  # hashTypeDup sizes the new dict for its fields
            clone.buckets = _buckets_for(len(self.fields))
        return clone

    def state(self) -> tuple[str, tuple[tuple[bytes, bytes], ...]]:
        return self.encoding, tuple(self.fields.items())

    def check_invariants(self) -> None:
        assert self.fields, "an empty hash is stored"
        assert self.encoding in (LISTPACK, HASHTABLE), f"encoding {self.encoding!r}"
        for field, value in self.fields.items():
            assert type(field) is bytes and type(value) is bytes, "a non-bytes field or value"
        if self._picks is not None:
            listed = [field for field in self._picks if field not in self._gone]
            assert sorted(listed) == sorted(self.fields), "random picks out of step"


# -- MEMORY USAGE -----------------------------------------------------------------------------

_ROBJ = 16
_DICT = 56
_DICT_ENTRY = 24
_POINTER = 8


def alloc_size(size: int) -> int:
    """The size class jemalloc serves ``size`` bytes from."""
    if size <= 8:
        return 8
    if size <= 128:
        return (size + 15) & ~15
    step = 1 << ((size - 1).bit_length() - 3)
    return (size + step - 1) & ~(step - 1)


def _sds_size(length: int) -> int:
    """sdsAllocSize of a string of ``length`` bytes made by sdsnewlen."""
    if 0 < length < 32:
        header = 1
    elif length <= 252:
        header = 3
    elif length <= 65530:
        header = 5
    elif length <= 2**32 - 10:
        header = 9
    else:
        header = 17
    return alloc_size(header + length + 1)


def _backlen_size(size: int) -> int:
    if size <= 127:
        return 1
    if size < 16383:
        return 2
    if size < 2097151:
        return 3
    if size < 268435455:
        return 4
    return 5


def _listpack_entry_size(item: bytes) -> int:
    """Bytes one element takes in a listpack: its encoding and its back length."""
    if len(item) <= 20 and is_integer_text(item):
        number = int(item)
        if 0 <= number <= 127:
            size = 1
        elif -4096 <= number <= 4095:
            size = 2
        elif -32768 <= number <= 32767:
            size = 3
        elif -8388608 <= number <= 8388607:
            size = 4
        elif -(2**31) <= number < 2**31:
            size = 5
        else:
            size = 9
    else:
        length = len(item)
        size = length + (1 if length < 64 else 2 if length < 4096 else 5)
    return size + _backlen_size(size)


def listpack_bytes(value: Hash) -> int:
    """The byte length of the listpack Valkey would hold for ``value``."""
    total = 6 + 1  # header and end marker
    for field, item in value.fields.items():
        total += _listpack_entry_size(field) + _listpack_entry_size(item)
    return total


def hash_memory(value: Hash, samples: int) -> int:
    """MEMORY USAGE of a hash, shaped like Valkey's objectComputeSize: the listpack's
    allocation, or the dict, its buckets and the average of up to ``samples`` entries
    (0: all) times the number of fields."""
    if value.encoding == LISTPACK:
        return _ROBJ + alloc_size(listpack_bytes(value))
    size = _ROBJ + _DICT + _POINTER * value.buckets
    limit = len(value.fields) if samples <= 0 else samples
    counted = total = 0
    for field, item in value.fields.items():
        if counted >= limit:
            break
        total += _sds_size(len(field)) + _sds_size(len(item)) + _DICT_ENTRY
        counted += 1
    if counted:
        size = int(size + total / counted * len(value.fields))
    return size


register(
    TypeSpec(
        kind=Hash,
        name="hash",
        encoding=lambda value: value.encoding,
        memory=hash_memory,
        copy=Hash.copy,
        state=Hash.state,
    )
)
