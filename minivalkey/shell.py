"""The asyncio shell: listeners, timers of blocked and paused clients, the cron, stopping.

A ``Shell`` serves one ``ServerCore`` on one event loop: it accepts connections (one
``server.ClientConnection`` each), arms the deadlines the blocking registry and CLIENT
PAUSE ask for on the monotonic clock, runs Valkey's serverCron reduced to what this
server needs, and writes the bytes connections were ``send`` once per loop turn.

Invariants:
* Stopping (SHUTDOWN, SIGTERM, ``Server.stop``): the listeners close first, so new
  connections are refused; every connection then stops executing (a blocked client
  is dropped without a reply, later input is read and discarded), and is closed
  once the replies it was already given have reached its peer, or after
  ``SHUTDOWN_FLUSH_SECONDS`` for a peer that does not read. A reply is never cut.
* The engine never sees asyncio: the shell calls ``dispatcher.execute`` (through its
  connections) and the core's cron steps, nothing else. A busy script reaches the
  connections through ``core.busy_io`` (``busyserve.BusyService``), which the shell
  sets when it starts.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .busyserve import BusyService
from .core import ServerCore
from .engine.streamnode import pack_sealed_nodes
from .memtrim import MemoryTrimmer
from .server import ClientConnection

if TYPE_CHECKING:
    from .blocking import Waiter

_uvloop: Any
try:  # pragma: no cover - depends on the environment
    import uvloop as _uvloop
except ImportError:  # pragma: no cover
    _uvloop = None

HAVE_UVLOOP = _uvloop is not None

SHUTDOWN_FLUSH_SECONDS = 3.0  # how long a stop waits for peers to take their replies
_SHUTDOWN_POLL_SECONDS = 0.005

# Time each cron tick may spend compressing sealed stream nodes (5% of a core at hz 10).
PACK_BUDGET_NS = 5_000_000


def new_event_loop(use_uvloop: bool | None = None) -> asyncio.AbstractEventLoop:
    """A uvloop loop when available (and not disabled), else the stock asyncio loop."""
    if use_uvloop is None:
        use_uvloop = HAVE_UVLOOP
    if use_uvloop and _uvloop is not None:
        return _uvloop.new_event_loop()
    return asyncio.new_event_loop()


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
        self.stopping = False
        self._stop_task: asyncio.Task[None] | None = None
        self._trimmer = MemoryTrimmer()
        self._to_flush: list[ClientConnection] = []  # connections with bytes ``send`` held
        # Connections whose output buffer is over the soft limit: the cron checks them.
        self.soft_limited: set[ClientConnection] = set()

    def flush_soon(self, connection: ClientConnection) -> None:
        """Write ``connection``'s sent bytes at the end of this loop turn (one callback for all)."""
        if not self._to_flush:
            asyncio.get_running_loop().call_soon(self._flush)
        self._to_flush.append(connection)

    def _flush(self) -> None:
        connections, self._to_flush = self._to_flush, []
        for connection in connections:
            connection.flush_sent()

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
        self.core.busy_io = BusyService(self)
        self.core.blocking.timers = self
        self.core.pause.attach_timers(self)
        self.core.tracking.later = loop.call_soon  # BCAST invalidations, once per loop turn
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

    def call_later(self, seconds: float, callback: Callable[[], None]) -> object:
        """A timer on the shell's loop (CLIENT PAUSE's deadline)."""
        assert self._loop is not None
        return self._loop.call_later(seconds, callback)

    def cancel(self, handle: object) -> None:
        # Duck-typed: uvloop's timer handles are no asyncio.TimerHandle, and a handle
        # left armed would keep its waiter (and the client) alive until its deadline.
        cancel = getattr(handle, "cancel", None)
        if cancel is not None:
            cancel()

    def _schedule_cron(self) -> None:
        assert self._loop is not None
        hz = self.core.config.get_int("hz")
        self._timer = self._loop.call_later(1 / hz, self._cron)

    def _cron(self) -> None:
        """Valkey's serverCron, reduced to what this server needs: active expiry, the
        tracking table's limit, rates."""
        core = self.core
        core.active_expire_cycle()
        if core.tracking.clients:  # keep the tracking table within its limit, idle or not
            core.tracking.limit_table()
        pack_sealed_nodes(PACK_BUDGET_NS)
        core.sample_metrics()
        if self.soft_limited:
            for connection in list(self.soft_limited):
                connection.check_soft_limit()
        self._trimmer.tick()
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
        """Stop listening, flush and close every connection; later calls wait for the first."""
        if self._stop_task is None:
            self._stop_task = asyncio.get_running_loop().create_task(self._stop())
        await asyncio.shield(self._stop_task)

    async def _stop(self) -> None:
        self.stopping = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for listener in self.listeners:
            listener.close()  # refuse new connections before anything else
        for connection in list(self.connections):
            connection.shut_down()
        await self._close_connections()
        for listener in self.listeners:
            await listener.wait_closed()
        self.listeners = []
        unixsocket = self.core.config.get_str("unixsocket")
        if unixsocket and os.path.exists(unixsocket):
            os.unlink(unixsocket)
        self.stopped.set()

    async def _close_connections(self) -> None:
        """Close each connection once its peer has its replies; abort the rest at the limit."""
        deadline = time.monotonic() + SHUTDOWN_FLUSH_SECONDS
        while self.connections and time.monotonic() < deadline:
            for connection in list(self.connections):
                connection.close_if_flushed()
            # Polling: no event tells when the peer acknowledges, and this runs only
            # while stopping, for as long as some peer still has replies to take.
            await asyncio.sleep(_SHUTDOWN_POLL_SECONDS)
        for connection in list(self.connections):
            connection.abort()
