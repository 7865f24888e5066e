"""Blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP) over real sockets.

Replies are Valkey 8.0.1's, byte for byte, recorded once from the reference server
with the same sequences. A test knows a client is blocked by polling INFO
(``blocked_clients``) with a deadline, never by sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
OK = b"+OK\r\n"
NULL_ARRAY = {2: b"*-1\r\n", 3: b"_\r\n"}


def info_field(client: RawClient, section: str, name: str) -> str:
    for line in client.command("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in INFO {section}")


def wait_blocked(control: RawClient, count: int) -> None:
    wait_until(
        lambda: info_field(control, "clients", "blocked_clients") == str(count),
        message=f"{count} blocked clients",
    )


def pop_reply(protocol: int, key: str, member: str, score: str) -> bytes:
    """BZPOPMIN / BZPOPMAX's [key, member, score] (the score a double in RESP3)."""
    head = b"*3\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        len(key), key.encode(), len(member), member.encode()
    )
    if protocol == 3:
        return head + b",%s\r\n" % score.encode()
    return head + b"$%d\r\n%s\r\n" % (len(score), score.encode())


def mpop_reply(protocol: int, key: str, pairs: list[tuple[str, str]]) -> bytes:
    """BZMPOP's [key, [[member, score], ...]]."""
    body = b""
    for member, score in pairs:
        text = score.encode()
        encoded = b",%s\r\n" % text if protocol == 3 else b"$%d\r\n%s\r\n" % (len(text), text)
        body += b"*2\r\n$%d\r\n%s\r\n" % (len(member), member.encode()) + encoded
    return b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(key), key.encode(), len(pairs)) + body


@pytest.fixture
def server_for_blocking(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def control(server_for_blocking: Server) -> Iterator[RawClient]:
    with RawClient(server_for_blocking.port) as client:
        yield client


@pytest.fixture
def clients(
    server_for_blocking: Server, protocol: int
) -> Iterator[Callable[[], RawClient]]:
    """Opens clients speaking the test's protocol (the control client stays RESP2)."""
    with raw_clients(server_for_blocking.port, protocol) as open_client:
        yield open_client


# -- served at once, timeouts, errors ----------------------------------------------------------


def test_a_non_empty_key_is_served_without_blocking(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    control.command("ZADD", "z", "1", "a", "2", "b", "3", "c")
    assert client.command("BZPOPMIN", "nokey", "z", "0") == pop_reply(protocol, "z", "a", "1")
    assert client.command("BZPOPMAX", "z", "0") == pop_reply(protocol, "z", "c", "3")
    assert client.command("BZMPOP", "0", "2", "nokey", "z", "MIN", "COUNT", "10") == mpop_reply(
        protocol, "z", [("b", "2")]
    )
    assert control.command("EXISTS", "z") == b":0\r\n"
    assert info_field(control, "clients", "blocked_clients") == "0"


def test_a_timeout_answers_the_null_array(clients: Callable[[], RawClient], protocol: int) -> None:
    client = clients()
    assert client.command("BZPOPMIN", "nokey", "0.01") == NULL_ARRAY[protocol]
    assert client.command("BZPOPMAX", "nokey", "0x1p-7") == NULL_ARRAY[protocol]
    assert client.command("BZMPOP", "0.01", "1", "nokey", "MIN") == NULL_ARRAY[protocol]


@pytest.mark.parametrize(
    ("argv", "reply"),
    [
        (["BZPOPMIN", "k", "abc"], b"-ERR timeout is not a float or out of range\r\n"),
        (["BZPOPMIN", "k", "nan"], b"-ERR timeout is not a float or out of range\r\n"),
        (["BZPOPMIN", "k", " 1"], b"-ERR timeout is not a float or out of range\r\n"),
        (["BZPOPMIN", "k", "1e400"], b"-ERR timeout is out of range\r\n"),
        (["BZPOPMIN", "k", "inf"], b"-ERR timeout is out of range\r\n"),
        (["BZPOPMIN", "k", "9223372036854775"], b"-ERR timeout is out of range\r\n"),
        (["BZPOPMIN", "k", "99999999999999999999"], b"-ERR timeout is out of range\r\n"),
        (["BZPOPMIN", "k", "-1"], b"-ERR timeout is negative\r\n"),
        (["BZPOPMIN", "k", "-inf"], b"-ERR timeout is negative\r\n"),
        (["BZMPOP", "abc", "1", "k", "MIN"], b"-ERR timeout is not a float or out of range\r\n"),
        (["BZMPOP", "-1", "1", "k", "MIN"], b"-ERR timeout is negative\r\n"),
        # BZMPOP reads numkeys, MIN|MAX and COUNT before its timeout.
        (["BZMPOP", "abc", "0", "k", "MIN"], b"-ERR numkeys should be greater than 0\r\n"),
        (["BZMPOP", "abc", "1", "k", "foo"], b"-ERR syntax error\r\n"),
        (
            ["BZMPOP", "x", "1", "k", "MIN", "COUNT", "0"],
            b"-ERR count should be greater than 0\r\n",
        ),
        (["BZMPOP", "0", "2", "k", "MIN"], b"-ERR syntax error\r\n"),
        (["BZMPOP", "0", "1", "k"], b"-ERR wrong number of arguments for 'bzmpop' command\r\n"),
        (["BZPOPMIN", "k"], b"-ERR wrong number of arguments for 'bzpopmin' command\r\n"),
    ],
)
def test_argument_errors(clients: Callable[[], RawClient], argv: list[str], reply: bytes) -> None:
    assert clients().command(*argv) == reply


def test_another_type_before_a_sorted_set_is_wrongtype(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    control.command("SET", "str", "x")
    assert client.command("BZPOPMIN", "str", "0") == WRONGTYPE
    assert client.command("BZPOPMIN", "nokey", "str", "0") == WRONGTYPE
    control.command("ZADD", "z", "1", "a")
    assert client.command("BZPOPMIN", "z", "str", "0") == pop_reply(protocol, "z", "a", "1")


def test_inside_multi_nothing_to_pop_answers_at_once(
    clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    assert client.command("MULTI") == OK
    for argv in (["BZPOPMIN", "nokey", "0"], ["BZMPOP", "0", "1", "nokey", "MAX"]):
        assert client.command(*argv) == b"+QUEUED\r\n"
    assert client.command("EXEC") == b"*2\r\n" + NULL_ARRAY[protocol] * 2


# -- wake-ups ----------------------------------------------------------------------------------


def test_waiters_of_one_key_are_served_in_blocking_order(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    first, second, third = clients(), clients(), clients()
    first.send(encode_command("BZPOPMIN", "k", "0"))
    wait_blocked(control, 1)
    second.send(encode_command("BZPOPMAX", "k", "0"))
    wait_blocked(control, 2)
    third.send(encode_command("BZPOPMIN", "k", "0"))
    wait_blocked(control, 3)
    assert control.command("ZADD", "k", "1", "a", "2", "b") == b":2\r\n"
    assert first.read_reply() == pop_reply(protocol, "k", "a", "1")
    assert second.read_reply() == pop_reply(protocol, "k", "b", "2")
    wait_blocked(control, 1)  # the third found nothing left and waits on
    assert control.command("ZADD", "k", "3", "c") == b":1\r\n"
    assert third.read_reply() == pop_reply(protocol, "k", "c", "3")


def test_a_woken_pop_serves_the_first_key_in_argument_order(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    client.send(encode_command("BZPOPMIN", "k1", "k2", "0"))
    wait_blocked(control, 1)
    # k2 becomes ready first, but k1 is first in the request.
    assert control.command("MULTI") == OK
    control.command("ZADD", "k2", "5", "x")
    control.command("ZADD", "k1", "6", "y")
    assert control.command("EXEC") == b"*2\r\n:1\r\n:1\r\n"
    assert client.read_reply() == pop_reply(protocol, "k1", "y", "6")
    assert control.command("ZRANGE", "k2", "0", "-1") == b"*1\r\n$1\r\nx\r\n"


def test_a_woken_pop_meets_wrongtype_in_an_earlier_key(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    client = clients()
    client.send(encode_command("BZMPOP", "0", "2", "k1", "k2", "MAX", "COUNT", "3"))
    wait_blocked(control, 1)
    control.command("SET", "k1", "str")  # a string does not wake it
    assert info_field(control, "clients", "blocked_clients") == "1"
    control.command("ZADD", "k2", "1", "a", "2", "b")
    assert client.read_reply() == WRONGTYPE
    assert control.command("ZCARD", "k2") == b":2\r\n"


def test_bzmpop_pops_up_to_its_count(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    client.send(encode_command("BZMPOP", "0", "2", "k1", "k2", "MIN", "COUNT", "3"))
    wait_blocked(control, 1)
    control.command("ZADD", "k1", "1", "a", "2", "b", "3", "c", "4", "d")
    assert client.read_reply() == mpop_reply(
        protocol, "k1", [("a", "1"), ("b", "2"), ("c", "3")]
    )
    client.send(encode_command("BZMPOP", "0", "1", "k1", "MAX", "COUNT", "3"))
    assert client.read_reply() == mpop_reply(protocol, "k1", [("d", "4")])


def test_a_key_emptied_in_the_same_transaction_leaves_the_waiter_blocked(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    client.send(encode_command("BZPOPMIN", "q", "0"))
    wait_blocked(control, 1)
    control.command("MULTI")
    control.command("ZADD", "q", "1", "a")
    control.command("ZPOPMIN", "q")
    assert control.command("EXEC") == b"*2\r\n:1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert info_field(control, "clients", "blocked_clients") == "1"
    control.command("ZADD", "q", "2", "b")
    assert client.read_reply() == pop_reply(protocol, "q", "b", "2")


@pytest.mark.parametrize(
    "bring",
    [
        [["ZINCRBY", "w", "3", "m"]],
        [["ZADD", "src", "3", "m"], ["ZRANGESTORE", "w", "src", "0", "-1"]],
        [["ZADD", "src", "3", "m"], ["ZUNIONSTORE", "w", "1", "src"]],
        [["ZADD", "src", "3", "m"], ["RENAME", "src", "w"]],
        [["ZADD", "src", "3", "m"], ["COPY", "src", "w"]],
        [["SELECT", "1"], ["ZADD", "w", "3", "m"], ["SWAPDB", "0", "1"], ["SELECT", "0"]],
    ],
)
def test_a_sorted_set_brought_onto_the_key_wakes_the_waiter(
    control: RawClient, clients: Callable[[], RawClient], protocol: int, bring: list[list[str]]
) -> None:
    client = clients()
    client.send(encode_command("BZPOPMAX", "w", "0"))
    wait_blocked(control, 1)
    for argv in bring:
        assert not control.command(*argv).startswith(b"-"), argv
    assert client.read_reply() == pop_reply(protocol, "w", "m", "3")


def test_a_store_over_another_type_does_not_wake_the_waiter(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    client = clients()
    client.send(encode_command("BZPOPMIN", "dst", "0"))
    wait_blocked(control, 1)
    control.command("ZADD", "src", "1", "a")
    control.command("SET", "dst", "s")
    # Valkey replaces the string without signalling the key as ready for sorted sets.
    assert control.command("ZUNIONSTORE", "dst", "1", "src") == b":1\r\n"
    assert info_field(control, "clients", "blocked_clients") == "1"
    control.command("DEL", "dst")
    assert control.command("ZUNIONSTORE", "dst", "1", "src") == b":1\r\n"
    assert client.read_reply() == pop_reply(protocol, "dst", "a", "1")


def test_an_expired_key_is_not_popped(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    control.command("ZADD", "z", "1", "a")
    control.command("PEXPIREAT", "z", "1")  # long past: the key is gone at once
    client = clients()
    assert client.command("BZPOPMIN", "z", "0.01") == NULL_ARRAY[protocol]


# -- CLIENT UNBLOCK and disconnection ----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["BZPOPMIN", "nokey", "0"], ["BZPOPMAX", "nokey", "0"], ["BZMPOP", "0", "1", "nokey", "MIN"]],
)
def test_client_unblock(
    control: RawClient, clients: Callable[[], RawClient], protocol: int, argv: list[str]
) -> None:
    client = clients()
    client_id = client.command("CLIENT", "ID")[1:-2]
    for reason, reply in (
        ([], NULL_ARRAY[protocol]),
        (["TIMEOUT"], NULL_ARRAY[protocol]),
        (["ERROR"], b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"),
    ):
        client.send(encode_command(*argv))
        wait_blocked(control, 1)
        assert control.command("CLIENT", "UNBLOCK", client_id, *reason) == b":1\r\n"
        assert client.read_reply() == reply
    assert control.command("CLIENT", "UNBLOCK", client_id) == b":0\r\n"


def test_a_disconnected_waiter_is_forgotten(
    control: RawClient, clients: Callable[[], RawClient], protocol: int
) -> None:
    gone, staying = clients(), clients()
    gone.send(encode_command("BZPOPMIN", "k", "0"))
    wait_blocked(control, 1)
    staying.send(encode_command("BZPOPMIN", "k", "0"))
    wait_blocked(control, 2)
    gone.close()
    wait_blocked(control, 1)
    control.command("ZADD", "k", "1", "a")
    assert staying.read_reply() == pop_reply(protocol, "k", "a", "1")


def test_redis_py_blocking_pops(server_for_blocking: Server, protocol: int) -> None:
    client = redis.Redis(port=server_for_blocking.port, protocol=protocol)
    try:
        client.zadd("z", {"a": 1, "b": 2.5})
        # redis-py answers a tuple in RESP2 and a list in RESP3.
        assert list(client.bzpopmax(["nokey", "z"], timeout=0)) == [b"z", b"b", 2.5]
        assert list(client.bzpopmin("z", timeout=1)) == [b"z", b"a", 1.0]
        assert client.bzpopmin("z", timeout=0.01) is None
    finally:
        client.close()
