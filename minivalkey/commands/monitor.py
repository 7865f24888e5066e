"""MONITOR: the calling connection sees every command the server runs from now on.

Invariants:
* The handler only registers the client with ``ServerCore.monitors`` (``monitor.py``
  formats and sends the lines; the dispatcher decides what a monitor may still run).
* MONITOR inside EXEC is refused, as Valkey refuses it to a client that cannot
  block; MONITOR on a monitor answers nothing at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import CommandError
from ..replies import OK, RawReply
from .table import command

if TYPE_CHECKING:
    from ..session import Client

MONITOR_DENIED = "ERR MONITOR isn't allowed for DENY BLOCKING client"

# What a second MONITOR answers: nothing, not even an empty reply.
_NOTHING = RawReply(b"")


@command(
    "monitor",
    1,
    "admin noscript loading stale",
    group="server",
    summary="Streams every command the server runs, as it runs them, to this connection.",
)
def monitor(client: Client, argv: list[bytes]) -> Any:
    if client.deny_blocking:
        raise CommandError(MONITOR_DENIED)
    if client.monitoring:
        return _NOTHING
    client.core.monitors.attach(client)
    return OK
