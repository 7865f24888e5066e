"""math.random and math.randomseed as Valkey 8.0.1's: its lrand48 sequence from a fresh
server, one generator for EVAL and FCALL that SCRIPT FLUSH does not reset, a draw
even for a refused call, and Lua's argument errors. Every value was read from a
freshly started valkey-server 8.0.1 running the same commands in the same order.
"""

from __future__ import annotations

from collections.abc import Callable

from helpers import RawClient

from minivalkey import Server

OK = b"+OK\r\n"
LIBRARY = (
    "#!lua name=r\nredis.register_function('r', function() return tostring(math.random()) end)"
)


def bulk(text: str) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(text), text.encode())


def test_the_sequence_of_a_fresh_server(make_server: Callable[..., Server]) -> None:
    client = RawClient(make_server().port)
    try:
        steps = [
            (
                "return {tostring(math.random()), math.random(100), math.random(5, 10)}",
                b"*3\r\n" + bulk("0.39646477363839") + b":85\r\n:7\r\n",
            ),
            (
                "return {pcall(math.random, 1, 2, 3)}",
                b"*2\r\n$-1\r\n" + bulk("wrong number of arguments"),
            ),
            ("return tostring(math.random())", bulk("0.31869277233197")),
            (
                "return {pcall(math.random, 0)}",
                b"*2\r\n$-1\r\n" + bulk("bad argument #1 to '?' (interval is empty)"),
            ),
            (
                "return math.random('x')",
                b"-ERR user_script:1: bad argument #1 to 'random' (number expected, got string)"
                b" script: d36aee4c433f6d1a257f71070b6a0b37a40bbb04, on @user_script:1.\r\n",
            ),
            (
                "return math.random(2, 1)",
                b"-ERR user_script:1: bad argument #2 to 'random' (interval is empty)"
                b" script: 05ce4ae13f8f2bab86393cf01d40ce4f0f8312f1, on @user_script:1.\r\n",
            ),
            ("return math.random('7')", b":2\r\n"),
            ("return math.random(3.9)", b":2\r\n"),
            ("local r = math.random return r()", b":0\r\n"),
            (
                "math.randomseed(42) return {tostring(math.random()), math.random(1000)}",
                b"*2\r\n" + bulk("0.74452500033403") + b":343\r\n",
            ),
            (
                "return math.randomseed()",
                b"-ERR user_script:1: bad argument #1 to 'randomseed' (number expected, got no"
                b" value) script: 9eed10cf76a7a6865ba6e0fcf62b0b32831bf4da, on @user_script:1.\r\n",
            ),
            ("math.randomseed(-5) return tostring(math.random())", bulk("0.8168164928522")),
            ("math.randomseed('12') return tostring(math.random())", bulk("0.6204557403086")),
            ("math.randomseed(2^40+3) return tostring(math.random())", bulk("0.78323496216127")),
            ("return math.random(-3, 2^33)", b":0\r\n"),
        ]
        for script, reply in steps:
            assert client.command("EVAL", script, "0") == reply, script
        # functions draw from the same generator, and SCRIPT FLUSH does not reset it
        assert client.command("FUNCTION", "LOAD", "REPLACE", LIBRARY) == b"$1\r\nr\r\n"
        assert client.command("FCALL", "r", "0") == bulk("0.31170834336044")
        assert client.command("EVAL", "return tostring(math.random())", "0") == bulk(
            "0.26702763618297"
        )
        assert client.command("SCRIPT", "FLUSH") == OK
        assert client.command("EVAL", "return tostring(math.random())", "0") == bulk(
            "0.5418611972322"
        )
    finally:
        client.close()
