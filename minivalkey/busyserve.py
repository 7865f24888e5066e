"""Serving connections while a busy script holds the event loop (``scripting/busy.py``).

A script past busy-reply-threshold runs inside one loop callback, so the loop reads,
writes and accepts nothing until it returns. ``BusyService`` (one per ``Shell``,
reached by the core as ``core.busy_io``) does that work from inside the script's count
hook, without blocking, as Valkey's processEventsWhileBlocked:

* each connection but the script's caller reads what waits on its socket and runs it
  through its normal path (``ClientConnection.serve_while_busy``);
* connections waiting on a listener are accepted (up to ``MAX_ACCEPTS`` a pass) and
  served at once (their first command gets BUSY like any other's). Until the loop
  can take them over they run on a ``HeldTransport``: the socket itself, written
  without blocking, with what the kernel does not take yet kept in order. When the
  script is over (``finished``) each is handed to the loop
  (``connect_accepted_socket``, the same descriptor); ``connection_made`` on the
  connection then swaps the transport in, and what the held transport still owed
  (unsent bytes, a FIN, a close, paused reading) is passed on first. Calls made on
  the held transport after that go to the loop's.

Invariants:
* Only public transport and loop methods are used, and sockets only through their
  descriptors, so uvloop and the plain asyncio loop behave alike.
* The listening sockets are duplicated for the busy period only (closed by
  ``finished``), so a stopped server never keeps its port.
* Every held transport is handed over, or closed with ``connection_lost`` delivered,
  so the shell's stop never waits for a connection that has no transport.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import ClientConnection
    from .shell import Shell

log = logging.getLogger("minivalkey")

MAX_ACCEPTS = 1000  # connections accepted per listener and pass (Valkey's MAX_ACCEPTS_PER_CALL)


class BusyService:
    """The shell's side of a busy script: serve, accept, and hand back to the loop."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self._listening: list[socket.socket] | None = None
        self._held: list[tuple[ClientConnection, HeldTransport]] = []

    def serve(self, protected: object, stop: Callable[[], bool]) -> bool:
        """One pass over the connections (``protected`` excepted) and the listeners;
        True when something was read or accepted. ``stop`` ends the pass early."""
        served = self._accept()
        for _, held in self._held:
            held.flush()
        for connection in list(self.shell.connections):
            if connection is protected:
                continue
            if connection.serve_while_busy():
                served = True
            if stop():
                break
        return served

    def _accept(self) -> bool:
        shell = self.shell
        if shell.stopping:
            return False
        if self._listening is None:
            self._listening = [_duplicate(listener) for listener in _listening_sockets(shell)]
        accepted = False
        for listening in list(self._listening):
            for _ in range(MAX_ACCEPTS):
                if listening.fileno() < 0:  # closed meanwhile (SHUTDOWN NOSAVE)
                    break
                try:
                    sock, _address = listening.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as error:  # out of descriptors, and the like: try later
                    log.warning("Accepting client connection: %s", error)
                    break
                accepted = True
                self._adopt(sock)
        return accepted

    def _adopt(self, sock: socket.socket) -> None:
        from .server import ClientConnection

        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = ClientConnection(self.shell)
        held = HeldTransport(sock, connection)
        self._held.append((connection, held))
        connection.connection_made(held)
        connection.serve_while_busy()  # what it sent already is answered now

    def stop_listening(self) -> None:
        """SHUTDOWN NOSAVE during the script: refuse new connections from now on, as
        Valkey closes its listeners before exiting (the shell's stop follows)."""
        for listening in self._listening or ():
            listening.close()
        self._listening = []
        for listener in self.shell.listeners:
            listener.close()

    def finished(self) -> None:
        """The script is over: the loop takes over what was accepted meanwhile."""
        for listening in self._listening or ():
            listening.close()
        self._listening = None
        held, self._held = self._held, []
        if not held:
            return
        loop = asyncio.get_running_loop()
        for connection, transport in held:
            loop.create_task(_hand_over(connection, transport))


def _listening_sockets(shell: Shell) -> list[Any]:
    return [sock for listener in shell.listeners for sock in listener.sockets]


def _duplicate(listener: Any) -> socket.socket:
    sock = socket.socket(fileno=os.dup(listener.fileno()))
    sock.setblocking(False)
    return sock


async def _hand_over(connection: ClientConnection, held: HeldTransport) -> None:
    if held.closed:
        return
    loop = asyncio.get_running_loop()
    try:
        await loop.connect_accepted_socket(lambda: connection, held.sock)
    except Exception:  # the peer is gone already, or the loop refused the socket
        held.abort()


class HeldTransport(asyncio.Transport):
    """A connection's transport from its accept during a busy script until the loop
    takes the socket over (see the module docstring)."""

    def __init__(self, sock: socket.socket, protocol: ClientConnection) -> None:
        super().__init__(
            {
                "socket": sock,
                "peername": _address(sock.getpeername),
                "sockname": _address(sock.getsockname),
            }
        )
        self.sock = sock
        self.protocol = protocol
        self.real: asyncio.Transport | None = None
        self.closed = False  # the socket is closed (abort, a lost peer)
        self._unsent = bytearray()
        self._closing = False
        self._eof = False
        self._eof_sent = False
        self._paused = False

    # -- handing over --------------------------------------------------------------

    def hand_over(self, real: asyncio.Transport) -> None:
        """The loop's transport for the same socket is ready: pass on what is owed."""
        self.real = real
        if self._paused:
            real.pause_reading()
        if self._unsent:
            real.write(bytes(self._unsent))
            self._unsent.clear()
        if self._closing:
            real.close()
        elif self._eof and not self._eof_sent:
            try:
                real.write_eof()
            except OSError:  # the peer is gone: the loop reports it
                real.close()

    def flush(self) -> None:
        """Send what the kernel did not take before (once per busy pass)."""
        if self.real is not None or self.closed or not self._unsent:
            return
        sent = self._send(bytes(self._unsent))
        del self._unsent[:sent]
        if self._unsent or self.closed:
            return
        if self._closing:
            self._lose()
        elif self._eof:
            self._shutdown()

    def _send(self, data: bytes) -> int:
        try:
            return self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError:  # the peer is gone: nothing more can be sent
            self._lose()
            return 0

    def _shutdown(self) -> None:
        self._eof_sent = True
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _lose(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._unsent.clear()
        self.sock.close()
        asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)

    # -- the transport interface ---------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.real is not None:
            self.real.write(data)
            return
        if self._closing or self._eof or self.closed or not data:
            return
        data = bytes(data)
        if not self._unsent:
            data = data[self._send(data) :]
        if not self.closed:
            self._unsent += data

    def write_eof(self) -> None:
        if self._eof or self._closing:  # said once already (maybe on the socket itself)
            return
        if self.real is not None:
            self.real.write_eof()
            return
        self._eof = True
        if not self._unsent and not self.closed:
            self._shutdown()

    def can_write_eof(self) -> bool:
        return True

    def close(self) -> None:
        if self.real is not None:
            self.real.close()
            return
        self._closing = True
        if not self._unsent:  # else once the kernel took it (``flush``, or the loop's)
            self._lose()

    def abort(self) -> None:
        if self.real is not None:
            self.real.abort()
            return
        self._closing = True
        self._lose()

    def is_closing(self) -> bool:
        if self.real is not None:
            return self.real.is_closing()
        return self._closing or self.closed

    def is_reading(self) -> bool:
        if self.real is not None:
            return self.real.is_reading()
        return not (self._paused or self._closing or self.closed)

    def pause_reading(self) -> None:
        if self.real is not None:
            self.real.pause_reading()
            return
        self._paused = True

    def resume_reading(self) -> None:
        if self.real is not None:
            self.real.resume_reading()
            return
        self._paused = False

    def get_write_buffer_size(self) -> int:
        if self.real is not None:
            return self.real.get_write_buffer_size()
        return len(self._unsent)


def _address(getter: Callable[[], Any]) -> Any:
    try:
        return getter()
    except OSError:
        return None
