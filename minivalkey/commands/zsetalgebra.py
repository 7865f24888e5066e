"""Sorted-set algebra: ZUNION, ZINTER, ZDIFF, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and
ZINTERCARD (Valkey 8.0.1's zunionInterDiffGenericCommand).

Inputs may be sorted sets or plain sets; a set's members score 1. Each input's score
is multiplied by its weight (WEIGHTS, default 1); a product that is NaN (an infinite
score times a weight of 0) counts as 0 for the first input a member is met in, but
is aggregated as it is afterwards. AGGREGATE SUM (NaN from +inf + -inf becomes 0),
MIN or MAX combine the products; MIN and MAX ignore a NaN.

Invariants:
* Checks in Valkey's order: numkeys (an integer, at least 1, not more than the
  arguments left), then every key (read lookups, counted as hits or misses;
  WRONGTYPE for anything but a set or sorted set), then the options left to right.
* For union and intersection the inputs are taken from the smallest to the largest
  (a stable sort, as glibc's qsort is for these sizes): that order decides how
  sums and NaNs combine. The difference keeps the argument order.
* A stored result replaces the destination (its TTL goes); it is a listpack when it
  fits the limits, else a skiplist. An empty result deletes the destination.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import events
from ..engine.types import type_name
from ..engine.zsets import LISTPACK, SKIPLIST, ZSet
from ..errors import SYNTAX, WRONGTYPE, CommandError
from .args import option, parse_int, parse_int_or_none
from .keys import lookup_read
from .table import BeginIndex, FindKeynum, FindRange, command, key_spec
from .zsetargs import parse_score
from .zsets import limits, numkeys_finder, scored

if TYPE_CHECKING:
    from ..session import Client

WEIGHT_NOT_FLOAT = "ERR weight value is not a float"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"

UNION, INTER, DIFF = 0, 1, 2
SUM, MIN, MAX = 0, 1, 2
_AGGREGATES = {b"sum": SUM, b"min": MIN, b"max": MAX}
_STORE_EVENTS = ("zunionstore", "zinterstore", "zdiffstore")


class Source:
    """One input: its scores (a dict, or ``None`` for a missing key) or a set's members."""

    __slots__ = ("scores", "members", "weight")

    def __init__(self, value: Any) -> None:
        self.weight = 1.0
        self.scores: dict[bytes, float] | None = None
        self.members: Any = None
        if isinstance(value, ZSet):
            self.scores = value.scores
        elif value is not None:
            self.members = value

    def __len__(self) -> int:
        if self.scores is not None:
            return len(self.scores)
        return len(self.members) if self.members is not None else 0

    def items(self) -> Iterable[tuple[bytes, float]]:
        if self.scores is not None:
            return self.scores.items()
        if self.members is not None:
            return ((member, 1.0) for member in self.members)
        return ()

    def find(self, member: bytes) -> float | None:
        if self.scores is not None:
            return self.scores.get(member)
        if self.members is not None and member in self.members:
            return 1.0
        return None


def _aggregate(target: float, value: float, how: int) -> float:
    if how == SUM:
        total = target + value
        return 0.0 if total != total else total
    if how == MIN:
        return value if value < target else target
    return value if value > target else target


def _weighted(score: float, weight: float) -> float:
    product = weight * score
    return 0.0 if product != product else product


def _union(sources: list[Source], how: int) -> dict[bytes, float]:
    result: dict[bytes, float] = {}
    for source in sources:
        weight = source.weight
        for member, score in source.items():
            value = _weighted(score, weight)
            current = result.get(member)
            result[member] = value if current is None else _aggregate(current, value, how)
    return result


def _inter(sources: list[Source], how: int, limit: int = 0) -> dict[bytes, float]:
    result: dict[bytes, float] = {}
    smallest, others = sources[0], sources[1:]
    if not len(smallest):
        return result
    for member, score in smallest.items():
        total = _weighted(score, smallest.weight)
        for source in others:
            found = source.find(member)
            if found is None:
                break
            total = _aggregate(total, found * source.weight, how)
        else:
            result[member] = total
            if limit and len(result) >= limit:
                break
    return result


def _diff(sources: list[Source]) -> dict[bytes, float]:
    first, others = sources[0], sources[1:]
    return {
        member: score
        for member, score in first.items()
        if all(source.find(member) is None for source in others)
    }


def _parse(
    client: Client, argv: list[bytes], name: str, op: int, store: bool, card_only: bool
) -> tuple[list[Source], int, bool, int]:
    """(sources, aggregate, withscores, limit) with every check in Valkey's order."""
    numkeys_at = 2 if store else 1
    count = parse_int(argv[numkeys_at])
    if count < 1:
        raise CommandError(f"ERR at least 1 input key is needed for '{name}' command")
    first_key = numkeys_at + 1
    if count > len(argv) - first_key:
        raise CommandError(SYNTAX)
    sources: list[Source] = []
    for key in argv[first_key : first_key + count]:
        value = lookup_read(client, key)
        if value is not None and not isinstance(value, ZSet) and type_name(value) != "set":
            raise CommandError(WRONGTYPE)
        sources.append(Source(value))
    how = SUM
    withscores = False
    limit = 0
    index = first_key + count
    argc = len(argv)
    while index < argc:
        remaining = argc - index
        word = option(argv[index])
        if op != DIFF and not card_only and remaining >= count + 1 and word == b"weights":
            for source, raw in zip(sources, argv[index + 1 : index + 1 + count], strict=True):
                source.weight = parse_score(raw, WEIGHT_NOT_FLOAT)
            index += count + 1
        elif op != DIFF and not card_only and remaining >= 2 and word == b"aggregate":
            chosen = _AGGREGATES.get(option(argv[index + 1]))
            if chosen is None:
                raise CommandError(SYNTAX)
            how = chosen
            index += 2
        elif not store and not card_only and word == b"withscores":
            withscores = True
            index += 1
        elif card_only and remaining >= 2 and word == b"limit":
            value = parse_int_or_none(argv[index + 1])
            if value is None or value < 0:
                raise CommandError(LIMIT_NEGATIVE)
            limit = value
            index += 2
        else:
            raise CommandError(SYNTAX)
    return sources, how, withscores, limit


def _compute(sources: list[Source], op: int, how: int) -> dict[bytes, float]:
    if op == DIFF:
        return _diff(sources)
    ordered = sorted(sources, key=len)  # stable, as glibc's qsort (a merge sort) here
    return _union(ordered, how) if op == UNION else _inter(ordered, how)


def _generic(client: Client, argv: list[bytes], name: str, op: int, store: bool) -> Any:
    sources, how, withscores, _ = _parse(client, argv, name, op, store, False)
    result = _compute(sources, op, how)
    keys = sorted((score, member) for member, score in result.items())
    if not store:
        return scored(client, keys, withscores)
    db = client.db
    destination = argv[1]
    if not keys:
        if db.delete(destination):
            db.notify(events.GENERIC, "del", destination)
        return 0
    entries, value = limits(client)
    longest = max(map(len, result))
    total = sum(map(len, result))
    fits = len(keys) <= entries and longest <= value and total <= 1 << 30
    db.set(destination, ZSet.from_sorted(keys, LISTPACK if fits else SKIPLIST))
    db.notify(events.ZSET, _STORE_EVENTS[op], destination)
    return len(keys)


_READ_SPECS = (key_spec("RO access", BeginIndex(1), FindKeynum(0, 1, 1)),)
_STORE_SPECS = (
    key_spec("OW update", BeginIndex(1), FindRange(0, 1, 0)),
    key_spec("RO access", BeginIndex(2), FindKeynum(0, 1, 1)),
)
_UNION_COMPLEXITY = (
    "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M "
    "being the number of elements in the resulting sorted set."
)
_INTER_COMPLEXITY = (
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
    "number of input sorted sets and M being the number of elements in the resulting sorted set."
)
_DIFF_COMPLEXITY = (
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, "
    "N is the size of the first set, and K is the size of the result set."
)


@command(
    "zunion",
    -3,
    "readonly",
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    key_specs=_READ_SPECS,
    getkeys=numkeys_finder(0, 1, 2),
    summary="Answers the union of sorted sets (and sets), with weighted, aggregated scores.",
    complexity=_UNION_COMPLEXITY,
)
def zunion(client: Client, argv: list[bytes]) -> Any:
    return _generic(client, argv, "zunion", UNION, store=False)


@command(
    "zinter",
    -3,
    "readonly",
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    key_specs=_READ_SPECS,
    getkeys=numkeys_finder(0, 1, 2),
    summary="Answers the intersection of sorted sets (and sets), with weighted, aggregated "
    "scores.",
    complexity=_INTER_COMPLEXITY,
)
def zinter(client: Client, argv: list[bytes]) -> Any:
    return _generic(client, argv, "zinter", INTER, store=False)


@command(
    "zdiff",
    -3,
    "readonly",
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    key_specs=_READ_SPECS,
    getkeys=numkeys_finder(0, 1, 2),
    summary="Answers the members of the first sorted set that are in none of the others.",
    complexity=_DIFF_COMPLEXITY,
)
def zdiff(client: Client, argv: list[bytes]) -> Any:
    return _generic(client, argv, "zdiff", DIFF, store=False)


@command(
    "zunionstore",
    -4,
    "write denyoom",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    acl="@sortedset",
    key_specs=_STORE_SPECS,
    getkeys=numkeys_finder(1, 2, 3),
    summary="Stores the union of sorted sets (and sets) in a key.",
    complexity="O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, "
    "and M being the number of elements in the resulting sorted set.",
)
def zunionstore(client: Client, argv: list[bytes]) -> Any:
    return _generic(client, argv, "zunionstore", UNION, store=True)


@command(
    "zinterstore",
    -4,
    "write denyoom",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    acl="@sortedset",
    key_specs=_STORE_SPECS,
    getkeys=numkeys_finder(1, 2, 3),
    summary="Stores the intersection of sorted sets (and sets) in a key.",
    complexity=_INTER_COMPLEXITY,
)
def zinterstore(client: Client, argv: list[bytes]) -> Any:
    return _generic(client, argv, "zinterstore", INTER, store=True)


@command(
    "zdiffstore",
    -4,
    "write denyoom",
    keys=(1, 1, 1),
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    key_specs=_STORE_SPECS,
    getkeys=numkeys_finder(1, 2, 3),
    summary="Stores the members of the first sorted set that are in none of the others.",
    complexity=_DIFF_COMPLEXITY,
)
def zdiffstore(client: Client, argv: list[bytes]) -> Any:
    return _generic(client, argv, "zdiffstore", DIFF, store=True)


@command(
    "zintercard",
    -3,
    "readonly",
    group="sorted-set",
    since="7.0.0",
    acl="@sortedset",
    key_specs=_READ_SPECS,
    getkeys=numkeys_finder(0, 1, 2),
    summary="Answers how many members the intersection of sorted sets (and sets) has, "
    "optionally stopping at a limit.",
    complexity="O(N*K) worst case with N being the smallest input sorted set, K being the "
    "number of input sorted sets.",
)
def zintercard(client: Client, argv: list[bytes]) -> Any:
    sources, _, _, limit = _parse(client, argv, "zintercard", INTER, False, True)
    ordered = sorted(sources, key=len)
    return len(_inter(ordered, SUM, limit))
