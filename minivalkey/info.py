"""INFO: the server's state as Valkey's sectioned ``name:value`` text.

``info_text(core, names)`` builds the text INFO replies with, for INFO's
arguments, following Valkey's selection rules:

* no argument selects the default sections;
* ``default`` adds the default sections, ``all`` selects every section,
  ``everything`` too (this server has no module sections to add);
* any other argument selects the section of that name, in any case; a name
  that is no section selects nothing, so ``INFO nosuch`` is an empty text.

Sections always come in Valkey's order, each headed by ``# Name`` and separated
by an empty line. Within a section the fields keep Valkey's order; fields that
would only describe machinery this server does not have (allocator internals,
build ids, event loop timings) are left out, and counters of features it does
not have (forks, replication, eviction) are reported as Valkey reports them when
idle.

Invariant: building the text changes nothing except the recorded memory peak.
"""

from __future__ import annotations

import itertools
import os
import platform
import resource
import struct
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from . import core as _core  # attributes read at call time: core imports the commands

if TYPE_CHECKING:
    from .core import CommandStats, ServerCore

Fields = list[tuple[str, object]]

_DEFAULT_SECTIONS = (
    "server clients memory persistence stats replication cpu modules errorstats cluster keyspace"
).split()
# "module_list" is the name the default selection uses for the modules section.
_SECTION_ALIASES = {"module_list": "modules"}


def info_text(core: ServerCore, names: Iterable[bytes]) -> bytes:
    """The INFO text for the section names given as INFO's arguments."""
    wanted = _selected(list(names))
    parts = []
    for name, title, build in _SECTIONS:
        if wanted is None or name in wanted:
            lines = "".join(f"{field}:{value}\r\n" for field, value in build(core))
            parts.append(f"# {title}\r\n{lines}")
    return "\r\n".join(parts).encode()


def _selected(names: list[bytes]) -> set[str] | None:
    """The section names selected, or ``None`` for all of them."""
    if not names:
        return set(_DEFAULT_SECTIONS)
    chosen: set[str] = set()
    everything = False
    for raw in names:
        name = raw.decode("utf-8", "replace").lower()
        if name == "default":
            chosen.update(_DEFAULT_SECTIONS)
        elif name in ("all", "everything"):
            everything = True
        else:
            chosen.add(_SECTION_ALIASES.get(name, name))
    return None if everything else chosen


# -- formatting helpers ----------------------------------------------------------------


def bytes_to_human(n: int) -> str:
    """Valkey's bytesToHuman: 100B, 1.50K, 2.00M ... up to petabytes."""
    if n < 1024:
        return f"{n}B"
    for power, unit in enumerate("KMGTP", start=1):
        if n < 1024 ** (power + 1):
            return f"{n / 1024**power:.2f}{unit}"
    return f"{n}B"


def _f32(value: float) -> float:
    """``value`` rounded to a C float, as Valkey computes usec_per_call."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _safe(name: str) -> str:
    """Valkey's getSafeInfoString: characters that would break the format become '_'."""
    for char in "#:\n\r":
        name = name.replace(char, "_")
    return name


def _timeval(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole}.{round((seconds - whole) * 1_000_000):06d}"


# -- sections ------------------------------------------------------------------------


def _server(core: ServerCore) -> Fields:
    uname = platform.uname()
    uptime = core.uptime_seconds()
    now_us = core.clock.now_us()
    hz = core.config.get_int("hz")
    mode_field = (
        "redis_mode" if core.config.get_bool("extended-redis-compatibility") else ("server_mode")
    )
    executable = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return [
        ("redis_version", _core.REDIS_VERSION),
        ("server_name", _core.SERVER_NAME),
        ("valkey_version", _core.VALKEY_VERSION),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        (mode_field, "standalone"),
        ("os", f"{uname.system} {uname.release} {uname.machine}"),
        ("arch_bits", 64 if sys.maxsize > 2**32 else 32),
        ("process_id", core.process_id),
        ("process_supervised", "no"),
        ("run_id", core.run_id),
        ("tcp_port", core.tcp_port),
        ("server_time_usec", now_us),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", hz),
        ("configured_hz", hz),
        # Valkey's LRU clock: seconds, on 24 bits.
        ("lru_clock", (now_us // 1_000_000) & (2**24 - 1)),
        ("executable", executable),
        ("config_file", core.config.config_file),
        ("io_threads_active", 0),
        ("availability_zone", core.config.get_str("availability-zone")),
    ]


def _clients(core: ServerCore) -> Fields:
    clients = list(core.clients.values())
    max_input = max((client.query_buffer_len for client in clients), default=0)
    return [
        ("connected_clients", len(clients)),
        ("cluster_connections", 0),
        ("maxclients", core.config.get_int("maxclients")),
        ("client_recent_max_input_buffer", max_input),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", core.blocked_clients),
        ("tracking_clients", core.tracking.clients),
        ("pubsub_clients", core.pubsub.clients),
        ("watching_clients", sum(1 for client in clients if client.watched)),
        ("clients_in_timeout_table", core.clients_in_timeout_table),
        ("total_watched_keys", len(core.keyspace.watched)),
        ("total_blocking_keys", core.total_blocking_keys),
        ("total_blocking_keys_on_nokey", core.total_blocking_keys_on_nokey),
    ]


def resident_memory() -> int:
    """The process's resident set size in bytes (the memory estimate INFO reports)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _total_system_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        return 0


def _memory(core: ServerCore) -> Fields:
    # used_memory is the server's own accounting of its keys (core.used_memory);
    # used_memory_rss is the process's resident size.
    used = core.used_memory()
    core.used_memory_peak = max(core.used_memory_peak, used)
    peak = core.used_memory_peak
    rss = resident_memory()
    startup = _core.BASELINE_MEMORY
    overhead = startup + core.table_overhead()
    dataset = used - overhead
    total = _total_system_memory()
    maxmemory = core.config.get_int("maxmemory")
    return [
        ("used_memory", used),
        ("used_memory_human", bytes_to_human(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", bytes_to_human(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", bytes_to_human(peak)),
        ("used_memory_peak_perc", f"{_f32(used * 100 / peak):.2f}%"),
        ("used_memory_overhead", overhead),
        ("used_memory_startup", startup),
        ("used_memory_dataset", dataset),
        ("used_memory_dataset_perc", f"{_f32(dataset * 100 / max(1, used - startup)):.2f}%"),
        ("total_system_memory", total),
        ("total_system_memory_human", bytes_to_human(total)),
        *_scripts_memory(core),
        ("maxmemory", maxmemory),
        ("maxmemory_human", bytes_to_human(maxmemory)),
        ("maxmemory_policy", core.config.get_str("maxmemory-policy")),
        ("mem_fragmentation_ratio", f"{_f32(rss / used):.2f}"),
        ("mem_fragmentation_bytes", rss - used),
        ("mem_not_counted_for_evict", 0),
        ("mem_clients_normal", 0),
        ("active_defrag_running", 0),
        ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", 0),
    ]


def _scripts_memory(core: ServerCore) -> Fields:
    """The Lua states and script caches: EVAL's (a fresh state's figure until first
    used) and the functions' (built here if need be, as Valkey's exists from the start)."""
    from .scripting.engine import EMPTY_STATE
    from .scripting.functions import functions_of

    scripts = core.eval_scripts
    vm_eval = scripts.lua_memory() if scripts is not None else EMPTY_STATE
    eval_caches = scripts.memory if scripts is not None else 0
    cached = len(scripts.scripts) if scripts is not None else 0
    functions = functions_of(core)
    vm_functions = functions.lua_memory()
    function_caches = functions.current.overhead()
    return [
        ("used_memory_lua", vm_eval),
        ("used_memory_vm_eval", vm_eval),
        ("used_memory_lua_human", bytes_to_human(vm_eval)),
        ("used_memory_scripts_eval", eval_caches),
        ("number_of_cached_scripts", cached),
        ("number_of_functions", len(functions.current.functions)),
        ("number_of_libraries", len(functions.current.libraries)),
        ("used_memory_vm_functions", vm_functions),
        ("used_memory_vm_total", vm_eval + vm_functions),
        ("used_memory_vm_total_human", bytes_to_human(vm_eval + vm_functions)),
        ("used_memory_functions", function_caches),
        ("used_memory_scripts", eval_caches + function_caches),
        ("used_memory_scripts_human", bytes_to_human(eval_caches + function_caches)),
    ]


def _persistence(core: ServerCore) -> Fields:
    # Nothing is ever saved or loaded: Valkey's idle values, with the last save
    # time being the start time as in a Valkey that never saved.
    return [
        ("loading", 0),
        ("async_loading", 0),
        ("current_cow_peak", 0),
        ("current_cow_size", 0),
        ("current_cow_size_age", 0),
        ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", 0),
        ("current_save_keys_total", 0),
        ("rdb_changes_since_last_save", core.dirty),
        ("rdb_bgsave_in_progress", 0),
        ("rdb_last_save_time", core.start_ms // 1000),
        ("rdb_last_bgsave_status", "ok"),
        ("rdb_last_bgsave_time_sec", -1),
        ("rdb_current_bgsave_time_sec", -1),
        ("rdb_saves", 0),
        ("rdb_last_cow_size", 0),
        ("rdb_last_load_keys_expired", 0),
        ("rdb_last_load_keys_loaded", 0),
        ("aof_enabled", 0),
        ("aof_rewrite_in_progress", 0),
        ("aof_rewrite_scheduled", 0),
        ("aof_last_rewrite_time_sec", -1),
        ("aof_current_rewrite_time_sec", -1),
        ("aof_last_bgrewrite_status", "ok"),
        ("aof_rewrites", 0),
        ("aof_rewrites_consecutive_failures", 0),
        ("aof_last_write_status", "ok"),
        ("aof_last_cow_size", 0),
        ("module_fork_in_progress", 0),
        ("module_fork_last_cow_size", 0),
    ]


def _stats(core: ServerCore) -> Fields:
    stats = core.stats
    zeros = lambda *names: [(name, 0) for name in names]  # noqa: E731 - a local shorthand
    return [
        ("total_connections_received", stats.total_connections_received),
        ("total_commands_processed", stats.total_commands_processed),
        ("instantaneous_ops_per_sec", stats.ops_rate.per_second()),
        ("total_net_input_bytes", stats.total_net_input_bytes),
        ("total_net_output_bytes", stats.total_net_output_bytes),
        *zeros("total_net_repl_input_bytes", "total_net_repl_output_bytes"),
        ("instantaneous_input_kbps", f"{_f32(stats.input_rate.per_second() / 1024):.2f}"),
        ("instantaneous_output_kbps", f"{_f32(stats.output_rate.per_second() / 1024):.2f}"),
        ("instantaneous_input_repl_kbps", "0.00"),
        ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", stats.rejected_connections),
        *zeros("sync_full", "sync_partial_ok", "sync_partial_err"),
        ("expired_keys", core.keyspace.stats_expired_keys),
        ("expired_stale_perc", "0.00"),
        ("expired_time_cap_reached_count", 0),
        ("evicted_keys", core.keyspace.stats_evicted_keys),
        ("evicted_clients", 0),
        ("evicted_scripts", stats.evicted_scripts),
        *_eviction_times(core),
        ("keyspace_hits", stats.keyspace_hits),
        ("keyspace_misses", stats.keyspace_misses),
        ("pubsub_channels", len(core.pubsub.channels)),
        ("pubsub_patterns", len(core.pubsub.patterns)),
        ("pubsubshard_channels", len(core.pubsub.shard_channels)),
        *zeros(
            "latest_fork_usec",
            "total_forks",
            "migrate_cached_sockets",
            "slave_expires_tracked_keys",
            "active_defrag_hits",
            "active_defrag_misses",
            "active_defrag_key_hits",
            "active_defrag_key_misses",
            "total_active_defrag_time",
            "current_active_defrag_time",
        ),
        ("tracking_total_keys", len(core.tracking.table)),
        ("tracking_total_items", core.tracking.items),
        ("tracking_total_prefixes", len(core.tracking.prefixes)),
        ("unexpected_error_replies", 0),
        ("total_error_replies", stats.total_error_replies),
        *zeros(
            "dump_payload_sanitizations",
            "io_threaded_reads_processed",
            "io_threaded_writes_processed",
            "io_threaded_freed_objects",
            "io_threaded_poll_processed",
            "io_threaded_total_prefetch_batches",
            "io_threaded_total_prefetch_entries",
        ),
        (
            "client_query_buffer_limit_disconnections",
            stats.client_query_buffer_limit_disconnections,
        ),
        (
            "client_output_buffer_limit_disconnections",
            stats.client_output_buffer_limit_disconnections,
        ),
        *zeros(
            "reply_buffer_shrinks",
            "reply_buffer_expands",
        ),
    ]


def _eviction_times(core: ServerCore) -> Fields:
    """Milliseconds spent over maxmemory: in total, and in the current stretch."""
    since = core.eviction_exceeded_since
    current = time.monotonic() - since if since else 0.0
    total = core.eviction_exceeded_total + current
    return [
        ("total_eviction_exceeded_time", int(total * 1000)),
        ("current_eviction_exceeded_time", int(current * 1000)),
    ]


def _replication(core: ServerCore) -> Fields:
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("replicas_waiting_psync", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", core.replid),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", 10 * 1024 * 1024),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _cpu(core: ServerCore) -> Fields:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    fields: Fields = [
        ("used_cpu_sys", _timeval(own.ru_stime)),
        ("used_cpu_user", _timeval(own.ru_utime)),
        ("used_cpu_sys_children", _timeval(children.ru_stime)),
        ("used_cpu_user_children", _timeval(children.ru_utime)),
    ]
    thread_usage = getattr(resource, "RUSAGE_THREAD", None)
    if thread_usage is not None:
        # The thread running the server (the embedding API runs it in its own thread).
        main = resource.getrusage(thread_usage)
        fields.append(("used_cpu_sys_main_thread", _timeval(main.ru_stime)))
        fields.append(("used_cpu_user_main_thread", _timeval(main.ru_utime)))
    return fields


def _modules(core: ServerCore) -> Fields:
    return []


def command_stats_line(counters: CommandStats) -> str:
    """One ``cmdstat_`` value: calls, time, time per call, rejected and failed calls."""
    calls, usec = counters.calls, counters.usec
    per_call = _f32(_f32(usec) / _f32(calls)) if calls else 0.0
    return (
        f"calls={calls},usec={usec},usec_per_call={per_call:.2f},"
        f"rejected_calls={counters.rejected_calls},failed_calls={counters.failed_calls}"
    )


def _commandstats(core: ServerCore) -> Fields:
    fields: Fields = []
    for top in core.commands.values():
        for spec in top.all_specs():
            counters = core.command_stats.get(id(spec))
            if counters and (counters.calls or counters.failed_calls or counters.rejected_calls):
                fields.append((f"cmdstat_{_safe(spec.fullname)}", command_stats_line(counters)))
    return fields


def _errorstats(core: ServerCore) -> Fields:
    # Valkey keeps them in a radix tree, so they come out in byte order.
    counts = core.stats.errorstats
    ordered = sorted(counts, key=lambda prefix: prefix.encode("utf-8", "surrogateescape"))
    return [(f"errorstat_{_safe(prefix)}", f"count={counts[prefix]}") for prefix in ordered]


def _latencystats(core: ServerCore) -> Fields:
    # No latency histograms are kept: the section is empty, as in a Valkey
    # with latency-tracking off.
    return []


def _cluster(core: ServerCore) -> Fields:
    return [("cluster_enabled", 0)]


# Valkey estimates avg_ttl from the keys its expiry cycle samples; a bounded
# sample keeps INFO cheap on large databases.
_TTL_SAMPLE = 1000


def _keyspace(core: ServerCore) -> Fields:
    now = core.clock.now_ms()
    fields: Fields = []
    for db in core.keyspace.dbs:
        keys, expires = len(db.data), len(db.expires)
        if not keys and not expires:
            continue
        remaining = [
            deadline - now
            for deadline in itertools.islice(db.expires.values(), _TTL_SAMPLE)
            if deadline > now
        ]
        avg_ttl = sum(remaining) // len(remaining) if remaining else 0
        fields.append((f"db{db.index}", f"keys={keys},expires={expires},avg_ttl={avg_ttl}"))
    return fields


_SECTIONS: tuple[tuple[str, str, Callable[[ServerCore], Fields]], ...] = (
    ("server", "Server", _server),
    ("clients", "Clients", _clients),
    ("memory", "Memory", _memory),
    ("persistence", "Persistence", _persistence),
    ("stats", "Stats", _stats),
    ("replication", "Replication", _replication),
    ("cpu", "CPU", _cpu),
    ("modules", "Modules", _modules),
    ("commandstats", "Commandstats", _commandstats),
    ("errorstats", "Errorstats", _errorstats),
    ("latencystats", "Latencystats", _latencystats),
    ("cluster", "Cluster", _cluster),
    ("keyspace", "Keyspace", _keyspace),
)
