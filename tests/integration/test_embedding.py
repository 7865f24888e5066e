"""The embedding API: ``Server`` as a context manager and an async context manager,
with a manual clock, with and without uvloop and hiredis."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest
import redis
import redis.asyncio
from helpers import RawClient

from minivalkey import ManualClock, Server


def test_context_manager_serves_and_stops() -> None:
    started = time.perf_counter()
    with Server() as server:
        elapsed = time.perf_counter() - started
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url)
        assert client.ping() is True
        port = server.port
    client.close()
    assert elapsed < 1.0  # "milliseconds": generous bound against a noisy machine
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_stop_closes_open_connections() -> None:
    server = Server().start()
    raw = RawClient(server.port)
    assert raw.command("PING") == b"+PONG\r\n"
    server.stop()
    assert raw.is_closed()
    raw.close()


def test_restart_keeps_data() -> None:
    server = Server()
    with server:
        redis.Redis(port=server.port).set("kept", "yes")
    with server:
        assert redis.Redis(port=server.port).get("kept") == b"yes"


def test_two_servers_are_independent() -> None:
    with Server() as first, Server() as second:
        assert first.port != second.port
        redis.Redis(port=first.port).set("k", "1")
        assert redis.Redis(port=second.port).get("k") is None


def test_async_context_manager_on_the_running_loop() -> None:
    async def scenario() -> bytes | None:
        async with Server() as server:
            client = redis.asyncio.Redis(port=server.port)
            await client.set("k", "v")
            value = await client.get("k")
            await client.aclose()
            return value

    assert asyncio.run(scenario()) == b"v"


def test_manual_clock_drives_expiry() -> None:
    clock = ManualClock()
    with Server(clock=clock) as server:
        assert server.clock is clock
        client = redis.Redis(port=server.port)
        client.set("k", "v", ex=10)
        clock.advance(9.5)
        assert client.get("k") == b"v"
        clock.advance(0.5)
        assert client.get("k") is None
        client.close()


@pytest.mark.parametrize("use_uvloop", [True, False], ids=["uvloop", "asyncio"])
@pytest.mark.parametrize("use_hiredis", [True, False], ids=["hiredis", "pure"])
def test_every_loop_and_parser_combination(use_uvloop: bool, use_hiredis: bool) -> None:
    with Server(use_uvloop=use_uvloop, use_hiredis=use_hiredis) as server:
        for protocol in (2, 3):
            client = redis.Redis(port=server.port, protocol=protocol)
            pipe = client.pipeline(transaction=False)
            for index in range(200):
                pipe.set(f"k{index}", index)
            pipe.get("k199")
            assert pipe.execute()[-1] == b"199"
            client.close()
        with RawClient(server.port) as raw:
            raw.send(b'PING\r\n*1\r\n$4\r\nPING\r\nECHO "a b"\r\n')
            assert raw.read_reply() == b"+PONG\r\n"
            assert raw.read_reply() == b"+PONG\r\n"
            assert raw.read_reply() == b"$3\r\na b\r\n"


def test_runs_when_hiredis_and_uvloop_are_missing() -> None:
    """The package imports and serves with neither accelerator importable."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["hiredis"] = None  # importing either now raises ImportError
        sys.modules["uvloop"] = None
        import minivalkey.resp, minivalkey.shell
        assert not minivalkey.resp.HAVE_HIREDIS and not minivalkey.shell.HAVE_UVLOOP
        import redis
        from minivalkey import Server
        with Server() as server:
            client = redis.Redis(port=server.port)
            client.set("a", "1")
            print(client.incr("a"), type(client.connection_pool.get_connection()._parser).__name__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "2"


def test_unix_socket() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "minivalkey.sock")
        with Server(unixsocket=path) as server:
            client = redis.Redis(unix_socket_path=path)
            assert client.ping() is True
            assert client.client_info()["addr"].startswith(path)
            client.close()
            assert server.port > 0  # TCP keeps listening beside the socket
        assert not os.path.exists(path)


def test_password_option() -> None:
    with Server(password="secret") as server:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=server.port).ping()
        assert redis.Redis(port=server.port, password="secret").ping() is True


def test_plugin_fixture_gives_a_flushed_client(minivalkey: redis.Redis) -> None:
    assert minivalkey.dbsize() == 0
    minivalkey.set("left-behind", 1)


def test_plugin_fixture_flushes_between_tests(minivalkey: redis.Redis, minivalkey_url: str) -> None:
    assert minivalkey.dbsize() == 0
    assert minivalkey_url.startswith("redis://127.0.0.1:")


async def test_plugin_async_fixture(minivalkey_async: redis.asyncio.Redis) -> None:
    assert await minivalkey_async.dbsize() == 0
    await minivalkey_async.set("k", "v")
    assert await minivalkey_async.get("k") == b"v"
