"""Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO and RESET.

Invariants:
* These commands change only the calling connection's state (database, protocol,
  name, authentication, reply mode), never the keyspace or other connections.
* The calling client is closed through ``close_after_reply()``, so the reply
  still leaves first (QUIT here, and CLIENT KILL of oneself in commands/client.py).
* There is one user, ``default``. With ``requirepass`` empty it takes any password
  (Valkey's ``nopass``); otherwise exactly ``requirepass``.
* A connection name is valid only when CLIENT LIST stays splittable on spaces
  (``validate_client_name``), whether it is set by HELLO SETNAME or CLIENT SETNAME.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from .. import core as server_core
from .. import errors
from ..errors import CommandError
from ..replies import OK, Map, RawReply, SimpleString
from .args import option, parse_int
from .table import command

if TYPE_CHECKING:
    from ..session import Client

DEFAULT_USER = b"default"

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


# -- PING, ECHO, QUIT, SELECT ---------------------------------------------------------


@command(
    "ping",
    -1,
    "fast sentinel",
    group="connection",
    summary="Answers PONG, or echoes the optional message: a liveness check.",
    tips="request_policy:all_shards response_policy:all_succeeded",
)
def ping(client: Client, argv: list[bytes]) -> Any:
    # The table says "at least one argument"; the upper bound of two is the
    # command's own check, so it counts as a failed call rather than a rejected one.
    if len(argv) > 2:
        raise CommandError(errors.wrong_arity("ping"))
    if client.subscribed_context:  # a RESP2 subscriber hears ["pong", message or ""]
        return [b"pong", argv[1] if len(argv) == 2 else b""]
    return argv[1] if len(argv) == 2 else _PONG


_PONG = RawReply(b"+PONG\r\n")  # the same bytes in RESP2 and RESP3


@command(
    "echo",
    2,
    "loading stale fast",
    group="connection",
    summary="Answers with the message it was given.",
)
def echo(client: Client, argv: list[bytes]) -> Any:
    return argv[1]


@command(
    "quit",
    -1,
    "allow_busy noscript loading stale fast no_auth",
    group="connection",
    summary="Answers OK, then closes the connection.",
)
def quit_(client: Client, argv: list[bytes]) -> Any:
    close_after_reply(client)
    return OK


@command(
    "select",
    2,
    "loading stale fast",
    group="connection",
    summary="Switches the connection to another numbered database.",
)
def select(client: Client, argv: list[bytes]) -> Any:
    index = parse_int(argv[1])
    if not INT32_MIN <= index <= INT32_MAX:
        raise CommandError(errors.value_out_of_range(INT32_MIN, INT32_MAX))
    if not 0 <= index < len(client.core.keyspace):
        raise CommandError(errors.DB_INDEX_OUT_OF_RANGE)
    client.select(index)
    return OK


# -- AUTH, HELLO, RESET ---------------------------------------------------------------


def _credentials_valid(client: Client, username: bytes, password: bytes) -> bool:
    if username != DEFAULT_USER:
        return False
    required = client.core.config.get_str("requirepass")
    if not required:
        return True
    # A constant-time comparison: the time taken says nothing about the password.
    return hmac.compare_digest(password, required.encode("utf-8", "surrogateescape"))


def _authenticate(client: Client, username: bytes, password: bytes) -> None:
    """Log the client in, or raise WRONGPASS (a failed attempt never logs anyone out)."""
    if not _credentials_valid(client, username, password):
        raise CommandError(errors.WRONGPASS)
    client.authenticated = True
    client.update_fast()


@command(
    "auth",
    -2,
    "noscript loading stale fast no_auth sentinel allow_busy",
    group="connection",
    summary="Logs the connection in, as the default user or as a named user.",
    complexity="O(N) where N is the number of passwords defined for the user",
)
def auth(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 3:
        raise CommandError(errors.SYNTAX)
    if len(argv) == 2:
        # The one-argument form only makes sense when a password is configured.
        if not client.core.requires_auth():
            raise CommandError(errors.AUTH_NOT_CONFIGURED)
        username, password = DEFAULT_USER, argv[1]
    else:
        username, password = argv[1], argv[2]
    _authenticate(client, username, password)
    return OK


@command(
    "hello",
    -1,
    "noscript loading stale fast no_auth sentinel allow_busy",
    group="connection",
    since="6.0.0",
    summary="Negotiates the protocol version, optionally logging in and naming the "
    "connection, and describes the server.",
)
def hello(client: Client, argv: list[bytes]) -> Any:
    version = 0  # 0: keep the current protocol
    position = 1
    if len(argv) >= 2:
        version = parse_int(argv[1], errors.PROTOVER_NOT_INTEGER)
        if version not in (2, 3):
            raise CommandError(errors.NOPROTO)
        position = 2
    credentials: tuple[bytes, bytes] | None = None
    name: bytes | None = None
    while position < len(argv):
        word = option(argv[position])
        remaining = len(argv) - position - 1
        if word == b"auth" and remaining >= 2:
            credentials = (argv[position + 1], argv[position + 2])
            position += 3
        elif word == b"setname" and remaining >= 1:
            name = argv[position + 1]
            validate_client_name(name)
            position += 2
        else:
            raise CommandError(errors.hello_syntax(argv[position]))
    if credentials is not None:
        _authenticate(client, *credentials)
    if not client.authenticated and client.core.requires_auth():
        raise CommandError(errors.HELLO_NOAUTH)
    if name is not None:
        client.name = name
    if version:
        client.protocol = version
        client.core.pubsub.protocol_changed(client)  # RESP2 subscribed mode may start or end
    # With extended-redis-compatibility Valkey introduces itself as Redis 7.2.4.
    redis_compat = client.core.config.get_bool("extended-redis-compatibility")
    return Map(
        {
            b"server": b"redis" if redis_compat else server_core.SERVER_NAME.encode(),
            b"version": (
                server_core.REDIS_VERSION if redis_compat else server_core.VALKEY_VERSION
            ).encode(),
            b"proto": client.protocol,
            b"id": client.id,
            b"mode": b"standalone",
            b"role": b"master",
            b"modules": [],
        }
    )


@command(
    "reset",
    1,
    "noscript loading stale fast no_auth allow_busy",
    group="connection",
    since="6.2.0",
    summary="Returns the connection to the state of a fresh one.",
)
def reset(client: Client, argv: list[bytes]) -> Any:
    client.discard_multi()  # also forgets every watched key
    client.select(0)
    client.protocol = 2
    client.authenticated = not client.core.requires_auth()
    client.core.pubsub.forget_client(client)  # every subscription ends, silently
    client.update_fast()
    client.name = b""
    # lib-name and lib-ver survive: they describe the library, not the session.
    client.reply_off = False
    client.skip_next_reply = False
    client.no_evict = False
    client.no_touch = False
    return SimpleString("RESET")


def close_after_reply(client: Client) -> None:
    """Close the calling client once its pending replies have been written."""
    if client.connection is not None:
        client.connection.close_after_reply()


# -- connection names (shared with CLIENT SETNAME and CLIENT SETINFO) ------------------------


def printable(value: bytes) -> bool:
    """Whether ``value`` keeps CLIENT LIST splittable on spaces: ASCII ``!`` to ``~`` only.

    Valkey checks the value as a C string, so the check ends at the first NUL byte.
    """
    visible = value.split(b"\0", 1)[0]
    return all(0x21 <= byte <= 0x7E for byte in visible)


def validate_client_name(name: bytes) -> None:
    if not printable(name):
        raise CommandError(errors.INVALID_CLIENT_NAME)
