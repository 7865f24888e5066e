"""Keyspace commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME(NX), COPY
and MOVE (the expiry commands are in ``expiry``).

Also the helpers other families share: ``lookup_read`` (a read lookup that keeps
INFO's keyspace_hits/keyspace_misses and sends ``keymiss`` events, Valkey's
lookupKeyRead), ``lookup_read_typed`` (the same, with WRONGTYPE for other types),
``peek_read`` (the same without recording an access: Valkey's LOOKUP_NOTOUCH) and
``parse_cursor`` (SCAN-style cursors).

Invariants:
* Every argument is parsed and validated before the first change to the keyspace.
* Reads that Valkey performs with lookupKeyRead count a hit or a miss; lookups made
  to write (lookupKeyWrite) and iteration (KEYS, SCAN, RANDOMKEY) count nothing.
* Keyspace events as Valkey's db.c (class GENERIC): ``del`` per key DEL/UNLINK
  removes, ``rename_from`` / ``rename_to``, ``copy_to``, ``move_from`` (source
  database) / ``move_to`` (target); the ``new`` event of a key created comes from
  ``Database.add``, before the command's own.
* Nothing here switches on value classes: types come from ``engine.types``.
* SCAN cursors are insertion sequence numbers (see ``engine.keyspace``): a key that
  exists from the first call to the last is returned at least once, whatever is
  added or removed in between. A cursor the server did not hand out is still
  accepted (any unsigned 64-bit number), as in Valkey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.types import TYPE_NAMES, copy_value, type_name
from ..errors import (
    DB_INDEX_OUT_OF_RANGE,
    INVALID_CURSOR,
    NO_SUCH_KEY,
    NOSCORES_ONLY_ZSCAN,
    NOVALUES_ONLY_HSCAN,
    SAME_OBJECT,
    SYNTAX,
    UNKNOWN_TYPE_NAME,
    WRONGTYPE,
    CommandError,
    c_string,
    no_newlines,
    value_out_of_range,
)
from ..events import GENERIC, KEY_MISS
from ..glob import glob_match
from ..replies import OK, SimpleString
from .args import c_bytes, option, parse_int, parse_int_or_none
from .table import BeginIndex, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..engine.keyspace import Database
    from ..session import Client

UINT64_MAX = 2**64 - 1
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

_ASCII_SPACE = b" \t\n\v\f\r"


# -- shared helpers ------------------------------------------------------------------


def lookup_read(client: Client, key: bytes) -> Any:
    """The live value of ``key`` (or ``None``), counted as a keyspace hit or miss."""
    value = client.db.lookup(key)
    stats = client.core.stats
    if value is None:
        stats.keyspace_misses += 1
        client.db.notify(KEY_MISS, "keymiss", key)
    else:
        stats.keyspace_hits += 1
    return value


def peek_read(client: Client, key: bytes) -> Any:
    """``lookup_read`` that records no access to the key (TYPE, EXISTS, TTL...)."""
    db = client.db
    value = db.peek(key)
    stats = client.core.stats
    if value is None:
        stats.keyspace_misses += 1
        db.notify(KEY_MISS, "keymiss", key)
    else:
        stats.keyspace_hits += 1
    return value


def lookup_read_typed(client: Client, key: bytes, kind: type) -> Any:
    """``lookup_read`` for a command on values of type ``kind``: the value or ``None``,
    and WRONGTYPE for another type (the lookup still counts as a hit, as in Valkey)."""
    value = client.db.lookup(key)  # lookup_read, inline: every read command comes here
    stats = client.core.stats
    if value is None:
        stats.keyspace_misses += 1
        client.db.notify(KEY_MISS, "keymiss", key)
        return None
    stats.keyspace_hits += 1
    if type(value) is not kind:
        raise CommandError(WRONGTYPE)
    return value


def parse_cursor(raw: bytes) -> int:
    """A SCAN cursor as Valkey reads it (``string2ull``), else ``ERR invalid cursor``.

    Valkey first tries its strict integer parser, then C's ``strtoull``, so leading
    blanks and a sign are accepted and a negative number wraps around, but trailing
    junk and values past 2**64-1 are not. Like C, it stops at a NUL byte.
    """
    text = c_bytes(raw)
    strict = parse_int_or_none(text)
    if strict is not None:
        if strict < 0:
            raise CommandError(INVALID_CURSOR)
        return strict
    body = text.lstrip(_ASCII_SPACE)
    negative = body[:1] == b"-"
    if body[:1] in (b"-", b"+"):
        body = body[1:]
    if not body or not body.isdigit():
        raise CommandError(INVALID_CURSOR)
    value = int(body)
    if value > UINT64_MAX:
        raise CommandError(INVALID_CURSOR)
    return (-value) % (UINT64_MAX + 1) if negative else value


def parse_db_index(client: Client, raw: bytes) -> Database:
    """A database named by number (COPY ... DB n), with Valkey's two errors."""
    index = parse_int(raw)
    if index < INT32_MIN or index > INT32_MAX:
        raise CommandError(value_out_of_range(INT32_MIN, INT32_MAX))
    keyspace = client.core.keyspace
    if index < 0 or index >= len(keyspace):
        raise CommandError(DB_INDEX_OUT_OF_RANGE)
    return keyspace[index]


# -- deleting and testing keys -------------------------------------------------------


@command(
    "del",
    -2,
    "write",
    keys=(1, -1, 1),
    acl="@keyspace",
    tips="request_policy:multi_shard response_policy:agg_sum",
    summary="Removes keys; answers how many existed.",
    complexity="O(N) where N is the number of keys that will be removed.",
    key_flags="RM delete",
)
def del_(client: Client, argv: list[bytes]) -> Any:
    return _delete_keys(client, argv)


def _delete_keys(client: Client, argv: list[bytes]) -> int:
    db = client.db
    removed = 0
    for key in argv[1:]:
        if db.delete(key):  # an expired key is removed as expired, not deleted
            db.notify(GENERIC, "del", key)
            removed += 1
    client.core.count_changes(removed)
    return removed


@command(
    "unlink",
    -2,
    "write fast",
    keys=(1, -1, 1),
    since="4.0.0",
    acl="@keyspace",
    tips="request_policy:multi_shard response_policy:agg_sum",
    summary="Removes keys (memory is reclaimed later in Valkey); answers how many existed.",
    complexity="O(1) for each key removed regardless of its size.",
    key_flags="RM delete",
)
def unlink(client: Client, argv: list[bytes]) -> Any:
    return _delete_keys(client, argv)


@command(
    "exists",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    acl="@keyspace",
    tips="request_policy:multi_shard response_policy:agg_sum",
    summary="Counts how many of the given keys exist; a key named twice counts twice.",
    complexity="O(N) where N is the number of keys to check.",
    key_flags="RO",
)
def exists(client: Client, argv: list[bytes]) -> Any:
    return sum(1 for key in argv[1:] if peek_read(client, key) is not None)


@command(
    "type",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@keyspace",
    summary="Names the type of the value at a key, or none.",
    key_flags="RO",
)
def type_(client: Client, argv: list[bytes]) -> Any:
    value = peek_read(client, argv[1])
    return SimpleString("none" if value is None else type_name(value))


# -- listing keys ----------------------------------------------------------------------


@command(
    "keys",
    2,
    "readonly",
    acl="@keyspace @dangerous",
    tips="request_policy:all_shards nondeterministic_output_order",
    summary="Lists every key matching a glob-style pattern.",
    complexity="O(N) with N being the number of keys in the database.",
)
def keys(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    pattern = argv[1]
    everything = pattern == b"*"
    # Like Valkey, KEYS skips expired keys without deleting them.
    return [
        key
        for key in db.data
        if (everything or glob_match(pattern, key)) and not db.is_expired(key)
    ]


def _scan_type(raw: bytes) -> str:
    name = c_string(raw).lower()
    if name in TYPE_NAMES:
        return name
    raise CommandError(no_newlines(UNKNOWN_TYPE_NAME.format(name=c_string(raw))))


@command(
    "scan",
    -2,
    "readonly touches_arbitrary_keys",
    since="2.8.0",
    acl="@keyspace",
    tips="nondeterministic_output request_policy:special response_policy:special",
    summary="Iterates over the keys with a cursor, optionally filtered by pattern and type.",
    complexity="O(1) for every call. O(N) for a complete iteration.",
)
def scan(client: Client, argv: list[bytes]) -> Any:
    cursor = parse_cursor(argv[1])
    count = 10
    pattern: bytes | None = None
    wanted: str | None = None
    i = 2
    while i < len(argv):
        name = option(argv[i])
        has_value = len(argv) - i >= 2
        if name == b"count" and has_value:
            count = parse_int(argv[i + 1])
            if count < 1:
                raise CommandError(SYNTAX)
        elif name == b"match" and has_value:
            pattern = None if argv[i + 1] == b"*" else argv[i + 1]
        elif name == b"type" and has_value:
            wanted = _scan_type(argv[i + 1])
        elif name == b"novalues":
            raise CommandError(NOVALUES_ONLY_HSCAN)
        elif name == b"noscores":
            raise CommandError(NOSCORES_ONLY_ZSCAN)
        else:
            raise CommandError(SYNTAX)
        i += 2
    db = client.db
    next_cursor, candidates = db.scan(cursor, count)
    found = []
    for key in candidates:
        value = db.data.get(key)
        if value is None or (wanted is not None and type_name(value) != wanted):
            continue
        if pattern is not None and not glob_match(pattern, key):
            continue
        if db.lookup(key) is None:  # expired: deleted now, as Valkey's SCAN does
            continue
        found.append(key)
    return [b"%d" % next_cursor, found]


@command(
    "randomkey",
    1,
    "readonly touches_arbitrary_keys",
    acl="@keyspace",
    tips="request_policy:all_shards response_policy:special nondeterministic_output",
    summary="Answers a key chosen at random, or null when the database is empty.",
)
def randomkey(client: Client, argv: list[bytes]) -> Any:
    return client.db.random_key()


# -- moving and copying keys -------------------------------------------------------


def _rename(client: Client, argv: list[bytes], nx: bool) -> Any:
    source, target = argv[1], argv[2]
    db = client.db
    value = db.lookup(source)
    if value is None:
        raise CommandError(NO_SUCH_KEY)
    if source == target:
        return 0 if nx else OK
    deadline = db.expires.get(source)
    if db.lookup(target) is not None:
        if nx:
            return 0
        db.delete(target)
    db.add(target, value)
    if deadline is not None:
        db.set_expire(target, deadline)  # the source was live, so this is in the future
    db.delete(source)
    db.notify(GENERIC, "rename_from", source)
    db.notify(GENERIC, "rename_to", target)
    return 1 if nx else OK


@command(
    "rename",
    3,
    "write",
    keys=(1, 2, 1),
    acl="@keyspace",
    summary="Gives a key a new name, replacing any key of that name; the TTL follows.",
    key_specs=(
        key_spec("RW access delete", BeginIndex(1), FindRange(0)),
        key_spec("OW update", BeginIndex(2), FindRange(0)),
    ),
)
def rename(client: Client, argv: list[bytes]) -> Any:
    return _rename(client, argv, nx=False)


@command(
    "renamenx",
    3,
    "write fast",
    keys=(1, 2, 1),
    acl="@keyspace",
    summary="Gives a key a new name only when no key has that name yet.",
    key_specs=(
        key_spec("RW access delete", BeginIndex(1), FindRange(0)),
        key_spec("OW insert", BeginIndex(2), FindRange(0)),
    ),
)
def renamenx(client: Client, argv: list[bytes]) -> Any:
    return _rename(client, argv, nx=True)


@command(
    "copy",
    -3,
    "write denyoom",
    keys=(1, 2, 1),
    since="6.2.0",
    acl="@keyspace",
    summary="Duplicates a key's value and TTL under another name, possibly in another database.",
    complexity="O(N) worst case for collections, where N is the number of nested items. "
    "O(1) for string values.",
    key_specs=(
        key_spec("RO access", BeginIndex(1), FindRange(0)),
        key_spec("OW update", BeginIndex(2), FindRange(0)),
    ),
)
def copy(client: Client, argv: list[bytes]) -> Any:
    source, target = argv[1], argv[2]
    target_db = client.db
    replace = False
    j = 3
    while j < len(argv):
        name = option(argv[j])
        if name == b"replace":
            replace = True
        elif name == b"db" and j + 1 < len(argv):
            target_db = parse_db_index(client, argv[j + 1])
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    db = client.db
    if target_db is db and source == target:
        raise CommandError(SAME_OBJECT)
    value = lookup_read(client, source)
    if value is None:
        return 0
    deadline = db.expires.get(source)
    if target_db.lookup(target) is not None:
        if not replace:
            return 0
        target_db.delete(target)
    target_db.add(target, copy_value(value))
    if deadline is not None:
        target_db.set_expire(target, deadline)
    target_db.notify(GENERIC, "copy_to", target)
    return 1


@command(
    "move",
    3,
    "write fast",
    keys=(1, 1, 1),
    acl="@keyspace",
    summary="Moves a key, with its TTL, to another database unless a key of that name is there.",
    key_flags="RW access update",
)
def move(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    index = parse_int(argv[2])
    if index < INT32_MIN or index > INT32_MAX:
        raise CommandError(value_out_of_range(INT32_MIN, INT32_MAX))
    keyspace = client.core.keyspace
    if not 0 <= index < len(keyspace):
        raise CommandError(DB_INDEX_OUT_OF_RANGE)
    db, target_db = client.db, keyspace[index]
    if target_db is db:
        raise CommandError(SAME_OBJECT)
    value = db.lookup(key)
    if value is None:
        return 0
    deadline = db.expires.get(key)
    if target_db.lookup(key) is not None:
        return 0
    target_db.add(key, value)
    if deadline is not None:
        target_db.set_expire(key, deadline)  # the key was live, so this is in the future
    db.delete(key)
    db.notify(GENERIC, "move_from", key)
    target_db.notify(GENERIC, "move_to", key)
    return 1
