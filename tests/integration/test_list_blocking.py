"""The blocking list pops over real sockets, checked against Valkey 8.0.1.

BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH waiting and being served (FIFO per key, the
first non-empty key in argument order, chains of BLMOVE served in one pass, after the
EXEC that made a key ready), their timeouts, CLIENT UNBLOCK, INFO's counters, and the
cases where another type appears on a waited key. A test knows a client is blocked by
polling INFO (``blocked_clients``) with a deadline, never by sleeping. Expected replies
are Valkey 8.0.1's, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
UNBLOCKED = b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
NULL_ARRAY = {2: b"*-1\r\n", 3: b"_\r\n"}


def bulk(text: str) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(text), text.encode())


def pair(key: str, element: str) -> bytes:
    return b"*2\r\n" + bulk(key) + bulk(element)


def popped(key: str, *elements: str) -> bytes:
    """BLMPOP's (and LMPOP's) reply: the key, then the array of elements."""
    return b"*2\r\n" + bulk(key) + b"*%d\r\n" % len(elements) + b"".join(map(bulk, elements))


def info_field(client: RawClient, name: str) -> str:
    for line in client.command("INFO", "clients").decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in INFO clients")


def wait_blocked(control: RawClient, count: int) -> None:
    wait_until(
        lambda: info_field(control, "blocked_clients") == str(count),
        message=f"{count} blocked clients",
    )


def counters(control: RawClient) -> tuple[str, str]:
    """INFO's blocked_clients and total_blocking_keys."""
    return info_field(control, "blocked_clients"), info_field(control, "total_blocking_keys")


@pytest.fixture
def server_for_blocking(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def control(server_for_blocking: Server) -> Iterator[RawClient]:
    with RawClient(server_for_blocking.port) as client:
        yield client


@pytest.fixture
def clients(server_for_blocking: Server) -> Iterator[Callable[..., RawClient]]:
    with raw_clients(server_for_blocking.port) as open_client:
        yield open_client


def block(control: RawClient, client: RawClient, blocked: int, *command: str) -> None:
    """Send a blocking ``command`` and wait until ``blocked`` clients are blocked."""
    client.send(encode_command(*command))
    wait_blocked(control, blocked)


# -- timeouts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["BLPOP", "k", "0.01"],
        ["BRPOP", "k", "k2", "0.01"],
        ["BLMPOP", "0.01", "1", "k", "LEFT"],
        ["BLMOVE", "k", "d", "LEFT", "LEFT", "0.01"],
        ["BRPOPLPUSH", "k", "d", "0.01"],
    ],
)
def test_a_timeout_answers_the_null_array(
    clients: Callable[..., RawClient], protocol: int, command: list[str]
) -> None:
    # BLMOVE and BRPOPLPUSH too: Valkey answers every timed-out list pop this way.
    assert clients(protocol).command(*command) == NULL_ARRAY[protocol]


@pytest.mark.parametrize(
    ("timeout", "error"),
    [
        ("-1", b"-ERR timeout is negative\r\n"),
        ("-0.5", b"-ERR timeout is negative\r\n"),
        ("-inf", b"-ERR timeout is negative\r\n"),
        ("abc", b"-ERR timeout is not a float or out of range\r\n"),
        ("", b"-ERR timeout is not a float or out of range\r\n"),
        (" 1", b"-ERR timeout is not a float or out of range\r\n"),
        ("1 ", b"-ERR timeout is not a float or out of range\r\n"),
        ("nan", b"-ERR timeout is not a float or out of range\r\n"),
        ("0x", b"-ERR timeout is not a float or out of range\r\n"),
        ("1e", b"-ERR timeout is not a float or out of range\r\n"),
        ("1e-5000", b"-ERR timeout is not a float or out of range\r\n"),
        ("inf", b"-ERR timeout is out of range\r\n"),
        ("infinity", b"-ERR timeout is out of range\r\n"),
        ("1e400", b"-ERR timeout is out of range\r\n"),
        ("0x7FFFFFFFFFFFFF", b"-ERR timeout is out of range\r\n"),
        ("9.3e15", b"-ERR timeout is out of range\r\n"),
        ("9223372036854775.807", b"-ERR timeout is out of range\r\n"),
    ],
)
def test_timeout_errors(control: RawClient, timeout: str, error: bytes) -> None:
    assert control.command("BLPOP", "k", timeout) == error
    assert control.command("BRPOPLPUSH", "k", "d", timeout) == error
    assert control.command("BLMOVE", "k", "d", "LEFT", "RIGHT", timeout) == error
    assert control.command("BLMPOP", timeout, "1", "k", "LEFT") == error


@pytest.mark.parametrize("timeout", ["0", "-0", "-0.0001", "0.0"])
def test_timeouts_that_round_to_zero_wait_forever(
    control: RawClient, clients: Callable[..., RawClient], timeout: str
) -> None:
    reader = clients()
    block(control, reader, 1, "BLPOP", "k", timeout)
    assert counters(control) == ("1", "1")
    control.command("RPUSH", "k", "v")
    assert reader.read_reply() == pair("k", "v")


@pytest.mark.parametrize("timeout", ["0x1p-20", ".5", "5.", "+1", "1e-4940", "0x10"])
def test_timeouts_strtold_accepts(control: RawClient, timeout: str) -> None:
    control.command("RPUSH", "k", "a", "b")
    assert control.command("BLPOP", "k", timeout) == pair("k", "a")


def test_arguments_are_checked_in_valkeys_order(control: RawClient) -> None:
    syntax = b"-ERR syntax error\r\n"
    assert control.command("BLMOVE", "k", "d", "UP", "LEFT", "x") == syntax
    assert control.command("BLMPOP", "x", "1", "k", "UP") == syntax
    assert control.command("BLMPOP", "x", "0", "k", "LEFT") == (
        b"-ERR numkeys should be greater than 0\r\n"
    )
    assert control.command("BLMPOP", "x", "1", "k", "LEFT", "COUNT", "0") == (
        b"-ERR count should be greater than 0\r\n"
    )
    control.command("SET", "s", "x")
    assert control.command("BLPOP", "s", "x") == b"-ERR timeout is not a float or out of range\r\n"
    assert control.command("BLPOP", "nokey", "s", "0") == WRONGTYPE


def test_inside_multi_a_pop_that_would_wait_answers_at_once(
    control: RawClient, clients: Callable[..., RawClient], protocol: int
) -> None:
    client = clients(protocol)
    client.command("MULTI")
    for command in (
        ["BLPOP", "k", "0"],
        ["BRPOP", "k", "10"],
        ["BLMPOP", "0", "1", "k", "LEFT"],
        ["RPUSH", "k", "1", "2", "3"],
        ["BLPOP", "k", "0"],
        ["BLMOVE", "k", "d", "LEFT", "LEFT", "0"],
        ["BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "9"],
        ["BLPOP", "k", "0"],
    ):
        assert client.command(*command) == b"+QUEUED\r\n"
    null = NULL_ARRAY[protocol]
    expected = b"*8\r\n" + null * 3 + b":3\r\n" + pair("k", "1") + bulk("2") + popped("k", "3")
    assert client.command("EXEC") == expected + null
    assert counters(control) == ("0", "0")


def test_inside_multi_a_move_that_would_wait_answers_the_null_bulk(
    control: RawClient, clients: Callable[..., RawClient], protocol: int
) -> None:
    # Valkey 8.0.1: BLMOVE and BRPOPLPUSH denied blocking answer the null bulk (their
    # timeout, below, the null array).
    client = clients(protocol)
    client.command("MULTI")
    for command in (
        ["BLMOVE", "nosrc", "d", "LEFT", "LEFT", "0"],
        ["BRPOPLPUSH", "nosrc", "d", "0"],
        ["BLPOP", "nosrc", "0"],
    ):
        assert client.command(*command) == b"+QUEUED\r\n"
    null_bulk = b"$-1\r\n" if protocol == 2 else b"_\r\n"
    assert client.command("EXEC") == b"*3\r\n" + null_bulk * 2 + NULL_ARRAY[protocol]
    assert client.command("BLMOVE", "nosrc", "d", "LEFT", "LEFT", "0.01") == NULL_ARRAY[protocol]


# -- being served -------------------------------------------------------------------------


def test_waiters_of_one_key_are_served_in_blocking_order(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    first, second, third = clients(), clients(3), clients()
    block(control, first, 1, "BLPOP", "k", "0")
    block(control, second, 2, "BLPOP", "k", "0")
    block(control, third, 3, "BRPOP", "k", "0")
    assert counters(control) == ("3", "1")
    assert control.command("RPUSH", "k", "1", "2") == b":2\r\n"
    assert first.read_reply() == pair("k", "1")
    assert second.read_reply() == pair("k", "2")
    assert counters(control) == ("1", "1")
    assert control.command("LPUSH", "k", "3", "4") == b":2\r\n"
    assert third.read_reply() == pair("k", "3")
    assert control.command("LRANGE", "k", "0", "-1") == b"*1\r\n" + bulk("4")
    assert counters(control) == ("0", "0")


def test_several_keys_and_waiters_after_exec(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    first, second, third = clients(), clients(), clients(3)
    block(control, first, 1, "BLPOP", "k1", "k2", "0")
    block(control, second, 2, "BLPOP", "k2", "k1", "0")
    block(control, third, 3, "BLMPOP", "0", "2", "k2", "k3", "RIGHT", "COUNT", "5")
    assert counters(control) == ("3", "3")
    control.command("MULTI")
    control.command("RPUSH", "k2", "x", "y", "z")
    control.command("RPUSH", "k1", "p")
    assert control.command("EXEC") == b"*2\r\n:3\r\n:1\r\n"
    # k2 became ready first: its waiters in order (the first pops k1, its first key),
    # then what is left for the third.
    assert first.read_reply() == pair("k1", "p")
    assert second.read_reply() == pair("k2", "x")
    assert third.read_reply() == popped("k2", "z", "y")
    assert counters(control) == ("0", "0")
    assert control.command("EXISTS", "k1", "k2") == b":0\r\n"


def test_a_key_listed_twice_waits_once(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    reader = clients()
    block(control, reader, 1, "BLPOP", "k", "k", "k", "0")
    assert counters(control) == ("1", "1")
    control.command("RPUSH", "k", "1", "2")
    assert reader.read_reply() == pair("k", "1")
    assert reader.command("BRPOP", "nokey", "k", "0") == pair("k", "2")


def test_moves_served_in_a_chain_in_one_pass(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    readers = [clients() for _ in range(4)]
    block(control, readers[0], 1, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    block(control, readers[1], 2, "BLMOVE", "dst", "src2", "RIGHT", "LEFT", "0")
    block(control, readers[2], 3, "BRPOPLPUSH", "src2", "dst3", "0")
    block(control, readers[3], 4, "BLPOP", "dst3", "0")
    assert control.command("LPUSH", "src", "v") == b":1\r\n"
    assert [reader.read_reply() for reader in readers[:3]] == [bulk("v")] * 3
    assert readers[3].read_reply() == pair("dst3", "v")
    assert counters(control) == ("0", "0")
    assert control.command("DBSIZE") == b":0\r\n"


def test_the_order_of_a_nested_unblock(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    first, second, third = clients(), clients(), clients()
    block(control, first, 1, "BRPOPLPUSH", "l1", "l3", "0")
    block(control, second, 2, "BLPOP", "l2", "0")
    block(control, third, 3, "BLMPOP", "0", "2", "l2", "l3", "LEFT", "COUNT", "1")
    control.command("MULTI")
    control.command("LPUSH", "l1", "1")
    control.command("LPUSH", "l2", "2")
    assert control.command("EXEC") == b"*2\r\n:1\r\n:1\r\n"
    # l1 then l2 were made ready; the move made l3 ready after them.
    assert first.read_reply() == bulk("1")
    assert second.read_reply() == pair("l2", "2")
    assert third.read_reply() == popped("l3", "1")


def test_a_waiter_keeps_its_place_against_a_pipelined_pop(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    waiting, other = clients(), clients()
    block(control, waiting, 1, "BLPOP", "ml", "0")
    other.send(encode_command("LPUSH", "ml", "1") + encode_command("BLPOP", "ml", "0"))
    assert waiting.read_reply() == pair("ml", "1")
    assert other.read_reply() == b":1\r\n"
    wait_blocked(control, 1)
    control.command("LPUSH", "ml", "2")
    assert other.read_reply() == pair("ml", "2")


def test_self_and_circular_moves(control: RawClient, clients: Callable[..., RawClient]) -> None:
    first, second = clients(), clients()
    block(control, first, 1, "BRPOPLPUSH", "l", "l", "0")
    control.command("RPUSH", "l", "x", "y")
    assert first.read_reply() == bulk("y")
    assert control.command("LRANGE", "l", "0", "-1") == b"*2\r\n" + bulk("y") + bulk("x")
    block(control, first, 1, "BLMOVE", "c1", "c2", "RIGHT", "LEFT", "0")
    block(control, second, 2, "BLMOVE", "c2", "c1", "RIGHT", "LEFT", "0")
    control.command("RPUSH", "c1", "q")
    assert first.read_reply() == bulk("q")
    assert second.read_reply() == bulk("q")
    assert control.command("LRANGE", "c1", "0", "-1") == b"*1\r\n" + bulk("q")
    assert control.command("EXISTS", "c2") == b":0\r\n"


def test_resp3_waiters_get_arrays(control: RawClient, clients: Callable[..., RawClient]) -> None:
    first, second, third = clients(3), clients(3), clients(3)
    block(control, first, 1, "BLPOP", "k", "0")
    block(control, second, 2, "BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2")
    block(control, third, 3, "BLMOVE", "k2", "k3", "RIGHT", "LEFT", "0")
    control.command("RPUSH", "k", "1", "2", "3", "4")
    assert first.read_reply() == pair("k", "1")
    assert second.read_reply() == popped("k", "4", "3")
    control.command("RPUSH", "k2", "z")
    assert third.read_reply() == bulk("z")


def test_keys_that_arrive_by_rename_and_swapdb(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    reader = clients()
    block(control, reader, 1, "BLPOP", "target", "0")
    control.command("RPUSH", "tmp", "r")
    control.command("RENAME", "tmp", "target")
    assert reader.read_reply() == pair("target", "r")
    block(control, reader, 1, "BLPOP", "t2", "0")
    control.command("SELECT", "1")
    control.command("RPUSH", "t2", "fromdb1")
    control.command("SWAPDB", "0", "1")
    assert reader.read_reply() == pair("t2", "fromdb1")


# -- other types on the waited keys ------------------------------------------------------------


def test_other_types_do_not_serve_list_waiters(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    lister, streamer = clients(), clients()
    block(control, lister, 1, "BLPOP", "k", "0")
    block(control, streamer, 2, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    control.command("XADD", "k", "1-1", "f", "v")  # a stream on the list waiter's key
    assert counters(control) == ("2", "2")
    control.command("RPUSH", "s", "zz")  # a list on the stream reader's key
    assert counters(control) == ("2", "2")
    control.command("SET", "k", "str")
    assert counters(control) == ("2", "2")
    # Deleted and created again with each waiter's own type.
    assert control.command("DEL", "k", "s") == b":2\r\n"
    control.command("XADD", "s", "2-1", "a", "b")
    assert streamer.read_reply() == (
        b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    )
    control.command("RPUSH", "k", "ok")
    assert lister.read_reply() == pair("k", "ok")
    assert counters(control) == ("0", "0")


def test_a_push_inside_a_transaction_that_leaves_no_list(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    reader = clients()
    block(control, reader, 1, "BLPOP", "k", "0")
    control.command("MULTI")
    control.command("RPUSH", "k", "v")
    control.command("DEL", "k")
    assert control.command("EXEC") == b"*2\r\n:1\r\n:1\r\n"
    control.command("MULTI")
    control.command("RPUSH", "k", "v")
    control.command("SET", "k", "s")
    assert control.command("EXEC") == b"*2\r\n:1\r\n+OK\r\n"
    assert counters(control) == ("1", "1")
    control.command("DEL", "k")
    control.command("RPUSH", "k", "w")
    assert reader.read_reply() == pair("k", "w")


def test_a_woken_pop_meets_another_type_first(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    popper, mover = clients(), clients()
    block(control, popper, 1, "BLPOP", "k1", "k2", "0")
    block(control, mover, 2, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
    control.command("SET", "k1", "s")
    control.command("SET", "dst", "s")
    control.command("RPUSH", "k2", "v")
    assert popper.read_reply() == WRONGTYPE  # the first key is checked first
    control.command("RPUSH", "src", "v")
    assert mover.read_reply() == WRONGTYPE  # the destination: nothing moved
    assert control.command("LRANGE", "src", "0", "-1") == b"*1\r\n" + bulk("v")
    assert control.command("LRANGE", "k2", "0", "-1") == b"*1\r\n" + bulk("v")
    assert counters(control) == ("0", "0")


# -- CLIENT UNBLOCK and the statistics ------------------------------------------------------


def client_id(client: RawClient) -> bytes:
    return client.command("CLIENT", "ID")[1:-2]


def test_client_unblock(control: RawClient, clients: Callable[..., RawClient]) -> None:
    mover, popper, mpopper, pusher = clients(), clients(), clients(), clients(3)
    ids = [client_id(client) for client in (mover, popper, mpopper, pusher)]
    block(control, mover, 1, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
    block(control, popper, 2, "BLPOP", "k", "0")
    block(control, mpopper, 3, "BLMPOP", "0", "1", "k", "LEFT")
    block(control, pusher, 4, "BRPOPLPUSH", "k", "d", "0")
    assert counters(control) == ("4", "1")
    assert control.command("CLIENT", "UNBLOCK", ids[0]) == b":1\r\n"
    assert mover.read_reply() == b"*-1\r\n"
    assert control.command("CLIENT", "UNBLOCK", ids[1], "ERROR") == b":1\r\n"
    assert popper.read_reply() == UNBLOCKED
    assert control.command("CLIENT", "UNBLOCK", ids[2], "TIMEOUT") == b":1\r\n"
    assert mpopper.read_reply() == b"*-1\r\n"
    assert control.command("CLIENT", "UNBLOCK", ids[3], "TIMEOUT") == b":1\r\n"
    assert pusher.read_reply() == b"_\r\n"
    assert counters(control) == ("0", "0")
    assert control.command("CLIENT", "UNBLOCK", ids[0]) == b":0\r\n"


def command_stats(control: RawClient, name: str) -> str:
    text = control.command("INFO", "commandstats").decode()
    for line in text.split("\r\n"):
        if line.startswith(f"cmdstat_{name}:"):
            fields = dict(part.split("=") for part in line.split(":", 1)[1].split(","))
            return f"calls={fields['calls']},failed_calls={fields['failed_calls']}"
    return ""


def test_a_blocking_pop_is_counted_once(
    control: RawClient, clients: Callable[..., RawClient]
) -> None:
    reader = clients()
    reader_id = client_id(reader)
    control.command("CONFIG", "RESETSTAT")
    block(control, reader, 1, "BLPOP", "mylist", "0")
    control.command("LPUSH", "mylist", "1")
    assert reader.read_reply() == pair("mylist", "1")
    assert command_stats(control, "blpop") == "calls=1,failed_calls=0"
    block(control, reader, 1, "BLPOP", "mylist", "0")
    control.command("CLIENT", "UNBLOCK", reader_id, "TIMEOUT")
    assert reader.read_reply() == b"*-1\r\n"
    assert command_stats(control, "blpop") == "calls=2,failed_calls=0"
    block(control, reader, 1, "BLMOVE", "mylist", "d", "LEFT", "LEFT", "0")
    control.command("CLIENT", "UNBLOCK", reader_id, "ERROR")
    assert reader.read_reply() == UNBLOCKED
    assert command_stats(control, "blmove") == "calls=1,failed_calls=1"
