"""Keyspace events delivered as pub/sub messages (``events.deliver`` through the channel
registry), without an event loop.

A subscriber is a real ``Client`` whose connection records what ``send`` is given; the
writes run on another in-process client. The golden bytes are what valkey-server 8.0.1
sends a subscriber for the same commands: the keyspace channel's message first, then
the keyevent channel's, for each event in the order the command publishes them.
"""

from __future__ import annotations

import inprocess
from helpers import SendRecorder

from minivalkey.pubsub import CHANNELS, PATTERNS
from minivalkey.session import Client


def subscriber(h: inprocess.Harness, protocol: int = 2) -> tuple[Client, SendRecorder]:
    recorder = SendRecorder()
    client = Client(h.core, recorder)
    client.protocol = protocol
    h.core.add_client(client)
    return client, recorder


def pmessage(pattern: bytes, channel: bytes, payload: bytes, head: bytes = b"*") -> bytes:
    parts = (b"pmessage", pattern, channel, payload)
    return head + b"4\r\n" + b"".join(b"$%d\r\n%b\r\n" % (len(p), p) for p in parts)


def message(channel: bytes, payload: bytes, head: bytes = b"*") -> bytes:
    parts = (b"message", channel, payload)
    return head + b"3\r\n" + b"".join(b"$%d\r\n%b\r\n" % (len(p), p) for p in parts)


def test_each_event_goes_to_the_keyspace_then_the_keyevent_channel() -> None:
    h = inprocess.Harness()
    client, recorder = subscriber(h)
    h.core.pubsub.subscribe(client, PATTERNS, [b"__key*__:*"])
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEA")
    h.run("SET", "k", "v", "EX", "100")
    p = b"__key*__:*"
    assert recorder.sent == [
        pmessage(p, b"__keyspace@0__:k", b"set"),
        pmessage(p, b"__keyevent@0__:set", b"k"),
        pmessage(p, b"__keyspace@0__:k", b"expire"),
        pmessage(p, b"__keyevent@0__:expire", b"k"),
    ]


def test_resp3_subscribers_get_pushes_and_the_database_is_in_the_channel() -> None:
    h = inprocess.Harness()
    client, recorder = subscriber(h, protocol=3)
    h.core.pubsub.subscribe(client, CHANNELS, [b"__keyevent@5__:lpush", b"__keyspace@5__:l"])
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEl")
    h.run("LPUSH", "l", "a")  # database 0: nobody listens there
    h.run("SELECT", "5")
    h.run("LPUSH", "l", "a")
    assert recorder.sent == [
        message(b"__keyspace@5__:l", b"lpush", b">"),
        message(b"__keyevent@5__:lpush", b"l", b">"),
    ]


def test_k_or_e_alone_publishes_on_one_channel_only() -> None:
    h = inprocess.Harness()
    client, recorder = subscriber(h)
    h.core.pubsub.subscribe(client, PATTERNS, [b"*"])
    h.run("CONFIG", "SET", "notify-keyspace-events", "Kg")
    h.run("SET", "a", "1")  # a string event: $ is off
    h.run("DEL", "a")
    h.run("CONFIG", "SET", "notify-keyspace-events", "E$")
    h.run("SET", "a", "1")
    h.run("CONFIG", "SET", "notify-keyspace-events", "g$")  # neither K nor E: nothing
    h.run("DEL", "a")
    assert recorder.sent == [
        pmessage(b"*", b"__keyspace@0__:a", b"del"),
        pmessage(b"*", b"__keyevent@0__:set", b"a"),
    ]


def test_a_channel_and_a_pattern_both_receive_in_that_order() -> None:
    h = inprocess.Harness()
    client, recorder = subscriber(h)
    h.core.pubsub.subscribe(client, CHANNELS, [b"__keyevent@0__:hset"])
    h.core.pubsub.subscribe(client, PATTERNS, [b"__keyevent@0__:h*"])
    h.run("CONFIG", "SET", "notify-keyspace-events", "Eh")
    h.run("HSET", "h", "f", "v")
    assert recorder.sent == [
        message(b"__keyevent@0__:hset", b"h"),
        pmessage(b"__keyevent@0__:h*", b"__keyevent@0__:hset", b"h"),
    ]


def test_keys_are_sent_as_they_are() -> None:
    h = inprocess.Harness()
    client, recorder = subscriber(h)
    h.core.pubsub.subscribe(client, PATTERNS, [b"*"])
    h.run("CONFIG", "SET", "notify-keyspace-events", "KEg")
    key = b"a b\r\n\x00\xff"
    h.run("SET", key, "1")
    h.run("DEL", key)
    assert recorder.sent == [
        pmessage(b"*", b"__keyspace@0__:" + key, b"del"),
        pmessage(b"*", b"__keyevent@0__:del", key),
    ]


def test_nothing_is_published_while_the_setting_is_empty() -> None:
    h = inprocess.Harness()
    client, recorder = subscriber(h)
    h.core.pubsub.subscribe(client, PATTERNS, [b"*"])
    published: list[tuple[bytes, bytes]] = []
    h.core.keyspace.publish = lambda channel, data: published.append((channel, data)) or 0
    for command in (("SET", "a", "1"), ("LPUSH", "l", "x"), ("XADD", "s", "*", "f", "v")):
        h.run(*command)
    h.run("DEL", "a", "l", "s")
    assert published == [] and recorder.sent == []
