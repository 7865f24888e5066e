"""MONITOR: every command the server runs, shown to the clients that asked for it.

This is Valkey's replicationFeedMonitors and the parts of call() and processCommand
that decide what is shown. A line is ``+<seconds>.<microseconds> [<db> <origin>]``
followed by the arguments, each in double quotes with Valkey's escaping (sdscatrepr),
separated by spaces and ended by CRLF: the same bytes in RESP2 and RESP3. The origin
is the client's address (``ip:port``), or ``unix:<unixsocket>`` for a client of the
unix socket.

Invariants:
* ``ServerCore.monitors.clients`` holds the monitoring clients by id, in the order
  they ran MONITOR; ``Client.monitoring`` is True exactly for them. While it is not empty the
  core is ``gated``: every command takes the dispatcher's slow path, which feeds the
  monitors after the command has run (the database shown is the one it left the
  client in). With no monitor attached nothing is tested per command.
* What is shown: every command that ran (its reply may be an error), including a
  command that blocked (shown once, when it first ran; not again when it is served)
  and each command an EXEC runs, followed by the EXEC itself. An EXEC refused before
  it runs (EXECABORT) is shown too, as Valkey closes the transaction for monitors.
  Not shown: commands refused before running (unknown, wrong arity, NOAUTH, refused
  in MULTI, OOM...), commands queued by MULTI (shown when EXEC runs them), admin
  commands and those flagged ``skip_monitor``, and a command postponed by CLIENT
  PAUSE (Valkey re-runs it as a reprocessed command, which monitors never see).
* The script commands (EVAL, EVALSHA and their _RO forms, FCALL, FCALL_RO) are
  flagged ``skip_monitor`` but show themselves (``show_script``) when their handler
  starts, before any check of their arguments, so the commands the script calls
  (shown with the origin ``lua``) follow the line of the script that called them.
* Arguments a command hides (AUTH's credentials, HELLO's AUTH pair) are replaced by
  ``(redacted)``: the handler calls ``Monitors.redact``, which records the positions
  only while monitors exist; the feed after the command reads and clears them.
* A monitor still runs commands that touch no keys (PING, INFO, CLIENT, QUIT, RESET
  ...); the dispatcher refuses it the others, as Valkey refuses a replica. RESET
  makes it a normal client again; CLIENT PAUSE never holds it back.
* Lines reach a monitor through ``Client.send``: buffered, after the monitor's own
  reply when the command was its own, and checked against the output buffer limit
  of its class (normal). As replies, they are dropped while the monitor has CLIENT
  REPLY OFF, or SKIP until its next command has run, and after its own QUIT.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from .commands.table import ADMIN, MAY_REPLICATE, READONLY, SKIP_MONITOR, WRITE

if TYPE_CHECKING:
    from .commands.table import CommandSpec
    from .session import Client

REDACTED = b"(redacted)"
KEYSPACE_REFUSED = "ERR Replica can't interact with the keyspace"

# Whether a command is shown, by the spec's id (specs live as long as the process).
_SHOWN: dict[int, bool] = {}

# Each byte as sdscatrepr writes it inside the quotes.
_REPR = [
    bytes([byte]) if 0x20 <= byte < 0x7F else b"\\x%02x" % byte for byte in range(256)
]
_REPR[ord("\\")] = b"\\\\"
_REPR[ord('"')] = b'\\"'
_REPR[ord("\n")] = b"\\n"
_REPR[ord("\r")] = b"\\r"
_REPR[ord("\t")] = b"\\t"
_REPR[0x07] = b"\\a"
_REPR[0x08] = b"\\b"
_PLAIN = bytes(range(0x20, 0x7F)).replace(b"\\", b"").replace(b'"', b"")


def quote(arg: bytes) -> bytes:
    """One argument as Valkey's sdscatrepr prints it, quotes included."""
    if not arg.translate(None, _PLAIN):  # nothing to escape: the usual case
        return b'"' + arg + b'"'
    return b'"' + b"".join(_REPR[byte] for byte in arg) + b'"'


class Monitors:
    """The monitoring clients of one server, and what the running command hides."""

    def __init__(self) -> None:
        self.clients: dict[int, Client] = {}  # by id, in the order they ran MONITOR
        # Argument positions the running command hides (``redact``), until fed.
        self.hidden: set[int] | None = None

    def attach(self, client: Client) -> None:
        """MONITOR: ``client`` sees every command from now on."""
        client.monitoring = True
        self.clients[client.id] = client
        client.core._update_gate()

    def detach(self, client: Client) -> None:
        """The monitor left, or RESET it: it sees nothing more."""
        client.monitoring = False
        if self.clients.pop(client.id, None) is not None:
            client.core._update_gate()

    def redact(self, position: int) -> None:
        """Hide argument ``position`` of the running command (only while monitored)."""
        if self.clients:
            if self.hidden is None:
                self.hidden = set()
            self.hidden.add(position)

    def feed(self, client: Client, spec: CommandSpec, argv: list[bytes], show: bool) -> None:
        """``client`` just ran ``argv``: show it to every monitor when ``show`` (a
        command run for the first time) and the command is one monitors see."""
        hidden = self.hidden
        self.hidden = None
        if not show or not shown(spec) or not self.clients:
            return
        own_skipped = client.skip_current_reply or spec.name == "quit"
        self._send(client, argv, hidden, own_skipped)

    def show_script(self, client: Client, argv: list[bytes]) -> None:
        """A script command starts: show it now, ahead of the commands its script
        calls (Valkey's evalCommand and fcallCommandGeneric feed monitors themselves)."""
        if self.clients:
            self._send(client, argv, None, client.skip_current_reply)

    def _send(
        self, client: Client, argv: list[bytes], hidden: set[int] | None, own_skipped: bool
    ) -> None:
        """Send the line of ``argv``, run by ``client``, to every monitor that takes it;
        ``own_skipped``: not to ``client`` itself (its skipped reply, its QUIT)."""
        core = client.core
        now_us = core.clock.now_us()
        if client.unix:
            path = core.config.get_str("unixsocket")
            origin = b"unix:" + path.encode("utf-8", "surrogateescape")
        else:
            origin = client.addr.encode("utf-8", "surrogateescape")
        if hidden:
            argv = [REDACTED if index in hidden else arg for index, arg in enumerate(argv)]
        line = b"+%d.%06d [%d %s] %s\r\n" % (
            now_us // 1_000_000,
            now_us % 1_000_000,
            client.db_index,
            origin,
            b" ".join(map(quote, argv)),
        )
        for monitor in list(self.clients.values()):
            if monitor.reply_off:
                continue  # CLIENT REPLY OFF: nothing reaches it
            if monitor is client:
                if own_skipped:
                    continue  # its own skipped command; its QUIT closes it after the reply
            elif monitor.skip_next_reply:
                continue  # CLIENT REPLY SKIP: nothing until its next command has run
            monitor.send(line)


def shown(spec: CommandSpec) -> bool:
    """Whether monitors see ``spec`` when it runs (not admin, not skip_monitor)."""
    try:
        return _SHOWN[id(spec)]
    except KeyError:
        result = _SHOWN[id(spec)] = ADMIN not in spec.flags and SKIP_MONITOR not in spec.flags
        return result


def touches_keyspace(flags: Collection[str]) -> bool:
    """Whether a command with ``flags`` reads, writes or may replicate: a monitor may
    not run it (Valkey refuses replicas those)."""
    return READONLY in flags or WRITE in flags or MAY_REPLICATE in flags
