"""INFO's ``rdb_changes_since_last_save``: the changes Valkey 8.0.1 counts per command.

Each case is one command run on the state the cases before it left, with the counter's
increase valkey-server 8.0.1 showed for the same sequence. A served blocked pop counts
its own change after the push that woke it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command, wait_until

from minivalkey import Server

# (command, increase of the counter), in order, from valkey-server 8.0.1.
SEQUENCE: list[tuple[tuple[str, ...], int]] = [
    (("DEL", "nokey"), 0),
    (("LPUSH", "l", "a", "b", "c"), 3),
    (("DEL", "l"), 1),
    (("SET", "s", "1"), 1),
    (("SETBIT", "s", "0", "0"), 0),
    (("SETBIT", "s", "0", "1"), 1),
    (("SETBIT", "s", "90", "0"), 1),
    (("HSET", "h", "a", "1", "b", "2"), 2),
    (("SADD", "x", "1", "2", "2"), 2),
    (("SADD", "x", "1"), 0),
    (("LPOP", "nolist"), 0),
    (("INCR", "n"), 1),
    (("EXPIRE", "n", "100"), 1),
    (("XADD", "st", "1-1", "f", "v"), 1),
    (("ZADD", "z", "1", "a", "2", "b"), 2),
    (("ZADD", "z", "1", "a"), 0),
    (("HDEL", "h", "a", "zz"), 1),
    (("SREM", "x", "1", "2"), 2),
    (("GETDEL", "s"), 1),
    (("LPUSH", "l", "a", "b", "c"), 3),
    (("LPOP", "l", "2"), 2),
    (("RPOPLPUSH", "l", "l2"), 1),
    (("LMOVE", "l", "l2", "LEFT", "LEFT"), 0),
    (("BITFIELD", "bf", "SET", "i5", "0", "0"), 1),
    (("BITFIELD", "bf", "SET", "i5", "0", "0"), 0),
    (("BITFIELD", "bf", "INCRBY", "i5", "0", "1"), 1),
    (("SET", "s", "v", "BADOPTION"), 0),
]


def changes(client: RawClient) -> int:
    for line in client.command("INFO", "persistence").decode().split("\r\n"):
        if line.startswith("rdb_changes_since_last_save:"):
            return int(line.split(":", 1)[1])
    raise AssertionError("rdb_changes_since_last_save not in INFO persistence")


@pytest.fixture
def own_server(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def control(own_server: Server) -> Iterator[RawClient]:
    with RawClient(own_server.port) as client:
        yield client


def test_each_command_counts_its_changes(control: RawClient) -> None:
    assert changes(control) == 0
    seen = []
    for command, _ in SEQUENCE:
        before = changes(control)
        control.command(*command)
        seen.append((command, changes(control) - before))
    assert seen == SEQUENCE


def blocked_clients(control: RawClient) -> str:
    for line in control.command("INFO", "clients").decode().split("\r\n"):
        if line.startswith("blocked_clients:"):
            return line.split(":", 1)[1]
    raise AssertionError("blocked_clients not in INFO clients")


@pytest.mark.parametrize(
    "command, reply",
    [
        (("BLPOP", "lst", "0"), b"*2\r\n$3\r\nlst\r\n$1\r\na\r\n"),
        (("BLMOVE", "lst", "lst1", "LEFT", "LEFT", "0"), b"$1\r\na\r\n"),
    ],
)
def test_a_served_blocked_pop_counts_a_change(
    own_server: Server, control: RawClient, command: tuple[str, ...], reply: bytes
) -> None:
    with RawClient(own_server.port) as waiter:
        before = changes(control)
        waiter.send(encode_command(*command))
        wait_until(lambda: blocked_clients(control) == "1", message="one blocked client")
        assert control.command("LPUSH", "lst", "a") == b":1\r\n"
        assert waiter.read_reply() == reply
        assert changes(control) == before + 2
