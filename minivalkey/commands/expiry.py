"""Key expiry commands: the EXPIRE family, TTL/PTTL, EXPIRETIME/PEXPIRETIME and PERSIST.

Invariants:
* Options are checked before the time, and the time before the key is looked up,
  in Valkey's order; a failing command changes nothing.
* Time is the command time ``client.core.keyspace.now_ms``; deadlines are absolute
  Unix milliseconds.
* Keyspace events as Valkey's expire.c: ``expire`` when a deadline is set, ``del``
  when one already past deletes the key, ``persist`` when PERSIST removes one
  (class GENERIC).
* TTL and friends count a keyspace hit or miss but record no access (Valkey's
  LOOKUP_NOTOUCH); EXPIRE and PERSIST look keys up as writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import (
    EXPIRE_GT_LT_CONFLICT,
    EXPIRE_NX_CONFLICT,
    INVALID_EXPIRE_TIME,
    UNSUPPORTED_OPTION,
    CommandError,
    c_string,
    no_newlines,
)
from ..events import GENERIC
from .args import INT64_MAX, INT64_MIN, option, parse_int
from .keys import peek_read
from .table import command

if TYPE_CHECKING:
    from ..session import Client


_NX, _XX, _GT, _LT = 1, 2, 4, 8
_EXPIRE_OPTIONS = {b"nx": _NX, b"xx": _XX, b"gt": _GT, b"lt": _LT}


def _expire_conditions(args: list[bytes]) -> int:
    flags = 0
    for raw in args:
        flag = _EXPIRE_OPTIONS.get(option(raw))
        if flag is None:
            raise CommandError(no_newlines(UNSUPPORTED_OPTION.format(option=c_string(raw))))
        flags |= flag
    if flags & _NX and flags & (_XX | _GT | _LT):
        raise CommandError(EXPIRE_NX_CONFLICT)
    if flags & _GT and flags & _LT:
        raise CommandError(EXPIRE_GT_LT_CONFLICT)
    return flags


def _expire(client: Client, argv: list[bytes], name: str, unit_ms: int, relative: bool) -> int:
    """EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: options first, then the time."""
    conditions = _expire_conditions(argv[3:])
    when = parse_int(argv[2])
    invalid = INVALID_EXPIRE_TIME.format(command=name)
    if unit_ms != 1:
        # C's division truncates toward zero: the bounds are +-9223372036854775.
        if when > INT64_MAX // unit_ms or when < -(-INT64_MIN // unit_ms):
            raise CommandError(invalid)
        when *= unit_ms
    base = client.core.keyspace.now_ms if relative else 0
    if when > INT64_MAX - base:
        raise CommandError(invalid)
    when += base
    db = client.db
    key = argv[1]
    if db.lookup(key) is None:
        return 0
    current = db.expires.get(key)
    if conditions:
        if conditions & _NX and current is not None:
            return 0
        if conditions & _XX and current is None:
            return 0
        # No TTL counts as an infinite one: never smaller, always larger.
        if conditions & _GT and (current is None or when <= current):
            return 0
        if conditions & _LT and current is not None and when >= current:
            return 0
    if db.set_expire(key, when):
        db.notify(GENERIC, "expire", key)
    else:  # a deadline already past deleted the key
        db.notify(GENERIC, "del", key)
    return 1


@command(
    "expire",
    -3,
    "write fast",
    keys=(1, 1, 1),
    acl="@keyspace",
    summary="Sets a key's time to live in seconds (NX, XX, GT, LT make it conditional).",
    key_flags="RW update",
)
def expire(client: Client, argv: list[bytes]) -> Any:
    return _expire(client, argv, "expire", 1000, relative=True)


@command(
    "pexpire",
    -3,
    "write fast",
    keys=(1, 1, 1),
    since="2.6.0",
    acl="@keyspace",
    summary="Sets a key's time to live in milliseconds (NX, XX, GT, LT make it conditional).",
    key_flags="RW update",
)
def pexpire(client: Client, argv: list[bytes]) -> Any:
    return _expire(client, argv, "pexpire", 1, relative=True)


@command(
    "expireat",
    -3,
    "write fast",
    keys=(1, 1, 1),
    since="1.2.0",
    acl="@keyspace",
    summary="Sets the Unix time in seconds at which a key expires (NX, XX, GT, LT apply).",
    key_flags="RW update",
)
def expireat(client: Client, argv: list[bytes]) -> Any:
    return _expire(client, argv, "expireat", 1000, relative=False)


@command(
    "pexpireat",
    -3,
    "write fast",
    keys=(1, 1, 1),
    since="2.6.0",
    acl="@keyspace",
    summary="Sets the Unix time in milliseconds at which a key expires (NX, XX, GT, LT apply).",
    key_flags="RW update",
)
def pexpireat(client: Client, argv: list[bytes]) -> Any:
    return _expire(client, argv, "pexpireat", 1, relative=False)


def _ttl(client: Client, key: bytes, milliseconds: bool, absolute: bool) -> int:
    """TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 no key, -1 no deadline."""
    if peek_read(client, key) is None:
        return -2
    deadline = client.db.expires.get(key)
    if deadline is None:
        return -1
    value = deadline if absolute else max(0, deadline - client.core.keyspace.now_ms)
    return value if milliseconds else (value + 500) // 1000  # seconds round to nearest


@command(
    "ttl",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    acl="@keyspace",
    tips="nondeterministic_output",
    summary="Answers a key's remaining time to live in seconds (-1 none, -2 no key).",
    key_flags="RO access",
)
def ttl(client: Client, argv: list[bytes]) -> Any:
    return _ttl(client, argv[1], milliseconds=False, absolute=False)


@command(
    "pttl",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    since="2.6.0",
    acl="@keyspace",
    tips="nondeterministic_output",
    summary="Answers a key's remaining time to live in milliseconds (-1 none, -2 no key).",
    key_flags="RO access",
)
def pttl(client: Client, argv: list[bytes]) -> Any:
    return _ttl(client, argv[1], milliseconds=True, absolute=False)


@command(
    "expiretime",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    since="7.0.0",
    acl="@keyspace",
    summary="Answers the Unix time in seconds at which a key expires (-1 none, -2 no key).",
    key_flags="RO access",
)
def expiretime(client: Client, argv: list[bytes]) -> Any:
    return _ttl(client, argv[1], milliseconds=False, absolute=True)


@command(
    "pexpiretime",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    since="7.0.0",
    acl="@keyspace",
    summary="Answers the Unix time in milliseconds at which a key expires (-1 none, -2 no key).",
    key_flags="RO access",
)
def pexpiretime(client: Client, argv: list[bytes]) -> Any:
    return _ttl(client, argv[1], milliseconds=True, absolute=True)


@command(
    "persist",
    2,
    "write fast",
    keys=(1, 1, 1),
    since="2.2.0",
    acl="@keyspace",
    summary="Removes a key's time to live; answers 1 when there was one.",
    key_flags="RW update",
)
def persist(client: Client, argv: list[bytes]) -> Any:
    db = client.db
    if not db.persist(argv[1]):
        return 0
    db.notify(GENERIC, "persist", argv[1])
    return 1
