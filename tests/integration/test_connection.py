"""Connection commands over real sockets: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET, CLIENT.

Expected bytes were checked against Valkey 8.0.1 (RESP2, and RESP3 after ``HELLO 3``).
Tests that list or kill every client run on a server of their own.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import redis.asyncio
import valkey
from helpers import RawClient, encode_command, wait_until
from redis.backoff import NoBackoff
from redis.retry import Retry

from minivalkey import ManualClock, Server
from minivalkey.commands.table import COMMANDS

MakeServer = Callable[..., Server]

# A refused login is final: redis-py would otherwise retry it with back-off.
NO_RETRY = Retry(NoBackoff(), 0)

NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
HELLO_NOAUTH = (
    b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    b"HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
    b"select the RESP protocol version at the same time\r\n"
)
BAD_NAME = b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
SYNTAX = b"-ERR syntax error\r\n"

# CLIENT LIST fields, in Valkey 8.0.1's order.
FIELDS = (
    "id addr laddr fd name age idle flags db sub psub ssub multi watch qbuf qbuf-free argv-mem "
    "multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp lib-name lib-ver "
    "tot-net-in tot-net-out tot-cmds"
).split()


def hello_reply(protocol: int, client_id: int) -> bytes:
    header = b"%7\r\n" if protocol == 3 else b"*14\r\n"
    return header + (
        b"$6\r\nserver\r\n$6\r\nvalkey\r\n$7\r\nversion\r\n$5\r\n8.0.1\r\n"
        b"$5\r\nproto\r\n:%d\r\n$2\r\nid\r\n:%d\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
        b"$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n" % (protocol, client_id)
    )


def client_id(client: RawClient) -> int:
    reply = client.command("CLIENT", "ID")
    assert reply[:1] == b":"
    return int(reply[1:-2])


def info_fields(client: RawClient) -> dict[str, str]:
    """CLIENT INFO of ``client`` (in RESP2) as a field -> value dict."""
    reply = client.command("CLIENT", "INFO")
    body = reply.split(b"\r\n", 1)[1][:-2]
    return dict(item.split("=", 1) for item in body.decode().rstrip("\n").split(" "))


def peer_closed(client: RawClient) -> bool:
    """True once the server has closed ``client``'s connection (never blocks)."""
    timeout = client.sock.gettimeout()
    client.sock.setblocking(False)
    try:
        return client.sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    finally:
        client.sock.settimeout(timeout)


def local_address(client: RawClient) -> str:
    host, port = client.sock.getsockname()[:2]
    return f"{host}:{port}"


@pytest.fixture
def conn(server: Server) -> Iterator[RawClient]:
    """A raw connection to the shared server; these tests touch no keys."""
    with RawClient(server.port) as client:
        yield client


@pytest.fixture
def rc(server: Server, protocol: int) -> Iterator[redis.Redis]:
    client = redis.Redis(port=server.port, protocol=protocol)
    try:
        yield client
    finally:
        client.close()


# -- PING, ECHO, QUIT ------------------------------------------------------------------


@pytest.mark.parametrize("resp", [2, 3])
def test_ping_and_echo(conn: RawClient, resp: int) -> None:
    if resp == 3:
        conn.command("HELLO", "3")
    assert conn.command("PING") == b"+PONG\r\n"
    assert conn.command("ping", "hello") == b"$5\r\nhello\r\n"
    assert conn.command("PING", "") == b"$0\r\n\r\n"
    assert (
        conn.command("PING", "a", "b") == b"-ERR wrong number of arguments for 'ping' command\r\n"
    )
    assert conn.command("ECHO", "x y") == b"$3\r\nx y\r\n"
    assert conn.command("ECHO") == b"-ERR wrong number of arguments for 'echo' command\r\n"
    assert (
        conn.command("ECHO", "a", "b") == b"-ERR wrong number of arguments for 'echo' command\r\n"
    )


def test_ping_and_echo_with_redis_py(rc: redis.Redis) -> None:
    assert rc.ping() is True
    assert rc.echo("hi") == b"hi"
    assert rc.echo(b"\x00\xff") == b"\x00\xff"


def test_quit_answers_ok_then_closes(conn: RawClient) -> None:
    conn.send(encode_command("QUIT", "extra", "args") + encode_command("PING"))
    assert conn.read_until_closed() == b"+OK\r\n"


def test_quit_inside_multi_closes_at_once(conn: RawClient) -> None:
    assert conn.command("MULTI") == b"+OK\r\n"
    conn.send(encode_command("QUIT") + encode_command("PING"))
    assert conn.read_until_closed() == b"+OK\r\n"


# -- SELECT ------------------------------------------------------------------------------


def test_select(make_server: MakeServer) -> None:
    server = make_server(databases=4)
    with RawClient(server.port) as client:
        assert client.command("SELECT", "3") == b"+OK\r\n"
        assert client.command("SET", "k", "three") == b"+OK\r\n"
        assert info_fields(client)["db"] == "3"
        assert client.command("SELECT", "0") == b"+OK\r\n"
        assert client.command("GET", "k") == b"$-1\r\n"
        assert client.command("SELECT", "4") == b"-ERR DB index is out of range\r\n"
        assert client.command("SELECT", "-1") == b"-ERR DB index is out of range\r\n"
        out_of_int = (
            b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
        )
        assert client.command("SELECT", "2147483648") == out_of_int
        assert client.command("SELECT", "-2147483649") == out_of_int
        not_integer = b"-ERR value is not an integer or out of range\r\n"
        for bad in ("9223372036854775808", "x", "01", " 1", "1.0", ""):
            assert client.command("SELECT", bad) == not_integer
        assert (
            client.command("SELECT") == b"-ERR wrong number of arguments for 'select' command\r\n"
        )
        assert info_fields(client)["db"] == "0"  # failed SELECTs changed nothing
        client.command("SELECT", "3")
        assert client.command("GET", "k") == b"$5\r\nthree\r\n"


def test_select_with_redis_py(make_server: MakeServer, protocol: int) -> None:
    server = make_server()
    with redis.Redis(port=server.port, protocol=protocol, db=5) as client:
        client.set("k", "v")
        assert client.client_info()["db"] == 5
    with redis.Redis(port=server.port, protocol=protocol) as client:
        assert client.get("k") is None
        with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
            client.execute_command("SELECT", 16)


# -- AUTH --------------------------------------------------------------------------------


def test_auth_without_a_configured_password(conn: RawClient) -> None:
    assert conn.command("AUTH", "x") == (
        b"-ERR AUTH <password> called without any password configured for the default user. "
        b"Are you sure your configuration is correct?\r\n"
    )
    assert conn.command("AUTH", "default", "anything") == b"+OK\r\n"  # the user has nopass
    assert conn.command("AUTH", "Default", "anything") == WRONGPASS  # user names are exact
    assert conn.command("AUTH", "nobody", "x") == WRONGPASS
    assert conn.command("AUTH", "a", "b", "c") == SYNTAX
    assert conn.command("AUTH") == b"-ERR wrong number of arguments for 'auth' command\r\n"
    assert conn.command("PING") == b"+PONG\r\n"


def test_password_server_requires_auth(make_server: MakeServer) -> None:
    server = make_server(password="secret")
    with RawClient(server.port) as client:
        assert client.command("PING") == NOAUTH
        assert client.command("CLIENT", "ID") == NOAUTH
        assert client.command("SELECT", "1") == NOAUTH
        # Unknown commands and arity are checked before authentication.
        assert client.command("ECHO") == b"-ERR wrong number of arguments for 'echo' command\r\n"
        assert (
            client.command("CLIENT", "FOO")
            == b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"
        )
        assert client.command("AUTH", "wrong") == WRONGPASS
        assert client.command("AUTH", "default", "wrong") == WRONGPASS
        assert client.command("AUTH", "nobody", "secret") == WRONGPASS
        assert client.command("AUTH", "a", "b", "c") == SYNTAX
        assert client.command("PING") == NOAUTH
        assert client.command("AUTH", "secret") == b"+OK\r\n"
        assert client.command("PING") == b"+PONG\r\n"
        # A failed attempt does not log an authenticated client out.
        assert client.command("AUTH", "wrong") == WRONGPASS
        assert client.command("PING") == b"+PONG\r\n"
        assert client.command("AUTH", "default", "secret") == b"+OK\r\n"
    with RawClient(server.port) as client:
        assert client.command("AUTH", "default", "secret") == b"+OK\r\n"
        assert client.command("PING") == b"+PONG\r\n"


def test_hello_on_a_password_server(make_server: MakeServer) -> None:
    server = make_server(password="secret")
    with RawClient(server.port) as client:
        assert client.command("HELLO") == HELLO_NOAUTH
        (own_id,) = server.core.clients  # the one connection; CLIENT ID needs a login
        assert client.command("HELLO", "3") == HELLO_NOAUTH
        assert client.command("HELLO", "3", "SETNAME", "app") == HELLO_NOAUTH
        assert client.command("HELLO", "3", "AUTH", "default", "wrong") == WRONGPASS
        assert client.command("HELLO", "3", "AUTH", "nobody", "secret") == WRONGPASS
        assert client.command("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "app") == (
            hello_reply(3, own_id)
        )
        assert client.command("CLIENT", "GETNAME") == b"$3\r\napp\r\n"
        assert client.command("RESET") == b"+RESET\r\n"
        assert client.command("PING") == NOAUTH  # RESET logged the connection out
        assert client.command("HELLO", "2", "AUTH", "default", "secret") == hello_reply(2, own_id)
        assert client.command("CLIENT", "GETNAME") == b"$-1\r\n"


def test_redis_py_clients_on_a_password_server(make_server: MakeServer) -> None:
    server = make_server(password="secret")
    # redis-py's default (RESP3) logs in with HELLO 3 AUTH default <password>.
    with redis.Redis(port=server.port, password="secret") as client:
        assert client.ping() is True
        assert client.client_info()["resp"] == "3"
    with redis.Redis(port=server.port, password="secret", protocol=2) as client:
        assert client.ping() is True  # AUTH <password>
        assert client.client_info()["resp"] == "2"
    with redis.Redis(port=server.port, username="default", password="secret", protocol=2) as client:
        assert client.ping() is True  # AUTH default <password>
    with valkey.Valkey(port=server.port, password="secret") as client:
        assert client.ping() is True
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"password": "wrong"}, "^invalid username-password pair or user is disabled.$"),
        ({"password": "wrong", "protocol": 2}, "^invalid username-password pair"),
        ({}, "^HELLO must be called with the client already authenticated, otherwise"),
        ({"protocol": 2}, "^Authentication required.$"),
    ]
    for options, message in refusals:
        with redis.Redis(port=server.port, retry=NO_RETRY, **options) as client:
            with pytest.raises(redis.AuthenticationError, match=message):
                client.ping()


async def test_async_client_on_a_password_server(make_server: MakeServer) -> None:
    server = make_server(password="secret")
    client = redis.asyncio.Redis(port=server.port, password="secret")
    try:
        assert await client.ping() is True
        assert (await client.client_info())["resp"] == "3"
    finally:
        await client.aclose()


# -- HELLO -------------------------------------------------------------------------------


def test_hello_errors_leave_the_connection_unchanged(conn: RawClient) -> None:
    for version in ("4", "1", "0", "-3"):
        assert conn.command("HELLO", version) == b"-NOPROTO unsupported protocol version\r\n"
    not_integer = b"-ERR Protocol version is not an integer or out of range\r\n"
    for version in ("x", "03", " 3", "3.0", "AUTH"):
        assert conn.command("HELLO", version) == not_integer
    assert conn.command("HELLO", "AUTH", "default", "x") == not_integer
    assert (
        conn.command("HELLO", "3", "AUTH", "a") == b"-ERR Syntax error in HELLO option 'AUTH'\r\n"
    )
    assert (
        conn.command("HELLO", "3", "SETNAME") == b"-ERR Syntax error in HELLO option 'SETNAME'\r\n"
    )
    assert conn.command("HELLO", "3", "foo") == b"-ERR Syntax error in HELLO option 'foo'\r\n"
    assert conn.command("HELLO", "3", "SET\r\nNAME") == (
        b"-ERR Syntax error in HELLO option 'SET  NAME'\r\n"
    )
    assert conn.command("HELLO", "3", "SETNAME", "a b") == BAD_NAME
    # Options are all parsed before the password is checked.
    assert conn.command("HELLO", "3", "SETNAME", "b c", "AUTH", "nobody", "x") == BAD_NAME
    assert conn.command("HELLO", "3", "AUTH", "nobody", "x") == WRONGPASS
    assert conn.command("HELLO", "3", "SETNAME", "ok", "AUTH", "nobody", "x") == WRONGPASS
    # Still RESP2 and still unnamed.
    assert conn.command("CLIENT", "GETNAME") == b"$-1\r\n"


def test_hello_switches_protocol_and_names(conn: RawClient) -> None:
    own_id = client_id(conn)
    assert conn.command("HELLO") == hello_reply(2, own_id)
    assert conn.command("HELLO", "3") == hello_reply(3, own_id)
    assert conn.command("CLIENT", "GETNAME") == b"_\r\n"
    assert conn.command("HELLO") == hello_reply(3, own_id)
    assert conn.command("hello", "2", "setname", "first", "SETNAME", "second") == (
        hello_reply(2, own_id)
    )
    assert conn.command("CLIENT", "GETNAME") == b"$6\r\nsecond\r\n"
    assert conn.command("HELLO", "3", "AUTH", "default", "any", "SETNAME", "") == (
        hello_reply(3, own_id)
    )
    assert conn.command("CLIENT", "GETNAME") == b"_\r\n"


def test_redis_py_default_client_sends_hello_3_and_setinfo(server: Server) -> None:
    with redis.Redis(port=server.port) as client:  # no protocol argument
        assert client.ping() is True
        info = client.client_info()
        assert info["resp"] == "3"
        assert info["lib-name"] == "redis-py"
        assert info["lib-ver"] == redis.__version__
        hello = client.execute_command("HELLO")
        assert hello == {
            b"server": b"valkey",
            b"version": b"8.0.1",
            b"proto": 3,
            b"id": info["id"],
            b"mode": b"standalone",
            b"role": b"master",
            b"modules": [],
        }


def test_redis_py_protocol_2_client(server: Server) -> None:
    with redis.Redis(port=server.port, protocol=2) as client:
        assert client.ping() is True
        info = client.client_info()
        assert info["resp"] == "2"
        assert info["lib-name"] == "redis-py"
        assert client.client_setname("worker-1") is True
        assert client.client_getname() == "worker-1"


def test_valkey_py_client(server: Server) -> None:
    with valkey.Valkey(port=server.port) as client:
        assert client.ping() is True
        assert client.client_setname("vk") is True
        assert client.client_getname() == "vk"
        info = client.client_info()
        assert info["lib-name"] == "valkey-py"
        assert info["name"] == "vk"
        assert client.client_id() == info["id"]


@pytest.mark.parametrize("protocol", [2, 3])
async def test_asyncio_client(server: Server, protocol: int) -> None:
    client = redis.asyncio.Redis(port=server.port, protocol=protocol)
    try:
        assert await client.ping() is True
        assert await client.echo("e") == b"e"
        assert await client.client_setname("async") is True
        name = await client.client_getname()
        assert name == (b"async" if protocol == 3 else "async")  # redis-py decodes in RESP2 only
        info = await client.client_info()
        assert info["resp"] == str(protocol)
        assert info["name"] == "async"
        assert await client.client_id() == info["id"]
        hello = await client.execute_command("HELLO")
        if protocol == 2:  # a flat array in RESP2
            hello = dict(zip(hello[::2], hello[1::2], strict=True))
        assert hello[b"proto"] == protocol
        assert hello[b"server"] == b"valkey"
    finally:
        await client.aclose()


# -- RESET -------------------------------------------------------------------------------


def test_reset_returns_to_a_fresh_connection(make_server: MakeServer) -> None:
    server = make_server()
    with RawClient(server.port) as client:
        client.command("HELLO", "3", "SETNAME", "named")
        client.command("SELECT", "3")
        client.command("CLIENT", "SETINFO", "LIB-NAME", "mylib")
        client.command("CLIENT", "NO-EVICT", "on")
        client.command("CLIENT", "NO-TOUCH", "on")
        client.command("WATCH", "k")
        client.command("MULTI")
        assert client.command("PING") == b"+QUEUED\r\n"
        assert client.command("RESET") == b"+RESET\r\n"
        fields = info_fields(client)
        assert (fields["name"], fields["db"], fields["flags"]) == ("", "0", "N")
        assert (fields["multi"], fields["watch"], fields["resp"]) == ("-1", "0", "2")
        assert fields["lib-name"] == "mylib"  # the library does not change with RESET
        assert client.command("EXEC") == b"-ERR EXEC without MULTI\r\n"
        assert (
            client.command("RESET", "x")
            == b"-ERR wrong number of arguments for 'reset' command\r\n"
        )


def test_reset_turns_replies_back_on(conn: RawClient) -> None:
    conn.send(
        encode_command("CLIENT", "REPLY", "OFF")
        + encode_command("PING")
        + encode_command("RESET")
        + encode_command("PING")
    )
    assert conn.read_reply() == b"+RESET\r\n"
    assert conn.read_reply() == b"+PONG\r\n"


def test_reset_inside_multi_runs_at_once(conn: RawClient) -> None:
    conn.command("MULTI")
    assert conn.command("PING") == b"+QUEUED\r\n"
    assert conn.command("RESET") == b"+RESET\r\n"
    assert conn.command("PING") == b"+PONG\r\n"


# -- CLIENT ID / SETNAME / GETNAME / SETINFO ---------------------------------------------


def test_client_id_is_unique_and_stable(server: Server) -> None:
    with RawClient(server.port) as first, RawClient(server.port) as second:
        first_id = client_id(first)
        second_id = client_id(second)
        assert second_id > first_id
        assert client_id(first) == first_id
        assert info_fields(first)["id"] == str(first_id)


@pytest.mark.parametrize("resp", [2, 3])
def test_setname_and_getname(conn: RawClient, resp: int) -> None:
    null = b"_\r\n" if resp == 3 else b"$-1\r\n"
    conn.command("HELLO", str(resp))
    assert conn.command("CLIENT", "GETNAME") == null
    assert conn.command("CLIENT", "SETNAME", "app-1") == b"+OK\r\n"
    assert conn.command("CLIENT", "GETNAME") == b"$5\r\napp-1\r\n"
    for bad in (b"a b", b"a\nb", b"a\r\nb", b"a\tb", b"\xc3\xa9", b"a\x7fb"):
        assert conn.command("CLIENT", "SETNAME", bad) == BAD_NAME
    assert conn.command("CLIENT", "GETNAME") == b"$5\r\napp-1\r\n"
    assert conn.command("CLIENT", "SETNAME", "~!") == b"+OK\r\n"
    assert conn.command("CLIENT", "SETNAME", "") == b"+OK\r\n"  # removes the name
    assert conn.command("CLIENT", "GETNAME") == null
    assert conn.command("CLIENT", "SETNAME") == (
        b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    )


def test_name_is_checked_up_to_the_first_nul(conn: RawClient) -> None:
    # Valkey validates (and CLIENT LIST prints) the name as a C string.
    assert conn.command("CLIENT", "SETNAME", b"a\x00 b") == b"+OK\r\n"
    assert conn.command("CLIENT", "GETNAME") == b"$4\r\na\x00 b\r\n"
    assert info_fields(conn)["name"] == "a"


def test_setinfo(conn: RawClient) -> None:
    assert conn.command("CLIENT", "SETINFO", "foo", "bar") == b"-ERR Unrecognized option 'foo'\r\n"
    assert conn.command("CLIENT", "SETINFO", "lib-name", "a b") == (
        b"-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"
    )
    assert conn.command("CLIENT", "SETINFO", "LIB-NAME", "a\nb") == (
        b"-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n"
    )
    assert conn.command("CLIENT", "SETINFO", "Lib-Ver", "1 0") == (
        b"-ERR Lib-Ver cannot contain spaces, newlines or special characters.\r\n"
    )
    assert conn.command("CLIENT", "SETINFO", "lib-name") == (
        b"-ERR wrong number of arguments for 'client|setinfo' command\r\n"
    )
    assert conn.command("CLIENT", "SETINFO", "LIB-NAME", "mylib") == b"+OK\r\n"
    assert conn.command("CLIENT", "SETINFO", "lib-ver", "1.2.3") == b"+OK\r\n"
    fields = info_fields(conn)
    assert (fields["lib-name"], fields["lib-ver"]) == ("mylib", "1.2.3")
    assert conn.command("CLIENT", "SETINFO", "lib-name", "") == b"+OK\r\n"
    assert info_fields(conn)["lib-name"] == ""


# -- CLIENT subcommand dispatch, HELP, small subcommands -------------------------------------


def test_client_arity_and_unknown_subcommands(conn: RawClient) -> None:
    assert conn.command("CLIENT") == b"-ERR wrong number of arguments for 'client' command\r\n"
    assert conn.command("CLIENT", "foo") == b"-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"
    assert conn.command("client", "foo", "bar") == (
        b"-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"
    )
    assert conn.command("CLIENT", "ID", "x") == (
        b"-ERR wrong number of arguments for 'client|id' command\r\n"
    )
    assert conn.command("CLIENT", "NO-TOUCH", "on", "x") == (
        b"-ERR wrong number of arguments for 'client|no-touch' command\r\n"
    )
    assert conn.command("CLIENT", "HELP", "x") == (
        b"-ERR wrong number of arguments for 'client|help' command\r\n"
    )
    assert conn.command("CLIENT", "KILL") == (
        b"-ERR wrong number of arguments for 'client|kill' command\r\n"
    )
    assert conn.command("PING") == b"+PONG\r\n"


def test_unknown_subcommand_keeps_the_connection_usable(conn: RawClient, rc: redis.Redis) -> None:
    reply = conn.command(
        "CLIENT", "MAINT_NOTIFICATIONS", "ON", "moving-endpoint-type", "internal-ip"
    )
    assert reply == b"-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n"
    assert conn.command("PING") == b"+PONG\r\n"
    with pytest.raises(redis.ResponseError, match="unknown subcommand 'MAINT_NOTIFICATIONS'"):
        rc.execute_command("CLIENT", "MAINT_NOTIFICATIONS", "ON")
    assert rc.ping() is True


@pytest.mark.parametrize("resp", [2, 3])
def test_client_help(conn: RawClient, resp: int) -> None:
    conn.command("HELLO", str(resp))
    reply = conn.command("CLIENT", "help")
    assert reply.startswith(
        b"*62\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        b"+CACHING (YES|NO)\r\n"
    )
    assert reply.endswith(b"+HELP\r\n+    Print this help.\r\n")
    lines = reply.split(b"\r\n")[1:-1]
    assert len(lines) == 62 and all(line.startswith(b"+") for line in lines)
    entries = [line[1:].split(b" ")[0] for line in lines[1:] if not line.startswith(b"+ ")]
    assert entries == [
        b"CACHING", b"CAPA", b"GETREDIR", b"GETNAME", b"ID", b"INFO", b"KILL", b"KILL",
        b"LIST", b"UNPAUSE", b"PAUSE", b"REPLY", b"SETNAME", b"SETINFO", b"UNBLOCK",
        b"TRACKING", b"TRACKINGINFO", b"NO-EVICT", b"NO-TOUCH", b"HELP",
    ]  # fmt: skip


def test_no_evict_and_no_touch(conn: RawClient) -> None:
    assert conn.command("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    assert info_fields(conn)["flags"] == "e"
    assert conn.command("CLIENT", "NO-TOUCH", "ON") == b"+OK\r\n"
    assert info_fields(conn)["flags"] == "eT"
    assert conn.command("CLIENT", "NO-EVICT", "maybe") == SYNTAX
    assert conn.command("CLIENT", "NO-TOUCH", "maybe") == SYNTAX
    assert conn.command("CLIENT", "NO-EVICT", "Off") == b"+OK\r\n"
    assert conn.command("CLIENT", "NO-TOUCH", "off") == b"+OK\r\n"
    assert info_fields(conn)["flags"] == "N"


def test_capa_getredir_and_trackinginfo(conn: RawClient) -> None:
    assert conn.command("CLIENT", "CAPA", "redirect", "unknown") == b"+OK\r\n"
    assert conn.command("CLIENT", "CAPA") == (
        b"-ERR wrong number of arguments for 'client|capa' command\r\n"
    )
    assert conn.command("CLIENT", "GETREDIR") == b":-1\r\n"
    assert conn.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"
    )
    conn.command("HELLO", "3")
    assert conn.command("CLIENT", "TRACKINGINFO") == (
        b"%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"
    )


def test_client_unblock(conn: RawClient) -> None:
    own_id = client_id(conn)
    assert conn.command("CLIENT", "UNBLOCK", "999999") == b":0\r\n"
    assert conn.command("CLIENT", "UNBLOCK", str(own_id)) == b":0\r\n"  # not blocked
    assert conn.command("CLIENT", "UNBLOCK", "999999", "error") == b":0\r\n"
    assert conn.command("CLIENT", "UNBLOCK", "999999", "TIMEOUT") == b":0\r\n"
    assert conn.command("CLIENT", "UNBLOCK", "x") == (
        b"-ERR value is not an integer or out of range\r\n"
    )
    reason = b"-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"
    assert conn.command("CLIENT", "UNBLOCK", "1", "foo") == reason
    assert conn.command("CLIENT", "UNBLOCK", "x", "foo") == reason  # reason checked first
    assert conn.command("CLIENT", "unblock", "1", "timeout", "x") == (
        b"-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\r\n"
    )
    assert conn.command("CLIENT", "UNBLOCK") == (
        b"-ERR wrong number of arguments for 'client|unblock' command\r\n"
    )


# -- CLIENT REPLY ----------------------------------------------------------------------------


def pipeline(client: RawClient, *commands: tuple[str, ...]) -> bytes:
    """Send ``commands`` in one write, then ECHO END; everything answered before END."""
    client.send(
        b"".join(encode_command(*args) for args in commands) + encode_command("ECHO", "END")
    )
    replies = b""
    while True:
        reply = client.read_reply()
        if reply == b"$3\r\nEND\r\n":
            return replies
        replies += reply


def test_client_reply_off_and_on(conn: RawClient) -> None:
    assert (
        pipeline(
            conn,
            ("CLIENT", "REPLY", "OFF"),
            ("PING",),
            ("ECHO", "x"),
            ("FOO",),
            ("CLIENT", "REPLY", "maybe"),
            ("CLIENT", "REPLY", "ON"),
            ("PING",),
        )
        == b"+OK\r\n+PONG\r\n"
    )


def test_client_reply_skip(conn: RawClient) -> None:
    assert (
        pipeline(
            conn,
            ("CLIENT", "REPLY", "SKIP"),
            ("PING",),
            ("ECHO", "x"),
            ("CLIENT", "REPLY", "SKIP"),
            ("FOO",),
            ("PING",),
        )
        == b"$1\r\nx\r\n+PONG\r\n"
    )
    # SKIP twice: the second SKIP's (empty) reply is the one skipped by the first.
    assert (
        pipeline(
            conn, ("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "SKIP"), ("PING",), ("PING",)
        )
        == b"+PONG\r\n"
    )


def test_client_reply_on_right_after_skip_is_answered(conn: RawClient) -> None:
    assert pipeline(conn, ("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("PING",)) == (
        b"+OK\r\n+PONG\r\n"
    )


def test_client_reply_skip_is_ignored_while_off(conn: RawClient) -> None:
    assert (
        pipeline(
            conn,
            ("CLIENT", "REPLY", "OFF"),
            ("CLIENT", "REPLY", "SKIP"),
            ("PING",),
            ("CLIENT", "REPLY", "ON"),
            ("PING",),
        )
        == b"+OK\r\n+PONG\r\n"
    )


def test_client_reply_errors(conn: RawClient) -> None:
    assert conn.command("CLIENT", "REPLY", "maybe") == SYNTAX
    assert conn.command("CLIENT", "REPLY") == (
        b"-ERR wrong number of arguments for 'client|reply' command\r\n"
    )
    assert conn.command("CLIENT", "REPLY", "ON") == b"+OK\r\n"


# -- CLIENT INFO / LIST -----------------------------------------------------------------------


def server_side_fd(client: RawClient) -> int:
    """The (in-process) server's descriptor for ``client``'s connection: its peer is us."""
    own = client.sock.getsockname()
    for fd in map(int, os.listdir("/proc/self/fd")):
        try:
            copy = os.dup(fd)
        except OSError:
            continue  # the listing's own descriptor, already closed
        try:
            probe = socket.socket(fileno=copy)
        except OSError:
            os.close(copy)  # not a socket
            continue
        with probe:
            try:
                if probe.family == socket.AF_INET and probe.getpeername() == own:
                    return fd
            except OSError:
                pass  # a listening socket has no peer
    raise AssertionError("no server-side socket for this client")


def list_lines(reply: bytes) -> list[dict[str, str]]:
    """A CLIENT LIST reply (RESP2) as one field -> value dict per client."""
    body = reply.split(b"\r\n", 1)[1][:-2].decode()
    return [dict(item.split("=", 1) for item in line.split(" ")) for line in body.splitlines()]


@pytest.mark.parametrize("resp", [2, 3])
def test_client_info_line(make_server: MakeServer, resp: int) -> None:
    server = make_server(clock=ManualClock())
    with RawClient(server.port) as client:
        sent = received = 0
        for args in (("HELLO", str(resp)), ("CLIENT", "SETINFO", "LIB-VER", "9.9")):
            sent += len(encode_command(*args))
            received += len(client.command(*args))
        own_id = next(iter(server.core.clients))
        sent += len(encode_command("CLIENT", "INFO"))
        line = (
            f"id={own_id} addr={local_address(client)} laddr=127.0.0.1:{server.port} "
            f"fd={server_side_fd(client)} name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 "
            "multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 "
            "obl=0 oll=0 omem=0 tot-mem=17306 events=r cmd=client|info user=default redir=-1 "
            f"resp={resp} lib-name= lib-ver=9.9 tot-net-in={sent} tot-net-out={received} "
            "tot-cmds=2\n"
        ).encode()
        if resp == 3:
            expected = b"=%d\r\ntxt:%s\r\n" % (len(line) + 4, line)
        else:
            expected = b"$%d\r\n%s\r\n" % (len(line), line)
        assert client.command("CLIENT", "INFO") == expected


def test_client_list_describes_other_clients(make_server: MakeServer) -> None:
    clock = ManualClock()
    server = make_server(clock=clock)
    with RawClient(server.port) as watcher, RawClient(server.port) as other:
        other_id = client_id(other)
        other.command("CLIENT", "SETNAME", "bee")
        other.command("SELECT", "3")
        other.command("WATCH", "k1", "k2")
        other.command("MULTI")
        other.command("SET", "k1", "v")
        other.command("GET", "k1")
        clock.advance(5)
        (fields,) = list_lines(watcher.command("CLIENT", "LIST", "ID", str(other_id)))
        assert list(fields) == FIELDS
        assert fields["addr"] == local_address(other)
        expected = {
            "name": "bee", "age": "5", "idle": "5", "flags": "x", "db": "3", "multi": "2",
            "watch": "2", "argv-mem": "0", "multi-mem": "51", "tot-mem": "17539", "cmd": "get",
            "resp": "2", "tot-cmds": "5",
        }  # fmt: skip
        assert {key: fields[key] for key in expected} == expected
        assert other.command("PING") == b"+QUEUED\r\n"  # queued, but still an interaction
        clock.advance(2)
        (fields,) = list_lines(watcher.command("CLIENT", "LIST", "ID", str(other_id)))
        assert (fields["age"], fields["idle"], fields["multi"], fields["cmd"]) == (
            "7",
            "2",
            "3",
            "ping",
        )
        assert other.command("DISCARD") == b"+OK\r\n"
        other.command("FOO")
        (fields,) = list_lines(watcher.command("CLIENT", "LIST", "ID", str(other_id)))
        assert (fields["cmd"], fields["multi"], fields["watch"]) == ("NULL", "-1", "0")


def test_client_list_filters(make_server: MakeServer) -> None:
    server = make_server()
    with RawClient(server.port) as first, RawClient(server.port) as second:
        first_id, second_id = client_id(first), client_id(second)

        def ids(reply: bytes) -> list[int]:
            return [int(line["id"]) for line in list_lines(reply)]

        assert ids(first.command("CLIENT", "LIST")) == [first_id, second_id]
        assert ids(first.command("CLIENT", "LIST", "TYPE", "NORMAL")) == [first_id, second_id]
        for kind in ("pubsub", "master", "primary", "replica", "slave"):
            assert first.command("CLIENT", "LIST", "TYPE", kind) == b"$0\r\n\r\n"
        assert (
            first.command("CLIENT", "LIST", "TYPE", "foo") == b"-ERR Unknown client type 'foo'\r\n"
        )
        reply = first.command(
            "CLIENT", "LIST", "ID", str(second_id), "999999", str(first_id), str(second_id)
        )
        assert ids(reply) == [second_id, first_id, second_id]
        assert first.command("CLIENT", "LIST", "ID", "999999") == b"$0\r\n\r\n"
        invalid = b"-ERR Invalid client ID\r\n"
        assert first.command("CLIENT", "LIST", "ID", "x") == invalid
        assert first.command("CLIENT", "LIST", "ID", str(first_id), "x") == invalid
        for args in (("ID",), ("foo",), ("TYPE",), ("TYPE", "normal", "x")):
            assert first.command("CLIENT", "LIST", *args) == SYNTAX
        first.command("HELLO", "3")
        assert first.command("CLIENT", "LIST", "ID", "999999") == b"=4\r\ntxt:\r\n"


def test_client_list_with_redis_py(make_server: MakeServer, protocol: int) -> None:
    server = make_server()
    with redis.Redis(port=server.port, protocol=protocol, client_name="lister") as client:
        info = client.client_info()
        assert list(info) == FIELDS
        assert info["name"] == "lister"
        assert info["cmd"] == "client|info"
        listed = client.client_list()
        assert [entry["name"] for entry in listed] == ["lister"]
        assert client.client_list(_type="normal")[0]["id"] == str(info["id"])
        assert client.client_list(client_id=[info["id"]])[0]["name"] == "lister"


# -- CLIENT KILL -----------------------------------------------------------------------------


def test_kill_another_client_by_id(make_server: MakeServer) -> None:
    server = make_server()
    with RawClient(server.port) as killer, RawClient(server.port) as victim:
        victim_id = client_id(victim)
        assert killer.command("CLIENT", "KILL", "ID", str(victim_id)) == b":1\r\n"
        wait_until(lambda: peer_closed(victim), message="killed client closed")
        # The killed client is gone at once, not when its socket finishes closing.
        assert killer.command("CLIENT", "LIST", "ID", str(victim_id)) == b"$0\r\n\r\n"
        assert killer.command("CLIENT", "KILL", "ID", str(victim_id)) == b":0\r\n"


def test_kill_by_address_old_form(make_server: MakeServer) -> None:
    server = make_server()
    with RawClient(server.port) as killer, RawClient(server.port) as victim:
        client_id(victim)  # the server knows the connection before it is killed
        address = local_address(victim)
        assert killer.command("CLIENT", "KILL", address) == b"+OK\r\n"
        wait_until(lambda: peer_closed(victim), message="killed client closed")
        assert killer.command("CLIENT", "KILL", address) == b"-ERR No such client\r\n"
        assert killer.command("CLIENT", "KILL", "1.2.3.4:5") == b"-ERR No such client\r\n"


def test_kill_yourself_replies_then_closes(make_server: MakeServer) -> None:
    server = make_server()
    with RawClient(server.port) as client:
        client_id(client)
        client.send(
            encode_command("CLIENT", "KILL", local_address(client)) + encode_command("PING")
        )
        assert client.read_until_closed() == b"+OK\r\n"
    with RawClient(server.port) as client:
        own = str(client_id(client))
        assert client.command("CLIENT", "KILL", "ID", own) == b":0\r\n"  # SKIPME yes
        client.send(
            encode_command("CLIENT", "KILL", "ID", own, "SKIPME", "no") + encode_command("PING")
        )
        assert client.read_until_closed() == b":1\r\n"


def test_kill_filters(make_server: MakeServer) -> None:
    clock = ManualClock()
    server = make_server(clock=clock)
    with RawClient(server.port) as killer:
        old = RawClient(server.port)
        client_id(old)
        clock.advance(10)
        young = RawClient(server.port)
        client_id(young)
        # MAXAGE: connections open at least that many seconds.
        assert killer.command("CLIENT", "KILL", "MAXAGE", "11") == b":0\r\n"
        assert killer.command("CLIENT", "KILL", "MAXAGE", "10", "SKIPME", "yes") == b":1\r\n"
        wait_until(lambda: peer_closed(old), message="old client closed")
        assert not peer_closed(young)
        assert killer.command("CLIENT", "KILL", "ADDR", local_address(young), "ID", "999999") == (
            b":0\r\n"
        )
        assert (
            killer.command(
                "CLIENT",
                "KILL",
                "LADDR",
                f"127.0.0.1:{server.port}",
                "USER",
                "default",
                "TYPE",
                "normal",
            )
            == b":1\r\n"
        )  # all but the killer
        wait_until(lambda: peer_closed(young), message="young client closed")
        assert killer.command("PING") == b"+PONG\r\n"
        old.close()
        young.close()


def test_kill_errors(conn: RawClient) -> None:
    positive = b"-ERR client-id should be greater than 0\r\n"
    for value in ("0", "-1", "x", "9223372036854775808"):
        assert conn.command("CLIENT", "KILL", "ID", value) == positive
    assert (
        conn.command("CLIENT", "KILL", "MAXAGE", "0") == b"-ERR maxage should be greater than 0\r\n"
    )
    assert conn.command("CLIENT", "KILL", "MAXAGE", "x") == (
        b"-ERR maxage is not an integer or out of range\r\n"
    )
    assert conn.command("CLIENT", "KILL", "TYPE", "foo") == b"-ERR Unknown client type 'foo'\r\n"
    assert conn.command("CLIENT", "KILL", "USER", "foo") == b"-ERR No such user 'foo'\r\n"
    for args in (("SKIPME", "maybe"), ("foo", "bar"), ("ID", "1", "SKIPME")):
        assert conn.command("CLIENT", "KILL", *args) == SYNTAX
    # An error in a later option means nothing was killed.
    assert conn.command("CLIENT", "KILL", "SKIPME", "no", "TYPE", "foo") == (
        b"-ERR Unknown client type 'foo'\r\n"
    )
    assert conn.command("CLIENT", "KILL", "ID", "9223372036854775807") == b":0\r\n"
    assert conn.command("PING") == b"+PONG\r\n"


def test_option_words_are_read_as_c_strings(conn: RawClient) -> None:
    """Checked on Valkey 8.0.1: option words are compared with strcasecmp, so a NUL
    byte ends them."""
    assert conn.command("HELLO", "2", b"SETNAME\x00x", "nm").startswith(b"*14\r\n")
    assert conn.command("CLIENT", "GETNAME") == b"$2\r\nnm\r\n"
    assert conn.command("CLIENT", "LIST", b"TYPE\x00x", b"normal\x00y").startswith(b"$")
    assert conn.command("CLIENT", "KILL", b"ID\x00x", "99999", b"SKIPME\x00", b"no\x00z") == (
        b":0\r\n"
    )
    assert conn.command("CLIENT", "NO-EVICT", b"on\x00x") == b"+OK\r\n"
    assert conn.command("CLIENT", "SETINFO", b"LIB-NAME\x00q", "abc") == b"+OK\r\n"


def test_kill_with_redis_py(make_server: MakeServer, protocol: int) -> None:
    server = make_server()
    with (
        redis.Redis(port=server.port, protocol=protocol) as killer,
        RawClient(server.port) as victim,
    ):
        victim_id = client_id(victim)
        assert killer.client_kill_filter(_id=victim_id) == 1
        wait_until(lambda: peer_closed(victim), message="killed client closed")
        assert killer.client_kill_filter(_id=victim_id) == 0
        with pytest.raises(redis.ResponseError, match="^No such client$"):
            killer.client_kill("1.2.3.4:5")


# -- the command table -----------------------------------------------------------------------

TABLE = [
    ("ping", -1, "fast sentinel"),
    ("echo", 2, "loading stale fast"),
    ("quit", -1, "allow_busy noscript loading stale fast no_auth"),
    ("select", 2, "loading stale fast"),
    ("auth", -2, "noscript loading stale fast no_auth sentinel allow_busy"),
    ("hello", -1, "noscript loading stale fast no_auth sentinel allow_busy"),
    ("reset", 1, "noscript loading stale fast no_auth allow_busy"),
    ("client|id", 2, "noscript loading stale sentinel"),
    ("client|info", 2, "noscript loading stale sentinel"),
    ("client|list", -2, "admin noscript loading stale sentinel"),
    ("client|kill", -3, "admin noscript loading stale sentinel"),
    ("client|setname", 3, "noscript loading stale sentinel"),
    ("client|getname", 2, "noscript loading stale sentinel"),
    ("client|setinfo", 4, "noscript loading stale sentinel"),
    ("client|reply", 3, "noscript loading stale sentinel"),
    ("client|no-evict", 3, "admin noscript loading stale sentinel"),
    ("client|no-touch", 3, "noscript loading stale"),
    ("client|unblock", -3, "admin noscript loading stale sentinel"),
    ("client|capa", -3, "noscript loading stale"),
    ("client|getredir", 2, "noscript loading stale sentinel"),
    ("client|trackinginfo", 2, "noscript loading stale sentinel"),
    ("client|help", 2, "loading stale sentinel"),
]


@pytest.mark.parametrize(("fullname", "arity", "flags"), TABLE, ids=[row[0] for row in TABLE])
def test_table_entries(fullname: str, arity: int, flags: str) -> None:
    parent, _, child = fullname.partition("|")
    spec = COMMANDS[parent.encode()]
    if child:
        spec = spec.subcommands[child.encode()]
    assert spec.fullname == fullname
    assert spec.arity == arity
    assert set(spec.flags) == set(flags.split())
    assert spec.group == "connection"
    assert spec.handler is not None and spec.summary


def test_hello_follows_extended_redis_compatibility(make_server) -> None:  # type: ignore[no-untyped-def]
    instance = make_server(config={"extended-redis-compatibility": "yes"})
    with RawClient(instance.port) as client:
        reply = client.command("HELLO", "3")
        assert reply.startswith(
            b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.4\r\n"
        )
        assert client.command("CONFIG", "SET", "extended-redis-compatibility", "no") == b"+OK\r\n"
        assert client.command("HELLO").startswith(
            b"%7\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n$7\r\nversion\r\n$5\r\n8.0.1\r\n"
        )
