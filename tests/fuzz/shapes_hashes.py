"""Fuzz shapes for the hash commands (loaded by ``test_command_fuzz``).

The fixture holds a small listpack hash (``h``: text, integers, floats, a value
with spaces), a hashtable one (``hbig``: a value past hash-max-listpack-value)
and a hash with the counters HINCRBY / HINCRBYFLOAT meet at their limits
(``hnum``). Field choices lean on the fields present; values include ones long
enough to convert a listpack, numbers at the 64-bit edges and texts that are
not numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEYS = [b"h", b"hbig", b"hnum"]

FIXTURE = [
    [b"HSET", b"h", b"a", b"1", b"b", b"two", b"c", b"3.5", b"d", b" 4", b"e", b""],
    [b"HSET", b"hbig", b"f", b"v", b"g", b"x" * 70, b"7", b"8"],
    [b"HSET", b"hnum", b"max", b"9223372036854775807", b"min", b"-9223372036854775808",
     b"f", b"1.5", b"inf", b"inf", b"big", b"1e4000"],
]

_FIELDS = (b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"7", b"max", b"min", b"inf", b"big",
           b"new", b"", b"x" * 70)
_VALUES = (b"v", b"1", b"-1", b"", b"1.5", b"x" * 70, b"9223372036854775807", b"abc", b" 1")
_FLOATS = (b"1", b"0.1", b"-1.5", b"1e4000", b"-1e4000", b"inf", b"-inf", b"nan", b"1e-5000",
           b"0x10", b"1e", b"abc", b" 1", b"1.5e3", b"+.5", b"")
_COUNTS = (b"0", b"1", b"2", b"3", b"5", b"100", b"-1", b"-3", b"-20",
           b"-9223372036854775808", b"-9223372036854775807", b"4611686018427387904",
           b"9223372036854775807", b"x")
_PATTERNS = (b"*", b"a*", b"?", b"[a-c]", b"x*", b"[")

Gen = Any
Template = Callable[[Gen], list[bytes]]


def _key(g: Gen) -> bytes:
    return g.pick(KEYS) if g.chance(0.8) else g.key()


def _field(g: Gen) -> bytes:
    return g.pick(_FIELDS) if g.chance(0.9) else g.junk()


def _value(g: Gen) -> bytes:
    return g.pick(_VALUES) if g.chance(0.9) else g.junk()


def _pairs(g: Gen) -> list[bytes]:
    args: list[bytes] = []
    for _ in range(g.rng.choice((1, 1, 2, 3, 6))):
        args += [_field(g), _value(g)]
    if g.chance(0.1):
        args.append(_field(g))  # odd: an arity error
    return args


def _fields(g: Gen) -> list[bytes]:
    return [_field(g) for _ in range(g.rng.randint(1, 4))]


def _hrandfield(g: Gen) -> list[bytes]:
    args = [_key(g)]
    if g.chance(0.8):
        args.append(g.pick(_COUNTS))
        if g.chance(0.5):
            args.append(g.word(b"WITHVALUES") if g.chance(0.9) else g.junk())
    return args


def _hscan(g: Gen) -> list[bytes]:
    cursor = b"0" if g.chance(0.7) else g.pick((b"1", b"7", b"-1", b"abc", b"18446744073709551615"))
    return [_key(g), cursor] + g.options(
        lambda: [g.word(b"MATCH"), g.pick(_PATTERNS)],
        lambda: [g.word(b"COUNT"), g.count()],
        lambda: [g.word(b"NOVALUES")],
        lambda: [g.word(b"NOSCORES")],
        probability=0.3,
    )


TEMPLATES: dict[str, Template] = {
    "hset": lambda g: [_key(g), *_pairs(g)],
    "hmset": lambda g: [_key(g), *_pairs(g)],
    "hsetnx": lambda g: [_key(g), _field(g), _value(g)],
    "hget": lambda g: [_key(g), _field(g)],
    "hmget": lambda g: [_key(g), *_fields(g)],
    "hdel": lambda g: [_key(g), *_fields(g)],
    "hexists": lambda g: [_key(g), _field(g)],
    "hstrlen": lambda g: [_key(g), _field(g)],
    "hlen": lambda g: [_key(g)],
    "hkeys": lambda g: [_key(g)],
    "hvals": lambda g: [_key(g)],
    "hgetall": lambda g: [_key(g)],
    "hincrby": lambda g: [_key(g), _field(g), g.integer()],
    "hincrbyfloat": lambda g: [_key(g), _field(g), g.pick(_FLOATS)],
    "hrandfield": _hrandfield,
    "hscan": _hscan,
}
