"""String commands that store or fetch whole values: GET, SET, SETNX, SETEX, PSETEX,
GETSET, GETEX, GETDEL, MGET, MSET, MSETNX.

Counters are in ``counters``, ranges and APPEND in ``stringranges``, bits in ``bitops``.

Invariants:
* A string value is immutable ``bytes``; what these commands store is the argument
  itself, whose encoding is the natural one (``engine.strings``), as tryObjectEncoding
  gives in Valkey. A replaced value is offered to ``engine.strings.forget``.
* SET validates every option and the expiry before looking at the key; with GET it
  answers WRONGTYPE (and writes nothing) when the old value is not a string. GETEX
  checks its options' syntax first, then the key, then the expiry value, as Valkey.
* Reads made for the reply (GET, MGET, the GET of SET, GETSET, GETEX, GETDEL) count
  keyspace hits and misses; the lookups made to write (SET, MSETNX...) do not.
* Keyspace events as Valkey's: ``set`` (then ``expire`` when an expiry is given) for
  every write, ``del`` when an expiry already past removes the key, ``expire`` /
  ``persist`` / ``del`` for GETEX, ``del`` for GETDEL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.strings import Sds, forget, mark_raw, raw_sds, sds_new
from ..errors import INVALID_EXPIRE_TIME, SYNTAX, CommandError, wrong_arity
from ..replies import OK
from .args import INT64_MAX, option, parse_int
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


# -- SET ---------------------------------------------------------------------------

_NX, _XX, _GET, _KEEPTTL, _EX, _PX, _EXAT, _PXAT, _PERSIST = (1 << bit for bit in range(9))
_EXPIRY = _EX | _PX | _EXAT | _PXAT
_EXPIRY_OPTIONS = {b"ex": _EX, b"px": _PX, b"exat": _EXAT, b"pxat": _PXAT}
_SET_ONLY = {b"nx": _NX, b"xx": _XX, b"get": _GET}


class SetOptions:
    """SET's (or GETEX's) parsed options: flag bits and the raw expiry argument."""

    __slots__ = ("flags", "expire")

    def __init__(self) -> None:
        self.flags = 0
        self.expire: bytes | None = None


def _parse_options(argv: list[bytes], first: int, for_set: bool) -> SetOptions:
    """Valkey's parseExtendedStringArguments: NX/XX exclude each other, one expiry
    kind at a time (repeating the same kind is allowed, the last value wins), KEEPTTL
    (SET) and PERSIST (GETEX) exclude every expiry and each other."""
    parsed = SetOptions()
    j, count = first, len(argv)
    while j < count:
        name = option(argv[j])
        flags = parsed.flags
        if for_set and name in _SET_ONLY:
            bit = _SET_ONLY[name]
            if (bit == _NX and flags & _XX) or (bit == _XX and flags & _NX):
                raise CommandError(SYNTAX)
            parsed.flags |= bit
        elif for_set and name == b"keepttl" and not flags & (_EXPIRY | _PERSIST):
            parsed.flags |= _KEEPTTL
        elif not for_set and name == b"persist" and not flags & (_EXPIRY | _KEEPTTL):
            parsed.flags |= _PERSIST
        elif name in _EXPIRY_OPTIONS and j + 1 < count:
            kind = _EXPIRY_OPTIONS[name]
            if flags & (_KEEPTTL | _PERSIST | (_EXPIRY & ~kind)):
                raise CommandError(SYNTAX)
            parsed.flags |= kind
            parsed.expire = argv[j + 1]
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    return parsed


def deadline_ms(client: Client, raw: bytes, flags: int, command_name: str) -> int:
    """The absolute deadline an expiry option names; errors as Valkey words them."""
    invalid = INVALID_EXPIRE_TIME.format(command=command_name)
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


def set_value(
    client: Client, key: bytes, value: bytes, flags: int, deadline: int | None
) -> bool:
    """Valkey's setGenericCommand after its checks: store ``value`` unless NX/XX say
    no (False then). A deadline already past removes the key instead."""
    db = client.db
    current = db.lookup(key)
    if (flags & _NX and current is not None) or (flags & _XX and current is None):
        return False
    if deadline is not None and deadline <= client.core.keyspace.now_ms:
        # An EXAT/PXAT already past: the key would be born expired, so it only goes.
        if current is not None:
            db.delete(key)
            db.notify(events.GENERIC, "del", key)
        return True
    db.set(key, value, keep_ttl=bool(flags & _KEEPTTL) or deadline is not None)
    if type(current) is bytes:
        forget(current)
    db.notify(events.STRING, "set", key)
    if deadline is not None:
        db.set_expire(key, deadline)
        db.notify(events.GENERIC, "expire", key)
    return True


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
    parsed = _parse_options(argv, 3, for_set=True)
    flags = parsed.flags
    deadline = None
    if parsed.expire is not None:
        deadline = deadline_ms(client, parsed.expire, flags, "set")
    if flags & _GET:
        old = read_string(client, argv[1])
        set_value(client, argv[1], argv[2], flags, deadline)
        return old
    return OK if set_value(client, argv[1], argv[2], flags, deadline) else None


@command(
    "setnx",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="OW insert",
    summary="Stores a string at a key only when the key does not exist yet.",
)
def setnx(client: Client, argv: list[bytes]) -> Any:
    return 1 if set_value(client, argv[1], argv[2], _NX, None) else 0


def _set_with_expiry(client: Client, argv: list[bytes], flags: int, name: str) -> Any:
    deadline = deadline_ms(client, argv[2], flags, name)
    set_value(client, argv[1], argv[3], flags, deadline)
    return OK


@command(
    "setex",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="2.0.0",
    acl="@string",
    key_flags="OW update",
    summary="Stores a string at a key with a time to live in seconds.",
)
def setex(client: Client, argv: list[bytes]) -> Any:
    return _set_with_expiry(client, argv, _EX, "setex")


@command(
    "psetex",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="string",
    since="2.6.0",
    acl="@string",
    key_flags="OW update",
    summary="Stores a string at a key with a time to live in milliseconds.",
)
def psetex(client: Client, argv: list[bytes]) -> Any:
    return _set_with_expiry(client, argv, _PX, "psetex")


@command(
    "getset",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Stores a string at a key and answers the value it replaces.",
)
def getset(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    old = read_string(client, key)
    db = client.db
    db.set(key, argv[2])
    db.notify(events.STRING, "set", key)
    return old


@command(
    "getex",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="string",
    since="6.2.0",
    acl="@string",
    summary="Answers the string value of a key and sets or removes its expiry.",
    key_specs=(
        key_spec(
            "RW access update",
            BeginIndex(1),
            FindRange(0),
            notes="RW and UPDATE because it changes the TTL",
        ),
    ),
)
def getex(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    parsed = _parse_options(argv, 2, for_set=False)
    value = read_string(client, key)
    if value is None:
        return None
    flags = parsed.flags
    db = client.db
    if parsed.expire is not None:
        deadline = deadline_ms(client, parsed.expire, flags, "getex")
        if flags & (_EXAT | _PXAT) and deadline <= client.core.keyspace.now_ms:
            db.delete(key)
            db.notify(events.GENERIC, "del", key)
        else:
            db.set_expire(key, deadline)
            db.notify(events.GENERIC, "expire", key)
    elif flags & _PERSIST and db.persist(key):
        db.notify(events.GENERIC, "persist", key)
    return value


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
        client.db.notify(events.GENERIC, "del", argv[1])
    return value


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
    _store_all(client, argv)
    return OK


def _store_all(client: Client, argv: list[bytes]) -> None:
    db = client.db
    for index in range(1, len(argv), 2):
        key = argv[index]
        db.set(key, argv[index + 1])
        db.notify(events.STRING, "set", key)


@command(
    "msetnx",
    -3,
    "write denyoom",
    keys=(1, -1, 2),
    group="string",
    since="1.0.1",
    acl="@string",
    summary="Stores several key/value pairs only when none of the keys exists yet.",
    complexity="O(N) where N is the number of keys to set.",
    key_flags="OW insert",
)
def msetnx(client: Client, argv: list[bytes]) -> Any:
    if len(argv) % 2 == 0:
        raise CommandError(wrong_arity("msetnx"))
    db = client.db
    for index in range(1, len(argv), 2):
        if db.lookup(argv[index]) is not None:
            return 0
    _store_all(client, argv)
    return 1




# -- shared by the string families -------------------------------------------------------

STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"


def check_length(client: Client, size: int, extra: int) -> None:
    """Valkey's checkStringLength: ``size + extra`` bytes must fit in proto-max-bulk-len."""
    if size + extra > client.core.config.get_int("proto-max-bulk-len"):
        raise CommandError(STRING_TOO_LONG)


def unshared_sds(value: bytes) -> Sds:
    """The sds of ``value`` once Valkey's dbUnshareStringValue has made it raw."""
    sds = raw_sds(value)
    return sds_new(len(value)) if sds is None else sds


def store_raw(client: Client, key: bytes, existed: bool, value: bytes, sds: Sds) -> bytes:
    """Store ``value`` as a raw string in ``sds`` (a new key, or a changed one keeping
    its TTL), telling watchers; the stored object. The caller then offers the
    replaced value to ``forget``."""
    stored = mark_raw(value, sds)
    if existed:
        client.db.set(key, stored, keep_ttl=True)
    else:
        client.db.add(key, stored)
    return stored
