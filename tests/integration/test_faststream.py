"""FastStream's Redis subscribers, run against an embedded minivalkey.

The application is the one of FastStream's "Redis Stream Consumer Groups" page: a
``RedisBroker`` subscriber with ``StreamSub("test-stream", group="test-group",
consumer="1")``, started for real (``TestApp`` / ``broker.start()`` on the server's
URL, not the in-memory test broker). FastStream creates the group (XGROUP CREATE
... MKSTREAM), polls with XREADGROUP ... BLOCK and acknowledges with XACK.

FastStream's reads block on the server (100 ms at a time when idle) and are woken
by XADD. The tests wait for observable states (messages handled, XPENDING empty, a
number of further XREADGROUP calls seen in INFO commandstats, each of which is a
read that ended) with a deadline, never for a time.

One broker also serves a channel subscriber (SUBSCRIBE, messages pushed to it), a list
subscriber (BLPOP) and a stream subscriber (XREAD BLOCK) at once, each receiving
what is published to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aredis
from faststream import FastStream, TestApp
from faststream.redis import ListSub, PubSub, RedisBroker, StreamSub

from minivalkey import Server

STREAM = "test-stream"
GROUP = "test-group"
DEADLINE_S = 10.0


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
def valkey(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
async def inspector(valkey: Server) -> AsyncIterator[aredis.Redis]:
    """A plain client to look at the stream and the group from outside FastStream."""
    client = aredis.Redis.from_url(valkey.url)
    try:
        yield client
    finally:
        await client.aclose()


def broker_for(server: Server) -> RedisBroker:
    return RedisBroker(server.url, logger=None)


async def xreadgroup_calls(client: aredis.Redis) -> int:
    stats = await client.info("commandstats")
    return int(stats.get("cmdstat_xreadgroup", {}).get("calls", 0))


async def more_polls(client: aredis.Redis, count: int) -> None:
    """Wait until subscribers have polled ``count`` more times (and so seen every entry)."""
    target = await xreadgroup_calls(client) + count

    async def polled() -> bool:
        return await xreadgroup_calls(client) >= target

    await eventually(polled, f"{count} more XREADGROUP calls")


async def nothing_pending(client: aredis.Redis) -> None:
    async def acked() -> bool:
        summary = await client.xpending(STREAM, GROUP)
        return summary["pending"] == 0

    await eventually(acked, "every delivered message acknowledged")


async def test_group_subscriber_receives_each_message_once_and_acks(
    valkey: Server, inspector: aredis.Redis
) -> None:
    broker = broker_for(valkey)
    app = FastStream(broker)
    received: list[str] = []

    @broker.subscriber(stream=StreamSub(STREAM, group=GROUP, consumer="1"))
    async def handle(msg: str) -> None:
        received.append(msg)

    async with TestApp(app):
        # Starting the subscriber created the group at the end of a new stream.
        [group] = await inspector.xinfo_groups(STREAM)
        assert (group["name"], group["last-delivered-id"], group["entries-read"]) == (
            GROUP.encode(),
            b"0-0",
            None,
        )
        sent = [f"message {i}" for i in range(50)]
        ids = [await broker.publish(text, stream=STREAM) for text in sent]

        async def all_received() -> bool:
            return len(received) >= len(sent)

        await eventually(all_received, "all 50 messages handled")
        await nothing_pending(inspector)
        await more_polls(inspector, 3)  # further reads deliver nothing again
        assert received == sent  # one consumer: every message once, in order

        [group] = await inspector.xinfo_groups(STREAM)
        assert group["last-delivered-id"] == ids[-1]
        assert (group["pending"], group["entries-read"], group["lag"]) == (0, 50, 0)
        [consumer] = await inspector.xinfo_consumers(STREAM, GROUP)
        assert (consumer["name"], consumer["pending"]) == (b"1", 0)
        assert await inspector.xpending(STREAM, GROUP) == {
            "pending": 0,
            "min": None,
            "max": None,
            "consumers": [],
        }
    assert await inspector.xlen(STREAM) == 50  # acknowledged, not deleted


async def test_two_consumers_in_one_group_split_the_work(
    valkey: Server, inspector: aredis.Redis
) -> None:
    first, second = broker_for(valkey), broker_for(valkey)
    received: dict[str, list[str]] = {"1": [], "2": []}
    busy = {"1": asyncio.Event(), "2": asyncio.Event()}

    def subscribe(broker: RedisBroker, name: str, other: str) -> None:
        # One message per read; a consumer holding its first message waits until the
        # other one has taken one too, so both are guaranteed a share of the work.
        @broker.subscriber(stream=StreamSub(STREAM, group=GROUP, consumer=name, max_records=1))
        async def handle(msg: str) -> None:
            received[name].append(msg)
            busy[name].set()
            await asyncio.wait_for(busy[other].wait(), DEADLINE_S)

    subscribe(first, "1", "2")
    subscribe(second, "2", "1")
    sent = [f"job {i}" for i in range(40)]
    async with first, second:
        await first.start()
        await second.start()
        for text in sent:
            await first.publish(text, stream=STREAM)

        async def all_received() -> bool:
            return sum(map(len, received.values())) >= len(sent)

        await eventually(all_received, "all 40 jobs handled")
        await nothing_pending(inspector)
        await more_polls(inspector, 3)

        assert received["1"] and received["2"]
        assert not set(received["1"]) & set(received["2"])
        assert sorted(received["1"] + received["2"]) == sorted(sent)
        consumers = await inspector.xinfo_consumers(STREAM, GROUP)
        assert [(c["name"], c["pending"]) for c in consumers] == [(b"1", 0), (b"2", 0)]
        [group] = await inspector.xinfo_groups(STREAM)
        assert (group["consumers"], group["pending"], group["lag"]) == (2, 0, 0)


async def test_batch_subscriber_receives_lists(valkey: Server, inspector: aredis.Redis) -> None:
    broker = broker_for(valkey)
    batches: list[list[str]] = []

    @broker.subscriber(
        stream=StreamSub(STREAM, group=GROUP, consumer="1", batch=True, max_records=5)
    )
    async def handle(msgs: list[str]) -> None:
        batches.append(msgs)

    sent = [f"item {i}" for i in range(12)]
    async with broker:
        await broker.start()
        # One transaction adds all twelve at once, so reads of COUNT 5 find 5, 5, 2.
        pipe = inspector.pipeline(transaction=True)
        for text in sent:
            await broker.publish(text, stream=STREAM, pipeline=pipe)
        ids = await pipe.execute()
        assert len(ids) == 12

        async def all_received() -> bool:
            return sum(map(len, batches)) >= len(sent)

        await eventually(all_received, "all 12 items handled")
        await nothing_pending(inspector)
        await more_polls(inspector, 3)
        assert batches == [sent[0:5], sent[5:10], sent[10:12]]
        [group] = await inspector.xinfo_groups(STREAM)
        assert (group["last-delivered-id"], group["entries-read"], group["pending"]) == (
            ids[-1],
            12,
            0,
        )


async def test_channel_list_and_stream_subscribers_on_one_broker(
    valkey: Server, inspector: aredis.Redis
) -> None:
    broker = broker_for(valkey)
    received: dict[str, list[str]] = {"channel": [], "list": [], "stream": []}

    @broker.subscriber(channel=PubSub("news"))
    async def on_channel(msg: str) -> None:
        received["channel"].append(msg)

    @broker.subscriber(list=ListSub("jobs"))
    async def on_list(msg: str) -> None:
        received["list"].append(msg)

    # From the stream's start: entries added before the first read are not missed.
    @broker.subscriber(stream=StreamSub("events", last_id="0-0"))
    async def on_stream(msg: str) -> None:
        received["stream"].append(msg)

    async with broker:
        await broker.start()

        async def subscribed() -> bool:
            return bool(await inspector.pubsub_numsub("news") == [(b"news", 1)])

        await eventually(subscribed, "the channel subscriber's SUBSCRIBE")
        sent = {kind: [f"{kind} {i}" for i in range(10)] for kind in received}
        for index in range(10):
            assert await broker.publish(sent["channel"][index], channel="news") == 1
            await broker.publish(sent["list"][index], list="jobs")
            await broker.publish(sent["stream"][index], stream="events")

        async def all_received() -> bool:
            return all(len(received[kind]) == 10 for kind in received)

        await eventually(all_received, "ten messages for each subscriber")
        assert received == sent
        assert await inspector.llen("jobs") == 0
        assert await inspector.xlen("events") == 10
        [line] = (await inspector.client_list(_type="pubsub"))
        assert (line["sub"], line["psub"], line["flags"]) == ("1", "0", "P")

    async def unsubscribed() -> bool:
        return bool(await inspector.pubsub_numsub("news") == [(b"news", 0)])

    await eventually(unsubscribed, "the channel subscriber gone with the broker")
