"""Fuzz shapes for the list commands (loaded by ``test_command_fuzz``).

``KEYS`` are the fixture's list keys: a small listpack (``l``), a quicklist of several
packed nodes (``ql``), a list holding a plain node (``lbig``), and ``lnew``, which
only pushes and moves create. ``FIXTURE`` builds them; ``TEMPLATES`` give the
argument shapes of every list command, blocking pops included with small or zero
timeouts (the harness ends every wait itself). ``WAKERS`` are the commands that
serve a blocked list pop; ``PARTIAL_EFFECTS`` the error replies after which Valkey
8.0.1 itself leaves a change behind.
"""

from __future__ import annotations

from typing import Any

KEYS = [b"l", b"ql", b"lbig", b"lnew"]

FIXTURE = [
    [b"RPUSH", b"l", b"a", b"b", b"c", b"1", b"2", b"-7", b"b"],
    [b"RPUSH", b"ql", *(b"%d" % n for n in range(30)), b"x" * 3000, b"y" * 3000, b"z" * 3000],
    [b"RPUSH", b"ql", b"a", b"b", b"1", b"x" * 2000],
    [b"RPUSH", b"lbig", b"head", b"L" * 9000, b"tail"],
]

ELEMENTS = [b"a", b"b", b"c", b"1", b"2", b"-7", b"", b"x" * 70, b"x" * 3000, b"L" * 9000]


def _key(g: Any) -> bytes:
    return g.pick(KEYS) if g.chance(0.6) else g.key()


def _element(g: Any) -> bytes:
    return g.pick(ELEMENTS) if g.chance(0.9) else g.junk()


def _elements(g: Any) -> list[bytes]:
    return [_element(g) for _ in range(g.rng.choice((1, 1, 2, 3, 5)))]


def _index(g: Any) -> bytes:
    if g.chance(0.8):
        return g.pick((b"0", b"1", b"-1", b"2", b"-3", b"5", b"40", b"-100"))
    return g.integer()


def _end(g: Any) -> bytes:
    return g.word(g.pick((b"LEFT", b"RIGHT"))) if g.chance(0.95) else g.junk()


def _timeout(g: Any) -> bytes:
    roll = g.rng.random()
    if roll < 0.8:
        return g.pick((b"0", b"0.01", b"1", b"0.5", b"10"))
    if roll < 0.95:
        return g.pick((b"-1", b"abc", b"inf", b"1e400", b"-0.0001", b"0x10", b" 1", b""))
    return g.integer()


def _lpos(g: Any) -> list[bytes]:
    return [_key(g), _element(g)] + g.options(
        lambda: [g.word(b"RANK"), g.pick((b"1", b"-1", b"2", b"0", b"-9223372036854775808"))],
        lambda: [g.word(b"COUNT"), g.count()],
        lambda: [g.word(b"MAXLEN"), g.count()],
    )


def _mpop_tail(g: Any) -> list[bytes]:
    keys = [_key(g) for _ in range(g.rng.choice((1, 1, 2, 3)))]
    numkeys = b"%d" % len(keys) if g.chance(0.9) else g.integer()
    args = [numkeys, *keys, _end(g)]
    if g.chance(0.5):
        args += [g.word(b"COUNT"), g.count()]
    return args


def _pop(g: Any) -> list[bytes]:
    return [_key(g)] + ([g.count()] if g.chance(0.5) else [])


def _pops_waiting(g: Any) -> list[bytes]:
    return [_key(g) for _ in range(g.rng.choice((1, 1, 2, 3)))] + [_timeout(g)]


TEMPLATES = {
    "lpush": lambda g: [_key(g), *_elements(g)],
    "rpush": lambda g: [_key(g), *_elements(g)],
    "lpushx": lambda g: [_key(g), *_elements(g)],
    "rpushx": lambda g: [_key(g), *_elements(g)],
    "lpop": _pop,
    "rpop": _pop,
    "llen": lambda g: [_key(g)],
    "lindex": lambda g: [_key(g), _index(g)],
    "lrange": lambda g: [_key(g), _index(g), _index(g)],
    "lset": lambda g: [_key(g), _index(g), _element(g)],
    "linsert": lambda g: [
        _key(g),
        g.word(g.pick((b"BEFORE", b"AFTER"))) if g.chance(0.95) else g.junk(),
        _element(g),
        _element(g),
    ],
    "lrem": lambda g: [_key(g), _index(g), _element(g)],
    "ltrim": lambda g: [_key(g), _index(g), _index(g)],
    "lpos": _lpos,
    "lmove": lambda g: [_key(g), _key(g), _end(g), _end(g)],
    "rpoplpush": lambda g: [_key(g), _key(g)],
    "lmpop": _mpop_tail,
    "blpop": _pops_waiting,
    "brpop": _pops_waiting,
    "blmove": lambda g: [_key(g), _key(g), _end(g), _end(g), _timeout(g)],
    "brpoplpush": lambda g: [_key(g), _key(g), _timeout(g)],
    "blmpop": lambda g: [_timeout(g), *_mpop_tail(g)],
}

WAKERS = ["lpush", "rpush", "rpush", "lmove", "rpoplpush", "linsert"]

# (error code, command) -> why Valkey changes something before answering that error.
PARTIAL_EFFECTS = {
    ("ERR", "lset"): "LSET converts a listpack the new element would outgrow to a "
    "quicklist before it finds the index out of range (checked on Valkey 8.0.1)",
}
