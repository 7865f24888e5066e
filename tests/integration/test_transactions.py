"""MULTI / EXEC / DISCARD / WATCH / UNWATCH over real sockets, checked against Valkey 8.0.1."""

from __future__ import annotations

import asyncio

import pytest
import redis
import redis.asyncio
from helpers import RawClient

from minivalkey import ManualClock, Server


def test_exec_runs_queued_commands_in_order(raw: RawClient) -> None:
    assert raw.command("MULTI") == b"+OK\r\n"
    assert raw.command("SET", "a", "1") == b"+QUEUED\r\n"
    assert raw.command("INCR", "a") == b"+QUEUED\r\n"
    assert raw.command("GET", "a") == b"+QUEUED\r\n"
    assert raw.command("EXEC") == b"*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n"


def test_runtime_errors_are_entries_of_the_exec_reply(raw: RawClient) -> None:
    raw.command("SET", "a", "2")
    raw.command("MULTI")
    raw.command("INCR", "a")
    raw.command("SET", "a", "x")
    raw.command("INCR", "a")
    assert raw.command("EXEC") == (
        b"*3\r\n:3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n"
    )
    assert raw.command("GET", "a") == b"$1\r\nx\r\n"


def test_queue_time_errors_abort_the_transaction(raw: RawClient) -> None:
    raw.command("MULTI")
    assert raw.command("SET", "a") == b"-ERR wrong number of arguments for 'set' command\r\n"
    assert raw.command("SET", "a", "1") == b"+QUEUED\r\n"
    assert (
        raw.command("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )
    assert raw.command("EXISTS", "a") == b":0\r\n"
    raw.command("MULTI")
    assert raw.command("FOO") == b"-ERR unknown command 'FOO', with args beginning with: \r\n"
    assert (
        raw.command("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )
    raw.command("MULTI")
    assert raw.command("CLIENT", "FOO") == b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"
    assert (
        raw.command("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )


def test_nested_multi_and_watch_inside_multi_are_refused(raw: RawClient) -> None:
    assert raw.command("MULTI") == b"+OK\r\n"
    assert raw.command("MULTI") == b"-ERR Command not allowed inside a transaction\r\n"
    assert raw.command("WATCH", "x") == b"-ERR Command not allowed inside a transaction\r\n"
    assert (
        raw.command("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )


def test_exec_and_discard_without_multi(raw: RawClient) -> None:
    assert raw.command("EXEC") == b"-ERR EXEC without MULTI\r\n"
    assert raw.command("DISCARD") == b"-ERR DISCARD without MULTI\r\n"


def test_discard_drops_the_queue(raw: RawClient) -> None:
    raw.command("MULTI")
    raw.command("SET", "a", "1")
    assert raw.command("DISCARD") == b"+OK\r\n"
    assert raw.command("EXISTS", "a") == b":0\r\n"
    assert raw.command("EXEC") == b"-ERR EXEC without MULTI\r\n"


def test_empty_transaction(raw: RawClient) -> None:
    raw.command("MULTI")
    assert raw.command("EXEC") == b"*0\r\n"


def test_watch_broken_by_another_client_write(server: Server, raw: RawClient) -> None:
    raw.command("SET", "a", "1")
    assert raw.command("WATCH", "a") == b"+OK\r\n"
    with RawClient(server.port) as other:
        assert other.command("SET", "a", "2") == b"+OK\r\n"
    raw.command("MULTI")
    raw.command("SET", "a", "3")
    assert raw.command("EXEC") == b"*-1\r\n"
    assert raw.command("GET", "a") == b"$1\r\n2\r\n"


def test_watch_broken_answers_resp3_null(raw: RawClient) -> None:
    raw.command("HELLO", "3")
    raw.command("WATCH", "a")
    raw.command("SET", "a", "3")
    raw.command("MULTI")
    assert raw.command("EXEC") == b"_\r\n"


def test_watch_untouched_key_lets_exec_run(raw: RawClient) -> None:
    raw.command("WATCH", "a", "b")
    raw.command("SET", "c", "1")
    raw.command("MULTI")
    raw.command("SET", "a", "1")
    assert raw.command("EXEC") == b"*1\r\n+OK\r\n"


def test_unwatch_forgets_keys(raw: RawClient) -> None:
    raw.command("WATCH", "a")
    raw.command("SET", "a", "1")
    assert raw.command("UNWATCH") == b"+OK\r\n"
    raw.command("MULTI")
    raw.command("GET", "a")
    assert raw.command("EXEC") == b"*1\r\n$1\r\n1\r\n"


def test_exec_unwatches_keys(raw: RawClient) -> None:
    raw.command("WATCH", "a")
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*1\r\n+PONG\r\n"
    raw.command("SET", "a", "1")
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*1\r\n+PONG\r\n"


@pytest.mark.parametrize("flush", ["FLUSHALL", "FLUSHDB"])
def test_watch_broken_by_flush_of_an_existing_key(raw: RawClient, flush: str) -> None:
    raw.command("SET", "a", "1")
    raw.command("WATCH", "a")
    raw.command(flush)
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*-1\r\n"


def test_flush_does_not_break_watch_of_a_missing_key(raw: RawClient) -> None:
    raw.command("WATCH", "missing")
    raw.command("FLUSHALL")
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*1\r\n+PONG\r\n"


def test_watch_broken_by_swapdb(raw: RawClient) -> None:
    raw.command("SELECT", "1")
    raw.command("SET", "a", "1")
    raw.command("SELECT", "0")
    raw.command("WATCH", "a")
    raw.command("SWAPDB", "0", "1")
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*-1\r\n"


def test_watch_broken_by_expiry(make_server) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    instance: Server = make_server(clock=clock)
    with RawClient(instance.port) as client:
        client.command("SET", "a", "1", "PX", "100")
        client.command("WATCH", "a")
        clock.advance(0.2)
        client.command("MULTI")
        client.command("PING")
        assert client.command("EXEC") == b"*-1\r\n"


def test_watch_of_an_already_expired_key_is_not_broken_by_its_removal(make_server) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    instance: Server = make_server(clock=clock)
    with RawClient(instance.port) as client:
        client.command("SET", "a", "1", "PX", "100")
        clock.advance(0.2)
        client.command("WATCH", "a")
        assert client.command("GET", "a") == b"$-1\r\n"  # lazily removes the expired key
        client.command("MULTI")
        client.command("PING")
        assert client.command("EXEC") == b"*1\r\n+PONG\r\n"


def test_watch_broken_by_expire_command(raw: RawClient) -> None:
    raw.command("SET", "a", "1")
    raw.command("WATCH", "a")
    raw.command("EXPIRE", "a", "100")
    raw.command("MULTI")
    raw.command("PING")
    assert raw.command("EXEC") == b"*-1\r\n"


def test_client_list_shows_multi_and_watch(raw: RawClient) -> None:
    raw.command("WATCH", "a", "b")
    raw.command("MULTI")
    raw.command("PING")
    raw.command("PING")
    info = raw.command("CLIENT", "INFO")  # queued: the reply is QUEUED
    assert info == b"+QUEUED\r\n"
    raw.command("DISCARD")
    line = raw.command("CLIENT", "INFO")
    assert b" multi=-1 " in line and b" watch=0 " in line


def test_redis_py_transactional_pipeline(r: redis.Redis) -> None:
    with r.pipeline(transaction=True) as pipe:
        pipe.set("counter", 10).incr("counter").incrby("counter", 5).get("counter")
        assert pipe.execute() == [True, 11, 16, b"16"]


def test_redis_py_watch_retry_loop(r: redis.Redis, server: Server) -> None:
    r.set("balance", 100)
    other = redis.Redis(port=server.port)
    attempts = 0
    with r.pipeline() as pipe:
        while True:
            attempts += 1
            try:
                pipe.watch("balance")
                balance = int(pipe.get("balance") or 0)
                if attempts == 1:
                    other.incrby("balance", 1)  # a concurrent write breaks the first attempt
                pipe.multi()
                pipe.set("balance", balance - 30)
                pipe.execute()
                break
            except redis.WatchError:
                continue
    other.close()
    assert attempts == 2
    assert r.get("balance") == b"71"


def test_redis_py_pipeline_reports_queue_errors(r: redis.Redis) -> None:
    with r.pipeline(transaction=True) as pipe:
        pipe.set("a", 1)
        pipe.execute_command("SET", "a")
        with pytest.raises(redis.ResponseError) as raised:
            pipe.execute()
    assert "EXECABORT" in str(raised.value) or "wrong number of arguments" in str(raised.value)
    assert r.exists("a") == 0


def test_asyncio_transactional_pipeline(server: Server, protocol: int) -> None:
    async def scenario() -> list[object]:
        client = redis.asyncio.Redis(port=server.port, protocol=protocol)
        try:
            await client.flushall()
            async with client.pipeline(transaction=True) as pipe:
                pipe.set("x", 1).incr("x").get("x")
                return await pipe.execute()
        finally:
            await client.aclose()

    assert asyncio.run(scenario()) == [True, 2, b"2"]


def test_watch_of_an_already_expired_key_is_broken_when_it_is_set_again(make_server) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    instance: Server = make_server(clock=clock, config={"hz": 1})
    with RawClient(instance.port) as client, RawClient(instance.port) as other:
        client.command("SET", "a", "1", "PX", "100")
        clock.advance(0.2)
        client.command("WATCH", "a")
        assert other.command("SET", "a", "2") == b"+OK\r\n"
        client.command("MULTI")
        client.command("PING")
        assert client.command("EXEC") == b"*-1\r\n"


def test_flush_dirties_but_keeps_the_watch_list(raw: RawClient) -> None:
    raw.command("SET", "a", "1")
    raw.command("WATCH", "a", "b")
    raw.command("FLUSHDB")
    line = raw.command("CLIENT", "INFO")
    assert b" flags=d " in line and b" watch=2 " in line
    raw.command("SET", "b", "1")  # a touch after FLUSH drops the watch list, as in Valkey
    assert b" watch=0 " in raw.command("CLIENT", "INFO")
    raw.command("MULTI")
    assert raw.command("EXEC") == b"*-1\r\n"
    assert b" flags=N " in raw.command("CLIENT", "INFO")
