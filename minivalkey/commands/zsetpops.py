"""Sorted-set pops: ZPOPMIN, ZPOPMAX, ZMPOP, and the popping the blocking forms share.

Invariants (Valkey 8.0.1's t_zset.c genericZpopCommand):
* Every argument is checked before the first change; write lookups (no hit/miss stats).
* A pop names its event (``zpopmin`` / ``zpopmax``), and a set it empties is deleted
  with the ``del`` event after it; WATCH sees every pop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.zsets import Key, ZSet
from ..errors import SYNTAX, CommandError
from ..replies import NULL_ARRAY
from .args import option, parse_int_or_none
from .table import BeginIndex, FindKeynum, command, key_spec
from .zsets import (
    COUNT_NOT_POSITIVE,
    EMPTY_ARRAY,
    NOT_POSITIVE,
    NUMKEYS_NOT_POSITIVE,
    flat_pairs,
    nested_pairs,
    numkeys_finder,
)

if TYPE_CHECKING:
    from ..session import Client

# -- ZPOPMIN, ZPOPMAX, ZMPOP -----------------------------------------------------------------------

MIN, MAX = 0, 1
_POP_EVENTS = ("zpopmin", "zpopmax")


def pop(client: Client, key: bytes, zset: ZSet, where: int, count: int) -> list[Key]:
    """Remove up to ``count`` members from one end of a non-empty set, with the events
    and the deletion of an emptied key (Valkey's genericZpopCommand)."""
    db = client.db
    keys = zset.pop_first(count) if where == MIN else zset.pop_last(count)
    db.notify(events.ZSET, _POP_EVENTS[where], key)
    if not len(zset):
        db.delete(key)
        db.notify(events.GENERIC, "del", key)
    db.touch(key)
    return keys


def first_existing(client: Client, keys: list[bytes]) -> tuple[bytes, ZSet] | None:
    """The first of ``keys`` holding a set (write lookups); WRONGTYPE for the first other
    value met before it."""
    db = client.db
    for key in keys:
        zset: ZSet | None = db.lookup_typed(key, ZSet)
        if zset is not None:
            return key, zset
    return None


def _zpop(client: Client, argv: list[bytes], where: int) -> Any:
    if len(argv) > 3:
        raise CommandError(SYNTAX)
    count = -1
    if len(argv) == 3:
        value = parse_int_or_none(argv[2])
        if value is None or value < 0:
            raise CommandError(NOT_POSITIVE)
        count = value
    found = first_existing(client, [argv[1]])
    if found is None or count == 0:
        return EMPTY_ARRAY
    key, zset = found
    keys = pop(client, key, zset, where, 1 if count == -1 else count)
    if client.protocol == 3 and count != -1:
        return nested_pairs(3, keys)
    return flat_pairs(client.protocol, keys)


@command(
    "zpopmin",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="5.0.0",
    acl="@sortedset",
    key_flags="RW access delete",
    summary="Removes and answers the members with the lowest scores of a sorted set.",
    complexity="O(log(N)*M) with N being the number of elements in the sorted set, and M "
    "being the number of elements popped.",
)
def zpopmin(client: Client, argv: list[bytes]) -> Any:
    return _zpop(client, argv, MIN)


@command(
    "zpopmax",
    -2,
    "write fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="5.0.0",
    acl="@sortedset",
    key_flags="RW access delete",
    summary="Removes and answers the members with the highest scores of a sorted set.",
    complexity="O(log(N)*M) with N being the number of elements in the sorted set, and M "
    "being the number of elements popped.",
)
def zpopmax(client: Client, argv: list[bytes]) -> Any:
    return _zpop(client, argv, MAX)


class MpopRequest:
    """A parsed ZMPOP / BZMPOP: its keys, which end, how many members."""

    __slots__ = ("keys", "where", "count")

    def __init__(self, keys: list[bytes], where: int, count: int) -> None:
        self.keys = keys
        self.where = where
        self.count = count


def parse_mpop(argv: list[bytes], numkeys_at: int) -> MpopRequest:
    """``numkeys key... MIN|MAX [COUNT count]`` from ``argv[numkeys_at]`` (zmpopGenericCommand)."""
    numkeys = parse_int_or_none(argv[numkeys_at])
    if numkeys is None or numkeys < 1:
        raise CommandError(NUMKEYS_NOT_POSITIVE)
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise CommandError(SYNTAX)
    word = option(argv[where_at])
    if word == b"min":
        where = MIN
    elif word == b"max":
        where = MAX
    else:
        raise CommandError(SYNTAX)
    count = -1
    index = where_at + 1
    while index < len(argv):
        if count == -1 and option(argv[index]) == b"count" and index + 1 < len(argv):
            index += 1
            value = parse_int_or_none(argv[index])
            if value is None or value < 1:
                raise CommandError(COUNT_NOT_POSITIVE)
            count = value
        else:
            raise CommandError(SYNTAX)
        index += 1
    return MpopRequest(argv[numkeys_at + 1 : where_at], where, 1 if count == -1 else count)


def serve_mpop(client: Client, key: bytes, zset: ZSet, request: MpopRequest) -> list[Any]:
    keys = pop(client, key, zset, request.where, request.count)
    return [key, nested_pairs(client.protocol, keys)]


@command(
    "zmpop",
    -4,
    "write",
    group="sorted-set",
    since="7.0.0",
    acl="@sortedset",
    key_specs=(key_spec("RW access delete", BeginIndex(1), FindKeynum(0, 1, 1)),),
    getkeys=numkeys_finder(0, 1, 2),
    summary="Removes and answers members with the lowest or highest scores from the first "
    "non-empty sorted set of the keys given.",
    complexity="O(K) + O(M*log(N)) where K is the number of provided keys, N being the "
    "number of elements in the sorted set, and M being the number of elements popped.",
)
def zmpop(client: Client, argv: list[bytes]) -> Any:
    request = parse_mpop(argv, 1)
    found = first_existing(client, request.keys)
    if found is None:
        return NULL_ARRAY
    return serve_mpop(client, found[0], found[1], request)
