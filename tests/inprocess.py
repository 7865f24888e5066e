"""An in-process server for tests that drive the clock: a ``ServerCore`` on a manual
clock, clients without sockets, command lines run through ``dispatcher.execute``.

Invariant: nothing here sleeps or opens a socket; time moves only through ``clock``.
"""

from __future__ import annotations

from minivalkey.clock import ManualClock
from minivalkey.config import Config
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.session import Client

START_MS = 1_700_000_000_000


class Harness:
    """One core and one client (``client``); more clients from ``new_client``."""

    def __init__(self, **config: str) -> None:
        self.clock = ManualClock(START_MS)
        self.core = ServerCore(Config(config), self.clock)
        self.client = self.new_client()

    def new_client(self) -> Client:
        client = Client(self.core)
        self.core.add_client(client)
        return client

    def run(self, *argv: str | bytes | int, client: Client | None = None) -> bytes:
        """Run one command line; its encoded reply."""
        args = [a if isinstance(a, bytes) else str(a).encode() for a in argv]
        return execute(client or self.client, args)

    def info(self, section: str) -> dict[str, str]:
        """The fields of one INFO section."""
        reply = self.run("INFO", section)
        body = reply.split(b"\r\n", 1)[1]
        fields = {}
        for line in body.decode().split("\r\n"):
            if line and not line.startswith("#"):
                name, value = line.split(":", 1)
                fields[name] = value
        return fields
