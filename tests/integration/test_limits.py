"""Protocol limits end to end, over real sockets.

Every expected reply, and every point at which a connection is or is not closed,
was checked by sending the same bytes to valkey-server 8.0.1. Each limit is
tested the same way: the offending connection gets Valkey's error then EOF (or,
for the query buffer limit, EOF without a reply), a client connected at the
same time keeps working, and the keyspace is what it was.

Servers run on both request parsers (hiredis and the pure one): the limits must
not depend on which one reads the bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command, wait_until

from minivalkey import Server

MB = 1024 * 1024


@pytest.fixture(params=[True, False], ids=["hiredis", "pure"])
def use_hiredis(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def limited(make_server: Callable[..., Server], use_hiredis: bool) -> Server:
    """A server of its own (the tests change its limits)."""
    return make_server(use_hiredis=use_hiredis)


@pytest.fixture
def locked(make_server: Callable[..., Server], use_hiredis: bool) -> Server:
    """A server with a password."""
    return make_server(password="pw", use_hiredis=use_hiredis)


@pytest.fixture
def admin(limited: Server) -> Iterator[RawClient]:
    """A client of ``limited`` with a key in place, there before any offending client."""
    with RawClient(limited.port) as client:
        assert client.command("SET", "canary", "alive") == b"+OK\r\n"
        yield client


def send_all(client: RawClient, data: bytes) -> None:
    """Send, tolerating a server that closes the connection before taking everything."""
    try:
        client.send(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def assert_untouched(admin: RawClient) -> None:
    """The other client still works, and the keyspace holds the canary only."""
    assert admin.command("PING") == b"+PONG\r\n"
    assert admin.command("DBSIZE") == b":1\r\n"
    assert admin.command("GET", "canary") == b"$5\r\nalive\r\n"


def info_stat(client: RawClient, name: str) -> int:
    reply = client.command("INFO", "stats").decode()
    for line in reply.split("\r\n"):
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"{name} not in INFO stats")


SET_AFTER = encode_command("SET", "after", "1")  # a valid write after the fault: never runs

PROTOCOL_ERRORS = [
    (
        "invalid-bulk-length",  # one byte over the default proto-max-bulk-len, 512mb
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n" + SET_AFTER,
        b"-ERR Protocol error: invalid bulk length\r\n",
    ),
    (
        "negative-bulk-length",
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n" + SET_AFTER,
        b"-ERR Protocol error: invalid bulk length\r\n",
    ),
    (
        "invalid-multibulk-length",  # INT_MAX + 1
        b"*2147483648\r\n" + SET_AFTER,
        b"-ERR Protocol error: invalid multibulk length\r\n",
    ),
    (
        "non-numeric-multibulk-length",
        b"*3x\r\n" + SET_AFTER,
        b"-ERR Protocol error: invalid multibulk length\r\n",
    ),
    (
        "too-big-mbulk-count-string",  # a count line longer than 64 KiB without its CR
        b"*" + b"1" * (64 * 1024),
        b"-ERR Protocol error: too big mbulk count string\r\n",
    ),
    (
        "too-big-bulk-count-string",
        b"*3\r\n$3\r\nSET\r\n$" + b"1" * (64 * 1024),
        b"-ERR Protocol error: too big bulk count string\r\n",
    ),
    (
        "too-big-inline-request",  # an inline line longer than 64 KiB without its LF
        b"SET k " + b"v" * (64 * 1024),
        b"-ERR Protocol error: too big inline request\r\n",
    ),
    (
        "unbalanced-quotes",
        b'SET k "v\r\n' + SET_AFTER,
        b"-ERR Protocol error: unbalanced quotes in request\r\n",
    ),
    (
        "expected-dollar",
        b"*3\r\n$3\r\nSET\r\n:1\r\n" + SET_AFTER,
        b"-ERR Protocol error: expected '$', got ':'\r\n",
    ),
]


@pytest.mark.parametrize(
    ("request_bytes", "error"),
    [case[1:] for case in PROTOCOL_ERRORS],
    ids=[case[0] for case in PROTOCOL_ERRORS],
)
def test_protocol_limit_closes_only_the_offending_connection(
    limited: Server, admin: RawClient, request_bytes: bytes, error: bytes
) -> None:
    with RawClient(limited.port) as offender:
        # A command before the fault is answered first; nothing after it runs.
        send_all(offender, encode_command("PING") + request_bytes)
        assert offender.read_until_closed() == b"+PONG\r\n" + error
    assert_untouched(admin)


def test_default_limits(admin: RawClient) -> None:
    assert admin.command("CONFIG", "GET", "proto-max-bulk-len") == (
        b"*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n"
    )
    assert admin.command("CONFIG", "GET", "client-query-buffer-limit") == (
        b"*2\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n"
    )
    for name in ("proto-max-bulk-len", "client-query-buffer-limit"):
        assert admin.command("CONFIG", "SET", name, "1000") == (
            b"-ERR CONFIG SET failed (possibly related to argument '"
            + name.encode()
            + b"') - argument must be between 1048576 and 9223372036854775807 inclusive\r\n"
        )


def test_a_count_at_the_limit_waits_for_its_arguments(limited: Server, admin: RawClient) -> None:
    with RawClient(limited.port) as client:
        assert client.command("CLIENT", "ID") == b":2\r\n"
        sent = b"*2147483647\r\n$4\r\nPING\r\n"
        client.send(sent)  # INT_MAX arguments announced: Valkey waits for them
        wait_until(
            lambda: (
                b"tot-net-in=%d " % (len(sent) + len(encode_command("CLIENT", "ID")))
                in admin.command("CLIENT", "LIST")
            )
        )
        assert admin.command("PING") == b"+PONG\r\n"  # a close would have happened by now
        assert b"id=2 " in admin.command("CLIENT", "LIST")
        client.sock.setblocking(False)
        with pytest.raises(BlockingIOError):  # no reply, no EOF
            client.sock.recv(1)
    assert_untouched(admin)


# -- proto-max-bulk-len --------------------------------------------------------------


def test_proto_max_bulk_len_change_reaches_open_connections(
    limited: Server, admin: RawClient
) -> None:
    with RawClient(limited.port) as early, RawClient(limited.port) as other:
        assert early.command("PING") == b"+PONG\r\n"
        assert admin.command("CONFIG", "SET", "proto-max-bulk-len", "1mb") == b"+OK\r\n"
        # Exactly the limit is accepted, on a connection opened before the change.
        value = b"x" * MB
        assert other.command("ECHO", value) == b"$1048576\r\n" + value + b"\r\n"
        send_all(early, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n" + b"x" * 100)
        assert early.read_until_closed() == b"-ERR Protocol error: invalid bulk length\r\n"
        assert other.command("PING") == b"+PONG\r\n"
        # Raising it again lets the same connection send a larger argument.
        assert admin.command("CONFIG", "SET", "proto-max-bulk-len", "2mb") == b"+OK\r\n"
        value = b"y" * (MB + MB // 2)
        assert other.command("ECHO", value) == b"$1572864\r\n" + value + b"\r\n"
    assert_untouched(admin)


# -- before authentication -----------------------------------------------------------

ELEVEN = b"*11\r\n" + b"$1\r\na\r\n" * 11  # eleven arguments: over the unauthenticated limit
UNKNOWN_A = (
    b"-ERR unknown command 'a', with args beginning with: "
    b"'a' 'a' 'a' 'a' 'a' 'a' 'a' 'a' 'a' 'a' \r\n"
)
AUTH = encode_command("AUTH", "pw")


@pytest.mark.parametrize(
    ("request_bytes", "reply"),
    [
        (b"*11\r\n", b"-ERR Protocol error: unauthenticated multibulk length\r\n"),
        (
            b"*2\r\n$4\r\nECHO\r\n$16385\r\n",
            b"-ERR Protocol error: unauthenticated bulk length\r\n",
        ),
        # The general checks come first.
        (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*2\r\n$4\r\nECHO\r\n$abc\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        # A wrong password leaves the limits in place for the rest of the pipeline.
        (
            encode_command("AUTH", "nope") + ELEVEN,
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
            b"-ERR Protocol error: unauthenticated multibulk length\r\n",
        ),
        # RESET logs the client out again: the next command meets the limits.
        (
            AUTH + encode_command("RESET") + ELEVEN,
            b"+OK\r\n+RESET\r\n-ERR Protocol error: unauthenticated multibulk length\r\n",
        ),
    ],
    ids=["count", "bulk", "invalid-count", "invalid-bulk", "wrong-password", "reset"],
)
def test_unauthenticated_limits(locked: Server, request_bytes: bytes, reply: bytes) -> None:
    with RawClient(locked.port) as offender, RawClient(locked.port) as bystander:
        assert bystander.command("AUTH", "pw") == b"+OK\r\n"
        send_all(offender, request_bytes)
        assert offender.read_until_closed() == reply
        assert bystander.command("DBSIZE") == b":0\r\n"


def test_unauthenticated_limits_allow_what_fits(locked: Server) -> None:
    noauth = b"-NOAUTH Authentication required.\r\n"
    with RawClient(locked.port) as client:
        assert client.command("DEL", *["k"] * 9) == noauth  # ten arguments
        assert client.command("ECHO", "b" * 16384) == noauth
        # Inline commands have no such limits (only the 64 KiB line limit).
        client.send(b"ECHO " + b"c" * 20000 + b"\r\n")
        assert client.read_reply() == noauth


@pytest.mark.parametrize("split", [False, True], ids=["one-write", "two-writes"])
def test_authentication_earlier_in_the_pipeline_lifts_the_limits(
    locked: Server, split: bool
) -> None:
    big = encode_command("SET", "big", "v" * 20000)
    hello = encode_command("HELLO", "2", "AUTH", "default", "pw")
    with RawClient(locked.port) as client:
        parts = [AUTH + ELEVEN + big + encode_command("GET", "big")]
        if split:
            parts = [AUTH, ELEVEN + big + encode_command("GET", "big")]
        for part in parts:
            client.send(part)
        assert client.read_reply() == b"+OK\r\n"
        assert client.read_reply() == UNKNOWN_A
        assert client.read_reply() == b"+OK\r\n"
        assert client.read_reply() == b"$20000\r\n" + b"v" * 20000 + b"\r\n"
    with RawClient(locked.port) as client:
        client.send(hello + ELEVEN)
        assert client.read_reply().startswith(b"*14\r\n$6\r\nserver\r\n")
        assert client.read_reply() == UNKNOWN_A


# -- client-query-buffer-limit -------------------------------------------------------


def test_an_argument_over_the_query_buffer_limit_closes_without_reply(
    limited: Server, admin: RawClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="minivalkey")
    with RawClient(limited.port) as early:  # connected before the change
        assert admin.command("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"+OK\r\n"
        # The argument and its CRLF are 1 MiB + 1 bytes.
        send_all(early, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048575\r\n" + b"v" * (MB - 1) + b"\r\n")
        assert early.read_until_closed() == b""
    assert_untouched(admin)
    assert info_stat(admin, "client_query_buffer_limit_disconnections") == 1
    assert any(
        "Closing client that reached max query buffer length" in record.getMessage()
        for record in caplog.records
    )
    assert admin.command("CONFIG", "RESETSTAT") == b"+OK\r\n"
    assert info_stat(admin, "client_query_buffer_limit_disconnections") == 0


def test_the_query_buffer_holds_the_argument_being_read(limited: Server, admin: RawClient) -> None:
    # Each case on a fresh connection: after a large argument Valkey reads greedily
    # (up to that argument's size at once), which makes later reads count more.
    assert admin.command("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"+OK\r\n"
    with RawClient(limited.port) as client:
        # An argument plus its CRLF of exactly the limit is accepted.
        value = b"v" * (MB - 2)
        assert client.command("ECHO", value) == b"$1048574\r\n" + value + b"\r\n"
    with RawClient(limited.port) as client:
        # Arguments already read do not count: two of 600000 bytes make one command.
        assert client.command("ECHO", "x" * 600000, "y" * 600000) == (
            b"-ERR wrong number of arguments for 'echo' command\r\n"
        )
    with RawClient(limited.port) as client:
        # Nor do commands already executed: 2 MiB of small pipelined commands...
        small = encode_command("INCR", "counter")
        count = 2 * MB // len(small) + 1
        client.send(small * count)
        for index in range(count):
            assert client.read_reply() == b":%d\r\n" % (index + 1)
    with RawClient(limited.port) as client:
        # ... or five commands of 600 kB each, sent at once.
        large = encode_command("SET", "large", "z" * 600000)
        client.send(large * 5)
        for _ in range(5):
            assert client.read_reply() == b"+OK\r\n"
    assert admin.command("DEL", "counter", "large") == b":2\r\n"
    assert info_stat(admin, "client_query_buffer_limit_disconnections") == 0
    assert_untouched(admin)


def queue_multi(client: RawClient, queued_bytes: int) -> None:
    """MULTI with SETs queued worth ``queued_bytes`` in Valkey's count.

    A queued command counts its arguments' lengths plus 8 bytes per argument:
    SET k<i> <100000 bytes> is 3 + 2 + 100000 + 24 = 100029.
    """
    assert client.command("MULTI") == b"+OK\r\n"
    for index in range(queued_bytes // 100029):
        assert client.command("SET", f"k{index}", "v" * 100000) == b"+QUEUED\r\n"
        queued_bytes -= 100029
    assert queued_bytes >= 29
    assert client.command("SET", "kk", "w" * (queued_bytes - 29)) == b"+QUEUED\r\n"


def test_queued_multi_commands_count_in_the_query_buffer(limited: Server, admin: RawClient) -> None:
    assert admin.command("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"+OK\r\n"
    ping = encode_command("PING")  # 14 bytes
    with RawClient(limited.port) as client:
        queue_multi(client, MB - 14)
        client.send(ping)  # the read brings it to exactly the limit
        assert client.read_reply() == b"+QUEUED\r\n"
        # The queued PING adds 4 + 8 bytes: any further read crosses the limit.
        send_all(client, encode_command("DISCARD"))
        assert client.read_until_closed() == b""
    with RawClient(limited.port) as client:
        queue_multi(client, MB - 13)
        send_all(client, ping)  # one byte over
        assert client.read_until_closed() == b""
    assert info_stat(admin, "client_query_buffer_limit_disconnections") == 2
    assert_untouched(admin)  # nothing queued ran


def test_input_behind_a_blocked_command_counts(limited: Server, admin: RawClient) -> None:
    assert admin.command("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"+OK\r\n"
    block = encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    write = encode_command("SET", "behind", "b" * 20000)  # 20 kB each
    with RawClient(limited.port) as under:
        under.send(block + write * 40)  # 800 kB waits behind the read, then runs
        # The read must have resolved "$" (and blocked) before the entry is added.
        wait_until(
            lambda: b"blocked_clients:1\r\n" in admin.command("INFO", "clients"),
            message="the XREAD blocked",
        )
        assert admin.command("XADD", "s", "1-1", "f", "v") == b"$3\r\n1-1\r\n"
        assert under.read_reply() == (
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
        )
        for _ in range(40):
            assert under.read_reply() == b"+OK\r\n"
    assert admin.command("DEL", "behind", "s") == b":2\r\n"
    with RawClient(limited.port) as over:
        send_all(over, block + write * 60)  # 1.2 MB waits: over the limit
        assert over.read_until_closed() == b""
    assert info_stat(admin, "client_query_buffer_limit_disconnections") == 1
    assert_untouched(admin)
