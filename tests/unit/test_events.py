"""Keyspace event hook: one integer test when the class is off, the sink when on."""

from __future__ import annotations

from minivalkey import events
from minivalkey.clock import ManualClock
from minivalkey.core import ServerCore


def test_notify_reaches_the_sink_only_for_enabled_classes() -> None:
    core = ServerCore(clock=ManualClock(1_000))
    seen: list[tuple[int, str, bytes, int]] = []
    core.keyspace.event_sink = lambda *event: seen.append(event)
    db = core.keyspace[3]
    db.notify(events.HASH, "hset", b"k")
    assert seen == []  # notify-keyspace-events is empty by default
    core.config.set("notify-keyspace-events", "Kh")
    db.notify(events.HASH, "hset", b"k")
    db.notify(events.LIST, "lpush", b"k")
    assert seen == [(events.HASH, "hset", b"k", 3)]
    core.config.set("notify-keyspace-events", "")
    db.notify(events.HASH, "hset", b"k")
    assert len(seen) == 1
