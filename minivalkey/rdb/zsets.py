"""Sorted sets in RDB: a listpack of member, score, ... in order (RDB type 17) while
the set is a listpack, else the count and, from the highest to the lowest, each
member as a string and its score as a binary double (type 5, RDB_TYPE_ZSET_2).

A listpack score is written as Valkey's zzlInsertAt writes it: an integral score
within +-2**62 as an integer element, any other as its d2string text (so -0 is the
integer 0, and 1.5 the string "1.5").

Loading follows Valkey 8.0.1's rdbLoadObject under the thresholds in force:
* types 5 and 3 (scores as text, read as sscanf's %lg reads them): a skiplist that
  becomes a listpack when it has at most ``zset-max-listpack-entries`` members, none
  longer than ``zset-max-listpack-value``;
* types 17 (listpack) and 12 (ziplist): the packed pairs (a score that is text read
  as strtod reads it), a skiplist beyond ``zset-max-listpack-entries``.
A NaN score, a duplicate member, an odd element count or an empty set is refused in
every case, and so is a packed set out of order (valkey-server 8.0.1 keeps such a
set as it comes when not sanitizing, and an odd count crashes it; the engine cannot
hold them). A packed score in a spelling Valkey never writes (``" 17x"``) loads as
strtod reads it; DUMP then writes it canonically, where Valkey would give back the
listpack's bytes as they came.

Score texts are Valkey's d2string, which ``resp.format_double`` implements (the
one copy of it; nothing of RESP itself is used here).
"""

from __future__ import annotations

import re

from ..engine.zsets import LISTPACK, SKIPLIST, ZSet
from ..resp import format_double
from . import listpack
from .io import RdbError, Reader, Writer
from .registry import (
    TYPE_ZSET,
    TYPE_ZSET_2,
    TYPE_ZSET_LISTPACK,
    TYPE_ZSET_ZIPLIST,
    LoadContext,
    register,
)
from .ziplist import parse_ziplist

_LLONG_MAX_HALF = float(2**62)
_C_DOUBLE = re.compile(
    rb"[ \t\n\v\f\r]*[+-]?(?:inf(?:inity)?|nan(?:\([0-9a-z_]*\))?"
    rb"|0x(?:[0-9a-f]+(?:\.[0-9a-f]*)?|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?"
    rb"|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?)",
    re.IGNORECASE,
)


def c_strtod(data: bytes) -> float | None:
    """C's strtod of ``data`` (up to a NUL): the longest number it starts with, or
    ``None`` when it starts with none."""
    text = data.split(b"\0", 1)[0]
    match = _C_DOUBLE.match(text)
    if match is None:
        return None
    number = match.group().strip().lower()
    sign = -1.0 if number.startswith(b"-") else 1.0
    body = number.lstrip(b"+-")
    if body.startswith(b"inf"):
        return sign * float("inf")
    if body.startswith(b"nan"):
        return float("nan")
    if body.startswith(b"0x"):
        return sign * float.fromhex(body.decode())
    return sign * float(body)


def _score_element(score: float) -> bytes | int:
    if -_LLONG_MAX_HALF <= score <= _LLONG_MAX_HALF and score.is_integer():
        return int(score)
    return format_double(score)


def save_zset(writer: Writer, value: ZSet) -> int:
    if value.encoding == LISTPACK:
        elements: list[bytes | int] = []
        for score, member in value:
            elements.append(member)
            elements.append(_score_element(score))
        writer.string(listpack.build(elements))
        return TYPE_ZSET_LISTPACK
    writer.length(len(value))
    for score, member in reversed(value):
        writer.string(member)
        writer.binary_double(score)
    return TYPE_ZSET_2


def _text_double(reader: Reader) -> float:
    """rdbLoadDoubleValue: a length byte (253 nan, 254 inf, 255 -inf) and the text."""
    size = reader.byte()
    if size == 253:
        return float("nan")
    if size == 254:
        return float("inf")
    if size == 255:
        return float("-inf")
    score = c_strtod(reader.read(size))
    if score is None:
        raise RdbError("invalid double")
    return score


def _load_skiplist(reader: Reader, context: LoadContext, rdb_type: int) -> ZSet:
    count = reader.length()
    if not count:
        raise RdbError("empty sorted set")
    scores: dict[bytes, float] = {}
    longest = total = 0
    for _ in range(count):
        member = reader.string()
        score = reader.binary_double() if rdb_type == TYPE_ZSET_2 else _text_double(reader)
        if score != score:
            raise RdbError("sorted set with a NaN score")
        if member in scores:
            raise RdbError("duplicate sorted set members")
        scores[member] = score
        longest = max(longest, len(member))
        total += len(member)
    encoding = SKIPLIST
    if (
        count <= context.limit("zset-max-listpack-entries")
        and longest <= context.limit("zset-max-listpack-value")
        and total <= listpack.MAX_SAFETY_SIZE
    ):
        encoding = LISTPACK
    keys = sorted((score, member) for member, score in scores.items())
    return ZSet.from_sorted(keys, encoding)


def _packed_score(element: bytes | int) -> float:
    if isinstance(element, int):
        return float(element)
    score = c_strtod(element)
    return 0.0 if score is None else score  # zzlStrtod reads garbage as 0


def _load_packed(elements: list[bytes | int], context: LoadContext) -> ZSet:
    if not elements:
        raise RdbError("empty sorted set")
    if len(elements) % 2:
        raise RdbError("sorted set listpack with an odd number of elements")
    keys: list[tuple[float, bytes]] = []
    seen: set[bytes] = set()
    for index in range(0, len(elements), 2):
        member = listpack.as_bytes(elements[index])
        score = _packed_score(elements[index + 1])
        if score != score:
            raise RdbError("sorted set with a NaN score")
        if member in seen:
            raise RdbError("duplicate sorted set members")
        seen.add(member)
        key = (score, member)
        if keys and key < keys[-1]:
            raise RdbError("sorted set listpack out of order")
        keys.append(key)
    encoding = LISTPACK
    if len(keys) > context.limit("zset-max-listpack-entries"):
        encoding = SKIPLIST
    return ZSet.from_sorted(keys, encoding)


def load_zset(reader: Reader, context: LoadContext, rdb_type: int) -> ZSet:
    if rdb_type in (TYPE_ZSET_2, TYPE_ZSET):
        return _load_skiplist(reader, context, rdb_type)
    blob = reader.string()
    if rdb_type == TYPE_ZSET_LISTPACK:
        return _load_packed(listpack.parse(blob, context.deep), context)
    return _load_packed(parse_ziplist(blob), context)


register(
    ZSet,
    save_zset,
    {
        TYPE_ZSET: load_zset,
        TYPE_ZSET_2: load_zset,
        TYPE_ZSET_LISTPACK: load_zset,
        TYPE_ZSET_ZIPLIST: load_zset,
    },
)
