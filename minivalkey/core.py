"""The server's shared state: configuration, keyspace, clock, clients and statistics.

One ``ServerCore`` exists per running server. It knows nothing of sockets or
asyncio: the shell in ``server.py`` creates ``Client`` objects through it and asks
it to stop; command handlers reach it through ``client.core``.

Invariants:
* ``clients`` holds every connected client by id, in connection order.
* Statistics only grow, except through CONFIG RESETSTAT (``reset_stats``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .clock import Clock, SystemClock
from .commands.table import COMMANDS
from .config import Config
from .engine.keyspace import Keyspace

if TYPE_CHECKING:
    from .session import Client

VALKEY_VERSION = "8.0.1"
REDIS_VERSION = "7.2.4"
SERVER_NAME = "valkey"


@dataclass
class Stats:
    total_commands_processed: int = 0
    total_connections_received: int = 0
    rejected_connections: int = 0
    total_error_replies: int = 0
    total_net_input_bytes: int = 0
    total_net_output_bytes: int = 0
    keyspace_hits: int = 0
    keyspace_misses: int = 0
    errorstats: dict[str, int] = field(default_factory=dict)

    def count_error(self, text: str) -> None:
        self.total_error_replies += 1
        prefix = text.split(" ", 1)[0] if " " in text[:32] else "ERR"
        self.errorstats[prefix] = self.errorstats.get(prefix, 0) + 1


class ServerCore:
    def __init__(self, config: Config | None = None, clock: Clock | None = None) -> None:
        self.config = config or Config()
        self.clock: Clock = clock or SystemClock()
        self.keyspace = Keyspace(self.config.get_int("databases"))
        self.keyspace.now_ms = self.clock.now_ms()
        self.clients: dict[int, Client] = {}
        self.stats = Stats()
        self.commands = COMMANDS
        self.start_ms = self.clock.now_ms()
        self.start_monotonic = time.monotonic()
        self.run_id = os.urandom(20).hex()
        self.process_id = os.getpid()
        self.tcp_port = 0
        self._last_client_id = 0
        self.shutdown_requested: Callable[[], None] | None = None

    # -- clients -----------------------------------------------------------------------

    def next_client_id(self) -> int:
        self._last_client_id += 1
        return self._last_client_id

    def requires_auth(self) -> bool:
        return bool(self.config.get_str("requirepass"))

    def add_client(self, client: Client) -> None:
        self.clients[client.id] = client
        self.stats.total_connections_received += 1

    def remove_client(self, client: Client) -> None:
        client.unwatch_all()
        client.multi = None
        self.clients.pop(client.id, None)

    # -- time ---------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def uptime_seconds(self) -> int:
        return max(0, (self.clock.now_ms() - self.start_ms) // 1000)

    def reset_stats(self) -> None:
        self.stats = Stats()
        self.keyspace.stats_expired_keys = 0
        for spec in self.commands.values():
            spec.reset_stats()

    def request_shutdown(self) -> None:
        if self.shutdown_requested is not None:
            self.shutdown_requested()
