"""Sorted-set reads: ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZRANDMEMBER, ZSCAN.

Invariants (Valkey 8.0.1's t_zset.c):
* Read lookups count keyspace hits and misses; nothing here changes a set.
* Scores are answered as doubles (RESP3 ``,``; RESP2 bulk strings in Valkey's d2string
  form); WITHSCORES pairs are a flat array in RESP2 and [member, score] pairs in RESP3.
* ZRANDMEMBER answers distinct members for a positive count and possibly repeated ones
  for a negative count, at most ``RANDOM_REPLY_LIMIT`` of them.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, cast

from ..engine.collscan import ScanOrder
from ..engine.zsets import LISTPACK, Key, ZSet
from ..errors import SYNTAX, CommandError, wrong_arity
from ..replies import NULL_ARRAY
from ..resp import format_double
from .args import option, parse_int
from .collscan import EMPTY_SCAN, parse_scan_args, scan_reply
from .keys import lookup_read_typed, parse_cursor
from .table import command
from .zsets import EMPTY_ARRAY, LONG_MAX, OUT_OF_RANGE, RANDOM_REPLY_LIMIT, scored

if TYPE_CHECKING:
    from ..session import Client


@command(
    "zcard",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    acl="@sortedset",
    key_flags="RO",
    summary="Answers the number of members in a sorted set.",
)
def zcard(client: Client, argv: list[bytes]) -> Any:
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    return len(zset) if zset is not None else 0


@command(
    "zscore",
    3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    acl="@sortedset",
    key_flags="RO access",
    summary="Answers the score of a member of a sorted set.",
)
def zscore(client: Client, argv: list[bytes]) -> Any:
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    if zset is None:
        return None
    return zset.scores.get(argv[2])


@command(
    "zmscore",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    key_flags="RO access",
    summary="Answers the scores of several members of a sorted set.",
    complexity="O(N) where N is the number of members being requested.",
)
def zmscore(client: Client, argv: list[bytes]) -> Any:
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    if zset is None:
        return [None] * (len(argv) - 2)
    scores = zset.scores
    return [scores.get(member) for member in argv[2:]]


def _zrank(client: Client, argv: list[bytes], reverse: bool) -> Any:
    if len(argv) > 4:
        raise CommandError(wrong_arity("zrevrank" if reverse else "zrank"))
    withscore = False
    if len(argv) > 3:
        if option(argv[3]) != b"withscore":
            raise CommandError(SYNTAX)
        withscore = True
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    if zset is None:
        return NULL_ARRAY if withscore else None
    rank = zset.rank(argv[2])
    if rank is None:
        return NULL_ARRAY if withscore else None
    if reverse:
        rank = len(zset) - 1 - rank
    if withscore:
        return [rank, zset.scores[argv[2]]]
    return rank


@command(
    "zrank",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    acl="@sortedset",
    key_flags="RO access",
    summary="Answers a member's position in a sorted set, from the lowest score, "
    "optionally with its score.",
    complexity="O(log(N))",
)
def zrank(client: Client, argv: list[bytes]) -> Any:
    return _zrank(client, argv, reverse=False)


@command(
    "zrevrank",
    -3,
    "readonly fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.0.0",
    acl="@sortedset",
    key_flags="RO access",
    summary="Answers a member's position in a sorted set, from the highest score, "
    "optionally with its score.",
    complexity="O(log(N))",
)
def zrevrank(client: Client, argv: list[bytes]) -> Any:
    return _zrank(client, argv, reverse=True)


# -- ZRANDMEMBER --------------------------------------------------------------------------------


def _random_key(zset: ZSet) -> Key:
    return zset.at(random.randrange(len(zset)))


def _zrandmember_count(client: Client, key: bytes, count: int, withscores: bool) -> Any:
    zset: ZSet | None = lookup_read_typed(client, key, ZSet)
    if zset is None or count == 0:
        return EMPTY_ARRAY
    size = len(zset)
    unique = count > 0
    wanted = abs(count)
    if not unique and wanted > RANDOM_REPLY_LIMIT:
        # Valkey builds such a reply until memory runs out; this answers an error instead.
        raise CommandError(OUT_OF_RANGE)
    if not unique or wanted == 1:
        # Members drawn independently, in the order drawn (repetitions allowed).
        return scored(client, [_random_key(zset) for _ in range(wanted)], withscores)
    if wanted >= size:
        # The whole set, from the highest score (Valkey's set iterator walks backwards).
        return scored(client, list(reversed(zset)), withscores)
    if zset.encoding == LISTPACK:
        # Distinct members in the set's order (Valkey's lpRandomPairsUnique).
        positions = sorted(random.sample(range(size), wanted))
        return scored(client, [zset.at(i) for i in positions], withscores)
    # Distinct members in no particular order (Valkey builds them in a dict).
    positions = random.sample(range(size), wanted)
    return scored(client, [zset.at(i) for i in positions], withscores)


@command(
    "zrandmember",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="6.2.0",
    acl="@sortedset",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Answers random members of a sorted set: distinct ones for a positive count, "
    "possibly repeated ones for a negative count.",
    complexity="O(N) where N is the number of members returned",
)
def zrandmember(client: Client, argv: list[bytes]) -> Any:
    if len(argv) >= 3:
        count = parse_int(argv[2])
        if count < -LONG_MAX:
            raise CommandError(
                f"ERR value is out of range, value must between {-LONG_MAX} and {LONG_MAX}"
            )
        if len(argv) > 4 or (len(argv) == 4 and option(argv[3]) != b"withscores"):
            raise CommandError(SYNTAX)
        withscores = len(argv) == 4
        if withscores and (count < -LONG_MAX // 2 or count > LONG_MAX // 2):
            raise CommandError(OUT_OF_RANGE)
        return _zrandmember_count(client, argv[1], count, withscores)
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    if zset is None:
        return None
    return _random_key(zset)[1]


# -- ZSCAN ----------------------------------------------------------------------------------------


def _listpack_score_text(score: float) -> bytes:
    """A score as a listpack holds it: an integer's digits, else Valkey's d2string."""
    if score.is_integer() and abs(score) <= 2**62:
        return b"%d" % int(score)
    return format_double(score)


def _dict_score_text(score: float) -> bytes:
    """A score as ZSCAN prints a skiplist's: ld2string's ``%.17Lg``."""
    if score != score:
        return b"nan"
    if score in (float("inf"), float("-inf")):
        return b"inf" if score > 0 else b"-inf"
    return b"%.17g" % score


@command(
    "zscan",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="sorted-set",
    since="2.8.0",
    acl="@sortedset",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Iterates over the members and scores of a sorted set with a cursor.",
    complexity="O(1) for every call. O(N) for a complete iteration, including enough "
    "command calls for the cursor to return back to 0. N is the number of elements inside "
    "the collection.",
)
def zscan(client: Client, argv: list[bytes]) -> Any:
    cursor = parse_cursor(argv[2])
    zset: ZSet | None = lookup_read_typed(client, argv[1], ZSet)
    if zset is None:
        return EMPTY_SCAN
    args = parse_scan_args(argv, "zset")
    items: list[bytes] = []
    if zset.encoding == LISTPACK:
        for score, member in zset:
            if args.matches(member):
                items.append(member)
                if not args.only_keys:
                    items.append(_listpack_score_text(score))
        return scan_reply(0, items)
    order = zset.scan_order
    if order is None:
        order = zset.scan_order = ScanOrder(zset.scores)
    scores = zset.scores
    cursor, found = order.scan(cursor, args.count, scores.__contains__, len(scores))
    for found_member in found:
        member = cast(bytes, found_member)
        if args.matches(member):
            items.append(member)
            if not args.only_keys:
                items.append(_dict_score_text(scores[member]))
    return scan_reply(cursor, items)
