"""The channel registry (minivalkey/pubsub.py) without an event loop.

Clients are real ``Client`` objects on a ``ServerCore`` whose connection records what
``send`` is given, so each delivery is seen as the bytes a subscriber would receive.
Golden bytes were checked against valkey-server 8.0.1.
"""

from __future__ import annotations

import pytest
from helpers import SendRecorder

from minivalkey.core import ServerCore
from minivalkey.pubsub import CHANNELS, PATTERNS, SHARD_CHANNELS, matches
from minivalkey.session import OBUF_NORMAL, OBUF_PUBSUB, Client


@pytest.fixture
def core() -> ServerCore:
    return ServerCore()


def connect(core: ServerCore, protocol: int = 2) -> tuple[Client, SendRecorder]:
    recorder = SendRecorder()
    client = Client(core, recorder)
    client.protocol = protocol
    core.add_client(client)
    return client, recorder


def test_subscribe_confirms_each_channel_with_the_running_count(core: ServerCore) -> None:
    client, _ = connect(core)
    reply = core.pubsub.subscribe(client, CHANNELS, [b"a", b"b", b"a"])
    assert reply == (
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n"
    )
    assert core.pubsub.names(CHANNELS) == [b"a", b"b"]
    assert client.subscriptions[CHANNELS.index] == {b"a": None, b"b": None}


def test_resp3_confirmations_are_pushes_and_patterns_share_the_count(core: ServerCore) -> None:
    client, _ = connect(core, protocol=3)
    assert core.pubsub.subscribe(client, CHANNELS, [b"news"]) == (
        b">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    )
    assert core.pubsub.subscribe(client, PATTERNS, [b"n*"]) == (
        b">3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n"
    )
    # Shard channels count on their own.
    assert core.pubsub.subscribe(client, SHARD_CHANNELS, [b"s"]) == (
        b">3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n"
    )
    assert core.pubsub.unsubscribe(client, CHANNELS, [b"news", b"other"]) == (
        b">3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n"
        b">3\r\n$11\r\nunsubscribe\r\n$5\r\nother\r\n:1\r\n"
    )


def test_unsubscribe_without_names_leaves_all_or_confirms_a_null(core: ServerCore) -> None:
    client, _ = connect(core)
    core.pubsub.subscribe(client, CHANNELS, [b"x", b"y"])
    assert core.pubsub.unsubscribe(client, CHANNELS, []) == (
        b"*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:1\r\n"
        b"*3\r\n$11\r\nunsubscribe\r\n$1\r\ny\r\n:0\r\n"
    )
    assert core.pubsub.unsubscribe(client, CHANNELS, []) == (
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    )
    client.protocol = 3
    assert core.pubsub.unsubscribe(client, PATTERNS, []) == (
        b">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n"
    )
    assert core.pubsub.channels == {}


def test_the_subscriber_flag_follows_every_kind(core: ServerCore) -> None:
    client, _ = connect(core)
    assert (client.subscriber, client.fast, client.output_class) == (False, True, OBUF_NORMAL)
    core.pubsub.subscribe(client, SHARD_CHANNELS, [b"s"])
    core.pubsub.subscribe(client, PATTERNS, [b"p*"])
    assert (client.subscriber, client.subscribed_context, client.fast) == (True, True, False)
    assert (client.output_class, core.pubsub.clients) == (OBUF_PUBSUB, 1)
    core.pubsub.unsubscribe(client, PATTERNS, [])
    assert client.subscriber  # the shard channel is left
    core.pubsub.unsubscribe(client, SHARD_CHANNELS, [b"s"])
    assert (client.subscriber, client.subscribed_context, client.fast) == (False, False, True)
    assert (client.output_class, core.pubsub.clients) == (OBUF_NORMAL, 0)


def test_resp3_subscribers_keep_the_fast_path_until_they_switch_to_resp2(
    core: ServerCore,
) -> None:
    client, _ = connect(core, protocol=3)
    core.pubsub.subscribe(client, CHANNELS, [b"c"])
    assert (client.subscribed_context, client.fast, client.output_class) == (
        False,
        True,
        OBUF_PUBSUB,
    )
    client.protocol = 2
    core.pubsub.protocol_changed(client)
    assert (client.subscribed_context, client.fast) == (True, False)
    client.protocol = 3
    core.pubsub.protocol_changed(client)
    assert (client.subscribed_context, client.fast) == (False, True)


def test_publish_reaches_channel_subscribers_then_patterns(core: ServerCore) -> None:
    both, both_out = connect(core)
    resp3, resp3_out = connect(core, protocol=3)
    core.pubsub.subscribe(both, CHANNELS, [b"foo.bar"])
    core.pubsub.subscribe(both, PATTERNS, [b"foo.*", b"*bar", b"nope*"])
    core.pubsub.subscribe(resp3, CHANNELS, [b"foo.bar"])
    assert core.pubsub.publish(b"foo.bar", b"hi") == 4
    assert both_out.sent == [
        b"*3\r\n$7\r\nmessage\r\n$7\r\nfoo.bar\r\n$2\r\nhi\r\n",
        b"*4\r\n$8\r\npmessage\r\n$5\r\nfoo.*\r\n$7\r\nfoo.bar\r\n$2\r\nhi\r\n",
        b"*4\r\n$8\r\npmessage\r\n$4\r\n*bar\r\n$7\r\nfoo.bar\r\n$2\r\nhi\r\n",
    ]
    assert resp3_out.sent == [b">3\r\n$7\r\nmessage\r\n$7\r\nfoo.bar\r\n$2\r\nhi\r\n"]
    assert core.pubsub.publish(b"other", b"x") == 0


def test_one_encoding_per_protocol_for_many_subscribers(core: ServerCore) -> None:
    clients = [connect(core, protocol=2 + index % 2) for index in range(6)]
    for client, _ in clients:
        core.pubsub.subscribe(client, CHANNELS, [b"c"])
    assert core.pubsub.publish(b"c", b"m") == 6
    resp2 = {id(out.sent[0]) for client, out in clients if client.protocol == 2}
    resp3 = {id(out.sent[0]) for client, out in clients if client.protocol == 3}
    assert len(resp2) == len(resp3) == 1  # the same bytes object for each protocol


def test_shard_channels_ignore_patterns_and_plain_channels(core: ServerCore) -> None:
    client, out = connect(core)
    core.pubsub.subscribe(client, PATTERNS, [b"*"])
    core.pubsub.subscribe(client, SHARD_CHANNELS, [b"chan"])
    assert core.pubsub.publish_shard(b"chan", b"v") == 1
    assert out.sent == [b"*3\r\n$8\r\nsmessage\r\n$4\r\nchan\r\n$1\r\nv\r\n"]
    out.sent.clear()
    assert core.pubsub.publish(b"chan", b"w") == 1  # the pattern, not the shard channel
    assert out.sent == [b"*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$4\r\nchan\r\n$1\r\nw\r\n"]


def test_leaving_the_server_drops_every_subscription(core: ServerCore) -> None:
    client, _ = connect(core)
    other, _ = connect(core)
    for kind, name in ((CHANNELS, b"c"), (PATTERNS, b"p*"), (SHARD_CHANNELS, b"s")):
        core.pubsub.subscribe(client, kind, [name])
        core.pubsub.subscribe(other, kind, [name])
    core.remove_client(client)
    assert client.subscriptions == ({}, {}, {})
    assert (core.pubsub.clients, client.subscriber) == (1, False)
    assert core.pubsub.subscriber_count(CHANNELS, b"c") == 1
    assert core.pubsub.publish(b"c", b"m") == 1  # the other client (p* does not match)
    core.remove_client(other)
    assert core.pubsub.maps == ({}, {}, {})
    assert core.pubsub.clients == 0


def test_names_and_counts(core: ServerCore) -> None:
    first, _ = connect(core)
    second, _ = connect(core)
    core.pubsub.subscribe(first, CHANNELS, [b"news.1", b"sport", b""])
    core.pubsub.subscribe(second, CHANNELS, [b"news.1"])
    assert core.pubsub.names(CHANNELS) == [b"news.1", b"sport", b""]
    assert core.pubsub.names(CHANNELS, b"news.*") == [b"news.1"]
    assert core.pubsub.names(CHANNELS, b"*") == [b"news.1", b"sport"]  # not the empty one
    assert core.pubsub.names(CHANNELS, b"") == [b""]
    assert core.pubsub.subscriber_count(CHANNELS, b"news.1") == 2
    assert core.pubsub.subscriber_count(CHANNELS, b"none") == 0
    assert core.pubsub.subscriber_count(SHARD_CHANNELS, b"news.1") == 0


def test_matching_is_stringmatchlen() -> None:
    assert matches(b"h?llo", b"hello")
    assert matches(b"h[a-e]llo", b"hello")
    assert not matches(b"h[^e]llo", b"hello")
    assert matches(b"a\\*", b"a*")
    assert not matches(b"*", b"")
    assert matches(b"", b"")
