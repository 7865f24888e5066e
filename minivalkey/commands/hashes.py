"""Hash commands: HSET, HMSET, HSETNX, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HEXISTS,
HLEN, HSTRLEN, HINCRBY, HINCRBYFLOAT, HSCAN (HRANDFIELD is in ``hrandfield``).

Invariants:
* Every argument is checked before the first change, in Valkey's order (an
  increment's syntax, then the key's type, then the stored value), so a failing
  command changes nothing; a key a write creates is stored only once its first
  field is in it.
* Encoding conversions follow Valkey's t_hash.c (see ``engine.hashes``), under
  ``hash-max-listpack-entries`` / ``hash-max-listpack-value`` read at each write.
* Every write that changes a hash touches the key for WATCH (signalModifiedKey)
  and names its keyspace event (``hset``, ``hdel``, ``hincrby``, ``hincrbyfloat``,
  class HASH); HDEL removing the last field deletes the key and adds ``del``
  (class GENERIC) after ``hdel``. Writes that change nothing (HSETNX on a
  present field, HDEL of absent fields) neither touch nor notify.
* Reads made for the reply count keyspace hits and misses (lookup_read); writes
  look their key up without counting, as Valkey's lookupKeyWrite.
* HINCRBYFLOAT computes in x87 extended precision and stores what it answers
  (``longdouble``), as Valkey does.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import events
from ..engine import longdouble
from ..engine.hashes import HASHTABLE, Hash
from ..errors import INCR_OVERFLOW, NOT_FLOAT, CommandError, wrong_arity
from ..replies import OK, Map
from .args import INT64_MAX, INT64_MIN, parse_int, parse_int_or_none
from .collscan import EMPTY_SCAN, parse_scan_args, scan_reply
from .keys import lookup_read_typed, parse_cursor
from .table import command

if TYPE_CHECKING:
    from ..engine.keyspace import Database
    from ..session import Client

HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
NAN_OR_INFINITY = "ERR value is NaN or Infinity"
WOULD_BE_NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"

EMPTY_ARRAY: list[Any] = []


def limits(client: Client) -> tuple[int, int]:
    """(hash-max-listpack-entries, hash-max-listpack-value) as configured now."""
    values = client.core.config.values
    return values["hash-max-listpack-entries"], values["hash-max-listpack-value"]  # type: ignore[return-value]


def read_hash(client: Client, key: bytes) -> Hash | None:
    """The hash at ``key`` for a reply (counted as a hit or miss), WRONGTYPE for another type."""
    value: Hash | None = lookup_read_typed(client, key, Hash)
    return value


def _write_target(db: Database, key: bytes) -> Hash | None:
    value: Hash | None = db.lookup_typed(key, Hash)
    return value


def _stored(db: Database, key: bytes, value: Hash, existed: bool, event: str) -> None:
    """A write to ``value`` is done: store a new hash, or touch the changed one; the event."""
    if existed:
        db.touch(key)
    else:
        db.add(key, value)
    db.notify(events.HASH, event, key)


# -- writes -------------------------------------------------------------------------------


def _set_pairs(client: Client, argv: list[bytes], name: str) -> int:
    if len(argv) % 2:
        raise CommandError(wrong_arity(name))
    db = client.db
    key = argv[1]
    value = _write_target(db, key)
    existed = value is not None
    if value is None:
        value = Hash()
    max_entries, max_value = limits(client)
    pairs = argv[2:]
    value.prepare(pairs, max_entries, max_value)
    created = 0
    put = value.put
    for index in range(0, len(pairs), 2):
        created += put(pairs[index], pairs[index + 1], max_entries, max_value)
    _stored(db, key, value, existed, "hset")
    client.core.count_changes(len(pairs) // 2)
    return created


@command(
    "hset",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RW update",
    summary="Sets fields of a hash to values, creating the hash; answers how many fields are new.",
    complexity=(
        "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
        "command is called with multiple field/value pairs."
    ),
)
def hset(client: Client, argv: list[bytes]) -> Any:
    return _set_pairs(client, argv, "hset")


@command(
    "hmset",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RW update",
    summary="Sets fields of a hash to values (the older form of HSET, answering OK).",
    complexity="O(N) where N is the number of fields being set.",
)
def hmset(client: Client, argv: list[bytes]) -> Any:
    _set_pairs(client, argv, "hmset")
    return OK


@command(
    "hsetnx",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RW insert",
    summary="Sets a field of a hash only when the field does not exist yet.",
)
def hsetnx(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    key, field, item = argv[1], argv[2], argv[3]
    value = _write_target(db, key)
    existed = value is not None
    if value is None:
        value = Hash()
    elif field in value.fields:
        return 0
    max_entries, max_value = limits(client)
    value.prepare(argv[2:4], max_entries, max_value)
    value.put(field, item, max_entries, max_value)
    _stored(db, key, value, existed, "hset")
    return 1


@command(
    "hdel",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RW delete",
    summary="Removes fields from a hash, and the hash once it is empty; answers how many went.",
    complexity="O(N) where N is the number of fields to be removed.",
)
def hdel(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    key = argv[1]
    value = _write_target(db, key)
    if value is None:
        return 0
    deleted = 0
    emptied = False
    for field in argv[2:]:
        if value.remove(field):
            deleted += 1
            if not value.fields:
                emptied = True
                break
    if deleted:
        if emptied:
            db.delete(key)
        else:
            db.touch(key)
        db.notify(events.HASH, "hdel", key)
        if emptied:
            db.notify(events.GENERIC, "del", key)
    client.core.count_changes(deleted)
    return deleted


@command(
    "hincrby",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RW access update",
    summary="Adds an integer to the integer stored in a field of a hash.",
)
def hincrby(client: Client, argv: list[bytes]) -> Any:
    increment = parse_int(argv[3])
    db = client.db
    key, field = argv[1], argv[2]
    value = _write_target(db, key)
    current = 0
    if value is not None:
        stored = value.fields.get(field)
        if stored is not None:
            parsed = parse_int_or_none(stored)
            if parsed is None:
                raise CommandError(HASH_NOT_INTEGER)
            current = parsed
    if (increment < 0 and current < 0 and increment < INT64_MIN - current) or (
        increment > 0 and current > 0 and increment > INT64_MAX - current
    ):
        raise CommandError(INCR_OVERFLOW)
    result = current + increment
    existed = value is not None
    if value is None:
        value = Hash()
    max_entries, max_value = limits(client)
    value.put(field, b"%d" % result, max_entries, max_value)
    _stored(db, key, value, existed, "hincrby")
    return result


@command(
    "hincrbyfloat",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.6.0",
    acl="@hash",
    key_flags="RW access update",
    summary="Adds a floating point number to the number stored in a field of a hash.",
)
def hincrbyfloat(client: Client, argv: list[bytes]) -> Any:
    increment = longdouble.parse(argv[3])
    if increment is None:
        raise CommandError(NOT_FLOAT)
    if isinstance(increment, float):  # an infinity
        raise CommandError(NAN_OR_INFINITY)
    db = client.db
    key, field = argv[1], argv[2]
    value = _write_target(db, key)
    current: longdouble.LongDouble = Fraction(0)
    if value is not None:
        stored = value.fields.get(field)
        if stored is not None:
            parsed = longdouble.parse(stored)
            if parsed is None:
                raise CommandError(HASH_NOT_FLOAT)
            current = parsed
    total = longdouble.add(current, increment)
    if total is None:  # an infinite stored value, or a sum that overflows
        raise CommandError(WOULD_BE_NAN_OR_INFINITY)
    text = longdouble.format_human(total)
    existed = value is not None
    if value is None:
        value = Hash()
    max_entries, max_value = limits(client)
    value.put(field, text, max_entries, max_value)
    _stored(db, key, value, existed, "hincrbyfloat")
    return text


# -- reads --------------------------------------------------------------------------------


@command(
    "hget",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RO access",
    summary="Answers the value of a field of a hash, or null.",
)
def hget(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    return None if value is None else value.fields.get(argv[2])


@command(
    "hmget",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RO access",
    summary="Answers the values of several fields of a hash (null for each absent one).",
    complexity="O(N) where N is the number of fields being requested.",
)
def hmget(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    if value is None:
        return [None] * (len(argv) - 2)
    get = value.fields.get
    return [get(field) for field in argv[2:]]


@command(
    "hgetall",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers every field of a hash with its value.",
    complexity="O(N) where N is the size of the hash.",
)
def hgetall(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    return Map() if value is None else Map(value.fields)


@command(
    "hkeys",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers the fields of a hash.",
    complexity="O(N) where N is the size of the hash.",
)
def hkeys(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    return EMPTY_ARRAY if value is None else list(value.fields)


@command(
    "hvals",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers the values of a hash.",
    complexity="O(N) where N is the size of the hash.",
)
def hvals(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    return EMPTY_ARRAY if value is None else list(value.fields.values())


@command(
    "hexists",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RO",
    summary="Answers 1 when a hash has a field, else 0.",
)
def hexists(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    return int(value is not None and argv[2] in value.fields)


@command(
    "hlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="2.0.0",
    acl="@hash",
    key_flags="RO",
    summary="Answers the number of fields of a hash.",
)
def hlen(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    return 0 if value is None else len(value.fields)


@command(
    "hstrlen",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="hash",
    since="3.2.0",
    acl="@hash",
    key_flags="RO",
    summary="Answers the length of the value of a field of a hash (0 when absent).",
)
def hstrlen(client: Client, argv: list[bytes]) -> Any:
    value = read_hash(client, argv[1])
    if value is None:
        return 0
    item = value.fields.get(argv[2])
    return 0 if item is None else len(item)


@command(
    "hscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="2.8.0",
    acl="@hash",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Walks the fields (and values) of a hash with a cursor.",
    complexity=(
        "O(1) for every call. O(N) for a complete iteration, including enough command calls "
        "for the cursor to return back to 0. N is the number of elements inside the "
        "collection."
    ),
)
def hscan(client: Client, argv: list[bytes]) -> Any:
    cursor = parse_cursor(argv[2])
    value = read_hash(client, argv[1])
    if value is None:
        return EMPTY_SCAN
    options = parse_scan_args(argv, "hash")
    fields = value.fields
    items: list[bytes] = []
    if value.encoding == HASHTABLE:
        cursor, found = value.cursor_order().scan(
            cursor, options.count, fields.__contains__, len(fields)
        )
        chosen: Any = found
    else:
        cursor, chosen = 0, fields
    matches = options.matches
    for field in chosen:
        if options.pattern is None or matches(field):
            items.append(field)
            if not options.only_keys:
                items.append(fields[field])
    return scan_reply(cursor, items)
