"""Scripts inside the server's rules: through redis-py in both protocols, a script
waking a blocked stream reader after it returns, a script's writes seen whole by other
clients, the Lua heap ceiling failing a runaway script while the server stays up, and
the caller's database, and globals a script cannot leak."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import redis
from helpers import RawClient, wait_until

from minivalkey import Server
from minivalkey.scripting import engine


def test_script_load_and_evalsha_through_redis_py(r: redis.Redis) -> None:
    sha = r.script_load("redis.call('incr', KEYS[1]) return redis.call('get', KEYS[1])")
    assert r.script_exists(sha) == [True]
    assert r.evalsha(sha, 1, "counter") == b"1"
    assert r.evalsha(sha, 1, "counter") == b"2"
    script = r.register_script("return {KEYS[1], ARGV[1], 3}")
    assert script(keys=["k"], args=["a"]) == [b"k", b"a", 3]
    r.script_flush()
    assert r.script_exists(sha) == [False]
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha(sha, 1, "counter")


def test_a_script_xadd_wakes_a_blocked_xreadgroup(server: Server) -> None:
    with RawClient(server.port) as setup:
        setup.command("XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM")
    replies: list[bytes] = []

    def reader() -> None:
        with RawClient(server.port, timeout=10) as client:
            replies.append(
                client.command(
                    "XREADGROUP", "GROUP", "workers", "w1", "BLOCK", "0", "STREAMS", "jobs", ">"
                )
            )

    thread = threading.Thread(target=reader)
    thread.start()
    with RawClient(server.port) as writer:
        wait_until(
            lambda: b"blocked_clients:1" in writer.command("INFO", "clients"),
            message="the reader to block",
        )
        assert writer.command(
            "EVAL", "return redis.call('xadd', KEYS[1], '5-1', 'job', ARGV[1])", 1, "jobs", "a"
        ) == b"$3\r\n5-1\r\n"
    thread.join(10)
    assert replies == [
        b"*1\r\n*2\r\n$4\r\njobs\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$3\r\njob\r\n$1\r\na\r\n"
    ]


def test_a_script_blocking_command_answers_at_once(raw: RawClient) -> None:
    assert raw.command("EVAL", "return redis.call('blpop', 'nothing', 0)", 0) == b"$-1\r\n"
    xread = "return redis.call('xread', 'block', 0, 'streams', 's', '$')"
    assert raw.command("EVAL", xread, 0) == b"$-1\r\n"


def test_the_lua_heap_ceiling_fails_a_runaway_script(
    make_server: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "MAX_MEMORY", 64 << 20)
    server = make_server()
    with RawClient(server.port) as client:
        reply = client.command(
            "EVAL", "local t = {} while true do t[#t + 1] = string.rep('x', 100000) .. #t end", 0
        )
        assert reply.startswith(b"-ERR ") and b"not enough memory" in reply
        assert client.command("PING") == b"+PONG\r\n"
        assert client.command("EVAL", "return 1 + 1", 0) == b":2\r\n"
        assert client.command("SET", "k", "v") == b"+OK\r\n"


def test_scripts_see_keys_and_db_of_their_caller(raw: RawClient) -> None:
    assert raw.command("SELECT", "3") == b"+OK\r\n"
    assert raw.command("SET", "k", "db3") == b"+OK\r\n"
    assert raw.command("EVAL", "return redis.call('get', KEYS[1])", 1, "k") == b"$3\r\ndb3\r\n"
    assert raw.command("EVAL", "redis.call('select', 0) return redis.call('get', 'k')", 0) == (
        b"$-1\r\n"
    )
    assert raw.command("GET", "k") == b"$3\r\ndb3\r\n"  # SELECT in a script leaves the caller


def test_globals_a_script_leaks_do_not_exist(raw: RawClient) -> None:
    reply = raw.command("EVAL", "rawset(_G, 'leak', 1)", 0)
    assert reply.startswith(b"-ERR Attempt to modify a readonly table")
    assert raw.command("EVAL", "return type(getfenv(0).leak)", 0) == (
        b"-ERR user_script:1: Script attempted to access nonexistent global variable 'leak' "
        b"script: 3c7fe17bf086d82856fc3d1ad98cd9742aa3c152, on @user_script:1.\r\n"
    )
