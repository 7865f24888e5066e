"""WAIT and WAITAOF on a primary without replicas, as Valkey 8.0.1 answers them: the
argument checks in its order with its texts, the counts at once when nothing is asked
for (or where blocking is denied: EXEC, scripts), else a wait until the timeout that
answers the same counts. Rows were checked against valkey-server 8.0.1.
"""

from __future__ import annotations

import pytest
from helpers import RawClient, encode_command, wait_until

from minivalkey import Server

ROWS = [
    (("WAIT", "0", "0"), b":0\r\n", None),
    (("WAIT", "-1", "0"), b":0\r\n", None),
    (("WAIT", "x", "0"), b"-ERR value is not an integer or out of range\r\n", None),
    (("WAIT", "1", "x"), b"-ERR timeout is not an integer or out of range\r\n", None),
    (("WAIT", "1", "-1"), b"-ERR timeout is negative\r\n", None),
    (("WAIT", "0", "-1"), b"-ERR timeout is negative\r\n", None),
    (("WAIT", "1", "9223372036854775807"), b"-ERR timeout is out of range\r\n", None),
    (("WAITAOF", "0", "0", "0"), b"*2\r\n:0\r\n:0\r\n", None),
    (
        ("WAITAOF", "1", "0", "0"),
        b"-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n",
        None,
    ),
    (
        ("WAITAOF", "2", "0", "0"),
        b"-ERR value is out of range, value must between 0 and 1\r\n",
        None,
    ),
    (
        ("WAITAOF", "-1", "0", "0"),
        b"-ERR value is out of range, value must between 0 and 1\r\n",
        None,
    ),
    (("WAITAOF", "0", "-1", "0"), b"-ERR value is out of range, must be positive\r\n", None),
    (("WAITAOF", "x", "0", "0"), b"-ERR value is not an integer or out of range\r\n", None),
    (("WAITAOF", "0", "x", "0"), b"-ERR value is out of range, must be positive\r\n", None),
    (("WAITAOF", "0", "0", "x"), b"-ERR timeout is not an integer or out of range\r\n", None),
    (("WAITAOF", "0", "0", "-1"), b"-ERR timeout is negative\r\n", None),
    (("WAITAOF", "1", "0", "-1"), b"-ERR timeout is negative\r\n", None),
    (("WAITAOF", "0", "1", "x"), b"-ERR timeout is not an integer or out of range\r\n", None),
    (("WAIT", "1"), b"-ERR wrong number of arguments for 'wait' command\r\n", None),
    (("WAITAOF", "0", "0"), b"-ERR wrong number of arguments for 'waitaof' command\r\n", None),
    (("EVAL", "return redis.pcall('wait','1','0')", "0"), b":0\r\n", None),
    (("EVAL", "return redis.pcall('waitaof','0','1','0')", "0"), b"*2\r\n:0\r\n:0\r\n", None),
    (
        ("EVAL", "return redis.pcall('waitaof','1','1','0')", "0"),
        b"-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n",
        None,
    ),
]


@pytest.mark.parametrize(("args", "reply", "resp3"), ROWS)
def test_replies(raw: RawClient, args: tuple[str, ...], reply: bytes, resp3: None) -> None:
    assert raw.command(*args) == reply


def test_inside_exec_they_answer_at_once(raw: RawClient) -> None:
    assert raw.command("MULTI") == b"+OK\r\n"
    assert raw.command("WAIT", "1", "0") == b"+QUEUED\r\n"
    assert raw.command("WAITAOF", "0", "1", "0") == b"+QUEUED\r\n"
    assert raw.command("EXEC") == b"*2\r\n:0\r\n*2\r\n:0\r\n:0\r\n"


@pytest.mark.parametrize(
    ("args", "reply"),
    [(("WAIT", "1", "0"), b":0\r\n"), (("WAITAOF", "0", "1", "0"), b"*2\r\n:0\r\n:0\r\n")],
)
def test_asking_for_replicas_waits_until_unblocked(
    server: Server, raw: RawClient, args: tuple[str, ...], reply: bytes
) -> None:
    waiter = RawClient(server.port)
    try:
        waiter_id = waiter.command("CLIENT", "ID")[1:-2]
        waiter.send(encode_command(*args))
        wait_until(lambda: server.core.blocked_clients == 1, message="the waiter blocks")
        assert raw.command("CLIENT", "UNBLOCK", waiter_id) == b":1\r\n"
        assert waiter.read_reply() == reply  # a timeout answers the counts too
    finally:
        waiter.close()


def test_a_timeout_answers_the_counts(server: Server) -> None:
    waiter = RawClient(server.port)
    try:
        assert waiter.command("WAIT", "1", "1") == b":0\r\n"
        assert waiter.command("WAITAOF", "0", "1", "1") == b"*2\r\n:0\r\n:0\r\n"
    finally:
        waiter.close()
