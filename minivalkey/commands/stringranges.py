"""String commands on parts of a value: APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE, LCS.

Invariants:
* Values stay immutable ``bytes``: APPEND and SETRANGE store a new object, ``raw``
  encoded with the sds buffer Valkey would have grown (``engine.strings``), except
  APPEND to a missing key, which stores its argument as SET would. SETRANGE with an
  empty value changes nothing (no new key, no encoding change, no event).
* Every check happens before a change: the offset, then WRONGTYPE, then the size
  limit (``proto-max-bulk-len``), as in Valkey.
* STRLEN, GETRANGE, SUBSTR and LCS read with keyspace hit/miss accounting; a missing
  key reads as the empty string.
* Events: ``append``, ``setrange``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.lcs import Table
from ..engine.strings import forget, raw_sds, sds_grow, sds_new
from ..errors import SYNTAX, CommandError
from ..replies import Map
from .args import option, parse_int
from .keys import lookup_read, lookup_read_typed
from .strings import check_length, store_raw, unshared_sds
from .table import command

if TYPE_CHECKING:
    from ..session import Client

OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
LCS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_LONG = "ERR String too long for LCS"
LCS_TABLE_TOO_BIG = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
_UINT32_MAX = 2**32 - 1


@command(
    "append",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="2.0.0",
    acl="@string",
    key_flags="RW insert",
    summary="Appends bytes to the string at a key, creating it when missing.",
    complexity="O(1). The amortized time complexity is O(1) assuming the appended value "
    "is small and the already present value is of any size, since the dynamic string "
    "library used by the server will double the free space available on every "
    "reallocation.",
)
def append(client: Client, argv: list[bytes]) -> Any:
    key, tail = argv[1], argv[2]
    db = client.db
    old = db.lookup_typed(key, bytes)
    if old is None:
        db.add(key, tail)
        total = len(tail)
    else:
        check_length(client, len(old), len(tail))
        sds = raw_sds(old)
        if sds is not None and not tail:
            db.touch(key)  # already raw and nothing to add: Valkey changes nothing
        else:
            sds = sds_grow(len(old), unshared_sds(old), len(tail))
            # A new object even for an empty tail: a value COPY shares keeps its encoding.
            store_raw(client, key, True, old + tail if tail else bytes(bytearray(old)), sds)
            forget(old)
        total = len(old) + len(tail)
    db.notify(events.STRING, "append", key)
    return total


@command(
    "strlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="string",
    since="2.2.0",
    acl="@string",
    key_flags="RO",
    summary="Answers the length in bytes of the string at a key.",
)
def strlen(client: Client, argv: list[bytes]) -> Any:
    value = lookup_read_typed(client, argv[1], bytes)
    return 0 if value is None else len(value)


_RANGE_COMPLEXITY = (
    "O(N) where N is the length of the returned string. The complexity is ultimately "
    "determined by the returned length, but because creating a substring from an "
    "existing string is very cheap, it can be considered O(1) for small strings."
)


def _getrange(client: Client, argv: list[bytes]) -> Any:
    start, end = parse_int(argv[2]), parse_int(argv[3])
    value = lookup_read_typed(client, argv[1], bytes)
    if value is None:
        return b""
    size = len(value)
    if start < 0 and end < 0 and start > end:
        return b""
    if start < 0:
        start += size
    if end < 0:
        end += size
    start, end = max(start, 0), max(end, 0)
    if end >= size:
        end = size - 1
    if start > end or size == 0:
        return b""
    return value[start : end + 1]


@command(
    "getrange",
    4,
    "readonly",
    keys=(1, 1, 1),
    group="string",
    since="2.4.0",
    acl="@string",
    key_flags="RO access",
    summary="Answers the bytes of a string between two offsets (inclusive).",
    complexity=_RANGE_COMPLEXITY,
)
def getrange(client: Client, argv: list[bytes]) -> Any:
    return _getrange(client, argv)


@command(
    "substr",
    4,
    "readonly",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RO access",
    summary="Answers the bytes of a string between two offsets (GETRANGE's old name).",
    complexity=_RANGE_COMPLEXITY,
)
def substr(client: Client, argv: list[bytes]) -> Any:
    return _getrange(client, argv)


@command(
    "setrange",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="2.2.0",
    acl="@string",
    key_flags="RW update",
    summary="Overwrites part of the string at a key from an offset, padding with zeros.",
    complexity="O(1), not counting the time taken to copy the new string in place. "
    "Usually, this string is very small so the amortized complexity is O(1). "
    "Otherwise, complexity is O(M) with M being the length of the value argument.",
)
def setrange(client: Client, argv: list[bytes]) -> Any:
    key, piece = argv[1], argv[3]
    offset = parse_int(argv[2])
    if offset < 0:
        raise CommandError(OFFSET_OUT_OF_RANGE)
    db = client.db
    old = db.lookup_typed(key, bytes)
    end = offset + len(piece)
    if old is None:
        if not piece:
            return 0
        check_length(client, offset, len(piece))
        store_raw(client, key, False, bytes(offset) + piece, sds_new(end))
    else:
        if not piece:
            return len(old)
        check_length(client, offset, len(piece))
        sds = unshared_sds(old)
        if end > len(old):
            sds = sds_grow(len(old), sds, end - len(old))
            value = old[:offset].ljust(offset, b"\0") + piece
        else:
            value = old[:offset] + piece + old[end:]
        end = len(value)
        store_raw(client, key, True, value, sds)
        forget(old)
    db.notify(events.STRING, "setrange", key)
    return end


# -- LCS -------------------------------------------------------------------------------


@command(
    "lcs",
    -3,
    "readonly",
    keys=(1, 2, 1),
    group="string",
    since="7.0.0",
    acl="@string",
    key_flags="RO access",
    summary="Finds the longest common subsequence of two strings, its length or its runs.",
    complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively",
)
def lcs(client: Client, argv: list[bytes]) -> Any:
    first = lookup_read(client, argv[1])
    second = lookup_read(client, argv[2])
    if (first is not None and type(first) is not bytes) or (
        second is not None and type(second) is not bytes
    ):
        raise CommandError(LCS_NOT_STRINGS)
    a = b"" if first is None else first
    b = b"" if second is None else second
    want_len = want_idx = with_len = False
    min_length = 0
    j, count = 3, len(argv)
    while j < count:
        name = option(argv[j])
        if name == b"idx":
            want_idx = True
        elif name == b"len":
            want_len = True
        elif name == b"withmatchlen":
            with_len = True
        elif name == b"minmatchlen" and j + 1 < count:
            min_length = max(parse_int(argv[j + 1]), 0)
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    if want_len and want_idx:
        raise CommandError(LCS_LEN_AND_IDX)
    if len(a) >= _UINT32_MAX - 1 or len(b) >= _UINT32_MAX - 1:
        raise CommandError(LCS_TOO_LONG)
    if (len(a) + 1) * (len(b) + 1) * 4 > client.core.config.get_int("proto-max-bulk-len"):
        raise CommandError(LCS_TABLE_TOO_BIG)
    table = Table(a, b)
    if want_len:
        return table.length()
    common, runs = table.walk(min_length)
    if not want_idx:
        return common
    matches: list[Any] = []
    for run in runs:
        entry: list[Any] = [[run.a_start, run.a_end], [run.b_start, run.b_end]]
        if with_len:
            entry.append(run.length)
        matches.append(entry)
    return Map({b"matches": matches, b"len": table.length()})
