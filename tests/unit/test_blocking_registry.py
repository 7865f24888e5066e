"""The blocking registry and its serving pass, without an event loop or sockets."""

from __future__ import annotations

from typing import Any

from minivalkey.blocking import UNBLOCKED_ERROR
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.replies import NULL_ARRAY, ErrorReply
from minivalkey.resp import encode
from minivalkey.session import Client


class RecordingConnection:
    """Collects what the registry delivers to a blocked client."""

    def __init__(self) -> None:
        self.delivered: list[Any] = []

    def close_after_reply(self) -> None:
        pass

    def close_now(self) -> None:
        pass

    def deliver(self, reply: object) -> None:
        self.delivered.append(reply)


def new_client(core: ServerCore) -> tuple[Client, RecordingConnection]:
    connection = RecordingConnection()
    client = Client(core, connection)
    core.add_client(client)
    return client, connection


def run(client: Client, *args: str) -> bytes:
    return execute(client, [arg.encode() for arg in args])


def block_group_readers(clients: list[Client]) -> None:
    """Client i blocks as consumer c<i> of group g on s, for one new entry."""
    for index, client in enumerate(clients):
        group_args = ("GROUP", "g", f"c{index}", "COUNT", "1", "BLOCK", "0")
        run(client, "XREADGROUP", *group_args, "STREAMS", "s", ">")


def delivered_bytes(connection: RecordingConnection) -> list[bytes]:
    return [encode(reply, 2) for reply in connection.delivered]


def test_a_blocking_read_answers_nothing_and_registers_a_waiter() -> None:
    core = ServerCore()
    reader, _ = new_client(core)
    assert run(reader, "XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$") == b""
    assert reader.blocked is not None
    registry = core.blocking
    assert (registry.blocked_clients, registry.total_blocking_keys) == (1, 2)
    assert registry.total_blocking_keys_on_nokey == 0
    assert registry.clients_in_timeout_table == 0  # BLOCK 0 has no deadline
    assert reader.flag_letters() == "b"


def test_xadd_serves_the_waiter_through_its_connection() -> None:
    core = ServerCore()
    reader, connection = new_client(core)
    writer, _ = new_client(core)
    run(reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    assert run(writer, "XADD", "s", "1-0", "f", "v") == b"$3\r\n1-0\r\n"
    assert delivered_bytes(connection) == [
        b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    ]
    assert reader.blocked is None
    assert core.blocking.blocked_clients == 0 and core.blocking.total_blocking_keys == 0
    assert not core.keyspace.ready_keys


def test_group_waiters_are_served_in_blocking_order_and_requeued() -> None:
    core = ServerCore()
    writer, _ = new_client(core)
    run(writer, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    readers = [new_client(core) for _ in range(3)]
    block_group_readers([client for client, _ in readers])
    assert core.blocking.total_blocking_keys_on_nokey == 1
    run(writer, "XADD", "s", "1-0", "f", "v")
    served = [len(connection.delivered) for _, connection in readers]
    assert served == [1, 0, 0]
    # The two that found nothing blocked again, behind no one: c1 is now first.
    queue = list(core.blocking.by_key[(0, b"s")])
    assert [waiter.client for waiter in queue] == [readers[1][0], readers[2][0]]
    run(writer, "XADD", "s", "2-0", "f", "v")
    assert [len(connection.delivered) for _, connection in readers] == [1, 1, 0]


def test_only_the_ready_key_waiters_are_visited() -> None:
    core = ServerCore()
    writer, _ = new_client(core)
    visited: list[bytes] = []
    for key in ("a", "b", "c"):
        client, _ = new_client(core)
        run(client, "XREAD", "BLOCK", "0", "STREAMS", key, "$")
        waiter = client.blocked
        assert waiter is not None
        original = waiter.retry

        def spy(original: Any = original, key: str = key) -> Any:
            visited.append(key.encode())
            return original()

        waiter.retry = spy
    run(writer, "XADD", "b", "1-0", "f", "v")
    assert visited == [b"b"]


def test_deletion_wakes_only_readers_that_asked_for_it() -> None:
    core = ServerCore()
    writer, _ = new_client(core)
    run(writer, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    plain, plain_connection = new_client(core)
    group_reader, group_connection = new_client(core)
    run(plain, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    run(group_reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    run(writer, "DEL", "s")
    assert plain_connection.delivered == []
    assert group_connection.delivered == [
        ErrorReply("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option")
    ]
    assert core.stats.errorstats == {"NOGROUP": 1}
    assert plain.blocked is not None and group_reader.blocked is None


def test_time_out_and_fail_answer_and_count_the_command() -> None:
    core = ServerCore()
    reader, connection = new_client(core)
    run(reader, "XREAD", "BLOCK", "5000", "STREAMS", "s", "$")
    assert core.blocking.clients_in_timeout_table == 1
    waiter = reader.blocked
    assert waiter is not None
    core.blocking.time_out(waiter)
    core.blocking.time_out(waiter)  # a second deadline for a released waiter does nothing
    assert connection.delivered == [NULL_ARRAY]
    run(reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    waiter = reader.blocked
    assert waiter is not None
    core.blocking.fail(waiter, UNBLOCKED_ERROR)
    assert connection.delivered[-1] == ErrorReply(UNBLOCKED_ERROR)
    counters = core.command_stats_of(waiter.spec)
    assert (counters.calls, counters.failed_calls) == (2, 1)
    assert core.stats.errorstats == {"UNBLOCKED": 1}


def test_a_departed_client_leaves_nothing_behind() -> None:
    core = ServerCore()
    reader, connection = new_client(core)
    writer, _ = new_client(core)
    run(writer, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    run(reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "s", ">", ">")
    core.remove_client(reader)
    registry = core.blocking
    assert (registry.by_key, registry.nokey, registry.by_client) == ({}, {}, {})
    run(writer, "XADD", "s", "1-0", "f", "v")
    assert connection.delivered == []


def test_exec_never_blocks() -> None:
    core = ServerCore()
    client, _ = new_client(core)
    run(client, "MULTI")
    run(client, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    assert run(client, "EXEC") == b"*1\r\n*-1\r\n"
    assert client.blocked is None and not client.deny_blocking


def test_flush_signals_group_readers_of_keys_that_existed() -> None:
    core = ServerCore()
    writer, _ = new_client(core)
    run(writer, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    reader, connection = new_client(core)
    run(reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    run(writer, "FLUSHALL")
    assert len(connection.delivered) == 1 and reader.blocked is None


def test_group_waiters_with_nothing_new_keep_their_place_and_are_marked_seen() -> None:
    from minivalkey import ManualClock

    clock = ManualClock(start_ms=1_000_000)
    core = ServerCore(clock=clock)
    writer, _ = new_client(core)
    run(writer, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    readers = [new_client(core)[0] for _ in range(3)]
    block_group_readers(readers)
    clock.advance(5)
    retried: list[int] = []
    for index, client in enumerate(readers):
        waiter = client.blocked
        assert waiter is not None
        original = waiter.retry

        def spy(original: Any = original, index: int = index) -> Any:
            retried.append(index)
            return original()

        waiter.retry = spy
    run(writer, "XADD", "s", "1-0", "f", "v")
    assert retried == [0]  # the others were seen to have nothing new without a re-run
    queue = list(core.blocking.by_key[(0, b"s")])
    assert [waiter.client for waiter in queue] == readers[1:]
    stream = core.keyspace[0].data[b"s"]
    seen = {name: consumer.seen_time for name, consumer in stream.groups[b"g"].consumers.items()}
    assert seen == {b"c0": 1_005_000, b"c1": 1_005_000, b"c2": 1_005_000}
