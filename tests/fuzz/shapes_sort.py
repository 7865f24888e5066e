"""Fuzz shapes of SORT and SORT_RO (see ``test_command_fuzz.SHAPES``).

The fixture holds what SORT reads: ``sortl`` a list of numbers (one of them hex, one
with a blank), ``sorta`` a list of words (an empty one, one with a NUL byte),
``sorts`` an intset and ``sortp`` a listpack set, ``sortz`` a listpack sorted set,
the weights ``sw_*`` (strings, one not a number, one out of range) and the hashes
``sh_*`` (field ``f``) for BY and GET patterns; ``sortd`` is a destination left
missing. The options come in any order and
number, with BY and GET patterns that name keys, hash fields, the element (``#``) or
nothing at all (constants, a ``*`` behind a NUL byte). ``PARTIAL_EFFECTS``: Valkey's
own change before an error, a sorted set converted to a skiplist.
"""

from __future__ import annotations

from typing import Any

KEYS = [b"sortl", b"sorta", b"sorts", b"sortp", b"sortz", b"sortd"]
SORTED_KEYS = KEYS[:5]

FIXTURE = [
    [b"RPUSH", b"sortl", b"3", b"1", b"2", b"10", b"-5", b"1.5", b"0x10", b" 4"],
    [b"RPUSH", b"sorta", b"b", b"a", b"c", b"", b"a\x00b", b"B"],
    [b"SADD", b"sorts", b"5", b"-2", b"10", b"0"],
    [b"SADD", b"sortp", b"b", b"a", b"c", b"1"],
    [b"ZADD", b"sortz", b"1", b"b", b"2", b"a", b"-inf", b"5", b"3", b"1.5"],
    [b"MSET", b"sw_1", b"30", b"sw_2", b"x", b"sw_3", b"20", b"sw_a", b"1", b"sw_b", b"1e400"],
    [b"MSET", b"sw_5", b"-1", b"sw_10", b"inf", b"sw_c", b""],
    [b"HSET", b"sh_1", b"f", b"3"],
    [b"HSET", b"sh_a", b"f", b"z", b"g", b"1"],
    [b"HSET", b"sh_5", b"f", b"-7"],
]

BY_PATTERNS = [
    b"sw_*", b"sw_*", b"sh_*->f", b"sh_*->g", b"nosort", b"#", b"*", b"sw_\x00*", b"sh_*->",
]
GET_PATTERNS = [b"#", b"sw_*", b"sh_*->f", b"const", b"#\x00x", b"sh_*->"]


def _key(g: Any) -> bytes:
    return g.pick(SORTED_KEYS) if g.chance(0.75) else g.key()


def _destination(g: Any) -> bytes:
    return g.pick((b"sortd", b"sortd", b"sortl")) if g.chance(0.8) else g.key()


def _limit(g: Any) -> bytes:
    if g.chance(0.8):
        return g.pick((b"0", b"1", b"2", b"-1", b"5", b"100", b"9223372036854775807"))
    return g.integer()


def _options(g: Any, readonly: bool) -> list[bytes]:
    choices = [
        lambda: [g.word(b"BY"), g.pick(BY_PATTERNS)],
        lambda: [g.word(b"GET"), g.pick(GET_PATTERNS)],
        lambda: [g.word(b"GET"), g.pick(GET_PATTERNS)],
        lambda: [g.word(b"LIMIT"), _limit(g), _limit(g)],
        lambda: [g.word(g.pick((b"ASC", b"DESC")))],
        lambda: [g.word(b"ALPHA")],
    ]
    if not readonly:
        choices.append(lambda: [g.word(b"STORE"), _destination(g)])
    args: list[bytes] = []
    for _ in range(g.rng.choice((0, 1, 2, 2, 3, 4))):
        args += g.rng.choice(choices)()
    return args


TEMPLATES = {
    "sort": lambda g: [_key(g), *_options(g, readonly=False)],
    "sort_ro": lambda g: [_key(g), *_options(g, readonly=True)],
}

WAKERS = ["sort"]

# (error code, command) -> why Valkey changes something before answering that error.
PARTIAL_EFFECTS = {
    ("ERR", "sort"): "SORT converts a listpack sorted set to a skiplist before it reads the "
    "weights, so one that is no number leaves it converted (checked on Valkey 8.0.1)",
    ("ERR", "sort_ro"): "SORT_RO converts a listpack sorted set to a skiplist before it reads "
    "the weights, as SORT does (checked on Valkey 8.0.1)",
}
