"""Blocking reads (XREAD / XREADGROUP ... BLOCK) over real sockets, checked against Valkey 8.0.1.

A test knows a client is blocked by polling INFO (``blocked_clients``) with a
deadline, never by sleeping. Expected replies are Valkey 8.0.1's, byte for byte.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
import redis.asyncio
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.commands import streamread

NOGROUP_S = b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
OK = b"+OK\r\n"


def info_field(client: RawClient, section: str, name: str) -> str:
    text = client.command("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{name} not in INFO {section}")


@pytest.fixture
def server_for_blocking(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def control(server_for_blocking: Server) -> Iterator[RawClient]:
    with RawClient(server_for_blocking.port) as client:
        yield client


@pytest.fixture
def clients(server_for_blocking: Server) -> Iterator[Callable[[], RawClient]]:
    with raw_clients(server_for_blocking.port) as open_client:
        yield open_client


def wait_blocked(control: RawClient, count: int) -> None:
    wait_until(
        lambda: info_field(control, "clients", "blocked_clients") == str(count),
        message=f"{count} blocked clients",
    )


def entry(stream_id: str, *fields: str) -> bytes:
    body = b"".join(b"$%d\r\n%s\r\n" % (len(f), f.encode()) for f in fields)
    return b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(stream_id), stream_id.encode(), len(fields)) + body


# -- timeouts ------------------------------------------------------------------------------


def test_timeout_answers_the_null_array_in_both_protocols(clients: Callable[[], RawClient]) -> None:
    reader = clients()
    started = time.monotonic()
    assert reader.command("XREAD", "BLOCK", "100", "STREAMS", "s", "$") == b"*-1\r\n"
    assert time.monotonic() - started >= 0.1
    reader.command("HELLO", "3")
    assert reader.command("XREAD", "BLOCK", "50", "STREAMS", "s", "$") == b"_\r\n"


def test_block_1000_returns_within_the_precision_window(clients: Callable[[], RawClient]) -> None:
    reader = clients()
    started = time.monotonic()
    assert reader.command("XREAD", "BLOCK", "1000", "STREAMS", "s", "$") == b"*-1\r\n"
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.2


def test_xreadgroup_timeout(control: RawClient, clients: Callable[[], RawClient]) -> None:
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    reader = clients()
    reply = reader.command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "50", "STREAMS", "s", ">")
    assert reply == b"*-1\r\n"


# -- wakeups by XADD ------------------------------------------------------------------------


def test_xadd_wakes_a_reader_with_the_entries_after_dollar(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XADD", "s", "1-0", "f", "old")
    reader = clients()
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
    wait_blocked(control, 1)
    assert control.command("XADD", "s", "2-0", "f", "new") == b"$3\r\n2-0\r\n"
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("2-0", "f", "new")
    assert info_field(control, "clients", "blocked_clients") == "0"


def test_one_xadd_wakes_every_xread_reader(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    readers = [clients() for _ in range(3)]
    for reader in readers:
        reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
    wait_blocked(control, 3)
    control.command("XADD", "s", "5-0", "k", "v")
    expected = b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("5-0", "k", "v")
    assert [reader.read_reply() for reader in readers] == [expected] * 3


def test_reply_names_only_the_streams_with_data(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    reader = clients()
    reader.command("HELLO", "3")
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "u", "$", "$"))
    wait_blocked(control, 1)
    control.command("XADD", "u", "1-0", "k", "v")
    assert reader.read_reply() == b"%1\r\n$1\r\nu\r\n*1\r\n" + entry("1-0", "k", "v")


def test_readers_of_a_group_are_served_one_by_one_in_blocking_order(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    first, second, third = clients(), clients(), clients()
    first.command("HELLO", "3")
    for index, reader in enumerate((first, second, third), start=1):
        reader.send(
            encode_command(
                "XREADGROUP",
                "GROUP",
                "g",
                f"c{index}",
                "COUNT",
                "1",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            )
        )
        wait_blocked(control, index)
    # Two entries in one transaction: the waiters are served after EXEC, in order.
    control.command("MULTI")
    control.command("XADD", "s", "10-0", "n", "1")
    control.command("XADD", "s", "11-0", "n", "2")
    assert control.command("EXEC") == b"*2\r\n$4\r\n10-0\r\n$4\r\n11-0\r\n"
    assert first.read_reply() == b"%1\r\n$1\r\ns\r\n*1\r\n" + entry("10-0", "n", "1")
    assert second.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("11-0", "n", "2")
    assert info_field(control, "clients", "blocked_clients") == "1"  # the third still waits
    control.command("XADD", "s", "12-0", "n", "3")
    assert third.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("12-0", "n", "3")
    pending = control.command("XPENDING", "s", "g")
    assert pending.startswith(b"*4\r\n:3\r\n$4\r\n10-0\r\n$4\r\n12-0\r\n")


def test_noack_reader_is_served_without_pending_entries(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    reader = clients()
    reader.send(
        encode_command("XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">")
    )
    wait_blocked(control, 1)
    control.command("XADD", "s", "1-0", "f", "v")
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("1-0", "f", "v")
    assert control.command("XPENDING", "s", "g") == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"


def test_a_write_that_serves_nothing_keeps_the_reader_waiting(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XADD", "s", "5-0", "f", "v")
    reader = clients()
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "6-0"))
    wait_blocked(control, 1)
    control.command("XADD", "s", "6-0", "f", "v")  # not after 6-0: still nothing to serve
    assert info_field(control, "clients", "blocked_clients") == "1"
    control.command("XADD", "s", "7-0", "f", "w")
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("7-0", "f", "w")


# -- wakeups by deletion and type change -------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "reply"),
    [
        (("DEL", "s"), NOGROUP_S),
        (("UNLINK", "s"), NOGROUP_S),
        (("FLUSHALL",), NOGROUP_S),
        (("FLUSHDB",), NOGROUP_S),
        (("RENAME", "s", "t"), NOGROUP_S),
        (("XGROUP", "DESTROY", "s", "g"), NOGROUP_S),
        (("SET", "s", "x"), WRONGTYPE),
    ],
    ids=["del", "unlink", "flushall", "flushdb", "rename", "destroy", "set"],
)
def test_blocked_xreadgroup_hears_of_its_key_or_group_going(
    control: RawClient, clients: Callable[[], RawClient], trigger: tuple[str, ...], reply: bytes
) -> None:
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    reader = clients()
    reader.send(encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
    wait_blocked(control, 1)
    control.command(*trigger)
    assert reader.read_reply() == reply
    errors = control.command("INFO", "errorstats").decode()
    prefix = reply[1:].split(b" ", 1)[0].decode()
    assert f"errorstat_{prefix}:count=1" in errors
    stats = control.command("INFO", "commandstats").decode()
    assert "cmdstat_xreadgroup:calls=1," in stats and "failed_calls=1" in stats


def test_type_change_inside_a_transaction(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    reader = clients()
    reader.send(encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
    wait_blocked(control, 1)
    control.command("MULTI")
    control.command("DEL", "s")
    control.command("SET", "s", "v")
    assert control.command("EXEC") == b"*2\r\n:1\r\n+OK\r\n"
    assert reader.read_reply() == WRONGTYPE


def test_swapdb_that_removes_the_key_wakes_xreadgroup(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    reader = clients()
    reader.send(encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
    wait_blocked(control, 1)
    control.command("SWAPDB", "0", "1")
    assert reader.read_reply() == NOGROUP_S


def test_active_expiry_of_its_key_wakes_xreadgroup_with_no_other_command(
    make_server: Callable[..., Server],
) -> None:
    # Valkey 8.0.1 serves readers of keys removed by its expiry cycle before the event
    # loop sleeps again: the reader hears NOGROUP even though no client sends anything.
    clock = ManualClock()
    server = make_server(clock=clock)
    with RawClient(server.port) as control, RawClient(server.port, timeout=3.0) as reader:
        control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        assert control.command("PEXPIRE", "s", "100") == b":1\r\n"
        reader.send(
            encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
        )
        wait_blocked(control, 1)
        clock.advance(0.2)  # from now on nothing is sent: only the cron can expire the key
        assert reader.read_reply() == NOGROUP_S
        assert "errorstat_NOGROUP:count=1" in control.command("INFO", "errorstats").decode()
        assert control.command("EXISTS", "s") == b":0\r\n"


def test_a_failing_rerun_answers_its_reader_an_error_and_spares_the_writer(
    control: RawClient, clients: Callable[[], RawClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug in a woken reader's re-run used to escape from the XADD that woke it: the
    # writer got no reply (its connection failed) and the reader none at all.
    records: list[logging.LogRecord] = []
    collector = logging.Handler(logging.ERROR)
    collector.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("minivalkey")
    logger.addHandler(collector)
    try:
        reader = clients()
        reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
        wait_blocked(control, 1)

        def broken(*args: object) -> None:
            raise RuntimeError("injected")

        monkeypatch.setattr(streamread, "serve_read", broken)
        assert control.command("XADD", "s", "1-1", "f", "v") == b"$3\r\n1-1\r\n"
        assert reader.read_reply() == b"-ERR internal error while running the command\r\n"
        assert len(records) == 1 and records[0].exc_info is not None
        assert records[0].exc_info[0] is RuntimeError
        monkeypatch.undo()
        assert reader.command("XREAD", "STREAMS", "s", "0") == (
            b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("1-1", "f", "v")
        )
        assert control.command("PING") == b"+PONG\r\n"
        assert "errorstat_ERR:count=1" in control.command("INFO", "errorstats").decode()
        assert info_field(control, "clients", "blocked_clients") == "0"
    finally:
        logger.removeHandler(collector)


def test_blocked_xread_keeps_waiting_when_its_key_is_deleted(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    control.command("XADD", "s", "1-0", "f", "v")
    reader = clients()
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
    wait_blocked(control, 1)
    control.command("DEL", "s")
    control.command("SET", "s", "string now")
    control.command("DEL", "s")
    assert info_field(control, "clients", "blocked_clients") == "1"
    control.command("XADD", "s", "2-0", "f", "w")  # recreated, after the ID of the block
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("2-0", "f", "w")


# -- transactions -----------------------------------------------------------------------------


def test_block_inside_multi_does_not_block(clients: Callable[[], RawClient]) -> None:
    client = clients()
    client.command("MULTI")
    assert client.command("XREAD", "BLOCK", "0", "STREAMS", "nokey", "$") == b"+QUEUED\r\n"
    assert client.command("EXEC") == b"*1\r\n*-1\r\n"
    client.command("HELLO", "3")
    client.command("MULTI")
    client.command("XREAD", "BLOCK", "0", "STREAMS", "nokey", "$")
    assert client.command("EXEC") == b"*1\r\n_\r\n"


# -- ending a wait from outside ----------------------------------------------------------------


def client_id(client: RawClient) -> int:
    return int(client.command("CLIENT", "ID")[1:-2])


def test_client_unblock_timeout_and_error(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    reader = clients()
    reader_id = client_id(reader)
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
    wait_blocked(control, 1)
    line = control.command("CLIENT", "LIST", "ID", str(reader_id))
    assert b" flags=b " in line and b" cmd=xread " in line
    assert control.command("CLIENT", "UNBLOCK", str(reader_id), "ERROR") == b":1\r\n"
    assert reader.read_reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
    wait_blocked(control, 1)
    assert control.command("CLIENT", "UNBLOCK", str(reader_id)) == b":1\r\n"
    assert reader.read_reply() == b"*-1\r\n"
    assert control.command("CLIENT", "UNBLOCK", str(reader_id)) == b":0\r\n"
    assert control.command("CLIENT", "UNBLOCK", "999999", "TIMEOUT") == b":0\r\n"
    assert b"errorstat_UNBLOCKED:count=1" in control.command("INFO", "errorstats")
    stats = control.command("INFO", "commandstats").decode()
    assert "cmdstat_xread:calls=2," in stats and "failed_calls=1" in stats


def test_kill_and_disconnect_remove_the_waiter(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    killed, leaving = clients(), clients()
    killed_id = client_id(killed)
    control.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    killed.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "t", "$", "$"))
    leaving.send(encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
    wait_blocked(control, 2)
    assert info_field(control, "clients", "total_blocking_keys") == "2"
    assert info_field(control, "clients", "total_blocking_keys_on_nokey") == "1"
    assert control.command("CLIENT", "KILL", "ID", str(killed_id)) == b":1\r\n"
    wait_blocked(control, 1)
    assert info_field(control, "clients", "total_blocking_keys") == "1"
    leaving.close()
    wait_blocked(control, 0)
    assert info_field(control, "clients", "total_blocking_keys") == "0"
    assert info_field(control, "clients", "total_blocking_keys_on_nokey") == "0"
    control.command("XADD", "s", "1-0", "f", "v")  # nobody left to serve
    assert control.command("XLEN", "s") == b":1\r\n"


# -- the connection while blocked ------------------------------------------------------------


def test_commands_pipelined_behind_a_blocked_read_wait_for_it(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    reader = clients()
    reader.send(
        encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        + encode_command("PING")
        + encode_command("XLEN", "s")
    )
    wait_blocked(control, 1)
    reader.send(encode_command("ECHO", "later"))
    control.command("XADD", "s", "1-0", "f", "v")
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("1-0", "f", "v")
    assert reader.read_reply() == b"+PONG\r\n"
    assert reader.read_reply() == b":1\r\n"
    assert reader.read_reply() == b"$5\r\nlater\r\n"


def test_a_second_blocking_read_in_the_pipeline_blocks_in_turn(
    control: RawClient, clients: Callable[[], RawClient]
) -> None:
    reader = clients()
    reader.send(
        encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        + encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "1-0")
    )
    wait_blocked(control, 1)
    control.command("XADD", "s", "1-0", "f", "v")
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("1-0", "f", "v")
    wait_blocked(control, 1)
    control.command("XADD", "s", "2-0", "f", "w")
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n" + entry("2-0", "f", "w")


# -- real clients ------------------------------------------------------------------------------


def test_redis_py_blocking_read_in_both_protocols(
    server_for_blocking: Server, protocol: int
) -> None:
    reader = redis.Redis(port=server_for_blocking.port, protocol=protocol)
    writer = redis.Redis(port=server_for_blocking.port, protocol=protocol)
    reader.xgroup_create("jobs", "workers", id="$", mkstream=True)
    results: list[object] = []
    thread = threading.Thread(
        target=lambda: results.append(
            reader.xreadgroup("workers", "w1", {"jobs": ">"}, count=1, block=5000)
        )
    )
    thread.start()
    control = RawClient(server_for_blocking.port)
    wait_blocked(control, 1)
    writer.xadd("jobs", {"task": "resize"}, id="1-0")
    thread.join(timeout=5)
    control.close()
    expected_entries = [(b"1-0", {b"task": b"resize"})]
    if protocol == 3:
        assert results == [{b"jobs": [expected_entries]}]
    else:
        assert results == [[[b"jobs", expected_entries]]]
    assert reader.xack("jobs", "workers", "1-0") == 1
    reader.close()
    writer.close()


def test_asyncio_consumers_split_a_stream_exactly_once(
    server_for_blocking: Server, protocol: int
) -> None:
    """4 consumers blocked in XREADGROUP, a producer adds 10,000 entries: every entry is
    delivered once, acknowledged, and XPENDING ends at 0."""
    total = 10_000

    async def scenario() -> tuple[list[bytes], dict[str, int], int]:
        url = server_for_blocking.url
        admin = redis.asyncio.Redis.from_url(url, protocol=protocol)
        await admin.xgroup_create("work", "group", id="$", mkstream=True)
        seen: list[bytes] = []
        per_consumer: dict[str, int] = {}

        async def consume(name: str) -> None:
            client = redis.asyncio.Redis.from_url(url, protocol=protocol)
            try:
                while len(seen) < total:
                    reply = await client.xreadgroup(
                        "group", name, {"work": ">"}, count=50, block=200
                    )
                    if not reply:
                        continue
                    entries = reply[b"work"][0] if protocol == 3 else reply[0][1]
                    ids = [stream_id for stream_id, _ in entries]
                    seen.extend(ids)
                    per_consumer[name] = per_consumer.get(name, 0) + len(ids)
                    await client.xack("work", "group", *ids)
            finally:
                await client.aclose()

        async def produce() -> None:
            client = redis.asyncio.Redis.from_url(url, protocol=protocol)
            try:
                for start in range(0, total, 100):
                    async with client.pipeline(transaction=False) as pipe:
                        for index in range(start, start + 100):
                            pipe.xadd("work", {"n": index})
                        await pipe.execute()
            finally:
                await client.aclose()

        consumers = [asyncio.create_task(consume(f"c{i}")) for i in range(4)]
        await asyncio.wait_for(asyncio.gather(produce(), *consumers), timeout=60)
        pending = (await admin.xpending("work", "group"))["pending"]
        await admin.aclose()
        return seen, per_consumer, pending

    seen, per_consumer, pending = asyncio.run(scenario())
    assert len(seen) == total and len(set(seen)) == total
    assert pending == 0
    assert sum(per_consumer.values()) == total


# -- a key that comes into existence serves its waiters, whatever brought it ----------------


@pytest.mark.parametrize(
    "bring",
    [
        pytest.param([["RENAME", "src", "k"]], id="rename"),
        pytest.param([["RENAMENX", "src", "k"]], id="renamenx"),
        pytest.param([["COPY", "src", "k"]], id="copy"),
        pytest.param([["SELECT", "1"], ["COPY", "src", "k", "DB", "0"]], id="copy-db"),
        pytest.param([["SWAPDB", "0", "1"]], id="swapdb"),
    ],
)
def test_a_stream_brought_onto_a_waited_key_serves_the_reader(
    clients: Callable[[], RawClient], control: RawClient, bring: list[list[str]]
) -> None:
    # Valkey 8.0.1 answers the reader at once in each case (signalKeyAsReady in dbAdd).
    source_db = "1" if bring[0][0] in ("SELECT", "SWAPDB") else "0"
    source_key = "k" if bring[0][0] == "SWAPDB" else "src"
    assert control.command("SELECT", source_db) == OK
    assert control.command("XADD", source_key, "1-1", "f", "v") == b"$3\r\n1-1\r\n"
    assert control.command("SELECT", "0") == OK
    reader = clients()
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "k", "0-0"))
    wait_blocked(control, 1)
    if bring[0][0] != "SELECT":
        assert control.command("SELECT", "0") == OK
    for argv in bring:
        assert not control.command(*argv).startswith(b"-")
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\nk\r\n*1\r\n" + entry("1-1", "f", "v")
    wait_blocked(control, 0)


def test_a_key_brought_with_another_type_leaves_the_reader_waiting(
    clients: Callable[[], RawClient], control: RawClient
) -> None:
    assert control.command("SET", "src", "text") == OK
    reader = clients()
    reader.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "k", "0-0"))
    wait_blocked(control, 1)
    assert control.command("RENAME", "src", "k") == OK
    wait_blocked(control, 1)
    assert control.command("DEL", "k") == b":1\r\n"
    assert control.command("XADD", "k", "2-2", "a", "b") == b"$3\r\n2-2\r\n"
    assert reader.read_reply() == b"*1\r\n*2\r\n$1\r\nk\r\n*1\r\n" + entry("2-2", "a", "b")
