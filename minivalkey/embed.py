"""The embedding API: ``Server``, a minivalkey server inside the calling process.

Two ways to run it:

* ``with Server() as server:`` (or ``start()`` / ``stop()``) runs the server on its
  own event loop in a daemon thread, for synchronous code. ``__enter__`` returns
  once the listener is bound, so ``server.port`` and ``server.url`` are usable.
* ``async with Server() as server:`` runs it on the caller's running loop.

Invariants: a ``Server`` listens on 127.0.0.1 and a free port unless told
otherwise; ``stop()`` closes every connection and returns only when the listener
is closed; a stopped ``Server`` can be started again with its data intact.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any

from .clock import Clock
from .config import Config
from .core import ServerCore
from .shell import Shell, new_event_loop


class Server:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        unixsocket: str | None = None,
        password: str | None = None,
        databases: int = 16,
        clock: Clock | None = None,
        config: dict[str, Any] | None = None,
        use_uvloop: bool | None = None,
        use_hiredis: bool | None = None,
    ) -> None:
        overrides = {"databases": str(databases)}
        if password:
            overrides["requirepass"] = password
        if unixsocket:
            overrides["unixsocket"] = unixsocket
        for name, value in (config or {}).items():
            overrides[name] = value if isinstance(value, str) else str(value)
        self.host = host
        self.requested_port = port
        self.unixsocket = unixsocket
        self.use_uvloop = use_uvloop
        self.use_hiredis = use_hiredis
        self.core = ServerCore(Config(overrides), clock)
        self.clock = self.core.clock
        self._shell: Shell | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_error: BaseException | None = None

    # -- addresses ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._shell is None or not self._shell.ports:
            raise RuntimeError("the server is not listening on TCP")
        return self._shell.ports[0]

    @property
    def url(self) -> str:
        """The ``redis://`` URL of the TCP listener (database 0)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"redis://{host}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._shell is not None

    # -- threaded use ---------------------------------------------------------------

    def start(self) -> Server:
        """Run the server in a background thread; returns once it accepts connections."""
        if self._shell is not None:
            return self
        ready = threading.Event()
        self._thread_error = None
        self._thread = threading.Thread(
            target=self._thread_main, args=(ready,), name="minivalkey", daemon=True
        )
        self._thread.start()
        ready.wait()
        if self._thread_error is not None:
            self._thread.join()
            self._thread = None
            raise self._thread_error
        return self

    def _thread_main(self, ready: threading.Event) -> None:
        loop = new_event_loop(self.use_uvloop)
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve_until_stopped(ready))
        finally:
            loop.close()
            self._loop = None

    async def _serve_until_stopped(self, ready: threading.Event) -> None:
        try:
            shell = await self._start_shell()
        except BaseException as error:  # report bind errors to the starting thread
            self._thread_error = error
            ready.set()
            return
        ready.set()
        await shell.stopped.wait()
        await shell.stop()
        self._shell = None

    def stop(self) -> None:
        """Stop the server: close all connections and the listener, join the thread."""
        shell, loop, thread = self._shell, self._loop, self._thread
        if shell is None:
            return
        if thread is not None and loop is not None:
            loop.call_soon_threadsafe(shell.stopped.set)
            thread.join()
            self._thread = None
        self._shell = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- asyncio use -------------------------------------------------------------------

    async def _start_shell(self) -> Shell:
        shell = Shell(self.core, use_hiredis=self.use_hiredis)
        port = self.requested_port
        await shell.start([self.host], port, self.unixsocket)
        self._shell = shell
        return shell

    async def start_async(self) -> Server:
        """Run the server on the running event loop; returns once it accepts connections."""
        if self._shell is None:
            await self._start_shell()
        return self

    async def stop_async(self) -> None:
        shell = self._shell
        if shell is not None:
            await shell.stop()
            self._shell = None

    async def __aenter__(self) -> Server:
        return await self.start_async()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop_async()

    async def wait_closed(self) -> None:
        """Wait until something (SHUTDOWN, a signal) asks the server to stop, then stop it."""
        shell = self._shell
        if shell is not None:
            await shell.stopped.wait()
            await self.stop_async()
