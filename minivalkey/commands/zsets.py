"""Sorted-set writes: ZADD, ZINCRBY, ZREM; and what the other sorted-set modules share
(encodings, adding a member, scored replies, COMMAND GETKEYS of numkeys forms).

Reads (ZCARD, ZSCORE, ZRANK, ZRANDMEMBER, ZSCAN ...) live in ``zsetreads``, ranges in
``zsetranges``, ZUNION/ZINTER/ZDIFF in ``zsetalgebra``, ZPOPMIN/ZPOPMAX/ZMPOP in
``zsetpops``, the blocking pops in ``zsetblocking``; numbers and range bounds are read
by ``zsetargs``.

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

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from .. import events
from ..engine.zsets import LISTPACK, SKIPLIST, Key, ZSet
from ..errors import SYNTAX, CommandError
from ..replies import RawReply
from ..resp import format_double
from .args import INT64_MAX, option
from .table import command
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
        found: list[tuple[int, tuple[str, ...]]] = [(first_at + i, ()) for i in range(count)]
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
            [b"$%d\r\n%s\r\n,%s\r\n" % (len(member), member, text) for member, text in _texts(keys)]
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
