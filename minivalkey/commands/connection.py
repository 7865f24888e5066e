"""Connection commands: PING, ECHO, QUIT (more to come in this module).

Invariant: these commands touch only the calling client's own state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..replies import OK, PONG
from .table import command

if TYPE_CHECKING:
    from ..session import Client


@command("ping", -1, "fast sentinel", group="connection", summary="Returns PONG, or the message.")
def ping(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 2:
        from ..errors import CommandError, wrong_arity

        raise CommandError(wrong_arity("ping"))
    return argv[1] if len(argv) == 2 else PONG


@command("echo", 2, "fast", group="connection", summary="Returns the given string.")
def echo(client: Client, argv: list[bytes]) -> Any:
    return argv[1]


@command("quit", -1, "noscript loading stale fast no_auth allow_busy", group="connection",
         summary="Closes the connection.")
def quit_(client: Client, argv: list[bytes]) -> Any:
    if client.connection is not None:
        client.connection.close_after_reply()
    return OK
