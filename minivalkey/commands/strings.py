"""String commands: GET, SET, MGET, MSET, INCR, INCRBY, DECR, DECRBY, GETDEL.

Invariants:
* A string value is immutable ``bytes``; counters are stored as their decimal text,
  exactly what GET answers afterwards.
* SET validates every option and the expiry before looking at the key; with GET it
  answers WRONGTYPE (and writes nothing) when the old value is not a string.
* Reads made for the reply (GET, MGET, the GET of SET, GETDEL) count keyspace hits
  and misses; the lookups made to write (SET, INCR...) do not, as in Valkey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import (
    DECR_OVERFLOW,
    INCR_OVERFLOW,
    INVALID_EXPIRE_TIME,
    SYNTAX,
    CommandError,
    wrong_arity,
)
from ..replies import OK
from .args import INT64_MAX, INT64_MIN, option, parse_int
from .keys import lookup_read, lookup_read_typed
from .table import BeginIndex, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client


def read_string(client: Client, key: bytes) -> bytes | None:
    """The string at ``key`` for a reply (Valkey's getGenericCommand), counted in stats."""
    value: bytes | None = lookup_read_typed(client, key, bytes)
    return value


@command(
    "get",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    summary="Answers the string value of a key, or null when there is none.",
    key_flags="RO access",
)
def get(client: Client, argv: list[bytes]) -> Any:
    return read_string(client, argv[1])


# -- SET -------------------------------------------------------------------------

_NX, _XX, _GET, _KEEPTTL, _EX, _PX, _EXAT, _PXAT = (1 << bit for bit in range(8))
_EXPIRY = _EX | _PX | _EXAT | _PXAT
_EXPIRY_OPTIONS = {b"ex": _EX, b"px": _PX, b"exat": _EXAT, b"pxat": _PXAT}


class SetOptions:
    """SET's parsed options: flag bits and the raw expiry argument."""

    __slots__ = ("flags", "expire")

    def __init__(self) -> None:
        self.flags = 0
        self.expire: bytes | None = None


def _parse_set_options(argv: list[bytes]) -> SetOptions:
    """Valkey's rules: NX/XX exclude each other, one expiry kind at a time (repeating
    the same kind is allowed, the last value wins), KEEPTTL excludes every expiry."""
    parsed = SetOptions()
    j, count = 3, len(argv)
    while j < count:
        name = option(argv[j])
        flags = parsed.flags
        has_value = j + 1 < count
        if name == b"nx" and not flags & _XX:
            parsed.flags |= _NX
        elif name == b"xx" and not flags & _NX:
            parsed.flags |= _XX
        elif name == b"get":
            parsed.flags |= _GET
        elif name == b"keepttl" and not flags & _EXPIRY:
            parsed.flags |= _KEEPTTL
        elif name in _EXPIRY_OPTIONS and has_value:
            kind = _EXPIRY_OPTIONS[name]
            if flags & (_KEEPTTL | (_EXPIRY & ~kind)):
                raise CommandError(SYNTAX)
            parsed.flags |= kind
            parsed.expire = argv[j + 1]
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    return parsed


def _deadline_ms(client: Client, raw: bytes, flags: int) -> int:
    """The absolute deadline an expiry option names; errors as Valkey's SET words them."""
    invalid = INVALID_EXPIRE_TIME.format(command="set")
    value = parse_int(raw)
    seconds = bool(flags & (_EX | _EXAT))
    if value <= 0 or (seconds and value > INT64_MAX // 1000):
        raise CommandError(invalid)
    if seconds:
        value *= 1000
    if flags & (_EX | _PX):
        value += client.core.keyspace.now_ms
    if value > INT64_MAX:  # Valkey detects the overflow of the addition
        raise CommandError(invalid)
    return value


def _set_key_flags(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """What SET does to its key (COMMAND GETKEYSANDFLAGS): it reads it only with GET."""
    if any(option(arg) == b"get" for arg in argv[3:]):
        return [(1, ("RW", "access", "update"))]
    return [(1, ("OW", "update"))]


@command(
    "set",
    -3,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    summary="Stores a string at a key, with optional expiry, conditions and the old value.",
    key_specs=(
        key_spec(
            "RW access update variable_flags",
            BeginIndex(1),
            FindRange(0),
            notes="RW and ACCESS due to the optional `GET` argument",
        ),
    ),
    getkeys=_set_key_flags,
)
def set_(client: Client, argv: list[bytes]) -> Any:
    key, value = argv[1], argv[2]
    parsed = _parse_set_options(argv)
    flags = parsed.flags
    deadline = _deadline_ms(client, parsed.expire, flags) if parsed.expire is not None else None
    want_old = bool(flags & _GET)
    old = read_string(client, key) if want_old else None
    db = client.db
    found = db.lookup(key) is not None
    if (flags & _NX and found) or (flags & _XX and not found):
        return old  # null without GET
    reply = old if want_old else OK
    if deadline is not None and deadline <= client.core.keyspace.now_ms:
        # An EXAT/PXAT already past: the key would be born expired, so it only goes.
        if found:
            db.delete(key)
        return reply
    db.set(key, value, keep_ttl=bool(flags & _KEEPTTL) or deadline is not None)
    if deadline is not None:
        db.set_expire(key, deadline)
    return reply


# -- several keys --------------------------------------------------------------------


@command(
    "mget",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    group="string",
    acl="@string",
    tips="request_policy:multi_shard",
    summary="Answers the string values of several keys (null for missing or non-string keys).",
    complexity="O(N) where N is the number of keys to retrieve.",
    key_flags="RO access",
)
def mget(client: Client, argv: list[bytes]) -> Any:
    replies: list[bytes | None] = []
    for key in argv[1:]:
        value = lookup_read(client, key)
        replies.append(value if type(value) is bytes else None)
    return replies


@command(
    "mset",
    -3,
    "write denyoom",
    keys=(1, -1, 2),
    group="string",
    since="1.0.1",
    acl="@string",
    tips="request_policy:multi_shard response_policy:all_succeeded",
    summary="Stores several key/value pairs at once, dropping their TTLs.",
    complexity="O(N) where N is the number of keys to set.",
    key_flags="OW update",
)
def mset(client: Client, argv: list[bytes]) -> Any:
    if len(argv) % 2 == 0:
        raise CommandError(wrong_arity("mset"))
    db = client.db
    for index in range(1, len(argv), 2):
        db.set(argv[index], argv[index + 1])
    return OK


# -- counters ------------------------------------------------------------------------


def _increment(client: Client, key: bytes, delta: int) -> int:
    """Add ``delta`` to the integer at ``key`` (0 when absent); the TTL is kept."""
    db = client.db
    value = db.lookup_typed(key, bytes)
    current = 0 if value is None else parse_int(value)
    if (delta < 0 and current < 0 and delta < INT64_MIN - current) or (
        delta > 0 and current > 0 and delta > INT64_MAX - current
    ):
        raise CommandError(INCR_OVERFLOW)
    result = current + delta
    if value is None:
        db.add(key, b"%d" % result)
    else:
        db.set(key, b"%d" % result, keep_ttl=True)
    return result


@command(
    "incr",
    2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Adds one to the integer stored at a key.",
)
def incr(client: Client, argv: list[bytes]) -> Any:
    return _increment(client, argv[1], 1)


@command(
    "decr",
    2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Subtracts one from the integer stored at a key.",
)
def decr(client: Client, argv: list[bytes]) -> Any:
    return _increment(client, argv[1], -1)


@command(
    "incrby",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Adds an integer to the integer stored at a key.",
)
def incrby(client: Client, argv: list[bytes]) -> Any:
    return _increment(client, argv[1], parse_int(argv[2]))


@command(
    "decrby",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Subtracts an integer from the integer stored at a key.",
)
def decrby(client: Client, argv: list[bytes]) -> Any:
    amount = parse_int(argv[2])
    if amount == INT64_MIN:  # its negation does not fit in 64 bits
        raise CommandError(DECR_OVERFLOW)
    return _increment(client, argv[1], -amount)


@command(
    "getdel",
    2,
    "write fast",
    keys=(1, 1, 1),
    group="string",
    since="6.2.0",
    acl="@string",
    summary="Answers the string value of a key and removes the key.",
    key_flags="RW access delete",
)
def getdel(client: Client, argv: list[bytes]) -> Any:
    value = read_string(client, argv[1])
    if value is not None:
        client.db.delete(argv[1])
    return value
