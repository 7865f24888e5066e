"""maxmemory: the OOM refusal, eviction under each policy, the memory accounting.

Replies and error texts checked against Valkey 8.0.1 (``CONFIG SET maxmemory 1`` then
a write: OOM; inside MULTI: refused at queue time; an EXEC whose queue holds a write:
EXECABORT with the OOM reason; reads, DEL and DISCARD still run). Eviction order is
checked in process on a manual clock, with ``maxmemory-samples`` large enough that
every key is sampled (Valkey's pool then evicts exactly the best candidate).
"""

from __future__ import annotations

import inprocess
import pytest
from helpers import RawClient

from minivalkey.core import BASELINE_MEMORY
from minivalkey.engine.types import key_memory

OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
EXECABORT_OOM = (
    b"-EXECABORT Transaction discarded because of: "
    b"OOM command not allowed when used memory > 'maxmemory'.\r\n"
)


@pytest.fixture
def conn(make_server) -> RawClient:  # type: ignore[no-untyped-def]
    server = make_server()
    client = RawClient(server.port)
    yield client
    client.close()


# -- the OOM refusal ------------------------------------------------------------------------


def test_a_write_is_refused_over_maxmemory(conn: RawClient) -> None:
    conn.command("SET", "x", "value")
    assert conn.command("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
    assert conn.command("XADD", "s", "*", "f", "v") == OOM
    assert conn.command("SET", "y", "1") == OOM
    assert conn.command("COPY", "x", "z") == OOM  # denyoom
    assert conn.command("GET", "x") == b"$5\r\nvalue\r\n"
    assert conn.command("RENAME", "x", "w") == b"+OK\r\n"  # no denyoom flag
    assert conn.command("DEL", "w") == b":1\r\n"
    assert conn.command("EXISTS", "s", "y", "z") == b":0\r\n"
    stats = conn.command("INFO", "commandstats")
    assert b"cmdstat_xadd:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0" in (
        stats
    )
    assert b"errorstat_OOM:count=3" in conn.command("INFO", "errorstats")
    assert conn.command("CONFIG", "SET", "maxmemory", "0") == b"+OK\r\n"
    assert conn.command("XADD", "s", "1-1", "f", "v") == b"$3\r\n1-1\r\n"


def test_inside_multi(conn: RawClient) -> None:
    conn.command("SET", "x", "value")
    conn.command("MULTI")
    assert conn.command("SET", "x", "1") == b"+QUEUED\r\n"
    assert conn.command("GET", "x") == b"+QUEUED\r\n"
    conn.command("CONFIG", "SET", "maxmemory", "1")  # queued too: the limit comes later
    with RawClient(conn.sock.getpeername()[1]) as other:
        assert other.command("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
        # An EXEC whose queue holds a denyoom command is refused before it runs.
        assert conn.command("EXEC") == EXECABORT_OOM
        assert conn.command("GET", "x") == b"$5\r\nvalue\r\n"
        # Queued while over the limit: refused at once, the transaction fails.
        conn.command("MULTI")
        assert conn.command("SET", "x", "1") == OOM
        assert conn.command("GET", "x") == b"+QUEUED\r\n"
        assert conn.command("EXEC") == (
            b"-EXECABORT Transaction discarded because of previous errors.\r\n"
        )
        # Only reads: EXEC runs.
        conn.command("MULTI")
        conn.command("GET", "x")
        conn.command("PING")
        assert conn.command("EXEC") == b"*2\r\n$5\r\nvalue\r\n+PONG\r\n"
        # DISCARD still works.
        conn.command("MULTI")
        assert conn.command("SET", "x", "1") == OOM
        assert conn.command("DISCARD") == b"+OK\r\n"
        assert other.command("CONFIG", "SET", "maxmemory", "0") == b"+OK\r\n"
    stats = conn.command("INFO", "commandstats")
    assert b"cmdstat_exec:calls=2,usec=" in stats and b"rejected_calls=1,failed_calls=1" in stats


def test_maxmemory_is_enforced_while_feeding_without_limit() -> None:
    h = inprocess.Harness(maxmemory=str(BASELINE_MEMORY + 200_000))
    refused = 0
    for number in range(100_000):
        reply = h.run("XADD", "s", "*", "field", b"x" * 200, "n", number)
        if reply == OOM:
            refused = number
            break
    assert refused, "the stream grew without limit"
    used = int(h.info("memory")["used_memory"])
    assert BASELINE_MEMORY + 200_000 < used < BASELINE_MEMORY + 220_000
    assert h.run("XLEN", "s") == b":%d\r\n" % refused


# -- the accounting -----------------------------------------------------------------------


def test_used_memory_is_the_keys_accounting() -> None:
    h = inprocess.Harness()
    empty = int(h.info("memory")["used_memory"])
    assert empty == BASELINE_MEMORY
    h.run("SET", "k", "x" * 1000)
    db = h.core.keyspace[0]
    with_key = int(h.info("memory")["used_memory"])
    tables = h.core.table_overhead()
    assert with_key == BASELINE_MEMORY + tables + key_memory(b"k", db.data[b"k"])
    # Kept up to date write by write once maxmemory is set.
    h.run("CONFIG", "SET", "maxmemory", "100mb")
    assert h.core.keyspace.accounting
    h.run("XADD", "s", "*", "f", "v")
    expected = BASELINE_MEMORY + h.core.table_overhead()
    expected += sum(key_memory(key, value) for key, value in db.data.items())
    assert int(h.info("memory")["used_memory"]) == expected
    h.run("DEL", "k")
    h.run("SELECT", "1")
    h.run("SET", "k", "1")
    h.run("SWAPDB", "0", "1")
    h.run("FLUSHDB")
    h.run("SELECT", "0")
    expected = BASELINE_MEMORY + h.core.table_overhead()
    expected += sum(key_memory(key, value) for key, value in h.core.keyspace[0].data.items())
    assert int(h.info("memory")["used_memory"]) == expected
    h.run("FLUSHALL")
    assert int(h.info("memory")["used_memory"]) == BASELINE_MEMORY
    h.run("CONFIG", "SET", "maxmemory", "0")
    assert not h.core.keyspace.accounting


def test_an_lru_policy_tracks_accesses_before_maxmemory_is_set() -> None:
    h = inprocess.Harness()
    assert h.core.keyspace.tracking == ""
    h.run("CONFIG", "SET", "maxmemory-policy", "volatile-lru")
    assert h.core.keyspace.tracking == "lru"


def test_nothing_is_kept_while_maxmemory_is_zero() -> None:
    h = inprocess.Harness()
    h.run("SET", "k", "1")
    keyspace = h.core.keyspace
    assert not keyspace.accounting and not h.core.gated
    assert keyspace[0].sizes == {} and keyspace[0].dirty == set()


# -- eviction --------------------------------------------------------------------------------


def harness_over(policy: str) -> inprocess.Harness:
    return inprocess.Harness(**{"maxmemory-policy": policy, "maxmemory-samples": "64"})


def fill(h: inprocess.Harness, keys: list[str], gap_s: float = 1.0) -> None:
    for key in keys:
        h.run("SET", key, "v" * 100)
        h.clock.advance(gap_s)


def limit_for(h: inprocess.Harness, keep: int) -> int:
    """A maxmemory that fits the baseline, the tables and ``keep`` of the keys."""
    db = h.core.keyspace[0]
    size = max(key_memory(key, value) for key, value in db.data.items())
    return BASELINE_MEMORY + h.core.table_overhead() + keep * size + size // 2


def evicted(h: inprocess.Harness, keys: list[str]) -> list[str]:
    return [key for key in keys if key.encode() not in h.core.keyspace[0].data]


def test_allkeys_lru_evicts_the_least_recently_used() -> None:
    h = harness_over("allkeys-lru")
    keys = ["a", "b", "c", "d"]
    fill(h, keys)
    h.run("GET", "a")  # now the most recent
    h.run("CONFIG", "SET", "maxmemory", limit_for(h, 2))
    assert h.run("PING") == b"+PONG\r\n"
    assert evicted(h, keys) == ["b", "c"]
    assert h.info("stats")["evicted_keys"] == "2"
    assert h.run("SET", "e", "v") == b"+OK\r\n"  # there is room for a small one


def test_allkeys_lfu_evicts_the_least_frequently_used() -> None:
    h = harness_over("allkeys-lfu")
    h.run("CONFIG", "SET", "lfu-log-factor", "0")  # every access counts
    keys = ["a", "b", "c", "d"]
    fill(h, keys, gap_s=0)
    for key, accesses in (("a", 3), ("b", 1), ("c", 5), ("d", 0)):
        for _ in range(accesses):
            h.run("GET", key)
    h.run("CONFIG", "SET", "maxmemory", limit_for(h, 2))
    h.run("PING")
    assert evicted(h, keys) == ["b", "d"]


def test_volatile_ttl_evicts_the_soonest_deadline_and_only_volatile_keys() -> None:
    h = harness_over("volatile-ttl")
    keys = ["a", "b", "c", "d"]
    fill(h, keys, gap_s=0)
    h.run("EXPIRE", "a", "300")
    h.run("EXPIRE", "c", "100")
    h.run("CONFIG", "SET", "maxmemory", limit_for(h, 3))
    h.run("PING")
    assert evicted(h, keys) == ["c"]
    h.run("CONFIG", "SET", "maxmemory", limit_for(h, 1))
    # Only a had a deadline left: still over the limit, writes are refused.
    assert h.run("SET", "x", "1") == OOM
    assert evicted(h, keys) == ["a", "c"]


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random"])
def test_volatile_policies_leave_persistent_keys(policy: str) -> None:
    h = harness_over(policy)
    keys = ["a", "b", "c"]
    fill(h, keys)
    h.run("EXPIRE", "b", "100")
    h.run("CONFIG", "SET", "maxmemory", "1")
    assert h.run("SET", "x", "1") == OOM
    assert evicted(h, keys) == ["b"]


def test_allkeys_random_evicts_until_it_fits() -> None:
    h = harness_over("allkeys-random")
    keys = [f"k{n}" for n in range(20)]
    fill(h, keys, gap_s=0)
    limit = limit_for(h, 5)
    h.run("CONFIG", "SET", "maxmemory", limit)
    h.run("PING")
    # Fewer keys also need a smaller table: 14 or 15 go.
    assert len(evicted(h, keys)) in (14, 15)
    assert int(h.info("memory")["used_memory"]) <= limit


def test_noeviction_evicts_nothing() -> None:
    h = harness_over("noeviction")
    fill(h, ["a", "b"])
    h.run("CONFIG", "SET", "maxmemory", "1")
    assert h.run("SET", "c", "1") == OOM
    assert evicted(h, ["a", "b"]) == []
    assert h.info("stats")["evicted_keys"] == "0"


def test_the_cron_evicts_after_the_limit_is_lowered() -> None:
    # As Valkey's eviction timer: no command needed once the limit is under the use.
    h = harness_over("allkeys-random")
    fill(h, ["a", "b", "c"], gap_s=0)
    h.run("CONFIG", "SET", "maxmemory", "1")
    h.core.active_expire_cycle()
    assert evicted(h, ["a", "b", "c"]) == ["a", "b", "c"]
    assert h.info("stats")["evicted_keys"] == "3"


def test_eviction_wakes_a_reader_waiting_on_the_key() -> None:
    h = harness_over("allkeys-random")
    h.run("XADD", "s", "1-1", "f", "v")
    h.run("XGROUP", "CREATE", "s", "g", "$")
    reader = h.new_client()
    assert h.run("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">",
                 client=reader) == b""
    h.run("CONFIG", "SET", "maxmemory", "1")
    h.run("PING")
    assert reader.blocked is None  # its key is gone: it was answered


def test_config_resetstat_clears_evicted_keys() -> None:
    h = harness_over("allkeys-random")
    fill(h, ["a"])
    h.run("CONFIG", "SET", "maxmemory", "1")
    h.run("PING")
    assert h.info("stats")["evicted_keys"] == "1"
    h.run("CONFIG", "RESETSTAT")
    assert h.info("stats")["evicted_keys"] == "0"
