"""MONITOR over real sockets, its lines checked byte for byte against Valkey 8.0.1.

Only the timestamp of a line is masked (by a regular expression); the database, the
origin and the quoted arguments are literal. A test knows a command was not shown by
the line that comes next: a later command's.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server
from minivalkey.clock import ManualClock

OK = b"+OK\r\n"
_STAMP = re.compile(rb"^\+\d+\.\d{6} ")


def masked(line: bytes) -> bytes:
    """A monitor line with its timestamp replaced by ``<t>``."""
    assert _STAMP.match(line), line
    return _STAMP.sub(b"+<t> ", line)


def origin(client: RawClient) -> bytes:
    host, port = client.sock.getsockname()[:2]
    return b"%s:%d" % (host.encode(), port)


def client_flags(client: RawClient) -> dict[int, str]:
    """CLIENT LIST's ``flags`` of each connection, by id."""
    body = client.command("CLIENT", "LIST").split(b"\r\n", 1)[1][:-2].decode()
    lines = body.split("\n")[:-1]
    fields = [dict(item.split("=", 1) for item in line.split(" ")) for line in lines]
    return {int(entry["id"]): entry["flags"] for entry in fields}


class Monitor:
    """A connection that ran MONITOR; ``line()`` is its next line, masked."""

    def __init__(self, port: int, resp3: bool = False) -> None:
        self.raw = RawClient(port)
        if resp3:
            assert self.raw.command("HELLO", "3").startswith(b"%7\r\n")
        assert self.raw.command("MONITOR") == OK

    def line(self) -> bytes:
        return masked(self.raw.read_reply())

    def close(self) -> None:
        self.raw.close()


@contextmanager
def monitoring(server: Server, resp3: bool = False) -> Iterator[Monitor]:
    watcher = Monitor(server.port, resp3)
    try:
        yield watcher
    finally:
        watcher.close()
        wait_until(lambda: not server.core.monitors.clients, message="the monitor left")


@pytest.fixture
def monitor(server: Server, raw: RawClient) -> Iterator[Monitor]:
    """A monitor attached after ``raw`` flushed the server (FLUSHALL is not shown)."""
    with monitoring(server) as watcher:
        yield watcher


@pytest.fixture
def clients(server: Server) -> Iterator[Callable[[], RawClient]]:
    with raw_clients(server.port) as open_client:
        yield open_client


def test_commands_are_shown_after_they_ran(monitor: Monitor, raw: RawClient) -> None:
    me = origin(raw)
    assert raw.command("SET", "foo", "bar") == OK
    assert raw.command("GET", "foo") == b"$3\r\nbar\r\n"
    assert raw.command("SELECT", "1") == OK
    assert raw.command("SELECT", "0") == OK
    assert raw.command("CLIENT", "ID").startswith(b":")
    assert monitor.line() == b'+<t> [0 %s] "SET" "foo" "bar"\r\n' % me
    assert monitor.line() == b'+<t> [0 %s] "GET" "foo"\r\n' % me
    # The database shown is the one the command left the client in.
    assert monitor.line() == b'+<t> [1 %s] "SELECT" "1"\r\n' % me
    assert monitor.line() == b'+<t> [0 %s] "SELECT" "0"\r\n' % me
    assert monitor.line() == b'+<t> [0 %s] "CLIENT" "ID"\r\n' % me


def test_arguments_are_quoted_as_valkey_sdscatrepr(monitor: Monitor, raw: RawClient) -> None:
    assert raw.command("SET", b'a"b\\c', b"\x00\xff\n\r\t\x07\x08 ~") == OK
    assert raw.command("SET", "n", "0123") == OK
    assert monitor.line() == (
        b'+<t> [0 %s] "SET" "a\\"b\\\\c" "\\x00\\xff\\n\\r\\t\\a\\b ~"\r\n' % origin(raw)
    )
    assert monitor.line() == b'+<t> [0 %s] "SET" "n" "0123"\r\n' % origin(raw)


def test_admin_refused_and_queued_commands_are_not_shown(
    monitor: Monitor, raw: RawClient
) -> None:
    me = origin(raw)
    assert raw.command("CLIENT", "LIST").startswith(b"$")  # admin
    assert raw.command("CONFIG", "GET", "maxmemory").startswith(b"*2")  # admin
    assert raw.command("NOSUCH", "x").startswith(b"-ERR unknown command")
    assert raw.command("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert raw.command("ECHO", "next") == b"$4\r\nnext\r\n"
    assert monitor.line() == b'+<t> [0 %s] "ECHO" "next"\r\n' % me


def test_a_transaction_shows_its_commands_when_exec_runs_them(
    monitor: Monitor, raw: RawClient
) -> None:
    me = origin(raw)
    for command, reply in (
        (("MULTI",), OK),
        (("SET", "k", "v"), b"+QUEUED\r\n"),
        (("GET", "k"), b"+QUEUED\r\n"),
        (("EXEC",), b"*2\r\n+OK\r\n$1\r\nv\r\n"),
        # A queue-time error: the monitor sees MULTI, then the EXEC that closes it.
        (("MULTI",), OK),
        (
            ("SYNTAX", "error"),
            b"-ERR unknown command 'SYNTAX', with args beginning with: 'error' \r\n",
        ),
        (("EXEC",), b"-EXECABORT Transaction discarded because of previous errors.\r\n"),
    ):
        assert raw.command(*command) == reply
    for shown in (b'"MULTI"', b'"SET" "k" "v"', b'"GET" "k"', b'"EXEC"', b'"MULTI"', b'"EXEC"'):
        assert monitor.line() == b"+<t> [0 %s] %s\r\n" % (me, shown)


def test_a_script_is_shown_before_the_commands_it_calls(
    monitor: Monitor, raw: RawClient
) -> None:
    """EVAL and EVALSHA (flagged skip_monitor) show themselves as they start: ahead of
    what their script calls (origin ``lua``), even when they then fail, and inside EXEC."""
    me = origin(raw)
    body = "return redis.call('get', KEYS[1])"
    sha = b"4e6d8fc8bb01276962cce5371fa795a7763657ae"
    for command, reply in (
        (("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"), OK),
        (("SCRIPT", "LOAD", body), b"$40\r\n%s\r\n" % sha),
        (("EVALSHA", sha, "1", "k"), b"$1\r\nv\r\n"),
        (("EVALSHA_RO", sha.upper(), "1", "k"), b"$1\r\nv\r\n"),
        (("EVALSHA", "abc", "0"), b"-NOSCRIPT No matching script.\r\n"),
        (
            ("EVAL", "return 1", "5", "a"),
            b"-ERR Number of keys can't be greater than number of args\r\n",
        ),
        (("MULTI",), OK),
        (("EVALSHA", sha, "1", "k"), b"+QUEUED\r\n"),
        (("EVAL", "return 1", "0"), b"+QUEUED\r\n"),
        (("EXEC",), b"*2\r\n$1\r\nv\r\n:1\r\n"),
    ):
        assert raw.command(*command) == reply
    called = b"lua"
    for where, shown in (
        (me, b'"EVAL" "return redis.call(\'set\', KEYS[1], ARGV[1])" "1" "k" "v"'),
        (called, b'"set" "k" "v"'),
        (me, b'"SCRIPT" "LOAD" "%s"' % body.encode()),
        (me, b'"EVALSHA" "%s" "1" "k"' % sha),
        (called, b'"get" "k"'),
        (me, b'"EVALSHA_RO" "%s" "1" "k"' % sha.upper()),
        (called, b'"get" "k"'),
        (me, b'"EVALSHA" "abc" "0"'),
        (me, b'"EVAL" "return 1" "5" "a"'),
        (me, b'"MULTI"'),
        (me, b'"EVALSHA" "%s" "1" "k"' % sha),
        (called, b'"get" "k"'),
        (me, b'"EVAL" "return 1" "0"'),
        (me, b'"EXEC"'),
    ):
        assert monitor.line() == b"+<t> [0 %s] %s\r\n" % (where, shown)


def test_an_exec_refused_before_running_is_shown(monitor: Monitor, raw: RawClient) -> None:
    me = origin(raw)
    aborted = (
        b"-EXECABORT Transaction discarded because of: "
        b"wrong number of arguments for 'exec' command\r\n"
    )
    assert raw.command("EXEC", "foo") == aborted
    assert raw.command("MULTI") == OK
    assert raw.command("EXEC", "foo") == aborted
    assert raw.command("PING") == b"+PONG\r\n"  # the transaction is over
    assert monitor.line() == b'+<t> [0 %s] "EXEC" "foo"\r\n' % me
    assert monitor.line() == b'+<t> [0 %s] "MULTI"\r\n' % me
    assert monitor.line() == b'+<t> [0 %s] "EXEC" "foo"\r\n' % me
    assert monitor.line() == b'+<t> [0 %s] "PING"\r\n' % me


def test_credentials_are_redacted(monitor: Monitor, raw: RawClient) -> None:
    for command, reply in (
        (("AUTH", "a", "b", "c"), b"-ERR syntax error\r\n"),  # refused before redacting
        (
            ("AUTH", "a"),
            b"-ERR AUTH <password> called without any password configured for the default "
            b"user. Are you sure your configuration is correct?\r\n",
        ),
        (("AUTH", "default", "pw"), OK),
        (
            ("HELLO", "3", "AUTH", "u", "p", "SETNAME", "bad name"),
            b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        ),
        (
            ("HELLO", "2", "SETNAME", "bad name", "AUTH", "u", "p"),
            b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        ),
        (("HELLO", "4", "AUTH", "u", "p"), b"-NOPROTO unsupported protocol version\r\n"),
        (("MULTI",), OK),
        (("AUTH", "default", "zz"), b"+QUEUED\r\n"),
        (("EXEC",), b"*1\r\n+OK\r\n"),
    ):
        assert raw.command(*command) == reply
    assert raw.command("HELLO", "2", "AUTH", "default", "x").startswith(b"*14\r\n")
    me = origin(raw)
    for shown in (
        b'"AUTH" "a" "b" "c"',
        b'"AUTH" "(redacted)"',
        b'"AUTH" "(redacted)" "(redacted)"',
        b'"HELLO" "3" "AUTH" "(redacted)" "(redacted)" "SETNAME" "bad name"',
        b'"HELLO" "2" "SETNAME" "bad name" "AUTH" "u" "p"',  # the name failed first
        b'"HELLO" "4" "AUTH" "u" "p"',
        b'"MULTI"',
        b'"AUTH" "(redacted)" "(redacted)"',
        b'"EXEC"',
        b'"HELLO" "2" "AUTH" "(redacted)" "(redacted)"',
    ):
        assert monitor.line() == b"+<t> [0 %s] %s\r\n" % (me, shown)


def test_commands_refused_without_authentication_are_not_shown(
    make_server: Callable[..., Server],
) -> None:
    server = make_server(password="pw")
    with RawClient(server.port) as watcher, RawClient(server.port) as guest:
        assert watcher.command("AUTH", "pw") == OK
        assert watcher.command("MONITOR") == OK
        me = origin(guest)
        assert guest.command("GET", "x") == b"-NOAUTH Authentication required.\r\n"
        assert guest.command("MULTI") == b"-NOAUTH Authentication required.\r\n"
        assert guest.command("EXEC") == (
            b"-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n"
        )
        assert guest.command("AUTH", "bad") == (
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        )
        assert guest.command("AUTH", "pw") == OK
        for shown in (b'"EXEC"', b'"AUTH" "(redacted)"', b'"AUTH" "(redacted)"'):
            assert masked(watcher.read_reply()) == b"+<t> [0 %s] %s\r\n" % (me, shown)


def test_a_blocked_command_is_shown_once_when_it_blocks(
    server: Server, monitor: Monitor, raw: RawClient, clients: Callable[[], RawClient]
) -> None:
    reader = clients()
    reader.send(encode_command("BLPOP", "mylist", "0"))
    wait_until(lambda: server.core.blocked_clients == 1, message="BLPOP blocked")
    assert raw.command("LPUSH", "mylist", "1") == b":1\r\n"
    assert reader.read_reply() == b"*2\r\n$6\r\nmylist\r\n$1\r\n1\r\n"
    assert raw.command("LPUSH", "mylist", "2") == b":1\r\n"
    assert monitor.line() == b'+<t> [0 %s] "BLPOP" "mylist" "0"\r\n' % origin(reader)
    assert monitor.line() == b'+<t> [0 %s] "LPUSH" "mylist" "1"\r\n' % origin(raw)
    assert monitor.line() == b'+<t> [0 %s] "LPUSH" "mylist" "2"\r\n' % origin(raw)


def test_what_a_monitor_may_still_run(server: Server, monitor: Monitor, raw: RawClient) -> None:
    watcher = monitor.raw
    me = origin(watcher)
    # A second MONITOR answers nothing at all: PING's reply comes next.
    watcher.send(encode_command("MONITOR"))
    assert watcher.command("PING") == b"+PONG\r\n"
    assert monitor.line() == b'+<t> [0 %s] "PING"\r\n' % me  # after its own reply
    refused = b"-ERR Replica can't interact with the keyspace\r\n"
    assert watcher.command("GET", "x") == refused
    assert watcher.command("DBSIZE") == refused
    assert watcher.command("SELECT", "2") == OK
    assert monitor.line() == b'+<t> [2 %s] "SELECT" "2"\r\n' % me
    # MULTI runs; a read inside it is refused, failing the transaction.
    assert watcher.command("MULTI") == OK
    assert monitor.line() == b'+<t> [2 %s] "MULTI"\r\n' % me
    assert watcher.command("GET", "x") == refused
    assert watcher.command("PING") == b"+QUEUED\r\n"
    assert watcher.command("EXEC") == (
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )
    assert monitor.line() == b'+<t> [2 %s] "EXEC"\r\n' % me
    assert client_flags(raw)[next(iter(server.core.monitors.clients))] == "O"


def test_reset_makes_a_monitor_a_normal_client(
    server: Server, monitor: Monitor, clients: Callable[[], RawClient]
) -> None:
    other = clients()
    assert other.command("MONITOR") == OK
    assert other.command("RESET") == b"+RESET\r\n"
    assert other.command("GET", "foo") == b"$-1\r\n"
    assert monitor.line() == b'+<t> [0 %s] "RESET"\r\n' % origin(other)
    assert monitor.line() == b'+<t> [0 %s] "GET" "foo"\r\n' % origin(other)
    assert len(server.core.monitors.clients) == 1


def test_quit_is_shown_to_others_but_not_to_the_monitor_quitting(
    monitor: Monitor, clients: Callable[[], RawClient]
) -> None:
    quitting = clients()
    assert quitting.command("MONITOR") == OK
    me = origin(quitting)
    assert quitting.command("QUIT") == OK
    assert quitting.read_until_closed() == b""
    assert monitor.line() == b'+<t> [0 %s] "QUIT"\r\n' % me


def test_client_reply_off_and_skip_silence_a_monitor(
    server: Server, monitor: Monitor, clients: Callable[[], RawClient]
) -> None:
    other = clients()
    watcher = monitor.raw
    me = origin(watcher)
    watcher.send(encode_command("CLIENT", "REPLY", "SKIP"))
    assert monitor.line() == b'+<t> [0 %s] "CLIENT" "REPLY" "SKIP"\r\n' % me
    assert other.command("SET", "s", "1") == OK  # dropped: SKIP until its next command
    watcher.send(encode_command("PING"))  # skipped, its own line too
    watcher.send(encode_command("CLIENT", "REPLY", "OFF"))
    (watching,) = server.core.monitors.clients.values()
    wait_until(lambda: watching.reply_off, message="CLIENT REPLY OFF ran")
    assert other.command("SET", "t", "1") == OK  # dropped
    assert watcher.command("CLIENT", "REPLY", "ON") == OK
    assert monitor.line() == b'+<t> [0 %s] "CLIENT" "REPLY" "ON"\r\n' % me
    assert other.command("SET", "u", "1") == OK
    assert monitor.line() == b'+<t> [0 %s] "SET" "u" "1"\r\n' % origin(other)


def test_monitor_inside_a_transaction_is_refused(monitor: Monitor, raw: RawClient) -> None:
    assert raw.command("MULTI") == OK
    assert raw.command("MONITOR") == b"+QUEUED\r\n"
    assert raw.command("EXEC") == b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n"
    assert monitor.line() == b'+<t> [0 %s] "MULTI"\r\n' % origin(raw)
    assert monitor.line() == b'+<t> [0 %s] "EXEC"\r\n' % origin(raw)  # MONITOR is admin


def test_a_resp3_monitor_gets_the_same_lines(server: Server, raw: RawClient) -> None:
    with monitoring(server, resp3=True) as watcher:
        assert raw.command("SET", "r3", "v") == OK
        assert watcher.line() == b'+<t> [0 %s] "SET" "r3" "v"\r\n' % origin(raw)


def test_a_unix_socket_client_shows_the_server_socket(
    make_server: Callable[..., Server], tmp_path: Path
) -> None:
    path = str(tmp_path / "mv.sock")
    server = make_server(unixsocket=path)
    with monitoring(server) as watcher, socket.socket(socket.AF_UNIX) as local:
        local.connect(path)
        local.sendall(encode_command("SET", "u", "1"))
        assert local.recv(100) == OK
        assert watcher.line() == b'+<t> [0 unix:%s] "SET" "u" "1"\r\n' % path.encode()


def test_the_timestamp_is_the_clock_in_microseconds(make_server: Callable[..., Server]) -> None:
    clock = ManualClock(start_ms=1_700_000_000_123)
    server = make_server(clock=clock)
    watcher = RawClient(server.port)
    with watcher, RawClient(server.port) as client:
        assert watcher.command("MONITOR") == OK
        clock.advance(0.000456)
        assert client.command("PING") == b"+PONG\r\n"
        assert watcher.read_reply() == b'+1700000000.123456 [0 %s] "PING"\r\n' % origin(client)


def test_redis_py_monitor(server: Server, r: redis.Redis) -> None:
    with r.monitor() as watching:
        r.set("foo", "bar")
        command = watching.next_command()
        while command["command"].split()[0] != "SET":  # the new connection's handshake
            command = watching.next_command()
        assert command["command"] == "SET foo bar"
        assert command["db"] == 0


def test_a_monitor_over_its_output_limit_is_closed(make_server: Callable[..., Server]) -> None:
    server = make_server(config={"client-output-buffer-limit": "normal 256kb 0 0"})
    with RawClient(server.port) as watcher, RawClient(server.port) as writer:
        assert watcher.command("MONITOR") == OK  # and never reads again
        value = b"x" * 65536
        for _ in range(2000):
            assert writer.command("SET", "k", value) == OK
            if not server.core.monitors.clients:
                break
        assert not server.core.monitors.clients
        stats = writer.command("INFO", "stats")
        assert b"client_output_buffer_limit_disconnections:1\r\n" in stats


def test_the_fast_path_is_closed_only_while_a_monitor_is_attached(
    make_server: Callable[..., Server],
) -> None:
    server = make_server()
    assert not server.core.gated
    with monitoring(server):
        assert server.core.gated
    assert not server.core.gated
