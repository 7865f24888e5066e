"""Set algebra over several keys: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
SDIFF, SDIFFSTORE.

Invariants:
* Every source key is read as Valkey's lookupKeyRead does (a keyspace hit or miss
  each, in argument order), and the first one holding another type answers
  WRONGTYPE before anything changes; a missing key is an empty set. The
  destination of a STORE is never type-checked: it is overwritten (its TTL goes)
  or, when the result is empty, deleted (a ``del`` event if it existed).
* The result is built as Valkey builds it, so its encoding is Valkey's:
  - intersection: members of the smallest set (the sort by size is stable) that
    every other set holds, in that set's order, into an intset when the smallest
    set is one and a listpack otherwise; a result of integers only ends as an
    intset when the intset limit allows;
  - union and difference: into an intset, except for the replies of SUNION and
    SDIFF with a listpack or hashtable source, built in a hashtable; the
    difference picks Valkey's algorithm (members of the first set not in the
    others, or all of the first set less each other set's members) from the sizes,
    which decides the encoding the stored result passes through.
* Replies of SINTER, SUNION and SDIFF are sets (RESP3 ``~``) in the result's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.sets import HASHTABLE, INTSET, LISTPACK, Set, as_int64
from ..errors import SYNTAX, WRONGTYPE, CommandError
from ..replies import Set as SetReply
from .args import option, parse_int
from .keys import lookup_read
from .sets import limits
from .table import BeginIndex, FindKeynum, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
NUMKEYS_PAST_ARGS = "ERR Number of keys can't be greater than number of args"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"

_UNION, _DIFF = "sunionstore", "sdiffstore"

_STORE_SPECS = (
    key_spec("OW update", BeginIndex(1), FindRange(0)),
    key_spec("RO access", BeginIndex(2), FindRange(-1)),
)


def _read_sets(client: Client, keys: list[bytes]) -> list[Set | None]:
    """The sets at ``keys`` (``None`` for a missing key); WRONGTYPE at the first other type."""
    found: list[Set | None] = []
    for key in keys:
        value = lookup_read(client, key)
        if value is not None and type(value) is not Set:
            raise CommandError(WRONGTYPE)
        found.append(value)
    return found


def _store(client: Client, key: bytes, result: Set, event: str) -> int:
    """Keep a non-empty result at ``key``, or delete ``key`` for an empty one."""
    db = client.db
    if len(result):
        db.set(key, result)
        db.notify(events.SET, event, key)
        return len(result)
    if db.delete(key):
        db.notify(events.GENERIC, "del", key)
    return 0


# -- intersection ----------------------------------------------------------------------


def _intersection(sets: list[Set]) -> tuple[Set, list[Set]]:
    """The smallest set and the others to test its members against."""
    ordered = sorted(sets, key=len)
    first = ordered[0]
    return first, [other for other in ordered[1:] if other is not first]


def _common(first: Set, others: list[Set]) -> list[bytes]:
    if not others:
        return first.members()
    return [member for member in first if all(member in other for other in others)]


def _sinter_store(client: Client, key: bytes, sets: list[Set | None]) -> int:
    if None in sets:
        return _store(client, key, Set(), "sinterstore")
    first, others = _intersection(sets)  # type: ignore[arg-type]
    bounds = limits(client)
    result = Set(INTSET if first.encoding == INTSET else LISTPACK)
    only_integers = True
    for member in _common(first, others):
        if only_integers and first.encoding != INTSET and as_int64(member) is None:
            only_integers = False
        result.add(member, bounds)
    if len(result) and only_integers:
        result.to_intset_if_fits(bounds)
    return _store(client, key, result, "sinterstore")


@command(
    "sinter",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="set",
    acl="@set",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers the members every given set holds.",
    complexity=(
        "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
        "number of sets."
    ),
)
def sinter(client: Client, argv: list[bytes]) -> Any:
    sets = _read_sets(client, argv[1:])
    if None in sets:
        return SetReply()
    first, others = _intersection(sets)  # type: ignore[arg-type]
    return SetReply(_common(first, others))


@command(
    "sinterstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    group="set",
    acl="@set",
    key_specs=_STORE_SPECS,
    summary="Stores the members every given set holds at a key; answers how many.",
    complexity=(
        "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
        "number of sets."
    ),
)
def sinterstore(client: Client, argv: list[bytes]) -> Any:
    return _sinter_store(client, argv[1], _read_sets(client, argv[2:]))


@command(
    "sintercard",
    -3,
    "readonly",
    group="set",
    since="7.0.0",
    acl="@set",
    key_specs=(key_spec("RO access", BeginIndex(1), FindKeynum(0, 1, 1)),),
    summary="Answers how many members every given set holds, counting up to a limit.",
    complexity=(
        "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
        "number of sets."
    ),
)
def sintercard(client: Client, argv: list[bytes]) -> Any:
    numkeys = parse_int(argv[1], NUMKEYS_NOT_POSITIVE)
    if numkeys < 1:
        raise CommandError(NUMKEYS_NOT_POSITIVE)
    argc = len(argv)
    if numkeys > argc - 2:
        raise CommandError(NUMKEYS_PAST_ARGS)
    limit = 0
    position = 2 + numkeys
    while position < argc:
        if option(argv[position]) == b"limit" and position + 1 < argc:
            position += 1
            limit = parse_int(argv[position], LIMIT_NEGATIVE)
            if limit < 0:
                raise CommandError(LIMIT_NEGATIVE)
        else:
            raise CommandError(SYNTAX)
        position += 1
    sets = _read_sets(client, argv[2 : 2 + numkeys])
    if None in sets:
        return 0
    first, others = _intersection(sets)  # type: ignore[arg-type]
    cardinality = 0
    for member in first:
        if all(member in other for other in others):
            cardinality += 1
            if cardinality == limit:
                break
    return cardinality


# -- union and difference ----------------------------------------------------------------


def _union_or_diff(client: Client, sets: list[Set | None], op: str, store: bool) -> Set:
    """The result set, built as Valkey's sunionDiffGenericCommand builds it."""
    encoding = INTSET
    if not store and any(s is not None and s.encoding != INTSET for s in sets):
        encoding = HASHTABLE
    result = Set(encoding)
    bounds = limits(client)
    add, remove = result.add, result.remove
    first = sets[0]
    if op == _UNION:
        for source in sets:
            if source is not None:
                for member in source:
                    add(member, bounds)
        return result
    if first is None or any(source is first for source in sets[1:]):
        return result  # nothing to subtract from, or the first set subtracted from itself
    others = [source for source in sets[1:] if source is not None]
    first_work = len(first) * (len(others) + 1) // 2
    other_work = len(first) + sum(len(source) for source in others)
    if first_work <= other_work:
        # Each member of the first set not in another (largest sets tested first).
        others.sort(key=len, reverse=True)
        for member in first:
            if not any(member in source for source in others):
                add(member, bounds)
    else:
        # All of the first set, less the members of each other set in turn.
        for member in first:
            add(member, bounds)
        for source in others:
            for member in source:
                remove(member)
            if not len(result):
                break
    return result


def _union_diff_reply(client: Client, argv: list[bytes], op: str) -> Any:
    sets = _read_sets(client, argv[1:])
    return SetReply(_union_or_diff(client, sets, op, store=False).members())


def _union_diff_store(client: Client, argv: list[bytes], op: str) -> Any:
    sets = _read_sets(client, argv[2:])
    return _store(client, argv[1], _union_or_diff(client, sets, op, store=True), op)


@command(
    "sunion",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="set",
    acl="@set",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers the members any of the given sets holds.",
    complexity="O(N) where N is the total number of elements in all given sets.",
)
def sunion(client: Client, argv: list[bytes]) -> Any:
    return _union_diff_reply(client, argv, _UNION)


@command(
    "sunionstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    group="set",
    acl="@set",
    key_specs=_STORE_SPECS,
    summary="Stores the members any of the given sets holds at a key; answers how many.",
    complexity="O(N) where N is the total number of elements in all given sets.",
)
def sunionstore(client: Client, argv: list[bytes]) -> Any:
    return _union_diff_store(client, argv, _UNION)


@command(
    "sdiff",
    -2,
    "readonly",
    keys=(1, -1, 1),
    group="set",
    acl="@set",
    tips="nondeterministic_output_order",
    key_flags="RO access",
    summary="Answers the members of the first set that none of the other sets holds.",
    complexity="O(N) where N is the total number of elements in all given sets.",
)
def sdiff(client: Client, argv: list[bytes]) -> Any:
    return _union_diff_reply(client, argv, _DIFF)


@command(
    "sdiffstore",
    -3,
    "write denyoom",
    keys=(1, -1, 1),
    group="set",
    acl="@set",
    key_specs=_STORE_SPECS,
    summary=(
        "Stores the members of the first set that none of the other sets holds at a key; "
        "answers how many."
    ),
    complexity="O(N) where N is the total number of elements in all given sets.",
)
def sdiffstore(client: Client, argv: list[bytes]) -> Any:
    return _union_diff_store(client, argv, _DIFF)
