"""Command scripts for the string tests: each step is a command and its exact reply.

A step is ``(args, reply)`` when both protocols answer the same bytes, or
``(args, resp2_reply, resp3_reply)`` when they differ. ``play`` sends the steps in
order on one connection and compares every reply byte for byte, naming the step
that differs. The scripts are plain data, so the same lists can be replayed against
another server to check the expected replies.
"""

from __future__ import annotations

from typing import Any

from helpers import RawClient

Arg = str | bytes | int
Step = tuple[tuple[Arg, ...], bytes] | tuple[tuple[Arg, ...], bytes, bytes]

NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
OK = b"+OK\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
NOT_FLOAT = b"-ERR value is not a valid float\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"


def nil(*args: Arg) -> Step:
    """A step whose reply is the null bulk string (``_`` in RESP3)."""
    return (args, b"$-1\r\n", b"_\r\n")


def bulk(value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return b"$%d\r\n%s\r\n" % (len(data), data)


def integer(value: int) -> bytes:
    return b":%d\r\n" % value


def error(text: str) -> bytes:
    return b"-" + text.encode() + b"\r\n"


def expected(step: Step, protocol: int) -> bytes:
    if len(step) == 3:
        return step[2] if protocol == 3 else step[1]  # type: ignore[misc]
    return step[1]


def play(client: RawClient, protocol: int, steps: list[Step]) -> None:
    for number, step in enumerate(steps):
        args: Any = step[0]
        reply = client.command(*args)
        want = expected(step, protocol)
        assert reply == want, f"step {number} {args!r}: {reply!r} != {want!r}"
