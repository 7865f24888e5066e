"""SORT and SORT_RO over real sockets (RESP2 and RESP3), replies checked against Valkey 8.0.1.

Each ``GOLDEN`` sequence runs on a flushed database; a row is (command, RESP2 reply,
RESP3 reply or SAME), recorded from valkey-server 8.0.1 (each sequence on a fresh
connection). The rest checks what replies do not show: the stored list's encoding and
node layout and a sorted set's conversion (read from the server's keyspace), keyspace
events, WATCH touches, keyspace hits and misses, and clients blocked on a destination.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import redis
from helpers import RawClient, exec_aborted_by, keyspace_stats, wait_until

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.engine.lists import List
from minivalkey.engine.zsets import ZSet
from minivalkey.events import LIST
from minivalkey.session import Client

SAME = None

GOLDEN: dict[str, list[tuple[list[str], bytes, bytes | None]]] = {
    "numeric_list": [
        (
            [
                "RPUSH", "l", "3", "1", "10", "2", "-5", "1.5", "007", "0x10", " 4", "inf", "-inf",
                "-0",
            ],
            b":12\r\n",
            SAME,
        ),
        (
            ["SORT", "l"],
            (
                b"*12\r\n$4\r\n-inf\r\n$2\r\n-5\r\n$2\r\n-0\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n"
                b"2\r\n$1\r\n3\r\n$2\r\n 4\r\n$3\r\n007\r\n$2\r\n10\r\n$4\r\n0x10\r\n$3\r\n"
                b"inf\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "DESC"],
            (
                b"*12\r\n$3\r\ninf\r\n$4\r\n0x10\r\n$2\r\n10\r\n$3\r\n007\r\n$2\r\n 4\r\n$1\r\n"
                b"3\r\n$1\r\n2\r\n$3\r\n1.5\r\n$1\r\n1\r\n$2\r\n-0\r\n$2\r\n-5\r\n$4\r\n-inf\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "desc", "ASC"],
            (
                b"*12\r\n$4\r\n-inf\r\n$2\r\n-5\r\n$2\r\n-0\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n"
                b"2\r\n$1\r\n3\r\n$2\r\n 4\r\n$3\r\n007\r\n$2\r\n10\r\n$4\r\n0x10\r\n$3\r\n"
                b"inf\r\n"
            ),
            SAME,
        ),
        (["SORT_RO", "l", "LIMIT", "2", "3"], b"*3\r\n$2\r\n-0\r\n$1\r\n1\r\n$3\r\n1.5\r\n", SAME),
        (["SORT", "l", "LIMIT", "-5", "2"], b"*2\r\n$4\r\n-inf\r\n$2\r\n-5\r\n", SAME),
        (["SORT", "l", "LIMIT", "10", "-1"], b"*2\r\n$4\r\n0x10\r\n$3\r\ninf\r\n", SAME),
        (["SORT", "l", "LIMIT", "11", "5"], b"*1\r\n$3\r\ninf\r\n", SAME),
        (["SORT", "l", "LIMIT", "12", "5"], b"*0\r\n", SAME),
        (["SORT", "l", "LIMIT", "0", "0"], b"*0\r\n", SAME),
        (
            ["SORT", "l", "LIMIT", "3", "-7"],
            (
                b"*9\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n 4\r\n$3\r\n007\r\n"
                b"$2\r\n10\r\n$4\r\n0x10\r\n$3\r\ninf\r\n"
            ),
            SAME,
        ),
        (["SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"], b"*0\r\n", SAME),
        (
            ["SORT", "l", "LIMIT", "-9223372036854775808", "2", "DESC"],
            b"*2\r\n$3\r\ninf\r\n$4\r\n0x10\r\n",
            SAME,
        ),
        (["SORT", "l", "LIMIT", "1", "2", "LIMIT", "4", "1"], b"*1\r\n$3\r\n1.5\r\n", SAME),
    ],
    "equal_scores_by_bytes": [
        (["RPUSH", "l", "1.0", "1", "01", "1e0", "0x1", " 1", "+1", "2", "0.5"], b":9\r\n", SAME),
        (
            ["SORT", "l"],
            (
                b"*9\r\n$3\r\n0.5\r\n$2\r\n 1\r\n$2\r\n+1\r\n$2\r\n01\r\n$3\r\n0x1\r\n$1\r\n1\r\n"
                b"$3\r\n1.0\r\n$3\r\n1e0\r\n$1\r\n2\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "DESC"],
            (
                b"*9\r\n$1\r\n2\r\n$3\r\n1e0\r\n$3\r\n1.0\r\n$1\r\n1\r\n$3\r\n0x1\r\n$2\r\n01\r\n"
                b"$2\r\n+1\r\n$2\r\n 1\r\n$3\r\n0.5\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "ALPHA"],
            (
                b"*9\r\n$2\r\n 1\r\n$2\r\n+1\r\n$3\r\n0.5\r\n$2\r\n01\r\n$3\r\n0x1\r\n$1\r\n1\r\n"
                b"$3\r\n1.0\r\n$3\r\n1e0\r\n$1\r\n2\r\n"
            ),
            SAME,
        ),
    ],
    "alpha": [
        (
            ["RPUSH", "l", "b", "a", "B", "10", "9", "", "é", "ab", "a\x00z", "a\x00b", "~"],
            b":11\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "ALPHA"],
            (
                b"*11\r\n$0\r\n\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\nB\r\n$1\r\na\r\n$3\r\na\x00z\r\n"
                b"$3\r\na\x00b\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\n~\r\n$2\r\n\xc3\xa9\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "ALPHA", "DESC"],
            (
                b"*11\r\n$2\r\n\xc3\xa9\r\n$1\r\n~\r\n$1\r\nb\r\n$2\r\nab\r\n$1\r\na\r\n$3\r\n"
                b"a\x00z\r\n$3\r\na\x00b\r\n$1\r\nB\r\n$1\r\n9\r\n$2\r\n10\r\n$0\r\n\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "alpha", "LIMIT", "1", "3"],
            b"*3\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\nB\r\n",
            SAME,
        ),
        (["SORT", "l"], b"-ERR One or more scores can't be converted into double\r\n", SAME),
        (["SORT", "l", "ALPHA", "STORE", "d"], b":11\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            (
                b"*11\r\n$0\r\n\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\nB\r\n$1\r\na\r\n$3\r\na\x00b\r\n"
                b"$3\r\na\x00z\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\n~\r\n$2\r\n\xc3\xa9\r\n"
            ),
            SAME,
        ),
        (["SORT", "l", "ALPHA", "DESC", "STORE", "d"], b":11\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            (
                b"*11\r\n$2\r\n\xc3\xa9\r\n$1\r\n~\r\n$1\r\nb\r\n$2\r\nab\r\n$3\r\na\x00z\r\n"
                b"$3\r\na\x00b\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\n9\r\n$2\r\n10\r\n$0\r\n\r\n"
            ),
            SAME,
        ),
    ],
    "missing_and_wrong_types": [
        (["SORT", "nokey"], b"*0\r\n", SAME),
        (
            ["SORT", "nokey", "BY", "w_*", "GET", "#", "LIMIT", "0", "5", "DESC", "ALPHA"],
            b"*0\r\n",
            SAME,
        ),
        (["SORT_RO", "nokey", "BY", "nosort", "DESC"], b"*0\r\n", SAME),
        (["SET", "s", "v"], b"+OK\r\n", SAME),
        (["HSET", "h", "f", "v"], b":1\r\n", SAME),
        (["XADD", "x", "1-1", "f", "v"], b"$3\r\n1-1\r\n", SAME),
        (
            ["SORT", "s"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["SORT", "h", "BY", "nosort"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["SORT_RO", "x"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (
            ["SORT", "s", "LIMIT", "a", "b"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (["SORT", "s", "STORE"], b"-ERR syntax error\r\n", SAME),
        (
            ["SORT", "s", "STORE", "d"],
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            SAME,
        ),
        (["EXISTS", "d"], b":0\r\n", SAME),
    ],
    "option_errors": [
        (["RPUSH", "l", "1", "2"], b":2\r\n", SAME),
        (["SORT", "l", "junk"], b"-ERR syntax error\r\n", SAME),
        (["SORT", "l", "LIMIT"], b"-ERR syntax error\r\n", SAME),
        (["SORT", "l", "LIMIT", "1"], b"-ERR syntax error\r\n", SAME),
        (
            ["SORT", "l", "LIMIT", "x", "1"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "LIMIT", "1", "x"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "LIMIT", "1", "1.5"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "LIMIT", "1", "9223372036854775808"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "LIMIT", " 1", "1"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "LIMIT", "x", "1", "junk"],
            b"-ERR value is not an integer or out of range\r\n",
            SAME,
        ),
        (["SORT", "l", "junk", "LIMIT", "x", "1"], b"-ERR syntax error\r\n", SAME),
        (["SORT", "l", "BY"], b"-ERR syntax error\r\n", SAME),
        (["SORT", "l", "GET"], b"-ERR syntax error\r\n", SAME),
        (["SORT", "l", "STORE"], b"-ERR syntax error\r\n", SAME),
        (["SORT_RO", "l", "STORE", "d"], b"-ERR syntax error\r\n", SAME),
        (["SORT_RO", "l", "STORE"], b"-ERR syntax error\r\n", SAME),
        (["SORT", "l", "ALPHA\x00junk", "DESC\x00"], b"*2\r\n$1\r\n2\r\n$1\r\n1\r\n", SAME),
        (["SORT"], b"-ERR wrong number of arguments for 'sort' command\r\n", SAME),
        (["SORT_RO"], b"-ERR wrong number of arguments for 'sort_ro' command\r\n", SAME),
        (["SORT", "l", "LIMIT", "0", "1", "BY"], b"-ERR syntax error\r\n", SAME),
        (
            ["SORT", "l", "ASC", "asc", "Desc", "alpha", "ALPHA"],
            b"*2\r\n$1\r\n2\r\n$1\r\n1\r\n",
            SAME,
        ),
    ],
    "bad_doubles": [
        (["RPUSH", "l", "1", "2", "not-a-double"], b":3\r\n", SAME),
        (["SORT", "l"], b"-ERR One or more scores can't be converted into double\r\n", SAME),
        (["SORT", "l", "ALPHA"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$12\r\nnot-a-double\r\n", SAME),
        (
            ["SORT", "l", "BY", "nosort"],
            b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$12\r\nnot-a-double\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "LIMIT", "0", "1"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "STORE", "d"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (["EXISTS", "d"], b":0\r\n", SAME),
        (["DEL", "l"], b":1\r\n", SAME),
        (["RPUSH", "l", "a", "b"], b":2\r\n", SAME),
        (["SET", "w_a", "1"], b"+OK\r\n", SAME),
        (["SET", "w_b", "nan"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (["SORT", "l", "BY", "w_*", "ALPHA"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", SAME),
        (["SET", "w_b", "12 "], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (["SET", "w_b", "1e"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (["SET", "w_b", "0x"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (["SET", "w_b", "-"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
        (["SET", "w_b", "1\x00junk"], b"+OK\r\n", SAME),
        (["SORT", "l", "BY", "w_*"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", SAME),
        (["SET", "w_b", ""], b"+OK\r\n", SAME),
        (["SORT", "l", "BY", "w_*"], b"*2\r\n$1\r\nb\r\n$1\r\na\r\n", SAME),
        (["SET", "w_b", "\t\n 0x1p-3"], b"+OK\r\n", SAME),
        (["SORT", "l", "BY", "w_*"], b"*2\r\n$1\r\nb\r\n$1\r\na\r\n", SAME),
        (["SET", "w_b", "-Infinity"], b"+OK\r\n", SAME),
        (["SORT", "l", "BY", "w_*"], b"*2\r\n$1\r\nb\r\n$1\r\na\r\n", SAME),
        (["SET", "w_b", "1e400"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
    ],
    "by_patterns": [
        (["RPUSH", "l", "a", "b", "c", "d", "e"], b":5\r\n", SAME),
        (["MSET", "w_a", "30", "w_b", "10", "w_c", "20", "w_e", "-1"], b"+OK\r\n", SAME),
        (["HSET", "h_a", "f", "3", "g", "z"], b":2\r\n", SAME),
        (["HSET", "h_b", "f", "1", "g", "x"], b":2\r\n", SAME),
        (["HSET", "h_c", "f", "2", "g", "y"], b":2\r\n", SAME),
        (["RPUSH", "w_d", "not", "a", "string"], b":3\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*"],
            b"*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "DESC"],
            b"*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "h_*->f"],
            b"*5\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "h_*->g", "ALPHA"],
            b"*5\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "h_*->g", "ALPHA", "DESC"],
            b"*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "h_*->nofield"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*->f"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "*"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (["SET", "*", "5"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*", "BY", "nosort"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "nosort", "BY", "w_*"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_\x00*"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (["SET", "x:a->", "7"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "x:*->", "GET", "x:*->"],
            b"*5\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$1\r\n7\r\n",
            b"*5\r\n_\r\n_\r\n_\r\n_\r\n$1\r\n7\r\n",
        ),
        (["SORT", "l", "BY", "w_*", "LIMIT", "1", "2"], b"*2\r\n$1\r\nd\r\n$1\r\nb\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "DESC"],
            b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n",
            SAME,
        ),
    ],
    "by_constant_keeps_order": [
        (["RPUSH", "l", "3", "1", "2", "b", "a"], b":5\r\n", SAME),
        (
            ["SORT", "l", "BY", "nosort"],
            b"*5\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\na\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "nosort", "DESC"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n",
            SAME,
        ),
        (["SORT", "l", "BY", "nosort", "LIMIT", "1", "2"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n", SAME),
        (
            ["SORT", "l", "BY", "nosort", "LIMIT", "1", "2", "DESC"],
            b"*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
            SAME,
        ),
        (["SORT", "l", "BY", "nosort", "LIMIT", "4", "10", "DESC"], b"*1\r\n$1\r\n3\r\n", SAME),
        (["SORT", "l", "BY", "nosort", "LIMIT", "5", "10"], b"*0\r\n", SAME),
        (
            ["SORT", "l", "BY", "nosort", "ALPHA", "DESC", "LIMIT", "0", "-1"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n",
            SAME,
        ),
        (["SORT", "l", "BY", "nosort", "STORE", "d", "DESC"], b":5\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n",
            SAME,
        ),
        (["SADD", "i", "5", "-2", "10", "0"], b":4\r\n", SAME),
        (
            ["SORT", "i", "BY", "nosort"],
            b"*4\r\n$2\r\n-2\r\n$1\r\n0\r\n$1\r\n5\r\n$2\r\n10\r\n",
            SAME,
        ),
        (
            ["SORT", "i", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
            b"*2\r\n$1\r\n0\r\n$1\r\n5\r\n",
            SAME,
        ),
        (["SORT", "i", "BY", "nosort", "STORE", "d"], b":4\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*4\r\n$2\r\n-2\r\n$1\r\n0\r\n$2\r\n10\r\n$1\r\n5\r\n", SAME),
        (["SORT", "i", "BY", "nosort", "DESC", "STORE", "d"], b":4\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*4\r\n$1\r\n5\r\n$2\r\n10\r\n$1\r\n0\r\n$2\r\n-2\r\n", SAME),
        (["SORT", "i", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "d"], b":2\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*2\r\n$2\r\n10\r\n$1\r\n0\r\n", SAME),
        (["SADD", "p", "b", "c", "a", "10", "9"], b":5\r\n", SAME),
        (
            ["SORT", "p", "BY", "nosort"],
            b"*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\n9\r\n",
            SAME,
        ),
        (["SORT", "p", "BY", "nosort", "STORE", "d", "GET", "#", "GET", "w_*"], b":10\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            (
                b"*10\r\n$2\r\n10\r\n$0\r\n\r\n$1\r\n9\r\n$0\r\n\r\n$1\r\na\r\n$0\r\n\r\n$1\r\n"
                b"b\r\n$0\r\n\r\n$1\r\nc\r\n$0\r\n\r\n"
            ),
            SAME,
        ),
    ],
    "get_patterns": [
        (["RPUSH", "l", "2", "1", "3"], b":3\r\n", SAME),
        (["MSET", "w_1", "one", "w_2", "two"], b"+OK\r\n", SAME),
        (["HSET", "h_1", "f", "uno"], b":1\r\n", SAME),
        (["HSET", "h_3", "f", "tres"], b":1\r\n", SAME),
        (["SORT", "l", "GET", "#"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", SAME),
        (
            ["SORT", "l", "GET", "w_*"],
            b"*3\r\n$3\r\none\r\n$3\r\ntwo\r\n$-1\r\n",
            b"*3\r\n$3\r\none\r\n$3\r\ntwo\r\n_\r\n",
        ),
        (
            ["SORT", "l", "GET", "#", "GET", "w_*", "GET", "h_*->f"],
            (
                b"*9\r\n$1\r\n1\r\n$3\r\none\r\n$3\r\nuno\r\n$1\r\n2\r\n$3\r\ntwo\r\n$-1\r\n"
                b"$1\r\n3\r\n$-1\r\n$4\r\ntres\r\n"
            ),
            (
                b"*9\r\n$1\r\n1\r\n$3\r\none\r\n$3\r\nuno\r\n$1\r\n2\r\n$3\r\ntwo\r\n_\r\n$1\r\n"
                b"3\r\n_\r\n$4\r\ntres\r\n"
            ),
        ),
        (["SORT", "l", "GET", "const"], b"*3\r\n$-1\r\n$-1\r\n$-1\r\n", b"*3\r\n_\r\n_\r\n_\r\n"),
        (["SORT", "l", "GET", "#\x00junk"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", SAME),
        (["SORT", "l", "GET", "h_*->"], b"*3\r\n$-1\r\n$-1\r\n$-1\r\n", b"*3\r\n_\r\n_\r\n_\r\n"),
        (["SORT", "l", "GET", "w_*", "LIMIT", "1", "1", "DESC"], b"*1\r\n$3\r\ntwo\r\n", SAME),
        (["SORT", "l", "GET", "#", "GET", "w_*", "STORE", "d"], b":6\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            b"*6\r\n$1\r\n1\r\n$3\r\none\r\n$1\r\n2\r\n$3\r\ntwo\r\n$1\r\n3\r\n$0\r\n\r\n",
            SAME,
        ),
        (
            ["SORT_RO", "l", "BY", "nosort", "GET", "h_*->f"],
            b"*3\r\n$-1\r\n$3\r\nuno\r\n$4\r\ntres\r\n",
            b"*3\r\n_\r\n$3\r\nuno\r\n$4\r\ntres\r\n",
        ),
    ],
    "store": [
        (["RPUSH", "l", "3", "1", "2"], b":3\r\n", SAME),
        (["SET", "d", "old", "EX", "100"], b"+OK\r\n", SAME),
        (["SORT", "l", "STORE", "d"], b":3\r\n", SAME),
        (["TYPE", "d"], b"+list\r\n", SAME),
        (["TTL", "d"], b":-1\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", SAME),
        (["SORT", "l", "STORE", "d", "STORE", "e"], b":3\r\n", SAME),
        (["EXISTS", "d", "e"], b":2\r\n", SAME),
        (["SORT", "l", "LIMIT", "5", "5", "STORE", "d"], b":0\r\n", SAME),
        (["EXISTS", "d"], b":0\r\n", SAME),
        (["SORT", "nokey", "STORE", "nokey2"], b":0\r\n", SAME),
        (["SORT", "l", "STORE", "l", "DESC"], b":3\r\n", SAME),
        (["LRANGE", "l", "0", "-1"], b"*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n", SAME),
        (["SORT", "l", "LIMIT", "0", "0", "STORE", "l"], b":0\r\n", SAME),
        (["EXISTS", "l"], b":0\r\n", SAME),
    ],
    "alpha_ties_with_limit": [
        (
            ["RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"],
            b":12\r\n",
            SAME,
        ),
        (["MSET", "w_c", "x", "w_h", "x"], b"+OK\r\n", SAME),
        (
            ["SORT", "l", "BY", "w_*", "ALPHA"],
            (
                b"*12\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\n"
                b"i\r\n$1\r\nj\r\n$1\r\nk\r\n$1\r\nl\r\n$1\r\nc\r\n$1\r\nh\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "0", "12"],
            (
                b"*12\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\n"
                b"i\r\n$1\r\nj\r\n$1\r\nk\r\n$1\r\nl\r\n$1\r\nc\r\n$1\r\nh\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "0", "5"],
            b"*5\r\n$1\r\nl\r\n$1\r\nb\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nd\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", "2", "8"],
            (
                b"*8\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\n"
                b"i\r\n$1\r\nj\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "ALPHA", "DESC", "LIMIT", "0", "5"],
            b"*5\r\n$1\r\nc\r\n$1\r\nh\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n",
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "ALPHA", "DESC"],
            (
                b"*12\r\n$1\r\nc\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\n"
                b"f\r\n$1\r\ng\r\n$1\r\ni\r\n$1\r\nj\r\n$1\r\nk\r\n$1\r\nl\r\n"
            ),
            SAME,
        ),
        (
            ["SORT", "l", "BY", "w_*", "LIMIT", "0", "5"],
            b"-ERR One or more scores can't be converted into double\r\n",
            SAME,
        ),
    ],
    "sets": [
        (["SADD", "i", "10", "-3", "7", "0"], b":4\r\n", SAME),
        (["SORT", "i"], b"*4\r\n$2\r\n-3\r\n$1\r\n0\r\n$1\r\n7\r\n$2\r\n10\r\n", SAME),
        (["SORT", "i", "DESC", "LIMIT", "0", "2"], b"*2\r\n$2\r\n10\r\n$1\r\n7\r\n", SAME),
        (["SORT", "i", "ALPHA"], b"*4\r\n$2\r\n-3\r\n$1\r\n0\r\n$2\r\n10\r\n$1\r\n7\r\n", SAME),
        (["SADD", "p", "b", "a", "c"], b":3\r\n", SAME),
        (["SORT", "p", "ALPHA"], b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", SAME),
        (["SORT", "p"], b"-ERR One or more scores can't be converted into double\r\n", SAME),
        (
            ["SORT_RO", "p", "ALPHA", "GET", "#", "GET", "w_*"],
            b"*6\r\n$1\r\na\r\n$-1\r\n$1\r\nb\r\n$-1\r\n$1\r\nc\r\n$-1\r\n",
            b"*6\r\n$1\r\na\r\n_\r\n$1\r\nb\r\n_\r\n$1\r\nc\r\n_\r\n",
        ),
    ],
    "transaction": [
        (["RPUSH", "l", "2", "1"], b":2\r\n", SAME),
        (["MULTI"], b"+OK\r\n", SAME),
        (["SORT", "l"], b"+QUEUED\r\n", SAME),
        (["SORT", "l", "STORE", "d"], b"+QUEUED\r\n", SAME),
        (["SORT", "l", "junk"], b"+QUEUED\r\n", SAME),
        (["SORT_RO", "l", "GET", "nokey"], b"+QUEUED\r\n", SAME),
        (
            ["EXEC"],
            (
                b"*4\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n:2\r\n-ERR syntax error\r\n*2\r\n$-1\r\n"
                b"$-1\r\n"
            ),
            b"*4\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n:2\r\n-ERR syntax error\r\n*2\r\n_\r\n_\r\n",
        ),
    ],
    "command_keys": [
        (
            ["COMMAND", "GETKEYS", "SORT", "abc", "STORE", "def"],
            b"*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n",
            SAME,
        ),
        (
            [
                "COMMAND", "GETKEYS", "SORT", "abc", "store", "invalid", "store", "stillbad",
                "store", "def",
            ],
            b"*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n",
            SAME,
        ),
        (["COMMAND", "GETKEYS", "SORT", "abc", "STORE"], b"*1\r\n$3\r\nabc\r\n", SAME),
        (
            ["COMMAND", "GETKEYS", "SORT", "abc", "STORE", "limit", "1", "2"],
            b"*2\r\n$3\r\nabc\r\n$5\r\nlimit\r\n",
            SAME,
        ),
        (
            ["COMMAND", "GETKEYS", "SORT", "abc", "LIMIT", "STORE", "x", "y", "STORE", "z"],
            b"*2\r\n$3\r\nabc\r\n$1\r\nz\r\n",
            SAME,
        ),
        (
            ["COMMAND", "GETKEYS", "SORT", "abc", "BY", "store", "GET", "store", "x"],
            b"*1\r\n$3\r\nabc\r\n",
            SAME,
        ),
        (["COMMAND", "GETKEYS", "SORT_RO", "abc", "STORE", "def"], b"*1\r\n$3\r\nabc\r\n", SAME),
        (
            ["COMMAND", "GETKEYSANDFLAGS", "SORT", "abc", "STORE", "def"],
            (
                b"*2\r\n*2\r\n$3\r\nabc\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$3\r\ndef\r\n*2\r\n"
                b"+OW\r\n+update\r\n"
            ),
            (
                b"*2\r\n*2\r\n$3\r\nabc\r\n~2\r\n+RO\r\n+access\r\n*2\r\n$3\r\ndef\r\n~2\r\n"
                b"+OW\r\n+update\r\n"
            ),
        ),
        (
            ["COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "abc"],
            b"*1\r\n*2\r\n$3\r\nabc\r\n*2\r\n+RO\r\n+access\r\n",
            b"*1\r\n*2\r\n$3\r\nabc\r\n~2\r\n+RO\r\n+access\r\n",
        ),
        (
            ["COMMAND", "GETKEYS", "SORT"],
            b"-ERR Invalid number of arguments specified for command\r\n",
            SAME,
        ),
        (
            ["COMMAND", "INFO", "SORT", "SORT_RO"],
            (
                b"*2\r\n*10\r\n$4\r\nsort\r\n:-2\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n"
                b":1\r\n:1\r\n:1\r\n*6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n"
                b"+@dangerous\r\n*0\r\n*3\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\n"
                b"begin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\n"
                b"index\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n"
                b"spec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
                b":0\r\n*8\r\n$5\r\nnotes\r\n$120\r\n"
                b"For the optional BY/GET keyword. It is marked 'unknown' because the key names d"
                b"erive from the content of the key we sort\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
                b"+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n*0\r\n*8\r\n$5\r\nnotes\r\n$116\r\n"
                b"For the optional STORE keyword. It is marked 'unknown' because the keyword can "
                b"appear anywhere in the argument array\r\n$5\r\nflags\r\n*2\r\n+OW\r\n"
                b"+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n*0\r\n*0\r\n*10\r\n$7\r\nsort_ro\r\n:-2\r\n*2\r\n+readonly\r\n"
                b"+movablekeys\r\n:1\r\n:1\r\n:1\r\n*6\r\n+@read\r\n+@set\r\n+@sortedset\r\n"
                b"+@list\r\n+@slow\r\n+@dangerous\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*2\r\n"
                b"+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
                b"$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n"
                b"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n"
                b"keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*8\r\n$5\r\nnotes\r\n$120\r\n"
                b"For the optional BY/GET keyword. It is marked 'unknown' because the key names d"
                b"erive from the content of the key we sort\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
                b"+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n*0\r\n*0\r\n"
            ),
            (
                b"*2\r\n*10\r\n$4\r\nsort\r\n:-2\r\n~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n"
                b":1\r\n:1\r\n:1\r\n~6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n"
                b"+@dangerous\r\n~0\r\n~3\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\n"
                b"begin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\n"
                b"index\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n"
                b"spec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
                b":0\r\n%4\r\n$5\r\nnotes\r\n$120\r\n"
                b"For the optional BY/GET keyword. It is marked 'unknown' because the key names d"
                b"erive from the content of the key we sort\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"
                b"+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n%0\r\n%4\r\n$5\r\nnotes\r\n$116\r\n"
                b"For the optional STORE keyword. It is marked 'unknown' because the keyword can "
                b"appear anywhere in the argument array\r\n$5\r\nflags\r\n~2\r\n+OW\r\n"
                b"+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n%0\r\n~0\r\n*10\r\n$7\r\nsort_ro\r\n:-2\r\n~2\r\n+readonly\r\n"
                b"+movablekeys\r\n:1\r\n:1\r\n:1\r\n~6\r\n+@read\r\n+@set\r\n+@sortedset\r\n"
                b"+@list\r\n+@slow\r\n+@dangerous\r\n~0\r\n~2\r\n%3\r\n$5\r\nflags\r\n~2\r\n"
                b"+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
                b"$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\n"
                b"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n"
                b"keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%4\r\n$5\r\nnotes\r\n$120\r\n"
                b"For the optional BY/GET keyword. It is marked 'unknown' because the key names d"
                b"erive from the content of the key we sort\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"
                b"+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\n"
                b"spec\r\n%0\r\n~0\r\n"
            ),
        ),
    ],
    "sorted_sets": [
        (["ZADD", "z", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e"], b":5\r\n", SAME),
        (
            ["SORT", "z", "ALPHA"],
            b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
            SAME,
        ),
        (
            ["SORT", "z", "ALPHA", "DESC"],
            b"*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
            SAME,
        ),
        (["SORT", "z"], b"-ERR One or more scores can't be converted into double\r\n", SAME),
        (
            ["SORT", "z", "BY", "nosort"],
            b"*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nd\r\n",
            SAME,
        ),
        (
            ["SORT", "z", "BY", "nosort", "DESC"],
            b"*5\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\nc\r\n$1\r\na\r\n",
            SAME,
        ),
        (["SORT", "z", "BY", "nosort", "ASC", "LIMIT", "0", "1"], b"*1\r\n$1\r\na\r\n", SAME),
        (
            ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "0", "2"],
            b"*2\r\n$1\r\nd\r\n$1\r\nb\r\n",
            SAME,
        ),
        (
            ["SORT", "z", "BY", "nosort", "LIMIT", "1", "3"],
            b"*3\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nb\r\n",
            SAME,
        ),
        (
            ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "3"],
            b"*3\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\nc\r\n",
            SAME,
        ),
        (["SORT", "z", "BY", "nosort", "LIMIT", "5", "10"], b"*0\r\n", SAME),
        (
            ["SORT", "z", "BY", "nosort", "LIMIT", "-10", "100"],
            b"*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nd\r\n",
            SAME,
        ),
        (["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "4", "-1"], b"*1\r\n$1\r\na\r\n", SAME),
        (
            ["SORT_RO", "z", "BY", "nosort", "GET", "#", "GET", "w_*"],
            (
                b"*10\r\n$1\r\na\r\n$-1\r\n$1\r\nc\r\n$-1\r\n$1\r\ne\r\n$-1\r\n$1\r\nb\r\n$-1\r\n"
                b"$1\r\nd\r\n$-1\r\n"
            ),
            (
                b"*10\r\n$1\r\na\r\n_\r\n$1\r\nc\r\n_\r\n$1\r\ne\r\n_\r\n$1\r\nb\r\n_\r\n$1\r\n"
                b"d\r\n_\r\n"
            ),
        ),
        (["MSET", "w_a", "3", "w_b", "1", "w_c", "2"], b"+OK\r\n", SAME),
        (
            ["SORT", "z", "BY", "w_*"],
            b"*5\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
            SAME,
        ),
        (
            ["SORT", "z", "BY", "w_*", "DESC", "LIMIT", "0", "2"],
            b"*2\r\n$1\r\na\r\n$1\r\nc\r\n",
            SAME,
        ),
        (["SORT", "z", "BY", "nosort", "STORE", "d"], b":5\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            b"*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nd\r\n",
            SAME,
        ),
        (["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "d"], b":2\r\n", SAME),
        (["LRANGE", "d", "0", "-1"], b"*2\r\n$1\r\nb\r\n$1\r\ne\r\n", SAME),
        (
            [
                "ZADD", "n", "-100", "a", "200", "b", "-300", "c", "1000000", "d", "+inf", "max",
                "-inf", "min",
            ],
            b":6\r\n",
            SAME,
        ),
        (
            ["SORT", "n", "BY", "nosort"],
            b"*6\r\n$3\r\nmin\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$3\r\nmax\r\n",
            SAME,
        ),
        (
            ["SORT", "n", "BY", "nosort", "DESC"],
            b"*6\r\n$3\r\nmax\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$3\r\nmin\r\n",
            SAME,
        ),
        (["ZADD", "m", "3", "10", "1", "20", "2", "-5", "0", "1.5"], b":4\r\n", SAME),
        (["SORT", "m"], b"*4\r\n$2\r\n-5\r\n$3\r\n1.5\r\n$2\r\n10\r\n$2\r\n20\r\n", SAME),
        (["SORT", "m", "DESC", "LIMIT", "1", "2"], b"*2\r\n$2\r\n10\r\n$3\r\n1.5\r\n", SAME),
        (
            ["SORT", "m", "BY", "nosort"],
            b"*4\r\n$3\r\n1.5\r\n$2\r\n20\r\n$2\r\n-5\r\n$2\r\n10\r\n",
            SAME,
        ),
        (["SORT", "m", "ALPHA", "STORE", "d"], b":4\r\n", SAME),
        (
            ["LRANGE", "d", "0", "-1"],
            b"*4\r\n$2\r\n-5\r\n$3\r\n1.5\r\n$2\r\n10\r\n$2\r\n20\r\n",
            SAME,
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
    r.rpush("l", "3", "1", "2")
    r.mset({"w_1": "c", "w_2": "b", "w_3": "a"})
    assert r.sort("l") == [b"1", b"2", b"3"]
    assert r.sort("l", desc=True, start=0, num=2) == [b"3", b"2"]
    assert r.sort("l", by="w_*", alpha=True) == [b"3", b"2", b"1"]
    assert r.sort("l", by="nosort", get=["#", "w_*"]) == [b"3", b"a", b"1", b"c", b"2", b"b"]
    assert r.sort("l", store="d") == 3
    assert r.lrange("d", 0, -1) == [b"1", b"2", b"3"]
    assert r.sort_ro("l", by="w_*", get="w_*", alpha=True) == [b"a", b"b", b"c"]
    assert r.sort("nokey", store="d") == 0
    assert r.exists("d") == 0


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


def layout(server: Server, key: str) -> tuple[str, list[int], int, int] | None:
    """The list's encoding, the lengths of its nodes, its fill and compress depth."""

    def read() -> tuple[str, list[int], int, int] | None:
        value = server.core.keyspace[0].data.get(key.encode())
        if type(value) is not List:
            return None
        return value.encoding, [len(node.items) for node in value.nodes], value.fill, value.compress

    result: tuple[str, list[int], int, int] | None = on_server(server, read)
    return result


def test_stored_list_encoding_and_nodes(server: Server, raw: RawClient) -> None:
    """A stored result is built as a quicklist and becomes a listpack when it is one node
    within the limits (the nodes and sizes are those DEBUG OBJECT shows on Valkey 8.0.1)."""
    try:
        raw.command("CONFIG", "SET", "list-max-listpack-size", "4")
        raw.command("RPUSH", "src", *range(1, 10))
        assert raw.command("SORT", "src", "STORE", "d") == b":9\r\n"
        assert layout(server, "d") == ("quicklist", [4, 4, 1], 4, 0)
        assert raw.command("SORT", "src", "LIMIT", "0", "4", "STORE", "d") == b":4\r\n"
        assert layout(server, "d")[:2] == ("listpack", [4])  # type: ignore[index]
        assert raw.command("SORT", "src", "LIMIT", "0", "5", "STORE", "d") == b":5\r\n"
        assert layout(server, "d") == ("quicklist", [4, 1], 4, 0)
        # GET values are what is stored, missing ones as empty strings.
        assert raw.command("SORT", "src", "GET", "nokey_*", "GET", "#", "STORE", "d") == b":18\r\n"
        assert layout(server, "d") == ("quicklist", [4, 4, 4, 4, 2], 4, 0)
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-1")
        raw.command("CONFIG", "SET", "list-compress-depth", "2")
        raw.command("DEL", "src")
        raw.command("RPUSH", "src", *(["x" * 1000] * 9))
        assert raw.command("SORT", "src", "ALPHA", "STORE", "d") == b":9\r\n"
        assert layout(server, "d") == ("quicklist", [4, 4, 1], -1, 2)
        raw.command("CONFIG", "SET", "list-max-listpack-size", "0")
        assert raw.command("SORT", "src", "ALPHA", "LIMIT", "0", "1", "STORE", "d") == b":1\r\n"
        assert layout(server, "d")[:2] == ("listpack", [1])  # type: ignore[index]
        # One element longer than a node may be gets a plain node: never a listpack.
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-2")
        raw.command("RPUSH", "big", "y" * 9000)
        assert raw.command("SORT", "big", "BY", "nosort", "STORE", "d") == b":1\r\n"
        assert layout(server, "d") == ("quicklist", [1], -2, 2)
    finally:
        raw.command("CONFIG", "SET", "list-max-listpack-size", "-2")
        raw.command("CONFIG", "SET", "list-compress-depth", "0")


def zset_encoding(server: Server, key: str) -> str | None:
    def read() -> str | None:
        value = server.core.keyspace[0].data.get(key.encode())
        return value.encoding if type(value) is ZSet else None

    result: str | None = on_server(server, read)
    return result


@pytest.mark.parametrize(
    ("command", "converts"),
    [
        (["SORT_RO", "z", "BY", "nosort"], True),
        (["SORT", "z", "ALPHA", "LIMIT", "0", "0"], True),
        (["SORT", "z", "GET", "#", "STORE", "d"], True),
        (["SORT", "z"], True),  # fails: the members are no numbers, yet the set converted
        (["SORT", "z", "junk"], False),
        (["SORT_RO", "z", "STORE", "d"], False),
    ],
)
def test_sorting_a_sorted_set_makes_it_a_skiplist(
    server: Server, raw: RawClient, command: list[str], converts: bool
) -> None:
    """Valkey converts a listpack sorted set to a skiplist for good once the options are
    read, before it looks at a single weight (checked with OBJECT ENCODING on 8.0.1)."""
    raw.command("ZADD", "z", "1", "a", "2", "b")
    assert zset_encoding(server, "z") == "listpack"
    raw.command(*command)
    assert zset_encoding(server, "z") == ("skiplist" if converts else "listpack")
    raw.command("SORT", "z", "BY", "nosort")
    assert zset_encoding(server, "z") == "skiplist"


EVENTS = [
    (["RPUSH", "l", "b", "a"], [("rpush", "l")]),
    (["SORT", "l", "ALPHA"], []),
    (["SORT", "l", "ALPHA", "STORE", "d"], [("sortstore", "d")]),
    (["SORT", "l", "ALPHA", "STORE", "d"], [("sortstore", "d")]),
    (["SORT", "l", "ALPHA", "LIMIT", "5", "1", "STORE", "d"], [("del", "d")]),
    (["SORT", "l", "ALPHA", "LIMIT", "5", "1", "STORE", "d"], []),
    (["SORT", "nokey", "STORE", "l"], [("del", "l")]),
    (["SORT", "nokey", "STORE", "l"], []),
    (["SADD", "s", "x"], [("sadd", "s")]),
    (["SORT", "s", "BY", "nosort", "STORE", "s"], [("sortstore", "s")]),
]


def test_keyspace_events(server: Server, raw: RawClient) -> None:
    seen: list[tuple[str, str]] = []
    classes: set[int] = set()

    def record(event_class: int, event: str, key: bytes, db: int) -> None:
        seen.append((event, key.decode()))
        if event == "sortstore":
            classes.add(event_class)

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
        # A failing SORT sends nothing.
        del seen[:]
        raw.command("RPUSH", "bad", "x")
        del seen[:]
        assert raw.command("SORT", "bad", "STORE", "d").startswith(b"-ERR One or more")
        assert seen == []
    finally:
        raw.command("CONFIG", "SET", "notify-keyspace-events", "")
        on_server(server, remove)
    assert classes == {LIST}


def test_an_empty_result_deletes_a_destination_past_its_deadline() -> None:
    """Valkey's dbDelete removes a key whose deadline has passed (before any expiry
    cycle saw it) like a live one: a ``del`` event, no expired key counted; a result
    stored there replaces what the write lookup expired."""
    clock = ManualClock(1_000)
    core = ServerCore(clock=clock)
    seen: list[tuple[str, bytes]] = []
    core.keyspace.event_sink = lambda event_class, event, key, db: seen.append((event, key))
    client = Client(core)
    execute(client, [b"CONFIG", b"SET", b"notify-keyspace-events", b"KEA"])
    execute(client, [b"SET", b"d", b"v", b"PX", b"100"])
    clock.advance_ms(200)
    del seen[:]
    assert execute(client, [b"SORT", b"nokey", b"STORE", b"d"]) == b":0\r\n"
    assert seen == [("del", b"d")]
    assert core.keyspace.stats_expired_keys == 0
    assert b"d" not in core.keyspace[0].data
    execute(client, [b"RPUSH", b"l", b"1"])
    execute(client, [b"SET", b"d", b"v", b"PX", b"100"])
    clock.advance_ms(200)
    assert execute(client, [b"SORT", b"l", b"STORE", b"d"]) == b":1\r\n"
    assert execute(client, [b"TTL", b"d"]) == b":-1\r\n"
    assert core.keyspace.stats_expired_keys == 1


@pytest.mark.parametrize(
    ("setup", "action", "aborts"),
    [
        (["RPUSH", "l", "a"], ["SORT", "l", "ALPHA", "STORE", "k"], True),
        (["SET", "k", "v"], ["SORT", "nokey", "STORE", "k"], True),
        ([], ["SORT", "nokey", "STORE", "k"], False),
        (["RPUSH", "l", "a"], ["SORT", "l", "LIMIT", "1", "1", "STORE", "k"], False),
        (["RPUSH", "k", "1"], ["SORT", "k"], False),
        (["RPUSH", "k", "1"], ["SORT_RO", "k", "BY", "w_*", "GET", "#"], False),
        (["RPUSH", "l", "x"], ["SORT", "l", "STORE", "k"], False),  # the error stores nothing
        (["RPUSH", "k", "1"], ["SORT", "k", "STORE", "k"], True),
    ],
)
def test_watch_sees_stores(
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
        (["SORT", "l"], 1, 0),
        (["SORT", "nokey"], 0, 1),
        (["SORT_RO", "l", "LIMIT", "0", "1"], 1, 0),
        (["SORT", "l", "junk"], 0, 0),
        (["SORT", "str"], 1, 0),
        (["SORT", "l", "BY", "nosort"], 1, 0),
        (["SORT", "l", "BY", "w_*"], 3, 1),
        (["SORT", "l", "BY", "h_*->f"], 4, 0),
        (["SORT", "l", "BY", "w_*", "LIMIT", "0", "1"], 3, 1),
        (["SORT", "l", "GET", "#"], 1, 0),
        (["SORT", "l", "GET", "const"], 1, 0),
        (["SORT", "l", "GET", "w_*", "LIMIT", "0", "2"], 3, 0),
        (["SORT", "l", "BY", "w_*", "GET", "w_*", "GET", "#", "GET", "h_*->f"], 8, 2),
        (["SORT", "l", "BY", "bad_*"], 3, 1),
        (["SORT", "l", "BY", "bad_*", "GET", "w_*"], 3, 1),
        (["SORT", "l", "BY", "w_*", "STORE", "d"], 3, 1),
        (["SORT", "l", "GET", "w_*", "STORE", "d"], 3, 1),
        (["SORT", "s", "BY", "nosort", "STORE", "d", "GET", "w_*"], 3, 1),
    ],
)
def test_keyspace_hits_and_misses(
    raw: RawClient, command: list[str], hits: int, misses: int
) -> None:
    """The sorted key, then every key a BY pattern names (all elements, when sorting)
    and every key a GET pattern names (the answered elements) count as Valkey counts."""
    raw.command("RPUSH", "l", "1", "2", "3")
    raw.command("SADD", "s", "1", "2", "3")
    raw.command("MSET", "w_1", "30", "w_2", "20", "str", "v", "bad_2", "x", "bad_3", "y")
    for element in ("1", "2", "3"):
        raw.command("HSET", "h_" + element, "f", element)
    before = keyspace_stats(raw)
    raw.command(*command)
    after = keyspace_stats(raw)
    assert (after[0] - before[0], after[1] - before[1]) == (hits, misses)


# -- clients blocked on the destination --------------------------------------------------------


def blocked_clients(client: RawClient) -> str:
    for line in client.command("INFO", "clients").decode().split("\r\n"):
        if line.startswith("blocked_clients:"):
            return line.split(":", 1)[1]
    raise AssertionError("no blocked_clients in INFO")


def wait_blocked(control: RawClient, count: int) -> None:
    wait_until(lambda: blocked_clients(control) == str(count), message=f"{count} blocked")


def test_a_stored_list_serves_a_blocked_pop(make_server: Callable[..., Server]) -> None:
    server = make_server()
    with RawClient(server.port) as control, RawClient(server.port) as waiter:
        control.command("RPUSH", "src", "hello", "hola", "aguacate", "konichiwa")
        waiter.send(b"*3\r\n$5\r\nBLPOP\r\n$3\r\ndst\r\n$1\r\n0\r\n")
        wait_blocked(control, 1)
        # An empty result creates nothing, and serves nobody.
        assert control.command("SORT", "nokey", "STORE", "dst") == b":0\r\n"
        empty = control.command("SORT", "src", "ALPHA", "LIMIT", "9", "1", "STORE", "dst")
        assert empty == b":0\r\n"
        assert blocked_clients(control) == "1"
        assert control.command("SORT", "src", "ALPHA", "STORE", "dst") == b":4\r\n"
        assert waiter.read_reply() == b"*2\r\n$3\r\ndst\r\n$8\r\naguacate\r\n"
        assert control.command("LRANGE", "dst", "0", "-1") == (
            b"*3\r\n$5\r\nhello\r\n$4\r\nhola\r\n$9\r\nkonichiwa\r\n"
        )


def test_a_store_inside_exec_serves_after_it(make_server: Callable[..., Server]) -> None:
    server = make_server()
    with RawClient(server.port) as control, RawClient(server.port) as waiter:
        control.command("RPUSH", "src", "a", "b")
        waiter.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
        wait_blocked(control, 1)
        control.command("MULTI")
        control.command("SORT", "src", "ALPHA", "DESC", "STORE", "q")
        control.command("RPUSH", "q", "last")
        assert control.command("EXEC") == b"*2\r\n:2\r\n:3\r\n"
        assert waiter.read_reply() == b"*2\r\n$1\r\nq\r\n$1\r\nb\r\n"
        assert control.command("LRANGE", "q", "0", "-1") == b"*2\r\n$1\r\na\r\n$4\r\nlast\r\n"


def test_a_store_over_another_type_does_not_wake_a_waiter(
    make_server: Callable[..., Server],
) -> None:
    """Valkey signals a replaced key only to the waiters that must hear of a deletion, so
    a list stored over a string leaves a BLPOP of that key waiting."""
    server = make_server()
    with RawClient(server.port) as control, RawClient(server.port) as waiter:
        control.command("RPUSH", "src", "b", "a")
        waiter.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n")
        wait_blocked(control, 1)
        assert control.command("SET", "k", "str") == b"+OK\r\n"
        assert control.command("SORT", "src", "ALPHA", "STORE", "k") == b":2\r\n"
        assert blocked_clients(control) == "1"
        assert control.command("LRANGE", "k", "0", "-1") == b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
