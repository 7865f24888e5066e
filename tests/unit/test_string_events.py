"""Keyspace events of the string and bitmap commands, and what they do to WATCH.

``EVENTS`` gives, for each command line run in order on one database, the events
Valkey 8.0.1 publishes (``notify-keyspace-events KEA``, read on ``__keyevent@0__``), in
their order. Here they are read from the keyspace's event sink, in process.
"""

from __future__ import annotations

import shlex

from minivalkey import events
from minivalkey.clock import ManualClock
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.session import Client


class _Connection:
    def close_after_reply(self) -> None:
        pass

    def close_now(self) -> None:
        pass

    def deliver(self, reply: object) -> None:
        pass


EVENTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("SET a 1", [("set", "a")]),
    ("SET a 2 EX 100", [("set", "a"), ("expire", "a")]),
    ("SET a 2 PX 100 GET", [("set", "a"), ("expire", "a")]),
    ("SET a 3 NX", []),
    ("SET a 3 XX KEEPTTL", [("set", "a")]),
    ("SET a 3 PXAT 1", [("del", "a")]),
    ("SET a 3 PXAT 1", []),
    ("SET b 3 EXAT 1 GET", []),
    ("SETNX a 1", [("set", "a")]),
    ("SETNX n 1", [("set", "n")]),
    ("SETEX a 100 x", [("set", "a"), ("expire", "a")]),
    ("PSETEX a 100000 x", [("set", "a"), ("expire", "a")]),
    ("SETEX a 0 x", []),
    ("GETSET a 5", [("set", "a")]),
    ("MSET a 1 b 2 a 3", [("set", "a"), ("set", "b"), ("set", "a")]),
    ("MSETNX c 1 d 2", [("set", "c"), ("set", "d")]),
    ("MSETNX c 1 e 2", []),
    ("GETEX a", []),
    ("GETEX a EX 100", [("expire", "a")]),
    ("GETEX a PERSIST", [("persist", "a")]),
    ("GETEX a PERSIST", []),
    ("GETEX a PXAT 1", [("del", "a")]),
    ("GETEX nokey EX 10", []),
    ("SET a 1", [("set", "a")]),
    ("GETDEL a", [("del", "a")]),
    ("GETDEL a", []),
    ("INCR i", [("incrby", "i")]),
    ("INCRBY i 5", [("incrby", "i")]),
    ("DECR i", [("incrby", "i")]),
    ("DECRBY i 2", [("incrby", "i")]),
    ("INCRBYFLOAT i 1.5", [("incrbyfloat", "i")]),
    ("INCRBYFLOAT i abc", []),
    ("APPEND s x", [("append", "s")]),
    ("APPEND s y", [("append", "s")]),
    ("APPEND s ''", [("append", "s")]),
    ("SETRANGE s 0 z", [("setrange", "s")]),
    ("SETRANGE s 0 ''", []),
    ("SETRANGE s2 0 ''", []),
    ("SETRANGE s2 3 a", [("setrange", "s2")]),
    ("SETBIT bb 3 1", [("setbit", "bb")]),
    ("SETBIT bb 3 1", []),
    ("SETBIT bb 3 0", [("setbit", "bb")]),
    ("SETBIT bb 100 0", [("setbit", "bb")]),
    ("BITFIELD bf SET u8 0 1", [("setbit", "bf")]),
    ("BITFIELD bf SET u8 0 1", []),
    ("BITFIELD bf GET u8 0", []),
    ("BITFIELD bf OVERFLOW FAIL INCRBY u8 0 300", []),
    ("BITFIELD bf2 OVERFLOW FAIL INCRBY u8 0 300", []),
    ("BITFIELD bf INCRBY u8 0 0 INCRBY u8 0 1", [("setbit", "bf")]),
    ("BITOP AND dest bb bf", [("set", "dest")]),
    ("BITOP AND dest nokey", [("del", "dest")]),
    ("BITOP AND dest nokey", []),
]


def test_events_follow_valkey() -> None:
    core = ServerCore(clock=ManualClock(1_700_000_000_000))
    seen: list[tuple[int, str, bytes, int]] = []
    core.keyspace.event_sink = lambda *event: seen.append(event)
    core.config.set("notify-keyspace-events", "KEA")
    client = Client(core, _Connection())
    core.add_client(client)
    for line, expected in EVENTS:
        seen.clear()
        execute(client, [arg.encode() for arg in shlex.split(line)])
        assert [(event, key.decode()) for _, event, key, _ in seen] == expected, line
        for event_class, event, _, db in seen:
            assert db == 0
            generic = event in ("expire", "del", "persist")
            assert event_class == (events.GENERIC if generic else events.STRING), line


def test_no_events_when_the_classes_are_off() -> None:
    core = ServerCore(clock=ManualClock(1_700_000_000_000))
    seen: list[tuple[int, str, bytes, int]] = []
    core.keyspace.event_sink = lambda *event: seen.append(event)
    core.config.set("notify-keyspace-events", "Kg")  # generic only: no string events
    client = Client(core, _Connection())
    core.add_client(client)
    for line in ("SET a 1 EX 10", "APPEND a 2", "SETBIT a 0 1", "INCR n", "GETDEL a"):
        execute(client, [arg.encode() for arg in line.split()])
    assert [event for _, event, _, _ in seen] == ["expire", "del"]
