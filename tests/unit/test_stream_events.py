"""Keyspace events of the stream commands, as Valkey 8.0.1's t_stream.c publishes them.

``EVENTS`` lists command lines run in order on one database with
``notify-keyspace-events KEAnm``, each with what valkey-server published for it (read
on ``__keyevent@0__``): ``xadd`` (after ``new`` for a key it creates) then ``xtrim``
when its trimming removed something, ``xdel`` / ``xtrim`` only when something went,
``xsetid``, the ``xgroup-*`` events, ``xgroup-createconsumer`` whoever creates the
consumer (XGROUP CREATECONSUMER, XREADGROUP, XCLAIM, XAUTOCLAIM), nothing for XACK
or a command that fails; reads of a missing stream publish ``keymiss`` (XREAD twice:
it looks each key up once to resolve the IDs and once to serve).
"""

from __future__ import annotations

import eventtable
import inprocess

from minivalkey import events

EVENTS: list[eventtable.Row] = [
    ("XADD s 1-0 f v", [("new", "s"), ("xadd", "s")]),
    ("XADD s MAXLEN 1 2-0 f v", [("xadd", "s"), ("xtrim", "s")]),
    ("XADD s MAXLEN = 5 3-0 f v", [("xadd", "s")]),
    ("XADD s MAXLEN ~ 0 3-1 f v", [("xadd", "s"), ("xtrim", "s")]),
    ("XADD s NOMKSTREAM 4-0 f v", [("xadd", "s")]),
    ("XADD nokey NOMKSTREAM 1-0 f v", []),
    ("XADD s 1-0 f v", []),
    ("XTRIM s MAXLEN 10", []),
    ("XTRIM s MAXLEN 0", [("xtrim", "s")]),
    ("XADD s 5-0 f v", [("xadd", "s")]),
    ("XDEL s 5-0", [("xdel", "s")]),
    ("XDEL s 5-0", []),
    ("XSETID s 10-0", [("xsetid", "s")]),
    ("XSETID s 1-0", []),
    ("XGROUP CREATE s g $", [("xgroup-create", "s")]),
    ("XGROUP CREATE s g $", []),
    ("XGROUP CREATE m g $ MKSTREAM", [("new", "m"), ("xgroup-create", "m")]),
    ("XGROUP SETID s g 0", [("xgroup-setid", "s")]),
    ("XGROUP SETID s nog 0", []),
    ("XGROUP CREATECONSUMER s g c", [("xgroup-createconsumer", "s")]),
    ("XGROUP CREATECONSUMER s g c", []),
    ("XADD s 11-0 f v", [("xadd", "s")]),
    ("XREADGROUP GROUP g c2 STREAMS s >", [("xgroup-createconsumer", "s")]),
    ("XREADGROUP GROUP g c3 STREAMS s 0", [("xgroup-createconsumer", "s")]),
    ("XREADGROUP GROUP g c3 COUNT 1 STREAMS s >", []),
    ("XCLAIM s g c4 0 11-0", [("xgroup-createconsumer", "s")]),
    ("XCLAIM s g c4 0 11-0", []),
    ("XAUTOCLAIM s g c5 0 0", [("xgroup-createconsumer", "s")]),
    ("XACK s g 11-0", []),
    ("XGROUP DELCONSUMER s g c", [("xgroup-delconsumer", "s")]),
    ("XGROUP DELCONSUMER s g c", []),
    ("XGROUP DESTROY s g", [("xgroup-destroy", "s")]),
    ("XGROUP DESTROY s g", []),
    ("XREAD STREAMS nokey 0", [("keymiss", "nokey"), ("keymiss", "nokey")]),
    ("XREAD STREAMS s nokey 0 0", [("keymiss", "nokey"), ("keymiss", "nokey")]),
    ("XRANGE nokey - +", [("keymiss", "nokey")]),
    ("XLEN nokey", [("keymiss", "nokey")]),
    ("XINFO STREAM nokey", [("keymiss", "nokey")]),
    ("XPENDING nokey g", [("keymiss", "nokey")]),
    ("XADD s MINID 12 12-0 f v", [("xadd", "s"), ("xtrim", "s")]),
    ("XADD s MINID = 12 12-1 f v", [("xadd", "s")]),
    ("DEL s m", [("del", "s"), ("del", "m")]),
]


def test_stream_events_follow_valkey() -> None:
    assert eventtable.mismatches(EVENTS) == []


def test_stream_events_are_of_the_stream_class() -> None:
    h = inprocess.Harness()
    classes: set[int] = set()
    h.core.keyspace.event_sink = lambda cls, event, key, db: classes.add(cls)
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEt")
    for line in ("XADD s 1-0 f v", "XTRIM s MAXLEN 0", "XGROUP CREATE s g $", "XDEL s 1-0"):
        h.run(*line.split())
    assert classes == {events.STREAM}


def test_no_stream_event_without_the_t_class() -> None:
    table: list[eventtable.Row] = [
        ("XADD s 1-0 f v", [("new", "s")]),
        ("XGROUP CREATE s g $", []),
        ("XREADGROUP GROUP g c STREAMS s >", []),
        ("DEL s", [("del", "s")]),
    ]
    assert eventtable.mismatches(table, classes="KEgn") == []


def test_a_woken_reader_of_several_streams_looks_each_up_twice_again() -> None:
    """XREAD BLOCK on a missing stream and another, woken by XADD to the other: Valkey
    runs the command again, whose two passes each miss the missing stream."""
    h = inprocess.Harness()
    reader = h.new_client()
    seen: list[tuple[str, bytes]] = []
    h.core.keyspace.event_sink = lambda _cls, event, key, _db: seen.append((event, key))
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEAnm")
    assert h.run("XREAD", "BLOCK", "0", "STREAMS", "gone", "s", "0", "0", client=reader) == b""
    assert seen == [("keymiss", b"gone"), ("keymiss", b"s")] * 2
    seen.clear()
    h.run("XADD", "s", "1-0", "f", "v")
    assert seen == [
        ("new", b"s"),
        ("xadd", b"s"),
        ("keymiss", b"gone"),
        ("keymiss", b"gone"),
    ]
