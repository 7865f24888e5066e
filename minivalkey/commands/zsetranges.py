"""Sorted-set ranges: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE, the
older ZREVRANGE / ZRANGEBYSCORE / ZREVRANGEBYSCORE / ZRANGEBYLEX / ZREVRANGEBYLEX,
ZCOUNT, ZLEXCOUNT and ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX.

Every range is found by bisection in the ordered keys (O(log n)), then walked
(O(m)), reproducing Valkey 8.0.1's two code paths where they answer differently:

* LIMIT with a negative offset: a listpack walks past its end (nothing), a
  skiplist counts the offset from the other end of the range (zslNthInRange).
* Lexicographic ranges over members whose scores differ (the keys are then not
  ordered by member; Valkey calls the result unspecified): a listpack is scanned
  from its ends exactly as Valkey's zzlFirstInLexRange / zzlLastInLexRange scan
  it; a skiplist is bisected as if its members were ordered, which is what its
  search does when they are.
* A listpack keeps ``-0`` as ``0`` (see ``engine.zsets``).

Invariants: the options are read left to right with Valkey's conflict errors, then
the range, then the key (a missing key is an empty range, another type WRONGTYPE);
a walk checks each key against the bound it walks towards, as Valkey does.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.zsets import LISTPACK, Key, ZSet
from ..errors import SYNTAX, CommandError
from .args import option, parse_int
from .keys import lookup_read_typed
from .table import BeginIndex, FindRange, command, key_spec
from .zsetargs import LexRange, ScoreRange, parse_lex_range, parse_score_range
from .zsets import EMPTY_ARRAY, create, insert_new, limits, scored

if TYPE_CHECKING:
    from ..session import Client

LIMIT_NEEDS_BY = (
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
)
WITHSCORES_WITH_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"

AUTO, RANK, SCORE, LEX = 0, 1, 2, 3
FORWARD, REVERSE = 1, 2

Bounds = ScoreRange | LexRange


# -- finding ranges ------------------------------------------------------------------------------


def rank_bounds(size: int, start: int, end: int) -> tuple[int, int] | None:
    """Valkey's index sanitizing: (first, last) positions, inclusive, or None if empty."""
    if start < 0:
        start += size
    if end < 0:
        end += size
    start = max(start, 0)
    if start > end or start >= size:
        return None
    return start, min(end, size - 1)


def _checks(bounds: Bounds) -> tuple[Callable[[Key], bool], Callable[[Key], bool]]:
    """(at or above the lower bound, at or below the upper bound) for a key."""
    if isinstance(bounds, ScoreRange):
        return (lambda key: bounds.gte_min(key[0])), (lambda key: bounds.lte_max(key[0]))
    return (lambda key: bounds.gte_min(key[1])), (lambda key: bounds.lte_max(key[1]))


def _listpack_lex_edge(zset: ZSet, bounds: LexRange, last: bool) -> int | None:
    """zzlFirstInLexRange / zzlLastInLexRange: a scan from one end, after the same
    emptiness test Valkey makes on the ends."""
    if bounds.empty() or not bounds.gte_min(zset.last()[1]) or not bounds.lte_max(zset.first()[1]):
        return None
    if not last:
        for index, (_, member) in enumerate(zset):
            if bounds.gte_min(member):
                return index if bounds.lte_max(member) else None
        return None
    for index, (_, member) in enumerate(reversed(zset)):
        if bounds.lte_max(member):
            return len(zset) - 1 - index if bounds.gte_min(member) else None
    return None


def _edge(zset: ZSet, bounds: Bounds, last: bool) -> int | None:
    """Position of the first (or last) key in range, or None (an empty range)."""
    if len(zset) == 0:
        return None
    if isinstance(bounds, LexRange) and zset.encoding == LISTPACK:
        return _listpack_lex_edge(zset, bounds, last)
    return nth_in_range(zset, bounds, -1 if last else 0)


def _in_range_test(zset: ZSet, bounds: Bounds) -> bool:
    """zslIsInRange / zslIsInLexRange: the range may hold keys of the set."""
    if bounds.empty() or not len(zset):
        return False
    gte_min, lte_max = _checks(bounds)
    return gte_min(zset.last()) and lte_max(zset.first())


def nth_in_range(zset: ZSet, bounds: Bounds, n: int) -> int | None:
    """zslNthInRange / zslNthInLexRange: the n-th key in range (negative n counts from
    the last one), or None when that key is out of range."""
    if not _in_range_test(zset, bounds):
        return None
    gte_min, lte_max = _checks(bounds)
    if n >= 0:
        index = bounds.lo(zset) + n
        if index >= len(zset) or not lte_max(zset.at(index)):
            return None
    else:
        index = bounds.hi(zset) + n
        if index < 0 or not gte_min(zset.at(index)):
            return None
    return index


def range_keys(zset: ZSet, bounds: Bounds, offset: int, limit: int, reverse: bool) -> list[Key]:
    """The keys ZRANGE BYSCORE / BYLEX answers (genericZrangebyscoreCommand and
    genericZrangebylexCommand): ``limit`` < 0 means no limit."""
    if isinstance(bounds, ScoreRange) and offset > 0 and offset >= len(zset):
        return []
    if zset.encoding == LISTPACK:
        start = _edge(zset, bounds, reverse)
        if start is None or offset < 0:
            return []  # a negative offset walks the listpack off its end
        start = start - offset if reverse else start + offset
        if start < 0 or start >= len(zset):
            return []
    else:
        found = nth_in_range(zset, bounds, -offset - 1 if reverse else offset)
        if found is None:
            return []
        start = found
    if limit == 0:
        return []
    gte_min, lte_max = _checks(bounds)
    in_range = gte_min if reverse else lte_max
    walk = zset.iter_from(start, reverse)
    if limit > 0:
        walk = islice(walk, limit)
    keys: list[Key] = []
    for key in walk:
        if not in_range(key):
            break
        keys.append(key)
    return keys


def _run_length(zset: ZSet, start: int, lte_max: Callable[[Key], bool]) -> int:
    count = 0
    for key in zset.iter_from(start):
        if not lte_max(key):
            break
        count += 1
    return count


def count_in_range(zset: ZSet, bounds: Bounds) -> int:
    """ZCOUNT / ZLEXCOUNT."""
    if zset.encoding == LISTPACK:
        start = _edge(zset, bounds, False)
        if start is None:
            return 0
        if isinstance(bounds, ScoreRange):
            return bounds.hi(zset) - start
        return _run_length(zset, start, _checks(bounds)[1])
    first = nth_in_range(zset, bounds, 0)
    if first is None:
        return 0
    last = nth_in_range(zset, bounds, -1)
    return (last + 1 if last is not None else len(zset)) - first


def removal_range(zset: ZSet, bounds: Bounds) -> tuple[int, int]:
    """Positions [start, stop) ZREMRANGEBYSCORE / ZREMRANGEBYLEX remove: from the first
    key in range while keys stay at or below the upper bound."""
    lte_max = _checks(bounds)[1]
    if zset.encoding == LISTPACK:
        first = _edge(zset, bounds, False)
        if first is None:
            return 0, 0
        start = first
    else:
        start = bounds.lo(zset)
    if isinstance(bounds, ScoreRange):
        return start, max(start, bounds.hi(zset))
    return start, start + (_run_length(zset, start, lte_max) if start < len(zset) else 0)


# -- ZRANGE and friends ---------------------------------------------------------------------------


class RangeRequest:
    __slots__ = (
        "key", "kind", "reverse", "withscores", "offset", "limit", "start", "end", "bounds",
    )

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.kind = RANK
        self.reverse = False
        self.withscores = False
        self.offset = 0
        self.limit = -1
        self.start = 0
        self.end = 0
        self.bounds: Bounds | None = None


def parse_range(
    argv: list[bytes], first: int, store: bool, kind: int, direction: int
) -> RangeRequest:
    """zrangeGenericCommand's reading of ``<src> <min> <max> [options]`` from ``argv[first]``."""
    request = RangeRequest(argv[first])
    min_at, max_at = first + 1, first + 2
    argc = len(argv)
    index = first + 3
    while index < argc:
        word = option(argv[index])
        left = argc - index - 1
        if not store and word == b"withscores":
            request.withscores = True
        elif word == b"limit" and left >= 2:
            request.offset = parse_int(argv[index + 1])
            request.limit = parse_int(argv[index + 2])
            index += 2
        elif direction == AUTO and word == b"rev":
            direction = REVERSE
        elif kind == AUTO and word == b"bylex":
            kind = LEX
        elif kind == AUTO and word == b"byscore":
            kind = SCORE
        else:
            raise CommandError(SYNTAX)
        index += 1
    if direction == AUTO:
        direction = FORWARD
    if kind == AUTO:
        kind = RANK
    if request.limit != -1 and kind == RANK:
        raise CommandError(LIMIT_NEEDS_BY)
    if request.withscores and kind == LEX:
        raise CommandError(WITHSCORES_WITH_BYLEX)
    request.kind = kind
    request.reverse = direction == REVERSE
    if request.reverse and kind != RANK:
        min_at, max_at = max_at, min_at
    if kind == RANK:
        request.start = parse_int(argv[min_at])
        request.end = parse_int(argv[max_at])
    elif kind == SCORE:
        request.bounds = parse_score_range(argv[min_at], argv[max_at])
    else:
        request.bounds = parse_lex_range(argv[min_at], argv[max_at])
    return request


def select(zset: ZSet, request: RangeRequest) -> list[Key]:
    """The keys of ``zset`` the request names, in the order they are answered."""
    if request.kind == RANK:
        bounds = rank_bounds(len(zset), request.start, request.end)
        if bounds is None:
            return []
        first, last = bounds
        if request.reverse:
            return zset.rev_slice(first, last + 1)
        return zset.slice(first, last + 1)
    assert request.bounds is not None
    return range_keys(zset, request.bounds, request.offset, request.limit, request.reverse)


def _reply_range(client: Client, argv: list[bytes], kind: int, direction: int) -> Any:
    request = parse_range(argv, 1, False, kind, direction)
    zset: ZSet | None = lookup_read_typed(client, request.key, ZSet)
    if zset is None:
        return EMPTY_ARRAY
    return scored(client, select(zset, request), request.withscores)


_RANGE_DOC = dict(
    group="sorted-set",
    acl="@sortedset",
    keys=(1, 1, 1),
    key_flags="RO access",
)
_RANGE_COMPLEXITY = (
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements returned."
)
_BY_COMPLEXITY = (
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
    "with LIMIT), you can consider it O(log(N))."
)


@command(
    "zrange",
    -4,
    "readonly",
    since="1.2.0",
    summary="Answers the members of a sorted set in a range of positions, scores or "
    "members, in either direction.",
    complexity=_RANGE_COMPLEXITY,
    **_RANGE_DOC,  # type: ignore[arg-type]
)
def zrange(client: Client, argv: list[bytes]) -> Any:
    return _reply_range(client, argv, AUTO, AUTO)


@command(
    "zrevrange",
    -4,
    "readonly",
    since="1.2.0",
    summary="Answers the members of a sorted set in a range of positions, from the "
    "highest score (deprecated: ZRANGE ... REV).",
    complexity=_RANGE_COMPLEXITY,
    **_RANGE_DOC,  # type: ignore[arg-type]
)
def zrevrange(client: Client, argv: list[bytes]) -> Any:
    return _reply_range(client, argv, RANK, REVERSE)


@command(
    "zrangebyscore",
    -4,
    "readonly",
    since="1.0.5",
    summary="Answers the members of a sorted set within a range of scores "
    "(deprecated: ZRANGE ... BYSCORE).",
    complexity=_BY_COMPLEXITY,
    **_RANGE_DOC,  # type: ignore[arg-type]
)
def zrangebyscore(client: Client, argv: list[bytes]) -> Any:
    return _reply_range(client, argv, SCORE, FORWARD)


@command(
    "zrevrangebyscore",
    -4,
    "readonly",
    since="2.2.0",
    summary="Answers the members of a sorted set within a range of scores, from the "
    "highest (deprecated: ZRANGE ... BYSCORE REV).",
    complexity=_BY_COMPLEXITY,
    **_RANGE_DOC,  # type: ignore[arg-type]
)
def zrevrangebyscore(client: Client, argv: list[bytes]) -> Any:
    return _reply_range(client, argv, SCORE, REVERSE)


@command(
    "zrangebylex",
    -4,
    "readonly",
    since="2.8.9",
    summary="Answers the members of a sorted set within a lexicographical range "
    "(deprecated: ZRANGE ... BYLEX).",
    complexity=_BY_COMPLEXITY,
    **_RANGE_DOC,  # type: ignore[arg-type]
)
def zrangebylex(client: Client, argv: list[bytes]) -> Any:
    return _reply_range(client, argv, LEX, FORWARD)


@command(
    "zrevrangebylex",
    -4,
    "readonly",
    since="2.8.9",
    summary="Answers the members of a sorted set within a lexicographical range, from the "
    "highest (deprecated: ZRANGE ... BYLEX REV).",
    complexity=_BY_COMPLEXITY,
    **_RANGE_DOC,  # type: ignore[arg-type]
)
def zrevrangebylex(client: Client, argv: list[bytes]) -> Any:
    return _reply_range(client, argv, LEX, REVERSE)


@command(
    "zrangestore",
    -5,
    "write denyoom",
    keys=(1, 2, 1),
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    key_specs=(
        key_spec("OW update", BeginIndex(1), FindRange(0, 1, 0)),
        key_spec("RO access", BeginIndex(2), FindRange(0, 1, 0)),
    ),
    summary="Stores a range of a sorted set (positions, scores or members) in another key.",
    complexity="O(log(N)+M) with N being the number of elements in the sorted set and M the "
    "number of elements stored into the destination key.",
)
def zrangestore(client: Client, argv: list[bytes]) -> Any:
    request = parse_range(argv, 2, True, AUTO, AUTO)
    zset: ZSet | None = lookup_read_typed(client, request.key, ZSet)
    keys = select(zset, request) if zset is not None else []
    db = client.db
    destination = argv[1]
    if not keys:
        if db.delete(destination):
            db.notify(events.GENERIC, "del", destination)
        return 0
    # Built member by member as Valkey builds it: a rank range of more members than a
    # listpack holds starts as a skiplist, anything else as a listpack that converts
    # when it grows past the limits.
    result = create(client, len(keys) if request.kind == RANK else 0, 0)
    entries, value = limits(client)
    for score, member in keys:
        insert_new(result, member, score, entries, value)
    db.set(destination, result)
    db.notify(events.ZSET, "zrangestore", destination)
    return len(keys)


# -- ZCOUNT, ZLEXCOUNT -----------------------------------------------------------------------------


@command(
    "zcount",
    4,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    acl="@sortedset",
    key_flags="RO access",
    summary="Answers how many members of a sorted set have a score within a range.",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
)
def zcount(client: Client, argv: list[bytes]) -> Any:
    bounds = parse_score_range(argv[2], argv[3])
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    return count_in_range(zset, bounds) if zset is not None else 0


@command(
    "zlexcount",
    4,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.9",
    acl="@sortedset",
    key_flags="RO access",
    summary="Answers how many members of a sorted set are within a lexicographical range.",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
)
def zlexcount(client: Client, argv: list[bytes]) -> Any:
    bounds = parse_lex_range(argv[2], argv[3])
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    return count_in_range(zset, bounds) if zset is not None else 0


# -- ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX --------------------------------------------


def _zremrange(client: Client, argv: list[bytes], kind: int) -> Any:
    bounds: Bounds | None = None
    start = end = 0
    if kind == RANK:
        event = "zremrangebyrank"
        start = parse_int(argv[2])
        end = parse_int(argv[3])
    elif kind == SCORE:
        event = "zremrangebyscore"
        bounds = parse_score_range(argv[2], argv[3])
    else:
        event = "zremrangebylex"
        bounds = parse_lex_range(argv[2], argv[3])
    db = client.db
    key = argv[1]
    zset: ZSet | None = db.lookup_typed(key, ZSet)
    if zset is None:
        return 0
    if bounds is None:
        positions = rank_bounds(len(zset), start, end)
        if positions is None:
            return 0
        first, stop = positions[0], positions[1] + 1
    else:
        first, stop = removal_range(zset, bounds)
    deleted = len(zset.delete_range(first, stop))
    removed_key = False
    if not len(zset):
        db.delete(key)
        removed_key = True
    if deleted:
        db.touch(key)
        db.notify(events.ZSET, event, key)
        if removed_key:
            db.notify(events.GENERIC, "del", key)
    return deleted


_REMRANGE_COMPLEXITY = (
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
    "elements removed by the operation."
)


@command(
    "zremrangebyrank",
    4,
    "write",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    acl="@sortedset",
    key_flags="RW delete",
    summary="Removes the members of a sorted set within a range of positions.",
    complexity=_REMRANGE_COMPLEXITY,
)
def zremrangebyrank(client: Client, argv: list[bytes]) -> Any:
    return _zremrange(client, argv, RANK)


@command(
    "zremrangebyscore",
    4,
    "write",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    acl="@sortedset",
    key_flags="RW delete",
    summary="Removes the members of a sorted set within a range of scores.",
    complexity=_REMRANGE_COMPLEXITY,
)
def zremrangebyscore(client: Client, argv: list[bytes]) -> Any:
    return _zremrange(client, argv, SCORE)


@command(
    "zremrangebylex",
    4,
    "write",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.9",
    acl="@sortedset",
    key_flags="RW delete",
    summary="Removes the members of a sorted set within a lexicographical range.",
    complexity=_REMRANGE_COMPLEXITY,
)
def zremrangebylex(client: Client, argv: list[bytes]) -> Any:
    return _zremrange(client, argv, LEX)
