"""Numbers and ranges as the sorted-set commands read them (Valkey 8.0.1's t_zset.c).

C's ``strtod`` is the root of every rule here (``cdouble`` reproduces it). On top of
it, two readers with different strictness, as Valkey has them:

* ``parse_score`` (Valkey's string2d, ZADD's scores, ZINCRBY, WEIGHTS): the whole
  argument must be read, no leading space, no NaN, no overflow to infinity and no
  underflow to zero (a subnormal result is accepted).
* ``parse_score_range`` (zslParseRange: ZRANGEBYSCORE, ZCOUNT...): an optional
  ``(`` for an exclusive bound, then strtod over the argument as a C string (up to
  its first NUL, so anything after a NUL is ignored); leading space, the empty
  string (0) and out-of-range values (infinity, 0) are accepted, NaN is not.

Lexicographic bounds (zslParseLexRange): ``-`` and ``+`` alone (as C strings) are
the smallest and largest strings, ``[x`` includes and ``(x`` excludes ``x``
(everything after the first byte, NULs included); anything else is an error.

Invariant: nothing here touches the keyspace; every function raises
``CommandError`` with Valkey's text or answers a value.
"""

from __future__ import annotations

import math

from ..engine.zsets import ZSet
from ..errors import NOT_FLOAT, CommandError
from .args import c_bytes
from .cdouble import plain_double, strtod_prefix, strtod_whole, to_double

MIN_MAX_NOT_FLOAT = "ERR min or max is not a float"
LEX_RANGE_INVALID = "ERR min or max not valid string range item"

def parse_score(raw: bytes, error: str = NOT_FLOAT) -> float:
    """A double as Valkey's string2d reads it (see the module docstring)."""
    plain = plain_double(raw)
    if plain is None:
        if not raw or raw[0] in b" \t\n\v\f\r":
            raise CommandError(error)
        number = strtod_prefix(raw)
        if number is None or number.consumed != len(raw) or number.special == "nan":
            raise CommandError(error)
        plain = to_double(number)
    value, erange = plain
    if erange and (value == 0 or math.isinf(value)):
        raise CommandError(error)
    return value


def _strtod_c_string(raw: bytes) -> float:
    """strtod over ``raw`` as a C string; ``MIN_MAX_NOT_FLOAT`` unless it reads it all."""
    read = strtod_whole(c_bytes(raw))
    if read is None:
        raise CommandError(MIN_MAX_NOT_FLOAT)
    return read[0]


class ScoreRange:
    """A score interval; ``minex``/``maxex`` make the bounds exclusive."""

    __slots__ = ("min", "max", "minex", "maxex")

    def __init__(self, low: float, high: float, minex: bool, maxex: bool) -> None:
        self.min = low
        self.max = high
        self.minex = minex
        self.maxex = maxex

    def empty(self) -> bool:
        """A range no score can be in (Valkey tests this before looking at the set)."""
        return self.min > self.max or (self.min == self.max and (self.minex or self.maxex))

    def gte_min(self, score: float) -> bool:
        return score > self.min if self.minex else score >= self.min

    def lte_max(self, score: float) -> bool:
        return score < self.max if self.maxex else score <= self.max

    def lo(self, zset: ZSet) -> int:
        """Position of the first key at or above the lower bound."""
        return zset.score_gt(self.min) if self.minex else zset.score_ge(self.min)

    def hi(self, zset: ZSet) -> int:
        """Position just past the last key at or below the upper bound."""
        return zset.score_ge(self.max) if self.maxex else zset.score_gt(self.max)


def _score_bound(raw: bytes) -> tuple[float, bool]:
    if raw[:1] == b"(":
        return _strtod_c_string(raw[1:]), True
    return _strtod_c_string(raw), False


def parse_score_range(low: bytes, high: bytes) -> ScoreRange:
    """zslParseRange: ``ERR min or max is not a float`` for either bound."""
    low_value, minex = _score_bound(low)
    high_value, maxex = _score_bound(high)
    return ScoreRange(low_value, high_value, minex, maxex)


class _Extreme:
    """Valkey's shared.minstring / shared.maxstring: below / above every string."""

    __slots__ = ("sign",)

    def __init__(self, sign: int) -> None:
        self.sign = sign


MIN_STRING = _Extreme(-1)
MAX_STRING = _Extreme(1)

LexBound = bytes | _Extreme


def lex_compare(a: LexBound, b: LexBound) -> int:
    """Valkey's sdscmplex: the extremes below / above everything, else memcmp order."""
    if a is b:
        return 0
    if a is MIN_STRING or b is MAX_STRING:
        return -1
    if a is MAX_STRING or b is MIN_STRING:
        return 1
    assert isinstance(a, bytes) and isinstance(b, bytes)
    return (a > b) - (a < b)


class LexRange:
    __slots__ = ("min", "max", "minex", "maxex")

    def __init__(self, low: LexBound, high: LexBound, minex: bool, maxex: bool) -> None:
        self.min = low
        self.max = high
        self.minex = minex
        self.maxex = maxex

    def empty(self) -> bool:
        cmp = lex_compare(self.min, self.max)
        return cmp > 0 or (cmp == 0 and (self.minex or self.maxex))

    def gte_min(self, member: bytes) -> bool:
        low = self.min
        if type(low) is bytes:
            return member > low if self.minex else member >= low
        return low is MIN_STRING

    def lte_max(self, member: bytes) -> bool:
        high = self.max
        if type(high) is bytes:
            return member < high if self.maxex else member <= high
        return high is MAX_STRING

    def lo(self, zset: ZSet) -> int:
        """Position of the first member at or above the lower bound (members in order)."""
        low = self.min
        if type(low) is bytes:
            return zset.member_gt(low) if self.minex else zset.member_ge(low)
        return 0 if low is MIN_STRING else len(zset)

    def hi(self, zset: ZSet) -> int:
        high = self.max
        if type(high) is bytes:
            return zset.member_ge(high) if self.maxex else zset.member_gt(high)
        return len(zset) if high is MAX_STRING else 0


def _lex_bound(raw: bytes) -> tuple[LexBound, bool]:
    first = raw[:1]
    if first == b"+" or first == b"-":
        if c_bytes(raw) != first:
            raise CommandError(LEX_RANGE_INVALID)
        return (MAX_STRING if first == b"+" else MIN_STRING), True
    if first == b"(":
        return raw[1:], True
    if first == b"[":
        return raw[1:], False
    raise CommandError(LEX_RANGE_INVALID)


def parse_lex_range(low: bytes, high: bytes) -> LexRange:
    """zslParseLexRange: ``ERR min or max not valid string range item`` for either bound."""
    low_value, minex = _lex_bound(low)
    high_value, maxex = _lex_bound(high)
    return LexRange(low_value, high_value, minex, maxex)
