"""Pub/Sub through redis-py's PubSub (sync and asyncio, RESP2 and RESP3), and subscribers
that stop reading, cut off by ``client-output-buffer-limit``'s pubsub class.

redis-py's ``get_message(timeout=...)`` reads with a deadline; nothing here sleeps to
wait for a state. The slow-subscriber tests assert on messages received and on INFO's
``client_output_buffer_limit_disconnections``, never on time.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import helpers
import pytest
import redis
import redis.asyncio
from helpers import RawClient, encode_command, wait_until

from minivalkey import Server

DEADLINE_S = 5.0


@pytest.fixture
def valkey(make_server: Callable[..., Server]) -> Server:
    return make_server()


def next_message(pubsub: Any) -> dict[str, Any]:
    message = pubsub.get_message(timeout=DEADLINE_S)
    assert message is not None, "no message within the deadline"
    return dict(message)


# -- redis-py --------------------------------------------------------------------------


def test_redis_py_pubsub(valkey: Server, protocol: int) -> None:
    client = redis.Redis(port=valkey.port, protocol=protocol)
    pubsub = client.pubsub()
    try:
        pubsub.subscribe("news")
        pubsub.psubscribe("n*")
        assert next_message(pubsub) == {
            "type": "subscribe",
            "pattern": None,
            "channel": b"news",
            "data": 1,
        }
        assert next_message(pubsub)["type"] == "psubscribe"
        assert client.publish("news", "hello") == 2
        assert next_message(pubsub) == {
            "type": "message",
            "pattern": None,
            "channel": b"news",
            "data": b"hello",
        }
        assert next_message(pubsub) == {
            "type": "pmessage",
            "pattern": b"n*",
            "channel": b"news",
            "data": b"hello",
        }
        assert client.pubsub_channels() == [b"news"]
        assert client.pubsub_numsub("news") == [(b"news", 1)]
        assert client.pubsub_numpat() == 1
        pubsub.ping("x")  # redis-py shapes both protocols' answers alike
        assert next_message(pubsub) == {
            "type": "pong",
            "pattern": None,
            "channel": None,
            "data": b"x",
        }
        pubsub.unsubscribe()
        pubsub.punsubscribe()
        assert next_message(pubsub)["type"] == "unsubscribe"
        assert next_message(pubsub) == {
            "type": "punsubscribe",
            "pattern": None,
            "channel": b"n*",
            "data": 0,
        }
        assert client.publish("news", "again") == 0
    finally:
        pubsub.close()
        client.close()


def test_redis_py_sharded_pubsub(valkey: Server, protocol: int) -> None:
    client = redis.Redis(port=valkey.port, protocol=protocol)
    pubsub = client.pubsub()
    try:
        pubsub.ssubscribe("shard")
        assert next_message(pubsub)["type"] == "ssubscribe"
        assert client.spublish("shard", "v") == 1
        message = pubsub.get_sharded_message(timeout=DEADLINE_S)
        assert message is not None
        assert (message["type"], message["channel"], message["data"]) == (
            "smessage",
            b"shard",
            b"v",
        )
        assert client.pubsub_shardnumsub("shard") == [(b"shard", 1)]
    finally:
        pubsub.close()
        client.close()


def test_redis_py_pubsub_thread(valkey: Server, protocol: int) -> None:
    client = redis.Redis(port=valkey.port, protocol=protocol)
    received: list[bytes] = []
    pubsub = client.pubsub()
    pubsub.subscribe(**{"jobs": lambda message: received.append(message["data"])})
    worker = pubsub.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        wait_until(lambda: client.pubsub_numsub("jobs") == [(b"jobs", 1)])
        for index in range(20):
            assert client.publish("jobs", str(index)) == 1
        wait_until(lambda: len(received) == 20)
        assert received == [str(index).encode() for index in range(20)]
    finally:
        worker.stop()
        worker.join(DEADLINE_S)
        pubsub.close()
        client.close()


async def test_redis_py_asyncio_pubsub(valkey: Server, protocol: int) -> None:
    client = redis.asyncio.Redis(port=valkey.port, protocol=protocol)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe("a", "b")
        for channel, count in ((b"a", 1), (b"b", 2)):
            message = await pubsub.get_message(timeout=DEADLINE_S)
            assert message == {
                "type": "subscribe",
                "pattern": None,
                "channel": channel,
                "data": count,
            }
        # Commands on another connection meanwhile; the subscriber keeps its messages.
        assert await client.set("k", "v")
        assert await client.publish("b", "x") == 1
        assert await client.publish("a", "y") == 1
        first = await pubsub.get_message(timeout=DEADLINE_S)
        second = await pubsub.get_message(timeout=DEADLINE_S)
        assert first is not None and second is not None
        assert [(m["channel"], m["data"]) for m in (first, second)] == [(b"b", b"x"), (b"a", b"y")]
        await pubsub.unsubscribe("a")
        message = await pubsub.get_message(timeout=DEADLINE_S)
        assert message == {"type": "unsubscribe", "pattern": None, "channel": b"a", "data": 1}
        assert await client.pubsub_numsub("a", "b") == [(b"a", 0), (b"b", 1)]
    finally:
        await pubsub.aclose()
        await client.aclose()


async def test_resp3_subscriber_runs_commands_between_messages(valkey: Server) -> None:
    client = redis.asyncio.Redis(port=valkey.port, protocol=3)
    received: list[Any] = []

    async def on_push(message: Any) -> None:
        received.append(message)

    pubsub = client.pubsub(push_handler_func=on_push)
    try:
        await pubsub.subscribe("c")
        await pubsub.get_message(timeout=DEADLINE_S)
        assert received == [[b"subscribe", b"c", 1]]
        connection = pubsub.connection
        assert connection is not None
        # RESP3 has no subscribed context: an ordinary command on the same connection.
        await connection.send_command("GET", "missing")
        assert await connection.read_response() is None
        await connection.send_command("PUBLISH", "c", "self")
        assert await connection.read_response() == 1
        assert await pubsub.get_message(timeout=DEADLINE_S) is None  # taken by the handler
        assert received[1:] == [[b"message", b"c", b"self"]]
    finally:
        await pubsub.aclose()
        await client.aclose()


# -- subscribers that stop reading ------------------------------------------------------


def stalled_subscriber(port: int, channel: bytes) -> socket.socket:
    """A subscriber with a small receive buffer that never reads after its confirmation."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(DEADLINE_S)
    sock.connect(("127.0.0.1", port))
    sock.sendall(encode_command("SUBSCRIBE", channel))
    expected = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%b\r\n:1\r\n" % (len(channel), channel)
    got = b""
    while len(got) < len(expected):
        got += sock.recv(len(expected) - len(got))
    assert got == expected
    return sock


def info_int(client: RawClient, section: str, name: str) -> int:
    for line in client.command("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"{name} not in INFO {section}")


@pytest.fixture
def raw_clients(valkey: Server) -> Iterator[Callable[[], RawClient]]:
    with helpers.raw_clients(valkey.port) as open_client:
        yield open_client


def publish_until_cut(
    publisher: RawClient, fast: RawClient, control: RawClient, payload: bytes, limit: int
) -> int:
    """Publish one message at a time (the fast subscriber reads each) until the stalled
    subscriber is disconnected; the number of messages published."""
    expected = b"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$%d\r\n%b\r\n" % (len(payload), payload)
    for sent in range(1, limit + 1):
        reply = publisher.command("PUBLISH", "c", payload)
        assert reply in (b":2\r\n", b":1\r\n")
        assert fast.read_reply() == expected  # every message reaches the fast one
        if reply == b":1\r\n":  # the stalled subscriber is gone
            return sent
        if sent % 16 == 0 and info_int(
            control, "stats", "client_output_buffer_limit_disconnections"
        ):
            return sent
    raise AssertionError(f"still connected after {limit} messages")


def test_a_stalled_subscriber_is_cut_at_the_hard_limit(
    valkey: Server, raw_clients: Callable[[], RawClient]
) -> None:
    control, publisher, fast = raw_clients(), raw_clients(), raw_clients()
    assert (
        control.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 256kb 60")
        == b"+OK\r\n"
    )
    fast.command("SUBSCRIBE", "c")
    stalled = stalled_subscriber(valkey.port, b"c")
    try:
        payload = b"p" * 1000
        sent = publish_until_cut(publisher, fast, control, payload, limit=50_000)
        assert sent > 1000  # it took more than the hard limit's worth of messages
        wait_until(lambda: info_int(control, "clients", "pubsub_clients") == 1)
        assert info_int(control, "stats", "client_output_buffer_limit_disconnections") == 1
        assert control.command("PUBSUB", "NUMSUB", "c") == b"*2\r\n$1\r\nc\r\n:1\r\n"
        # The publisher goes on at once; the fast subscriber still gets every message.
        for index in range(100):
            text = b"after %d" % index
            assert publisher.command("PUBLISH", "c", text) == b":1\r\n"
            assert fast.read_reply() == b"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$%d\r\n%b\r\n" % (
                len(text),
                text,
            )
        # What the stalled one had not read was dropped with its connection.
        received = 0
        try:
            while chunk := stalled.recv(65536):
                received += len(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
        assert received < sent * len(payload)
    finally:
        stalled.close()


def test_a_soft_limit_of_zero_seconds_cuts_a_subscriber_that_stays_over_it(
    valkey: Server, raw_clients: Callable[[], RawClient]
) -> None:
    control, publisher, fast = raw_clients(), raw_clients(), raw_clients()
    control.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 64kb 0")
    fast.command("SUBSCRIBE", "c")
    stalled = stalled_subscriber(valkey.port, b"c")
    try:
        # Over the soft limit a first time it is only noted; at a check in a later
        # second (a message, or the cron) it is closed.
        publish_until_cut(publisher, fast, control, b"s" * 1000, limit=1_000_000)
        wait_until(lambda: info_int(control, "clients", "pubsub_clients") == 1)
        assert info_int(control, "stats", "client_output_buffer_limit_disconnections") == 1
    finally:
        stalled.close()


def test_over_the_soft_limit_for_less_than_its_seconds_is_kept(
    valkey: Server, raw_clients: Callable[[], RawClient]
) -> None:
    control, publisher = raw_clients(), raw_clients()
    control.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 64kb 3600")
    stalled = stalled_subscriber(valkey.port, b"c")
    try:
        for _ in range(2000):  # 2 MB for a subscriber that reads nothing
            assert publisher.command("PUBLISH", "c", b"k" * 1000) == b":1\r\n"
        assert info_int(control, "stats", "client_output_buffer_limit_disconnections") == 0
        assert info_int(control, "clients", "pubsub_clients") == 1
    finally:
        stalled.close()
