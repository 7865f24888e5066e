"""Argument parsing shared by command handlers, with Valkey's strictness and errors.

Integers follow Valkey's ``string2ll``: optional minus sign, decimal digits, no
leading zeros, no spaces or plus sign, within signed 64 bits. Anything else raises
``CommandError`` with the caller's error text (``ERR value is not an integer or
out of range`` unless another is given).

Words Valkey compares with C string functions (option keywords, ``$``, ``~``...)
are read up to their first NUL byte (``c_bytes``); ``option`` also lower-cases.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..engine import longdouble
from ..errors import (
    NOT_FLOAT,
    NOT_INTEGER,
    TIMEOUT_NEGATIVE,
    TIMEOUT_OUT_OF_RANGE,
    CommandError,
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


# The canonical spellings of small non-negative integers (COUNT 10, a 0 timeout...),
# which then cost one dict lookup.
SMALL_INTS = {b"%d" % value: value for value in range(1024)}


def parse_int_or_none(raw: bytes) -> int | None:
    """The integer ``raw`` spells in Valkey's strict form, or ``None``."""
    value = SMALL_INTS.get(raw)
    if value is not None:
        return value
    if not raw or len(raw) > 20:
        return None
    body = raw[1:] if raw[0] == 0x2D else raw
    if not body.isdigit() or (body[0] == 0x30 and (len(body) > 1 or raw[0] == 0x2D)):
        return None
    value = int(raw)
    if value < INT64_MIN or value > INT64_MAX:
        return None
    return value


def parse_int(raw: bytes, error: str = NOT_INTEGER) -> int:
    value = parse_int_or_none(raw)
    if value is None:
        raise CommandError(error)
    return value


def parse_nonnegative(raw: bytes, error: str) -> int:
    value = parse_int(raw)
    if value < 0:
        raise CommandError(error)
    return value


def parse_float(raw: bytes, error: str = NOT_FLOAT) -> float:
    """Valkey's ``string2ld``-style doubles: no spaces, no NaN."""
    text = raw.decode("ascii", "replace")
    if not text or text != text.strip():
        raise CommandError(error)
    try:
        value = float(text)
    except ValueError:
        raise CommandError(error) from None
    if math.isnan(value):
        raise CommandError(error)
    return value


def c_bytes(raw: bytes) -> bytes:
    """What C's string functions see of an argument: the bytes before the first NUL."""
    # ``0 in raw`` looks for the byte value directly, far cheaper than ``b"\0" in raw``.
    return raw.partition(b"\0")[0] if 0 in raw else raw


def option(raw: bytes) -> bytes:
    """An option keyword as Valkey compares it (``strcasecmp``): lower-cased, up to the
    first NUL byte, so ``b"COUNT"``, ``b"count"`` and ``b"Count\\0junk"`` all give
    ``b"count"``.

    Short arguments are remembered (at most ``_OPTION_MEMO_SIZE``), so the keywords
    clients send again and again cost one dict lookup."""
    word = _OPTION_MEMO.get(raw)
    if word is None:
        word = c_bytes(raw).lower()
        if len(raw) <= 16 and len(_OPTION_MEMO) < _OPTION_MEMO_SIZE:
            _OPTION_MEMO[raw] = word
    return word


_OPTION_MEMO: dict[bytes, bytes] = {}
_OPTION_MEMO_SIZE = 4096


TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"


def parse_timeout(raw: bytes, now_ms: int) -> int:
    """A blocking pop's timeout in seconds (BLPOP, BZPOPMIN...) as an absolute deadline in
    ms, 0 for none, read as Valkey's getTimeoutFromObjectOrReply reads it: a long double
    (``engine.longdouble``) times 1000, rounded up; a value that rounds to 0 ms or above
    -1 ms waits forever, as on Valkey."""
    seconds = SMALL_INTS.get(raw)
    if seconds is not None:
        milliseconds = seconds * 1000
    else:
        value = longdouble.parse(raw)
        if value is None:
            raise CommandError(TIMEOUT_NOT_FLOAT)
        if isinstance(value, float):  # an infinity
            raise CommandError(TIMEOUT_OUT_OF_RANGE if value > 0 else TIMEOUT_NEGATIVE)
        scaled = longdouble.round_to_format(value * 1000)
        if isinstance(scaled, float):
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
