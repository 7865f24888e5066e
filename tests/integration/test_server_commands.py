"""Server commands over real sockets: INFO, COMMAND, CONFIG, DBSIZE, FLUSHDB, FLUSHALL,
SWAPDB, TIME, SHUTDOWN.

Expected bytes were checked against Valkey 8.0.1 (RESP2, and RESP3 after ``HELLO 3``).
Where Valkey's output order is its hash table's (subcommands, CONFIG GET matches) the
tests compare entries, not positions. Tests that change the configuration or need
exact statistics run on a server of their own.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import hiredis
import pytest
import redis
from helpers import RawClient, encode_command, wait_until

from minivalkey import ManualClock, Server
from minivalkey.commands.table import COMMANDS
from minivalkey.core import RateTracker

MakeServer = Callable[..., Server]

SYNTAX = b"-ERR syntax error\r\n"
START_MS = 1_700_000_000_123


@pytest.fixture
def own(make_server: MakeServer) -> Server:
    """A server of the test's own (its configuration and statistics start fresh)."""
    return make_server()


@pytest.fixture
def conn(own: Server) -> Iterator[RawClient]:
    with RawClient(own.port) as client:
        yield client


def resp3(client: RawClient) -> RawClient:
    assert client.command("HELLO", "3").startswith(b"%7\r\n")
    return client


def bulk(text: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(text), text)


def info_body(client: RawClient, *sections: str) -> bytes:
    """The text of an INFO reply (RESP2 bulk string)."""
    reply = client.command("INFO", *sections)
    header, rest = reply.split(b"\r\n", 1)
    assert header == b"$%d" % (len(rest) - 2)
    return rest[:-2]


def info_fields(client: RawClient, *sections: str) -> dict[str, str]:
    fields = {}
    for line in info_body(client, *sections).decode().split("\r\n"):
        if line and not line.startswith("#"):
            name, value = line.split(":", 1)
            fields[name] = value
    return fields


def headers(text: bytes) -> list[str]:
    return [line[2:] for line in text.decode().split("\r\n") if line.startswith("# ")]


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


# -- INFO -----------------------------------------------------------------------------------


def test_info_is_a_bulk_string_in_resp2_and_verbatim_text_in_resp3(raw: RawClient) -> None:
    assert raw.command("INFO", "nosuchsection") == b"$0\r\n\r\n"
    assert raw.command("INFO", "cluster") == bulk(b"# Cluster\r\ncluster_enabled:0\r\n")
    resp3(raw)
    assert raw.command("INFO", "nosuchsection") == b"=4\r\ntxt:\r\n"
    assert raw.command("INFO", "cluster") == b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"


def test_info_with_redis_py(r: redis.Redis) -> None:
    info = r.info("server")
    assert info["redis_version"] == "7.2.4"
    assert info["server_name"] == "valkey"
    assert info["valkey_version"] == "8.0.1"
    assert r.info("cluster") == {"cluster_enabled": 0}


SERVER_FIELDS = (
    "redis_version server_name valkey_version redis_git_sha1 redis_git_dirty server_mode os "
    "arch_bits process_id process_supervised run_id tcp_port server_time_usec "
    "uptime_in_seconds uptime_in_days hz configured_hz lru_clock executable config_file "
    "io_threads_active availability_zone"
).split()


def test_info_server_section(make_server: MakeServer) -> None:
    clock = ManualClock(start_ms=START_MS)
    own = make_server(clock=clock)
    clock.advance(2 * 86400 + 5.000321)
    with RawClient(own.port) as client:
        body = info_body(client, "server")
        assert body.startswith(b"# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\n")
        fields = info_fields(client, "server")
    assert list(fields) == SERVER_FIELDS
    assert fields["valkey_version"] == "8.0.1"
    assert fields["server_mode"] == "standalone"
    assert fields["tcp_port"] == str(own.port)
    assert fields["process_id"] == str(os.getpid())
    assert re.fullmatch(r"[0-9a-f]{40}", fields["run_id"])
    assert fields["arch_bits"] in ("32", "64")
    assert fields["uptime_in_seconds"] == str(2 * 86400 + 5)
    assert fields["uptime_in_days"] == "2"
    assert fields["server_time_usec"] == str((START_MS + 2 * 86400 * 1000 + 5000) * 1000 + 321)
    assert fields["hz"] == fields["configured_hz"] == "10"
    assert fields["config_file"] == ""
    assert fields["os"].split(" ")[0] == os.uname().sysname


def test_info_server_mode_follows_extended_redis_compatibility(conn: RawClient) -> None:
    assert b"\r\nserver_mode:standalone\r\n" in info_body(conn, "server")
    assert conn.command("CONFIG", "SET", "extended-redis-compatibility", "yes") == b"+OK\r\n"
    body = info_body(conn, "server")
    assert b"\r\nredis_mode:standalone\r\n" in body and b"server_mode" not in body


DEFAULT_SECTIONS = [
    "Server",
    "Clients",
    "Memory",
    "Persistence",
    "Stats",
    "Replication",
    "CPU",
    "Modules",
    "Errorstats",
    "Cluster",
    "Keyspace",
]
ALL_SECTIONS = [
    *DEFAULT_SECTIONS[:8],
    "Commandstats",
    "Errorstats",
    "Latencystats",
    *DEFAULT_SECTIONS[9:],
]


def test_info_section_selection(raw: RawClient) -> None:
    assert headers(info_body(raw)) == DEFAULT_SECTIONS
    assert headers(info_body(raw, "default")) == DEFAULT_SECTIONS
    assert headers(info_body(raw, "all")) == ALL_SECTIONS
    assert headers(info_body(raw, "everything")) == ALL_SECTIONS
    assert headers(info_body(raw, "ALL", "server")) == ALL_SECTIONS
    with_stats = [*DEFAULT_SECTIONS[:8], "Commandstats", *DEFAULT_SECTIONS[8:]]
    assert headers(info_body(raw, "commandstats", "DEFAULT")) == with_stats
    # Named sections come out in Valkey's order, once each, whatever the case.
    assert headers(info_body(raw, "KEYSPACE", "server", "Server", "nosuch")) == [
        "Server",
        "Keyspace",
    ]
    assert info_body(raw, "modules") == b"# Modules\r\n"
    assert info_body(raw, "module_list") == b"# Modules\r\n"
    assert info_body(raw, "latencystats") == b"# Latencystats\r\n"
    assert info_body(raw, "nosuch", "other") == b""
    # Sections are separated by one empty line.
    assert b"cluster_enabled:0\r\n\r\n# Keyspace\r\n" in info_body(raw, "cluster", "keyspace")


def test_info_clients_section(make_server: MakeServer) -> None:
    own = make_server(config={"maxclients": "123"})
    with RawClient(own.port) as first, RawClient(own.port) as second:
        # The server accepts connections asynchronously: wait until it has both.
        wait_until(lambda: info_fields(first, "clients")["connected_clients"] == "2")
        fields = info_fields(first, "clients")
        assert list(fields) == [
            "connected_clients",
            "cluster_connections",
            "maxclients",
            "client_recent_max_input_buffer",
            "client_recent_max_output_buffer",
            "blocked_clients",
            "tracking_clients",
            "pubsub_clients",
            "watching_clients",
            "clients_in_timeout_table",
            "total_watched_keys",
            "total_blocking_keys",
            "total_blocking_keys_on_nokey",
        ]
        assert fields["connected_clients"] == "2"
        assert fields["maxclients"] == "123"
        assert fields["blocked_clients"] == fields["total_blocking_keys"] == "0"
        assert second.command("WATCH", "a", "b") == b"+OK\r\n"
        fields = info_fields(first, "clients")
        assert (fields["watching_clients"], fields["total_watched_keys"]) == ("1", "2")
        # Blocked readers: one XREAD on two keys for ever, one XREADGROUP with a
        # deadline on one of them (it also waits for the key's deletion).
        assert first.command("XGROUP", "CREATE", "a", "g", "$", "MKSTREAM") == b"+OK\r\n"
        with RawClient(own.port) as reader, RawClient(own.port) as group_reader:
            reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$"))
            group_reader.send(
                encode_command(
                    "XREADGROUP", "GROUP", "g", "c", "BLOCK", "100000", "STREAMS", "a", ">"
                )
            )
            wait_until(lambda: info_fields(first, "clients")["blocked_clients"] == "2")
            fields = info_fields(first, "clients")
            assert fields["total_blocking_keys"] == "2"
            assert fields["total_blocking_keys_on_nokey"] == "1"
            assert fields["clients_in_timeout_table"] == "1"
        wait_until(lambda: info_fields(first, "clients")["blocked_clients"] == "0")
        fields = info_fields(first, "clients")
        assert fields["total_blocking_keys"] == fields["total_blocking_keys_on_nokey"] == "0"


@pytest.mark.parametrize(
    "maxmemory, human",
    [("0", "0B"), ("1023", "1023B"), ("1kb", "1.00K"), ("1536kb", "1.50M"), ("3gb", "3.00G")],
)
def test_info_memory_section(conn: RawClient, maxmemory: str, human: str) -> None:
    assert conn.command("CONFIG", "SET", "maxmemory", maxmemory) == b"+OK\r\n"
    fields = info_fields(conn, "memory")
    assert int(fields["used_memory"]) > 0
    assert int(fields["used_memory_peak"]) >= int(fields["used_memory"])
    assert re.fullmatch(r"\d+(\.\d\d[KMGTP])?B?", fields["used_memory_human"])
    assert fields["maxmemory_human"] == human
    assert fields["maxmemory_policy"] == "noeviction"
    assert list(fields)[:4] == [
        "used_memory",
        "used_memory_human",
        "used_memory_rss",
        "used_memory_rss_human",
    ]


def test_info_persistence_replication_and_cpu_sections(raw: RawClient) -> None:
    persistence = info_fields(raw, "persistence")
    assert (persistence["loading"], persistence["aof_enabled"]) == ("0", "0")
    assert persistence["rdb_last_bgsave_status"] == "ok"
    replication = info_fields(raw, "replication")
    assert replication["role"] == "master"
    assert replication["connected_slaves"] == "0"
    assert re.fullmatch(r"[0-9a-f]{40}", replication["master_replid"])
    cpu = info_fields(raw, "cpu")
    assert all(re.fullmatch(r"\d+\.\d{6}", value) for value in cpu.values())
    assert list(cpu)[:4] == [
        "used_cpu_sys",
        "used_cpu_user",
        "used_cpu_sys_children",
        "used_cpu_user_children",
    ]


def test_info_stats_count_a_known_sequence(make_server: MakeServer) -> None:
    clock = ManualClock(start_ms=START_MS)
    own = make_server(clock=clock)
    with RawClient(own.port) as client:
        sent = [
            ("SET", "a", "1"),
            ("GET", "a"),
            ("GET", "nosuch"),
            ("SET", "gone", "x", "PX", "100"),
            ("NOSUCHCOMMAND",),
        ]
        replies = [client.command(*command) for command in sent]
        clock.advance(1)
        replies.append(client.command("GET", "gone"))
        sent.append(("GET", "gone"))
        fields = info_fields(client, "stats")
    assert fields["total_connections_received"] == "1"
    assert fields["total_commands_processed"] == "5"
    # INFO's own request has been read (and counted) by the time it runs; its reply not.
    sent.append(("INFO", "stats"))
    assert fields["total_net_input_bytes"] == str(sum(len(encode_command(*c)) for c in sent))
    assert fields["total_net_output_bytes"] == str(sum(len(reply) for reply in replies))
    assert fields["keyspace_hits"] == "1"
    assert fields["keyspace_misses"] == "2"
    assert fields["expired_keys"] == "1"
    assert fields["total_error_replies"] == "1"
    assert fields["rejected_connections"] == "0"
    assert fields["instantaneous_ops_per_sec"] == "0"
    assert fields["instantaneous_input_kbps"] == "0.00"
    assert list(fields)[:4] == [
        "total_connections_received",
        "total_commands_processed",
        "instantaneous_ops_per_sec",
        "total_net_input_bytes",
    ]


def test_instantaneous_rates_average_sixteen_samples() -> None:
    tracker = RateTracker()
    tracker.sample(1_000_000, 0)  # the first sample only sets the baseline
    tracker.sample(1_050_000, 10)  # too soon after the previous one: ignored
    tracker.sample(1_100_000, 100)  # 100 in 0.1 s: 1000 per second
    assert tracker.per_second() == 1000 // 16
    for step in range(2, 18):
        tracker.sample(1_000_000 + step * 100_000, 100 * step)
    assert tracker.per_second() == 1000


CMDSTAT = re.compile(
    r"calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),rejected_calls=(\d+),failed_calls=(\d+)"
)


def commandstats(client: RawClient) -> dict[str, tuple[int, int, int]]:
    """cmdstat name -> (calls, rejected, failed), checking usec_per_call on the way."""
    result = {}
    for name, value in info_fields(client, "commandstats").items():
        match = CMDSTAT.fullmatch(value)
        assert match, value
        calls, usec, per_call, rejected, failed = match.groups()
        expected = int(usec) / int(calls) if int(calls) else 0
        assert abs(float(per_call) - expected) <= 0.01
        assert name.startswith("cmdstat_")
        result[name[len("cmdstat_") :]] = (int(calls), int(rejected), int(failed))
    return result


def test_commandstats_and_errorstats_after_a_known_sequence(conn: RawClient) -> None:
    for command in [
        ("SET", "a", "1"),
        ("GET", "a"),
        ("GET", "nosuch"),
        ("GET",),  # arity: rejected
        ("INCR", "a"),
        ("SET", "s", "x"),
        ("INCR", "s"),  # runs and fails
        ("CONFIG", "GET"),  # arity: rejected, counted on config|get
        ("CONFIG", "NOSUCH"),  # unknown subcommand: counted nowhere
        ("NOSUCH",),  # unknown command: counted nowhere
        ("CONFIG", "SET", "hz", "x"),  # runs and fails
        ("MULTI",),
        ("SET",),  # rejected inside MULTI
        ("EXEC",),  # EXECABORT
    ]:
        conn.command(*command)
    assert conn.command("INFO", "errorstats") == bulk(
        b"# Errorstats\r\nerrorstat_ERR:count=7\r\nerrorstat_EXECABORT:count=1\r\n"
    )
    assert commandstats(conn) == {
        "set": (2, 1, 0),
        "get": (2, 1, 0),
        "incr": (2, 0, 1),
        "config|get": (0, 1, 0),
        "config|set": (1, 0, 1),
        "multi": (1, 0, 0),
        "exec": (1, 0, 1),
        # The INFO above has finished by now.
        "info": (1, 0, 0),
    }
    assert info_fields(conn, "stats")["total_error_replies"] == "8"


def test_errorstats_are_listed_in_byte_order(make_server: MakeServer) -> None:
    own = make_server(password="secret")
    with RawClient(own.port) as client:
        assert client.command("GET", "a").startswith(b"-NOAUTH")
        assert client.command("AUTH", "wrong").startswith(b"-WRONGPASS")
        assert client.command("AUTH", "secret") == b"+OK\r\n"
        client.command("NOSUCH")
        assert info_body(client, "errorstats") == (
            b"# Errorstats\r\nerrorstat_ERR:count=1\r\nerrorstat_NOAUTH:count=1\r\n"
            b"errorstat_WRONGPASS:count=1\r\n"
        )


def test_keyspace_section(make_server: MakeServer) -> None:
    clock = ManualClock(start_ms=START_MS)
    own = make_server(clock=clock)
    with RawClient(own.port) as client:
        assert info_body(client, "keyspace") == b"# Keyspace\r\n"
        client.command("SET", "a", "1", "PX", "10000")
        client.command("SET", "b", "1", "PX", "20000")
        client.command("SET", "c", "1")
        client.command("SELECT", "3")
        client.command("SET", "d", "1")
        assert info_body(client, "keyspace") == (
            b"# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=15000\r\n"
            b"db3:keys=1,expires=0,avg_ttl=0\r\n"
        )
        clock.advance(5)
        assert info_fields(client, "keyspace")["db0"] == "keys=3,expires=2,avg_ttl=10000"
        assert client.command("FLUSHALL") == b"+OK\r\n"
        assert info_body(client, "keyspace") == b"# Keyspace\r\n"


# -- COMMAND ----------------------------------------------------------------------------------


COMMAND_INFO_GET_RESP2 = (
    b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
    b"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
    b"+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
    b"*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
    b"$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
    b"*0\r\n"
)
COMMAND_INFO_GET_RESP3 = (
    b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
    b"~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"
    b"+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
    b"%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
    b"$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
    b"~0\r\n"
)
COMMAND_INFO_DBSIZE_RESP2 = (
    b"*1\r\n*10\r\n$6\r\ndbsize\r\n:1\r\n*2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n"
    b"*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n"
    b"$23\r\nresponse_policy:agg_sum\r\n*0\r\n*0\r\n"
)


def test_command_info_matches_valkey_byte_for_byte(raw: RawClient) -> None:
    assert raw.command("COMMAND", "INFO", "get") == COMMAND_INFO_GET_RESP2
    assert raw.command("COMMAND", "INFO", "GET") == COMMAND_INFO_GET_RESP2
    assert raw.command("COMMAND", "INFO", "dbsize") == COMMAND_INFO_DBSIZE_RESP2
    assert raw.command("COMMAND", "INFO", "nosuch") == b"*1\r\n$-1\r\n"
    resp3(raw)
    assert raw.command("COMMAND", "INFO", "get") == COMMAND_INFO_GET_RESP3
    assert raw.command("COMMAND", "INFO", "nosuch") == b"*1\r\n_\r\n"


def config_entry(
    name: bytes, arity: int, flags: list[bytes], tips: list[bytes], proto: int
) -> bytes:
    """One COMMAND INFO entry of a CONFIG subcommand (no keys, no subcommands)."""
    set_marker = b"~" if proto == 3 else b"*"
    admin = b"admin" in flags
    categories = [b"@admin", b"@slow", b"@dangerous"] if admin else [b"@slow"]
    return (
        b"*10\r\n"
        + bulk(name)
        + b":%d\r\n" % arity
        + set_marker
        + b"%d\r\n" % len(flags)
        + b"".join(b"+%s\r\n" % f for f in flags)
        + b":0\r\n:0\r\n:0\r\n"
        + set_marker
        + b"%d\r\n" % len(categories)
        + b"".join(b"+%s\r\n" % c for c in categories)
        + set_marker
        + b"%d\r\n" % len(tips)
        + b"".join(bulk(tip) for tip in tips)
        + set_marker
        + b"0\r\n"
        + set_marker
        + b"0\r\n"
    )


@pytest.mark.parametrize("proto", [2, 3])
def test_command_info_of_a_container(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    set_marker = b"~" if proto == 3 else b"*"
    admin = [b"admin", b"noscript", b"loading", b"stale"]
    all_nodes = [b"request_policy:all_nodes", b"response_policy:all_succeeded"]
    expected_subcommands = {
        b"config|get": config_entry(b"config|get", -3, admin, [], proto),
        b"config|set": config_entry(b"config|set", -4, admin, all_nodes, proto),
        b"config|resetstat": config_entry(b"config|resetstat", 2, admin, all_nodes, proto),
        b"config|rewrite": config_entry(b"config|rewrite", 2, admin, all_nodes, proto),
        b"config|help": config_entry(b"config|help", 2, [b"loading", b"stale"], [], proto),
    }
    head = (
        b"*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n"
        + set_marker
        + b"0\r\n:0\r\n:0\r\n:0\r\n"
        + set_marker
        + b"1\r\n+@slow\r\n"
        + set_marker
        + b"0\r\n"
        + set_marker
        + b"0\r\n*5\r\n"
    )
    reply = raw.command("COMMAND", "INFO", "config")
    assert reply.startswith(head)
    # Valkey lists subcommands in its hash table's order: compare them as a set.
    rest = reply[len(head) :]
    found = {}
    while rest:
        name = rest.split(b"\r\n")[2]
        entry = expected_subcommands[name]
        assert rest.startswith(entry), name
        found[name] = entry
        rest = rest[len(entry) :]
    assert set(found) == set(expected_subcommands)
    assert (
        raw.command("COMMAND", "INFO", "config|set")
        == b"*1\r\n" + expected_subcommands[b"config|set"]
    )


def test_command_info_lookup_by_name(raw: RawClient) -> None:
    def entry(name: str) -> bytes:
        reply = raw.command("COMMAND", "INFO", name)
        assert reply.startswith(b"*1\r\n*10\r\n")
        return reply[len(b"*1\r\n") :]

    null = b"$-1\r\n"
    names = [
        "get",
        "nosuch",
        "config|get",
        "CONFIG|Get",
        "get|x",
        "config|",
        "|get",
        "",
        "config|get|x",
        "config",
    ]
    # Found commands come back under their own full names, the rest as nulls.
    assert raw.command("COMMAND", "INFO", *names) == b"*10\r\n" + b"".join(
        [
            entry("get"),
            null,
            entry("config|get"),
            entry("config|get"),
            null,
            null,
            null,
            null,
            null,
            entry("config"),
        ]
    )


def test_command_count_list_and_all(r: redis.Redis, raw: RawClient) -> None:
    count = r.command_count()
    assert count == len(COMMANDS)
    assert raw.command("COMMAND", "COUNT") == b":%d\r\n" % count
    assert raw.command("COMMAND").startswith(b"*%d\r\n*10\r\n" % count)
    assert raw.command("COMMAND", "INFO").startswith(b"*%d\r\n*10\r\n" % count)
    listed = [name.decode() if isinstance(name, bytes) else name for name in r.command_list()]
    assert len(listed) == sum(1 + len(spec.subcommands) for spec in COMMANDS.values())
    assert {"get", "config", "config|get", "command|docs", "info"} <= set(listed)


def test_command_list_filters(r: redis.Redis, raw: RawClient) -> None:
    assert r.command_list(pattern="config*") == [
        b"config",
        b"config|get",
        b"config|set",
        b"config|resetstat",
        b"config|rewrite",
        b"config|help",
    ]
    assert r.command_list(pattern="CONFIG|G?T") == [b"config|get"]
    admin = r.command_list(category="admin")
    assert {b"config|get", b"config|set", b"shutdown"} <= set(admin)
    assert b"get" not in admin and b"config" not in admin
    assert set(r.command_list(category="READ")) >= {b"get", b"dbsize"}
    assert r.command_list(category="nosuch") == []
    assert r.command_list(category="@read") == []
    assert raw.command("COMMAND", "LIST", "FILTERBY", "MODULE", "x") == b"*0\r\n"
    for bad in (
        ["FILTERBY"],
        ["FILTERBY", "x", "y"],
        ["FILTERBY", "pattern", "a", "b"],
        ["foo"],
        ["FILTERBY", "pattern", "a", "FILTERBY", "pattern", "b"],
    ):
        assert raw.command("COMMAND", "LIST", *bad) == SYNTAX
    assert (
        raw.command("COMMAND", "LIST", "filterby", "PATTERN", "dbsize") == b"*1\r\n$6\r\ndbsize\r\n"
    )


def dbsize_docs(proto: int) -> bytes:
    spec = COMMANDS[b"dbsize"]
    body = (
        bulk(b"summary")
        + bulk(spec.summary.encode())
        + bulk(b"since")
        + bulk(b"1.0.0")
        + bulk(b"group")
        + bulk(b"server")
        + bulk(b"complexity")
        + bulk(b"O(1)")
    )
    if proto == 3:
        return b"%1\r\n" + bulk(b"dbsize") + b"%4\r\n" + body
    return b"*2\r\n" + bulk(b"dbsize") + b"*8\r\n" + body


@pytest.mark.parametrize("proto", [2, 3])
def test_command_docs(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    assert raw.command("COMMAND", "DOCS", "dbsize") == dbsize_docs(proto)
    assert raw.command("COMMAND", "DOCS", "nosuch", "DBSIZE", "x|y") == dbsize_docs(proto)
    assert raw.command("COMMAND", "DOCS", "nosuch") == (b"%0\r\n" if proto == 3 else b"*0\r\n")
    everything = raw.command("COMMAND", "DOCS")
    assert everything.startswith(
        b"%%%d\r\n" % len(COMMANDS) if proto == 3 else b"*%d\r\n" % (2 * len(COMMANDS))
    )


@pytest.mark.parametrize("proto", [2, 3])
def test_command_docs_of_a_container_lists_its_subcommands(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    reader = hiredis.Reader()
    reader.feed(raw.command("COMMAND", "DOCS", "config"))
    docs = reader.gets()

    def as_dict(value: object) -> dict[bytes, object]:
        if isinstance(value, dict):
            return value
        assert isinstance(value, list) and proto == 2  # RESP2 flattens maps
        return dict(zip(value[::2], value[1::2], strict=True))

    [(name, entry)] = as_dict(docs).items()
    assert name == b"config"
    fields = as_dict(entry)
    assert list(fields) == [b"summary", b"since", b"group", b"complexity", b"subcommands"]
    assert fields[b"group"] == b"server" and fields[b"since"] == b"2.0.0"
    assert fields[b"complexity"] == b"Depends on subcommand."
    subcommands = as_dict(fields[b"subcommands"])
    assert sorted(subcommands) == sorted(
        [b"config|get", b"config|set", b"config|resetstat", b"config|rewrite", b"config|help"]
    )
    assert as_dict(subcommands[b"config|rewrite"])[b"since"] == b"2.8.0"


@pytest.mark.parametrize("proto", [2, 3])
def test_command_getkeys_and_getkeysandflags(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    assert raw.command("COMMAND", "GETKEYS", "get", "k") == b"*1\r\n$1\r\nk\r\n"
    assert raw.command("COMMAND", "GETKEYS", "GET", "k") == b"*1\r\n$1\r\nk\r\n"
    assert raw.command("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2") == (
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    )
    assert raw.command("COMMAND", "GETKEYS", "mset", "a", "1", "b") == (
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    )
    marker = b"~" if proto == 3 else b"*"
    assert raw.command("COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b") == (
        b"*2\r\n*2\r\n$1\r\na\r\n" + marker + b"3\r\n+RW\r\n+access\r\n+delete\r\n"
        b"*2\r\n$1\r\nb\r\n" + marker + b"2\r\n+OW\r\n+update\r\n"
    )
    assert raw.command("COMMAND", "GETKEYSANDFLAGS", "get", "k") == (
        b"*1\r\n*2\r\n$1\r\nk\r\n" + marker + b"2\r\n+RO\r\n+access\r\n"
    )


def test_command_getkeys_errors(raw: RawClient) -> None:
    invalid = b"-ERR Invalid command specified\r\n"
    no_keys = b"-ERR The command has no key arguments\r\n"
    bad_arity = b"-ERR Invalid number of arguments specified for command\r\n"
    assert raw.command("COMMAND", "GETKEYS", "nosuch", "k") == invalid
    assert raw.command("COMMAND", "GETKEYS", "config", "nosuch") == invalid
    assert raw.command("COMMAND", "GETKEYS", "ping") == no_keys
    assert raw.command("COMMAND", "GETKEYS", "config", "get", "x") == no_keys
    assert raw.command("COMMAND", "GETKEYS", "config") == no_keys
    assert raw.command("COMMAND", "GETKEYS", "get") == bad_arity
    assert raw.command("COMMAND", "GETKEYS", "get", "k", "x") == bad_arity
    assert raw.command("COMMAND", "GETKEYS", "del") == bad_arity
    assert raw.command("COMMAND", "GETKEYSANDFLAGS", "ping") == no_keys
    assert raw.command("COMMAND", "GETKEYS") == (
        b"-ERR wrong number of arguments for 'command|getkeys' command\r\n"
    )


def test_command_getkeys_reports_unusable_arguments() -> None:
    # Valkey: keys that a key spec cannot find make "Invalid arguments"; a spec
    # that cannot be applied at all gives an empty list.
    from minivalkey.commands.introspection import command_keys
    from minivalkey.commands.table import BeginKeyword, CommandSpec, FindKeynum, FindRange, KeySpec

    streams = CommandSpec(
        "xr", -4, key_specs=(KeySpec(("RO",), BeginKeyword("STREAMS", 1), FindRange(-1, 1, 2)),)
    )
    assert command_keys(streams, [b"xr", b"STREAMS", b"a", b"b", b"1", b"2"]) == [
        (2, ("RO",)),
        (3, ("RO",)),
    ]
    assert command_keys(streams, [b"xr", b"count", b"1", b"a"]) == []
    counted = CommandSpec(
        "zu", -4, key_specs=(KeySpec(("RO",), BeginKeyword("X", 1), FindKeynum(0, 1, 1)),)
    )
    assert command_keys(counted, [b"zu", b"X", b"2", b"a", b"b"]) == [(3, ("RO",)), (4, ("RO",))]
    assert command_keys(counted, [b"zu", b"X", b"5", b"a"]) is None
    assert command_keys(counted, [b"zu", b"X", b"-1", b"a"]) is None


@pytest.mark.parametrize("proto", [2, 3])
def test_command_help(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    reply = raw.command("COMMAND", "HELP")
    lines = reply.split(b"\r\n")[1:-1]
    assert reply.startswith(b"*19\r\n")
    assert lines[0] == b"+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-2:] == [b"+HELP", b"+    Print this help."]
    entries = [line for line in lines[1:] if not line.startswith(b"+ ")]
    assert entries == [
        b"+(no subcommand)",
        b"+COUNT",
        b"+LIST",
        b"+INFO [<command-name> ...]",
        b"+DOCS [<command-name> ...]",
        b"+GETKEYS <full-command>",
        b"+GETKEYSANDFLAGS <full-command>",
        b"+HELP",
    ]
    assert raw.command("command", "help").startswith(b"*19\r\n+COMMAND <subcommand>")
    assert raw.command("COMMAND", "HELP", "x") == (
        b"-ERR wrong number of arguments for 'command|help' command\r\n"
    )
    assert raw.command("COMMAND", "NOSUCH") == (
        b"-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP.\r\n"
    )
    assert raw.command("COMMAND", "COUNT", "x") == (
        b"-ERR wrong number of arguments for 'command|count' command\r\n"
    )


# -- CONFIG ----------------------------------------------------------------------------------


@pytest.mark.parametrize("proto", [2, 3])
def test_config_get(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    pairs = b"%1\r\n" if proto == 3 else b"*2\r\n"
    assert raw.command("CONFIG", "GET", "maxmemory-policy") == (
        pairs + bulk(b"maxmemory-policy") + bulk(b"noeviction")
    )
    # A plain name is echoed as spelled; patterns report the parameter's own name.
    assert raw.command("CONFIG", "GET", "MAXMEMORY-POLICY") == (
        pairs + bulk(b"MAXMEMORY-POLICY") + bulk(b"noeviction")
    )
    assert raw.command("CONFIG", "GET", "MAXMEMORY-POLIC?") == (
        pairs + bulk(b"maxmemory-policy") + bulk(b"noeviction")
    )
    assert raw.command("CONFIG", "GET", "nosuch") == (b"%0\r\n" if proto == 3 else b"*0\r\n")
    assert raw.command("CONFIG", "GET") == (
        b"-ERR wrong number of arguments for 'config|get' command\r\n"
    )


def test_config_get_with_redis_py(r: redis.Redis, server: Server) -> None:
    assert r.config_get("port") == {"port": str(server.port)}
    assert r.config_get("databases") == {"databases": "16"}
    lazy = r.config_get("lazyfree-lazy-user-*")
    assert lazy == {"lazyfree-lazy-user-flush": "yes", "lazyfree-lazy-user-del": "yes"}
    # Several patterns: each parameter once, under the first spelling that found it.
    assert r.config_get("HZ", "h?", "maxclients", "maxclient*") == {
        "HZ": "10",
        "maxclients": "10000",
    }
    everything = r.config_get("*")
    assert everything["save"] == "" and everything["appendonly"] == "no"
    assert everything["dir"] == os.getcwd()
    assert everything["unixsocketperm"] == "0"
    assert everything["notify-keyspace-events"] == ""
    assert everything["protected-mode"] == "yes"


def test_config_set_changes_values(conn: RawClient) -> None:
    assert conn.command("CONFIG", "SET", "maxmemory", "1GB", "MAXCLIENTS", "50") == b"+OK\r\n"
    assert conn.command("CONFIG", "GET", "maxmemory") == b"*2\r\n" + bulk(b"maxmemory") + bulk(
        b"1073741824"
    )
    assert conn.command("CONFIG", "GET", "maxclients")[-6:] == b"\r\n50\r\n"
    cases = [
        ("maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru"),
        ("protected-mode", "NO", "no"),
        ("notify-keyspace-events", "KEA", "AKE"),
        ("notify-keyspace-events", "gKE$lshzxetdnm", "AKEm"),
        ("notify-keyspace-events", "Elg", "glE"),
        ("notify-keyspace-events", "", ""),
        ("save", "1 0", "1 0"),
        ("save", "1 +1 300 10", "1 1 300 10"),
        ("save", "", ""),
        ("maxmemory", "18446744073709551616", "18446744073709551615"),
        ("maxmemory", "", "0"),
        ("maxmemory", "1Kb", "1024"),
        ("maxmemory", "2k", "2000"),
        ("hz", "1000", "500"),
        ("hz", "0", "1"),
        ("hz", "10", "10"),
        ("bind", "127.0.0.1 -::1", "127.0.0.1 -::1"),
        ("requirepass", "", ""),
        ("availability-zone", "zone a", "zone a"),
    ]
    for name, value, shown in cases:
        assert conn.command("CONFIG", "SET", name, value) == b"+OK\r\n", name
        assert conn.command("CONFIG", "GET", name) == b"*2\r\n" + bulk(name.encode()) + bulk(
            shown.encode()
        ), (name, value)


def failed(name: str, reason: str) -> bytes:
    return f"-ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}\r\n".encode()


BETWEEN = "argument must be between {} and {} inclusive"


@pytest.mark.parametrize(
    "name, value, reply",
    [
        ("hz", "x", failed("hz", "argument couldn't be parsed into an integer")),
        ("HZ", "x", failed("hz", "argument couldn't be parsed into an integer")),
        ("hz", "+5", failed("hz", "argument couldn't be parsed into an integer")),
        ("hz", "05", failed("hz", "argument couldn't be parsed into an integer")),
        ("hz", "", failed("hz", "argument couldn't be parsed into an integer")),
        ("hz", "-1", failed("hz", BETWEEN.format(0, 2147483647))),
        ("timeout", "2147483648", failed("timeout", BETWEEN.format(0, 2147483647))),
        ("maxclients", "0", failed("maxclients", BETWEEN.format(1, 4294967295))),
        ("maxclients", "-1", failed("maxclients", BETWEEN.format(1, 4294967295))),
        ("active-expire-effort", "11", failed("active-expire-effort", BETWEEN.format(1, 10))),
        ("port", "-1", failed("port", BETWEEN.format(0, 65535))),
        ("maxmemory", "-1", failed("maxmemory", "argument must be a memory value")),
        ("maxmemory", "1x", failed("maxmemory", "argument must be a memory value")),
        ("maxmemory", " 1", failed("maxmemory", "argument must be a memory value")),
        ("maxmemory", "0x10", failed("maxmemory", "argument must be a memory value")),
        (
            "stream-node-max-bytes",
            "-1",
            failed("stream-node-max-bytes", "argument must be a memory value"),
        ),
        (
            "stream-node-max-entries",
            "-1",
            failed("stream-node-max-entries", BETWEEN.format(0, 9223372036854775807)),
        ),
        (
            "proto-max-bulk-len",
            "1000",
            failed("proto-max-bulk-len", BETWEEN.format(1048576, 9223372036854775807)),
        ),
        (
            "proto-max-bulk-len",
            "18446744073709551615",
            failed("proto-max-bulk-len", BETWEEN.format(1048576, 9223372036854775807)),
        ),
        ("protected-mode", "maybe", failed("protected-mode", "argument must be 'yes' or 'no'")),
        (
            "loglevel",
            "warning notice",
            failed(
                "loglevel",
                "argument(s) must be one of the following: "
                "debug, verbose, notice, warning, nothing",
            ),
        ),
        (
            "notify-keyspace-events",
            "zq",
            failed(
                "notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
            ),
        ),
        ("save", "1 0 x", failed("save", "Invalid save parameters")),
        ("save", "0 1", failed("save", "Invalid save parameters")),
        ("save", "1 -1", failed("save", "Invalid save parameters")),
        ("save", " 1  2", failed("save", "Invalid save parameters")),
        ("save", "01 1x", failed("save", "Invalid save parameters")),
        ("databases", "1", failed("databases", "can't set immutable config")),
        ("DATABASES", "1", failed("DATABASES", "can't set immutable config")),
        ("io-threads", "2", failed("io-threads", "can't set immutable config")),
        ("unixsocketperm", "1", failed("unixsocketperm", "can't set immutable config")),
        ("dir", "/tmp", failed("dir", "can't set protected config")),
        ("dbfilename", "x.rdb", failed("dbfilename", "can't set protected config")),
        (
            "nosuch",
            "1",
            b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
        ),
    ],
)
def test_config_set_errors(conn: RawClient, name: str, value: str, reply: bytes) -> None:
    before = conn.command("CONFIG", "GET", "*")
    assert conn.command("CONFIG", "SET", name, value) == reply
    assert conn.command("CONFIG", "GET", "*") == before


def test_config_set_is_all_or_nothing(conn: RawClient) -> None:
    unknown = b"-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n"
    immutable = failed("databases", "can't set immutable config")
    cases = [
        (["hz", "20", "maxclients", "0"], failed("maxclients", BETWEEN.format(1, 4294967295))),
        (["foo", "1", "hz", "x"], unknown),
        (["hz", "x", "foo", "1"], unknown),
        (["hz", "x", "databases", "1"], immutable),
        (["databases", "1", "hz", "x"], immutable),
        (["databases", "1", "foo", "1"], immutable),
        (["hz", "5", "hz", "6"], failed("hz", "duplicate parameter")),
        (["hz", "5", "HZ", "6"], failed("HZ", "duplicate parameter")),
        (["hz", "5", "maxclients"], SYNTAX),
    ]
    before = conn.command("CONFIG", "GET", "*")
    for arguments, reply in cases:
        assert conn.command("CONFIG", "SET", *arguments) == reply, arguments
        assert conn.command("CONFIG", "GET", "*") == before, arguments
    assert conn.command("CONFIG", "SET", "hz") == (
        b"-ERR wrong number of arguments for 'config|set' command\r\n"
    )


def test_config_set_takes_effect(make_server: MakeServer) -> None:
    own = make_server()
    with RawClient(own.port) as client:
        assert client.command("CONFIG", "SET", "maxclients", "1") == b"+OK\r\n"
        with RawClient(own.port) as refused:
            assert refused.read_until_closed() == b"-ERR max number of clients reached\r\n"
        assert client.command("CONFIG", "SET", "requirepass", "pw") == b"+OK\r\n"
        assert client.command("CONFIG", "SET", "maxclients", "10") == b"+OK\r\n"
        with RawClient(own.port) as newcomer:
            assert newcomer.command("PING") == b"-NOAUTH Authentication required.\r\n"
        assert info_fields(client, "stats")["rejected_connections"] == "1"


def test_protected_configs_when_enabled(make_server: MakeServer, tmp_path: Path) -> None:
    own = make_server(config={"enable-protected-configs": "yes"})
    with RawClient(own.port) as client:
        assert client.command("CONFIG", "SET", "dbfilename", "other.rdb") == b"+OK\r\n"
        assert client.command("CONFIG", "SET", "dbfilename", "a/b.rdb") == failed(
            "dbfilename", "dbfilename can't be a path, just a filename"
        )
        assert client.command("CONFIG", "SET", "dir", str(tmp_path)) == b"+OK\r\n"
        assert client.command("CONFIG", "GET", "dir") == b"*2\r\n" + bulk(b"dir") + bulk(
            str(tmp_path).encode()
        )
        assert client.command("CONFIG", "SET", "dir", str(tmp_path / "nosuch")) == failed(
            "dir", "No such file or directory"
        )
        assert client.command("CONFIG", "SET", "dir", "") == failed("dir", "dir can't be empty")


def test_config_resetstat(conn: RawClient) -> None:
    conn.command("SET", "a", "1")
    conn.command("GET", "a")
    conn.command("NOSUCH")
    assert conn.command("CONFIG", "RESETSTAT") == b"+OK\r\n"
    fields = info_fields(conn, "stats")
    assert fields["total_commands_processed"] == "1"  # CONFIG RESETSTAT itself
    assert fields["total_connections_received"] == "0"
    assert fields["total_error_replies"] == "0"
    assert fields["keyspace_hits"] == "0"
    assert fields["total_net_input_bytes"] == str(len(encode_command("INFO", "stats")))
    assert fields["total_net_output_bytes"] == "5"  # the +OK of CONFIG RESETSTAT
    assert info_body(conn, "errorstats") == b"# Errorstats\r\n"
    assert commandstats(conn) == {"config|resetstat": (1, 0, 0), "info": (2, 0, 0)}
    assert conn.command("CONFIG", "RESETSTAT", "x") == (
        b"-ERR wrong number of arguments for 'config|resetstat' command\r\n"
    )


def test_config_rewrite_without_a_config_file(raw: RawClient) -> None:
    assert raw.command("CONFIG", "REWRITE") == (
        b"-ERR The server is running without a config file\r\n"
    )


def test_config_rewrite_updates_the_config_file(make_server: MakeServer, tmp_path: Path) -> None:
    path = tmp_path / "valkey.conf"
    path.write_text(
        "# my settings\nhz 20\nunknown-directive kept\nhz 30\n\nmaxclients 100\n",
        encoding="utf-8",
    )
    own = make_server(config={"hz": "30", "maxclients": "100"})
    own.core.config.config_file = str(path)
    with RawClient(own.port) as client:
        assert info_fields(client, "server")["config_file"] == str(path)
        assert (
            client.command("CONFIG", "SET", "hz", "15", "maxmemory", "2mb", "requirepass", 'a "b"')
            == b"+OK\r\n"
        )
        assert client.command("CONFIG", "REWRITE") == b"+OK\r\n"
    # As Valkey: a line that is no directive becomes a comment; the parameters not in the
    # file are appended in table order (Valkey's is its hash table's), then the one user.
    assert path.read_text(encoding="utf-8") == (
        "# my settings\nhz 15\n# ??? unknown-directive kept\n\nmaxclients 100\n"
        "# Generated by CONFIG REWRITE\n"
        'requirepass "a \\"b\\""\n'
        f"port {own.port}\n"  # the free port it was given differs from the default
        "maxmemory 2mb\n"
        f'dir "{os.getcwd()}"\n'
        'save ""\n'  # save and latency-tracking-info-percentiles are always written
        "latency-tracking-info-percentiles 50 99 99.9\n"
        "user default on sanitize-payload "
        "#34838019aa8c62fc1e516dc70842c1cf60be9f8d3fde2191c628ce257ce2115b ~* &* +@all\n"
    )
    assert sorted(os.listdir(tmp_path)) == ["valkey.conf"]


def test_config_rewrite_reports_write_errors(make_server: MakeServer, tmp_path: Path) -> None:
    own = make_server()
    own.core.config.config_file = str(tmp_path / "missing-directory" / "valkey.conf")
    with RawClient(own.port) as client:
        assert client.command("CONFIG", "REWRITE") == (
            b"-ERR Rewriting config file: No such file or directory\r\n"
        )


@pytest.mark.parametrize("proto", [2, 3])
def test_config_help_and_errors(raw: RawClient, proto: int) -> None:
    if proto == 3:
        resp3(raw)
    reply = raw.command("CONFIG", "HELP")
    lines = reply.split(b"\r\n")[1:-1]
    assert reply.startswith(b"*11\r\n")
    assert lines[0] == b"+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert [line for line in lines[1:] if not line.startswith(b"+ ")] == [
        b"+GET <pattern>",
        b"+SET <directive> <value>",
        b"+RESETSTAT",
        b"+REWRITE",
        b"+HELP",
    ]
    assert lines[-1] == b"+    Print this help."
    assert raw.command("CONFIG") == b"-ERR wrong number of arguments for 'config' command\r\n"
    assert raw.command("CONFIG", "foo") == b"-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"
    assert raw.command("CONFIG", "HELP", "x") == (
        b"-ERR wrong number of arguments for 'config|help' command\r\n"
    )


# -- DBSIZE, FLUSHDB, FLUSHALL, SWAPDB ---------------------------------------------------------


def test_dbsize(r: redis.Redis) -> None:
    assert r.dbsize() == 0
    r.set("a", 1)
    r.set("b", 2)
    assert r.dbsize() == 2
    r.delete("a")
    assert r.dbsize() == 1


def test_dbsize_is_per_database_and_counts_unreclaimed_expired_keys(
    make_server: MakeServer,
) -> None:
    clock = ManualClock(start_ms=START_MS)
    own = make_server(clock=clock)
    with RawClient(own.port) as client:
        client.command("SET", "a", "1")
        client.command("SET", "b", "1", "PX", "10")
        assert client.command("DBSIZE") == b":2\r\n"
        assert client.command("SELECT", "1") == b"+OK\r\n"
        assert client.command("DBSIZE") == b":0\r\n"
        client.command("SELECT", "0")
        clock.advance(1)
        # As in Valkey: an expired key counts until something removes it.
        assert client.command("DBSIZE") == b":2\r\n"
        assert client.command("GET", "b") == b"$-1\r\n"
        assert client.command("DBSIZE") == b":1\r\n"
        assert client.command("DBSIZE", "x") == (
            b"-ERR wrong number of arguments for 'dbsize' command\r\n"
        )


@pytest.mark.parametrize("mode", [(), ("SYNC",), ("async",)])
def test_flushdb_empties_only_the_selected_database(raw: RawClient, mode: tuple[str, ...]) -> None:
    raw.command("SET", "a", "1")
    raw.command("SELECT", "2")
    raw.command("SET", "b", "1")
    assert raw.command("FLUSHDB", *mode) == b"+OK\r\n"
    assert raw.command("DBSIZE") == b":0\r\n"
    raw.command("SELECT", "0")
    assert raw.command("DBSIZE") == b":1\r\n"


@pytest.mark.parametrize("mode", [(), ("sync",), ("ASYNC",)])
def test_flushall_empties_every_database(raw: RawClient, mode: tuple[str, ...]) -> None:
    raw.command("SET", "a", "1")
    raw.command("SELECT", "2")
    raw.command("SET", "b", "1")
    assert raw.command("FLUSHALL", *mode) == b"+OK\r\n"
    assert raw.command("DBSIZE") == b":0\r\n"
    raw.command("SELECT", "0")
    assert raw.command("DBSIZE") == b":0\r\n"


def test_flush_syntax_errors_change_nothing(raw: RawClient) -> None:
    raw.command("SET", "a", "1")
    for command in ("FLUSHDB", "FLUSHALL"):
        assert raw.command(command, "x") == SYNTAX
        assert raw.command(command, "sync", "async") == SYNTAX
        assert raw.command(command, "sync", "sync") == SYNTAX
    assert raw.command("DBSIZE") == b":1\r\n"


def test_flush_touches_watched_keys(raw: RawClient, server: Server) -> None:
    raw.command("SET", "a", "1")
    with RawClient(server.port) as other:
        for flush in ("FLUSHDB", "FLUSHALL"):
            raw.command("SET", "a", "1")
            assert raw.command("WATCH", "a") == b"+OK\r\n"
            assert other.command(flush) == b"+OK\r\n"
            raw.command("MULTI")
            raw.command("PING")
            assert raw.command("EXEC") == b"*-1\r\n"


def test_swapdb_exchanges_databases(raw: RawClient, server: Server) -> None:
    raw.command("SET", "a", "in0")
    raw.command("SELECT", "1")
    raw.command("SET", "b", "in1")
    with RawClient(server.port) as other:
        assert other.command("SWAPDB", "0", "1") == b"+OK\r\n"
        # A client that selected a database sees what is now in it.
        assert other.command("GET", "b") == b"$3\r\nin1\r\n"
        assert other.command("EXISTS", "a") == b":0\r\n"
    assert raw.command("GET", "a") == b"$3\r\nin0\r\n"
    assert raw.command("SWAPDB", "1", "1") == b"+OK\r\n"
    assert raw.command("GET", "a") == b"$3\r\nin0\r\n"
    assert raw.command("SWAPDB", "1", "0") == b"+OK\r\n"
    assert raw.command("GET", "b") == b"$3\r\nin1\r\n"


def test_swapdb_touches_watched_keys(raw: RawClient, server: Server) -> None:
    raw.command("SET", "a", "1")
    assert raw.command("WATCH", "a") == b"+OK\r\n"
    with RawClient(server.port) as other:
        assert other.command("SWAPDB", "0", "5") == b"+OK\r\n"
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*-1\r\n"
    raw.command("SWAPDB", "0", "5")


@pytest.mark.parametrize(
    "first, second, reply",
    [
        ("x", "0", b"-ERR invalid first DB index\r\n"),
        ("0", "x", b"-ERR invalid second DB index\r\n"),
        ("x", "y", b"-ERR invalid first DB index\r\n"),
        ("1.5", "0", b"-ERR invalid first DB index\r\n"),
        ("0", "2147483648", b"-ERR invalid second DB index\r\n"),
        ("2147483648", "x", b"-ERR invalid first DB index\r\n"),
        ("0", "16", b"-ERR DB index is out of range\r\n"),
        ("-1", "0", b"-ERR DB index is out of range\r\n"),
        ("2147483647", "0", b"-ERR DB index is out of range\r\n"),
    ],
)
def test_swapdb_errors(raw: RawClient, first: str, second: str, reply: bytes) -> None:
    raw.command("SET", "a", "1")
    assert raw.command("SWAPDB", first, second) == reply
    assert raw.command("GET", "a") == b"$1\r\n1\r\n"


def test_swapdb_arity(raw: RawClient) -> None:
    assert raw.command("SWAPDB", "0") == b"-ERR wrong number of arguments for 'swapdb' command\r\n"


# -- TIME -------------------------------------------------------------------------------------


def test_time_reads_the_server_clock(make_server: MakeServer) -> None:
    clock = ManualClock(start_ms=START_MS)
    own = make_server(clock=clock)
    with RawClient(own.port) as client:
        assert client.command("TIME") == b"*2\r\n$10\r\n1700000000\r\n$6\r\n123000\r\n"
        clock.advance(2.000456)
        assert client.command("TIME") == b"*2\r\n$10\r\n1700000002\r\n$6\r\n123456\r\n"
        clock.advance(0.876544)
        assert client.command("TIME") == b"*2\r\n$10\r\n1700000003\r\n$1\r\n0\r\n"
        resp3(client)
        assert client.command("TIME") == b"*2\r\n$10\r\n1700000003\r\n$1\r\n0\r\n"
        assert client.command("TIME", "x") == (
            b"-ERR wrong number of arguments for 'time' command\r\n"
        )


def test_time_with_redis_py(r: redis.Redis) -> None:
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 60
    assert 0 <= micros < 1_000_000


# -- SHUTDOWN ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments, reply",
    [
        (["foo"], SYNTAX),
        (["NOW", "foo"], SYNTAX),
        (["SAVE", "NOSAVE"], SYNTAX),
        (["ABORT", "NOW"], SYNTAX),
        (["NOSAVE", "ABORT"], SYNTAX),
        (["ABORT"], b"-ERR No shutdown in progress.\r\n"),
        (["abort", "ABORT"], b"-ERR No shutdown in progress.\r\n"),
    ],
)
def test_shutdown_errors_keep_the_server_running(
    raw: RawClient, arguments: list[str], reply: bytes
) -> None:
    assert raw.command("SHUTDOWN", *arguments) == reply
    assert raw.command("PING") == b"+PONG\r\n"


def test_shutdown_is_refused_inside_multi(raw: RawClient) -> None:
    assert raw.command("MULTI") == b"+OK\r\n"
    assert raw.command("SHUTDOWN") == b"-ERR Command not allowed inside a transaction\r\n"
    assert raw.command("EXEC") == (
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )


@pytest.mark.parametrize("arguments", [[], ["NOSAVE"], ["save", "now", "force"]])
def test_shutdown_stops_the_server_without_a_reply(
    make_server: MakeServer, arguments: list[str]
) -> None:
    own = make_server()
    port = own.port
    with RawClient(port) as client, RawClient(port) as bystander:
        client.send(
            encode_command("PING") + encode_command("SHUTDOWN", *arguments) + encode_command("PING")
        )
        # Replies before SHUTDOWN arrive; SHUTDOWN answers nothing and the rest never runs.
        assert client.read_until_closed() == b"+PONG\r\n"
        assert bystander.read_until_closed() == b""
    wait_until(lambda: refuses_connections(port), message="the server stopped listening")


def test_shutdown_with_redis_py(make_server: MakeServer) -> None:
    own = make_server()
    port = own.port
    client = redis.Redis(port=port)
    assert client.ping() is True
    # redis-py treats a reply as failure ("SHUTDOWN seems to have failed") and the
    # dropped connection as success.
    client.shutdown(nosave=True)
    client.close()
    wait_until(lambda: refuses_connections(port), message="the server stopped listening")
