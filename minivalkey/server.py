"""One client connection of the asyncio shell (``shell.py``): parse, dispatch, answer.

Invariants:
* Every command of one read is executed in order and all their replies leave in
  one ``transport.write``.
* A protocol error answers the commands before it, then Valkey's error, then
  closes that connection only.
* The query buffer limit is checked per read as Valkey does: the bytes received
  and not yet parsed (``parser.buffered``, plus commands waiting behind a blocked
  one) and the arguments queued by MULTI must stay within
  ``client-query-buffer-limit`` (1 MB before authentication when a password is
  required), else the connection closes without a reply. Far from the limit a
  whole read is taken at once; near it, the read is taken in the pieces Valkey
  reads (16 KiB, or the rest of an argument of 32 KiB or more), each checked.
* ``proto-max-bulk-len`` and the authentication state are handed to the parser
  before every read, so CONFIG SET and AUTH take effect on open connections.
* When the transport's buffer passes its high-water mark the connection stops
  reading (back-pressure) until the buffer drains.
* Bytes for a client outside its own replies (pub/sub messages, invalidations,
  MONITOR lines: ``send``) are buffered per connection and written once per loop
  turn. What was buffered before a read's commands run leaves before their replies;
  what those commands send to their own client leaves after the reply that caused
  it (Valkey's pending push messages), in a pipeline after each command's reply.
  Each ``send`` checks ``client-output-buffer-limit`` for the client's class (what
  the transport holds unsent plus the buffer); a client over the hard limit, or
  over the soft one for longer than its seconds (whole seconds, as Valkey counts
  them; the cron checks such a client again), is closed, never waited for.
* While its client is blocked (XREAD/XREADGROUP BLOCK, or a command CLIENT PAUSE
  holds) a connection executes nothing: commands that arrive, or were pipelined
  behind the blocking one, wait in ``pending`` and run, in order, once the blocked
  command has answered (a held one runs again first: ``resume_postponed``).
* The engine never sees asyncio: the shell calls ``dispatcher.execute`` and the
  keyspace's active expiry, nothing else.
* When the server stops (``Shell.stop``) a connection executes nothing more, sends
  what it has answered, then its FIN (``shut_down``); see ``shell``.
* While a script is busy the loop is held: ``serve_while_busy`` (called from the
  script's hook, see ``busyserve``) reads the socket without blocking and takes the
  input through ``data_received`` as the loop would. A connection accepted meanwhile
  starts on a ``busyserve.HeldTransport``; the loop's own transport replaces it in
  ``connection_made`` (a second call) once the script is over.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import struct
import time
from collections import deque
from typing import TYPE_CHECKING

from .busyserve import HeldTransport
from .dispatcher import BLOCKED, execute, reprocess
from .errors import MAX_CLIENTS, PROTECTED_MODE_DENIED
from .resp import encode, make_parser
from .session import Client

if TYPE_CHECKING:
    from .pause import Postponed
    from .shell import Shell

log = logging.getLogger("minivalkey")

_TIOCOUTQ: int | None
try:  # the kernel's count of bytes sent but not yet acknowledged by the peer
    import fcntl
    import termios

    _TIOCOUTQ = termios.TIOCOUTQ
except (ImportError, AttributeError):  # pragma: no cover - not on this platform
    _TIOCOUTQ = None

# How long a connection closed after QUIT or a protocol error waits for its peer's FIN.
CLOSE_GRACE_SECONDS = 2.0

_READ_SIZE = 16 * 1024  # what Valkey reads at once outside a large argument
_UNAUTHENTICATED_QUERY_BUFFER_LIMIT = 1024 * 1024
_POINTER_BYTES = 8  # Valkey counts one pointer per queued argument
# A read of n bytes can queue at most 4.5 * n bytes of MULTI arguments (an inline
# one-byte argument is 2 bytes on the wire and costs 9), hence the bound 5 * n.
_MULTI_GROWTH = 5


# Where ``serve_while_busy`` reads (as much as an asyncio transport reads at once).
_busy_buffer = bytearray(256 * 1024)
_busy_view = memoryview(_busy_buffer)


def _argv_size(argv: list[bytes]) -> int:
    """The bytes Valkey counts for one queued command (MULTI), or one waiting command."""
    return sum(map(len, argv)) + _POINTER_BYTES * len(argv)


def _quoted(data: bytes) -> str:
    """Bytes in a log line: printable ASCII as is, the rest escaped, in double quotes."""
    out = []
    for byte in data:
        char = chr(byte)
        if char in '\\"':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append({10: "\\n", 13: "\\r", 9: "\\t"}.get(byte, f"\\x{byte:02x}"))
    return '"' + "".join(out) + '"'


class ClientConnection(asyncio.Protocol):
    """One client connection: parse, dispatch, answer."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.core = shell.core
        self.transport: asyncio.Transport | None = None
        self.client: Client | None = None
        self.parser = make_parser(
            self.core.config.get_int("proto-max-bulk-len"), use_hiredis=shell.use_hiredis
        )
        self._close_after_reply = False
        self._grace_timer: asyncio.TimerHandle | None = None  # see _close_gracefully
        self._shutting_down = False
        self.pending: deque[list[bytes]] = deque()  # commands waiting for an unblock
        self._pending_bytes = 0  # their size, counted in the query buffer
        self._pending_error: str | None = None  # a protocol error met behind them
        # The MULTI queue's size in bytes: (queue, commands counted, bytes).
        self._multi_size: tuple[list[list[bytes]] | None, int, int] = (None, 0, 0)
        self._out: list[bytes] = []  # sent outside replies, written at the loop turn's end
        self._out_bytes = 0
        self._soft_limit_since = 0  # when the output buffer passed the soft limit (s)

    # -- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        held = self.transport
        if isinstance(held, HeldTransport):  # accepted during a busy script: the loop
            self.transport = transport  # type: ignore[assignment]  # takes over now
            held.hand_over(transport)  # type: ignore[arg-type]
            return
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        if self.shell.stopping:  # accepted just before the listener closed
            transport.close()
            return
        # Admission control comes before the client exists, so a refused connection
        # consumes no client id (as in Valkey).
        if len(self.core.clients) >= self.core.config.get_int("maxclients"):
            self.core.stats.rejected_connections += 1
            transport.write(b"-" + MAX_CLIENTS.encode() + b"\r\n")  # type: ignore[attr-defined]
            transport.close()
            return
        sock = transport.get_extra_info("socket")
        peer = transport.get_extra_info("peername")
        local = transport.get_extra_info("sockname")
        unix = sock is not None and sock.family == socket.AF_UNIX
        client = Client(
            self.core,
            self,
            addr=_format_address(peer, unix, local),
            laddr=_format_address(local, unix, local),
            fd=sock.fileno() if sock is not None else -1,
            unix=unix,
        )
        if self._denied_by_protected_mode(client):
            self.core.stats.rejected_connections += 1
            transport.write(b"-" + PROTECTED_MODE_DENIED.encode() + b"\r\n")  # type: ignore[attr-defined]
            transport.close()
            return
        self.client = client
        self.core.add_client(client)
        self.shell.connections.add(self)

    def _denied_by_protected_mode(self, client: Client) -> bool:
        """Valkey's protected mode: with no password, only local peers may connect."""
        core = self.core
        return (
            core.config.get_bool("protected-mode")
            and not core.requires_auth()
            and not client.is_local()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if self._grace_timer is not None:
            self._grace_timer.cancel()
            self._grace_timer = None
        self.shell.connections.discard(self)
        self.shell.soft_limited.discard(self)
        if self.client is not None:
            self.core.remove_client(self.client)
            self.client = None

    def data_received(self, data: bytes) -> None:
        client = self.client
        if client is None or self.transport is None or client.closing:
            return
        # The usual case inline: an authenticated client far from the limit.
        parser = self.parser
        values = self.core.config.values
        parser.max_bulk_len = values["proto-max-bulk-len"]  # type: ignore[assignment]
        limit: int = values["client-query-buffer-limit"]  # type: ignore[assignment]
        if not client.authenticated or parser.unauthenticated:
            limit = self._prepare_parser(client)
        size = len(data)
        if (
            parser.buffered + _MULTI_GROWTH * size > limit
            or client.multi is not None
            or self._pending_bytes
        ):
            held = parser.buffered + self._pending_bytes + self._multi_bytes(client)
            if held + _MULTI_GROWTH * size > limit:
                self._read_in_steps(client, data)
                return
        if client.blocked is not None or self.pending:
            self._take(client, data)
            return
        self.core.stats.total_net_input_bytes += size
        client.net_input_bytes += size
        self._run(parser.feed(data))

    def _prepare_parser(self, client: Client) -> int:
        """Hand the live limits to the parser; the query buffer limit that applies."""
        core = self.core
        values = core.config.values
        parser = self.parser
        parser.max_bulk_len = values["proto-max-bulk-len"]  # type: ignore[assignment]
        limit: int = values["client-query-buffer-limit"]  # type: ignore[assignment]
        unauthenticated = not client.authenticated and core.requires_auth()
        parser.unauthenticated = unauthenticated
        if unauthenticated and limit > _UNAUTHENTICATED_QUERY_BUFFER_LIMIT:
            limit = _UNAUTHENTICATED_QUERY_BUFFER_LIMIT
        return limit

    def _multi_bytes(self, client: Client) -> int:
        """What MULTI has queued, in Valkey's count (kept up to date incrementally)."""
        queue = client.multi
        if queue is None:
            return 0
        counted_queue, counted, size = self._multi_size
        if counted_queue is not queue or counted > len(queue):
            counted, size = 0, 0
        for index in range(counted, len(queue)):
            size += _argv_size(queue[index])
        self._multi_size = (queue, len(queue), size)
        return size

    def _read_in_steps(self, client: Client, data: bytes) -> None:
        """Near the query buffer limit: take the read in Valkey's pieces, checking each."""
        view = memoryview(data)
        pos = 0
        while pos < len(data):
            if self.client is not client or client.closing or self._close_after_reply:
                return
            limit = self._prepare_parser(client)
            piece = bytes(view[pos : pos + (self.parser.bulk_remaining or _READ_SIZE)])
            held = self.parser.buffered + self._pending_bytes + self._multi_bytes(client)
            if held + len(piece) > limit:
                self._query_buffer_limit_reached(client, piece)
                return
            pos += len(piece)
            self._take(client, piece)

    def _query_buffer_limit_reached(self, client: Client, piece: bytes) -> None:
        """Valkey's handling: a warning in the log, a counter, the connection closed unanswered."""
        from .commands.client import client_info_line

        log.warning(
            "Closing client that reached max query buffer length: %s (qbuf initial bytes: %s)",
            client_info_line(client, client, []).decode("utf-8", "replace"),
            _quoted(piece[:64]),
        )
        self.core.stats.client_query_buffer_limit_disconnections += 1
        self.close_now()

    def _take(self, client: Client, data: bytes) -> None:
        """Parse one read and run (or, behind a blocked command, queue) its commands."""
        self.core.stats.total_net_input_bytes += len(data)
        client.net_input_bytes += len(data)
        parser = self.parser
        if client.blocked is not None or self.pending:
            before = parser.buffered
            self.pending.extend(parser.feed(data))
            self._pending_bytes += before + len(data) - parser.buffered
            if parser.error is not None and self._pending_error is None:
                self._pending_error = parser.error
            return
        self._run(parser.feed(data))

    def _run(self, commands: list[list[bytes]]) -> None:
        """Execute commands in order until done, closing, or blocked; answer in one write.

        A parser that stalled (see ``resp``) goes on once the commands before have
        run, with the authentication state they left.
        """
        client = self.client
        if client is None:
            return
        if self._out:  # sent to this client before these commands ran: it leaves first
            self.flush_sent()
        parser = self.parser
        if (
            len(commands) == 1
            and not parser.stalled
            and parser.error is None
            and self._pending_error is None
        ):  # one command, nothing else to say: the usual unpipelined read
            self._write(execute(client, commands[0]))
            return
        replies = []
        while True:
            for index, argv in enumerate(commands):
                replies.append(execute(client, argv))
                if self._out:  # what the command sent its own client follows its reply
                    replies.extend(self._out)
                    self._out.clear()
                    self._out_bytes = 0
                if client.closing or self._close_after_reply:
                    break
                if client.blocked is not None:
                    rest = commands[index + 1 :]  # they wait for the answer
                    self.pending.extend(rest)
                    self._pending_bytes += sum(map(_argv_size, rest))
                    break
            else:
                if parser.stalled:  # resume it with the authentication state now
                    self._prepare_parser(client)
                    commands = parser.feed(b"")
                    continue
            break
        if parser.error is not None and self._pending_error is None:
            self._pending_error = parser.error
        error = self._pending_error
        if error is not None and client.blocked is None and not self.pending:
            if not client.closing and not self._close_after_reply:
                text = "ERR " + error
                self.core.stats.count_error(text)
                replies.append(b"-" + text.encode("utf-8", "surrogateescape") + b"\r\n")
                self._close_after_reply = True
        self._write(b"".join(replies))

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    # -- while a script is busy (scripting/busy.py) -----------------------------------

    def serve_while_busy(self) -> bool:
        """A timed-out script holds the loop: take what waits on the socket without
        blocking and run it as the loop would have (``data_received``), then write
        what ``send`` queued. True when input was read. A transport that is closing,
        or not reading (back-pressure), is left alone; a peer that closed, or a
        read error, is left for the loop to notice once the script is over."""
        transport = self.transport
        client = self.client
        if transport is None or client is None or transport.is_closing():
            return False
        read = False
        if transport.is_reading():
            try:
                size = os.readv(client.fd, [_busy_buffer])
            except OSError:  # nothing waiting (EAGAIN), or the peer is gone
                size = 0
            if size:
                self.data_received(bytes(_busy_view[:size]))
                read = True
        if self._out:
            self.flush_sent()
        return read

    # -- the Connection interface used by commands -----------------------------------

    def close_after_reply(self) -> None:
        self._close_after_reply = True

    def close_now(self) -> None:
        if self.client is not None:
            self.client.closing = True
        if self.transport is not None:
            self.transport.close()

    # -- stopping the server ----------------------------------------------------------

    def shut_down(self) -> None:
        """The server stops: execute nothing more, send what is answered, then EOF.

        A blocked client's wait ends without a reply (Valkey exits without one too).
        Input keeps being read, and is discarded (``client.closing``): unread input
        would turn the final close into a reset, which can cut the replies still in
        flight.
        """
        self._shutting_down = True
        client = self.client
        if client is not None:
            self.core.blocking.forget_client(client)
            client.closing = True
        self.pending.clear()
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if transport.can_write_eof():
            try:
                transport.write_eof()  # the FIN follows the buffered replies
            except OSError:  # the peer is gone already (the loop has not heard yet)
                transport.close()
                return
        transport.resume_reading()

    def close_if_flushed(self) -> None:
        """Close once every reply has left user space and been acknowledged by the peer."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if transport.get_write_buffer_size() == 0 and _unacknowledged_bytes(transport) == 0:
            transport.close()

    def abort(self) -> None:
        """Drop the connection at once (a peer that would not take its replies)."""
        if self.transport is not None:
            self.transport.abort()
        self.connection_lost(None)  # now, not on a later loop turn that may never come

    def deliver(self, reply: object) -> None:
        """The blocked command answered: send it, then run what queued up meanwhile."""
        client = self.client
        if client is None:
            return
        if self._out:  # sent while it waited: before the reply
            self.flush_sent()
        if not (client.reply_off or client.skip_current_reply):
            self._write(encode(reply, client.protocol))
        if self.pending or self._pending_error is not None or self.parser.stalled:
            asyncio.get_running_loop().call_soon(self._resume)

    def resume_postponed(self, waiter: Postponed) -> None:
        """CLIENT PAUSE let the held command go: it runs again after the running command."""
        asyncio.get_running_loop().call_soon(self._run_postponed, waiter)

    def _run_postponed(self, waiter: Postponed) -> None:
        client = self.client
        if client is None or client.closing or not self.core.pause.release(waiter):
            return
        reply = reprocess(client, waiter.spec, waiter.argv)
        if reply is not BLOCKED:  # held again, or blocked on its keys: it answers later
            self.deliver(reply)

    def _resume(self) -> None:
        client = self.client
        if client is None or client.blocked is not None or client.closing:
            return
        commands = list(self.pending)
        self.pending.clear()
        self._pending_bytes = 0
        self._run(commands)

    def _write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or self._shutting_down:
            return
        if self._out:  # what the command sent its own client follows its reply
            data += b"".join(self._out)
            self._out.clear()
            self._out_bytes = 0
        if data:
            self.core.stats.total_net_output_bytes += len(data)
            if self.client is not None:
                self.client.net_output_bytes += len(data)
            transport.write(data)
        if self.client is not None and self.client.closing:
            transport.close()
        elif self._close_after_reply:
            self._close_gracefully()

    def send(self, data: bytes) -> None:
        """Bytes for this client outside a reply: written at the end of the loop turn."""
        client = self.client
        transport = self.transport
        if transport is None or self._shutting_down or client is None or client.closing:
            return
        out = self._out
        if not out:
            self.shell.flush_soon(self)
        out.append(data)
        self._out_bytes += len(data)
        # The usual case inline (a publish calls this once per subscriber): under both
        # limits with no soft-limit time running, there is nothing more to check.
        hard, soft, _ = self.core.config.values["client-output-buffer-limit"][  # type: ignore[index]
            client.output_class
        ]
        if hard or soft:
            used = self._out_bytes + transport.get_write_buffer_size()
            if (hard and used >= hard) or (soft and used >= soft) or self._soft_limit_since:
                self._check_output_limit(client)

    def flush_sent(self) -> None:
        """Write what ``send`` buffered (the shell calls this once per loop turn)."""
        out = self._out
        if not out:
            return
        data = b"".join(out)
        out.clear()
        self._out_bytes = 0
        transport = self.transport
        if transport is None or transport.is_closing() or self._shutting_down:
            return
        self.core.stats.total_net_output_bytes += len(data)
        if self.client is not None:
            self.client.net_output_bytes += len(data)
            # Valkey counts a write as an interaction (CLIENT LIST idle of a monitor).
            self.client.last_interaction_ms = self.core.clock.now_ms()
        transport.write(data)

    def output_buffer_size(self) -> int:
        """The bytes waiting for this peer: the transport's unsent ones and the buffer."""
        transport = self.transport
        held = transport.get_write_buffer_size() if transport is not None else 0
        return held + self._out_bytes

    def _check_output_limit(self, client: Client) -> None:
        """Valkey's checkClientOutputBufferLimits for the client's class, closing it if over."""
        hard, soft, seconds = self.core.config.values["client-output-buffer-limit"][  # type: ignore[index]
            client.output_class
        ]
        if not hard and not soft:
            return
        used = self.output_buffer_size()
        over = bool(hard) and used >= hard
        if soft and used >= soft:
            # Whole seconds, as Valkey's server.unixtime: over the soft limit for longer
            # than its seconds means a check in a later second than that many.
            now = int(time.time())
            if not self._soft_limit_since:
                self._soft_limit_since = now
                self.shell.soft_limited.add(self)  # the cron checks it again
            elif now - self._soft_limit_since > seconds:
                over = True
        elif self._soft_limit_since:
            self._soft_limit_since = 0
            self.shell.soft_limited.discard(self)
        if over:
            self._output_limit_reached(client)

    def check_soft_limit(self) -> None:
        """The cron's check of a client over its soft limit (Valkey's clientsCron does it
        too): it is closed once its seconds have passed, even with nothing more sent."""
        client = self.client
        limits = self.core.config.values["client-output-buffer-limit"]
        if client is None or client.closing or not limits[client.output_class][1]:  # type: ignore[index]
            self._soft_limit_since = 0  # gone, or its class has no soft limit now
            self.shell.soft_limited.discard(self)
            return
        self._check_output_limit(client)

    def _output_limit_reached(self, client: Client) -> None:
        from .commands.client import client_info_line

        log.warning(
            "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
            client_info_line(client, client, []).decode("utf-8", "replace"),
        )
        self.core.stats.client_output_buffer_limit_disconnections += 1
        self._out.clear()
        self._out_bytes = 0
        # Closed as Valkey's freeClientAsync: nothing more is sent, and the client
        # leaves its registries when the transport reports the loss (a later loop
        # turn), never in the middle of the publish that went over the limit.
        client.closing = True
        if self.transport is not None:
            self.transport.abort()

    def _close_gracefully(self) -> None:
        """QUIT or a protocol error: the client is gone now (as in Valkey), but the
        socket sends its FIN after the replies and drains input until the peer closes
        too (or ``CLOSE_GRACE_SECONDS`` pass): closing with unread input would reset
        the connection and could cut the replies still in flight."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if self.client is not None:
            self.core.remove_client(self.client)
            self.client = None  # from now on input is read and dropped
        if not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        transport.resume_reading()
        self._grace_timer = asyncio.get_running_loop().call_later(
            CLOSE_GRACE_SECONDS, transport.close
        )


def _unacknowledged_bytes(transport: asyncio.BaseTransport) -> int:
    """Bytes of a TCP connection the peer has not acknowledged yet (0 where unknown).

    A close that turns into a reset (input arrived after the last read) makes the
    kernel drop these, so the peer would see a cut reply. Unix sockets need no
    check: what was sent already sits in the peer's queue.
    """
    sock = transport.get_extra_info("socket")
    if _TIOCOUTQ is None or sock is None or sock.family == socket.AF_UNIX:
        return 0
    try:
        raw = fcntl.ioctl(sock.fileno(), _TIOCOUTQ, b"\0\0\0\0")
    except (OSError, ValueError):
        return 0
    return int(struct.unpack("i", raw)[0])


def _format_address(address: object, unix: bool, local: object) -> str:
    if unix:
        path = address if isinstance(address, str) and address else local
        return f"{path}:0"
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        if ":" in str(host):
            return f"[{host}]:{port}"
        return f"{host}:{port}"
    return "?:0"
