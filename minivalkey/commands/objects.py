"""Introspection of keys and memory: OBJECT, MEMORY and TOUCH.

Invariants:
* Nothing here changes a value. OBJECT looks keys up as Valkey's objectCommandLookup
  does (a read lookup that counts a hit or a miss and may expire the key, but records
  no access and sends no keymiss event); MEMORY USAGE reads the key as stored (an
  expired key not yet removed is measured, nothing is counted); TOUCH is a read
  lookup that records an access even for a CLIENT NO-TOUCH client.
* Everything that depends on a value's type comes from ``engine.types``: OBJECT
  ENCODING is ``TypeSpec.encoding``, MEMORY USAGE is ``key_memory`` (the key's entry
  and ``TypeSpec.memory``).
* OBJECT IDLETIME / FREQ and TOUCH switch access tracking on for the server
  (``ServerCore.want_access_tracking``): see ``engine.keyspace``.
* MEMORY STATS and INFO memory describe this server's own accounting
  (``ServerCore.used_memory``); the allocator figures Valkey reads from jemalloc
  are derived from it and from the process's resident size.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from ..engine.keyspace import TABLE_LUT, table_bytes
from ..engine.types import key_memory, spec_of
from ..errors import NOT_INTEGER, SYNTAX, CommandError
from ..events import KEY_MISS
from ..info import resident_memory
from ..replies import OK, Map, Verbatim
from ..scripting.functions import functions_of
from .args import option, parse_int_or_none
from .help import help_reply
from .table import command, container, subcommand

if TYPE_CHECKING:
    from ..core import ServerCore
    from ..session import Client

IDLETIME_UNDER_LFU = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
)
FREQ_WITHOUT_LFU = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time "
    "to adjust."
)
SHARED_REFCOUNT = 2**31 - 1  # Valkey's OBJ_SHARED_REFCOUNT
SHARED_INTEGERS = 10_000  # Valkey shares the string objects of 0..9999
DEFAULT_SAMPLES = 5


def _object_lookup(client: Client, key: bytes) -> Any:
    """Valkey's objectCommandLookup: counted, may expire the key, records no access."""
    value = client.db.peek(key)
    stats = client.core.stats
    if value is None:
        stats.keyspace_misses += 1
    else:
        stats.keyspace_hits += 1
    return value


def _lfu_policy(client: Client) -> bool:
    return "lfu" in client.core.config.get_str("maxmemory-policy")


# -- OBJECT ------------------------------------------------------------------------------------

OBJECT = container(
    "object",
    group="generic",
    since="2.2.3",
    summary="Groups the subcommands that inspect how a key's value is stored.",
    complexity="Depends on subcommand.",
)



def _object_subcommand(name: str, summary: str, since: str = "2.2.3") -> Any:
    """An OBJECT subcommand on one key (arity 3, read-only, the key read as is)."""
    return subcommand(
        OBJECT,
        name,
        3,
        "readonly",
        keys=(2, 2, 1),
        since=since,
        acl="@keyspace",
        tips="nondeterministic_output",
        key_flags="RO",
        summary=summary,
    )


@_object_subcommand("encoding", "Names the encoding of a key's value.")
def object_encoding(client: Client, argv: list[bytes]) -> Any:
    value = _object_lookup(client, argv[2])
    return None if value is None else spec_of(value).encoding(value).encode()


@_object_subcommand("refcount", "Counts the references to a key's value.")
def object_refcount(client: Client, argv: list[bytes]) -> Any:
    value = _object_lookup(client, argv[2])
    if value is None:
        return None
    # Small integers are one shared object in Valkey, unless stored or accessed while
    # the policy needs per-key access data; every other value is referenced once.
    spec = spec_of(value)
    if (
        spec.name == "string"
        and spec.encoding(value) == "int"
        and 0 <= int(value) < SHARED_INTEGERS
        and argv[2] not in client.db.unshared
    ):
        return SHARED_REFCOUNT
    return 1


@_object_subcommand("idletime", "Answers the seconds since a key was last accessed.")
def object_idletime(client: Client, argv: list[bytes]) -> Any:
    client.core.want_access_tracking()
    value = _object_lookup(client, argv[2])
    if value is None:
        return None
    if _lfu_policy(client):
        raise CommandError(IDLETIME_UNDER_LFU)
    return client.db.idle_ms(argv[2]) // 1000


@_object_subcommand("freq", "Answers a key's logarithmic access frequency counter.", "4.0.0")
def object_freq(client: Client, argv: list[bytes]) -> Any:
    client.core.want_access_tracking()
    value = _object_lookup(client, argv[2])
    if value is None:
        return None
    if not _lfu_policy(client):
        raise CommandError(FREQ_WITHOUT_LFU)
    return client.db.frequency(argv[2])


_OBJECT_HELP = (
    "ENCODING <key>",
    "    Name the representation the value at <key> is stored in (it changes as the",
    "    value grows or shrinks past the configured limits).",
    "FREQ <key>",
    "    Answer the access frequency counter of <key>: it grows with the logarithm",
    "    of how often the key is accessed (an LFU maxmemory-policy must be set).",
    "IDLETIME <key>",
    "    Answer how many seconds have passed, approximately, since <key> was last",
    "    accessed.",
    "REFCOUNT <key>",
    "    Answer how many references the value at <key> has (a shared value has",
    "    many).",
)


@subcommand(
    OBJECT,
    "help",
    2,
    "loading stale",
    since="6.2.0",
    acl="@keyspace",
    summary="Lists the OBJECT subcommands.",
)
def object_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _OBJECT_HELP)


# -- MEMORY ------------------------------------------------------------------------------------

MEMORY = container(
    "memory",
    group="server",
    since="4.0.0",
    summary="Groups the subcommands that report on memory use.",
    complexity="Depends on subcommand.",
)

_ALL_SHARDS = "nondeterministic_output request_policy:all_shards response_policy:special"


@subcommand(
    MEMORY,
    "usage",
    -3,
    "readonly",
    keys=(2, 2, 1),
    key_flags="RO",
    summary="Estimates the bytes a key and its value take.",
    complexity="O(N) where N is the number of samples.",
)
def memory_usage(client: Client, argv: list[bytes]) -> Any:
    samples = DEFAULT_SAMPLES
    j = 3
    while j < len(argv):
        if option(argv[j]) == b"samples" and j + 1 < len(argv):
            count = parse_int_or_none(argv[j + 1])
            if count is None:
                raise CommandError(NOT_INTEGER)
            if count < 0:
                raise CommandError(SYNTAX)
            samples = count  # 0: every element
            j += 2
        else:
            raise CommandError(SYNTAX)
    value = client.db.data.get(argv[2])
    if value is None:
        return None
    return key_memory(argv[2], value, samples)


def _c_float(value: float) -> float:
    """``value`` as Valkey computes it: in a C float, reported as a double."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def memory_overhead(core: ServerCore) -> dict[str, Any]:
    """The figures of MEMORY STATS (Valkey's getMemoryOverheadData), from the accounting."""
    from ..core import BASELINE_MEMORY

    used = core.used_memory()
    core.used_memory_peak = max(core.used_memory_peak, used)
    peak = core.used_memory_peak
    rss = max(resident_memory(), 1)
    dbs: list[tuple[int, int, int]] = []
    overhead = BASELINE_MEMORY
    total_keys = 0
    lut = 0
    for db in core.keyspace.dbs:
        if not db.data:
            continue
        total_keys += len(db.data)
        main, expires = table_bytes(len(db.data)), table_bytes(len(db.expires))
        dbs.append((db.index, main, expires))
        overhead += main + expires
        lut += TABLE_LUT
    overhead += lut
    dataset = used - overhead
    net = used - BASELINE_MEMORY if used > BASELINE_MEMORY else 1
    return {
        "used": used,
        "peak": peak,
        "rss": rss,
        "dbs": dbs,
        "lut": lut,
        "overhead": overhead,
        "keys": total_keys,
        "dataset": dataset,
        "dataset_perc": _c_float(dataset * 100 / net),
        "peak_perc": _c_float(used * 100 / peak),
    }


@subcommand(
    MEMORY,
    "stats",
    2,
    summary="Reports where the memory goes.",
    tips=_ALL_SHARDS,
)
def memory_stats(client: Client, argv: list[bytes]) -> Any:
    from ..core import BASELINE_MEMORY

    figures = memory_overhead(client.core)
    used, rss = figures["used"], figures["rss"]
    reply = Map()
    reply[b"peak.allocated"] = figures["peak"]
    reply[b"total.allocated"] = used
    reply[b"startup.allocated"] = BASELINE_MEMORY
    for name in (b"replication.backlog", b"clients.slaves", b"clients.normal"):
        reply[name] = 0
    for name in (b"cluster.links", b"aof.buffer"):
        reply[name] = 0
    scripts = client.core.eval_scripts
    reply[b"lua.caches"] = scripts.memory if scripts is not None else 0
    reply[b"functions.caches"] = functions_of(client.core).current.overhead()
    for index, main, expires in figures["dbs"]:
        reply[b"db.%d" % index] = Map(
            {b"overhead.hashtable.main": main, b"overhead.hashtable.expires": expires}
        )
    reply[b"overhead.db.hashtable.lut"] = figures["lut"]
    reply[b"overhead.db.hashtable.rehashing"] = 0
    reply[b"overhead.total"] = figures["overhead"]
    reply[b"db.dict.rehashing.count"] = 0
    reply[b"keys.count"] = figures["keys"]
    reply[b"keys.bytes-per-key"] = figures["dataset"] // figures["keys"] if figures["keys"] else 0
    reply[b"dataset.bytes"] = figures["dataset"]
    reply[b"dataset.percentage"] = figures["dataset_perc"]
    reply[b"peak.percentage"] = figures["peak_perc"]
    # No allocator of its own: the accounting stands for what was allocated.
    reply[b"allocator.allocated"] = used
    reply[b"allocator.active"] = used
    reply[b"allocator.resident"] = rss
    reply[b"allocator.muzzy"] = 0
    reply[b"allocator-fragmentation.ratio"] = 1.0
    reply[b"allocator-fragmentation.bytes"] = 0
    reply[b"allocator-rss.ratio"] = _c_float(rss / used)
    reply[b"allocator-rss.bytes"] = rss - used
    reply[b"rss-overhead.ratio"] = 1.0
    reply[b"rss-overhead.bytes"] = 0
    reply[b"fragmentation"] = _c_float(rss / used)
    reply[b"fragmentation.bytes"] = rss - used
    return reply


# Below this much data the report says there is too little to judge.
_DOCTOR_MIN_DATASET = 5 * 1024 * 1024


@subcommand(MEMORY, "doctor", 2, summary="Reports memory problems, if any.", tips=_ALL_SHARDS)
def memory_doctor(client: Client, argv: list[bytes]) -> Any:
    from ..core import BASELINE_MEMORY

    if client.core.used_memory() - BASELINE_MEMORY < _DOCTOR_MIN_DATASET:
        text = (
            "Hi Sam, this instance holds too little data for the memory doctor to say "
            "anything useful. Come back once it holds a few megabytes.\n"
        )
    else:
        text = (
            "Hi Sam, I found no memory problem in this instance. The figures come from "
            "the server's own accounting of its keys; the allocator is not examined.\n"
        )
    return Verbatim(text.encode())


@subcommand(
    MEMORY,
    "malloc-stats",
    2,
    summary="Reports the memory allocator's statistics.",
    complexity="Depends on how much memory is allocated, could be slow",
    tips=_ALL_SHARDS,
)
def memory_malloc_stats(client: Client, argv: list[bytes]) -> Any:
    # As a Valkey built without jemalloc answers (this server's INFO says malloc=libc).
    return b"Stats not supported for the current allocator"


@subcommand(
    MEMORY,
    "purge",
    2,
    summary="Asks the memory allocator to give memory back.",
    complexity="Depends on how much memory is allocated, could be slow",
    tips="request_policy:all_shards response_policy:all_succeeded",
)
def memory_purge(client: Client, argv: list[bytes]) -> Any:
    return OK


_MEMORY_HELP = (
    "DOCTOR",
    "    Report memory problems, if any.",
    "MALLOC-STATS",
    "    Report the memory allocator's own statistics.",
    "PURGE",
    "    Ask the memory allocator to give unused memory back.",
    "STATS",
    "    Report how much memory the server uses and what for.",
    "USAGE <key> [SAMPLES <count>]",
    "    Estimate the bytes <key> and its value take. Nested values are sampled",
    "    up to <count> elements (default: 5, 0 means all of them).",
)


@subcommand(MEMORY, "help", 2, "loading stale", summary="Lists the MEMORY subcommands.")
def memory_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _MEMORY_HELP)


# -- TOUCH ---------------------------------------------------------------------------------------


@command(
    "touch",
    -2,
    "readonly fast",
    keys=(1, -1, 1),
    since="3.2.1",
    acl="@keyspace",
    tips="request_policy:multi_shard response_policy:agg_sum",
    summary="Counts the given keys that exist, recording an access to each.",
    complexity="O(N) where N is the number of keys that will be touched.",
    key_flags="RO",
)
def touch(client: Client, argv: list[bytes]) -> Any:
    client.core.want_access_tracking()
    db = client.db
    stats = client.core.stats
    found = 0
    for key in argv[1:]:
        if db.peek(key) is None:
            stats.keyspace_misses += 1
            db.notify(KEY_MISS, "keymiss", key)
            continue
        stats.keyspace_hits += 1
        db.record_access(key)
        found += 1
    return found
