"""Shared fixtures for minivalkey's own tests.

* ``server``: the session's server (the pytest plugin's ``minivalkey_server``).
* ``r``: a redis-py client, parametrized over RESP2 and RESP3, on a flushed server.
* ``raw``: a ``RawClient`` for byte-exact replies, on a flushed server.
* ``make_server``: starts extra servers with their own options, stopped after the test.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

sys.path.insert(0, str(Path(__file__).parent))

from helpers import RawClient  # noqa: E402

from minivalkey import Server  # noqa: E402


@pytest.fixture
def server(minivalkey_server: Server) -> Server:
    return minivalkey_server


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def protocol(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def r(server: Server, protocol: int) -> Iterator[redis.Redis]:
    client = redis.Redis(port=server.port, protocol=protocol)
    client.flushall()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def raw(server: Server) -> Iterator[RawClient]:
    client = RawClient(server.port)
    assert client.command("FLUSHALL") == b"+OK\r\n"
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def make_server() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(**options: Any) -> Server:
        instance = Server(**options).start()
        started.append(instance)
        return instance

    try:
        yield start
    finally:
        for instance in started:
            instance.stop()
