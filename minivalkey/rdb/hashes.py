"""Hashes in RDB: a listpack of field, value, ... (RDB type 16) while the hash is a
listpack, else the count and each field and value as strings (RDB type 4).

Loading follows Valkey 8.0.1's rdbLoadObject under the thresholds in force:
* type 4: more pairs than ``hash-max-listpack-entries`` makes a hashtable at once;
  else a listpack that becomes a hashtable at the first field or value longer than
  ``hash-max-listpack-value`` (or one the listpack could not take);
* types 16 (listpack), 13 (ziplist) and 9 (zipmap): the packed pairs, converted to a
  hashtable when there are more than ``hash-max-listpack-entries`` of them (for a
  zipmap also when a field or value is longer than ``hash-max-listpack-value``).
A duplicate field, an odd element count or an empty hash is refused in every case
(Valkey refuses the first two only when sanitizing deeply, and cannot serve such a
hash correctly either).
"""

from __future__ import annotations

from ..engine.hashes import LISTPACK, Hash
from . import listpack
from .io import RdbError, Reader, Writer
from .registry import (
    TYPE_HASH,
    TYPE_HASH_LISTPACK,
    TYPE_HASH_ZIPLIST,
    TYPE_HASH_ZIPMAP,
    LoadContext,
    register,
)
from .ziplist import parse_ziplist, parse_zipmap

_NO_LIMIT = 2**64


def _dict_buckets(size: int) -> int:
    """The buckets of a Valkey dict expanded for ``size`` entries (_dictNextExp)."""
    return 4 if size <= 4 else 1 << (size - 1).bit_length()


def save_hash(writer: Writer, value: Hash) -> int:
    if value.encoding == LISTPACK:
        elements: list[bytes | int] = []
        for field, item in value.fields.items():
            elements.append(field)
            elements.append(item)
        writer.string(listpack.build(elements))
        return TYPE_HASH_LISTPACK
    writer.length(len(value.fields))
    for field, item in value.fields.items():
        writer.string(field)
        writer.string(item)
    return TYPE_HASH


def _add(value: Hash, field: bytes, item: bytes) -> None:
    if not value.put(field, item, _NO_LIMIT, _NO_LIMIT):
        raise RdbError("duplicate hash fields")


def _load_pairs(reader: Reader, context: LoadContext) -> Hash:
    count = reader.length()
    if not count:
        raise RdbError("empty hash")
    max_entries = context.limit("hash-max-listpack-entries")
    max_value = context.limit("hash-max-listpack-value")
    value = Hash()
    remaining = count
    if count > max_entries:
        value.convert()
        value.buckets = _dict_buckets(count)
    else:
        size = listpack.EMPTY_SIZE
        while remaining:
            remaining -= 1
            field = reader.string()
            item = reader.string()
            if (
                len(field) > max_value
                or len(item) > max_value
                or size + len(field) + len(item) > listpack.MAX_SAFETY_SIZE
            ):
                value.convert()
                _add(value, field, item)
                # dictTryExpand for the pairs still to come (it never shrinks below use)
                if remaining > 4 and len(value.fields) <= remaining:
                    value.buckets = _dict_buckets(remaining)
                break
            if field in value.fields:
                raise RdbError("duplicate hash fields")
            value.fields[field] = item
            size += listpack.element_size(field) + listpack.element_size(item)
    while remaining:
        remaining -= 1
        field = reader.string()
        item = reader.string()
        _add(value, field, item)
    return value


def _packed(pairs: list[bytes], context: LoadContext, too_long: bool = False) -> Hash:
    if not pairs:
        raise RdbError("empty hash")
    if len(pairs) % 2:
        raise RdbError("hash listpack with an odd number of elements")
    value = Hash()
    fields = value.fields
    for index in range(0, len(pairs), 2):
        field = pairs[index]
        if field in fields:
            raise RdbError("duplicate hash fields")
        fields[field] = pairs[index + 1]
    if len(fields) > context.limit("hash-max-listpack-entries") or too_long:
        value.convert()
    return value


def load_hash(reader: Reader, context: LoadContext, rdb_type: int) -> Hash:
    if rdb_type == TYPE_HASH:
        return _load_pairs(reader, context)
    blob = reader.string()
    if rdb_type == TYPE_HASH_LISTPACK:
        elements = listpack.parse(blob, context.deep)
        return _packed([listpack.as_bytes(element) for element in elements], context)
    if rdb_type == TYPE_HASH_ZIPLIST:
        entries = parse_ziplist(blob)
        return _packed([listpack.as_bytes(entry) for entry in entries], context)
    pairs = parse_zipmap(blob)
    flat: list[bytes] = []
    size = listpack.EMPTY_SIZE
    longest = 0
    for field, item in pairs:
        if size + len(field) + len(item) > listpack.MAX_SAFETY_SIZE:
            raise RdbError("zipmap too large for a listpack")
        size += listpack.element_size(field) + listpack.element_size(item)
        longest = max(longest, len(field), len(item))
        flat += (field, item)
    return _packed(flat, context, longest > context.limit("hash-max-listpack-value"))


register(
    Hash,
    save_hash,
    {
        TYPE_HASH: load_hash,
        TYPE_HASH_LISTPACK: load_hash,
        TYPE_HASH_ZIPLIST: load_hash,
        TYPE_HASH_ZIPMAP: load_hash,
    },
)
