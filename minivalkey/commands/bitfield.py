"""BITFIELD and BITFIELD_RO: integer fields of 1 to 64 bits (signed) or 1 to 63 bits
(unsigned) at any bit offset of a string.

Invariants:
* Every operation is parsed (subcommand, type, offset, value, in that order per
  operation, OVERFLOW as it comes) before the key is looked at; a failing argument
  changes nothing.
* Only GETs: a read lookup (hits/misses), a missing key reads as zeros. Any SET or
  INCRBY: BITFIELD_RO refuses; BITFIELD grows the string once, up to the last bit any
  write reaches (creating the key if needed), then runs the operations in order,
  each GET seeing the writes before it.
* OVERFLOW applies to the operations after it; FAIL answers null for an operation
  that would overflow and leaves its field alone.
* The key is touched and ``setbit`` published when some write stored a different
  value (or the string was created or grown); growing without any change, or an
  encoding turned raw, happens silently, as in Valkey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .. import events
from ..engine import bitmaps
from ..engine.strings import forget
from ..errors import SYNTAX, WRONGTYPE, CommandError
from .args import c_bytes, option, parse_int, parse_int_or_none
from .bitops import Grown, parse_bit_offset, store_grown
from .keys import lookup_read
from .table import BeginIndex, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

BITFIELD_TYPE_INVALID = (
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
    "supported but i64 is."
)
BITFIELD_OVERFLOW_INVALID = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_WRITE = "ERR BITFIELD_RO only supports the GET subcommand"

_GET, _SET, _INCRBY = 0, 1, 2
_OPCODES = {b"get": (_GET, 2), b"set": (_SET, 3), b"incrby": (_INCRBY, 3)}
_BEHAVIOURS = {b"wrap": bitmaps.WRAP, b"sat": bitmaps.SAT, b"fail": bitmaps.FAIL}
_U64 = 2**64 - 1


class Operation(NamedTuple):
    opcode: int
    signed: bool
    bits: int
    offset: int
    value: int  # SET's value or INCRBY's increment
    behaviour: int


def _parse_type(raw: bytes) -> tuple[bool, int]:
    """``i<bits>`` (1..64) or ``u<bits>`` (1..63); the digits are read as a C string."""
    kind = raw[:1]
    if kind not in (b"i", b"u"):
        raise CommandError(BITFIELD_TYPE_INVALID)
    signed = kind == b"i"
    bits = parse_int_or_none(c_bytes(raw[1:]))
    if bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(BITFIELD_TYPE_INVALID)
    return signed, bits


def _parse(client: Client, argv: list[bytes]) -> tuple[list[Operation], int]:
    """The operations, and the last bit a write reaches (-1: no write)."""
    operations: list[Operation] = []
    behaviour = bitmaps.WRAP
    highest = -1
    j, count = 2, len(argv)
    while j < count:
        remaining = count - j - 1
        name = option(argv[j])
        if name == b"overflow" and remaining >= 1:
            chosen = _BEHAVIOURS.get(option(argv[j + 1]))
            if chosen is None:
                raise CommandError(BITFIELD_OVERFLOW_INVALID)
            behaviour = chosen
            j += 2
            continue
        known = _OPCODES.get(name)
        if known is None or remaining < known[1]:
            raise CommandError(SYNTAX)
        opcode = known[0]
        signed, bits = _parse_type(argv[j + 1])
        offset = parse_bit_offset(client, argv[j + 2], bits)
        value = 0
        if opcode != _GET:
            highest = max(highest, offset + bits - 1)
            value = parse_int(argv[j + 3])
        operations.append(Operation(opcode, signed, bits, offset, value, behaviour))
        j += 1 + known[1]
    return operations, highest


def _read(data: bytes | bytearray, operation: Operation) -> int:
    if operation.signed:
        return bitmaps.get_signed(data, operation.offset, operation.bits)
    return bitmaps.get_unsigned(data, operation.offset, operation.bits)


def _write(data: bytearray, operation: Operation) -> tuple[int | None, bool]:
    """Run a SET or INCRBY on ``data``: (the reply, whether the field changed)."""
    old = _read(data, operation)
    bits, behaviour = operation.bits, operation.behaviour
    if operation.signed:
        check = bitmaps.signed_overflow
        new = operation.value if operation.opcode == _SET else old + operation.value
    else:
        check = bitmaps.unsigned_overflow
        new = (operation.value if operation.opcode == _SET else old + operation.value) & _U64
    if operation.opcode == _SET:
        verdict, limit = check(new, 0, bits, behaviour)
    else:
        verdict, limit = check(old, operation.value, bits, behaviour)
    if verdict and behaviour == bitmaps.FAIL:
        return None, False
    if verdict:
        new = limit
    bitmaps.set_field(data, operation.offset, bits, new)
    return (old if operation.opcode == _SET else new), old != new


def _bitfield(client: Client, argv: list[bytes], read_only_command: bool) -> Any:
    key = argv[1]
    operations, highest = _parse(client, argv)
    if highest < 0:
        value = lookup_read(client, key)
        if value is not None and type(value) is not bytes:
            raise CommandError(WRONGTYPE)
        data = b"" if value is None else value
        return [_read(data, operation) for operation in operations]
    if read_only_command:
        raise CommandError(BITFIELD_RO_WRITE)
    db = client.db
    old = db.lookup_typed(key, bytes)
    grown = Grown(old, highest >> 3)
    replies: list[int | None] = []
    changes = 0
    for operation in operations:
        if operation.opcode == _GET:
            replies.append(_read(grown.data, operation))
            continue
        reply, changed = _write(grown.data, operation)
        replies.append(reply)
        if reply is not None and (grown.grew or changed):
            changes += 1
    store_grown(client, key, grown, old, changes > 0)
    if old is not None:
        forget(old)
    if changes:
        db.notify(events.STRING, "setbit", key)
    client.core.count_changes(changes)
    return replies


def _bitfield_key_flags(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """Valkey's bitfieldGetKeys: read-only flags unless a SET or INCRBY (or anything
    it cannot parse) comes before the end."""
    read_only = True
    i, count = 2, len(argv)
    while i < count:
        remaining = count - i - 1
        name = option(argv[i])
        if name == b"get" and remaining >= 2:
            i += 3
        elif name in (b"set", b"incrby") and remaining >= 3:
            read_only = False
            break
        elif name == b"overflow" and remaining >= 1:
            i += 2
        else:
            read_only = False
            break
    if read_only:
        return [(1, ("RO", "access"))]
    return [(1, ("RW", "access", "update"))]


@command(
    "bitfield",
    -2,
    "write denyoom",
    keys=(1, 1, 1),
    group="bitmap",
    since="3.2.0",
    acl="@bitmap",
    summary="Reads, writes and increments integer fields at bit offsets of a string.",
    complexity="O(1) for each subcommand specified",
    key_specs=(
        key_spec(
            "RW update access variable_flags",
            BeginIndex(1),
            FindRange(0),
            notes="This command allows both access and modification of the key",
        ),
    ),
    getkeys=_bitfield_key_flags,
)
def bitfield(client: Client, argv: list[bytes]) -> Any:
    return _bitfield(client, argv, read_only_command=False)


@command(
    "bitfield_ro",
    -2,
    "readonly fast",
    keys=(1, 1, 1),
    group="bitmap",
    since="6.0.0",
    acl="@bitmap",
    summary="Reads integer fields at bit offsets of a string (BITFIELD's GET only).",
    complexity="O(1) for each subcommand specified",
    key_flags="RO access",
)
def bitfield_ro(client: Client, argv: list[bytes]) -> Any:
    return _bitfield(client, argv, read_only_command=True)
