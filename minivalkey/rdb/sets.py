"""Sets in RDB: an intset (RDB type 11), a listpack of members (type 20) or the
count and each member as a string (type 2), after the set's encoding.

Loading follows Valkey 8.0.1's rdbLoadObject under the thresholds in force:
* type 2: more members than ``set-max-intset-entries`` (capped at 2**30) makes a
  hashtable at once; else an intset while the members are integers, then at the
  first other member a listpack if the members so far stay within the listpack
  limits (count, longest member, total size), else a hashtable; a listpack member
  that passes a limit makes a hashtable;
* type 11: an intset, a hashtable beyond ``set-max-intset-entries``;
* type 20: a listpack, a hashtable beyond ``set-max-listpack-entries``.
A duplicate member or an empty set is refused in every case.

The intset is written at the narrowest width holding the set's smallest and
largest member (Valkey keeps the widest width it ever needed, which a set no
longer remembers here; any width reads back the same).
"""

from __future__ import annotations

from ..engine.sets import HASHTABLE, INTSET, LISTPACK, Set, SetLimits, as_int64
from . import listpack
from .io import RdbError, Reader, Writer
from .registry import TYPE_SET, TYPE_SET_INTSET, TYPE_SET_LISTPACK, LoadContext, register
from .ziplist import build_intset, parse_intset

_INTSET_HARD_MAX = 1 << 30


def save_set(writer: Writer, value: Set) -> int:
    if value.encoding == INTSET:
        writer.string(build_intset([int(member) for member in value]))
        return TYPE_SET_INTSET
    if value.encoding == LISTPACK:
        writer.string(listpack.build(list(value)))
        return TYPE_SET_LISTPACK
    writer.length(len(value))
    for member in value:
        writer.string(member)
    return TYPE_SET


def _build(encoding: str, members: list[bytes]) -> Set:
    """A set of ``encoding`` holding ``members`` (distinct, checked here), in order."""
    longest = max((len(member) for member in members), default=0)
    # limits that let every member in without a conversion
    limits = SetLimits(len(members) + 1, len(members) + 1, longest)
    value = Set(encoding)
    for member in members:
        if not value.add(member, limits):
            raise RdbError("duplicate set members")
    return value


def _load_members(reader: Reader, context: LoadContext) -> Set:
    count = reader.length()
    if not count:
        raise RdbError("empty set")
    intset_max = min(context.limit("set-max-intset-entries"), _INTSET_HARD_MAX)
    listpack_entries = context.limit("set-max-listpack-entries")
    listpack_value = context.limit("set-max-listpack-value")
    encoding = HASHTABLE if count > intset_max else INTSET
    members: list[bytes] = []
    longest = total = 0
    size = listpack.EMPTY_SIZE
    for _ in range(count):
        member = reader.string()
        length = len(member)
        total += length
        longest = max(longest, length)
        if encoding == INTSET and as_int64(member) is None:
            if (
                len(members) < listpack_entries
                and longest <= listpack_value
                and total <= listpack.MAX_SAFETY_SIZE
            ):
                encoding = LISTPACK
                size = listpack.EMPTY_SIZE + sum(map(listpack.element_size, members))
            else:
                encoding = HASHTABLE
        if encoding == LISTPACK:
            if (
                len(members) < listpack_entries
                and length <= listpack_value
                and size + length <= listpack.MAX_SAFETY_SIZE
            ):
                size += listpack.element_size(member)
            else:
                encoding = HASHTABLE
        members.append(member)  # a duplicate is refused by _build
    return _build(encoding, members)


def load_set(reader: Reader, context: LoadContext, rdb_type: int) -> Set:
    if rdb_type == TYPE_SET:
        return _load_members(reader, context)
    blob = reader.string()
    if rdb_type == TYPE_SET_INTSET:
        values = parse_intset(blob)
        encoding = INTSET
        if len(values) > context.limit("set-max-intset-entries"):
            encoding = HASHTABLE
        return _build(encoding, [b"%d" % number for number in values])
    elements = listpack.parse(blob, context.deep)
    if not elements:
        raise RdbError("empty set")
    encoding = LISTPACK
    if len(elements) > context.limit("set-max-listpack-entries"):
        encoding = HASHTABLE
    return _build(encoding, [listpack.as_bytes(element) for element in elements])


register(
    Set,
    save_set,
    {TYPE_SET: load_set, TYPE_SET_INTSET: load_set, TYPE_SET_LISTPACK: load_set},
)
