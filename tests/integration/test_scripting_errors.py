"""EVAL's errors and how they count, as Valkey 8.0.1 counts them: the reply texts (a
script error ends with ``script: <sha>, on @user_script:<line>.``), INFO errorstats,
``total_error_replies`` and each command's calls / rejected_calls / failed_calls.

Valkey's call() marks a command failed when error replies were counted while it ran
(after the last command the script called), and an error reply written without
counting (an error a command answered, passed on by the script) marks it failed too,
once per such reply; a command a script may not run is a rejected call of that
command. Every row was checked against valkey-server 8.0.1, on a server of its own
with the statistics reset first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from helpers import RawClient

from minivalkey import Server

M = ("CONFIG", "SET", "maxmemory", "1")
M0 = ("CONFIG", "SET", "maxmemory", "0")


@pytest.fixture(scope="module")
def own_server() -> Iterator[Server]:
    with Server() as instance:
        yield instance


@pytest.fixture
def client(own_server: Server) -> Iterator[RawClient]:
    client = RawClient(own_server.port)
    assert client.command("FLUSHALL") == b"+OK\r\n"
    assert client.command("CONFIG", "RESETSTAT") == b"+OK\r\n"
    try:
        yield client
    finally:
        client.command("CONFIG", "SET", "maxmemory", "0")
        client.close()


_CMDSTAT = re.compile(r"cmdstat_(\S+?):calls=(\d+),.*?rejected_calls=(\d+),failed_calls=(\d+)")
_ERRSTAT = re.compile(r"errorstat_(\S+?):count=(\d+)")
_NOT_COUNTED = {"config|resetstat", "config|set", "info"}


def counters(client: RawClient) -> tuple[dict[str, tuple[int, ...]], dict[str, int], int]:
    """(commandstats: (calls, rejected, failed) by command, errorstats, total errors)."""
    text = b"".join(
        client.command("INFO", section) for section in ("commandstats", "errorstats", "stats")
    ).decode()
    commands = {
        name: (int(calls), int(rejected), int(failed))
        for name, calls, rejected, failed in _CMDSTAT.findall(text)
        if name not in _NOT_COUNTED
    }
    errors = {name: int(count) for name, count in _ERRSTAT.findall(text)}
    match = re.search(r"total_error_replies:(\d+)", text)
    assert match is not None
    return commands, errors, int(match.group(1))


CASES = [
    (
        [("EVAL", "return redis.call('select',99)", "0")],
        [
            (
                b"-ERR DB index is out of range script: 4ad5abfc50bbccb484223905f9a16f09cd043ba"
                b"8, on @user_script:1.\r\n"
            )
        ],
        {"select": (1, 0, 1), "eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.pcall('select',99)", "0")],
        [b"-ERR DB index is out of range\r\n"],
        {"select": (1, 0, 1), "eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "local t = redis.pcall('select',99) return 1", "0")],
        [b":1\r\n"],
        {"select": (1, 0, 1), "eval": (1, 0, 0)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return {1, redis.pcall('select',99), {err='My bad'}}", "0")],
        [b"*3\r\n:1\r\n-ERR DB index is out of range\r\n-My bad\r\n"],
        {"select": (1, 0, 1), "eval": (1, 0, 2)},
        {"ERR": 1, "My": 1},
        2,
    ),
    ([("EVAL", "return {err='My bad'}", "0")], [b"-My bad\r\n"], {"eval": (1, 0, 1)}, {"My": 1}, 1),
    (
        [
            (
                "EVAL",
                (
                    "return {1,{err='a b'},{err='c', ignore_error_stats_update=true},{err='d', "
                    "ignore_error_stats_update=true}}"
                ),
                "0",
            )
        ],
        [b"*4\r\n:1\r\n-a b\r\n-c\r\n-d\r\n"],
        {"eval": (1, 0, 3)},
        {"a": 1},
        1,
    ),
    (
        [("EVAL", "return redis.error_reply('')", "0")],
        [b"-ERR \r\n"],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.error_reply('MY_ERR_CODE custom msg')", "0")],
        [b"-MY_ERR_CODE custom msg\r\n"],
        {"eval": (1, 0, 1)},
        {"MY_ERR_CODE": 1},
        1,
    ),
    (
        [("EVAL", "return redis.status_reply('MY_OK_CODE custom msg')", "0")],
        [b"+MY_OK_CODE custom msg\r\n"],
        {"eval": (1, 0, 0)},
        {},
        0,
    ),
    (
        [("EVAL", "return redis.call('nosuch')", "0")],
        [
            (
                b"-ERR Unknown command called from script script: "
                b"206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n"
            )
        ],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.pcall('nosuch')", "0")],
        [b"-ERR Unknown command called from script\r\n"],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.call()", "0")],
        [
            (
                b"-ERR Please specify at least one argument for this call script: "
                b"0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n"
            )
        ],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.call('get')", "0")],
        [
            (
                b"-ERR Wrong number of args calling command from script script: "
                b"f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1.\r\n"
            )
        ],
        {"get": (0, 1, 0), "eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.call('get', {})", "0")],
        [
            (
                b"-ERR Command arguments must be strings or integers script: "
                b"4368e88f98d93af9caf358186e5fbf273374ee91, on @user_script:1.\r\n"
            )
        ],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return redis.call('multi')", "0")],
        [
            (
                b"-ERR This Redis command is not allowed from script script: "
                b"c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1.\r\n"
            )
        ],
        {"eval": (1, 0, 1), "multi": (0, 1, 0)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "error('boom')", "0")],
        [
            (
                b"-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, "
                b"on @user_script:1.\r\n"
            )
        ],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "error({err='CUSTOM x'})", "0")],
        [b"-CUSTOM x script: 2f8c6cf60b4b49e9a5167efacb56a08048748a53, on @user_script:1.\r\n"],
        {"eval": (1, 0, 1)},
        {"CUSTOM": 1},
        1,
    ),
    (
        [("EVAL", "error({err='CUSTOM x', ignore_error_stats_update=true})", "0")],
        [b"-CUSTOM x script: 19735213d8fb2a1fe4da0115c5cc62fb14a54fe5, on @user_script:1.\r\n"],
        {"eval": (1, 0, 1)},
        {},
        0,
    ),
    (
        [("EVAL", "return nosuch", "0")],
        [
            (
                b"-ERR user_script:1: Script attempted to access nonexistent global variable "
                b"'nosuch' script: 100e7d6e08587ed416717dc6d703eca312809a20, on "
                b"@user_script:1.\r\n"
            )
        ],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "syntax error here", "0")],
        [
            (
                b"-ERR Error compiling script (new function): user_script:1: '=' expected near "
                b"'error'\r\n"
            )
        ],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "return 1", "x")],
        [b"-ERR value is not an integer or out of range\r\n"],
        {"eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVALSHA", "ffd632c7d33e571e9f24556ebed26c3479a87130", "0")],
        [b"-NOSCRIPT No matching script.\r\n"],
        {"evalsha": (1, 0, 1)},
        {"NOSCRIPT": 1},
        1,
    ),
    (
        [("EVAL_RO", "return redis.call('set','x','y')", "1", "x")],
        [
            (
                b"-ERR Write commands are not allowed from read-only scripts. script: "
                b"71e6319f97b0fe8bdfa1c5df3ce4489946dda479, on @user_script:1.\r\n"
            )
        ],
        {"set": (0, 1, 0), "eval_ro": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL_RO", "local t = redis.pcall('set','x','y') return t['err']", "1", "x")],
        [b"$58\r\nERR Write commands are not allowed from read-only scripts.\r\n"],
        {"set": (0, 1, 0), "eval_ro": (1, 0, 0)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL", "#!lua flags=no-writes\nreturn redis.call('set','x','y')", "1", "x")],
        [
            (
                b"-ERR Write commands are not allowed from read-only scripts. script: "
                b"43f5fe910d84b5ee2ef496f122831920e4095915, on @user_script:2.\r\n"
            )
        ],
        {"set": (0, 1, 0), "eval": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [("EVAL_RO", "#!lua\nreturn 1", "0")],
        [b"-ERR Can not execute a script with write flag using *_ro command.\r\n"],
        {"eval_ro": (1, 0, 1)},
        {"ERR": 1},
        1,
    ),
    (
        [
            ("MULTI",),
            ("EVAL", "return redis.call('select',99)", "0"),
            ("EVAL", "return {err='x y'}", "0"),
            ("EXEC",),
        ],
        [
            b"+OK\r\n",
            b"+QUEUED\r\n",
            b"+QUEUED\r\n",
            (
                b"*2\r\n-ERR DB index is out of range script: "
                b"4ad5abfc50bbccb484223905f9a16f09cd043ba8, on @user_script:1.\r\n-x y\r\n"
            ),
        ],
        {"exec": (1, 0, 0), "select": (1, 0, 1), "eval": (2, 0, 2), "multi": (1, 0, 0)},
        {"ERR": 1, "x": 1},
        2,
    ),
    (
        [
            ("CONFIG", "SET", "maxmemory", "1"),
            ("EVAL", "return redis.call('set','x','y')", "1", "x"),
            ("CONFIG", "SET", "maxmemory", "0"),
        ],
        [
            b"+OK\r\n",
            (
                b"-OOM command not allowed when used memory > 'maxmemory'. script: "
                b"71e6319f97b0fe8bdfa1c5df3ce4489946dda479, on @user_script:1.\r\n"
            ),
            b"+OK\r\n",
        ],
        {"set": (0, 1, 0), "eval": (1, 0, 1)},
        {"OOM": 1},
        1,
    ),
    (
        [
            ("CONFIG", "SET", "maxmemory", "1"),
            ("EVAL", "local t = redis.pcall('set','x','y') return t['err']", "1", "x"),
            ("CONFIG", "SET", "maxmemory", "0"),
        ],
        [
            b"+OK\r\n",
            b"$55\r\nOOM command not allowed when used memory > 'maxmemory'.\r\n",
            b"+OK\r\n",
        ],
        {"set": (0, 1, 0), "eval": (1, 0, 0)},
        {"OOM": 1},
        1,
    ),
    (
        [
            ("CONFIG", "SET", "maxmemory", "1"),
            ("EVAL", "return redis.pcall('set','x','y')", "1", "x"),
            ("CONFIG", "SET", "maxmemory", "0"),
        ],
        [b"+OK\r\n", b"-OOM command not allowed when used memory > 'maxmemory'.\r\n", b"+OK\r\n"],
        {"set": (0, 1, 0), "eval": (1, 0, 1)},
        {"OOM": 1},
        1,
    ),
    (
        [
            ("CONFIG", "SET", "maxmemory", "1"),
            ("EVAL", "#!lua\nreturn 1", "0"),
            ("CONFIG", "SET", "maxmemory", "0"),
        ],
        [b"+OK\r\n", b"-OOM command not allowed when used memory > 'maxmemory'.\r\n", b"+OK\r\n"],
        {"eval": (0, 1, 0)},
        {"OOM": 1},
        1,
    ),
    (
        [
            ("CONFIG", "SET", "maxmemory", "1"),
            ("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','1')", "0"),
            ("CONFIG", "SET", "maxmemory", "0"),
        ],
        [b"+OK\r\n", b"+OK\r\n", b"+OK\r\n"],
        {"set": (1, 0, 0), "eval": (1, 0, 0)},
        {},
        0,
    ),
    (
        [
            ("CONFIG", "SET", "maxmemory", "1"),
            ("EVAL", "redis.call('set','a','1') return redis.call('set','b','2')", "0"),
            ("CONFIG", "SET", "maxmemory", "0"),
        ],
        [
            b"+OK\r\n",
            (
                b"-OOM command not allowed when used memory > 'maxmemory'. script: "
                b"6b2cd59725b94769f7e2e17ca2cb7ff52d4ccb57, on @user_script:1.\r\n"
            ),
            b"+OK\r\n",
        ],
        {"set": (0, 1, 0), "eval": (1, 0, 1)},
        {"OOM": 1},
        1,
    ),
    (
        [("SET", "Sicily", "1"), ("EVAL", "return redis.call('lpush', 'Sicily', 'x')", "0")],
        [
            b"+OK\r\n",
            (
                b"-WRONGTYPE Operation against a key holding the wrong kind of value script: "
                b"e114f8e6398bbf23353379f10524933413d5aeb1, on @user_script:1.\r\n"
            ),
        ],
        {"lpush": (1, 0, 1), "set": (1, 0, 0), "eval": (1, 0, 1)},
        {"WRONGTYPE": 1},
        1,
    ),
]


@pytest.mark.parametrize(("lines", "replies", "commands", "errors", "total"), CASES)
def test_replies_and_counters(
    client: RawClient,
    lines: list[tuple[str, ...]],
    replies: list[bytes],
    commands: dict[str, tuple[int, ...]],
    errors: dict[str, int],
    total: int,
) -> None:
    assert [client.command(*line) for line in lines] == replies
    assert counters(client) == (commands, errors, total)
