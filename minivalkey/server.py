"""The asyncio shell: listeners, one protocol object per connection, timers.

Invariants:
* Every command of one read is executed in order and all their replies leave in
  one ``transport.write``.
* A protocol error answers the commands before it, then Valkey's error, then
  closes that connection only.
* When the transport's buffer passes its high-water mark the connection stops
  reading (back-pressure) until the buffer drains.
* While its client is blocked (XREAD/XREADGROUP BLOCK) a connection executes
  nothing: commands that arrive, or were pipelined behind the blocking one, wait
  in ``pending`` and run, in order, once the blocked command has answered.
* The engine never sees asyncio: the shell calls ``dispatcher.execute`` and the
  keyspace's active expiry, nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .core import ServerCore
from .dispatcher import execute
from .engine.stream import pack_sealed_nodes
from .errors import MAX_CLIENTS, PROTECTED_MODE_DENIED
from .resp import encode, make_parser
from .session import Client

if TYPE_CHECKING:
    from .blocking import Waiter

log = logging.getLogger("minivalkey")

_uvloop: Any
try:  # pragma: no cover - depends on the environment
    import uvloop as _uvloop
except ImportError:  # pragma: no cover
    _uvloop = None

HAVE_UVLOOP = _uvloop is not None

# Time each cron tick may spend compressing sealed stream nodes (5% of a core at hz 10).
PACK_BUDGET_NS = 5_000_000


def new_event_loop(use_uvloop: bool | None = None) -> asyncio.AbstractEventLoop:
    """A uvloop loop when available (and not disabled), else the stock asyncio loop."""
    if use_uvloop is None:
        use_uvloop = HAVE_UVLOOP
    if use_uvloop and _uvloop is not None:
        return _uvloop.new_event_loop()
    return asyncio.new_event_loop()


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
        self.pending: deque[list[bytes]] = deque()  # commands waiting for an unblock
        self._pending_error: str | None = None  # a protocol error met behind them

    # -- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
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
        self.shell.connections.discard(self)
        if self.client is not None:
            self.core.remove_client(self.client)
            self.client = None

    def data_received(self, data: bytes) -> None:
        client = self.client
        if client is None or self.transport is None or client.closing:
            return
        self.core.stats.total_net_input_bytes += len(data)
        client.net_input_bytes += len(data)
        commands = self.parser.feed(data)
        if self.parser.error is not None and self._pending_error is None:
            self._pending_error = self.parser.error
        if client.blocked is not None or self.pending:
            self.pending.extend(commands)
            return
        self._run(commands)

    def _run(self, commands: list[list[bytes]]) -> None:
        """Execute commands in order until done, closing, or blocked; answer in one write."""
        client = self.client
        if client is None:
            return
        replies = []
        for index, argv in enumerate(commands):
            replies.append(execute(client, argv))
            if client.closing or self._close_after_reply:
                break
            if client.blocked is not None:
                self.pending.extend(commands[index + 1 :])  # they wait for the answer
                break
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

    # -- the Connection interface used by commands -----------------------------------

    def close_after_reply(self) -> None:
        self._close_after_reply = True

    def close_now(self) -> None:
        if self.client is not None:
            self.client.closing = True
        if self.transport is not None:
            self.transport.close()

    def deliver(self, reply: object) -> None:
        """The blocked command answered: send it, then run what queued up meanwhile."""
        client = self.client
        if client is None:
            return
        if not (client.reply_off or client.skip_current_reply):
            self._write(encode(reply, client.protocol))
        if self.pending or self._pending_error is not None:
            asyncio.get_running_loop().call_soon(self._resume)

    def _resume(self) -> None:
        client = self.client
        if client is None or client.blocked is not None or client.closing:
            return
        commands = list(self.pending)
        self.pending.clear()
        self._run(commands)

    def _write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None:
            return
        if data:
            self.core.stats.total_net_output_bytes += len(data)
            if self.client is not None:
                self.client.net_output_bytes += len(data)
            transport.write(data)
        if self._close_after_reply or (self.client is not None and self.client.closing):
            transport.close()


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


class Shell:
    """The running listeners of one ``ServerCore`` on one event loop."""

    def __init__(self, core: ServerCore, use_hiredis: bool | None = None) -> None:
        self.core = core
        self.use_hiredis = use_hiredis
        self.connections: set[ClientConnection] = set()
        self.listeners: list[asyncio.base_events.Server] = []
        self.ports: list[int] = []
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stopped = asyncio.Event()

    async def start(
        self, hosts: Iterable[str], port: int, unixsocket: str | None = None, tcp: bool = True
    ) -> None:
        """Listen on ``port`` of every host (0: a free port) when ``tcp``, and on ``unixsocket``."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        if tcp:
            for host in hosts:
                listener = await loop.create_server(
                    lambda: ClientConnection(self), host=host, port=port, reuse_address=True
                )
                self.listeners.append(listener)
                for sock in listener.sockets:
                    bound = sock.getsockname()[1]
                    if bound not in self.ports:
                        self.ports.append(bound)
                    port = port or bound  # further binds share the first free port
        if unixsocket:
            if os.path.exists(unixsocket):
                os.unlink(unixsocket)
            listener = await loop.create_unix_server(
                lambda: ClientConnection(self), path=unixsocket
            )
            perm = self.core.config.get_int("unixsocketperm")
            if perm:
                os.chmod(unixsocket, perm)
            self.listeners.append(listener)
        self.core.tcp_port = self.ports[0] if self.ports else 0
        if self.ports:
            # CONFIG GET port reports the port bound (a free one when 0 was asked for).
            self.core.config.values["port"] = self.ports[0]
        self.core.shutdown_requested = self.request_stop
        self.core.blocking.timers = self
        self._schedule_cron()

    # -- deadlines of blocked clients (the ``blocking.Timers`` interface) --------------

    def schedule(self, waiter: Waiter) -> object:
        """Arm the waiter's deadline: a loop timer checked against ``time.monotonic``.

        The wait lasts the BLOCK milliseconds measured from the command time, in
        real time even under a manual clock (which only moves when told to).
        """
        if not waiter.deadline_ms or self._loop is None:
            return None  # BLOCK 0 waits for ever
        wait_ms = max(0, waiter.deadline_ms - self.core.keyspace.now_ms)
        return self._arm(waiter, time.monotonic() + wait_ms / 1000)

    def _arm(self, waiter: Waiter, when: float) -> asyncio.TimerHandle:
        # time.monotonic, not loop.time(): uvloop's loop time is cached per iteration
        # and may lag behind, which would end the wait early.
        assert self._loop is not None
        delay = max(0.0, when - time.monotonic())
        return self._loop.call_later(delay, self._deadline_reached, waiter, when)

    def _deadline_reached(self, waiter: Waiter, when: float) -> None:
        if time.monotonic() < when:  # timers may fire a little early: never answer early
            waiter.timer = self._arm(waiter, when)
            return
        self.core.blocking.time_out(waiter)

    def cancel(self, handle: object) -> None:
        if isinstance(handle, asyncio.TimerHandle):
            handle.cancel()

    def _schedule_cron(self) -> None:
        assert self._loop is not None
        hz = self.core.config.get_int("hz")
        self._timer = self._loop.call_later(1 / hz, self._cron)

    def _cron(self) -> None:
        """Valkey's serverCron, reduced to what this server needs: active expiry, rates."""
        core = self.core
        core.keyspace.now_ms = core.clock.now_ms()
        if core.active_expire_enabled:
            core.keyspace.active_expire()
        pack_sealed_nodes(PACK_BUDGET_NS)
        core.sample_metrics()
        self._schedule_cron()

    def request_stop(self) -> None:
        """Ask the shell to stop (SHUTDOWN, signals); the stop runs on the loop."""
        if self._loop is not None:
            self._loop.call_soon(self._begin_stop)

    def _begin_stop(self) -> None:
        self.stopped.set()
        assert self._loop is not None
        self._loop.create_task(self.stop())

    async def stop(self) -> None:
        """Stop listening and close every connection; calling it again does nothing."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for listener in self.listeners:
            listener.close()
        for connection in list(self.connections):
            connection.close_now()
        for listener in self.listeners:
            await listener.wait_closed()
        self.listeners = []
        unixsocket = self.core.config.get_str("unixsocket")
        if unixsocket and os.path.exists(unixsocket):
            os.unlink(unixsocket)
        self.stopped.set()
