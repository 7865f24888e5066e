"""Busy scripts over real sockets, checked against Valkey 8.0.1: BUSY past
busy-reply-threshold, what still runs meanwhile, SCRIPT KILL, UNKILLABLE and
SHUTDOWN NOSAVE, on uvloop and on the plain asyncio loop, in RESP2 and RESP3.

A test knows a script is busy when another client's PING answers BUSY: before the
threshold that PING waits for the script (it is atomic), so polling it with
``wait_until`` never sleeps. Each test runs its own server (a script that cannot be
killed ends with SHUTDOWN NOSAVE).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import RawClient, accepts, encode_command, raw_clients, wait_until

from minivalkey import Server

OK = b"+OK\r\n"
PONG = b"+PONG\r\n"
QUEUED = b"+QUEUED\r\n"
BUSY = (
    b"-BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
)
NOTBUSY = b"-NOTBUSY No scripts in execution right now.\r\n"
UNKILLABLE = (
    b"-UNKILLABLE Sorry the script already executed write commands against the dataset. "
    b"You can either wait the script termination or kill the server in a hard way using "
    b"the SHUTDOWN NOSAVE command.\r\n"
)
EXECABORT_BUSY = b"-EXECABORT Transaction discarded because of: " + BUSY[1:]
EXECABORT_EARLIER = b"-EXECABORT Transaction discarded because of previous errors.\r\n"

LOOP = "local i = 0 while true do i = i + 1 end"


def killed(sha: str, line: int) -> bytes:
    """The error the caller of a killed script gets."""
    return b"-ERR Script killed by user with SCRIPT KILL... script: %s, on @user_script:%d.\r\n" % (
        sha.encode(),
        line,
    )


def sha1(body: str) -> str:
    import hashlib

    return hashlib.sha1(body.encode()).hexdigest()


@pytest.fixture(params=[True, False], ids=["uvloop", "asyncio"])
def busy_server(
    request: pytest.FixtureRequest, make_server: Callable[..., Server]
) -> Iterator[Server]:
    server = make_server(use_uvloop=request.param)
    with RawClient(server.port) as admin:
        assert admin.command("CONFIG", "SET", "busy-reply-threshold", "50") == OK
    yield server
    if server.running and accepts(server.port):  # a script a failed test left running
        with RawClient(server.port) as admin:
            admin.send(encode_command("SHUTDOWN", "NOSAVE"))
            admin.read_until_closed()


@pytest.fixture
def clients(busy_server: Server, protocol: int) -> Iterator[Callable[..., RawClient]]:
    """Clients in the test's protocol, each served once before it is handed out (a
    connection the loop accepted in the very turn a script starts waits for it)."""
    with raw_clients(busy_server.port, protocol) as open_client:

        def served(protocol: int = protocol) -> RawClient:
            client = open_client(protocol)
            assert client.command("PING") == PONG
            return client

        yield served


def start(caller: RawClient, body: str, *keys_and_args: str, numkeys: int = 0) -> None:
    """Send EVAL without waiting for its reply."""
    caller.send(encode_command("EVAL", body, numkeys, *keys_and_args))


def wait_busy(client: RawClient) -> None:
    wait_until(lambda: client.command("PING") == BUSY, message="the script to be busy")


def test_a_timed_out_script_answers_busy_until_script_kill(
    clients: Callable[..., RawClient],
) -> None:
    caller, other = clients(), clients()
    assert other.command("SET", "k", "v") == OK
    start(caller, LOOP)
    wait_busy(other)
    assert other.command("GET", "k") == BUSY
    assert other.command("PING", "hello") == BUSY
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(LOOP), 1)
    assert other.command("PING") == PONG
    assert other.command("SCRIPT", "KILL") == NOTBUSY
    assert other.command("GET", "k") == b"$1\r\nv\r\n"
    assert caller.command("EVAL", "return 1", 0) == b":1\r\n"  # the state is usable again


def test_script_kill_when_nothing_runs_answers_notbusy(clients: Callable[..., RawClient]) -> None:
    assert clients().command("SCRIPT", "KILL") == NOTBUSY


def test_pcall_cannot_catch_the_kill(clients: Callable[..., RawClient]) -> None:
    caller, other = clients(), clients()
    body = "local f = function() while 1 do redis.call('ping') end end\nwhile 1 do pcall(f) end"
    start(caller, body)
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(body), 2)
    # The kill caught, the next line fails again...
    body = "local ok = pcall(function() while true do end end)\nreturn 'survived'"
    start(caller, body)
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(body), 2)
    # ... but with no next line, the script returns (so does Valkey's).
    body = "local ok = pcall(function() while true do end end) return 'survived'"
    start(caller, body)
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == b"$8\r\nsurvived\r\n"
    assert other.command("PING") == PONG


def test_a_killed_script_leaves_no_partial_state(clients: Callable[..., RawClient]) -> None:
    caller, other = clients(), clients()
    assert other.command("RPUSH", "list", "a", "b") == b":2\r\n"
    body = (
        "local seen = redis.call('lrange', KEYS[1], 0, -1)\n"
        "while #seen > 0 do seen[1] = seen[1] end"
    )
    start(caller, body, "list", numkeys=1)
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(body), 2)
    assert other.command("LRANGE", "list", "0", "-1") == b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    assert other.command("DBSIZE") == b":1\r\n"
    # The kill was this run's: the next script is not killed, a long one neither.
    long_body = "local n = 0 for i = 1, 3000000 do n = n + 1 end return n"
    assert caller.command("EVAL", long_body, 0) == b":3000000\r\n"


def test_a_script_that_wrote_is_unkillable_and_shutdown_nosave_stops_the_server(
    busy_server: Server, clients: Callable[..., RawClient]
) -> None:
    caller, other = clients(), clients()
    start(caller, "redis.call('set', KEYS[1], 'y') " + LOOP, "x", numkeys=1)
    caller.send(encode_command("PING"))  # behind the script: never answered
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == UNKILLABLE
    assert other.command("PING") == BUSY
    assert other.command("SHUTDOWN") == BUSY
    assert other.command("SHUTDOWN", "SAVE") == BUSY
    assert other.command("SHUTDOWN", "NOW") == BUSY
    assert other.command("SHUTDOWN", "ABORT") == b"-ERR No shutdown in progress.\r\n"
    assert other.command("SHUTDOWN", "NOSAVE", "SAVE") == b"-ERR syntax error\r\n"
    stopper = RawClient(busy_server.port)  # connected while the script runs
    stopper.send(encode_command("SHUTDOWN", "NOSAVE"))
    assert stopper.read_until_closed() == b""
    stopper.close()
    assert caller.read_until_closed() == b""
    assert other.read_until_closed() == b""
    assert not accepts(busy_server.port)  # the listener closed before anyone heard


def test_allowed_commands_run_during_busy(clients: Callable[..., RawClient]) -> None:
    caller, other = clients(), clients()
    start(caller, LOOP)
    wait_busy(other)
    assert other.command("WATCH", "k") == OK
    assert other.command("UNWATCH") == OK
    assert other.command("MULTI") == OK
    assert other.command("DISCARD") == OK
    assert other.command("AUTH", "pw") == (
        b"-ERR AUTH <password> called without any password configured for the default "
        b"user. Are you sure your configuration is correct?\r\n"
    )
    hello = other.command("HELLO", "2", "SETNAME", "during-busy")
    assert hello.startswith(b"*14\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n")
    assert other.command("CLIENT", "SETNAME", "x") == BUSY
    assert other.command("CLIENT", "PAUSE", "100") == BUSY
    assert other.command("INFO") == BUSY
    assert other.command("EVAL", "return 1", "0") == BUSY
    # Unknown commands and wrong arities are answered first, as in Valkey.
    assert other.command("NOSUCH") == (
        b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n"
    )
    assert other.command("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert other.command("RESET") == b"+RESET\r\n"
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(LOOP), 1)
    name = other.command("CLIENT", "GETNAME")
    assert name == b"$-1\r\n"  # RESET cleared the name HELLO set


def test_busy_rejections_are_counted_as_valkey_counts_them(
    clients: Callable[..., RawClient],
) -> None:
    caller, other = clients(), clients()
    assert other.command("CONFIG", "RESETSTAT") == OK
    start(caller, LOOP)
    wait_busy(other)  # PONG until the script is busy, then one BUSY
    assert other.command("GET", "k") == BUSY
    assert other.command("ECHO", "x") == BUSY
    assert other.command("SCRIPT", "KILL") == OK
    caller.read_reply()
    errorstats = other.command("INFO", "errorstats")
    assert b"errorstat_BUSY:count=3\r\n" in errorstats
    commandstats = other.command("INFO", "commandstats")
    for name in (b"get", b"echo"):
        assert (
            b"cmdstat_%s:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0" % name
        ) in commandstats
    assert b"cmdstat_eval:calls=1," in commandstats
    assert b",rejected_calls=0,failed_calls=1\r\n" in commandstats.split(b"cmdstat_eval:")[1]


def test_a_pipeline_during_busy_is_answered_in_order(clients: Callable[..., RawClient]) -> None:
    caller, other = clients(), clients()
    start(caller, LOOP)
    wait_busy(other)
    other.send(
        encode_command("PING")
        + encode_command("GET", "a")
        + encode_command("MULTI")
        + encode_command("SET", "a", "1")
        + encode_command("EXEC")
        + encode_command("NOSUCH")
    )
    assert [other.read_reply() for _ in range(6)] == [
        BUSY,
        BUSY,
        OK,
        BUSY,
        EXECABORT_BUSY,
        b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
    ]
    assert other.command("SCRIPT", "KILL") == OK
    caller.read_reply()
    assert other.command("EXISTS", "a") == b":0\r\n"


def test_multi_begun_during_busy_fails_at_exec(clients: Callable[..., RawClient]) -> None:
    caller, other, killer = clients(), clients(), clients()
    assert other.command("SET", "xx", "1") == OK
    start(caller, LOOP)
    wait_busy(other)
    assert other.command("MULTI") == OK
    assert other.command("INCR", "xx") == BUSY
    assert other.command("SCRIPT", "KILL") == QUEUED  # allowed while busy, so queued
    assert killer.command("SCRIPT", "KILL") == OK
    caller.read_reply()
    assert other.command("INCR", "xx") == QUEUED
    assert other.command("EXEC") == EXECABORT_EARLIER
    assert other.command("GET", "xx") == b"$1\r\n1\r\n"
    assert other.command("PING", "asdf") == b"$4\r\nasdf\r\n"


def test_exec_during_busy_discards_the_transaction(clients: Callable[..., RawClient]) -> None:
    caller, other = clients(), clients()
    assert other.command("SET", "xx", "1") == OK
    assert other.command("MULTI") == OK
    assert other.command("INCR", "xx") == QUEUED
    start(caller, LOOP)
    wait_until(lambda: other.command("INCR", "xx") == BUSY, message="the script to be busy")
    assert other.command("EXEC") == EXECABORT_BUSY
    assert other.command("SCRIPT", "KILL") == OK
    caller.read_reply()
    assert other.command("GET", "xx") == b"$1\r\n1\r\n"
    assert other.command("PING", "asdf") == b"$4\r\nasdf\r\n"


def test_the_callers_pipeline_runs_after_the_script(clients: Callable[..., RawClient]) -> None:
    caller, other = clients(), clients()
    body = "while 1 do redis.call('ping') end"
    caller.send(encode_command("EVAL", body, 0) + encode_command("PING"))
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(body), 1)
    assert caller.read_reply() == PONG


def test_a_timed_out_script_that_returns_answers_its_caller(
    clients: Callable[..., RawClient],
) -> None:
    caller, other = clients(), clients()
    body = "for i = 1, 20000 do redis.call('ping') end return 'ok'"
    start(caller, body)
    assert caller.read_reply() == b"$2\r\nok\r\n"
    assert caller.command("PING") == PONG
    assert other.command("PING") == PONG


def test_blocked_clients_are_served_after_the_script(
    busy_server: Server, clients: Callable[..., RawClient]
) -> None:
    caller, other, blocked = clients(), clients(2), clients()
    assert other.command("CONFIG", "RESETSTAT") == OK  # no HELLO counted yet
    blocked.send(encode_command("BLPOP", "x", "0"))
    wait_until(lambda: busy_server.core.blocked_clients == 1, message="a blocked client")
    body = (
        "redis.call('lpush', KEYS[1], 'y')\n"
        "repeat\n"
        "  for i = 1, 20000 do end\n"
        "until string.find(redis.call('info', 'commandstats'), 'cmdstat_hello:', 1, true)\n"
        "redis.call('lpush', KEYS[1], 'z')\n"
        "return 'done'"
    )
    start(caller, body, "x", numkeys=1)
    wait_busy(other)
    assert other.command("HELLO", "2", "SETNAME", "abortscript").startswith(b"*14\r\n")
    assert caller.read_reply() == b"$4\r\ndone\r\n"
    assert blocked.read_reply() == b"*2\r\n$1\r\nx\r\n$1\r\nz\r\n"
    assert other.command("LRANGE", "x", "0", "-1") == b"*1\r\n$1\r\ny\r\n"


def test_a_client_connecting_during_busy_is_answered(
    busy_server: Server, clients: Callable[..., RawClient], protocol: int
) -> None:
    caller, other = clients(), clients()
    start(caller, LOOP)
    wait_busy(other)
    late = RawClient(busy_server.port)  # accepted while the script runs
    if protocol == 3:
        assert late.command("HELLO", "3").startswith(b"%7\r\n")
    assert late.command("PING") == BUSY
    late.send(encode_command("PING") + encode_command("ECHO", "x"))
    assert [late.read_reply(), late.read_reply()] == [BUSY, BUSY]
    quitting = RawClient(busy_server.port)
    assert quitting.command("QUIT") == OK
    assert quitting.read_until_closed() == b""
    quitting.close()
    assert late.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(LOOP), 1)
    # Handed to the loop once the script is over: served as any other connection.
    assert late.command("PING") == PONG
    value = "v" * 300000
    late.send(encode_command("SET", "big", value) + encode_command("GET", "big"))
    assert late.read_reply() == OK
    assert late.read_reply() == b"$300000\r\n" + value.encode() + b"\r\n"
    listing = other.command("CLIENT", "LIST").split(b"\r\n", 1)[1][:-2]
    assert listing.count(b"\n") == 3  # caller, other, late: the quitter is gone
    late.close()


def test_a_subscriber_gets_what_the_busy_script_published(
    clients: Callable[..., RawClient], protocol: int
) -> None:
    caller, other, subscriber = clients(), clients(), clients()
    assert subscriber.command("SUBSCRIBE", "ch").endswith(b"$2\r\nch\r\n:1\r\n")
    start(caller, "redis.call('publish', 'ch', 'hello') " + LOOP)
    wait_busy(other)
    kind = b">3" if protocol == 3 else b"*3"
    assert subscriber.read_reply() == kind + b"\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"
    assert subscriber.command("PING") == BUSY
    assert other.command("SCRIPT", "KILL") == OK  # publishing is no write
    assert caller.read_reply() == killed(sha1("redis.call('publish', 'ch', 'hello') " + LOOP), 1)


def test_a_zero_threshold_never_makes_a_script_busy(
    busy_server: Server, clients: Callable[..., RawClient]
) -> None:
    caller, other = clients(), clients(2)
    assert other.command("CONFIG", "SET", "lua-time-limit", "0") == OK
    assert other.command("CONFIG", "GET", "busy-reply-threshold") == (
        b"*2\r\n$20\r\nbusy-reply-threshold\r\n$1\r\n0\r\n"
    )
    start(caller, "local n = 0 for i = 1, 3000000 do n = n + 1 end return n")
    assert other.command("PING") == PONG
    assert caller.read_reply() == b":3000000\r\n"
    assert b"errorstat_BUSY" not in other.command("INFO", "errorstats")


def test_the_threshold_answers_under_both_names(clients: Callable[..., RawClient]) -> None:
    client = clients(2)
    assert client.command("CONFIG", "GET", "lua-time-limit") == (
        b"*2\r\n$14\r\nlua-time-limit\r\n$2\r\n50\r\n"
    )
    assert client.command("CONFIG", "GET", "busy*") == (
        b"*2\r\n$20\r\nbusy-reply-threshold\r\n$2\r\n50\r\n"
    )
    assert client.command("CONFIG", "SET", "busy-reply-threshold", "-1") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'busy-reply-threshold') - "
        b"argument must be between 0 and 9223372036854775807 inclusive\r\n"
    )


def test_the_log_tells_of_the_slow_script_and_the_kill(
    clients: Callable[..., RawClient], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="minivalkey")
    caller, other = clients(), clients()
    start(caller, LOOP)
    wait_busy(other)
    assert other.command("SCRIPT", "KILL") == OK
    caller.read_reply()
    messages = [record.getMessage() for record in caplog.records]
    slow = [text for text in messages if text.startswith("Slow script detected")]
    assert len(slow) == 1
    assert slow[0].startswith("Slow script detected: still in execution after ")
    assert slow[0].endswith(
        " milliseconds. You can try killing the script using the SCRIPT KILL command. "
        f"Script name is: {sha1(LOOP)}."
    )
    assert "Lua script killed by user with SCRIPT KILL." in messages


def test_a_unix_socket_client_connecting_during_busy_is_answered(
    make_server: Callable[..., Server], tmp_path: Path
) -> None:
    path = str(tmp_path / "busy.sock")
    server = make_server(unixsocket=path, config={"busy-reply-threshold": "50"})
    with RawClient(server.port) as caller, RawClient(server.port) as other:
        assert other.command("PING") == PONG
        start(caller, LOOP)
        wait_busy(other)
        with socket.socket(socket.AF_UNIX) as late:
            late.settimeout(5)
            late.connect(path)
            late.sendall(encode_command("PING"))
            assert late.recv(1000) == BUSY
            late.sendall(encode_command("SCRIPT", "KILL"))
            assert late.recv(1000) == OK
            assert caller.read_reply() == killed(sha1(LOOP), 1)
            late.sendall(encode_command("PING"))
            assert late.recv(1000) == PONG


def test_maxclients_refuses_a_connection_made_during_busy(
    clients: Callable[..., RawClient], busy_server: Server
) -> None:
    caller, other = clients(), clients()
    assert other.command("CONFIG", "SET", "maxclients", "2") == OK
    start(caller, LOOP)
    wait_busy(other)
    with RawClient(busy_server.port) as refused:
        assert refused.read_until_closed() == b"-ERR max number of clients reached\r\n"
    assert other.command("SCRIPT", "KILL") == OK
    assert caller.read_reply() == killed(sha1(LOOP), 1)
    assert other.command("CONFIG", "SET", "maxclients", "10000") == OK


FUNCTION_LOOP = (
    "#!lua name=spin\n"
    "redis.register_function('spin', function() local a = 1 while true do a = a + 1 end end)"
)
BUSY_FUNCTION = (
    b"-BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
    b"NOSAVE.\r\n"
)


def test_a_busy_function_answers_busy_until_function_kill(
    clients: Callable[..., RawClient],
) -> None:
    caller, other = clients(), clients()
    assert caller.command("FUNCTION", "LOAD", FUNCTION_LOOP) == b"$4\r\nspin\r\n"
    caller.send(encode_command("FCALL", "spin", 0))
    wait_until(lambda: other.command("PING") == BUSY_FUNCTION, message="the function to be busy")
    assert other.command("SCRIPT", "KILL") == BUSY_FUNCTION  # SCRIPT KILL is for EVAL
    assert other.command("FUNCTION", "KILL") == OK
    assert caller.read_reply() == (
        b"-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n"
    )
    assert other.command("PING") == PONG
    assert other.command("FUNCTION", "KILL") == b"-NOTBUSY No scripts in execution right now.\r\n"
