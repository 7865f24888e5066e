"""CLIENT PAUSE and CLIENT UNPAUSE over real sockets, checked against Valkey 8.0.1.

A test knows a command is held by polling the blocked client count with a deadline,
and that it was not run by the state it would have changed; it ends a pause with
CLIENT UNPAUSE or waits for the reply of a short pause. Nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server
from minivalkey.clock import ManualClock

OK = b"+OK\r\n"
QUEUED = b"+QUEUED\r\n"


@pytest.fixture
def paused_server(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def clients(paused_server: Server) -> Iterator[Callable[[], RawClient]]:
    with raw_clients(paused_server.port) as open_client:
        yield open_client


def info_field(client: RawClient, section: str, name: str) -> str:
    for line in client.command("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in INFO {section}")


def wait_held(server: Server, count: int) -> None:
    wait_until(lambda: server.core.blocked_clients == count, message=f"{count} held clients")


def client_fields(client: RawClient, target: RawClient) -> dict[str, str]:
    """CLIENT LIST's fields of ``target``'s connection."""
    host, port = target.sock.getsockname()[:2]
    body = client.command("CLIENT", "LIST").split(b"\r\n", 1)[1][:-2].decode()
    for line in body.split("\n")[:-1]:
        fields = dict(item.split("=", 1) for item in line.split(" "))
        if fields["addr"] == f"{host}:{port}":
            return fields
    raise AssertionError("no such client")


def test_a_write_waits_until_unpause_and_reads_pass(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer, reader = clients(), clients(), clients()
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    writer.send(encode_command("SET", "k", "v"))
    wait_held(paused_server, 1)
    assert reader.command("GET", "k") == b"$-1\r\n"  # reads pass; the write has not run
    assert reader.command("PING") == b"+PONG\r\n"
    fields = client_fields(control, writer)
    assert (fields["flags"], fields["cmd"], fields["argv-mem"]) == ("b", "set", "5")
    assert info_field(control, "clients", "blocked_clients") == "1"
    assert info_field(control, "clients", "clients_in_timeout_table") == "0"
    assert info_field(control, "clients", "total_blocking_keys") == "0"


def test_the_pausing_client_is_held_too(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, other = clients(), clients()
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    control.send(encode_command("SET", "own", "1"))
    wait_held(paused_server, 1)
    assert other.command("GET", "own") == b"$-1\r\n"
    assert other.command("CLIENT", "UNPAUSE") == OK
    assert control.read_reply() == OK
    assert other.command("GET", "own") == b"$1\r\n1\r\n"


def test_unpause_answers_the_held_commands(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer = clients(), clients()
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    writer.send(encode_command("SET", "k", "v"))
    wait_held(paused_server, 1)
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert writer.read_reply() == OK
    assert control.command("GET", "k") == b"$1\r\nv\r\n"
    assert info_field(control, "clients", "blocked_clients") == "0"
    assert client_fields(control, writer)["flags"] == "N"


def test_pipelined_commands_wait_behind_the_held_one_in_order(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer = clients(), clients()
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    writer.send(
        encode_command("SET", "p", "1")
        + encode_command("GET", "p")
        + encode_command("INCR", "p")
        + encode_command("GET", "p")
    )
    wait_held(paused_server, 1)
    writer.send(encode_command("APPEND", "p", "0"))  # arrives while held: waits too
    assert control.command("GET", "p") == b"$-1\r\n"
    assert control.command("CLIENT", "UNPAUSE") == OK
    replies = [writer.read_reply() for _ in range(5)]
    assert replies == [OK, b"$1\r\n1\r\n", b":2\r\n", b"$1\r\n2\r\n", b":2\r\n"]


def test_several_held_clients_are_released_in_order(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control = clients()
    writers = [clients() for _ in range(3)]
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    for index, writer in enumerate(writers):
        writer.send(encode_command("RPUSH", "order", str(index)))
        wait_held(paused_server, index + 1)
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert [writer.read_reply() for writer in writers] == [b":1\r\n", b":2\r\n", b":3\r\n"]
    assert control.command("LRANGE", "order", "0", "-1") == (
        b"*3\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n"
    )


def test_all_holds_every_client_but_a_monitor(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, reader, watcher = clients(), clients(), clients()
    assert watcher.command("MONITOR") == OK
    assert control.command("CLIENT", "PAUSE", "100000", "ALL") == OK
    control.send(encode_command("PING"))  # the pausing client waits too
    reader.send(encode_command("GET", "k"))
    wait_held(paused_server, 2)
    assert watcher.command("PING") == b"+PONG\r\n"  # a monitor is never held
    assert watcher.read_reply().endswith(b'"PING"\r\n')
    assert watcher.command("CLIENT", "UNPAUSE") == OK
    assert control.read_reply() == b"+PONG\r\n"
    assert reader.read_reply() == b"$-1\r\n"


def test_a_short_pause_ends_by_itself(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer = clients(), clients()
    assert control.command("CLIENT", "PAUSE", "50", "WRITE") == OK
    assert writer.command("SET", "k", "v") == OK  # held until the deadline, then run
    assert info_field(control, "clients", "blocked_clients") == "0"
    assert control.command("PING") == b"+PONG\r\n"
    assert not paused_server.core.gated  # the fast path is open again


def test_a_later_pause_keeps_the_later_deadline_and_the_stricter_mode(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, reader, writer, watcher = clients(), clients(), clients(), clients()
    assert watcher.command("MONITOR") == OK
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    assert control.command("CLIENT", "PAUSE", "1", "WRITE") == OK  # the deadline stays
    writer.send(encode_command("SET", "k", "v"))
    wait_held(paused_server, 1)
    assert control.command("CLIENT", "PAUSE", "1", "ALL") == OK  # now everything
    reader.send(encode_command("GET", "k"))
    wait_held(paused_server, 2)
    assert watcher.command("CLIENT", "PAUSE", "0", "WRITE") == OK  # ALL stays
    assert watcher.command("CLIENT", "UNPAUSE") == OK
    assert writer.read_reply() == OK
    assert reader.read_reply() == b"$1\r\nv\r\n"


def test_transactions_under_a_write_pause(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, reading, writing, queueing = clients(), clients(), clients(), clients()
    assert control.command("SET", "foo", "bar") == OK
    assert writing.command("MULTI") == OK
    assert writing.command("SET", "w", "1") == QUEUED  # queued before the pause
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    # A transaction of reads runs.
    for command, reply in (
        (("MULTI",), OK),
        (("PING",), QUEUED),
        (("GET", "foo"), QUEUED),
        (("EXEC",), b"*2\r\n+PONG\r\n$3\r\nbar\r\n"),
    ):
        assert reading.command(*command) == reply
    # An EXEC with a write queued waits; so does a write to be queued.
    writing.send(encode_command("EXEC"))
    assert queueing.command("MULTI") == OK
    queueing.send(encode_command("SET", "q", "1"))
    wait_held(paused_server, 2)
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert writing.read_reply() == b"*1\r\n+OK\r\n"
    assert queueing.read_reply() == QUEUED
    assert queueing.command("EXEC") == b"*1\r\n+OK\r\n"


def test_a_pause_inside_a_transaction_starts_after_it(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer = clients(), clients()
    for command, reply in (
        (("MULTI",), OK),
        (("SET", "FOO1", "BAR"), QUEUED),
        (("CLIENT", "PAUSE", "100000", "WRITE"), QUEUED),
        (("SET", "FOO2", "BAR"), QUEUED),
        (("EXEC",), b"*3\r\n+OK\r\n+OK\r\n+OK\r\n"),
    ):
        assert control.command(*command) == reply
    writer.send(encode_command("SET", "FOO3", "BAR"))
    wait_held(paused_server, 1)
    assert control.command("MGET", "FOO1", "FOO2", "FOO3") == (
        b"*3\r\n$3\r\nBAR\r\n$3\r\nBAR\r\n$-1\r\n"
    )
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert writer.read_reply() == OK


def test_keys_do_not_expire_during_a_pause(make_server: Callable[..., Server]) -> None:
    clock = ManualClock()
    server = make_server(clock=clock)
    with RawClient(server.port) as client:
        assert client.command("SET", "k", "v", "PX", "100") == OK
        assert client.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
        clock.advance(1)
        # Logically gone, but still there: nothing expires while paused.
        assert client.command("GET", "k") == b"$-1\r\n"
        assert client.command("EXISTS", "k") == b":0\r\n"
        assert client.command("TTL", "k") == b":-2\r\n"
        assert client.command("KEYS", "*") == b"*0\r\n"
        assert client.command("DBSIZE") == b":1\r\n"
        assert info_field(client, "stats", "expired_keys") == "0"
        assert client.command("CLIENT", "UNPAUSE") == OK
        assert client.command("GET", "k") == b"$-1\r\n"
        assert client.command("DBSIZE") == b":0\r\n"
        assert info_field(client, "stats", "expired_keys") == "1"


def test_a_held_client_that_leaves_is_forgotten(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control = clients()
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    with RawClient(paused_server.port) as leaving:
        leaving.send(encode_command("SET", "gone", "1"))
        wait_held(paused_server, 1)
    wait_held(paused_server, 0)
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert control.command("GET", "gone") == b"$-1\r\n"


def test_held_commands_are_not_shown_to_monitors(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer, watcher = clients(), clients(), clients()
    assert watcher.command("MONITOR") == OK
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    writer.send(encode_command("SET", "p", "1") + encode_command("GET", "p"))
    wait_held(paused_server, 1)
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert writer.read_reply() == OK
    assert writer.read_reply() == b"$1\r\n1\r\n"
    # Valkey runs the held command again as a reprocessed one, which monitors never see.
    assert watcher.read_reply().endswith(b'"GET" "p"\r\n')


def test_client_unblock_does_not_release_a_held_client(
    paused_server: Server, clients: Callable[[], RawClient]
) -> None:
    control, writer = clients(), clients()
    writer_id = int(writer.command("CLIENT", "ID")[1:-2])
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    writer.send(encode_command("SET", "k", "v"))
    wait_held(paused_server, 1)
    assert control.command("CLIENT", "UNBLOCK", str(writer_id)) == b":0\r\n"
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert writer.read_reply() == OK


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("abc",), b"-ERR timeout is not an integer or out of range\r\n"),
        (("1.5",), b"-ERR timeout is not an integer or out of range\r\n"),
        (("-1",), b"-ERR timeout is negative\r\n"),
        (("9223372036854775807",), b"-ERR timeout is out of range\r\n"),
        (("10", "foo"), b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"),
        (("abc", "foo"), b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"),  # mode first
        (
            ("10", "write", "x"),
            b"-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. "
            b"Try CLIENT HELP.\r\n",
        ),
        ((), b"-ERR wrong number of arguments for 'client|pause' command\r\n"),
        (("0",), OK),  # no deadline: nothing is paused
    ],
)
def test_client_pause_errors(
    paused_server: Server, clients: Callable[[], RawClient], args: tuple[str, ...], reply: bytes
) -> None:
    control = clients()
    assert control.command("CLIENT", "PAUSE", *args) == reply
    assert control.command("SET", "k", "v") == OK  # nothing holds it
    assert control.command("CLIENT", "UNPAUSE", "x") == (
        b"-ERR wrong number of arguments for 'client|unpause' command\r\n"
    )


def test_held_replies_in_both_protocols(
    paused_server: Server, clients: Callable[[], RawClient], protocol: int
) -> None:
    control, writer = clients(), clients()
    if protocol == 3:
        assert writer.command("HELLO", "3").startswith(b"%7\r\n")
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    writer.send(encode_command("ZINCRBY", "z", "1.5", "m"))
    wait_held(paused_server, 1)
    assert control.command("CLIENT", "UNPAUSE") == OK
    assert writer.read_reply() == (b",1.5\r\n" if protocol == 3 else b"$3\r\n1.5\r\n")


def test_redis_py_pause_and_unpause(paused_server: Server, protocol: int) -> None:
    client = redis.Redis(port=paused_server.port, protocol=protocol)
    try:
        assert client.client_pause(100000, all=False) is True
        with RawClient(paused_server.port) as writer:
            writer.send(encode_command("SET", "k", "v"))
            wait_held(paused_server, 1)
            assert client.get("k") is None
            assert client.client_unpause() == b"OK"  # redis-py leaves this reply raw
            assert writer.read_reply() == OK
        assert client.get("k") == b"v"
    finally:
        client.close()
