"""DUMP and RESTORE over sockets, RESP2 and RESP3, replies checked against Valkey 8.0.1:
payloads, every option and error in Valkey's order of checks, TTLs (relative, ABSTTL,
already past, overflowing), REPLACE, keyspace events, WATCH, keyspace hits and
misses, blocked readers served by a restored stream, and payloads moved between
this server and valkey-server (the golden bytes below were DUMPed by it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, wait_until

from minivalkey import ManualClock, Server, events
from minivalkey.clock import ManualClock as Clock
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.session import Client

START_MS = 1_700_000_000_000
NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
OK = b"+OK\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
BUSYKEY = b"-BUSYKEY Target key name already exists.\r\n"
INVALID_TTL = b"-ERR Invalid TTL value, must be >= 0\r\n"
INVALID_IDLETIME = b"-ERR Invalid IDLETIME value, must be >= 0\r\n"
INVALID_FREQ = b"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n"
BAD_FOOTER = b"-ERR DUMP payload version or checksum are wrong\r\n"
BAD_DATA = b"-ERR Bad data format\r\n"

# valkey-server 8.0.1: SET s hello; DUMP s
HELLO = bytes.fromhex("000568656c6c6f0b000aad620598abc983")
# valkey-server 8.0.1: HSET h a 1 b hello; DUMP h
HASH = bytes.fromhex("101616000000040081610201018162028568656c6c6f06ff0b00811a43ea13987cd4")
# valkey-server 8.0.1: XADD x 1-1 f v; XGROUP CREATE x g 0;
# XREADGROUP GROUP g alice STREAMS x > (delivered at 1796665573917); DUMP x
STREAM = bytes.fromhex(
    "150110000000000000000100000000000000011d1d0000000a000101000101018166020001020100"
    "0100018176020401ff010101010100000101016701010101000000000000000100000000000000011d"
    "029d51a2010000010105616c6963651d029d51a20100001d029d51a2010000010000000000000001"
    "00000000000000010b00eed3f655faf6507a"
)
STREAM_DELIVERED_MS = int.from_bytes(bytes.fromhex("1d029d51a2010000"), "little")


def bulk(data: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(data), data)


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    return raw


@pytest.fixture
def clocked(make_server: Callable[..., Server]) -> Iterator[tuple[RawClient, ManualClock]]:
    clock = ManualClock(START_MS)
    server = make_server(clock=clock)
    with RawClient(server.port) as client:
        yield client, clock


# -- DUMP ------------------------------------------------------------------------------------------


def test_dump(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("DUMP", "nokey") == NULL[protocol]
    rawp.command("SET", "s", "hello")
    assert rawp.command("DUMP", "s") == bulk(HELLO)
    rawp.command("HSET", "h", "a", "1", "b", "hello")
    assert rawp.command("DUMP", "h") == bulk(HASH)
    assert rawp.command("DUMP") == b"-ERR wrong number of arguments for 'dump' command\r\n"
    assert (
        rawp.command("DUMP", "s", "x") == b"-ERR wrong number of arguments for 'dump' command\r\n"
    )


def test_dump_counts_keyspace_hits_and_misses(raw: RawClient) -> None:
    raw.command("CONFIG", "RESETSTAT")
    raw.command("SET", "s", "v")
    raw.command("DUMP", "s")
    raw.command("DUMP", "nokey")
    raw.command("DUMP", "nokey")
    stats = raw.command("INFO", "stats")
    assert b"keyspace_hits:1\r\n" in stats
    assert b"keyspace_misses:2\r\n" in stats


def test_round_trips_of_each_type(r: redis.Redis) -> None:
    r.set("s", "hello")
    r.set("n", "12345")
    r.hset("h", mapping={"a": "1", "b": "x" * 70})
    r.sadd("si", 3, 1, 2)
    r.sadd("sl", "a", "b")
    r.rpush("l", "a", "1", "x" * 9000)
    r.zadd("z", {"a": 1, "b": 2.5, "c": float("-inf")})
    r.zadd("zs", {f"m{n}": n / 3 for n in range(200)})
    r.xadd("x", {"f": "v"}, id="1-1")
    r.xadd("x", {"f": "w", "g": "z"}, id="2-0")
    r.xgroup_create("x", "g", id="0")
    r.xreadgroup("g", "alice", {"x": ">"}, count=1)
    for key in ("s", "n", "h", "si", "sl", "l", "z", "zs", "x"):
        assert r.restore(key + "2", 0, r.dump(key)) == b"OK"
        assert r.type(key + "2") == r.type(key)
        assert r.dump(key + "2") == r.dump(key)
    assert r.get("n2") == b"12345"
    assert r.hgetall("h2") == {b"a": b"1", b"b": b"x" * 70}
    assert r.smembers("si2") == {b"1", b"2", b"3"}
    assert r.lrange("l2", 0, -1) == [b"a", b"1", b"x" * 9000]
    assert [tuple(pair) for pair in r.zrange("z2", 0, -1, withscores=True)] == [
        (b"c", float("-inf")),
        (b"a", 1.0),
        (b"b", 2.5),
    ]
    assert r.zrange("zs2", 0, -1, withscores=True) == r.zrange("zs", 0, -1, withscores=True)
    assert r.execute_command("XINFO", "STREAM", "x2", "FULL") == r.execute_command(
        "XINFO", "STREAM", "x", "FULL"
    )


def test_restore_of_valkey_payloads(r: redis.Redis) -> None:
    assert r.restore("s", 0, HELLO) == b"OK"
    assert r.get("s") == b"hello"
    assert r.restore("h", 0, HASH) == b"OK"
    assert r.hgetall("h") == {b"a": b"1", b"b": b"hello"}
    assert r.restore("x", 0, STREAM) == b"OK"
    assert r.xrange("x") == [(b"1-1", {b"f": b"v"})]
    (pending,) = r.xpending_range("x", "g", "-", "+", 10)
    assert (pending["message_id"], pending["consumer"], pending["times_delivered"]) == (
        b"1-1",
        b"alice",
        1,
    )
    info = r.execute_command("XINFO", "GROUPS", "x")
    assert len(info) == 1
    assert r.dump("x") == STREAM


def test_a_restored_stream_keeps_its_times(clocked: tuple[RawClient, ManualClock]) -> None:
    client, _ = clocked
    assert client.command("RESTORE", "x", "0", STREAM) == OK
    full = client.command("XINFO", "STREAM", "x", "FULL")
    assert b":%d\r\n" % STREAM_DELIVERED_MS in full  # delivery, seen and active times
    # the group PEL and the consumer PEL both show the delivery time
    assert full.count(b":%d\r\n" % STREAM_DELIVERED_MS) == 4
    assert client.command("DUMP", "x") == bulk(STREAM)


# -- RESTORE: options and errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["k", "0", HELLO], OK),
        (["k", "0", HELLO, "REPLACE", "ABSTTL"], OK),
        (["k", "0", HELLO, "idletime", "0"], OK),
        (["k", "0", HELLO, "IDLETIME", "5", "IDLETIME", "6"], OK),
        (["k", "0", HELLO, "FREQ", "0"], OK),
        (["k", "0", HELLO, "freq", "255", "FREQ", "1"], OK),
        (["k", "0", HELLO, "bogus"], SYNTAX),
        (["k", "0", HELLO, "IDLETIME"], SYNTAX),
        (["k", "0", HELLO, "FREQ"], SYNTAX),
        (["k", "0", HELLO, "IDLETIME", "1", "FREQ", "1"], SYNTAX),
        (["k", "0", HELLO, "FREQ", "1", "IDLETIME", "1"], SYNTAX),
        (["k", "0", HELLO, "IDLETIME", "x"], NOT_INTEGER),
        (["k", "0", HELLO, "IDLETIME", "1.5"], NOT_INTEGER),
        (["k", "0", HELLO, "IDLETIME", "-1"], INVALID_IDLETIME),
        (["k", "0", HELLO, "FREQ", "256"], INVALID_FREQ),
        (["k", "0", HELLO, "FREQ", "-1"], INVALID_FREQ),
        (["k", "0", HELLO, "FREQ", "x", "IDLETIME"], NOT_INTEGER),
        (["k", "x", HELLO], NOT_INTEGER),
        (["k", "-1", HELLO], INVALID_TTL),
        (["k", "-1", b"junk"], INVALID_TTL),
        (["k", "0", b"junk"], BAD_FOOTER),
        (["k", "0", b""], BAD_FOOTER),
        (["k", "0", HELLO[:-1] + b"\x00"], BAD_FOOTER),
        (["k", "0", b"\x00\x05hello\x0c\x00" + HELLO[-8:]], BAD_FOOTER),  # version 12
        (["k", "0", b"\x08" + HELLO[1:]], BAD_FOOTER),  # the CRC covers the type
        (["k", "0"], b"-ERR wrong number of arguments for 'restore' command\r\n"),
    ],
)
def test_restore_replies(rawp: RawClient, args: list[str | bytes], reply: bytes) -> None:
    assert rawp.command("RESTORE", *args) == reply
    assert rawp.command("EXISTS", "k") == (b":1\r\n" if reply == OK else b":0\r\n")


def test_a_payload_that_does_not_load_is_bad_data(rawp: RawClient) -> None:
    rawp.command("SET", "src", "hello")
    with_footer = b"\x08\x00\x0b\x00"  # type 8 is no object type; CRC computed here
    from minivalkey.rdb.crc64 import crc64

    payload = with_footer + crc64(with_footer).to_bytes(8, "little")
    assert rawp.command("RESTORE", "k", "0", payload) == BAD_DATA
    assert rawp.command("RESTORE", "src", "0", payload, "REPLACE") == BAD_DATA
    assert rawp.command("GET", "src") == bulk(b"hello")  # a failed RESTORE changes nothing


def test_the_order_of_checks(rawp: RawClient) -> None:
    rawp.command("SET", "k", "old")
    # options first, then the target, then the TTL, then the payload
    assert rawp.command("RESTORE", "k", "-1", "junk", "bogus") == SYNTAX
    assert rawp.command("RESTORE", "k", "-1", "junk", "FREQ", "300") == INVALID_FREQ
    assert rawp.command("RESTORE", "k", "-1", "junk") == BUSYKEY
    assert rawp.command("RESTORE", "k", "x", "junk", "REPLACE") == NOT_INTEGER
    assert rawp.command("RESTORE", "k", "-1", "junk", "REPLACE") == INVALID_TTL
    assert rawp.command("RESTORE", "k", "0", "junk", "REPLACE") == BAD_FOOTER
    assert rawp.command("GET", "k") == bulk(b"old")


def test_replace(rawp: RawClient) -> None:
    rawp.command("HSET", "k", "f", "v")
    assert rawp.command("RESTORE", "k", "0", HELLO) == BUSYKEY
    assert rawp.command("RESTORE", "k", "0", HELLO, "replace") == OK
    assert rawp.command("GET", "k") == bulk(b"hello")
    assert rawp.command("TYPE", "k") == b"+string\r\n"


def test_rdbcompression(clocked: tuple[RawClient, ManualClock]) -> None:
    client, _ = clocked
    client.command("SET", "s", "a" * 45)
    compressed = bytes.fromhex("00c3092d016161e02000016161") + b"\x0b\x00"
    assert client.command("DUMP", "s").startswith(b"$23\r\n" + compressed)
    client.command("CONFIG", "SET", "rdbcompression", "no")
    assert client.command("DUMP", "s").startswith(b"$57\r\n\x00\x2d" + b"a" * 45 + b"\x0b\x00")


def test_sanitize_dump_payload(clocked: tuple[RawClient, ManualClock]) -> None:
    """A hash listpack whose first back-length is wrong: only deep sanitization sees it
    (valkey-server 8.0.1 answers the same in each mode)."""
    from minivalkey.rdb.crc64 import crc64

    blob = bytes.fromhex("130000000400816609817602816702817702ff")  # 09: should be 02
    body = b"\x10" + bytes((len(blob),)) + blob + b"\x0b\x00"
    payload = body + crc64(body).to_bytes(8, "little")
    client, _ = clocked
    replies = {}
    for mode in ("no", "yes", "clients"):
        assert client.command("CONFIG", "SET", "sanitize-dump-payload", mode) == OK
        replies[mode] = client.command("RESTORE", "h-" + mode, "0", payload)
    assert replies == {"no": OK, "yes": BAD_DATA, "clients": BAD_DATA}
    assert client.command("HGETALL", "h-no") == b"*4\r\n" + b"".join(
        map(bulk, (b"f", b"v", b"g", b"w"))
    )


def test_idletime_and_freq(clocked: tuple[RawClient, ManualClock]) -> None:
    client, clock = clocked
    client.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    assert client.command("RESTORE", "idle", "0", HELLO, "IDLETIME", "1000") == OK
    assert client.command("OBJECT", "IDLETIME", "idle") == b":1000\r\n"
    clock.advance(5)
    assert client.command("OBJECT", "IDLETIME", "idle") == b":1005\r\n"
    assert client.command("RESTORE", "nofreq", "0", HELLO, "FREQ", "50") == OK  # ignored
    assert client.command("OBJECT", "IDLETIME", "nofreq") == b":0\r\n"
    client.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    assert client.command("RESTORE", "freq", "0", HELLO, "FREQ", "100") == OK
    assert client.command("OBJECT", "FREQ", "freq") == b":100\r\n"
    assert client.command("RESTORE", "noidle", "0", HELLO, "IDLETIME", "1000") == OK  # ignored
    assert client.command("OBJECT", "FREQ", "noidle") == b":5\r\n"  # a new key's counter
    client.command("CONFIG", "SET", "maxmemory-policy", "noeviction")
    assert client.command("RESTORE", "plain", "0", HELLO, "IDLETIME", "7") == OK
    assert client.command("OBJECT", "IDLETIME", "plain") == b":7\r\n"


# -- TTLs ----------------------------------------------------------------------------------------


def test_ttls(clocked: tuple[RawClient, ManualClock]) -> None:
    client, clock = clocked
    assert client.command("RESTORE", "rel", "5000", HELLO) == OK
    assert client.command("PEXPIRETIME", "rel") == b":%d\r\n" % (START_MS + 5000)
    assert client.command("RESTORE", "abs", str(START_MS + 7), HELLO, "ABSTTL") == OK
    assert client.command("PTTL", "abs") == b":7\r\n"
    assert client.command("RESTORE", "none", "0", HELLO, "ABSTTL") == OK
    assert client.command("PTTL", "none") == b":-1\r\n"
    # a deadline already past stores nothing, and answers OK
    assert client.command("RESTORE", "past", str(START_MS), HELLO, "ABSTTL") == OK
    assert client.command("EXISTS", "past") == b":0\r\n"
    # the relative TTL wraps around in 64 bits as Valkey's addition does: in the past
    assert client.command("RESTORE", "huge", "9223372036854775807", HELLO) == OK
    assert client.command("EXISTS", "huge") == b":0\r\n"
    # a key whose own deadline passed is no obstacle
    client.command("SET", "old", "v", "PX", "10")
    clock.advance_ms(10)
    assert client.command("RESTORE", "old", "0", HELLO) == OK
    assert client.command("GET", "old") == bulk(b"hello")


def test_replace_with_a_past_deadline_deletes_the_key(
    clocked: tuple[RawClient, ManualClock],
) -> None:
    client, _ = clocked
    client.command("SET", "k", "old")
    assert client.command("RESTORE", "k", "1", HELLO, "ABSTTL", "REPLACE") == OK
    assert client.command("EXISTS", "k") == b":0\r\n"
    client.command("SET", "k", "old")
    assert client.command("RESTORE", "k", "1", HELLO, "ABSTTL") == BUSYKEY
    assert client.command("GET", "k") == bulk(b"old")


# -- keyspace events, WATCH, blocked readers ----------------------------------------------------


def _evented() -> tuple[Client, list[tuple[int, str, bytes]]]:
    core = ServerCore(clock=Clock(START_MS))
    seen: list[tuple[int, str, bytes]] = []
    core.keyspace.event_sink = lambda cls, event, key, db: seen.append((cls, event, key))
    client = Client(core)
    assert execute(client, [b"CONFIG", b"SET", b"notify-keyspace-events", b"KEA"]) == OK
    return client, seen


def test_keyspace_events() -> None:
    """As valkey-server 8.0.1 publishes them under KEAn: dbAdd's ``new`` before each
    ``restore``; a deadline already past deletes the replaced key (``del``)."""
    client, seen = _evented()
    assert execute(client, [b"CONFIG", b"SET", b"notify-keyspace-events", b"KEAn"]) == OK
    assert execute(client, [b"RESTORE", b"k", b"0", HELLO]) == OK
    assert execute(client, [b"RESTORE", b"k", b"0", HELLO, b"REPLACE"]) == OK
    assert execute(client, [b"RESTORE", b"k", b"1", HELLO, b"ABSTTL", b"REPLACE"]) == OK
    assert execute(client, [b"RESTORE", b"k2", b"1", HELLO, b"ABSTTL"]) == OK
    assert execute(client, [b"RESTORE", b"k", b"0", b"junk"]) == BAD_FOOTER
    assert [item[1:] for item in seen] == [
        ("new", b"k"),
        ("restore", b"k"),
        ("new", b"k"),
        ("restore", b"k"),
        ("del", b"k"),
    ]
    assert {item[0] for item in seen if item[1] != "new"} == {events.GENERIC}


def test_replace_deletes_a_key_past_its_deadline_without_expiring_it() -> None:
    client, seen = _evented()
    clock = client.core.clock
    assert isinstance(clock, Clock)
    execute(client, [b"SET", b"k", b"v", b"PX", b"10"])
    execute(client, [b"SET", b"k2", b"v", b"PX", b"10"])
    clock.advance_ms(20)
    del seen[:]
    assert execute(client, [b"RESTORE", b"k", b"0", HELLO, b"REPLACE"]) == OK
    assert execute(client, [b"RESTORE", b"k2", b"1", HELLO, b"ABSTTL", b"REPLACE"]) == OK
    generic = [item[1:] for item in seen if item[0] != events.NEW]
    assert generic == [("restore", b"k"), ("del", b"k2")]
    assert client.core.keyspace.stats_expired_keys == 0
    assert execute(client, [b"GET", b"k"]) == bulk(b"hello")
    assert execute(client, [b"EXISTS", b"k2"]) == b":0\r\n"


def test_restore_touches_watched_keys(server: Server, raw: RawClient) -> None:
    for replace in (False, True):
        with RawClient(server.port) as other:
            raw.command("WATCH", "k")
            args = ["RESTORE", "k", "0", HELLO] + (["REPLACE"] if replace else [])
            assert other.command(*args) == OK
            raw.command("MULTI")
            raw.command("GET", "k")
            assert raw.command("EXEC") == b"*-1\r\n"
    raw.command("WATCH", "k")
    with RawClient(server.port) as other:
        assert other.command("RESTORE", "k", "0", HELLO) == BUSYKEY  # no change, no touch
    raw.command("MULTI")
    raw.command("GET", "k")
    assert raw.command("EXEC") == b"*1\r\n" + bulk(b"hello")


def test_a_restored_stream_serves_blocked_readers(server: Server) -> None:
    client = redis.Redis(port=server.port)
    client.flushall()
    results: list[object] = []

    def read() -> None:
        with redis.Redis(port=server.port) as reader:
            results.append(reader.execute_command("XREAD", "BLOCK", "0", "STREAMS", "x", "0-0"))

    thread = threading.Thread(target=read)
    thread.start()
    wait_until(lambda: client.info("clients")["blocked_clients"] == 1)
    assert client.restore("x", 0, STREAM) == b"OK"
    thread.join(5)
    assert results == [[[b"x", [(b"1-1", {b"f": b"v"})]]]]


def test_a_restored_list_serves_blocked_pops(server: Server) -> None:
    client = redis.Redis(port=server.port)
    client.flushall()
    client.rpush("src", "a", "b")
    payload = client.dump("src")
    results: list[object] = []

    def pop() -> None:
        with redis.Redis(port=server.port) as reader:
            results.append(reader.blpop(["l"], 0))

    thread = threading.Thread(target=pop)
    thread.start()
    wait_until(lambda: client.info("clients")["blocked_clients"] == 1)
    assert client.restore("l", 0, payload) == b"OK"
    thread.join(5)
    assert results == [(b"l", b"a")]
    assert client.lrange("l", 0, -1) == [b"b"]
