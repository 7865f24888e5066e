"""Counter commands on strings: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT.

Invariants:
* A counter is stored as its decimal text, exactly what GET answers afterwards; an
  integer result has the natural ``int`` encoding (Valkey stores a fresh integer
  object), INCRBYFLOAT's result is a plain string object (``embstr`` up to 44 bytes,
  else ``raw``; see ``engine.strings.mark_embstr``).
* The key's TTL is kept; the lookups are write lookups (no keyspace hits/misses).
* INCRBYFLOAT computes in the 80-bit extended format of Valkey's ``long double`` and
  prints with its ``%.17Lf`` rules (``engine.longdouble``).
* Errors are checked before anything changes: WRONGTYPE, then the stored value, then
  the increment (INCRBY / DECRBY parse the increment first, as Valkey), then overflow.
* Events: ``incrby`` for the four integer commands, ``incrbyfloat`` for INCRBYFLOAT.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import events
from ..engine import longdouble
from ..engine.strings import forget, mark_embstr
from ..errors import DECR_OVERFLOW, INCR_OVERFLOW, NOT_FLOAT, CommandError
from .args import INT64_MAX, INT64_MIN, parse_int
from .table import command

if TYPE_CHECKING:
    from ..session import Client

NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"


def _store(client: Client, key: bytes, old: bytes | None, new: bytes) -> None:
    db = client.db
    if old is None:
        db.add(key, new)
    else:
        db.set(key, new, keep_ttl=True)


def _increment(client: Client, key: bytes, delta: int) -> int:
    """Add ``delta`` to the integer at ``key`` (0 when absent)."""
    db = client.db
    old = db.lookup_typed(key, bytes)
    current = 0 if old is None else parse_int(old)
    if (delta < 0 and current < 0 and delta < INT64_MIN - current) or (
        delta > 0 and current > 0 and delta > INT64_MAX - current
    ):
        raise CommandError(INCR_OVERFLOW)
    result = current + delta
    _store(client, key, old, b"%d" % result)
    if old is not None:
        forget(old)
    db.notify(events.STRING, "incrby", key)
    return result


@command(
    "incr",
    2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Adds one to the integer stored at a key.",
)
def incr(client: Client, argv: list[bytes]) -> Any:
    return _increment(client, argv[1], 1)


@command(
    "decr",
    2,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Subtracts one from the integer stored at a key.",
)
def decr(client: Client, argv: list[bytes]) -> Any:
    return _increment(client, argv[1], -1)


@command(
    "incrby",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Adds an integer to the integer stored at a key.",
)
def incrby(client: Client, argv: list[bytes]) -> Any:
    return _increment(client, argv[1], parse_int(argv[2]))


@command(
    "decrby",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    acl="@string",
    key_flags="RW access update",
    summary="Subtracts an integer from the integer stored at a key.",
)
def decrby(client: Client, argv: list[bytes]) -> Any:
    amount = parse_int(argv[2])
    if amount == INT64_MIN:  # its negation does not fit in 64 bits
        raise CommandError(DECR_OVERFLOW)
    return _increment(client, argv[1], -amount)


@command(
    "incrbyfloat",
    3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="string",
    since="2.6.0",
    acl="@string",
    key_flags="RW access update",
    summary="Adds a floating point number to the number stored at a key.",
)
def incrbyfloat(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    db = client.db
    old = db.lookup_typed(key, bytes)
    current = Fraction(0) if old is None else longdouble.parse(old)
    if current is None:
        raise CommandError(NOT_FLOAT)
    increment = longdouble.parse(argv[2])
    if increment is None:
        raise CommandError(NOT_FLOAT)
    total = longdouble.add(current, increment)
    if total is None:
        raise CommandError(NAN_OR_INFINITY)
    text = longdouble.format_human(total)
    new = mark_embstr(text)
    _store(client, key, old, new)
    if old is not None:
        forget(old)
    db.notify(events.STRING, "incrbyfloat", key)
    return new
