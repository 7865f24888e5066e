"""redis-py's client-side cache against minivalkey: server-assisted caching end to end.

``redis.Redis(protocol=3, cache_config=CacheConfig())`` turns CLIENT TRACKING on and
keeps the replies of cacheable reads; an ``invalidate`` push drops an entry (a null
push, after a flush, drops them all). Whether a read reached the server is told by
INFO commandstats, never by timing; a push is awaited by polling with a deadline.

redis-py 8 caches only for a server whose HELLO names it ``redis`` (7.4 or later);
Valkey 8.0.1, and minivalkey with it, answers ``valkey``, so the tests let redis-py
accept that name (``CacheProxyConnection.DEFAULT_SERVER_NAME``). The same tests pass
against valkey-server 8.0.1 with that one change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import wait_until
from redis.cache import CacheConfig
from redis.connection import CacheProxyConnection

from minivalkey import Server


@pytest.fixture
def server(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def writer(server: Server) -> Iterator[redis.Redis]:
    client = redis.Redis(port=server.port)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def cached(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    monkeypatch.setattr(CacheProxyConnection, "DEFAULT_SERVER_NAME", "valkey")
    client = redis.Redis(port=server.port, protocol=3, cache_config=CacheConfig())
    try:
        yield client
    finally:
        client.close()


def calls(client: redis.Redis, command: str) -> int:
    """How many times the server ran ``command`` (INFO commandstats)."""
    stats = client.info("commandstats").get(f"cmdstat_{command}")
    return int(stats["calls"]) if stats else 0


def test_a_cached_read_is_refetched_after_another_clients_write(
    cached: redis.Redis, writer: redis.Redis
) -> None:
    writer.set("foo", "bar")
    assert cached.get("foo") == b"bar"
    assert cached.get("foo") == b"bar"
    assert calls(writer, "get") == 1  # the second read came from the cache
    assert writer.info("stats")["tracking_total_keys"] == 1
    writer.set("foo", "baz")
    wait_until(lambda: cached.get("foo") == b"baz", message="the invalidation reached redis-py")
    assert calls(writer, "get") == 2  # exactly one refetch, once the push arrived
    assert cached.get("foo") == b"baz"
    assert calls(writer, "get") == 2


def test_own_writes_invalidate_too(cached: redis.Redis, writer: redis.Redis) -> None:
    cached.hset("h", mapping={"f": "1"})
    assert cached.hgetall("h") == {b"f": b"1"}
    assert cached.hgetall("h") == {b"f": b"1"}
    assert calls(writer, "hgetall") == 1
    cached.hset("h", "f", "2")  # its own write: the push follows the reply
    assert cached.hgetall("h") == {b"f": b"2"}
    assert calls(writer, "hgetall") == 2


def test_a_flush_empties_the_whole_cache(cached: redis.Redis, writer: redis.Redis) -> None:
    writer.mset({"a": "1", "b": "2"})
    assert cached.get("a") == b"1"
    assert cached.get("b") == b"2"
    assert calls(writer, "get") == 2
    writer.flushall()
    writer.mset({"a": "3", "b": "4"})
    wait_until(lambda: cached.get("a") == b"3", message="the null invalidation reached redis-py")
    assert cached.get("b") == b"4"
    assert calls(writer, "get") == 4
    assert cached.get("b") == b"4"
    assert calls(writer, "get") == 4


def test_expiry_invalidates(cached: redis.Redis, writer: redis.Redis) -> None:
    writer.set("short", "lived", px=50)
    assert cached.get("short") == b"lived"
    assert cached.get("short") == b"lived"
    assert calls(writer, "get") == 1
    wait_until(lambda: cached.get("short") is None, message="the expiry reached redis-py")
    assert calls(writer, "get") == 2  # cached until the server's push, then read again


def test_valkey_py_caches_without_any_patch(server: Server, writer: redis.Redis) -> None:
    """valkey-py's own client-side cache (``cache_enabled=True``) asks nothing of the
    server's name: it works against minivalkey as it is."""
    import valkey

    client = valkey.Valkey(port=server.port, protocol=3, cache_enabled=True)
    try:
        writer.set("foo", "bar")
        assert client.get("foo") == b"bar"
        assert client.get("foo") == b"bar"
        assert calls(writer, "get") == 1  # the second read came from valkey-py's cache
        writer.set("foo", "baz")
        wait_until(
            lambda: client.get("foo") == b"baz", message="the invalidation reached valkey-py"
        )
        assert calls(writer, "get") == 2
        assert client.get("foo") == b"baz"
        assert calls(writer, "get") == 2
    finally:
        client.close()
