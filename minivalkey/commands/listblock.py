"""The blocking list pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.

Each command first does what its non-blocking form would (LPOP, LMOVE, LMPOP) when
one of its keys holds a list; otherwise it returns ``BlockOn`` and the blocking
registry re-runs the same request (``retry``) each time one of the keys becomes
ready with a list, until it serves something, answers an error (a key of another
type, BLMOVE's destination of another type) or reaches its deadline.

Invariants (Valkey 8.0.1's t_list.c and timeout.c):
* Arguments are checked in Valkey's order: BLPOP / BRPOP / BRPOPLPUSH read their
  timeout first; BLMOVE its two ends, then the timeout; BLMPOP its numkeys, end and
  COUNT, then the timeout. Nothing changes before all of them passed.
* A timeout is a number of seconds read as C's ``strtold`` reads it (decimal or
  hexadecimal, ``inf``; no spaces, no NaN), in the 64-bit-significand long double
  arithmetic Valkey uses: milliseconds are ``ceil(seconds * 1000)``, 0 waits
  forever, and a deadline past the largest signed 64-bit time is out of range.
* A served waiter pops from the first of its keys, in argument order, that holds a
  list, exactly as the command would have when sent then.
* A wait that ends without data (deadline, CLIENT UNBLOCK ... TIMEOUT) answers the
  null array, for BLMOVE and BRPOPLPUSH too, as Valkey answers blocked list
  clients.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..blocking import BlockOn
from ..engine.lists import List
from ..errors import TIMEOUT_NEGATIVE, TIMEOUT_OUT_OF_RANGE, CommandError
from ..replies import NULL_ARRAY
from .args import INT64_MAX, SMALL_INTS
from .lists import move, parse_end, parse_mpop, pop_from_keys, write_lookup
from .table import BeginIndex, FindKeynum, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"

# -- the timeout --------------------------------------------------------------------------

# What strtold accepts, whole: a sign, then infinity, NaN, a hexadecimal or a decimal
# number (each part checked for digits below).
_STRTOLD = re.compile(
    rb"[+-]?(?:"
    rb"(?P<inf>inf(?:inity)?)"
    rb"|(?P<nan>nan(?:\([0-9a-z_]*\))?)"
    rb"|0x(?P<hi>[0-9a-f]*)(?:\.(?P<hf>[0-9a-f]*))?(?:p(?P<hx>[+-]?[0-9]+))?"
    rb"|(?P<di>[0-9]*)(?:\.(?P<df>[0-9]*))?(?:e(?P<dx>[+-]?[0-9]+))?"
    rb")",
    re.IGNORECASE,
)
_MAX_NUMBER_TEXT = 5 * 1024  # Valkey's MAX_LONG_DOUBLE_CHARS: longer is not a number
# The x87 long double: a 64-bit significand, exponents down to -16382 (subnormals to
# 2**-16445) and below 2**16384.
_SIGNIFICAND_BITS = 64
_SUBNORMAL_QUANTUM_EXPONENT = -16445
_OVERFLOW = Fraction(2**16384)
_INFINITY = object()
_KEPT_DIGITS = 4000


def _round_long_double(value: Fraction) -> Fraction | object:
    """``value`` rounded to the nearest long double (ties to even); ``_INFINITY`` when
    it overflows (either sign: callers look at the sign of their input)."""
    if value == 0:
        return value
    magnitude = abs(value)
    numerator, denominator = magnitude.numerator, magnitude.denominator
    exponent = numerator.bit_length() - denominator.bit_length()
    if Fraction(2) ** exponent > magnitude:
        exponent -= 1  # now 2**exponent <= magnitude < 2**(exponent + 1)
    # Normal numbers keep 64 significant bits; below 2**-16382 the step stays 2**-16445.
    quantum = max(exponent - (_SIGNIFICAND_BITS - 1), _SUBNORMAL_QUANTUM_EXPONENT)
    steps = round(magnitude / Fraction(2) ** quantum)
    rounded = steps * Fraction(2) ** quantum
    if rounded >= _OVERFLOW:
        return _INFINITY
    return rounded if value > 0 else -rounded


def _strtold(raw: bytes) -> Fraction | float | None:
    """The long double Valkey's string2ld reads from ``raw`` (exactly, as a fraction;
    ``math.inf`` / ``-math.inf`` for infinities), or None when it refuses it."""
    if not raw or len(raw) >= _MAX_NUMBER_TEXT or raw[:1].isspace():
        return None
    match = _STRTOLD.fullmatch(raw)
    if match is None or match["nan"] is not None:
        return None
    negative = raw[:1] == b"-"
    if match["inf"] is not None:
        return -math.inf if negative else math.inf
    if match["hi"] is not None:
        whole, fraction, exponent_text, base, scale = match["hi"], match["hf"], match["hx"], 16, 2
    else:
        whole, fraction, exponent_text, base, scale = match["di"], match["df"], match["dx"], 10, 10
    fraction = fraction or b""
    digits = (whole + fraction).lstrip(b"0")
    if not whole and not fraction:
        return None
    if not digits:
        return Fraction(0)
    exponent = 0
    if exponent_text is not None:
        # An exponent of more than 7 digits is far beyond any long double either way.
        body = exponent_text.lstrip(b"+-").lstrip(b"0") or b"0"
        exponent = 10**8 if len(body) > 7 else int(body)
        if exponent_text[:1] == b"-":
            exponent = -exponent
    # The value is digits * base**-len(fraction) * scale**exponent; estimate its
    # magnitude in powers of two to leave out the hopeless cases before computing.
    bits_per_digit = 4 if base == 16 else math.log2(10)
    scale_bits = 1 if scale == 2 else math.log2(10)
    magnitude = (len(digits) - len(fraction)) * bits_per_digit + exponent * scale_bits
    if magnitude > 16400:
        return None  # overflows: strtold answers HUGE_VAL with ERANGE
    if magnitude < -16500:
        return None  # underflows to zero with ERANGE
    power = -len(fraction)
    if len(digits) > _KEPT_DIGITS:
        # Keep the integer conversion small: the digits beyond only decide the rounding,
        # which one more digit, nonzero when any of them is, decides the same way.
        dropped = digits[_KEPT_DIGITS:]
        power += len(dropped) - 1
        digits = digits[:_KEPT_DIGITS] + (b"1" if dropped.strip(b"0") else b"0")
    value = Fraction(int(digits, base)) * Fraction(base) ** power * Fraction(scale) ** exponent
    rounded = _round_long_double(value)
    if rounded is _INFINITY or rounded == 0:
        return None
    assert isinstance(rounded, Fraction)
    return -rounded if negative else rounded


def parse_timeout(raw: bytes, now_ms: int) -> int:
    """A blocking pop's timeout in seconds as an absolute deadline in ms (0: forever)."""
    seconds = SMALL_INTS.get(raw)
    if seconds is not None:
        milliseconds = seconds * 1000
    else:
        value = _strtold(raw)
        if value is None:
            raise CommandError(TIMEOUT_NOT_FLOAT)
        if isinstance(value, float):  # an infinity
            if value > 0:
                raise CommandError(TIMEOUT_OUT_OF_RANGE)
            raise CommandError(TIMEOUT_NEGATIVE)
        scaled = _round_long_double(value * 1000)
        if scaled is _INFINITY:
            raise CommandError(TIMEOUT_OUT_OF_RANGE if value > 0 else TIMEOUT_NEGATIVE)
        assert isinstance(scaled, Fraction)
        if scaled > INT64_MAX:
            raise CommandError(TIMEOUT_OUT_OF_RANGE)
        milliseconds = math.ceil(scaled)
        if milliseconds < 0:
            raise CommandError(TIMEOUT_NEGATIVE)
    if milliseconds > 0:
        if milliseconds > INT64_MAX - now_ms:
            raise CommandError(TIMEOUT_OUT_OF_RANGE)
        milliseconds += now_ms
    return milliseconds


# -- the commands ---------------------------------------------------------------------------


def _block(client: Client, keys: list[bytes], deadline: int, retry: Any) -> BlockOn:
    db_index = client.db_index
    return BlockOn(
        keys=[(db_index, key) for key in keys],
        deadline_ms=deadline,
        unblock_on_nokey=False,
        retry=retry,
        value_type=List,
        timeout_reply=NULL_ARRAY,
    )


def _blocking_pop(client: Client, argv: list[bytes], head: bool) -> Any:
    deadline = parse_timeout(argv[-1], client.core.keyspace.now_ms)
    keys = argv[1:-1]
    reply = pop_from_keys(client, keys, head, None)
    if reply is not None:
        return reply
    return _block(client, keys, deadline, lambda: pop_from_keys(client, keys, head, None))


_BPOP: dict[str, Any] = dict(
    flags="write blocking",
    group="list",
    since="2.0.0",
    acl="@list",
    complexity="O(N) where N is the number of keys given",
    keys=(1, -2, 1),
    key_specs=(key_spec("RW access delete", BeginIndex(1), FindRange(-2)),),
)


@command(
    "blpop",
    -3,
    **_BPOP,
    summary="Pops the first element of the first non-empty list among several keys, "
    "waiting for one when all are empty.",
)
def blpop(client: Client, argv: list[bytes]) -> Any:
    return _blocking_pop(client, argv, head=True)


@command(
    "brpop",
    -3,
    **_BPOP,
    summary="Pops the last element of the first non-empty list among several keys, "
    "waiting for one when all are empty.",
)
def brpop(client: Client, argv: list[bytes]) -> Any:
    return _blocking_pop(client, argv, head=False)


def _blocking_move(
    client: Client, argv: list[bytes], from_head: bool, to_head: bool, deadline: int
) -> Any:
    source, destination = argv[1], argv[2]
    if write_lookup(client, source) is not None:
        return move(client, source, destination, from_head, to_head)
    return _block(
        client,
        [source],
        deadline,
        lambda: move(client, source, destination, from_head, to_head),
    )


_BMOVE_KEYS = (
    key_spec("RW access delete", BeginIndex(1), FindRange(0)),
    key_spec("RW insert", BeginIndex(2), FindRange(0)),
)


@command(
    "blmove",
    6,
    "write denyoom blocking",
    group="list",
    since="6.2.0",
    acl="@list",
    keys=(1, 2, 1),
    key_specs=_BMOVE_KEYS,
    summary="Moves an element between the ends of two lists, waiting for the source "
    "when it is empty.",
)
def blmove(client: Client, argv: list[bytes]) -> Any:
    from_head, to_head = parse_end(argv[3]), parse_end(argv[4])
    deadline = parse_timeout(argv[5], client.core.keyspace.now_ms)
    return _blocking_move(client, argv, from_head, to_head, deadline)


@command(
    "brpoplpush",
    4,
    "write denyoom blocking",
    group="list",
    since="2.2.0",
    acl="@list",
    keys=(1, 2, 1),
    key_specs=_BMOVE_KEYS,
    summary="Moves the last element of a list to the head of another, waiting for the "
    "source when it is empty (BLMOVE RIGHT LEFT).",
)
def brpoplpush(client: Client, argv: list[bytes]) -> Any:
    deadline = parse_timeout(argv[3], client.core.keyspace.now_ms)
    return _blocking_move(client, argv, False, True, deadline)


@command(
    "blmpop",
    -5,
    "write blocking",
    group="list",
    since="7.0.0",
    acl="@list",
    key_specs=(key_spec("RW access delete", BeginIndex(2), FindKeynum(0, 1, 1)),),
    summary="Pops elements from the first non-empty list among several keys, waiting for "
    "one when all are empty.",
    complexity="O(N+M) where N is the number of keys given and M the number of elements popped",
)
def blmpop(client: Client, argv: list[bytes]) -> Any:
    keys, head, count = parse_mpop(argv, 2)
    deadline = parse_timeout(argv[1], client.core.keyspace.now_ms)
    reply = pop_from_keys(client, keys, head, count)
    if reply is not None:
        return reply
    return _block(client, keys, deadline, lambda: pop_from_keys(client, keys, head, count))
