"""The keys a read-only command read, as Valkey finds them (getKeysFromCommand), for
client-side caching to remember (``tracking.Tracking.remember``).

A command with a key finder of its own in Valkey (XREAD, ZUNION, ZINTER, ZDIFF,
ZINTERCARD, SINTERCARD) gets Valkey's finder, C's ``atoi`` included; every other one
its legacy (first, last, step) range, the one COMMAND INFO shows. Invalid arguments
give the keys Valkey would give (none, or what ``atoi`` reads), whatever the command
then answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .commands.table import CommandSpec


def c_atoi(raw: bytes) -> int:
    """C's atoi: leading spaces, a sign, digits up to the first other byte; 0 for none."""
    text = raw.split(b"\0", 1)[0].lstrip(b" \t\n\v\f\r")
    sign = 1
    if text[:1] in (b"+", b"-"):
        sign = -1 if text[:1] == b"-" else 1
        text = text[1:]
    digits = b""
    for byte in text:
        if not 0x30 <= byte <= 0x39:
            break
        digits += bytes((byte,))
    value = sign * int(digits) if digits else 0
    value = max(-(2**63), min(2**63 - 1, value))  # strtol saturates, then int keeps 32 bits
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def _numkeys_positions(argv: list[bytes]) -> list[int]:
    """ZUNION, ZINTER, ZDIFF, ZINTERCARD, SINTERCARD: ``numkeys key...`` (genericGetKeys)."""
    count = c_atoi(argv[1])
    if count < 1 or count > len(argv) - 2:
        return []
    return list(range(2, 2 + count))


def _xread_positions(argv: list[bytes]) -> list[int]:
    """XREAD: the first half of what follows STREAMS (Valkey's xreadGetKeys)."""
    argc = len(argv)
    streams = -1
    position = 1
    while position < argc:
        word = argv[position].split(b"\0", 1)[0].lower()
        if word in (b"block", b"count"):
            position += 1
        elif word == b"group":
            position += 2
        elif word == b"noack":
            pass
        elif word == b"streams":
            streams = position
            break
        else:
            break
        position += 1
    count = argc - streams - 1 if streams != -1 else 0
    if streams == -1 or count == 0 or count % 2:
        return []
    return list(range(streams + 1, argc - count // 2))


# Read-only commands whose keys Valkey finds with a function of their own.
_KEY_FINDERS: dict[str, Callable[[list[bytes]], list[int]]] = {
    "xread": _xread_positions,
    "sintercard": _numkeys_positions,
    "zdiff": _numkeys_positions,
    "zinter": _numkeys_positions,
    "zintercard": _numkeys_positions,
    "zunion": _numkeys_positions,
}


def read_key_positions(spec: CommandSpec, argv: list[bytes]) -> Iterable[int]:
    """The argv positions of the keys a read-only command read: its own key finder, or
    the legacy (first, last, step) range, none when ``argv`` is too short for it."""
    finder = _KEY_FINDERS.get(spec.fullname)
    if finder is not None:
        return finder(argv)
    first, last, step = spec.first_key, spec.last_key, spec.key_step
    if first <= 0:
        return ()
    argc = len(argv)
    if last < 0:
        last += argc
    if last >= argc or last < first or step <= 0:
        return ()
    return range(first, last + 1, step)
