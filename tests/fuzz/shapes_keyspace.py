"""Fuzz shapes for the keyspace-wide commands (loaded by ``test_command_fuzz``).

OBJECT, MEMORY, TOUCH and MOVE on the other families' fixture keys (the generic
commands have no type of their own, so no fixture either); the MOVE targets include
databases out of range and junk, MEMORY USAGE its SAMPLES option with odd counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEYS: list[bytes] = []
FIXTURE: list[list[bytes]] = []

Gen = Any
Template = Callable[[Gen], list[bytes]]

_DBS = (b"0", b"1", b"2", b"15", b"16", b"-1", b"abc", b"2147483648", b"")
_SAMPLES = (b"0", b"1", b"5", b"-1", b"x", b"9223372036854775807", b"9223372036854775808")

TEMPLATES: dict[str, Template] = {
    "object|encoding": lambda g: [g.key()],
    "object|refcount": lambda g: [g.key()],
    "object|idletime": lambda g: [g.key()],
    "object|freq": lambda g: [g.key()],
    "memory|usage": lambda g: [g.key()]
    + g.options(lambda: [g.word(b"SAMPLES"), g.pick(_SAMPLES)]),
    "touch": lambda g: [g.key() for _ in range(g.rng.randint(1, 3))],
    "move": lambda g: [g.key(), g.pick(_DBS)],
}
