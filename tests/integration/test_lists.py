"""List commands over real sockets (RESP2 and RESP3), replies checked against Valkey 8.0.1.

LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LINDEX, LRANGE, LSET, LINSERT, LREM,
LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP, and the blocking pops when they need not wait
(their timeout parsing, WRONGTYPE, inside MULTI). Each ``GOLDEN`` sequence runs on a
flushed database; a row is (command, RESP2 reply, RESP3 reply or SAME). The encoding
conversions are read from the server's keyspace (OBJECT ENCODING is not part of this
family); keyspace events are recorded through ``Keyspace.event_sink``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import redis
from helpers import RawClient, exec_aborted_by, keyspace_stats

from minivalkey import Server
from minivalkey.engine.lists import List

SAME = None
OUT_OF_RANGE = (
    b"-ERR value is out of range, value must between -9223372036854775807 and "
    b"9223372036854775807\r\n"
)
RANK_ZERO = (
    b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    b"or use negative to start from the end of the list\r\n"
)

GOLDEN: dict[str, list[tuple[list[str], bytes, bytes | None]]] = {
    "pushes": [
        (["LPUSH", "l", "a", "b"], b":2\r\n", SAME),
        (["RPUSH", "l", "c"], b":3\r\n", SAME),
        (["LPUSHX", "l", "z"], b":4\r\n", SAME),
        (["RPUSHX", "l", "y", "x"], b":6\r\n", SAME),
        (["LPUSHX", "nokey", "a"], b":0\r\n", SAME),
        (["RPUSHX", "nokey", "a"], b":0\r\n", SAME),
        (
            ["LRANGE", "l", "0", "-1"],
            b"*6\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\ny\r\n$1\r\nx\r\n",
            SAME,
        ),
        (["LLEN", "l"], b":6\r\n", SAME),
        (["LLEN", "nokey"], b":0\r\n", SAME),
        (["EXISTS", "nokey"], b":0\r\n", SAME),
        (["TYPE", "l"], b"+list\r\n", SAME),
    ],
    "pops": [
        (["RPUSH", "l", "a", "b", "c", "d", "e"], b":5\r\n", SAME),
        (["LPOP", "l"], b"$1\r\na\r\n", SAME),
        (["RPOP", "l"], b"$1\r\ne\r\n", SAME),
        (["LPOP", "l", "2"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n", SAME),
        (["RPOP", "l", "0"], b"*0\r\n", SAME),
        (["RPOP", "l", "5"], b"*1\r\n$1\r\nd\r\n", SAME),
        (["EXISTS", "l"], b":0\r\n", SAME),
        (["LPOP", "l"], b"$-1\r\n", b"_\r\n"),
        (["RPOP", "l"], b"$-1\r\n", b"_\r\n"),
        (["LPOP", "l", "0"], b"*-1\r\n", b"_\r\n"),
        (["RPOP", "l", "3"], b"*-1\r\n", b"_\r\n"),
        (["LPOP", "l", "-1"], b"-ERR value is out of range, must be positive\r\n", SAME),
        (["LPOP", "l", "abc"], b"-ERR value is out of range, must be positive\r\n", SAME),
        (["LPOP", "l", "1", "2"], b"-ERR wrong number of arguments for 'lpop' command\r\n", SAME),
        (["RPOP", "l", "1", "2"], b"-ERR wrong number of arguments for 'rpop' command\r\n", SAME),
    ],
    "index_range": [
        (["RPUSH", "l", "a", "b", "c", "1", "2"], b":5\r\n", SAME),
        (["LINDEX", "l", "0"], b"$1\r\na\r\n", SAME),
        (["LINDEX", "l", "-1"], b"$1\r\n2\r\n", SAME),
        (["LINDEX", "l", "5"], b"$-1\r\n", b"_\r\n"),
        (["LINDEX", "l", "-6"], b"$-1\r\n", b"_\r\n"),
        (["LINDEX", "l", "x"], b"-ERR value is not an integer or out of range\r\n", SAME),
        (["LINDEX", "nokey", "x"], b"$-1\r\n", b"_\r\n"),
        (["LRANGE", "l", "1", "2"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n", SAME),
        (["LRANGE", "l", "-2", "100"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n", SAME),
        (["LRANGE", "l", "3", "1"], b"*0\r\n", SAME),
        (["LRANGE", "l", "-100", "-4"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", SAME),
        (["LRANGE", "l", "10", "20"], b"*0\r\n", SAME),
        (["LRANGE", "nokey", "0", "-1"], b"*0\r\n", SAME),
        (["LRANGE", "nokey", "a", "0"], b"-ERR value is not an integer or out of range\r\n", SAME),
        (
            ["LRANGE", "l", "0", "9223372036854775808"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
    ],
    "lset_linsert": [
        (["LSET", "nokey", "0", "x"], b"-ERR no such key\r\n", SAME),
        (["RPUSH", "l", "a", "b", "c"], b":3\r\n", SAME),
        (["LSET", "l", "1", "B"], b"+OK\r\n", SAME),
        (["LSET", "l", "-1", "C"], b"+OK\r\n", SAME),
        (["LSET", "l", "3", "x"], b"-ERR index out of range\r\n", SAME),
        (["LSET", "l", "-4", "x"], b"-ERR index out of range\r\n", SAME),
        (["LSET", "l", "x", "y"], b"-ERR value is not an integer or out of range\r\n", SAME),
        (["LINSERT", "l", "BEFORE", "B", "b0"], b":4\r\n", SAME),
        (["LINSERT", "l", "after", "C", "end"], b":5\r\n", SAME),
        (["LINSERT", "l", "AFTER", "zz", "x"], b":-1\r\n", SAME),
        (["LINSERT", "l", "middle", "B", "x"], b"-ERR syntax error\r\n", SAME),
        (["LINSERT", "nokey", "BEFORE", "a", "x"], b":0\r\n", SAME),
        (["LINSERT", "nokey", "middle", "a", "x"], b"-ERR syntax error\r\n", SAME),
        (
            ["LRANGE", "l", "0", "-1"],
            b"*5\r\n$1\r\na\r\n$2\r\nb0\r\n$1\r\nB\r\n$1\r\nC\r\n$3\r\nend\r\n",
            SAME,
        ),
    ],
    "lrem_ltrim": [
        (["RPUSH", "l", "a", "b", "a", "c", "a", "b"], b":6\r\n", SAME),
        (["LREM", "l", "1", "a"], b":1\r\n", SAME),
        (["LREM", "l", "-1", "b"], b":1\r\n", SAME),
        (["LRANGE", "l", "0", "-1"], b"*4\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\na\r\n", SAME),
        (["LREM", "l", "0", "a"], b":2\r\n", SAME),
        (["LREM", "l", "0", "zz"], b":0\r\n", SAME),
        (["LREM", "l", "x", "a"], b"-ERR value is not an integer or out of range\r\n", SAME),
        (
            ["LREM", "l", "-9223372036854775808", "a"],
            OUT_OF_RANGE,
            SAME,
        ),
        (["LREM", "nokey", "0", "a"], b":0\r\n", SAME),
        (["RPUSH", "t", "1", "2", "3", "4", "5"], b":5\r\n", SAME),
        (["LTRIM", "t", "1", "-2"], b"+OK\r\n", SAME),
        (["LRANGE", "t", "0", "-1"], b"*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", SAME),
        (["LTRIM", "t", "5", "10"], b"+OK\r\n", SAME),
        (["EXISTS", "t"], b":0\r\n", SAME),
        (["LTRIM", "nokey", "0", "1"], b"+OK\r\n", SAME),
        (["LTRIM", "t", "x", "1"], b"-ERR value is not an integer or out of range\r\n", SAME),
        (["LREM", "l", "0", "b"], b":1\r\n", SAME),
        (["LREM", "l", "0", "c"], b":1\r\n", SAME),
        (["EXISTS", "l"], b":0\r\n", SAME),
    ],
    "lpos": [
        (["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"], b":8\r\n", SAME),
        (["LPOS", "l", "c"], b":2\r\n", SAME),
        (["LPOS", "l", "c", "RANK", "2"], b":6\r\n", SAME),
        (["LPOS", "l", "c", "RANK", "-1"], b":7\r\n", SAME),
        (["LPOS", "l", "c", "RANK", "4"], b"$-1\r\n", b"_\r\n"),
        (["LPOS", "l", "c", "COUNT", "0"], b"*3\r\n:2\r\n:6\r\n:7\r\n", SAME),
        (["LPOS", "l", "c", "COUNT", "2", "RANK", "-1"], b"*2\r\n:7\r\n:6\r\n", SAME),
        (["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"], b"*1\r\n:2\r\n", SAME),
        (["LPOS", "l", "c", "MAXLEN", "1"], b"$-1\r\n", b"_\r\n"),
        (["LPOS", "l", "zz", "COUNT", "0"], b"*0\r\n", SAME),
        (["LPOS", "l", "1"], b":3\r\n", SAME),
        (["LPOS", "nokey", "a"], b"$-1\r\n", b"_\r\n"),
        (["LPOS", "nokey", "a", "COUNT", "1"], b"*0\r\n", SAME),
        (
            ["LPOS", "l", "c", "RANK", "0"],
            RANK_ZERO,
            SAME,
        ),
        (
            ["LPOS", "l", "c", "RANK", "-9223372036854775808"],
            OUT_OF_RANGE,
            SAME,
        ),
        (
            ["LPOS", "l", "c", "RANK", "x"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (["LPOS", "l", "c", "COUNT", "-1"], b"-ERR COUNT can't be negative\r\n", SAME),
        (["LPOS", "l", "c", "MAXLEN", "x"], b"-ERR MAXLEN can't be negative\r\n", SAME),
        (["LPOS", "l", "c", "RANK"], b"-ERR syntax error\r\n", SAME),
        (["LPOS", "l", "c", "FOO", "1"], b"-ERR syntax error\r\n", SAME),
        (["LPOS", "l", "c", "count", "1", "COUNT", "2"], b"*2\r\n:2\r\n:6\r\n", SAME),
    ],
    "moves": [
        (["RPUSH", "s", "a", "b", "c"], b":3\r\n", SAME),
        (["LMOVE", "s", "d", "LEFT", "RIGHT"], b"$1\r\na\r\n", SAME),
        (["LMOVE", "s", "d", "right", "left"], b"$1\r\nc\r\n", SAME),
        (["RPOPLPUSH", "s", "d"], b"$1\r\nb\r\n", SAME),
        (["EXISTS", "s"], b":0\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n", SAME),
        (["LMOVE", "d", "d", "LEFT", "RIGHT"], b"$1\r\nb\r\n", SAME),
        (["RPOPLPUSH", "d", "d"], b"$1\r\nb\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n", SAME),
        (["LMOVE", "nokey", "d", "LEFT", "LEFT"], b"$-1\r\n", b"_\r\n"),
        (["RPOPLPUSH", "nokey", "d"], b"$-1\r\n", b"_\r\n"),
        (["LMOVE", "d", "e", "UP", "LEFT"], b"-ERR syntax error\r\n", SAME),
        (["LMOVE", "d", "e", "LEFT", "DOWN"], b"-ERR syntax error\r\n", SAME),
    ],
    "lmpop": [
        (["RPUSH", "b", "1", "2", "3"], b":3\r\n", SAME),
        (["LMPOP", "2", "a", "b", "LEFT"], b"*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n", SAME),
        (
            ["LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"],
            b"*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n",
            SAME,
        ),
        (["LMPOP", "1", "b", "LEFT"], b"*-1\r\n", b"_\r\n"),
        (["LMPOP", "0", "b", "LEFT"], b"-ERR numkeys should be greater than 0\r\n", SAME),
        (["LMPOP", "x", "b", "LEFT"], b"-ERR numkeys should be greater than 0\r\n", SAME),
        (["LMPOP", "2", "b", "LEFT"], b"-ERR syntax error\r\n", SAME),
        (["LMPOP", "1", "b", "UP"], b"-ERR syntax error\r\n", SAME),
        (
            ["LMPOP", "1", "b", "LEFT", "COUNT", "0"],
            b"-ERR count should be greater than 0\r\n",
            SAME,
        ),
        (["LMPOP", "1", "b", "LEFT", "COUNT", "1", "COUNT", "1"], b"-ERR syntax error\r\n", SAME),
        (["LMPOP", "1", "b", "LEFT", "FOO"], b"-ERR syntax error\r\n", SAME),
        (["LMPOP", "1", "b"], b"-ERR wrong number of arguments for 'lmpop' command\r\n", SAME),
    ],
    "wrongtype": [
        (["SET", "s", "x"], b"+OK\r\n", SAME),
        (
            ["LPUSH", "s", "a"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["RPUSHX", "s", "a"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LPOP", "s"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["RPOP", "s", "0"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LLEN", "s"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LINDEX", "s", "x"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LRANGE", "s", "0", "1"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LSET", "s", "0", "a"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LINSERT", "s", "BEFORE", "a", "b"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LREM", "s", "0", "a"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LTRIM", "s", "0", "1"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LPOS", "s", "a"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LPOS", "s", "a", "RANK", "0"],
            RANK_ZERO,
            SAME,
        ),
        (["RPUSH", "l", "v"], b":1\r\n", SAME),
        (
            ["LMOVE", "l", "s", "LEFT", "LEFT"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["LMOVE", "s", "l", "LEFT", "LEFT"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (["LRANGE", "l", "0", "-1"], b"*1\r\n$1\r\nv\r\n", SAME),
        (
            ["LMPOP", "2", "s", "l", "LEFT"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (["LMPOP", "2", "l", "s", "LEFT"], b"*2\r\n$1\r\nl\r\n*1\r\n$1\r\nv\r\n", SAME),
        (
            ["BLPOP", "nokey", "s", "0"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["BLMPOP", "0", "1", "s", "LEFT"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["BLMOVE", "s", "l", "LEFT", "LEFT", "0"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (["BLMOVE", "nokey2", "s", "LEFT", "LEFT", "0.01"], b"*-1\r\n", b"_\r\n"),
    ],
    "blocking_immediate": [
        (["RPUSH", "l", "a", "b", "c", "d"], b":4\r\n", SAME),
        (["BLPOP", "nokey", "l", "0"], b"*2\r\n$1\r\nl\r\n$1\r\na\r\n", SAME),
        (["BRPOP", "l", "1"], b"*2\r\n$1\r\nl\r\n$1\r\nd\r\n", SAME),
        (
            ["BLMPOP", "0", "2", "nokey", "l", "RIGHT", "COUNT", "5"],
            b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n",
            SAME,
        ),
        (["RPUSH", "l", "x", "y"], b":2\r\n", SAME),
        (["BLMOVE", "l", "m", "LEFT", "RIGHT", "0"], b"$1\r\nx\r\n", SAME),
        (["BRPOPLPUSH", "l", "m", "0"], b"$1\r\ny\r\n", SAME),
        (["LRANGE", "m", "0", "-1"], b"*2\r\n$1\r\ny\r\n$1\r\nx\r\n", SAME),
        (["BLPOP", "nokey", "0.01"], b"*-1\r\n", b"_\r\n"),
        (["BRPOP", "nokey", "nokey2", "0.01"], b"*-1\r\n", b"_\r\n"),
        (["BLMPOP", "0.01", "1", "nokey", "LEFT"], b"*-1\r\n", b"_\r\n"),
        (["BLMOVE", "nokey", "m", "LEFT", "LEFT", "0.01"], b"*-1\r\n", b"_\r\n"),
        (["BRPOPLPUSH", "nokey", "m", "0.01"], b"*-1\r\n", b"_\r\n"),
    ],
    "timeouts": [
        (["BLPOP", "k", "-1"], b"-ERR timeout is negative\r\n", SAME),
        (["BLPOP", "k", "-0.5"], b"-ERR timeout is negative\r\n", SAME),
        (["BLPOP", "k", "abc"], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BLPOP", "k", " 1"], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BLPOP", "k", "nan"], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BLPOP", "k", "inf"], b"-ERR timeout is out of range\r\n", SAME),
        (["BLPOP", "k", "-inf"], b"-ERR timeout is negative\r\n", SAME),
        (["BLPOP", "k", "1e400"], b"-ERR timeout is out of range\r\n", SAME),
        (["BLPOP", "k", "1e-5000"], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BLPOP", "k", "0x7FFFFFFFFFFFFF"], b"-ERR timeout is out of range\r\n", SAME),
        (["BLPOP", "k", "9.3e15"], b"-ERR timeout is out of range\r\n", SAME),
        (["BLPOP", "k", ""], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BRPOP", "k", "0x"], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BRPOPLPUSH", "k", "d", "x"], b"-ERR timeout is not a float or out of range\r\n", SAME),
        (["BLMOVE", "k", "d", "LEFT", "LEFT", "-1"], b"-ERR timeout is negative\r\n", SAME),
        (["BLMOVE", "k", "d", "UP", "LEFT", "x"], b"-ERR syntax error\r\n", SAME),
        (
            ["BLMPOP", "x", "1", "k", "LEFT"],
            b"-ERR timeout is not a float or out of range\r\n",
            SAME,
        ),
        (["BLMPOP", "x", "1", "k", "UP"], b"-ERR syntax error\r\n", SAME),
        (["BLMPOP", "x", "0", "k", "LEFT"], b"-ERR numkeys should be greater than 0\r\n", SAME),
        (
            ["BLMPOP", "-1", "1", "k", "LEFT", "COUNT", "0"],
            b"-ERR count should be greater than 0\r\n",
            SAME,
        ),
    ],
    "multi": [
        (["MULTI"], b"+OK\r\n", SAME),
        (["BLPOP", "k", "0"], b"+QUEUED\r\n", SAME),
        (["BRPOP", "k", "10"], b"+QUEUED\r\n", SAME),
        (["BLMPOP", "0", "1", "k", "LEFT"], b"+QUEUED\r\n", SAME),
        (["RPUSH", "k", "1", "2", "3"], b"+QUEUED\r\n", SAME),
        (["BLPOP", "k", "0"], b"+QUEUED\r\n", SAME),
        (["BLMOVE", "k", "d", "LEFT", "LEFT", "0"], b"+QUEUED\r\n", SAME),
        (["BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "9"], b"+QUEUED\r\n", SAME),
        (["BLPOP", "k", "0"], b"+QUEUED\r\n", SAME),
        (
            ["EXEC"],
            b"*8\r\n*-1\r\n*-1\r\n*-1\r\n:3\r\n*2\r\n$1\r\nk\r\n$1\r\n1\r\n$1\r\n2\r\n*2\r\n$1\r\nk\r\n*1\r\n$1\r\n3\r\n*-1\r\n",
            b"*8\r\n_\r\n_\r\n_\r\n:3\r\n*2\r\n$1\r\nk\r\n$1\r\n1\r\n$1\r\n2\r\n*2\r\n$1\r\nk\r\n*1\r\n$1\r\n3\r\n_\r\n",
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_replies(raw: RawClient, protocol: int, name: str) -> None:
    if protocol == 3:
        raw.command("HELLO", "3")
    for command, resp2, resp3 in GOLDEN[name]:
        expected = resp2 if protocol == 2 or resp3 is SAME else resp3
        assert raw.command(*command) == expected, command


def test_with_redis_py(r: redis.Redis) -> None:
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c"]
    assert r.lpop("l", 2) == [b"a", b"b"]
    assert r.lmove("l", "m", "LEFT", "RIGHT") == b"c"
    assert r.exists("l") == 0
    assert r.lmpop(1, "m", direction="LEFT") == [b"m", [b"c"]]
    assert r.blpop(["m"], timeout=0.01) is None
    assert r.lpos("nokey", "a") is None


# -- what the server keeps -------------------------------------------------------------------


def on_server(server: Server, action: Callable[[], Any]) -> Any:
    """Run ``action`` on the server's own thread and answer its result."""
    done = threading.Event()
    result: list[Any] = []

    def run() -> None:
        result.append(action())
        done.set()

    assert server._loop is not None
    server._loop.call_soon_threadsafe(run)
    assert done.wait(5)
    return result[0]


def encoding(server: Server, key: str) -> str | None:
    def read() -> str | None:
        value = server.core.keyspace[0].data.get(key.encode())
        return value.encoding if type(value) is List else None

    result: str | None = on_server(server, read)
    return result


def test_encoding_conversions(server: Server, raw: RawClient) -> None:
    raw.command("CONFIG", "SET", "list-max-listpack-size", "3")
    try:
        raw.command("RPUSH", "l", "a", "b", "c")
        assert encoding(server, "l") == "listpack"
        raw.command("RPUSH", "l", "d")
        assert encoding(server, "l") == "quicklist"
        raw.command("RPOP", "l", "2")  # two elements in one node: not within half of 3
        assert encoding(server, "l") == "quicklist"
        raw.command("RPOP", "l")
        assert encoding(server, "l") == "listpack"
        # LSET and LINSERT convert before looking for the index or the pivot.
        raw.command("RPUSH", "l", "b", "c")
        assert raw.command("LSET", "l", "9", "x") == b"-ERR index out of range\r\n"
        assert encoding(server, "l") == "quicklist"
        raw.command("DEL", "l")
        raw.command("RPUSH", "l", "a", "b", "c")
        assert raw.command("LINSERT", "l", "BEFORE", "zz", "x") == b":-1\r\n"
        assert encoding(server, "l") == "quicklist"
        # An integer moved out of a quicklist counts no bytes for the destination.
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-1")
        raw.command("RPUSH", "src", "12345678901234", "x" * 4090)
        raw.command("RPUSH", "dst", "y" * 4075)
        assert encoding(server, "src") == "quicklist"
        raw.command("LMOVE", "src", "dst", "LEFT", "RIGHT")
        assert encoding(server, "dst") == "listpack"
        raw.command("DEL", "dst", "src")
        raw.command("RPUSH", "dst", "y" * 4075)
        raw.command("RPUSH", "src", "12345678901234")
        raw.command("LMOVE", "src", "dst", "LEFT", "RIGHT")
        assert encoding(server, "dst") == "quicklist"
        # An element beyond the node limit.
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-2")
        raw.command("RPUSH", "big", "x" * 8193)
        assert encoding(server, "big") == "quicklist"
    finally:
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-2")


EVENTS = [
    (["RPUSH", "l", "a", "b", "c"], [("rpush", "l")]),
    (["LPUSH", "l", "z"], [("lpush", "l")]),
    (["LPUSHX", "nokey", "a"], []),
    (["LINSERT", "l", "BEFORE", "b", "x"], [("linsert", "l")]),
    (["LINSERT", "l", "BEFORE", "nope", "x"], []),
    (["LSET", "l", "0", "zz"], [("lset", "l")]),
    (["LREM", "l", "0", "nope"], []),
    (["LREM", "l", "1", "x"], [("lrem", "l")]),
    (["LTRIM", "l", "0", "-1"], [("ltrim", "l")]),
    (["LTRIM", "l", "5", "10"], [("ltrim", "l"), ("del", "l")]),
    (["RPUSH", "l", "a", "b", "c"], [("rpush", "l")]),
    (["LPOP", "l"], [("lpop", "l")]),
    (["RPOP", "l", "0"], []),
    (["RPOP", "l", "5"], [("rpop", "l"), ("del", "l")]),
    (["RPUSH", "s", "1", "2"], [("rpush", "s")]),
    (["LMOVE", "s", "d", "LEFT", "RIGHT"], [("rpush", "d"), ("lpop", "s")]),
    (["RPOPLPUSH", "s", "d"], [("lpush", "d"), ("rpop", "s"), ("del", "s")]),
    (["RPOPLPUSH", "d", "d"], [("lpush", "d"), ("rpop", "d")]),
    (["LMPOP", "1", "d", "RIGHT", "COUNT", "10"], [("rpop", "d"), ("del", "d")]),
    (["RPUSH", "x", "1"], [("rpush", "x")]),
    (["BLPOP", "nokey", "x", "0"], [("lpop", "x"), ("del", "x")]),
    (["RPUSH", "x", "1"], [("rpush", "x")]),
    (["BLMOVE", "x", "y", "RIGHT", "LEFT", "0"], [("lpush", "y"), ("rpop", "x"), ("del", "x")]),
    (["BLMPOP", "0", "1", "y", "LEFT", "COUNT", "3"], [("lpop", "y"), ("del", "y")]),
]


def test_keyspace_events(server: Server, raw: RawClient) -> None:
    seen: list[tuple[str, str]] = []

    def record(event_class: int, event: str, key: bytes, db: int) -> None:
        seen.append((event, key.decode()))

    def install() -> None:
        server.core.keyspace.event_sink = record

    def remove() -> None:
        server.core.keyspace.event_sink = None

    on_server(server, install)
    raw.command("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        for command, events in EVENTS:
            del seen[:]
            assert not raw.command(*command).startswith(b"-")
            assert seen == events, command
    finally:
        raw.command("CONFIG", "SET", "notify-keyspace-events", "")
        on_server(server, remove)


@pytest.mark.parametrize(
    ("setup", "action", "aborts"),
    [
        ([], ["LPUSH", "k", "a"], True),
        (["RPUSH", "k", "a"], ["RPUSH", "k", "b"], True),
        ([], ["LPUSHX", "k", "a"], False),
        (["RPUSH", "k", "a"], ["LPOP", "k"], True),
        (["RPUSH", "k", "a", "b"], ["LPOP", "k", "0"], False),
        ([], ["LPOP", "k"], False),
        (["RPUSH", "k", "a"], ["LSET", "k", "0", "b"], True),
        (["RPUSH", "k", "a"], ["LSET", "k", "5", "b"], False),
        (["RPUSH", "k", "a"], ["LINSERT", "k", "BEFORE", "a", "x"], True),
        (["RPUSH", "k", "a"], ["LINSERT", "k", "BEFORE", "z", "x"], False),
        (["RPUSH", "k", "a"], ["LREM", "k", "0", "z"], False),
        (["RPUSH", "k", "a", "b"], ["LREM", "k", "0", "a"], True),
        (["RPUSH", "k", "a"], ["LTRIM", "k", "0", "-1"], True),
        ([], ["LTRIM", "k", "0", "-1"], False),
        (["RPUSH", "k", "a"], ["LMOVE", "k", "o", "LEFT", "LEFT"], True),
        (["RPUSH", "o", "a"], ["LMOVE", "o", "k", "LEFT", "LEFT"], True),
        ([], ["LMOVE", "k", "o", "LEFT", "LEFT"], False),
        (["RPUSH", "k", "a"], ["LMPOP", "1", "k", "LEFT"], True),
        (["RPUSH", "k", "a"], ["BLPOP", "k", "0"], True),
        (["RPUSH", "k", "a"], ["LRANGE", "k", "0", "-1"], False),
        (["RPUSH", "o", "a"], ["BRPOPLPUSH", "o", "k", "0"], True),
        (["SET", "k", "s"], ["LPUSH", "k", "a"], False),
    ],
)
def test_watch_sees_list_writes(
    server: Server, setup: list[str], action: list[str], aborts: bool
) -> None:
    with RawClient(server.port) as watcher, RawClient(server.port) as other:
        other.command("FLUSHALL")
        if setup:
            other.command(*setup)
        assert exec_aborted_by(watcher, other, "k", *action) is aborts


@pytest.mark.parametrize(
    ("command", "hits", "misses"),
    [
        (["LLEN", "k"], 1, 0),
        (["LLEN", "nokey"], 0, 1),
        (["LINDEX", "k", "0"], 1, 0),
        (["LINDEX", "nokey", "0"], 0, 1),
        (["LRANGE", "k", "0", "1"], 1, 0),
        (["LRANGE", "nokey", "0", "1"], 0, 1),
        (["LPOS", "k", "a"], 1, 0),
        (["LPOS", "nokey", "a"], 0, 1),
        (["LPOP", "k"], 0, 0),
        (["RPUSH", "k", "x"], 0, 0),
        (["LSET", "k", "0", "x"], 0, 0),
        (["LMOVE", "k", "k", "LEFT", "LEFT"], 0, 0),
        (["BLPOP", "k", "0"], 0, 0),
        (["LMPOP", "1", "k", "LEFT"], 0, 0),
    ],
)
def test_keyspace_hits_and_misses(
    raw: RawClient, command: list[str], hits: int, misses: int
) -> None:
    raw.command("RPUSH", "k", "a", "b")
    before = keyspace_stats(raw)
    assert not raw.command(*command).startswith(b"-")
    after = keyspace_stats(raw)
    assert (after[0] - before[0], after[1] - before[1]) == (hits, misses)


@pytest.mark.parametrize("fill", ["-2", "1"])
def test_lset_keeps_the_low_32_bits_of_its_index(raw: RawClient, fill: str) -> None:
    raw.command("CONFIG", "SET", "list-max-listpack-size", fill)
    try:
        raw.command("RPUSH", "l", "a", "b", "c")
        assert raw.command("LSET", "l", "4294967296", "first") == b"+OK\r\n"
        assert raw.command("LSET", "l", "9223372036854775807", "last") == b"+OK\r\n"
        assert raw.command("LSET", "l", "-4294967298", "middle") == b"+OK\r\n"
        assert raw.command("LSET", "l", "-9223372036854775808", "again") == b"+OK\r\n"
        assert raw.command("LSET", "l", "2147483648", "x") == b"-ERR index out of range\r\n"
        assert raw.command("LRANGE", "l", "0", "-1") == (
            b"*3\r\n$5\r\nagain\r\n$6\r\nmiddle\r\n$4\r\nlast\r\n"
        )
    finally:
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-2")
