"""Fuzz shapes for the sorted-set family (loaded by test_command_fuzz.py).

``KEYS``: the fixture's sorted sets (a listpack, a skiplist, members with equal
scores for lex ranges, infinities and -0) and a name no fixture line creates.
``TEMPLATES``: argument shapes close to each command's syntax, with scores, ranges,
lex bounds, weights and timeouts drawn from spellings Valkey reads differently
(strtod's forms, exclusive bounds, NaN, overflow, NULs). ``WAKERS`` are commands that
serve a blocked sorted-set pop; ``PARTIAL_EFFECTS`` the error replies after which
Valkey 8.0.1 itself leaves a change behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEYS = [b"zl", b"zs", b"zlex", b"zinf", b"znew"]

FIXTURE = [
    [b"ZADD", b"zl", b"1", b"a", b"2", b"b", b"3", b"c", b"3", b"d", b"-0", b"z"],
    [b"CONFIG", b"SET", b"zset-max-listpack-entries", b"4"],
    [b"ZADD", b"zs", *[token for i in range(12) for token in (b"%d.5" % i, b"s%d" % i)]],
    [b"CONFIG", b"SET", b"zset-max-listpack-entries", b"128"],
    [b"ZADD", b"zlex", b"0", b"a", b"0", b"b", b"0", b"c", b"0", b"d", b"0", b"e"],
    [b"ZADD", b"zinf", b"inf", b"p", b"-inf", b"n", b"0", b"o"],
]

MEMBERS = [b"a", b"b", b"c", b"d", b"z", b"s1", b"s11", b"p", b"n", b"o", b"new", b"", b"x" * 70]
SCORES = [
    b"0", b"1", b"-1", b"2.5", b"3", b"-0", b"inf", b"-inf", b"+inf", b"1e308", b"1e400",
    b"1e-400", b"4.9e-324", b"0x10", b"nan", b"abc", b"", b" 1", b"1 ", b"1e", b"1\x00",
]
BOUNDS = [
    b"-inf", b"+inf", b"inf", b"0", b"1", b"(1", b"2.5", b"(3", b"(", b"", b"(inf", b"nan",
    b"(nan", b"abc", b"1\x00x", b" 2", b"1e400", b"-100", b"100",
]
LEX = [b"-", b"+", b"[a", b"(a", b"[c", b"(c", b"[", b"(", b"[z", b"a", b"+x", b"-\x00", b""]
INDEXES = [b"0", b"1", b"-1", b"-2", b"2", b"5", b"100", b"-100", b"abc", b"9223372036854775807"]
TIMEOUTS = [b"0", b"0.01", b"1", b"0.5", b"-1", b"abc", b"inf", b"1e400", b"0x1p-3", b"nan"]


def _score(g: Any) -> bytes:
    return g.pick(SCORES) if g.chance(0.4) else g.pick((b"1", b"2", b"3", b"1.5", b"-2"))


def _member(g: Any) -> bytes:
    return g.pick(MEMBERS) if g.chance(0.9) else g.junk()


def _zkey(g: Any) -> bytes:
    waited_on = g.harness.waited_on()
    if waited_on and g.chance(0.3):
        return bytes(g.pick(waited_on))
    return bytes(g.pick(KEYS)) if g.chance(0.85) else bytes(g.key())


def _zkeys(g: Any) -> list[bytes]:
    return [_zkey(g) for _ in range(g.rng.randint(1, 3))]


def _pairs(g: Any) -> list[bytes]:
    args: list[bytes] = []
    for _ in range(g.rng.choice((1, 1, 2, 3))):
        args += [_score(g), _member(g)]
    return args


def _zadd(g: Any) -> list[bytes]:
    words = [b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR"]
    options = [g.word(word) for word in words if g.chance(0.15)]
    return [_zkey(g), *options, *_pairs(g)]


def _limit(g: Any) -> list[bytes]:
    return [g.word(b"LIMIT"), g.pick(INDEXES), g.pick(INDEXES)]


def _zrange(store: bool) -> Callable[[Any], list[bytes]]:
    def shape(g: Any) -> list[bytes]:
        kind = g.rng.choice((b"", b"BYSCORE", b"BYLEX"))
        bounds = BOUNDS if kind == b"BYSCORE" else LEX if kind == b"BYLEX" else INDEXES
        args = [_zkey(g)] if not store else [_zkey(g), _zkey(g)]
        args += [g.pick(bounds), g.pick(bounds)]
        choices = [lambda: [g.word(b"REV")], lambda: _limit(g)]
        if not store:
            choices.append(lambda: [g.word(b"WITHSCORES")])
        if kind:
            choices.append(lambda: [g.word(kind)])
        return args + g.options(*choices, probability=0.5)

    return shape


def _by(bounds: list[bytes], scores: bool) -> Callable[[Any], list[bytes]]:
    def shape(g: Any) -> list[bytes]:
        choices = [lambda: _limit(g)]
        if scores:
            choices.append(lambda: [g.word(b"WITHSCORES")])
        return [_zkey(g), g.pick(bounds), g.pick(bounds), *g.options(*choices)]

    return shape


def _algebra(store: bool, weights: bool) -> Callable[[Any], list[bytes]]:
    def shape(g: Any) -> list[bytes]:
        keys = _zkeys(g)
        count = str(len(keys)).encode() if g.chance(0.9) else g.pick(INDEXES)
        args = ([_zkey(g)] if store else []) + [count, *keys]
        choices: list[Callable[[], list[bytes]]] = []
        if weights:
            choices.append(lambda: [g.word(b"WEIGHTS"), *(g.pick(SCORES) for _ in keys)])
            choices.append(
                lambda: [g.word(b"AGGREGATE"), g.word(g.pick((b"SUM", b"MIN", b"MAX", b"AVG")))]
            )
        if not store:
            choices.append(lambda: [g.word(b"WITHSCORES")])
        return args + g.options(*choices)

    return shape


def _zintercard(g: Any) -> list[bytes]:
    keys = _zkeys(g)
    count = str(len(keys)).encode() if g.chance(0.9) else g.pick(INDEXES)
    return [count, *keys] + g.options(lambda: [g.word(b"LIMIT"), g.count()])


def _mpop(g: Any) -> list[bytes]:
    keys = _zkeys(g)
    count = str(len(keys)).encode() if g.chance(0.9) else g.pick(INDEXES)
    args = [count, *keys, g.word(g.pick((b"MIN", b"MAX", b"MID")))]
    return args + g.options(lambda: [g.word(b"COUNT"), g.count()])


TEMPLATES: dict[str, Callable[[Any], list[bytes]]] = {
    "zadd": _zadd,
    "zincrby": lambda g: [_zkey(g), _score(g), _member(g)],
    "zrem": lambda g: [_zkey(g), *(_member(g) for _ in range(g.rng.randint(1, 3)))],
    "zcard": lambda g: [_zkey(g)],
    "zscore": lambda g: [_zkey(g), _member(g)],
    "zmscore": lambda g: [_zkey(g), *(_member(g) for _ in range(g.rng.randint(1, 3)))],
    "zrank": lambda g: [_zkey(g), _member(g)] + g.options(lambda: [g.word(b"WITHSCORE")]),
    "zrevrank": lambda g: [_zkey(g), _member(g)] + g.options(lambda: [g.word(b"WITHSCORE")]),
    "zcount": lambda g: [_zkey(g), g.pick(BOUNDS), g.pick(BOUNDS)],
    "zlexcount": lambda g: [_zkey(g), g.pick(LEX), g.pick(LEX)],
    "zrange": _zrange(store=False),
    "zrangestore": _zrange(store=True),
    "zrevrange": lambda g: [_zkey(g), g.pick(INDEXES), g.pick(INDEXES)]
    + g.options(lambda: [g.word(b"WITHSCORES")]),
    "zrangebyscore": _by(BOUNDS, scores=True),
    "zrevrangebyscore": _by(BOUNDS, scores=True),
    "zrangebylex": _by(LEX, scores=False),
    "zrevrangebylex": _by(LEX, scores=False),
    "zremrangebyrank": lambda g: [_zkey(g), g.pick(INDEXES), g.pick(INDEXES)],
    "zremrangebyscore": lambda g: [_zkey(g), g.pick(BOUNDS), g.pick(BOUNDS)],
    "zremrangebylex": lambda g: [_zkey(g), g.pick(LEX), g.pick(LEX)],
    "zpopmin": lambda g: [_zkey(g)] + ([g.count()] if g.chance(0.6) else []),
    "zpopmax": lambda g: [_zkey(g)] + ([g.count()] if g.chance(0.6) else []),
    "zmpop": _mpop,
    "zrandmember": lambda g: [_zkey(g)]
    + ([g.pick(INDEXES[:8])] + g.options(lambda: [g.word(b"WITHSCORES")]) if g.chance(0.7)
       else []),
    "zunion": _algebra(store=False, weights=True),
    "zinter": _algebra(store=False, weights=True),
    "zdiff": _algebra(store=False, weights=False),
    "zunionstore": _algebra(store=True, weights=True),
    "zinterstore": _algebra(store=True, weights=True),
    "zdiffstore": _algebra(store=True, weights=False),
    "zintercard": _zintercard,
    "zscan": lambda g: [_zkey(g), g.pick((b"0", b"0", b"1", b"abc", b"-1"))]
    + g.options(
        lambda: [g.word(b"MATCH"), g.pick((b"*", b"s*", b"[ab]", b"?"))],
        lambda: [g.word(b"COUNT"), g.count()],
        lambda: [g.word(b"NOSCORES")],
    ),
    "bzpopmin": lambda g: [*_zkeys(g), g.pick(TIMEOUTS)],
    "bzpopmax": lambda g: [*_zkeys(g), g.pick(TIMEOUTS)],
    "bzmpop": lambda g: [g.pick(TIMEOUTS), *_mpop(g)],
}

WAKERS = ["zadd", "zadd", "zincrby", "zunionstore", "zrangestore"]

# (error code, command) -> why Valkey changes something before answering that error.
_NAN_AFTER_CONVERSION = (
    "an INCR that makes a NaN fails after the listpack was converted to a skiplist for a "
    "member longer than zset-max-listpack-value or zset-max-listpack-entries below 1 "
    "(zsetTypeMaybeConvert runs first; checked on Valkey 8.0.1)"
)
PARTIAL_EFFECTS = {
    ("ERR", "zadd"): _NAN_AFTER_CONVERSION,
    ("ERR", "zincrby"): _NAN_AFTER_CONVERSION,
}
