"""Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP (BITFIELD is in ``bitfield``).

Invariants:
* A bitmap is a string value (``bytes``); a write stores a new object, ``raw``
  encoded, grown with zeros as Valkey's sdsgrowzero grows it (``engine.strings``).
  SETBIT and BITFIELD writes turn an existing value raw even when no bit changes
  (Valkey unshares the value first); the key is then not touched and no event is
  published. BITOP's destination is a fresh raw string, or deleted when every source
  is empty or missing.
* Arguments are checked in Valkey's order before anything changes: offsets (limited
  to proto-max-bulk-len bytes), values, then WRONGTYPE. BITFIELD parses every
  operation before the first one runs.
* Reads (GETBIT, BITCOUNT, BITPOS, BITOP's sources, a BITFIELD of GETs only) count
  keyspace hits and misses; the write lookups of SETBIT and BITFIELD do not.
* Events: ``setbit`` (SETBIT, BITFIELD when a write changed something), ``set`` / ``del``
  (BITOP's destination).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..engine import bitmaps
from ..engine.strings import forget, mark_raw, raw_sds, sds_grow, sds_new
from ..errors import SYNTAX, WRONGTYPE, CommandError
from .args import option, parse_int, parse_int_or_none
from .keys import lookup_read, lookup_read_typed
from .strings import store_raw, unshared_sds
from .table import BeginIndex, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

BIT_OFFSET_INVALID = "ERR bit offset is not an integer or out of range"
BIT_VALUE_INVALID = "ERR bit is not an integer or out of range"
BITPOS_BIT_INVALID = "ERR The bit argument must be 1 or 0."
BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key."


def _wrap64(value: int) -> int:
    value &= 2**64 - 1
    return value - 2**64 if value >> 63 else value


def parse_bit_offset(client: Client, raw: bytes, bits: int = 0) -> int:
    """A bit offset (``#n`` means ``n * bits`` when ``bits`` is given), below
    proto-max-bulk-len bytes; the product wraps at 64 bits as Valkey's does."""
    use_hash = bits > 0 and raw[:1] == b"#"
    offset = parse_int_or_none(raw[1:] if use_hash else raw)
    if offset is None:
        raise CommandError(BIT_OFFSET_INVALID)
    if use_hash:
        offset = _wrap64(offset * bits)
    if offset < 0 or (offset >> 3) >= client.core.config.get_int("proto-max-bulk-len"):
        raise CommandError(BIT_OFFSET_INVALID)
    return offset


class Grown:
    """A string value opened for bit writes (Valkey's lookupStringForBitCommand): the
    key's old value, a writable copy grown to cover a byte, and its sds."""

    __slots__ = ("existed", "data", "sds", "grew")

    def __init__(self, old: bytes | None, last_byte: int) -> None:
        size = last_byte + 1
        self.existed = old is not None
        if old is None:
            self.data = bytearray(size)
            self.sds = sds_new(size)
            self.grew = True
        else:
            self.data = bytearray(old)
            self.sds = unshared_sds(old)
            self.grew = size > len(old)
            if self.grew:
                self.sds = sds_grow(len(old), self.sds, size - len(old))
                self.data.extend(bytes(size - len(old)))


def store_grown(client: Client, key: bytes, grown: Grown, old: bytes | None, changed: bool) -> None:
    """Store a bit write's result: touched when ``changed``. Otherwise a new key is
    still created, and an existing value that grew or was not raw is replaced
    silently: Valkey grows and unshares the value before it knows whether a bit
    changes, without signalling the key or publishing an event."""
    if changed or not grown.existed:
        store_raw(client, key, grown.existed, bytes(grown.data), grown.sds)
    elif old is not None and (grown.grew or raw_sds(old) is None):
        # The key exists, so replacing its value leaves the keyspace's indexes as they are.
        client.db.data[key] = mark_raw(bytes(grown.data), grown.sds)


@command(
    "setbit",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.2.0",
    acl="@bitmap",
    key_flags="RW access update",
    summary="Sets or clears one bit of the string at a key and answers its old value.",
)
def setbit(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    offset = parse_bit_offset(client, argv[2])
    on = parse_int(argv[3], BIT_VALUE_INVALID)
    if on not in (0, 1):
        raise CommandError(BIT_VALUE_INVALID)
    db = client.db
    old = db.lookup_typed(key, bytes)
    grown = Grown(old, offset >> 3)
    byte, mask = offset >> 3, 0x80 >> (offset & 7)
    previous = 1 if grown.data[byte] & mask else 0
    changed = grown.grew or previous != on
    if changed:
        grown.data[byte] = grown.data[byte] | mask if on else grown.data[byte] & ~mask
    store_grown(client, key, grown, old, changed)
    if old is not None:
        forget(old)
    if changed:
        db.notify(events.STRING, "setbit", key)
    else:
        client.core.count_changes(0)
    return previous


@command(
    "getbit",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.2.0",
    acl="@bitmap",
    key_flags="RO access",
    summary="Answers one bit of the string at a key (0 past its end).",
)
def getbit(client: Client, argv: list[bytes]) -> Any:
    offset = parse_bit_offset(client, argv[2])
    value = lookup_read_typed(client, argv[1], bytes)
    if value is None or offset >> 3 >= len(value):
        return 0
    return 1 if value[offset >> 3] & (0x80 >> (offset & 7)) else 0


def _unit(raw: bytes) -> bool:
    """BYTE or BIT: True for BIT."""
    name = option(raw)
    if name == b"bit":
        return True
    if name == b"byte":
        return False
    raise CommandError(SYNTAX)


@command(
    "bitcount",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.6.0",
    acl="@bitmap",
    key_flags="RO access",
    summary="Counts the set bits of a string, or of a range of its bytes or bits.",
    complexity="O(N)",
)
def bitcount(client: Client, argv: list[bytes]) -> Any:
    argc = len(argv)
    if argc > 5:
        raise CommandError(SYNTAX)
    start = end = 0
    in_bits = False
    if argc >= 3:
        start = parse_int(argv[2])
        if argc == 5:
            in_bits = _unit(argv[4])
        if argc >= 4:
            end = parse_int(argv[3])
    value = lookup_read_typed(client, argv[1], bytes)
    data = b"" if value is None else value
    if argc < 3:
        start, end = 0, len(data) - 1
    elif argc < 4:
        end = len(data) - 1
    if start < 0 and end < 0 and start > end:
        return 0
    if value is None:
        return 0
    total = len(data) * 8 if in_bits else len(data)
    start, end = bitmaps.clamp_range(start, end, total)
    if not in_bits:
        start, end = start * 8, end * 8 + 7
    return bitmaps.count_bits(data, start, end)


@command(
    "bitpos",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="bitmap",
    since="2.8.7",
    acl="@bitmap",
    key_flags="RO access",
    summary="Finds the first set or clear bit of a string, or of a range of it.",
    complexity="O(N)",
)
def bitpos(client: Client, argv: list[bytes]) -> Any:
    argc = len(argv)
    bit = parse_int(argv[2])
    if bit not in (0, 1):
        raise CommandError(BITPOS_BIT_INVALID)
    if argc > 6:
        raise CommandError(SYNTAX)
    start = end = 0
    in_bits = end_given = False
    if argc >= 4:
        start = parse_int(argv[3])
        if argc == 6:
            in_bits = _unit(argv[5])
        if argc >= 5:
            end = parse_int(argv[4])
            end_given = True
    value = lookup_read_typed(client, argv[1], bytes)
    if value is None:
        return -1 if bit else 0
    if not end_given:
        end = len(value) - 1
        if argc == 3:
            start = 0
    total = len(value) * 8 if in_bits else len(value)
    start, end = bitmaps.clamp_range(start, end, total)
    if start > end:
        return -1
    if not in_bits:
        start, end = start * 8, end * 8 + 7
    position = bitmaps.first_bit(value, bit, start, end)
    if position < 0 and bit == 0 and not end_given:
        return end + 1  # no clear bit: the string reads as zeros past its end
    return position


@command(
    "bitop",
    -4,
    "write denyoom",
    keys=(2, -1, 1),
    group="bitmap",
    since="2.6.0",
    acl="@bitmap",
    summary="Combines strings bit by bit (AND, OR, XOR, NOT) into a destination key.",
    complexity="O(N)",
    key_specs=(
        key_spec("OW update", BeginIndex(2), FindRange(0)),
        key_spec("RO access", BeginIndex(3), FindRange(-1)),
    ),
)
def bitop(client: Client, argv: list[bytes]) -> Any:
    op = option(argv[1])
    if op not in (b"and", b"or", b"xor", b"not"):
        raise CommandError(SYNTAX)
    if op == b"not" and len(argv) != 4:
        raise CommandError(BITOP_NOT_ONE_KEY)
    sources: list[bytes] = []
    for key in argv[3:]:
        value = lookup_read(client, key)
        if value is not None and type(value) is not bytes:
            raise CommandError(WRONGTYPE)
        sources.append(b"" if value is None else value)
    target = argv[2]
    db = client.db
    length = max(len(source) for source in sources)
    if length:
        result = bitmaps.bit_operation(op.decode(), sources)
        db.set(target, mark_raw(result, sds_new(length)))
        db.notify(events.STRING, "set", target)
    elif db.delete(target):
        db.notify(events.GENERIC, "del", target)
    return length
