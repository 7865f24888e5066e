"""OBJECT, MEMORY, TOUCH and MOVE, replies checked against Valkey 8.0.1.

Byte-exact replies over sockets in RESP2 and RESP3 where they differ; access times and
LFU counters in process on a manual clock (``inprocess.Harness``). MEMORY USAGE figures
are checked where the value's estimate is the keyspace's own (integer strings: the
object header alone) and otherwise as the key's entry plus the type's estimate.
"""

from __future__ import annotations

import hiredis
import inprocess
import pytest
from helpers import RawClient

from minivalkey.engine.types import key_memory, key_overhead, malloc_size

NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
FREQ_WITHOUT_LFU = (
    b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
    b"note that when switching between policies at runtime LRU and LFU data will take some "
    b"time to adjust.\r\n"
)
IDLETIME_UNDER_LFU = (
    b"-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
    b"when switching between policies at runtime LRU and LFU data will take some time to "
    b"adjust.\r\n"
)
SHARED = b":2147483647\r\n"


def resp(raw: RawClient, protocol: int) -> RawClient:
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%7\r\n")
    return raw


# -- OBJECT --------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 3])
def test_object_encoding(raw: RawClient, protocol: int) -> None:
    resp(raw, protocol)
    raw.command("SET", "i", "123")
    raw.command("SET", "e", "hello")
    raw.command("SET", "r", "a" * 54)
    raw.command("XADD", "s", "1-1", "f", "v")
    assert raw.command("OBJECT", "ENCODING", "i") == b"$3\r\nint\r\n"
    assert raw.command("OBJECT", "ENCODING", "e") == b"$6\r\nembstr\r\n"
    assert raw.command("OBJECT", "ENCODING", "r") == b"$3\r\nraw\r\n"
    assert raw.command("OBJECT", "ENCODING", "s") == b"$6\r\nstream\r\n"
    assert raw.command("object", "encoding", "nokey") == NULL[protocol]


@pytest.mark.parametrize("protocol", [2, 3])
def test_object_refcount(raw: RawClient, protocol: int) -> None:
    resp(raw, protocol)
    for key, value in (("i", "123"), ("zero", "0"), ("big", "10000"), ("neg", "-1")):
        raw.command("SET", key, value)
    raw.command("SET", "e", "hello")
    raw.command("XADD", "s", "1-1", "f", "v")
    assert raw.command("OBJECT", "REFCOUNT", "i") == SHARED  # one shared object
    assert raw.command("OBJECT", "REFCOUNT", "zero") == SHARED
    for key in ("big", "neg", "e", "s"):
        assert raw.command("OBJECT", "REFCOUNT", key) == b":1\r\n", key
    assert raw.command("OBJECT", "REFCOUNT", "nokey") == NULL[protocol]


def test_small_integers_are_unshared_under_lru_and_lfu_with_maxmemory(raw: RawClient) -> None:
    raw.command("SET", "i", "123")
    raw.command("SET", "j", "7")
    try:
        assert raw.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu") == b"+OK\r\n"
        assert raw.command("CONFIG", "SET", "maxmemory", "1gb") == b"+OK\r\n"
        assert raw.command("OBJECT", "REFCOUNT", "i") == SHARED  # until it is accessed
        assert raw.command("GET", "i") == b"$3\r\n123\r\n"
        assert raw.command("OBJECT", "REFCOUNT", "i") == b":1\r\n"
        assert raw.command("OBJECT", "REFCOUNT", "j") == SHARED
        raw.command("SET", "k", "5")  # stored while nothing is shared
        assert raw.command("OBJECT", "REFCOUNT", "k") == b":1\r\n"
        raw.command("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
        assert raw.command("OBJECT", "REFCOUNT", "k") == b":1\r\n"
        raw.command("SET", "k", "5")
        assert raw.command("OBJECT", "REFCOUNT", "k") == SHARED
    finally:
        raw.command("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction")


@pytest.mark.parametrize("protocol", [2, 3])
def test_object_freq_and_idletime_errors(raw: RawClient, protocol: int) -> None:
    resp(raw, protocol)
    raw.command("SET", "e", "hello")
    assert raw.command("OBJECT", "FREQ", "e") == FREQ_WITHOUT_LFU
    assert raw.command("OBJECT", "FREQ", "nokey") == NULL[protocol]  # the lookup comes first
    assert raw.command("OBJECT", "IDLETIME", "nokey") == NULL[protocol]
    try:
        raw.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        raw.command("SET", "lf", "x")
        assert raw.command("OBJECT", "FREQ", "lf") == b":5\r\n"  # a new key's counter
        assert raw.command("GET", "lf") == b"$1\r\nx\r\n"
        assert raw.command("OBJECT", "FREQ", "lf") == b":6\r\n"  # certain below 6
        assert raw.command("OBJECT", "IDLETIME", "lf") == IDLETIME_UNDER_LFU
        assert raw.command("OBJECT", "IDLETIME", "nokey") == NULL[protocol]
    finally:
        raw.command("CONFIG", "SET", "maxmemory-policy", "noeviction")


def test_object_arity_and_subcommand_errors(raw: RawClient) -> None:
    assert raw.command("OBJECT") == b"-ERR wrong number of arguments for 'object' command\r\n"
    assert raw.command("OBJECT", "ENCODING") == (
        b"-ERR wrong number of arguments for 'object|encoding' command\r\n"
    )
    assert raw.command("OBJECT", "ENCODING", "k", "x") == (
        b"-ERR wrong number of arguments for 'object|encoding' command\r\n"
    )
    assert raw.command("OBJECT", "foo", "k") == (
        b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n"
    )
    assert raw.command("OBJECT", "HELP", "x") == (
        b"-ERR wrong number of arguments for 'object|help' command\r\n"
    )
    reply = raw.command("OBJECT", "HELP")
    lines = reply.split(b"\r\n")
    assert lines[0] == b"*15"  # as many lines as Valkey's
    assert lines[1] == b"+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-3:] == [b"+HELP", b"+    Print this help.", b""]


def test_object_counts_hits_and_misses(raw: RawClient) -> None:
    raw.command("SET", "e", "x")
    raw.command("CONFIG", "RESETSTAT")
    raw.command("OBJECT", "ENCODING", "e")
    raw.command("OBJECT", "ENCODING", "nokey")
    raw.command("MEMORY", "USAGE", "e")  # MEMORY USAGE counts nothing
    stats = raw.command("INFO", "stats")
    assert b"keyspace_hits:1\r\n" in stats and b"keyspace_misses:1\r\n" in stats


# -- access times in process ----------------------------------------------------------------


def test_idle_time_follows_accesses_but_not_peeks() -> None:
    h = inprocess.Harness()
    h.run("SET", "foo", "bar")
    assert h.run("OBJECT", "IDLETIME", "foo") == b":0\r\n"
    h.clock.advance(3)
    for peek in (("TTL", "foo"), ("TYPE", "foo"), ("EXISTS", "foo"), ("PTTL", "foo")):
        h.run(*peek)
    h.run("OBJECT", "ENCODING", "foo")
    assert h.run("OBJECT", "IDLETIME", "foo") == b":3\r\n"
    h.run("GET", "foo")
    assert h.run("OBJECT", "IDLETIME", "foo") == b":0\r\n"
    h.clock.advance(5)
    h.run("EXPIRE", "foo", "100")  # a write looks the key up too
    assert h.run("OBJECT", "IDLETIME", "foo") == b":0\r\n"
    h.clock.advance(5)
    h.run("SET", "foo", "new")  # an overwrite counts as an access
    assert h.run("OBJECT", "IDLETIME", "foo") == b":0\r\n"


def test_touch_records_an_access_even_for_a_no_touch_client() -> None:
    h = inprocess.Harness()
    h.run("SET", "key1", "1")
    h.run("SET", "key2", "2")
    assert h.run("TOUCH", "key0", "key1", "key2", "key3") == b":2\r\n"
    h.clock.advance(10)
    assert h.run("CLIENT", "NO-TOUCH", "ON") == b"+OK\r\n"
    h.run("GET", "key1")
    assert h.run("OBJECT", "IDLETIME", "key1") == b":10\r\n"
    h.run("TOUCH", "key1")
    assert h.run("OBJECT", "IDLETIME", "key1") == b":0\r\n"
    assert h.run("OBJECT", "IDLETIME", "key2") == b":10\r\n"
    h.run("CLIENT", "NO-TOUCH", "OFF")
    h.run("GET", "key2")
    assert h.run("OBJECT", "IDLETIME", "key2") == b":0\r\n"
    assert not h.core.gated  # no no-touch client left: commands take the fast path again


def test_a_key_never_seen_counts_as_idle_since_tracking_began() -> None:
    # Until something needs access times, lookups record nothing (no cost).
    h = inprocess.Harness()
    h.run("SET", "old", "1")
    assert h.core.keyspace.tracking == ""
    h.clock.advance(7)
    h.run("SET", "fresh", "1")
    assert h.run("OBJECT", "IDLETIME", "old") == b":7\r\n"
    assert h.core.keyspace.tracking == "lru"
    assert h.run("OBJECT", "IDLETIME", "fresh") == b":7\r\n"  # created before tracking
    h.run("SET", "new", "1")
    h.clock.advance(2)
    assert h.run("OBJECT", "IDLETIME", "new") == b":2\r\n"


def test_lfu_counter_grows_and_decays() -> None:
    h = inprocess.Harness(**{"maxmemory-policy": "allkeys-lfu", "lfu-log-factor": "0"})
    h.run("SET", "k", "v")
    assert h.run("OBJECT", "FREQ", "k") == b":5\r\n"
    for _ in range(10):
        h.run("GET", "k")
    assert h.run("OBJECT", "FREQ", "k") == b":15\r\n"  # a log factor of 0 counts every access
    h.clock.advance(3 * 60)  # three decay periods of one minute
    assert h.run("OBJECT", "FREQ", "k") == b":12\r\n"
    h.run("CONFIG", "SET", "lfu-decay-time", "0")  # no decay: the counter as last stored
    h.clock.advance(3600)
    assert h.run("OBJECT", "FREQ", "k") == b":15\r\n"


# -- MEMORY -----------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 3])
def test_memory_usage(raw: RawClient, protocol: int) -> None:
    resp(raw, protocol)
    raw.command("SET", "i", "123")
    assert raw.command("MEMORY", "USAGE", "i") == b":40\r\n"  # entry 24, object 16
    assert raw.command("MEMORY", "USAGE", "i", "SAMPLES", "0") == b":40\r\n"
    assert raw.command("MEMORY", "USAGE", "i", "SAMPLES", "2", "samples", "3") == b":40\r\n"
    assert raw.command("MEMORY", "USAGE", "nokey") == NULL[protocol]
    syntax = b"-ERR syntax error\r\n"
    not_integer = b"-ERR value is not an integer or out of range\r\n"
    assert raw.command("MEMORY", "USAGE", "i", "SAMPLES") == syntax
    assert raw.command("MEMORY", "USAGE", "i", "SAMPLES", "-1") == syntax
    assert raw.command("MEMORY", "USAGE", "i", "FOO") == syntax
    assert raw.command("MEMORY", "USAGE", "i", "SAMPLES", "x") == not_integer
    assert raw.command("MEMORY", "USAGE", "i", "SAMPLES", "9223372036854775808") == not_integer
    # Options are read before the key: a missing key still refuses bad ones.
    assert raw.command("MEMORY", "USAGE", "nokey", "SAMPLES", "x") == not_integer


def test_memory_usage_is_the_entry_plus_the_type_estimate() -> None:
    h = inprocess.Harness()
    h.run("SET", "a" * 30, "x" * 100)
    h.run("XADD", "s", "1-1", "f", "v")
    db = h.core.keyspace[0]
    for key in (b"a" * 30, b"s"):
        expected = key_memory(key, db.data[key])
        assert h.run("MEMORY", "USAGE", key) == b":%d\r\n" % expected
    assert key_overhead(b"foo") == 24 and key_overhead(b"a" * 30) == 56  # Valkey's figures
    assert [malloc_size(n) for n in (1, 23, 24, 25, 64, 65, 129, 4097)] == [
        8, 24, 24, 32, 64, 80, 160, 5120,
    ]


def test_memory_usage_measures_an_expired_key_not_yet_removed() -> None:
    h = inprocess.Harness()
    h.run("SET", "i", "1")
    h.run("PEXPIRE", "i", "10")
    h.clock.advance(1)
    assert h.run("MEMORY", "USAGE", "i") == b":40\r\n"
    assert h.run("OBJECT", "ENCODING", "i") == b"$-1\r\n"  # OBJECT expires it


@pytest.mark.parametrize("protocol", [2, 3])
def test_memory_doctor_malloc_stats_purge(raw: RawClient, protocol: int) -> None:
    resp(raw, protocol)
    doctor = raw.command("MEMORY", "DOCTOR")
    if protocol == 3:
        assert doctor.startswith(b"=") and b"\r\ntxt:Hi Sam, " in doctor
    else:
        assert doctor.startswith(b"$") and b"\r\nHi Sam, " in doctor
    assert doctor.endswith(b"\n\r\n")
    assert raw.command("MEMORY", "MALLOC-STATS") == (
        b"$45\r\nStats not supported for the current allocator\r\n"
    )
    assert raw.command("MEMORY", "PURGE") == b"+OK\r\n"
    assert raw.command("MEMORY", "MALLOC-STATS", "x") == (
        b"-ERR wrong number of arguments for 'memory|malloc-stats' command\r\n"
    )


STATS_KEYS = [
    b"peak.allocated", b"total.allocated", b"startup.allocated", b"replication.backlog",
    b"clients.slaves", b"clients.normal", b"cluster.links", b"aof.buffer", b"lua.caches",
    b"functions.caches", b"db.N", b"db.N", b"overhead.db.hashtable.lut",
    b"overhead.db.hashtable.rehashing", b"overhead.total", b"db.dict.rehashing.count",
    b"keys.count", b"keys.bytes-per-key", b"dataset.bytes", b"dataset.percentage",
    b"peak.percentage", b"allocator.allocated", b"allocator.active", b"allocator.resident",
    b"allocator.muzzy", b"allocator-fragmentation.ratio", b"allocator-fragmentation.bytes",
    b"allocator-rss.ratio", b"allocator-rss.bytes", b"rss-overhead.ratio",
    b"rss-overhead.bytes", b"fragmentation", b"fragmentation.bytes",
]  # fmt: skip


def test_memory_stats_shape_in_both_protocols(raw: RawClient) -> None:
    raw.command("SET", "k", "5")
    raw.command("SELECT", "1")
    raw.command("SET", "k", "5")
    raw.command("EXPIRE", "k", "100")
    reply = raw.command("MEMORY", "STATS")
    reader = hiredis.Reader()
    reader.feed(reply)
    flat = reader.gets()
    assert len(flat) == 66  # 31 fields and two databases, as flat pairs
    names = flat[0::2]
    databases = [b"db.0", b"db.1"]
    assert names == STATS_KEYS[:10] + databases + STATS_KEYS[12:]
    fields = dict(zip(names, flat[1::2], strict=True))
    assert fields[b"db.0"][0::2] == [b"overhead.hashtable.main", b"overhead.hashtable.expires"]
    assert fields[b"keys.count"] == 2
    assert fields[b"total.allocated"] >= fields[b"startup.allocated"]
    assert fields[b"overhead.total"] + fields[b"dataset.bytes"] == fields[b"total.allocated"]
    assert isinstance(fields[b"dataset.percentage"], bytes)  # a double: bulk in RESP2
    float(fields[b"dataset.percentage"])
    resp(raw, 3)
    reply = raw.command("MEMORY", "STATS")
    assert reply.startswith(b"%33\r\n")
    assert b"$4\r\ndb.0\r\n%2\r\n" in reply and b"$18\r\ndataset.percentage\r\n," in reply


def test_memory_help(raw: RawClient) -> None:
    lines = raw.command("MEMORY", "HELP").split(b"\r\n")
    assert lines[0] == b"*14"
    assert lines[1] == b"+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[2] == b"+DOCTOR" and lines[10] == b"+USAGE <key> [SAMPLES <count>]"


# -- MOVE --------------------------------------------------------------------------------------


def test_move(raw: RawClient) -> None:
    raw.command("SET", "k", "5")
    assert raw.command("MOVE", "k", "1") == b":1\r\n"
    assert raw.command("MOVE", "k", "1") == b":0\r\n"  # gone from this database
    assert raw.command("MOVE", "nokey", "x") == b"-ERR value is not an integer or out of range\r\n"
    assert raw.command("MOVE", "nokey", "99") == b"-ERR DB index is out of range\r\n"
    assert raw.command("MOVE", "nokey", "0") == (
        b"-ERR source and destination objects are the same\r\n"
    )
    assert raw.command("MOVE", "k", "-1") == b"-ERR DB index is out of range\r\n"
    assert raw.command("MOVE", "k", "2147483648") == (
        b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
    )
    raw.command("SELECT", "1")
    raw.command("PEXPIRE", "k", "100000")
    raw.command("SET", "other", "x")
    raw.command("SELECT", "0")
    raw.command("SET", "other", "y")
    assert raw.command("MOVE", "other", "1") == b":0\r\n"  # taken in the target
    raw.command("SELECT", "1")
    assert raw.command("MOVE", "k", "0") == b":1\r\n"
    raw.command("SELECT", "0")
    ttl = raw.command("PTTL", "k")
    assert ttl.startswith(b":") and 0 < int(ttl[1:]) <= 100000  # the deadline moved too
    assert raw.command("MOVE", "k", "2") == b":1\r\n"
    raw.command("SELECT", "2")
    assert raw.command("GET", "k") == b"$1\r\n5\r\n"


def test_move_touches_watched_keys_in_both_databases(raw: RawClient) -> None:
    raw.command("SET", "k", "1")
    raw.command("WATCH", "k")
    raw.command("MULTI")
    raw.command("PING")
    with RawClient(raw.sock.getpeername()[1]) as other:
        assert other.command("MOVE", "k", "1") == b":1\r\n"
    assert raw.command("EXEC") == b"*-1\r\n"
