"""Keyspace notifications delivered to real subscribers: raw RESP2 and RESP3 sessions byte
for byte, and redis-py's PubSub (PSUBSCRIBE) in both protocols.

Expected messages are what valkey-server 8.0.1 sends for the same commands, checked once
against it: for each event the ``__keyspace@<db>__:<key>`` message (the event as payload)
then the ``__keyevent@<db>__:<event>`` one (the key), in the order the command publishes
them; a blocked client served later publishes its pop after the push that woke it; a
transaction publishes at EXEC. Expiry runs on a manual clock (lazy, on access, and
active, by the cron); eviction under maxmemory publishes ``evicted``. To show that
nothing else came, a subscriber also listens to ``MARKER``, published after the
commands: the marker is the next message it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, raw_clients, wait_until

from minivalkey import ManualClock, Server

OK = b"+OK\r\n"
MARKER = b"marker"
PATTERN = b"__key*__:*"

Connect = Callable[..., RawClient]


def _bulk(data: bytes) -> bytes:
    return b"$%d\r\n%b\r\n" % (len(data), data)


def pmessage(channel: bytes, payload: bytes, protocol: int = 2) -> bytes:
    head = b"*4\r\n" if protocol == 2 else b">4\r\n"
    return head + _bulk(b"pmessage") + _bulk(PATTERN) + _bulk(channel) + _bulk(payload)


def events(*pairs: tuple[str, str], db: int = 0, protocol: int = 2) -> bytes:
    """The messages of ``(event, key)`` pairs as a ``__key*__:*`` subscriber gets them (KE)."""
    out = b""
    for event, key in pairs:
        out += pmessage(b"__keyspace@%d__:%b" % (db, key.encode()), event.encode(), protocol)
        out += pmessage(b"__keyevent@%d__:%b" % (db, event.encode()), key.encode(), protocol)
    return out


def marker(protocol: int = 2) -> bytes:
    head = b"*3\r\n" if protocol == 2 else b">3\r\n"
    return head + _bulk(b"message") + _bulk(MARKER) + _bulk(b"end")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_700_000_000_000)


@pytest.fixture
def port(make_server: Callable[..., Server], clock: ManualClock) -> int:
    return make_server(clock=clock).port


@pytest.fixture
def connect(port: int) -> Iterator[Connect]:
    with raw_clients(port) as open_client:
        yield open_client


def listener(connect: Connect, protocol: int = 2, classes: str = "KEA") -> RawClient:
    """A subscriber to every keyspace notification and to ``MARKER``; the classes set."""
    client = connect(protocol)
    client.send(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$10\r\n__key*__:*\r\n")
    client.read_reply()
    client.send(b"*2\r\n$9\r\nSUBSCRIBE\r\n$6\r\nmarker\r\n")
    client.read_reply()
    assert connect().command("CONFIG", "SET", "notify-keyspace-events", classes) == OK
    return client


def received(sub: RawClient, writer: RawClient) -> bytes:
    """Everything ``sub`` got up to the marker that ``writer`` publishes now (excluded)."""
    writer.command("PUBLISH", MARKER, "end")
    out = b""
    while True:
        frame = sub.read_reply()
        if frame in (marker(2), marker(3)):
            return out
        out += frame


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_a_write_is_published_on_both_channels(connect: Connect, protocol: int) -> None:
    sub = listener(connect, protocol)
    writer = connect()
    assert writer.command("SET", "k", "v", "EX", "100") == OK
    assert writer.command("HSET", "h", "f", "v") == b":1\r\n"
    assert received(sub, writer) == events(
        ("set", "k"), ("expire", "k"), ("hset", "h"), protocol=protocol
    )


def test_the_database_is_part_of_the_channel(connect: Connect) -> None:
    sub = listener(connect, classes="Eg")
    writer = connect()
    writer.command("SELECT", "9")
    writer.command("SET", "k", "v")
    writer.command("DEL", "k")
    assert received(sub, writer) == pmessage(b"__keyevent@9__:del", b"k")


def test_k_and_e_alone_and_new_and_keymiss(connect: Connect) -> None:
    sub = listener(connect, classes="Kn")
    writer = connect()
    writer.command("SET", "k", "v")
    assert connect().command("CONFIG", "SET", "notify-keyspace-events", "Em") == OK
    writer.command("GET", "nokey")
    writer.command("GET", "k")
    assert received(sub, writer) == (
        pmessage(b"__keyspace@0__:k", b"new") + pmessage(b"__keyevent@0__:keymiss", b"nokey")
    )


def test_the_writer_itself_gets_its_pushes_after_its_reply(connect: Connect) -> None:
    """RESP3: a client subscribed to a key's channel writes it; valkey-server's bytes."""
    client = connect(3)
    assert client.command("CONFIG", "SET", "notify-keyspace-events", "KEA") == OK
    client.command("SUBSCRIBE", "__keyevent@0__:set", "__keyspace@0__:k")
    client.read_reply()
    client.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
    got = b"".join(client.read_reply() for _ in range(4))
    assert got == (
        b"+OK\r\n"
        b">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n"
        b">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n"
        b"$1\r\nv\r\n"
    )


def test_a_transaction_publishes_at_exec(connect: Connect) -> None:
    sub = listener(connect)
    writer = connect()
    for line in (("MULTI",), ("SET", "a", "1"), ("INCR", "a"), ("LPUSH", "l", "x"), ("RPOP", "l")):
        writer.command(*line)
    assert writer.command("EXEC") == b"*4\r\n+OK\r\n:2\r\n:1\r\n$1\r\nx\r\n"
    assert received(sub, writer) == events(
        ("set", "a"), ("incrby", "a"), ("lpush", "l"), ("rpop", "l"), ("del", "l")
    )


@pytest.mark.parametrize(
    ("blocking", "push", "published"),
    [
        (
            ("BLPOP", "l", "0"),
            ("LPUSH", "l", "a"),
            [("lpush", "l"), ("lpop", "l"), ("del", "l")],
        ),
        (
            ("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"),
            ("RPUSH", "src", "a"),
            [("rpush", "src"), ("lpush", "dst"), ("rpop", "src"), ("del", "src")],
        ),
        (
            ("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "2"),
            ("RPUSH", "l", "a", "b", "c"),
            [("rpush", "l"), ("lpop", "l")],
        ),
        (
            ("BZPOPMIN", "z", "0"),
            ("ZADD", "z", "1", "a"),
            [("zadd", "z"), ("zpopmin", "z"), ("del", "z")],
        ),
        (
            ("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"),
            ("ZADD", "z", "1", "a", "2", "b"),
            [("zadd", "z"), ("zpopmax", "z"), ("del", "z")],
        ),
    ],
    ids=["blpop", "blmove", "blmpop", "bzpopmin", "bzmpop"],
)
def test_a_blocked_pop_served_later_publishes_after_the_push(
    connect: Connect,
    blocking: tuple[str, ...],
    push: tuple[str, ...],
    published: list[tuple[str, str]],
) -> None:
    sub = listener(connect)
    waiter, writer = connect(), connect()
    waiter.send(_encode(*blocking))
    wait_until(lambda: b"blocked_clients:1" in writer.command("INFO", "clients"))
    writer.command(*push)
    waiter.read_reply()
    assert received(sub, writer) == events(*published)


def test_a_woken_group_reader_publishes_nothing_of_its_own(connect: Connect) -> None:
    sub = listener(connect, classes="KEt")
    waiter, writer = connect(), connect()
    writer.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    waiter.send(_encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
    wait_until(lambda: b"blocked_clients:1" in writer.command("INFO", "clients"))
    writer.command("XADD", "s", "1-0", "f", "v")
    assert waiter.read_reply().startswith(b"*1\r\n")
    assert received(sub, writer) == events(
        ("xgroup-create", "s"), ("xgroup-createconsumer", "s"), ("xadd", "s")
    )


def test_expired_on_access_and_by_the_cron(connect: Connect, clock: ManualClock) -> None:
    sub = listener(connect, classes="KEgxm")
    writer = connect()
    writer.command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    writer.command("SET", "lazy", "v", "PX", "100")
    writer.command("SET", "active", "v", "PX", "100")
    clock.advance_ms(101)
    assert writer.command("GET", "lazy") == b"$-1\r\n"
    assert received(sub, writer) == events(("expire", "lazy"), ("expire", "active")) + events(
        ("expired", "lazy"), ("keymiss", "lazy")
    )
    writer.command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    assert sub.read_reply() + sub.read_reply() == events(("expired", "active"))
    assert writer.command("DBSIZE") == b":0\r\n"


def test_evicted_under_maxmemory(connect: Connect) -> None:
    sub = listener(connect, classes="KEe")
    writer = connect()
    writer.command("SET", "big", "v" * 1000)
    writer.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    writer.command("CONFIG", "SET", "maxmemory", "1")
    assert writer.command("SET", "k", "v").startswith(b"-OOM")
    writer.command("CONFIG", "SET", "maxmemory", "0")
    assert received(sub, writer) == events(("evicted", "big"))


def test_nothing_is_published_once_the_setting_is_emptied(connect: Connect) -> None:
    sub = listener(connect)
    writer = connect()
    assert writer.command("CONFIG", "SET", "notify-keyspace-events", "") == OK
    writer.command("SET", "k", "v")
    writer.command("DEL", "k")
    assert received(sub, writer) == b""


def _encode(*args: str) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%b\r\n" % (len(data), data))
    return b"".join(parts)


# -- redis-py ------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_redis_py_psubscribe_receives_keyspace_notifications(port: int, protocol: int) -> None:
    client = redis.Redis(port=port, protocol=protocol)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        client.config_set("notify-keyspace-events", "KEA")
        pubsub.psubscribe("__keyevent@0__:*")
        client.lpush("l", "a")
        client.lpop("l")
        got = []
        wait_until(lambda: _collect(pubsub, got) and len(got) == 3)
        assert got == [
            {"type": "pmessage", "pattern": b"__keyevent@0__:*",
             "channel": b"__keyevent@0__:lpush", "data": b"l"},
            {"type": "pmessage", "pattern": b"__keyevent@0__:*",
             "channel": b"__keyevent@0__:lpop", "data": b"l"},
            {"type": "pmessage", "pattern": b"__keyevent@0__:*",
             "channel": b"__keyevent@0__:del", "data": b"l"},
        ]  # fmt: skip
    finally:
        pubsub.close()
        client.config_set("notify-keyspace-events", "")
        client.close()


def _collect(pubsub: redis.client.PubSub, into: list[dict[str, object]]) -> bool:
    message = pubsub.get_message(timeout=0.05)
    if message is not None:
        into.append(message)
    return True
