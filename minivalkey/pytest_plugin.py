"""pytest fixtures for code that talks to Valkey/Redis (loaded through the pytest11 entry point).

Fixtures:
* ``minivalkey_server``: one ``minivalkey.Server`` for the whole test session,
  on 127.0.0.1 and a free port, stopped at the end of the session.
* ``minivalkey_url``: that server's ``redis://`` URL.
* ``minivalkey``: a ``redis.Redis`` client on a freshly flushed server.
* ``minivalkey_async``: a ``redis.asyncio.Redis`` client on a freshly flushed
  server, for async tests (pytest-asyncio or anyio); closed after the test.

Invariant: every function-scoped fixture starts from an empty keyspace, so tests
never see each other's keys.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from .embed import Server


@pytest.fixture(scope="session")
def minivalkey_server() -> Iterator[Server]:
    server = Server()
    with server:
        yield server


@pytest.fixture
def minivalkey_url(minivalkey_server: Server) -> str:
    return minivalkey_server.url


try:  # async fixtures need pytest-asyncio's decorator in its strict mode
    import pytest_asyncio

    _async_fixture: Any = pytest_asyncio.fixture
except ImportError:  # pragma: no cover - anyio users
    _async_fixture = pytest.fixture


def _flushed_client(server: Server) -> Any:
    import redis

    client = redis.Redis.from_url(server.url)
    client.flushall()
    return client


@pytest.fixture
def minivalkey(minivalkey_server: Server) -> Iterator[Any]:
    client = _flushed_client(minivalkey_server)
    try:
        yield client
    finally:
        client.close()


@_async_fixture
async def minivalkey_async(minivalkey_server: Server) -> AsyncIterator[Any]:
    import redis.asyncio

    _flushed_client(minivalkey_server).close()
    client = redis.asyncio.Redis.from_url(minivalkey_server.url)
    try:
        yield client
    finally:
        await client.aclose()
