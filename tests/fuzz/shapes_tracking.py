"""Fuzz shapes of client-side caching (see ``test_command_fuzz.SHAPES``).

CLIENT TRACKING gets ON, OFF or a wrong word, then any of REDIRECT (to a connected
client, itself, or an id nobody has), BCAST, PREFIX (overlapping ones too), OPTIN,
OPTOUT and NOLOOP, in any order, sometimes repeated; CLIENT CACHING gets YES, NO or a
wrong word. Once a client tracks, every later command of it runs through client-side
caching's steps: its reads are remembered and the writes of every client invalidate,
pushed to whoever tracks (the harness checks each push is whole). No fixture keys.
"""

from __future__ import annotations

from typing import Any

KEYS: list[bytes] = []

FIXTURE: list[list[bytes]] = []

_PREFIXES = (b"", b"s", b"st", b"str", b"n", b"x", b"sort", b"a\x00b")


def _tracking(g: Any) -> list[bytes]:
    args = [g.word(g.pick((b"ON", b"ON", b"ON", b"OFF", b"MAYBE")))]
    args += g.options(
        lambda: [g.word(b"REDIRECT"), g.client_id() if g.chance(0.8) else b"999999"],
        lambda: [g.word(b"BCAST")],
        lambda: [g.word(b"PREFIX"), g.pick(_PREFIXES)],
        lambda: [g.word(b"PREFIX"), g.pick(_PREFIXES)],
        lambda: [g.word(b"OPTIN")],
        lambda: [g.word(b"OPTOUT")],
        lambda: [g.word(b"NOLOOP")],
        probability=0.3,
    )
    return args


TEMPLATES = {
    "client|tracking": _tracking,
    "client|caching": lambda g: [g.word(g.pick((b"YES", b"NO", b"MAYBE")))],
}
