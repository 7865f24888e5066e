"""The wire: pipelining, inline commands, protocol errors, limits, back-pressure."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis
from helpers import RawClient, encode_command

from minivalkey import Server
from minivalkey.core import ServerCore
from minivalkey.server import ClientConnection
from minivalkey.shell import Shell


class RecordingTransport:
    """Just enough of an asyncio transport to watch what a connection does."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.reading = True

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def can_write_eof(self) -> bool:
        return False  # so a connection that is done closes at once

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 6379)}.get(
            name, default
        )


def connected() -> tuple[ClientConnection, RecordingTransport]:
    loop = asyncio.new_event_loop()
    try:
        shell = Shell(ServerCore())
    finally:
        loop.close()
    connection = ClientConnection(shell)
    transport = RecordingTransport()
    connection.connection_made(transport)  # type: ignore[arg-type]
    return connection, transport


def test_a_pipeline_is_answered_with_one_write() -> None:
    connection, transport = connected()
    connection.data_received(
        encode_command("PING") + encode_command("ECHO", "x") + b"PING\r\n" + encode_command("PING")
    )
    assert transport.writes == [b"+PONG\r\n$1\r\nx\r\n+PONG\r\n+PONG\r\n"]


def test_a_command_split_across_reads_is_answered_once_complete() -> None:
    connection, transport = connected()
    data = encode_command("ECHO", "hello")
    for index in range(len(data) - 1):
        connection.data_received(data[index : index + 1])
    assert transport.writes == []
    connection.data_received(data[-1:])
    assert transport.writes == [b"$5\r\nhello\r\n"]


def test_back_pressure_pauses_and_resumes_reading() -> None:
    connection, transport = connected()
    connection.pause_writing()
    assert transport.reading is False
    connection.resume_writing()
    assert transport.reading is True


def test_protocol_error_answers_earlier_commands_then_closes() -> None:
    connection, transport = connected()
    connection.data_received(encode_command("PING") + b"*1\r\n$x\r\n" + encode_command("PING"))
    assert transport.writes == [b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"]
    assert transport.closed


def test_protocol_error_closes_only_that_connection(server: Server) -> None:
    with RawClient(server.port) as bad, RawClient(server.port) as good:
        assert good.command("PING") == b"+PONG\r\n"
        bad.send(b"*1\r\n$4\r\nPING\r\n*2\r\n+x\r\n")
        assert bad.read_until_closed() == (
            b"+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n"
        )
        assert good.command("PING") == b"+PONG\r\n"


@pytest.mark.parametrize(
    ("request_bytes", "error"),
    [
        (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b'PING "abc\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
        (b"*1\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n"),
        (b"*1\r\n\xff\r\n", b"-ERR Protocol error: expected '$', got '\xff'\r\n"),
        (b"x" * (64 * 1024 + 1), b"-ERR Protocol error: too big inline request\r\n"),
    ],
    ids=["multibulk", "bulk", "quotes", "type", "high-byte", "inline-size"],
)
def test_protocol_errors_over_the_wire(server: Server, request_bytes: bytes, error: bytes) -> None:
    with RawClient(server.port) as client:
        client.send(request_bytes)
        assert client.read_until_closed() == error


def test_protocol_errors_are_counted_in_errorstats(make_server) -> None:  # type: ignore[no-untyped-def]
    instance: Server = make_server()
    with RawClient(instance.port) as client:
        client.send(b"*abc\r\n")
        client.read_until_closed()
    assert instance.core.stats.errorstats == {"ERR": 1}


def test_inline_commands(raw: RawClient) -> None:
    raw.send(b"SET greeting \"hello world\"\r\nGET greeting\r\n\r\nECHO 'it\\'s'\n")
    assert raw.read_reply() == b"+OK\r\n"
    assert raw.read_reply() == b"$11\r\nhello world\r\n"
    assert raw.read_reply() == b"$4\r\nit's\r\n"


def test_empty_multibulk_is_ignored(raw: RawClient) -> None:
    raw.send(b"*0\r\n*-1\r\n" + encode_command("PING"))
    assert raw.read_reply() == b"+PONG\r\n"


def test_quit_answers_then_closes_and_ignores_the_rest(raw: RawClient) -> None:
    raw.send(encode_command("QUIT") + encode_command("SET", "after", "quit"))
    assert raw.read_until_closed() == b"+OK\r\n"
    with RawClient(raw.sock.getpeername()[1]) as other:
        assert other.command("EXISTS", "after") == b":0\r\n"


def test_large_values_round_trip(r: redis.Redis) -> None:
    value = bytes(range(256)) * 8192  # 2 MiB, every byte value
    r.set("big", value)
    assert r.get("big") == value


def test_unknown_command_text(raw: RawClient) -> None:
    assert raw.command("NOPE", "a", "b\r\nc") == (
        b"-ERR unknown command 'NOPE', with args beginning with: 'a' 'b  c' \r\n"
    )
    long_arg = "x" * 200
    reply = raw.command("NOPE", long_arg, "more")
    assert (
        reply
        == b"-ERR unknown command 'NOPE', with args beginning with: '" + b"x" * 128 + b"' \r\n"
    )


def test_arity_errors_name_the_command(raw: RawClient) -> None:
    assert raw.command("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert raw.command("CLIENT", "SETNAME") == (
        b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    )
    assert raw.command("CLIENT") == b"-ERR wrong number of arguments for 'client' command\r\n"


def test_maxclients_refuses_extra_connections(make_server) -> None:  # type: ignore[no-untyped-def]
    instance: Server = make_server(config={"maxclients": 2})
    with RawClient(instance.port) as first, RawClient(instance.port) as second:
        assert first.command("PING") == b"+PONG\r\n"
        assert second.command("PING") == b"+PONG\r\n"
        with RawClient(instance.port) as third:
            assert third.read_until_closed() == b"-ERR max number of clients reached\r\n"
        assert first.command("PING") == b"+PONG\r\n"
