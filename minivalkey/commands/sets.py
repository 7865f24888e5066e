"""Set commands on one set: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS,
SRANDMEMBER, SPOP, SMOVE, SSCAN (the algebra of several sets is in ``setalgebra``).

Invariants:
* Every argument is validated before the first change: SPOP's and SRANDMEMBER's
  count is read before the key is looked at, as Valkey does.
* Encodings change only through ``engine.sets.Set``, under the thresholds read from
  the configuration at the time of the call (``limits``).
* A set emptied by a command is deleted at once (SREM, SPOP, SMOVE's source), with
  the generic ``del`` event after the command's own event, as t_set.c orders them;
  a key is touched (WATCH) exactly where Valkey calls signalModifiedKey: only when
  something changed.
* Reads made for the reply (SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER,
  SSCAN) count keyspace hits and misses; the lookups made to write do not, except
  SPOP of a count covering the whole set, which Valkey answers through a read of
  the key (one more hit).
* Replies: SMEMBERS and SPOP with a count answer a set (RESP3 ``~``), SRANDMEMBER
  with a count an array, SMISMEMBER an array of integers.
* One departure: SRANDMEMBER with repeats (a negative count) longer than
  ``RANDOM_REPLY_LIMIT`` members is refused with an error; Valkey would build the
  reply, and for the largest counts run out of memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.sets import HASHTABLE, INTSET, LISTPACK, Set, SetLimits
from ..errors import SYNTAX, VALUE_MUST_BE_POSITIVE, WRONGTYPE, CommandError, value_out_of_range
from ..replies import Set as SetReply
from .args import INT64_MAX, INT64_MIN, parse_int
from .collscan import EMPTY_SCAN, parse_scan_args, scan_reply
from .keys import lookup_read, lookup_read_typed, parse_cursor
from .table import BeginIndex, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

# SPOP with a count rebuilds the set from the members it keeps once they are fewer
# than a fifth of those it pops (Valkey's SPOP_MOVE_STRATEGY_MUL).
_SPOP_MOVE_STRATEGY_MUL = 5
# A reply of repeated random members longer than this is refused: Valkey would build
# it (and run out of memory for the largest counts), which a Python server cannot.
RANDOM_REPLY_LIMIT = 1 << 24
RANDOM_REPLY_TOO_LONG = "ERR SRANDMEMBER count is too large for this server"


def limits(client: Client) -> SetLimits:
    """The encoding thresholds in force now."""
    values = client.core.config.values
    return SetLimits(
        values["set-max-intset-entries"],  # type: ignore[arg-type]
        values["set-max-listpack-entries"],  # type: ignore[arg-type]
        values["set-max-listpack-value"],  # type: ignore[arg-type]
    )


# -- adding and removing -------------------------------------------------------------


@command(
    "sadd",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    key_flags="RW insert",
    summary="Adds members to a set, creating it if needed; answers how many were new.",
    complexity=(
        "O(1) for each element added, so O(N) to add N elements when the command is "
        "called with multiple arguments."
    ),
)
def sadd(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    key = argv[1]
    value: Set | None = db.lookup_typed(key, Set)
    bounds = limits(client)
    hint = len(argv) - 2
    if value is None:
        value = Set.create(argv[2], hint, bounds)
        db.add(key, value)
    else:
        value.maybe_convert(hint, bounds)
    add = value.add
    added = 0
    for member in argv[2:]:
        if add(member, bounds):
            added += 1
    if added:
        db.touch(key)
        db.notify(events.SET, "sadd", key)
    client.core.count_changes(added)
    return added


@command(
    "srem",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    key_flags="RW delete",
    summary="Removes members from a set; answers how many were there.",
    complexity="O(N) where N is the number of members to be removed.",
)
def srem(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    key = argv[1]
    value: Set | None = db.lookup_typed(key, Set)
    if value is None:
        return 0
    deleted = 0
    emptied = False
    for member in argv[2:]:
        if value.remove(member):
            deleted += 1
            if not len(value):
                db.delete(key)
                emptied = True
                break
    if deleted:
        db.touch(key)
        db.notify(events.SET, "srem", key)
        if emptied:
            db.notify(events.GENERIC, "del", key)
    client.core.count_changes(deleted)
    return deleted


@command(
    "smove",
    4,
    "write fast",
    keys=(1, 2, 1),
    group="set",
    acl="@set",
    summary="Moves a member from one set to another; answers 1 if it was moved.",
    key_specs=(
        key_spec("RW access delete", BeginIndex(1), FindRange(0)),
        key_spec("RW insert", BeginIndex(2), FindRange(0)),
    ),
)
def smove(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    source_key, target_key, member = argv[1], argv[2], argv[3]
    source = db.lookup(source_key)
    target = db.lookup(target_key)
    if source is None:
        return 0
    if type(source) is not Set or (target is not None and type(target) is not Set):
        raise CommandError(WRONGTYPE)
    if source is target:
        return 1 if member in source else 0
    if not source.remove(member):
        return 0
    db.notify(events.SET, "srem", source_key)
    if not len(source):
        db.delete(source_key)
        db.notify(events.GENERIC, "del", source_key)
    bounds = limits(client)
    if target is None:
        target = Set.create(member, 1, bounds)
        db.add(target_key, target)
    db.touch(source_key)
    if target.add(member, bounds):
        db.touch(target_key)
        db.notify(events.SET, "sadd", target_key)
    return 1


# -- reading -------------------------------------------------------------------------------


@command(
    "scard",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    key_flags="RO",
    summary="Answers the number of members of a set.",
)
def scard(client: Client, argv: list[bytes]) -> Any:
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    return 0 if value is None else len(value)


@command(
    "sismember",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    key_flags="RO",
    summary="Answers 1 if a value is a member of a set, else 0.",
)
def sismember(client: Client, argv: list[bytes]) -> Any:
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    return 1 if value is not None and argv[2] in value else 0


@command(
    "smismember",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="set",
    since="6.2.0",
    acl="@set",
    key_flags="RO access",
    summary="Answers, for each value given, 1 if it is a member of a set, else 0.",
    complexity="O(N) where N is the number of elements being checked for membership",
)
def smismember(client: Client, argv: list[bytes]) -> Any:
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    if value is None:
        return [0] * (len(argv) - 2)
    return [1 if member in value else 0 for member in argv[2:]]


@command(
    "smembers",
    2,
    "readonly",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers every member of a set.",
    complexity="O(N) where N is the set cardinality.",
)
def smembers(client: Client, argv: list[bytes]) -> Any:
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    return SetReply() if value is None else SetReply(value.members())


# -- random members --------------------------------------------------------------------


@command(
    "srandmember",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Answers one or more random members of a set, without removing them.",
    complexity=(
        "Without the count argument O(1), otherwise O(N) where N is the absolute value "
        "of the passed count."
    ),
)
def srandmember(client: Client, argv: list[bytes]) -> Any:
    if len(argv) == 3:
        return _srandmember_count(client, argv)
    if len(argv) > 3:
        raise CommandError(SYNTAX)
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    return None if value is None else value.random_member()


def _srandmember_count(client: Client, argv: list[bytes]) -> Any:
    """Valkey's cases: a negative count (or 1) draws with repeats; a count at least
    the size answers the whole set; a listpack answers a sample in its own order;
    otherwise a uniformly random subset in random order."""
    wanted = parse_int(argv[2])
    if wanted == INT64_MIN:
        raise CommandError(value_out_of_range(-INT64_MAX, INT64_MAX))
    distinct = wanted >= 0
    count = abs(wanted)
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    if value is None or count == 0:
        return []
    if not distinct or count == 1:
        if count > RANDOM_REPLY_LIMIT:
            raise CommandError(RANDOM_REPLY_TOO_LONG)
        if count == 1:
            return [value.random_member()]
        return value.random_members(count)
    if count >= len(value):
        return value.members()
    if value.encoding == LISTPACK:
        return value.ordered_sample(count)
    return value.distinct_sample(count)


@command(
    "spop",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="set",
    acl="@set",
    tips="nondeterministic_output",
    key_flags="RW access delete",
    summary="Removes and answers one or more random members of a set.",
    complexity=(
        "Without the count argument O(1), otherwise O(N) where N is the value of the "
        "passed count."
    ),
)
def spop(client: Client, argv: list[bytes]) -> Any:
    if len(argv) == 3:
        return _spop_count(client, argv)
    if len(argv) > 3:
        raise CommandError(SYNTAX)
    db = client.db
    key = argv[1]
    value: Set | None = db.lookup_typed(key, Set)
    if value is None:
        return None
    member = value.pop_random()
    db.notify(events.SET, "spop", key)
    if not len(value):
        db.delete(key)
        db.notify(events.GENERIC, "del", key)
    db.touch(key)
    return member


def _spop_count(client: Client, argv: list[bytes]) -> Any:
    count = parse_int(argv[2], VALUE_MUST_BE_POSITIVE)
    if count < 0:
        raise CommandError(VALUE_MUST_BE_POSITIVE)
    db = client.db
    key = argv[1]
    value: Set | None = db.lookup_typed(key, Set)
    if value is None or count == 0:
        return SetReply()
    size = len(value)
    db.notify(events.SET, "spop", key)
    if count >= size:
        # Valkey answers with SUNION of the key alone: a read of the key (a hit),
        # then the members in the order that union gives (the set's own order here).
        lookup_read(client, key)
        popped = value.members()
        db.delete(key)
        db.notify(events.GENERIC, "del", key)
        db.touch(key)
        return SetReply(popped)
    remaining = size - count
    if remaining * _SPOP_MOVE_STRATEGY_MUL > count:
        if value.encoding == LISTPACK:
            popped = value.ordered_sample(count)
            value.remove_all(popped)
        else:
            popped = [value.pop_random() for _ in range(count)]
    else:
        popped = _keep_few(client, value, remaining)
    db.touch(key)
    return SetReply(popped)


def _keep_few(client: Client, value: Set, remaining: int) -> list[bytes]:
    """SPOP's rewrite when few members stay: the ``remaining`` kept members, drawn at
    random, go into a new set (a listpack, or an intset when the set is one, growing
    as any set does); the set takes the new set's members and encoding, and the
    others, in the order the old set held them, are returned (the reply)."""
    bounds = limits(client)
    if value.encoding == LISTPACK:
        kept = value.ordered_sample(remaining)
        rebuilt = Set(LISTPACK)
        for member in kept:
            rebuilt.add(member, bounds)
        value.remove_all(kept)
    else:
        rebuilt = Set(INTSET if value.encoding == INTSET else LISTPACK)
        for _ in range(remaining):
            member = value.random_member()
            rebuilt.add(member, bounds)
            value.remove(member)
    popped = value.members()
    value.replace_with(rebuilt)
    return popped


# -- cursors -------------------------------------------------------------------------------


@command(
    "sscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="set",
    since="2.8.0",
    acl="@set",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Walks the members of a set with a cursor, optionally filtered by a pattern.",
    complexity=(
        "O(1) for every call. O(N) for a complete iteration, including enough command "
        "calls for the cursor to return back to 0. N is the number of elements inside "
        "the collection."
    ),
)
def sscan(client: Client, argv: list[bytes]) -> Any:
    cursor = parse_cursor(argv[2])
    value: Set | None = lookup_read_typed(client, argv[1], Set)
    if value is None:
        return EMPTY_SCAN
    options = parse_scan_args(argv, "set")
    if value.encoding != HASHTABLE:
        return scan_reply(0, [member for member in value if options.matches(member)])
    next_cursor, found = value.scan(cursor, options.count)
    if options.pattern is not None:
        found = [member for member in found if options.matches(member)]
    return scan_reply(next_cursor, found)
