"""Access: protected mode, the single ``default`` user through ACL, and the DEBUG gate.

Expected bytes were taken from Valkey 8.0.1 (same commands, RESP2).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from helpers import RawClient

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.config import Config
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.errors import PROTECTED_MODE_DENIED, protected_command
from minivalkey.server import ClientConnection
from minivalkey.session import Client
from minivalkey.shell import Shell

DEBUG_REFUSED = protected_command("DEBUG", "enable-debug-command")


# -- protected mode ----------------------------------------------------------------------


class FakeTransport:
    """Just enough of a transport to accept or refuse one connection."""

    def __init__(self, peer: Any, local: Any) -> None:
        self.peer, self.local = peer, local
        self.written = b""
        self.closed = False

    def get_extra_info(self, name: str) -> Any:
        return {"peername": self.peer, "sockname": self.local}.get(name)

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def connect_from(core: ServerCore, peer: Any) -> FakeTransport:
    shell = Shell(core)
    local = ("::1", 6379, 0, 0) if ":" in peer[0] else ("10.0.0.1", 6379)
    transport = FakeTransport(peer, local)
    ClientConnection(shell).connection_made(transport)  # type: ignore[arg-type]
    return transport


def test_protected_mode_denies_remote_clients_without_a_password() -> None:
    core = ServerCore()
    transport = connect_from(core, ("10.1.2.3", 50000))
    assert transport.written == b"-" + PROTECTED_MODE_DENIED.encode() + b"\r\n"
    assert transport.closed
    assert core.stats.rejected_connections == 1
    assert core.stats.total_connections_received == 0
    assert not core.clients


@pytest.mark.parametrize("peer", [("127.0.0.1", 5000), ("127.8.9.10", 5000), ("::1", 5000, 0, 0)])
def test_protected_mode_lets_loopback_clients_in(peer: Any) -> None:
    core = ServerCore()
    transport = connect_from(core, peer)
    assert transport.written == b"" and not transport.closed
    assert len(core.clients) == 1


@pytest.mark.parametrize(
    "settings", [{"requirepass": "secret"}, {"protected-mode": False}], ids=["password", "off"]
)
def test_protected_mode_lets_remote_clients_in_with_a_password_or_when_off(
    settings: dict[str, Any],
) -> None:
    config = Config()
    config.values.update(settings)
    core = ServerCore(config)
    transport = connect_from(core, ("192.168.1.20", 5000))
    assert transport.written == b"" and not transport.closed
    assert len(core.clients) == 1


def test_the_embedded_server_binds_loopback_and_serves_it(raw: RawClient) -> None:
    assert raw.command("PING") == b"+PONG\r\n"
    assert raw.command("CONFIG", "GET", "bind") == b"*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"


# -- ACL -------------------------------------------------------------------------------


def test_acl_whoami_and_users(raw: RawClient) -> None:
    assert raw.command("ACL", "WHOAMI") == b"$7\r\ndefault\r\n"
    assert raw.command("acl", "users") == b"*1\r\n$7\r\ndefault\r\n"
    assert raw.command("ACL", "WHOAMI", "x") == (
        b"-ERR wrong number of arguments for 'acl|whoami' command\r\n"
    )


def test_acl_list_shows_the_default_user(
    raw: RawClient, make_server: Callable[..., Server]
) -> None:
    rule = b"user default on nopass sanitize-payload ~* &* +@all"
    assert raw.command("ACL", "LIST") == b"*1\r\n$%d\r\n%s\r\n" % (len(rule), rule)
    locked = RawClient(make_server(password="s3cret").port)
    try:
        assert locked.command("ACL", "WHOAMI") == b"-NOAUTH Authentication required.\r\n"
        assert locked.command("AUTH", "default", "s3cret") == b"+OK\r\n"
        assert locked.command("ACL", "WHOAMI") == b"$7\r\ndefault\r\n"
        digest = hashlib.sha256(b"s3cret").hexdigest().encode()
        rule = b"user default on sanitize-payload #" + digest + b" ~* &* +@all"
        assert locked.command("ACL", "LIST") == b"*1\r\n$%d\r\n%s\r\n" % (len(rule), rule)
    finally:
        locked.close()


def test_acl_genpass(raw: RawClient) -> None:
    reply = raw.command("ACL", "GENPASS")
    assert re.fullmatch(rb"\$64\r\n[0-9a-f]{64}\r\n", reply)
    assert re.fullmatch(rb"\$2\r\n[0-9a-f]{2}\r\n", raw.command("ACL", "GENPASS", "5"))
    assert re.fullmatch(rb"\$1024\r\n[0-9a-f]{1024}\r\n", raw.command("ACL", "GENPASS", "4096"))
    bits_error = (
        b"-ERR ACL GENPASS argument must be the number of bits for the output password, "
        b"a positive number up to 4096\r\n"
    )
    assert raw.command("ACL", "GENPASS", "0") == bits_error
    assert raw.command("ACL", "GENPASS", "4097") == bits_error
    assert raw.command("ACL", "GENPASS", "x") == (
        b"-ERR value is not an integer or out of range\r\n"
    )
    assert raw.command("ACL", "GENPASS", "1", "2") == (
        b"-ERR unknown subcommand or wrong number of arguments for 'GENPASS'. Try ACL HELP.\r\n"
    )


def test_acl_help_lists_every_subcommand(raw: RawClient) -> None:
    raw.send(b"*2\r\n$3\r\nACL\r\n$4\r\nHELP\r\n")
    reply = raw.read_reply()
    assert reply.startswith(b"*29\r\n+ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    for name in (b"CAT", b"DELUSER", b"GENPASS", b"LIST", b"USERS", b"WHOAMI", b"HELP"):
        assert b"\r\n+" + name in reply


# -- DEBUG -----------------------------------------------------------------------------


def test_debug_is_refused_by_default(raw: RawClient) -> None:
    error = b"-" + DEBUG_REFUSED.encode() + b"\r\n"
    assert raw.command("CONFIG", "RESETSTAT") == b"+OK\r\n"
    assert raw.command("DEBUG", "SLEEP", "0") == error
    assert raw.command("DEBUG") == b"-ERR wrong number of arguments for 'debug' command\r\n"
    stats = raw.command("INFO", "commandstats")
    assert b"cmdstat_debug:calls=0,usec=0,usec_per_call=0.00,rejected_calls=2,failed_calls=0" in (
        stats
    )
    # Refused before queueing: the transaction fails.
    assert raw.command("MULTI") == b"+OK\r\n"
    assert raw.command("DEBUG", "SLEEP", "0") == error
    assert raw.command("EXEC") == (
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )


def test_debug_refusal_comes_before_noauth(make_server: Callable[..., Server]) -> None:
    client = RawClient(make_server(password="pw").port)
    try:
        assert client.command("DEBUG", "SLEEP", "0") == b"-" + DEBUG_REFUSED.encode() + b"\r\n"
        assert client.command("PING") == b"-NOAUTH Authentication required.\r\n"
    finally:
        client.close()


@pytest.mark.parametrize("setting", ["yes", "local"])
def test_debug_runs_when_enabled(setting: str, make_server: Callable[..., Server]) -> None:
    client = RawClient(make_server(config={"enable-debug-command": setting}).port)
    try:
        assert client.command("DEBUG", "SLEEP", "0") == b"+OK\r\n"
        assert client.command("DEBUG", "sleep", "0.001") == b"+OK\r\n"
        assert client.command("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"+OK\r\n"
        assert client.command("DEBUG", "NOPE") == (
            b"-ERR unknown subcommand or wrong number of arguments for 'NOPE'. "
            b"Try DEBUG HELP.\r\n"
        )
    finally:
        client.close()


def test_debug_set_active_expire_switches_the_cron_expiry() -> None:
    clock = ManualClock(1_000_000)
    core = ServerCore(clock=clock)
    client = Client(core)
    core.config.values["enable-debug-command"] = "yes"
    assert execute(client, [b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]) == b"+OK\r\n"
    assert execute(client, [b"SET", b"k", b"v", b"PX", b"1"]) == b"+OK\r\n"
    clock.advance(10)
    loop = asyncio.new_event_loop()
    try:
        shell = Shell(core)
        shell._loop = loop
        shell._cron()
        assert len(core.keyspace[0].data) == 1  # expired, still stored: nobody removed it
        assert execute(client, [b"DEBUG", b"SET-ACTIVE-EXPIRE", b"1"]) == b"+OK\r\n"
        shell._cron()
        assert len(core.keyspace[0].data) == 0
    finally:
        if shell._timer is not None:
            shell._timer.cancel()
        loop.close()


def test_removing_the_password_lets_unauthenticated_clients_in(
    make_server: Callable[..., Server],
) -> None:
    """Valkey asks for authentication only while the default user has a password."""
    server = make_server(password="pw")
    admin, waiting = RawClient(server.port), RawClient(server.port)
    try:
        assert waiting.command("PING") == b"-NOAUTH Authentication required.\r\n"
        assert admin.command("AUTH", "pw") == b"+OK\r\n"
        assert admin.command("CONFIG", "SET", "requirepass", "") == b"+OK\r\n"
        assert waiting.command("PING") == b"+PONG\r\n"
        assert waiting.command("HELLO", "3")[:1] == b"%"
        assert admin.command("CONFIG", "SET", "requirepass", "again") == b"+OK\r\n"
        assert waiting.command("PING") == b"-NOAUTH Authentication required.\r\n"
        assert admin.command("PING") == b"+PONG\r\n"  # it logged in while there was one
    finally:
        admin.close()
        waiting.close()
