"""The server's shared state: configuration, keyspace, clock, clients and statistics.

One ``ServerCore`` exists per running server. It knows nothing of sockets or
asyncio: the shell in ``server.py`` creates ``Client`` objects through it and asks
it to stop; command handlers reach it through ``client.core``.

Invariants:
* ``clients`` holds every connected client by id, in connection order.
* Statistics only grow, except through CONFIG RESETSTAT (``reset_stats``).
* ``dirty`` (INFO ``rdb_changes_since_last_save``; nothing is ever saved) counts changes
  as Valkey's server.dirty: one per successful write command, served blocked writes (a
  pop) included, read from commandstats when asked, so counting costs no command
  anything; a command making another number of changes (none, or one per element)
  corrects it with ``count_changes`` as its last step (``dirty_adjustment``).
* ``pubsub`` knows every subscription; a client that leaves leaves its channels.
* ``blocking`` knows every blocked client; INFO's ``blocked_clients``,
  ``total_blocking_keys*`` and ``clients_in_timeout_table`` are read from it.
* ``tracking`` holds client-side caching (tracking.py): INFO's ``tracking_*`` fields.
* The instantaneous rates (INFO ``instantaneous_*``) are fed by the shell's cron
  through ``sample_metrics`` and measured on the monotonic clock, so a manual
  clock does not freeze them.
* ``gated`` is True exactly while ``maxmemory`` is set, a CLIENT NO-TOUCH client
  is connected, a MONITOR is attached, a CLIENT PAUSE is in force,
  ``min-replicas-to-write`` refuses writes (``too_few_replicas``) or a script is
  busy (``script_busy``: past busy-reply-threshold, see ``scripting/busy.py``):
  every command then takes the dispatcher's slow path, which runs
  ``before_command`` (evictions, the OOM refusal, the no-touch switch; not while a
  script is busy), refuses writes for want of replicas, refuses what a busy script
  forbids, feeds the monitors and asks the pause.
  Otherwise commands pay nothing for any of them.
* ``used_memory``: the memory this server accounts for (Valkey's used_memory): a
  fixed baseline plus every key's ``key_memory``. Kept up to date write by write
  while ``maxmemory`` is set (``Keyspace.start_accounting``); estimated when asked
  otherwise (exactly up to a few thousand keys, from a sample beyond).
* Access tracking (``Keyspace.track``) is off until needed: an LRU or LFU policy,
  or a first OBJECT IDLETIME / FREQ or TOUCH (``want_access_tracking``); from then
  on it stays on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from . import versions
from .blocking import BlockingRegistry
from .clock import Clock, SystemClock
from .commands.table import (
    COMMANDS,
    WRITE,
    BeginIndex,
    CommandSpec,
    FindRange,
    find_keys,
    lookup,
)
from .config import Config
from .engine.evict import FAIL, OK, RUNNING, Evictor, sample_keys, time_limit_us
from .engine.keyspace import Keyspace, db_table_bytes
from .engine.types import key_memory
from .monitor import Monitors
from .pause import EVICT, Pause
from .pubsub import PubSub
from .tracking import Tracking

if TYPE_CHECKING:
    from .session import Client

VALKEY_VERSION = versions.VALKEY_VERSION
REDIS_VERSION = versions.REDIS_VERSION
SERVER_NAME = versions.SERVER_NAME

# The memory accounted for before any key exists (Valkey's used_memory_startup is
# about this much).
BASELINE_MEMORY = 900_000
# Without accounting, INFO measures up to this many keys exactly, then a sample.
EXACT_ESTIMATE_KEYS = 2000


class RateTracker:
    """A per-second rate averaged over the last 16 samples (Valkey's instantaneous metrics).

    Each ``sample`` records how much a counter grew since the previous sample;
    samples closer than ``PERIOD_US`` to the previous one are ignored.
    """

    SAMPLES = 16
    PERIOD_US = 100_000

    def __init__(self) -> None:
        self.samples = [0] * self.SAMPLES
        self.index = 0
        self.last_us = 0
        self.last_value = 0

    def sample(self, now_us: int, value: int) -> None:
        if self.last_us:
            elapsed = now_us - self.last_us
            if elapsed < self.PERIOD_US:
                return
            self.samples[self.index] = (value - self.last_value) * 1_000_000 // elapsed
            self.index = (self.index + 1) % self.SAMPLES
        self.last_us = now_us
        self.last_value = value

    def per_second(self) -> int:
        return sum(self.samples) // self.SAMPLES


class CommandStats:
    """One command's INFO commandstats counters on one server."""

    __slots__ = ("calls", "usec", "rejected_calls", "failed_calls", "writes")

    def __init__(self, writes: bool = False) -> None:
        self.calls = self.usec = self.rejected_calls = self.failed_calls = 0
        self.writes = writes  # a write command: its successful calls are changes (dirty)


@dataclass
class Stats:
    total_commands_processed: int = 0
    total_connections_received: int = 0
    rejected_connections: int = 0
    client_query_buffer_limit_disconnections: int = 0
    client_output_buffer_limit_disconnections: int = 0
    total_error_replies: int = 0
    total_net_input_bytes: int = 0
    total_net_output_bytes: int = 0
    keyspace_hits: int = 0
    keyspace_misses: int = 0
    evicted_scripts: int = 0  # EVAL scripts the script cache dropped (scripting/evalcache.py)
    errorstats: dict[str, int] = field(default_factory=dict)
    ops_rate: RateTracker = field(default_factory=RateTracker)
    input_rate: RateTracker = field(default_factory=RateTracker)
    output_rate: RateTracker = field(default_factory=RateTracker)

    def count_error(self, text: str) -> None:
        self.total_error_replies += 1
        prefix = text.split(" ", 1)[0] if " " in text[:32] else "ERR"
        self.errorstats[prefix] = self.errorstats.get(prefix, 0) + 1


_FIXED_POSITIONS: dict[int, tuple[int, ...] | None] = {}


def _fixed_key_positions(spec: CommandSpec) -> tuple[int, ...] | None:
    """The argv positions of a command's keys when its key specs name fixed ones
    (``XADD key ...``: (1,)), else ``None``; remembered per spec."""
    try:
        return _FIXED_POSITIONS[id(spec)]
    except KeyError:
        pass
    positions: list[int] | None = []
    for key_spec in spec.key_specs:
        begin, find = key_spec.begin_search, key_spec.find_keys
        if "not_key" in key_spec.flags:
            continue
        if not isinstance(begin, BeginIndex) or not isinstance(find, FindRange):
            positions = None
            break
        if find.lastkey < 0:
            positions = None
            break
        assert positions is not None
        positions.extend(range(begin.index, begin.index + find.lastkey + 1, find.keystep))
    result = tuple(positions) if positions is not None else None
    _FIXED_POSITIONS[id(spec)] = result
    return result


class ServerCore:
    def __init__(self, config: Config | None = None, clock: Clock | None = None) -> None:
        self.config = config or Config()
        self.clock: Clock = clock or SystemClock()
        self.keyspace = Keyspace(self.config.get_int("databases"))
        self.keyspace.now_ms = self.clock.now_ms()
        self.clients: dict[int, Client] = {}
        self.stats = Stats()
        self.commands = COMMANDS
        # INFO commandstats, per server: the command table itself is shared by every
        # server of the process. Keyed by the spec's id (specs live as long as the process).
        self.command_stats: dict[int, CommandStats] = {}
        self.start_ms = self.clock.now_ms()
        self.start_monotonic = time.monotonic()
        self.run_id = os.urandom(20).hex()
        self.process_id = os.getpid()
        self.tcp_port = 0
        self._last_client_id = 0
        self.shutdown_requested: Callable[[], None] | None = None
        self.blocking = BlockingRegistry(self)
        self.pubsub = PubSub()  # channels, patterns, shard channels (pubsub.py)
        self.tracking = Tracking(self)  # client-side caching (CLIENT TRACKING)
        self.keyspace.publish = self.pubsub.publish  # keyspace events (events.deliver)
        self.active_expire_enabled = True  # DEBUG SET-ACTIVE-EXPIRE switches the cron's part
        self.keyspace.blocked_keys = self.blocking.by_key
        self.keyspace.blocked_keys_on_nokey = self.blocking.nokey
        self.keyspace.notify_flags = self.config.get_int("notify-keyspace-events")
        # maxmemory, eviction and access tracking (see the module docstring).
        self.maxmemory = 0
        # Whether memory was over maxmemory before the command running now (scripts
        # read it: Valkey's pre_command_oom_state); kept by the slow path while gated.
        self.pre_command_oom = False
        # Scripting (scripting/): the EVAL side, built on first use, and the running script.
        self.eval_scripts: Any = None
        self.functions: Any = None  # FUNCTION libraries (scripting/functions.py), on first use
        self.script_run: Any = None
        self.script_random: Any = None  # math.random's generator (scripting/prng.py)
        self.script_busy = False  # the running script is past busy-reply-threshold
        self.busy_io: Any = None  # the shell's I/O while a script is busy (busyserve.py)
        self.gated = False
        # The changes not derived from commandstats (see ``dirty``).
        self.dirty_adjustment = 0
        self.no_touch_clients = 0
        self.monitors = Monitors()  # MONITOR (monitor.py)
        self.pause = Pause(self)  # CLIENT PAUSE (pause.py)
        self.access_wanted = False
        self.evictor = Evictor(self.keyspace)
        self.eviction_result = OK
        self.eviction_exceeded_since = 0.0  # monotonic seconds, 0 while within the limit
        self.eviction_exceeded_total = 0.0
        self.keyspace.tracked_since_ms = self.keyspace.now_ms
        # min-replicas-to-write with a max lag: writes are refused (no replica is ever
        # good here, Valkey's checkGoodReplicasStatus).
        self.too_few_replicas = False
        for name in ("lfu-log-factor", "lfu-decay-time", "maxmemory", "min-replicas-to-write"):
            self._config_changed(name, self.config.values[name])
        self.config.listeners.append(self._config_changed)
        # INFO memory / replication.
        self.used_memory_peak = 0
        self.replid = os.urandom(20).hex()

    def _config_changed(self, name: str, value: object) -> None:
        keyspace = self.keyspace
        if name == "notify-keyspace-events":
            assert isinstance(value, int)
            keyspace.notify_flags = value
        elif name == "maxmemory":
            assert isinstance(value, int)
            self.maxmemory = value
            if value and not keyspace.accounting:
                keyspace.start_accounting(key_memory)
            elif not value and keyspace.accounting:
                keyspace.stop_accounting()
            self._update_gate()
            self._update_tracking()
        elif name == "maxmemory-policy":
            self._update_tracking()
        elif name in ("min-replicas-to-write", "min-replicas-max-lag"):
            config = self.config
            self.too_few_replicas = bool(
                config.get_int("min-replicas-to-write") and config.get_int("min-replicas-max-lag")
            )
            self._update_gate()
        elif name == "lfu-log-factor":
            assert isinstance(value, int)
            keyspace.lfu_log_factor = value
        elif name == "lfu-decay-time":
            assert isinstance(value, int)
            keyspace.lfu_decay_time = value

    # -- maxmemory, eviction, access tracking -------------------------------------------

    def _update_gate(self) -> None:
        self.gated = (
            bool(self.maxmemory)
            or self.no_touch_clients > 0
            or bool(self.monitors.clients)
            or bool(self.pause.actions)
            or self.too_few_replicas
            or self.script_busy
        )
        if not self.no_touch_clients:
            self.keyspace.no_touch = False

    def _update_tracking(self) -> None:
        policy = self.config.get_str("maxmemory-policy")
        self.keyspace.share_integers = not (self.maxmemory and ("lru" in policy or "lfu" in policy))
        if "lfu" in policy or "lru" in policy:  # the policy reads access data
            self.access_wanted = True
        if self.access_wanted:
            self.keyspace.track("lfu" if "lfu" in policy else "lru")

    @property
    def dirty(self) -> int:
        """Valkey's server.dirty: one change per successful write command (derived from
        commandstats, so no command pays for counting it) plus the corrections."""
        return self.dirty_adjustment + sum(
            counters.calls - counters.failed_calls
            for counters in self.command_stats.values()
            if counters.writes
        )

    def count_changes(self, changes: int) -> None:
        """The command running made ``changes`` changes, not the one counted for it."""
        self.dirty_adjustment += changes - 1

    def want_access_tracking(self) -> None:
        """Something reads or relies on access times: track them from now on."""
        if not self.access_wanted:
            self.access_wanted = True
            self._update_tracking()

    def client_no_touch_changed(self, on: bool) -> None:
        """A client turned CLIENT NO-TOUCH on or off (or left with it on)."""
        self.no_touch_clients += 1 if on else -1
        self._update_gate()
        if on:
            self.want_access_tracking()

    def before_command(self, client: Client, spec: CommandSpec, argv: list[bytes]) -> bool:
        """What a gated server does before every command: the no-touch switch, and
        evictions while maxmemory is set. True when memory is still over the limit
        (Valkey then refuses commands that use memory).

        A write command's keys are marked for re-measuring at the next settle: some
        writers skip ``Keyspace.touch`` when nobody WATCHes (XADD's fast path), so the
        accounting does not rely on it alone.
        """
        keyspace = self.keyspace
        keyspace.no_touch = client.no_touch
        if not self.maxmemory:
            return False
        out_of_memory = False
        if self.used_memory() > self.maxmemory or self.eviction_exceeded_since:
            out_of_memory = self.perform_evictions() == FAIL
        if WRITE in spec.flags:
            self._mark_written(client, spec, argv)
        elif spec.name == "exec" and client.multi:
            for line in client.multi:
                queued = lookup(line)
                if queued is not None and WRITE in queued.flags:
                    self._mark_written(client, queued, line)
        return out_of_memory

    def _mark_written(self, client: Client, spec: CommandSpec, argv: list[bytes]) -> None:
        positions = _fixed_key_positions(spec)
        if positions is None:
            found = find_keys(spec, argv)
            if found is None and spec.getkeys is not None:
                found = spec.getkeys(argv)
            positions = tuple(position for position, _ in found or ())
        mark, db, count = self.keyspace.mark_dirty, client.db, len(argv)
        for position in positions:
            if position < count:
                mark(db, argv[position])

    def used_memory(self) -> int:
        """The memory in use as this server accounts for it (INFO used_memory): the
        baseline, the databases' tables and every key (``key_memory``)."""
        keyspace = self.keyspace
        if keyspace.accounting:
            return BASELINE_MEMORY + keyspace.settle()
        return BASELINE_MEMORY + self.table_overhead() + self._estimate_dataset()

    def table_overhead(self) -> int:
        """The bytes of the databases' key and expiry tables (their buckets)."""
        return sum(db_table_bytes(db) for db in self.keyspace.dbs)

    def _estimate_dataset(self) -> int:
        total = 0
        for db in self.keyspace.dbs:
            count = len(db.data)
            if count <= EXACT_ESTIMATE_KEYS:
                total += sum(key_memory(key, value) for key, value in db.data.items())
            elif count:
                keys = sample_keys(db, True, EXACT_ESTIMATE_KEYS, self.evictor.rng)
                measured = sum(key_memory(key, db.data[key]) for key in keys)
                total += measured * count // max(1, len(keys))
        return total

    def perform_evictions(self) -> str:
        """Valkey's performEvictions: OK, RUNNING (the time budget ran out) or FAIL."""
        if self.pause.actions & EVICT:  # CLIENT PAUSE stops eviction (Valkey answers OK)
            return OK
        values = self.config.values
        result = self.evictor.perform(
            self.maxmemory,
            str(values["maxmemory-policy"]),
            int(values["maxmemory-samples"]),  # type: ignore[call-overload]
            time_limit_us(int(values["maxmemory-eviction-tenacity"])),  # type: ignore[call-overload]
            self.used_memory,
        )
        self.eviction_result = result
        now = time.monotonic()
        if result in (RUNNING, FAIL):
            if not self.eviction_exceeded_since:
                self.eviction_exceeded_since = now
        elif self.eviction_exceeded_since:
            self.eviction_exceeded_total += now - self.eviction_exceeded_since
            self.eviction_exceeded_since = 0.0
        return result

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
        client.no_touch = False  # a client that leaves no longer counts as no-touch
        if client.monitoring:
            self.monitors.detach(client)
        if client.tracking is not None:
            self.tracking.client_gone(client)
        self.blocking.forget_client(client)
        self.pubsub.forget_client(client)
        client.unwatch_all()
        client.multi = None
        client.update_fast()
        self.clients.pop(client.id, None)

    # -- INFO clients ------------------------------------------------------------------

    @property
    def blocked_clients(self) -> int:
        return self.blocking.blocked_clients

    @property
    def total_blocking_keys(self) -> int:
        return self.blocking.total_blocking_keys

    @property
    def total_blocking_keys_on_nokey(self) -> int:
        return self.blocking.total_blocking_keys_on_nokey

    @property
    def clients_in_timeout_table(self) -> int:
        return self.blocking.clients_in_timeout_table

    # -- time ---------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def uptime_seconds(self) -> int:
        return max(0, (self.clock.now_ms() - self.start_ms) // 1000)

    def reset_stats(self) -> None:
        # Reset in place: the command running CONFIG RESETSTAT still holds ``stats``
        # and is counted in the fresh statistics, as in Valkey.
        fresh = Stats()
        for stat in fields(Stats):
            setattr(self.stats, stat.name, getattr(fresh, stat.name))
        self.keyspace.stats_expired_keys = 0
        self.keyspace.stats_evicted_keys = 0
        self.eviction_exceeded_total = 0.0
        self.dirty_adjustment = self.dirty  # changes survive RESETSTAT, as in Valkey
        for counters in self.command_stats.values():
            counters.calls = counters.usec = counters.rejected_calls = counters.failed_calls = 0

    def command_stats_of(self, spec: CommandSpec) -> CommandStats:
        """The commandstats counters of ``spec`` on this server (created on first use)."""
        counters = self.command_stats.get(id(spec))
        if counters is None:
            counters = self.command_stats[id(spec)] = CommandStats(spec.writes)
        return counters

    def active_expire_cycle(self) -> None:
        """The cron's expiry step: remove the keys whose time has come (unless DEBUG
        SET-ACTIVE-EXPIRE turned it off), then serve the readers blocked on the keys
        removed, as Valkey does before its event loop sleeps again: an XREADGROUP
        waiting on an expired key hears NOGROUP with no other command coming in."""
        keyspace = self.keyspace
        keyspace.now_ms = self.clock.now_ms()
        if self.active_expire_enabled and not keyspace.expire_paused:
            keyspace.active_expire()
        if self.maxmemory:  # Valkey evicts from a timer too once over the limit
            self.perform_evictions()
        if keyspace.ready_keys:
            self.blocking.serve_ready_keys()

    def sample_metrics(self) -> None:
        """Feed the instantaneous rates; the shell calls this from its cron."""
        now_us = time.monotonic_ns() // 1000
        stats = self.stats
        stats.ops_rate.sample(now_us, stats.total_commands_processed)
        stats.input_rate.sample(now_us, stats.total_net_input_bytes)
        stats.output_rate.sample(now_us, stats.total_net_output_bytes)

    def request_shutdown(self) -> None:
        if self.shutdown_requested is not None:
            self.shutdown_requested()
