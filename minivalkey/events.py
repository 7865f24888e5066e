"""Keyspace event classes: the bits of ``notify-keyspace-events`` (Valkey's NOTIFY_*),
and how an event becomes pub/sub messages.

Every write names the event it would publish with one call, ``Database.notify(cls,
event, key)``, which tests ``Keyspace.notify_flags`` (kept equal to the setting)
against ``cls`` before doing anything: with the setting empty, the default, a write
pays one integer test. An event of a class that is on goes to ``Keyspace.event_sink``
when one is set (the tests' recorder), then ``deliver`` publishes it as Valkey's
notifyKeyspaceEvent does: with ``K``, on ``__keyspace@<db>__:<key>`` with the event as
the message; then with ``E``, on ``__keyevent@<db>__:<event>`` with the key.

Invariant: this module is a leaf; the bit values are Valkey's.
"""

from __future__ import annotations

from collections.abc import Callable

KEYSPACE = 1 << 0  # K
KEYEVENT = 1 << 1  # E
GENERIC = 1 << 2  # g
STRING = 1 << 3  # $
LIST = 1 << 4  # l
SET = 1 << 5  # s
HASH = 1 << 6  # h
ZSET = 1 << 7  # z
EXPIRED = 1 << 8  # x
EVICTED = 1 << 9  # e
STREAM = 1 << 10  # t
KEY_MISS = 1 << 11  # m
MODULE = 1 << 13  # d
NEW = 1 << 14  # n

CLASS_LETTERS = {
    "K": KEYSPACE,
    "E": KEYEVENT,
    "g": GENERIC,
    "$": STRING,
    "l": LIST,
    "s": SET,
    "h": HASH,
    "z": ZSET,
    "x": EXPIRED,
    "e": EVICTED,
    "t": STREAM,
    "m": KEY_MISS,
    "d": MODULE,
    "n": NEW,
}
ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE  # "A"


def deliver(
    publish: Callable[[bytes, bytes], int], flags: int, event: str, key: bytes, db: int
) -> None:
    """Publish one event whose class ``flags`` has on: keyspace channel, then keyevent."""
    name = event.encode()
    if flags & KEYSPACE:
        publish(b"__keyspace@%d__:%b" % (db, key), name)
    if flags & KEYEVENT:
        publish(b"__keyevent@%d__:%b" % (db, name), key)
