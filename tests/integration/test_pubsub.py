"""Pub/Sub over real sockets, byte for byte: confirmations, messages, their order with
replies, the RESP2 subscribed context, PUBSUB introspection and shard channels.

Every expected reply and push here is valkey-server 8.0.1's, checked once against it.
Each test has a server of its own, so counts of channels and subscribers start at 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server

OK = b"+OK\r\n"
HELLO3 = encode_command("HELLO", "3")

Connect = Callable[..., RawClient]


@pytest.fixture
def port(make_server: Callable[..., Server]) -> int:
    return make_server().port


@pytest.fixture
def connect(port: int) -> Iterator[Connect]:
    with raw_clients(port) as open_client:
        yield open_client


def replies(client: RawClient, count: int) -> bytes:
    return b"".join(client.read_reply() for _ in range(count))


def confirm(kind: str, channel: bytes | None, count: int, protocol: int = 2) -> bytes:
    head = b"*3\r\n" if protocol == 2 else b">3\r\n"
    word = kind.encode()
    if channel is None:
        named = b"$-1\r\n" if protocol == 2 else b"_\r\n"
    else:
        named = b"$%d\r\n%b\r\n" % (len(channel), channel)
    return head + b"$%d\r\n%b\r\n" % (len(word), word) + named + b":%d\r\n" % count


def leave_all(client: RawClient, kind: str, names: list[bytes], protocol: int = 2) -> None:
    """Read the confirmations of an unsubscribe from every name. They come in the
    server's order (a hash table's in Valkey), so the names in any order, each with
    the count left after it."""
    got = [client.read_reply() for _ in names]
    order = [reply.split(b"\r\n")[4] for reply in got]  # the name each one confirms
    assert sorted(order) == sorted(names)
    assert got == [
        confirm(kind, name, len(names) - 1 - i, protocol) for i, name in enumerate(order)
    ]


def message(channel: bytes, text: bytes, protocol: int = 2, kind: bytes = b"message") -> bytes:
    head = b"*3\r\n" if protocol == 2 else b">3\r\n"
    return (
        head
        + b"$%d\r\n%b\r\n" % (len(kind), kind)
        + b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(channel), channel, len(text), text)
    )


def pmessage(pattern: bytes, channel: bytes, text: bytes, protocol: int = 2) -> bytes:
    head = b"*4\r\n" if protocol == 2 else b">4\r\n"
    return (
        head
        + b"$8\r\npmessage\r\n"
        + b"$%d\r\n%b\r\n" % (len(pattern), pattern)
        + b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(channel), channel, len(text), text)
    )


# -- confirmations --------------------------------------------------------------------


def test_subscribe_confirms_each_channel_resp2(connect: Connect) -> None:
    sub = connect()
    sub.send(encode_command("SUBSCRIBE", "a", "b", "a"))
    assert replies(sub, 3) == (
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n"
    )
    sub.send(encode_command("PSUBSCRIBE", "p*"))
    assert sub.read_reply() == b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n"
    sub.send(encode_command("UNSUBSCRIBE", "a", "zz"))
    assert replies(sub, 2) == (
        b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n"
        b"*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:2\r\n"
    )
    sub.send(encode_command("PUNSUBSCRIBE"))
    assert sub.read_reply() == b"*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:1\r\n"
    # Nothing left of that kind: one confirmation with a null name.
    sub.send(encode_command("PUNSUBSCRIBE"))
    assert sub.read_reply() == b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:1\r\n"
    sub.send(encode_command("UNSUBSCRIBE"))
    assert sub.read_reply() == b"*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n"
    assert sub.command("GET", "k") == b"$-1\r\n"  # out of subscribed mode


def test_subscribe_confirmations_are_pushes_in_resp3(connect: Connect) -> None:
    sub = connect(3)
    sub.send(encode_command("SUBSCRIBE", "x", "y"))
    assert replies(sub, 2) == confirm("subscribe", b"x", 1, 3) + confirm("subscribe", b"y", 2, 3)
    sub.send(encode_command("UNSUBSCRIBE"))
    leave_all(sub, "unsubscribe", [b"x", b"y"], 3)
    # Still a subscriber of nothing? No: the flag went with the last channel.
    assert sub.command("UNSUBSCRIBE") == (
        b"-NOSUB 'unsubscribe' command executed not in subscribed mode\r\n"
    )


def test_unsubscribe_with_nothing_to_leave_while_subscribed_to_patterns(
    connect: Connect,
) -> None:
    sub = connect(3)
    assert sub.command("PSUBSCRIBE", "n*") == b">3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n"
    assert sub.command("UNSUBSCRIBE") == b">3\r\n$11\r\nunsubscribe\r\n_\r\n:1\r\n"
    assert sub.command("SUNSUBSCRIBE") == b">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n"


def test_unsubscribes_outside_subscribed_mode_are_refused(connect: Connect) -> None:
    client = connect()
    for name in ("UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"):
        assert client.command(name, "foo") == (
            b"-NOSUB '%b' command executed not in subscribed mode\r\n" % name.lower().encode()
        )
    stats = client.command("INFO", "commandstats")
    assert b"cmdstat_unsubscribe:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1" in stats
    assert b"errorstat_NOSUB:count=3" in client.command("INFO", "errorstats")
    # Refused at queue time: the transaction fails.
    assert client.command("MULTI") == OK
    assert client.command("UNSUBSCRIBE") == (
        b"-NOSUB 'unsubscribe' command executed not in subscribed mode\r\n"
    )
    assert client.command("EXEC") == (
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )


# -- messages and their order ----------------------------------------------------------


def test_publish_reaches_channel_then_pattern_subscribers(connect: Connect) -> None:
    resp2, resp3, publisher = connect(), connect(3), connect()
    resp2.send(encode_command("SUBSCRIBE", "foo.bar"))
    resp2.read_reply()
    resp2.send(encode_command("PSUBSCRIBE", "foo.*"))
    resp2.read_reply()
    resp3.send(encode_command("PSUBSCRIBE", "*bar"))
    resp3.read_reply()
    assert publisher.command("PUBLISH", "foo.bar", "hello") == b":3\r\n"
    assert replies(resp2, 2) == (
        message(b"foo.bar", b"hello") + pmessage(b"foo.*", b"foo.bar", b"hello")
    )
    assert resp3.read_reply() == pmessage(b"*bar", b"foo.bar", b"hello", 3)
    assert publisher.command("PUBLISH", "foo.baz", "x") == b":1\r\n"
    assert resp2.read_reply() == pmessage(b"foo.*", b"foo.baz", b"x")
    assert publisher.command("PUBLISH", "nobody", "x") == b":0\r\n"


def test_publish_to_self_answers_then_delivers(connect: Connect) -> None:
    me = connect(3)
    assert me.command("SUBSCRIBE", "foo") == confirm("subscribe", b"foo", 1, 3)
    assert me.command("PUBLISH", "foo", "bar") == b":1\r\n"
    assert me.read_reply() == message(b"foo", b"bar", 3)
    # In a pipeline each message follows the reply of the PUBLISH that sent it.
    me.send(encode_command("PUBLISH", "foo", "1") + encode_command("PING"))
    assert replies(me, 3) == b":1\r\n" + message(b"foo", b"1", 3) + b"+PONG\r\n"


def test_publish_to_self_inside_multi_arrives_after_exec(connect: Connect) -> None:
    me = connect(3)
    me.command("SUBSCRIBE", "foo")
    assert me.command("MULTI") == OK
    for argv in (("PING", "abc"), ("PUBLISH", "foo", "bar"), ("PUBLISH", "foo", "vaz")):
        assert me.command(*argv) == b"+QUEUED\r\n"
    assert me.command("EXEC") == b"*3\r\n$3\r\nabc\r\n:1\r\n:1\r\n"
    assert replies(me, 2) == message(b"foo", b"bar", 3) + message(b"foo", b"vaz", 3)


def test_unsubscribe_inside_multi_is_part_of_the_exec_reply(connect: Connect) -> None:
    me = connect(3)
    me.send(encode_command("SUBSCRIBE", "foo", "bar", "baz"))
    replies(me, 3)
    me.command("MULTI")
    for argv in (("PING", "abc"), ("UNSUBSCRIBE", "bar"), ("UNSUBSCRIBE", "baz"), ("PING", "d")):
        assert me.command(*argv) == b"+QUEUED\r\n"
    assert me.command("EXEC") == (
        b"*4\r\n$3\r\nabc\r\n"
        + confirm("unsubscribe", b"bar", 2, 3)
        + confirm("unsubscribe", b"baz", 1, 3)
        + b"$1\r\nd\r\n"
    )
    assert me.command("PUBLISH", "foo", "vaz") == b":1\r\n"
    assert me.read_reply() == message(b"foo", b"vaz", 3)


def test_subscribe_to_two_channels_inside_multi_overflows_the_exec_reply(
    connect: Connect,
) -> None:
    # Valkey's EXEC counts one reply per command; the second confirmation follows it.
    me = connect()
    me.command("MULTI")
    me.command("SUBSCRIBE", "a", "b")
    assert me.command("EXEC") == b"*1\r\n" + confirm("subscribe", b"a", 1)
    assert me.read_reply() == confirm("subscribe", b"b", 2)
    assert me.command("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"


def test_ssubscribe_is_refused_inside_exec(connect: Connect) -> None:
    me = connect()
    me.command("MULTI")
    me.command("SSUBSCRIBE", "s")
    assert me.command("EXEC") == (
        b"*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n"
    )


# -- the RESP2 subscribed context -----------------------------------------------------


def test_only_subscribed_mode_commands_run_in_the_resp2_context(connect: Connect) -> None:
    sub = connect()
    sub.command("SUBSCRIBE", "c")
    assert sub.command("GET", "k") == (
        b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
        b" / RESET are allowed in this context\r\n"
    )
    assert sub.command("CLIENT", "ID") == (
        b"-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING /"
        b" QUIT / RESET are allowed in this context\r\n"
    )
    # Unknown commands and arity come first, as in Valkey's processCommand.
    assert sub.command("NOPE") == (b"-ERR unknown command 'NOPE', with args beginning with: \r\n")
    assert sub.command("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert sub.command("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    assert sub.command("PING", "hi") == b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"
    assert sub.command("HELLO", "3") == (
        b"-ERR Can't execute 'hello': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
        b" / RESET are allowed in this context\r\n"
    )
    assert sub.command("SSUBSCRIBE", "s") == b"*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n"
    assert sub.command("RESET") == b"+RESET\r\n"
    assert sub.command("PING") == b"+PONG\r\n"
    assert sub.command("PUBSUB", "NUMSUB", "c") == b"*2\r\n$1\r\nc\r\n:0\r\n"
    assert sub.command("PUBSUB", "SHARDNUMSUB", "s") == b"*2\r\n$1\r\ns\r\n:0\r\n"


def test_quit_is_allowed_while_subscribed(connect: Connect) -> None:
    sub = connect()
    sub.command("SUBSCRIBE", "c")
    assert sub.command("QUIT") == OK
    assert sub.read_until_closed() == b""


def test_hello_switches_the_context_of_a_subscriber(connect: Connect) -> None:
    sub, publisher = connect(3), connect()
    sub.command("SUBSCRIBE", "c")
    assert sub.command("GET", "k") == b"_\r\n"  # RESP3: no restriction
    assert sub.command("PING") == b"+PONG\r\n"
    assert sub.command("HELLO", "2").startswith(b"*14\r\n")
    assert sub.command("GET", "k").startswith(b"-ERR Can't execute 'get'")
    assert publisher.command("PUBLISH", "c", "m") == b":1\r\n"
    assert sub.read_reply() == message(b"c", b"m")  # now an array


def test_client_reply_off_silences_replies_not_pushes(connect: Connect) -> None:
    sub, publisher = connect(3), connect()
    sub.send(encode_command("CLIENT", "REPLY", "OFF") + encode_command("PING"))
    sub.send(encode_command("SUBSCRIBE", "channel") + encode_command("PSUBSCRIBE", "ch*"))
    assert replies(sub, 2) == (
        confirm("subscribe", b"channel", 1, 3) + confirm("psubscribe", b"ch*", 2, 3)
    )
    assert publisher.command("PUBLISH", "channel", "hello") == b":2\r\n"
    assert replies(sub, 2) == (
        message(b"channel", b"hello", 3) + pmessage(b"ch*", b"channel", b"hello", 3)
    )
    sub.send(encode_command("UNSUBSCRIBE", "channel") + encode_command("PING"))
    sub.send(encode_command("CLIENT", "REPLY", "ON"))
    assert replies(sub, 2) == confirm("unsubscribe", b"channel", 1, 3) + OK


def test_client_reply_skip_skips_the_command_not_its_confirmations(connect: Connect) -> None:
    sub = connect()
    sub.send(encode_command("CLIENT", "REPLY", "SKIP") + encode_command("PSUBSCRIBE", "*"))
    assert sub.read_reply() == confirm("psubscribe", b"*", 1)
    assert sub.command("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"


# -- PUBSUB, shard channels -------------------------------------------------------------


def test_pubsub_introspection(connect: Connect) -> None:
    first, second, control = connect(), connect(), connect()
    first.send(encode_command("SUBSCRIBE", "news.1", "sport"))
    replies(first, 2)
    second.send(encode_command("SUBSCRIBE", "news.1"))
    second.read_reply()
    second.send(encode_command("PSUBSCRIBE", "a*", "b*"))
    replies(second, 2)
    first.send(encode_command("PSUBSCRIBE", "a*"))
    first.read_reply()
    assert sorted(control.command("PUBSUB", "CHANNELS").split(b"\r\n")) == sorted(
        b"*2\r\n$6\r\nnews.1\r\n$5\r\nsport\r\n".split(b"\r\n")
    )
    assert control.command("PUBSUB", "CHANNELS", "n*") == b"*1\r\n$6\r\nnews.1\r\n"
    assert control.command("PUBSUB", "CHANNELS", "zz*") == b"*0\r\n"
    assert control.command("PUBSUB", "NUMSUB", "news.1", "sport", "none") == (
        b"*6\r\n$6\r\nnews.1\r\n:2\r\n$5\r\nsport\r\n:1\r\n$4\r\nnone\r\n:0\r\n"
    )
    assert control.command("PUBSUB", "NUMSUB") == b"*0\r\n"
    assert control.command("PUBSUB", "NUMPAT") == b":2\r\n"
    assert control.command("PUBSUB", "SHARDCHANNELS") == b"*0\r\n"
    assert control.command("PUBSUB", "CHANNELS", "a", "b") == (
        b"-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n"
    )
    assert control.command("PUBSUB", "NUMPAT", "x") == (
        b"-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"
    )
    assert control.command("PUBSUB", "NOPE") == (
        b"-ERR unknown subcommand 'NOPE'. Try PUBSUB HELP.\r\n"
    )
    assert control.command("PUBSUB") == b"-ERR wrong number of arguments for 'pubsub' command\r\n"
    help_reply = control.command("PUBSUB", "HELP")
    assert help_reply.startswith(
        b"*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        b"+CHANNELS [<pattern>]\r\n"
    )
    assert help_reply.endswith(b"+HELP\r\n+    Print this help.\r\n")


def test_shard_channels(connect: Connect) -> None:
    shard, plain, control = connect(), connect(3), connect()
    shard.send(encode_command("SSUBSCRIBE", "chan1", "chan2", "chan1"))
    assert replies(shard, 3) == (
        confirm("ssubscribe", b"chan1", 1)
        + confirm("ssubscribe", b"chan2", 2)
        + confirm("ssubscribe", b"chan1", 2)
    )
    plain.send(encode_command("SUBSCRIBE", "chan1"))
    plain.read_reply()
    plain.send(encode_command("PSUBSCRIBE", "*"))
    plain.read_reply()
    assert control.command("SPUBLISH", "chan1", "hello") == b":1\r\n"
    assert shard.read_reply() == message(b"chan1", b"hello", kind=b"smessage")
    assert control.command("PUBLISH", "chan1", "world") == b":2\r\n"
    assert replies(plain, 2) == (
        message(b"chan1", b"world", 3) + pmessage(b"*", b"chan1", b"world", 3)
    )
    assert control.command("PUBSUB", "SHARDNUMSUB", "chan1", "x") == (
        b"*4\r\n$5\r\nchan1\r\n:1\r\n$1\r\nx\r\n:0\r\n"
    )
    assert control.command("PUBSUB", "SHARDCHANNELS", "*2") == b"*1\r\n$5\r\nchan2\r\n"
    assert control.command("PUBSUB", "CHANNELS") == b"*1\r\n$5\r\nchan1\r\n"
    shard.send(encode_command("SUNSUBSCRIBE"))
    leave_all(shard, "sunsubscribe", [b"chan1", b"chan2"])
    assert control.command("SPUBLISH", "chan1", "x") == b":0\r\n"
    assert control.command("COMMAND", "GETKEYS", "SPUBLISH", "c", "m") == (
        b"-ERR The command has no key arguments\r\n"
    )


def test_an_empty_channel_matches_only_an_empty_pattern(connect: Connect) -> None:
    sub, control = connect(), connect()
    sub.send(encode_command("PSUBSCRIBE", "*", ""))
    replies(sub, 2)
    sub.send(encode_command("SUBSCRIBE", ""))
    sub.read_reply()
    assert control.command("PUBLISH", "", "m") == b":2\r\n"
    assert replies(sub, 2) == message(b"", b"m") + pmessage(b"", b"", b"m")
    assert control.command("PUBSUB", "CHANNELS", "*") == b"*0\r\n"
    assert control.command("PUBSUB", "CHANNELS") == b"*1\r\n$0\r\n\r\n"


# -- clients, INFO, cleanup -------------------------------------------------------------


def info_field(client: RawClient, section: str, name: str) -> str:
    for line in client.command("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in INFO {section}")


def client_field(line: bytes, name: str) -> str:
    for item in line.decode().split():
        key, _, value = item.partition("=")
        if key == name:
            return value
    raise AssertionError(f"{name} not in {line!r}")


def test_info_and_client_list_describe_subscribers(connect: Connect) -> None:
    sub, control = connect(3), connect()
    sub.send(encode_command("SUBSCRIBE", "a", "b") + encode_command("PSUBSCRIBE", "p*"))
    sub.send(encode_command("SSUBSCRIBE", "s"))
    replies(sub, 4)
    info = sub.command("CLIENT", "INFO")
    assert [client_field(info, name) for name in ("flags", "sub", "psub", "ssub")] == [
        "P",
        "2",
        "1",
        "1",
    ]
    assert [
        info_field(control, "stats", name)
        for name in ("pubsub_channels", "pubsub_patterns", "pubsubshard_channels")
    ] == ["2", "1", "1"]
    assert info_field(control, "clients", "pubsub_clients") == "1"
    listed = control.command("CLIENT", "LIST", "TYPE", "pubsub")
    assert listed.count(b"id=") == 1 and b" flags=P " in listed
    assert control.command("CLIENT", "LIST", "TYPE", "normal").count(b"id=") == 1
    sub.send(encode_command("UNSUBSCRIBE") + encode_command("PUNSUBSCRIBE"))
    sub.send(encode_command("SUNSUBSCRIBE"))
    replies(sub, 4)
    info = sub.command("CLIENT", "INFO")
    assert [client_field(info, name) for name in ("flags", "sub", "psub", "ssub")] == [
        "N",
        "0",
        "0",
        "0",
    ]
    assert info_field(control, "clients", "pubsub_clients") == "0"


def test_disconnection_and_kill_drop_subscriptions(connect: Connect) -> None:
    gone, killed, control = connect(), connect(3), connect()
    gone.command("SUBSCRIBE", "c")
    killed.command("PSUBSCRIBE", "c*")
    assert control.command("PUBLISH", "c", "m") == b":2\r\n"
    gone.close()
    wait_until(lambda: control.command("PUBLISH", "c", "m") == b":1\r\n")
    assert control.command("CLIENT", "KILL", "TYPE", "pubsub") == b":1\r\n"
    assert control.command("PUBLISH", "c", "m") == b":0\r\n"
    assert control.command("PUBSUB", "NUMPAT") == b":0\r\n"
    assert info_field(control, "clients", "pubsub_clients") == "0"


def test_reset_leaves_every_subscription(connect: Connect) -> None:
    sub, control = connect(3), connect()
    sub.command("SUBSCRIBE", "c")
    sub.command("SSUBSCRIBE", "s")
    assert sub.command("RESET") == b"+RESET\r\n"
    assert control.command("PUBLISH", "c", "m") == b":0\r\n"
    assert control.command("SPUBLISH", "s", "m") == b":0\r\n"
    assert client_field(sub.command("CLIENT", "INFO"), "flags") == "N"
