"""Fuzz shapes of the set commands (see ``test_command_fuzz.SHAPES``).

The fixture holds one set of each encoding: ``si`` an intset, ``sl`` a listpack
mixing integers and strings, ``sh`` a hashtable (a member past the listpack value
limit), ``sb`` a hashtable of many integers; ``sn`` is a set name left missing.
Members are drawn mostly from the fixture's own members, so removals, moves and
intersections find something.
"""

from __future__ import annotations

from typing import Any

KEYS = [b"si", b"sl", b"sh", b"sb", b"sn"]
SET_KEYS = KEYS

_LONG = b"L" * 70
FIXTURE = [
    [b"SADD", b"si", b"1", b"2", b"3", b"-5", b"100000"],
    [b"SADD", b"sl", b"a", b"b", b"1", b"2", b"c"],
    [b"SADD", b"sh", b"a", b"x", b"3", _LONG, b"y"],
    [b"SADD", b"sb", *(b"%d" % n for n in range(140))],
]

MEMBERS = [
    b"a", b"b", b"c", b"x", b"y", b"z", b"1", b"2", b"3", b"-5", b"7", b"100000", b"0",
    b"01", b"-0", b"9223372036854775807", b"9223372036854775808", b"", b"\x00", _LONG,
]


def _key(g: Any) -> bytes:
    """A set key most of the time, else any key (strings and streams: WRONGTYPE)."""
    return g.pick(SET_KEYS) if g.chance(0.75) else g.key()


def _keys(g: Any, most: int = 3) -> list[bytes]:
    return [_key(g) for _ in range(g.rng.randint(1, most))]


def _member(g: Any) -> bytes:
    roll = g.rng.random()
    if roll < 0.8:
        return g.pick(MEMBERS)
    if roll < 0.9:
        return g.integer()
    return g.junk()


def _members(g: Any, most: int = 4) -> list[bytes]:
    return [_member(g) for _ in range(g.rng.randint(1, most))]


def _count(g: Any) -> bytes:
    """A count for SPOP / SRANDMEMBER: small, negative, zero, or odd."""
    if g.chance(0.7):
        return g.pick((b"0", b"1", b"2", b"3", b"5", b"-1", b"-3", b"-10", b"100", b"150"))
    return g.integer()


def _optional_count(g: Any) -> list[bytes]:
    return [_count(g)] if g.chance(0.6) else []


def _sscan(g: Any) -> list[bytes]:
    cursor = b"0" if g.chance(0.7) else g.integer()
    return [_key(g), cursor] + g.options(
        lambda: [g.word(b"MATCH"), g.pick((b"*", b"1*", b"[a-c]", b"?", b"x"))],
        lambda: [g.word(b"COUNT"), g.count()],
        lambda: [g.word(g.pick((b"NOVALUES", b"NOSCORES", b"TYPE")))],
        probability=0.3,
    )


def _sintercard(g: Any) -> list[bytes]:
    keys = _keys(g)
    numkeys = b"%d" % len(keys) if g.chance(0.8) else g.integer()
    args = [numkeys, *keys]
    if g.chance(0.4):
        args += [g.word(b"LIMIT"), g.count() if g.chance(0.8) else g.integer()]
    return args


TEMPLATES = {
    "sadd": lambda g: [_key(g), *_members(g)],
    "srem": lambda g: [_key(g), *_members(g)],
    "scard": lambda g: [_key(g)],
    "smembers": lambda g: [_key(g)],
    "sismember": lambda g: [_key(g), _member(g)],
    "smismember": lambda g: [_key(g), *_members(g)],
    "srandmember": lambda g: [_key(g), *_optional_count(g)],
    "spop": lambda g: [_key(g), *_optional_count(g)],
    "smove": lambda g: [_key(g), _key(g), _member(g)],
    "sscan": _sscan,
    "sinter": lambda g: _keys(g),
    "sunion": lambda g: _keys(g),
    "sdiff": lambda g: _keys(g),
    "sinterstore": lambda g: [_key(g), *_keys(g)],
    "sunionstore": lambda g: [_key(g), *_keys(g)],
    "sdiffstore": lambda g: [_key(g), *_keys(g)],
    "sintercard": _sintercard,
}
