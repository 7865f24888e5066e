"""Sorted-set commands: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
ZRANDMEMBER, ZSCAN, ZPOPMIN, ZPOPMAX, ZMPOP; and what the other sorted-set modules
share (encodings, adding a member, scored replies, popping).

Ranges live in ``zsetranges``, ZUNION/ZINTER/ZDIFF in ``zsetalgebra``, the blocking
pops in ``zsetblocking``; numbers and range bounds are read by ``zsetargs``.

Invariants (Valkey 8.0.1's t_zset.c):
* Every argument is checked before the first change; a failing command changes
  nothing (Valkey's own exception, kept: ZADD converts a listpack for a long member
  or many pairs before it may fail with NaN on an INCR).
* Encodings follow ``zset-max-listpack-entries`` / ``zset-max-listpack-value``: a new
  set is a skiplist when the command's pairs or its longest member exceed them
  (zsetTypeCreate), a listpack converts when a new member would exceed them or a
  ZADD's pairs would (zsetTypeMaybeConvert); only the store commands convert back.
* Read lookups count keyspace hits and misses; write lookups do not.
* A set emptied by a command is deleted, with the ``del`` event after the family's.
* Scores are answered as doubles (RESP3 ``,``; RESP2 bulk strings in Valkey's d2string
  form); WITHSCORES pairs are a flat array in RESP2 and [member, score] pairs in RESP3.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from .. import events
from ..engine.collscan import ScanOrder
from ..engine.zsets import LISTPACK, SKIPLIST, Key, ZSet
from ..errors import SYNTAX, CommandError, wrong_arity
from ..replies import NULL_ARRAY, RawReply
from ..resp import format_double
from .args import INT64_MAX, option, parse_int, parse_int_or_none
from .collscan import EMPTY_SCAN, parse_scan_args, scan_reply
from .keys import lookup_read_typed, parse_cursor
from .table import BeginIndex, FindKeynum, command, key_spec
from .zsetargs import parse_score

if TYPE_CHECKING:
    from ..session import Client

NAN_SCORE = "ERR resulting score is not a number (NaN)"
XX_NX_CONFLICT = "ERR XX and NX options at the same time are not compatible"
GT_LT_NX_CONFLICT = "ERR GT, LT, and/or NX options at the same time are not compatible"
INCR_SINGLE_PAIR = "ERR INCR option supports a single increment-element pair"
NOT_POSITIVE = "ERR value is out of range, must be positive"
OUT_OF_RANGE = "ERR value is out of range"
NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
COUNT_NOT_POSITIVE = "ERR count should be greater than 0"
LONG_MAX = INT64_MAX
# The most members a ZRANDMEMBER with a negative count answers (see _zrandmember_count).
RANDOM_REPLY_LIMIT = 1 << 24

EMPTY_ARRAY = RawReply(b"*0\r\n")


# -- encodings ---------------------------------------------------------------------------


def limits(client: Client) -> tuple[int, int]:
    """(zset-max-listpack-entries, zset-max-listpack-value)."""
    values = client.core.config.values
    return cast(int, values["zset-max-listpack-entries"]), cast(
        int, values["zset-max-listpack-value"]
    )


def create(client: Client, size_hint: int, value_len_hint: int) -> ZSet:
    """A new, empty set with the encoding Valkey's zsetTypeCreate picks for the hints."""
    entries, value = limits(client)
    return ZSet(LISTPACK if size_hint <= entries and value_len_hint <= value else SKIPLIST)


def maybe_convert(client: Client, zset: ZSet, size_hint: int, value_len_hint: int) -> None:
    """zsetTypeMaybeConvert: a listpack becomes a skiplist when the hints exceed the limits."""
    if zset.encoding == LISTPACK:
        entries, value = limits(client)
        if size_hint > entries or value_len_hint > value:
            zset.to_skiplist()


def insert_new(zset: ZSet, member: bytes, score: float, entries: int, value: int) -> None:
    """Add a member that is not in the set, converting a listpack it would overgrow."""
    if zset.encoding == LISTPACK and (len(zset) + 1 > entries or len(member) > value):
        zset.to_skiplist()
    zset.insert(member, score)


# Input flags of zset_add, and its outcomes.
NX, XX, GT, LT, INCR = 1, 2, 4, 8, 16
ADDED, UPDATED, NOOP = 1, 2, 4


def zset_add(
    zset: ZSet, member: bytes, score: float, flags: int, entries: int, value: int
) -> tuple[int, float]:
    """Valkey's zsetAdd: (outcome, new score); NaN from an increment raises NAN_SCORE."""
    current = zset.scores.get(member)
    if current is not None:
        if flags & NX:
            return NOOP, score
        if flags & INCR:
            score += current
            if score != score:
                raise CommandError(NAN_SCORE)
        if (flags & LT and score >= current) or (flags & GT and score <= current):
            return NOOP, score
        if score != current:
            zset.update(member, score)
            return UPDATED, score
        return 0, score
    if flags & XX:
        return NOOP, score
    insert_new(zset, member, score, entries, value)
    return ADDED, score


# -- COMMAND GETKEYS ---------------------------------------------------------------------

_ATOI = re.compile(rb"[ \t\n\v\f\r]*([+-]?[0-9]+)")


def _atoi(raw: bytes) -> int:
    """C's atoi: leading blanks, a sign, digits; 0 when there are none."""
    match = _ATOI.match(raw)
    return int(match.group(1)) if match else 0


def numkeys_finder(
    store_at: int, count_at: int, first_at: int
) -> Callable[[list[bytes]], list[tuple[int, tuple[str, ...]]]]:
    """Valkey's genericGetKeys, the fallback when a command's numkeys key spec cannot be
    applied: the keys after the count (nothing if the count is out of bounds), then the
    destination; no flags."""

    def find(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
        if count_at >= len(argv):
            return []
        count = _atoi(argv[count_at])
        if count < 1 or count > len(argv) - first_at:
            return []
        found: list[tuple[int, tuple[str, ...]]] = [
            (first_at + i, ()) for i in range(count)
        ]
        if store_at:
            found.append((store_at, ()))
        return found

    return find


# -- replies -------------------------------------------------------------------------------


def scored(client: Client, keys: list[Key], withscores: bool) -> RawReply:
    """Members, or members with scores shaped as Valkey shapes them per protocol (a flat
    array in RESP2, [member, score] pairs in RESP3), encoded here in one pass."""
    if not withscores:
        return RawReply(
            b"*%d\r\n" % len(keys)
            + b"".join([b"$%d\r\n%s\r\n" % (len(member), member) for _, member in keys])
        )
    if client.protocol == 2:
        body = b"".join(
            [
                b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(member), member, len(text), text)
                for member, text in _texts(keys)
            ]
        )
        return RawReply(b"*%d\r\n" % (2 * len(keys)) + body)
    return RawReply(b"*%d\r\n" % len(keys) + _resp3_pairs(keys))


# Stored scores are formatted again on every read: their texts are remembered (at most
# _TEXTS_SIZE of them). Zero is left out, as -0.0 and 0.0 are one dict key.
_TEXTS: dict[float, bytes] = {}
_TEXTS_SIZE = 65536


def score_text(score: float) -> bytes:
    """Valkey's d2string of ``score`` (what RESP2 sends for a double)."""
    text = _TEXTS.get(score)
    if text is None:
        text = format_double(score)
        if score != 0:
            if len(_TEXTS) >= _TEXTS_SIZE:
                _TEXTS.clear()
            _TEXTS[score] = text
    return text


def _texts(keys: list[Key]) -> list[tuple[bytes, bytes]]:
    texts = _TEXTS
    return [(member, texts.get(score) or score_text(score)) for score, member in keys]


def _resp3_pairs(keys: list[Key]) -> bytes:
    return b"".join(
        [
            b"*2\r\n$%d\r\n%s\r\n,%s\r\n" % (len(member), member, text)
            for member, text in _texts(keys)
        ]
    )


def nested_pairs(protocol: int, keys: list[Key]) -> RawReply:
    """[[member, score], ...] in either protocol (ZMPOP, ZPOPMIN with a count in RESP3)."""
    if protocol == 3:
        return RawReply(b"*%d\r\n" % len(keys) + _resp3_pairs(keys))
    body = b"".join(
        [
            b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(member), member, len(text), text)
            for member, text in _texts(keys)
        ]
    )
    return RawReply(b"*%d\r\n" % len(keys) + body)


def flat_pairs(protocol: int, keys: list[Key]) -> RawReply:
    """member, score, member, score... in one array (the score a double in RESP3)."""
    if protocol == 2:
        body = b"".join(
            [
                b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(member), member, len(text), text)
                for member, text in _texts(keys)
            ]
        )
    else:
        body = b"".join(
            [
                b"$%d\r\n%s\r\n,%s\r\n" % (len(member), member, text)
                for member, text in _texts(keys)
            ]
        )
    return RawReply(b"*%d\r\n" % (2 * len(keys)) + body)


# -- ZADD and ZINCRBY ------------------------------------------------------------------------

_ZADD_OPTIONS = {b"nx": NX, b"xx": XX, b"gt": GT, b"lt": LT, b"incr": INCR}
_ZADD_WORDS = frozenset(_ZADD_OPTIONS) | {b"ch"}


def _zadd_one(client: Client, key: bytes, score: float, member: bytes) -> int:
    """``ZADD key score member``, the usual form, without the general path's lists."""
    db = client.db
    zset: ZSet | None = db.lookup_typed(key, ZSet)
    values = client.core.config.values
    entries = cast(int, values["zset-max-listpack-entries"])
    value = cast(int, values["zset-max-listpack-value"])
    if zset is None:
        zset = ZSet(LISTPACK if 1 <= entries and len(member) <= value else SKIPLIST)
        db.add(key, zset)
    elif zset.encoding == LISTPACK and (1 > entries or len(member) > value):
        zset.to_skiplist()
    current = zset.scores.get(member)
    if current is None:
        insert_new(zset, member, score, entries, value)
        added = 1
    elif score != current:
        zset.update(member, score)
        added = 0
    else:
        client.core.count_changes(0)
        return 0
    db.touch(key)
    db.notify(events.ZSET, "zadd", key)
    client.core.keyspace.signal_ready(db.index, key)
    return added


def _zadd(client: Client, argv: list[bytes], flags: int) -> Any:
    key = argv[1]
    if not flags and len(argv) == 4 and option(argv[2]) not in _ZADD_WORDS:
        return _zadd_one(client, key, parse_score(argv[2]), argv[3])
    ch = False
    index = 2
    argc = len(argv)
    while index < argc:
        word = option(argv[index])
        bit = _ZADD_OPTIONS.get(word)
        if bit is not None:
            flags |= bit
        elif word == b"ch":
            ch = True
        else:
            break
        index += 1
    elements = argc - index
    if elements % 2 or not elements:
        raise CommandError(SYNTAX)
    elements //= 2
    if flags & NX and flags & XX:
        raise CommandError(XX_NX_CONFLICT)
    if (flags & GT and flags & NX) or (flags & LT and flags & NX) or (flags & GT and flags & LT):
        raise CommandError(GT_LT_NX_CONFLICT)
    if flags & INCR and elements > 1:
        raise CommandError(INCR_SINGLE_PAIR)
    scores = [parse_score(argv[i]) for i in range(index, argc, 2)]
    members = argv[index + 1 :: 2]
    max_len = max(map(len, members))

    db = client.db
    zset: ZSet | None = db.lookup_typed(key, ZSet)
    added = updated = processed = 0
    score = 0.0
    if zset is None:
        if flags & XX:
            return _zadd_reply(flags, ch, 0, 0, 0, score)
        zset = create(client, elements, max_len)
        db.add(key, zset)
    else:
        maybe_convert(client, zset, elements, max_len)
    entries, value = limits(client)
    try:
        for member, given in zip(members, scores, strict=True):
            outcome, score = zset_add(zset, member, given, flags, entries, value)
            if outcome & ADDED:
                added += 1
            elif outcome & UPDATED:
                updated += 1
            if not outcome & NOOP:
                processed += 1
    finally:
        if added or updated:
            db.touch(key)
            db.notify(events.ZSET, "zincr" if flags & INCR else "zadd", key)
            client.core.keyspace.signal_ready(db.index, key)
    client.core.count_changes(added + updated)
    return _zadd_reply(flags, ch, added, updated, processed, score)


def _zadd_reply(
    flags: int, ch: bool, added: int, updated: int, processed: int, score: float
) -> Any:
    if flags & INCR:
        return score if processed else None
    return added + updated if ch else added


@command(
    "zadd",
    -4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    acl="@sortedset",
    key_flags="RW update",
    summary="Adds members with their scores to a sorted set, or updates their scores; "
    "creates the key when it does not exist.",
    complexity="O(log(N)) for each item added, where N is the number of elements in the "
    "sorted set.",
)
def zadd(client: Client, argv: list[bytes]) -> Any:
    return _zadd(client, argv, 0)


@command(
    "zincrby",
    4,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    acl="@sortedset",
    key_flags="RW access update",
    summary="Adds an increment to a member's score in a sorted set (from 0 for a new member).",
    complexity="O(log(N)) where N is the number of elements in the sorted set.",
)
def zincrby(client: Client, argv: list[bytes]) -> Any:
    return _zadd(client, argv, INCR)


# -- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK -----------------------------------------------


@command(
    "zrem",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="sorted-set",
    since="1.2.0",
    acl="@sortedset",
    key_flags="RW delete",
    summary="Removes members from a sorted set, deleting the key when none remain.",
    complexity="O(M*log(N)) with N being the number of elements in the sorted set and M the "
    "number of elements to be removed.",
)
def zrem(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    key = argv[1]
    zset: ZSet | None = db.lookup_typed(key, ZSet)
    if zset is None:
        return 0
    deleted = 0
    removed_key = False
    for member in argv[2:]:
        if zset.discard(member):
            deleted += 1
        if not len(zset):
            db.delete(key)
            removed_key = True
            break
    if deleted:
        db.notify(events.ZSET, "zrem", key)
        if removed_key:
            db.notify(events.GENERIC, "del", key)
        db.touch(key)
    return deleted


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

