"""taskiq's Redis stream broker and result backend, run against an embedded minivalkey.

taskiq-redis's ``RedisStreamBroker`` creates its consumer group (XGROUP CREATE ... $
MKSTREAM), kicks a task with XADD (``MAXLEN ~`` when given a length), and its worker
reads with XREADGROUP ... BLOCK and acknowledges with XACK once the result is saved.
After each read that delivered something, the worker takes over the entries other
consumers left pending for longer than its idle timeout: one MULTI holding SET NX (a
lock), XAUTOCLAIM and the EVALSHA of redis-py's lock-release script, preceded by
SCRIPT EXISTS (and SCRIPT LOAD while the script is not cached). The result backend
``RedisAsyncResultBackend`` writes results with SET ... EX and reads them with EXISTS
and GET.

The workers run in this test's loop through taskiq's ``run_receiver_task`` (its
``Receiver``), as ``taskiq worker`` runs them. The server's clock is a ManualClock:
stream IDs and TTLs are exact, and a dead worker's entry becomes idle past the
timeout by moving the clock, not by waiting. The tests wait for observable states
(results ready, XPENDING empty, commands counted in INFO commandstats) with a
deadline, never for a time.

redis-py is used with its default protocol (RESP3 on the wire, replies shaped as in
RESP2) and with ``protocol=2``; taskiq-redis reads XREADGROUP's reply as RESP2's list
of pairs, so ``protocol=3`` given explicitly is not a set-up it supports (against
redis-server either).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import pytest
import redis.asyncio as aredis
from helpers import RawClient
from redis.asyncio.lock import Lock
from taskiq import Context, TaskiqDepends
from taskiq.api import run_receiver_task
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.monitor import quote

QUEUE = "taskiq"  # the broker's stream and group, by default
START_MS = 1_700_000_000_000
DEADLINE_S = 10.0
RELEASE_SHA = hashlib.sha1(Lock.LUA_RELEASE_SCRIPT.encode()).hexdigest().encode()
LOCK_KEY = f"autoclaim:{QUEUE}:{QUEUE}"

Executions = list[tuple[str, list[int], str]]  # task name, arguments, consumer
CONTEXT: Any = TaskiqDepends()  # a task's parameter receiving taskiq's Context


def consumer_of(context: Context) -> str:
    """The consumer name of the worker running the task."""
    broker = context.broker
    assert isinstance(broker, RedisStreamBroker)
    return broker.consumer_name


_ARGUMENT = re.compile(rb'"((?:[^"\\]|\\.)*)"')


def monitored(line: bytes) -> tuple[bytes, list[bytes]]:
    """A MONITOR line as (origin, quoted arguments as printed)."""
    origin = line.split(b"] ", 1)[0].split(b" ")[-1]
    return origin, _ARGUMENT.findall(line.split(b"] ", 1)[1])


async def eventually(condition: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; fail at the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = await condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {DEADLINE_S}s: {what}")
        await asyncio.sleep(0.005)  # a polling interval, not a wait for a state


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_ms=START_MS)


@pytest.fixture
def valkey(make_server: Callable[..., Server], clock: ManualClock) -> Server:
    return make_server(clock=clock)


@pytest.fixture
async def inspector(valkey: Server) -> AsyncIterator[aredis.Redis]:
    """A plain client to look at the stream, the group and the results from outside."""
    client = aredis.Redis.from_url(valkey.url, protocol=2)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def watcher(valkey: Server) -> Iterator[RawClient]:
    """A connection that ran MONITOR before the test's brokers connected."""
    with RawClient(valkey.port) as client:
        assert client.command("MONITOR") == b"+OK\r\n"
        yield client


@pytest.fixture(params=[None, 2], ids=["default-protocol", "resp2"])
def protocol(request: pytest.FixtureRequest) -> int | None:
    return request.param  # type: ignore[no-any-return]


def make_broker(
    server: Server,
    consumer: str,
    executions: Executions,
    protocol: int | None = None,
    **options: Any,
) -> RedisStreamBroker:
    """A stream broker with a result backend (results kept 60 s), consumer ``consumer``,
    and three tasks: ``add`` (async), ``multiply`` (sync, run in the worker's thread
    pool) and ``fail`` (raises). Each run is recorded in ``executions``."""
    connection: dict[str, Any] = {} if protocol is None else {"protocol": protocol}
    backend: RedisAsyncResultBackend[Any] = RedisAsyncResultBackend(
        server.url, result_ex_time=60, **connection
    )
    broker = RedisStreamBroker(
        server.url, consumer_name=consumer, **options, **connection
    ).with_result_backend(backend)

    @broker.task(task_name="add")
    async def add(a: int, b: int, context: Context = CONTEXT) -> int:
        executions.append(("add", [a, b], consumer_of(context)))
        return a + b

    @broker.task(task_name="multiply")
    def multiply(a: int, b: int, context: Context = CONTEXT) -> int:
        executions.append(("multiply", [a, b], consumer_of(context)))
        return a * b

    @broker.task(task_name="fail")
    async def fail(a: int, context: Context = CONTEXT) -> int:
        executions.append(("fail", [a], consumer_of(context)))
        raise ValueError(f"task {a} failed")

    return broker


@asynccontextmanager
async def started(broker: RedisStreamBroker) -> AsyncIterator[RedisStreamBroker]:
    """The broker started (its group declared), shut down on the way out."""
    await broker.startup()
    try:
        yield broker
    finally:
        await broker.shutdown()


@asynccontextmanager
async def working(broker: RedisStreamBroker) -> AsyncIterator[None]:
    """A worker on ``broker``: taskiq's receiver loop, cancelled on the way out."""
    async with started(broker):
        loop = asyncio.create_task(run_receiver_task(broker))
        try:
            yield
        finally:
            loop.cancel()
            with suppress(asyncio.CancelledError):
                await loop


async def kick(broker: RedisStreamBroker, name: str, *args: int) -> Any:
    task = broker.find_task(name)
    assert task is not None
    return await task.kiq(*args)


async def result_of(kicked: Any) -> Any:
    return await kicked.wait_result(check_interval=0.005, timeout=DEADLINE_S)


async def commandstats(client: aredis.Redis) -> dict[str, int]:
    """Calls per command (``script|exists`` for a subcommand)."""
    stats = await client.info("commandstats")
    return {name[len("cmdstat_") :]: int(entry["calls"]) for name, entry in stats.items()}


async def calls_of(client: aredis.Redis, name: str) -> int:
    return (await commandstats(client)).get(name, 0)


async def nothing_pending(client: aredis.Redis) -> None:
    async def acked() -> bool:
        return bool((await client.xpending(QUEUE, QUEUE))["pending"] == 0)

    await eventually(acked, "every delivered task acknowledged")


async def autoclaims_done(client: aredis.Redis, count: int) -> None:
    """Wait until ``count`` passes over the pending entries have run (each one MULTI
    ... EXEC holding XAUTOCLAIM and the EVALSHA that releases the lock)."""

    async def done() -> bool:
        return await calls_of(client, "exec") >= count

    await eventually(done, f"{count} XAUTOCLAIM passes")


async def test_a_task_runs_once_and_its_result_is_read_back(
    valkey: Server, inspector: aredis.Redis, watcher: RawClient, protocol: int | None
) -> None:
    executions: Executions = []
    worker = make_broker(valkey, "worker-1", executions, protocol)
    async with working(worker):
        [group] = await inspector.xinfo_groups(QUEUE)  # declared at the new stream's end
        assert (group["name"], group["last-delivered-id"], group["pending"]) == (
            b"taskiq",
            b"0-0",
            0,
        )
        kicked = await kick(worker, "add", 2, 3)
        result = await result_of(kicked)
        assert (result.return_value, result.is_err, result.error) == (5, False, None)
        assert executions == [("add", [2, 3], "worker-1")]

        [(entry_id, fields)] = await inspector.xrange(QUEUE)
        assert entry_id == b"%d-0" % START_MS
        message = json.loads(fields[b"data"])
        assert (message["task_id"], message["task_name"], message["args"]) == (
            kicked.task_id,
            "add",
            [2, 3],
        )
        # The result is kept for 60 s (SET ... EX 60), pickled by the backend.
        assert await inspector.ttl(kicked.task_id) == 60
        assert (await worker.result_backend.get_result(kicked.task_id)).return_value == 5

        await nothing_pending(inspector)
        await autoclaims_done(inspector, 1)
        # One read, one acknowledgement, one pass over the pending entries: SCRIPT
        # EXISTS finds the release script missing, SCRIPT LOAD caches it, then MULTI
        # SET NX, XAUTOCLAIM, EVALSHA, EXEC.
        once = [
            *("xadd", "xack", "script|exists", "script|load"),
            *("multi", "xautoclaim", "evalsha", "exec"),
        ]
        stats = await commandstats(inspector)
        assert {name: stats.get(name, 0) for name in once} == dict.fromkeys(once, 1)
        assert await inspector.script_exists(RELEASE_SHA.decode()) == [True]
        assert await inspector.exists(LOCK_KEY) == 0  # the script released the lock

        async def reading_again() -> bool:
            return int((await inspector.info("clients"))["blocked_clients"]) == 1

        await eventually(reading_again, "the worker's next read blocked")
        await inspector.echo("seen")  # the last line MONITOR shows
        lines = [monitored(watcher.read_reply())]
        while lines[-1][1] != [b"ECHO", b"seen"]:
            lines.append(monitored(watcher.read_reply()))
        # Two reads (the one served, then the one blocked again: each shown once, when
        # it ran) around one pass over the pending entries, on the pipeline's connection
        # (lua: what the script called).
        read = [b"XREADGROUP", b"GROUP", b"taskiq", b"worker-1", b"COUNT", b"100"]
        read += [b"BLOCK", b"2000", b"STREAMS", b"taskiq", b">"]
        reads = [n for n, (_, argv) in enumerate(lines) if argv == read]
        begin = next(n for n, (_, argv) in enumerate(lines) if argv[:2] == [b"SCRIPT", b"EXISTS"])
        end = next(n for n, (_, argv) in enumerate(lines) if argv == [b"EXEC"])
        assert len(reads) == 2 and reads[0] < begin < end < reads[1]
        pipeline = lines[begin][0]
        seen = [argv for origin, argv in lines[begin : end + 1] if origin in (pipeline, b"lua")]
        lock, token = LOCK_KEY.encode(), seen[3][2]
        release = quote(Lock.LUA_RELEASE_SCRIPT.encode())[1:-1]
        assert seen == [
            [b"SCRIPT", b"EXISTS", RELEASE_SHA],
            [b"SCRIPT", b"LOAD", release],
            [b"MULTI"],
            [b"SET", lock, token, b"NX"],
            [b"XAUTOCLAIM", b"taskiq", b"taskiq", b"worker-1", b"600000", b"0-0", b"COUNT", b"100"],
            [b"EVALSHA", RELEASE_SHA, b"1", lock, token],  # before what its script calls
            [b"get", lock],
            [b"del", lock],
            [b"EXEC"],
        ]
        ran = list(zip([pipeline] * 3 + [b"lua"] * 2 + [pipeline], seen[3:], strict=True))
        assert lines[end - 5 : end + 1] == ran  # EXEC shows them together, itself last
        saved = [argv[3:] for _, argv in lines if argv[:2] == [b"SET", kicked.task_id.encode()]]
        assert saved == [[b"EX", b"60"]]
        [group] = await inspector.xinfo_groups(QUEUE)
        assert (group["last-delivered-id"], group["entries-read"], group["lag"]) == (
            entry_id,
            1,
            0,
        )
        [consumer] = await inspector.xinfo_consumers(QUEUE, QUEUE)
        assert (consumer["name"], consumer["pending"]) == (b"worker-1", 0)


async def test_many_tasks_on_two_workers_each_run_once(
    valkey: Server, inspector: aredis.Redis, protocol: int | None
) -> None:
    executions: Executions = []
    workers = [
        make_broker(valkey, f"worker-{n}", executions, protocol, maxlen=1000) for n in (1, 2)
    ]
    client = make_broker(valkey, "client", executions, protocol, maxlen=1000)
    async with working(workers[0]), working(workers[1]), started(client):
        kicked = []
        for n in range(15):
            kicked.append(await kick(client, "add", n, 100))
            kicked.append(await kick(client, "multiply", n, 3))
        kicked.append(await kick(client, "fail", 7))
        results = await asyncio.gather(*map(result_of, kicked))

        assert [result.return_value for result in results[:-1]] == [
            value for n in range(15) for value in (n + 100, n * 3)
        ]
        assert not any(result.is_err for result in results[:-1])
        failed = results[-1]
        assert (failed.is_err, failed.return_value) == (True, None)
        assert (type(failed.error), str(failed.error)) == (ValueError, "task 7 failed")

        # Each task ran exactly once, on one of the two workers.
        assert sorted((name, args) for name, args, _ in executions) == sorted(
            [("add", [n, 100]) for n in range(15)]
            + [("multiply", [n, 3]) for n in range(15)]
            + [("fail", [7])]
        )
        assert {consumer for _, _, consumer in executions} <= {"worker-1", "worker-2"}
        await nothing_pending(inspector)
        assert await inspector.xlen(QUEUE) == 31  # MAXLEN ~ 1000 trims nothing yet
        ids = [entry_id for entry_id, _ in await inspector.xrange(QUEUE)]
        assert ids == [b"%d-%d" % (START_MS, n) for n in range(31)]  # the clock stands still
        [group] = await inspector.xinfo_groups(QUEUE)
        assert (group["consumers"], group["pending"], group["entries-read"], group["lag"]) == (
            2,
            0,
            31,
            0,
        )
        assert group["last-delivered-id"] == ids[-1]
        consumers = await inspector.xinfo_consumers(QUEUE, QUEUE)
        assert [(c["name"], c["pending"]) for c in consumers] == [
            (b"worker-1", 0),
            (b"worker-2", 0),
        ]
        for task in kicked:
            assert await inspector.ttl(task.task_id) == 60
        assert await inspector.exists(LOCK_KEY) == 0


async def test_a_task_whose_worker_died_is_taken_over_after_the_idle_timeout(
    valkey: Server, inspector: aredis.Redis, clock: ManualClock
) -> None:
    executions: Executions = []
    doomed = make_broker(valkey, "worker-a", executions)
    survivor = make_broker(valkey, "worker-b", executions)  # idle timeout: 600000 ms
    client = make_broker(valkey, "client", executions)
    async with started(client):
        orphan = await kick(client, "add", 20, 22)

        # Worker A receives the task through the broker's own listen loop and dies
        # before running or acknowledging it.
        async with started(doomed):
            messages = doomed.listen()
            delivered = await asyncio.wait_for(anext(messages), DEADLINE_S)
            assert json.loads(delivered.data)["task_id"] == orphan.task_id
            await messages.aclose()
        assert executions == []
        [pending] = await inspector.xpending_range(QUEUE, QUEUE, "-", "+", 10)
        assert (pending["consumer"], pending["time_since_delivered"]) == (b"worker-a", 0)
        assert pending["times_delivered"] == 1
        orphan_id = pending["message_id"]

        async with working(survivor):
            # Not idle long enough yet: B's pass after a read leaves A's entry alone.
            first = await kick(client, "add", 1, 1)
            assert (await result_of(first)).return_value == 2
            await autoclaims_done(inspector, 1)

            async def only_the_orphan_pending() -> bool:
                summary = await inspector.xpending(QUEUE, QUEUE)
                return bool(summary["pending"] == 1)

            await eventually(only_the_orphan_pending, "B's own task acknowledged")
            assert await inspector.xpending(QUEUE, QUEUE) == {
                "pending": 1,
                "min": orphan_id,
                "max": orphan_id,
                "consumers": [{"name": b"worker-a", "pending": 1}],
            }
            assert executions == [("add", [1, 1], "worker-b")]

            clock.advance(601)  # ten minutes and a second without A acknowledging
            [pending] = await inspector.xpending_range(QUEUE, QUEUE, "-", "+", 10)
            assert pending["time_since_delivered"] == 601_000

            # B's next read is followed by a pass that claims the orphan and runs it.
            second = await kick(client, "add", 5, 6)
            assert (await result_of(second)).return_value == 11
            assert (await result_of(orphan)).return_value == 42
            await nothing_pending(inspector)
            await autoclaims_done(inspector, 2)
            assert sorted(executions) == [
                ("add", [1, 1], "worker-b"),
                ("add", [5, 6], "worker-b"),
                ("add", [20, 22], "worker-b"),
            ]
            assert await calls_of(inspector, "xautoclaim") == 2
            consumers = await inspector.xinfo_consumers(QUEUE, QUEUE)
            assert [(c["name"], c["pending"]) for c in consumers] == [
                (b"worker-a", 0),
                (b"worker-b", 0),
            ]
            [group] = await inspector.xinfo_groups(QUEUE)
            assert (group["pending"], group["entries-read"], group["lag"]) == (0, 3, 0)
