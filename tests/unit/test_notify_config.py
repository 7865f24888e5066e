"""``notify-keyspace-events``: CONFIG SET's parsing and CONFIG GET's canonical spelling,
as valkey-server 8.0.1 answers (each pair checked once against it).

Valkey reads the classes as a C string (they end at a NUL byte); ``A`` stands for
``g$lshzxetd`` (not ``n`` nor ``m``); the spelling lists the type classes in a fixed
order (or ``A`` alone when all of them are on, hiding ``n``), then ``K``, ``E``, ``m``.
"""

from __future__ import annotations

import inprocess
import pytest

from minivalkey import events

INVALID = (
    b"-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
    b"Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n"
)


def _get(value: bytes) -> bytes:
    return b"*2\r\n$22\r\nnotify-keyspace-events\r\n$%d\r\n%b\r\n" % (len(value), value)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (b"", b""), (b"K", b"K"), (b"E", b"E"), (b"KE", b"KE"), (b"A", b"A"),
        (b"KEA", b"AKE"), (b"AKE", b"AKE"), (b"KEAnm", b"AKEm"), (b"nmKEA", b"AKEm"),
        (b"Kg$lshzxetd", b"AK"), (b"g$lshzxetdn", b"A"), (b"An", b"A"), (b"Kn", b"nK"),
        (b"m", b"m"), (b"Em", b"Em"), (b"d", b"d"), (b"KEx", b"xKE"), (b"Kex", b"xeK"),
        (b"AA", b"A"), (b"KK", b"K"), (b"nt", b"tn"), (b"$$", b"$"), (b"lshz", b"lshz"),
        (b"KEz", b"zKE"), (b"KEAnmd", b"AKEm"), (b"Kg\x00x", b"gK"),
    ],
)  # fmt: skip
def test_set_then_get(given: bytes, shown: bytes) -> None:
    h = inprocess.Harness()
    assert h.run("CONFIG", "SET", "notify-keyspace-events", given) == b"+OK\r\n"
    assert h.run("CONFIG", "GET", "notify-keyspace-events") == _get(shown)


@pytest.mark.parametrize("given", [b"q", b"KEq", b"K E", b" K", b"k", b"a", b"\xff"])
def test_a_bad_letter_is_refused_and_changes_nothing(given: bytes) -> None:
    h = inprocess.Harness()
    h.run("CONFIG", "SET", "notify-keyspace-events", "K")
    assert h.run("CONFIG", "SET", "notify-keyspace-events", given) == INVALID
    assert h.run("CONFIG", "GET", "notify-keyspace-events") == _get(b"K")
    assert h.core.keyspace.notify_flags == events.KEYSPACE


def test_the_keyspace_follows_the_setting() -> None:
    h = inprocess.Harness()
    assert h.core.keyspace.notify_flags == 0
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEAnm")
    assert h.core.keyspace.notify_flags == events.ALL | events.KEYSPACE | events.KEYEVENT | (
        events.NEW | events.KEY_MISS
    )
    h.run("CONFIG", "SET", "notify-keyspace-events", "")
    assert h.core.keyspace.notify_flags == 0


def test_the_setting_is_read_from_the_configuration_at_start() -> None:
    h = inprocess.Harness(**{"notify-keyspace-events": "Elg"})
    assert h.run("CONFIG", "GET", "notify-keyspace-events") == _get(b"glE")
    assert h.core.keyspace.notify_flags == events.KEYEVENT | events.LIST | events.GENERIC
