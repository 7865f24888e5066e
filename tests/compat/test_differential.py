"""Differential suite: the same stream command scripts against minivalkey and a reference.

The reference is the server at ``MINIVALKEY_REFERENCE_URL`` (``redis://host:port``);
without it the comparisons are skipped (the harness's own tests still run). The
reference must be a throwaway server: every script starts with FLUSHALL and sets
the stream node limits.

Every script (``scripts.SCRIPTS``) is replayed over raw sockets, pipelined, against
an embedded minivalkey and the reference, once in RESP2 and once in RESP3, and each
reply is compared byte for byte (after the clock normalisers of ``replay``). When
the reference reports itself as Redis 7.x, the steps listed in
``known_differences`` are left out for both servers; against Valkey nothing is.
Steps whose command minivalkey does not have yet are left out too, so the scripts
of a data type start comparing when its family lands.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from known_differences import (
    REDIS_7_DIFFERENCES,
    REDIS_7_TYPE_DIFFERENCES,
    Reference,
    differences_for,
    excluded,
    identify,
)
from replay import NORMALISERS, Connection, Step, address, lines, parse, replay, step
from scripts import EPILOGUE, PROLOGUE, SCRIPTS

from minivalkey import Server
from minivalkey.commands.table import COMMANDS as MINIVALKEY_COMMANDS

SHOWN = 8  # mismatches printed per failure


@pytest.fixture(scope="module")
def subject() -> Iterator[Server]:
    with Server() as server:
        yield server


def script_steps(name: str, ref: Reference) -> list[Step]:
    """The script's steps as replayed against ``ref``: its known differences left out,
    and the steps whose command minivalkey does not have yet (a family still to land)."""
    steps = PROLOGUE + SCRIPTS[name] + EPILOGUE
    return [
        step_
        for step_ in steps
        if excluded(name, step_.argv, ref) is None and step_.argv[0].lower() in MINIVALKEY_COMMANDS
    ]


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_script_matches_reference(
    name: str, protocol: int, reference: tuple[str, int, Reference], subject: Server
) -> None:
    host, port, ref = reference
    steps = script_steps(name, ref)
    expected = replay(host, port, steps, protocol)
    actual = replay("127.0.0.1", subject.port, steps, protocol)
    mismatches = [
        f"step {index} {step_.text[:120]}\n"
        f"  reference:  {want[:400]!r}\n  minivalkey: {got[:400]!r}"
        for index, (step_, want, got) in enumerate(zip(steps, expected, actual, strict=True))
        if want != got
    ]
    assert not mismatches, (
        f"{len(mismatches)} of {len(steps)} replies differ from {ref.server} {ref.version} "
        f"(RESP{protocol}):\n" + "\n".join(mismatches[:SHOWN])
    )


def test_reference_kind_decides_exclusions(reference: tuple[str, int, Reference]) -> None:
    """Valkey needs no exclusions; Redis 7 gets exactly the listed ones."""
    ref = reference[2]
    assert ref.server in ("valkey", "redis")
    if ref.server == "valkey":
        assert differences_for(ref) == ()
    elif ref.version.startswith("7."):
        assert differences_for(ref) == REDIS_7_DIFFERENCES + REDIS_7_TYPE_DIFFERENCES


# -- the harness itself (no reference needed) -------------------------------------------------


def test_reference_url_parsing() -> None:
    assert address("redis://127.0.0.1:6390") == ("127.0.0.1", 6390)
    assert address("redis://localhost:7000/0") == ("localhost", 7000)
    with pytest.raises(ValueError):
        address("http://127.0.0.1:6390")
    with pytest.raises(ValueError):
        address("redis://127.0.0.1")


def test_identify_reads_hello(subject: Server) -> None:
    ref = identify("127.0.0.1", subject.port)
    assert ref.server == "valkey"
    assert not ref.is_redis_7
    assert Reference("redis", "7.0.15").is_redis_7
    assert not Reference("redis", "6.2.0").is_redis_7


@pytest.mark.parametrize(
    "data",
    [
        b"+OK\r\n",
        b"-ERR x\r\n",
        b":-1\r\n",
        b"$-1\r\n",
        b"*-1\r\n",
        b"_\r\n",
        b"$0\r\n\r\n",
        b"$4\r\na\r\nb\r\n",
        b"*2\r\n$1\r\na\r\n*0\r\n",
        b"%1\r\n$1\r\nk\r\n~2\r\n:1\r\n,1.5\r\n",
        b"=7\r\ntxt:abc\r\n",
    ],
)
def test_trees_serialize_to_the_same_bytes(data: bytes) -> None:
    assert parse(data).serialize() == data


def test_incomplete_replies_are_not_accepted() -> None:
    for data in (b"$4\r\nab", b"*2\r\n:1\r\n", b"+OK"):
        with pytest.raises((ValueError, IndexError)):
            parse(data)


def test_normalisers_blank_clock_values_only() -> None:
    pending = b"*1\r\n*4\r\n$3\r\n1-0\r\n$2\r\nc1\r\n:1234\r\n:1\r\n"
    assert NORMALISERS["xpending"](pending) == b"*1\r\n*4\r\n$3\r\n1-0\r\n$2\r\nc1\r\n:0\r\n:1\r\n"
    consumers = (
        b"*1\r\n%4\r\n$4\r\nname\r\n$5\r\nalice\r\n$7\r\npending\r\n:2\r\n"
        b"$4\r\nidle\r\n:17\r\n$8\r\ninactive\r\n:-1\r\n"
    )
    assert NORMALISERS["consumers"](consumers) == consumers.replace(b":17\r\n", b":0\r\n")
    full = (
        b"%2\r\n$6\r\nlength\r\n:1\r\n$6\r\ngroups\r\n*1\r\n%3\r\n$4\r\nname\r\n$1\r\ng\r\n"
        b"$7\r\npending\r\n*1\r\n*4\r\n$3\r\n1-0\r\n$1\r\nc\r\n:1700000000000\r\n:3\r\n"
        b"$9\r\nconsumers\r\n*1\r\n*10\r\n$4\r\nname\r\n$1\r\nc\r\n"
        b"$9\r\nseen-time\r\n:1700000000001\r\n$11\r\nactive-time\r\n:-1\r\n"
        b"$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n1-0\r\n:1700000000000\r\n:3\r\n"
    )
    assert NORMALISERS["full"](full) == (
        full.replace(b":1700000000000\r\n", b":0\r\n").replace(b":1700000000001\r\n", b":0\r\n")
    )
    assert NORMALISERS["full"](b"-ERR no such key\r\n") == b"-ERR no such key\r\n"
    help_reply = b"*3\r\n+X <sub>\r\n+A <k>\r\n+    Does a thing.\r\n"
    assert NORMALISERS["help"](help_reply) == b"*3\r\n+X <sub>\r\n+A <k>\r\n+    ...\r\n"


def test_script_lines_and_exclusions() -> None:
    parsed = lines('@full XINFO STREAM s FULL\n# a comment\n\nXADD s " 1-3" f v\n')
    assert parsed == [
        Step((b"XINFO", b"STREAM", b"s", b"FULL"), "full"),
        Step((b"XADD", b"s", b" 1-3", b"f", b"v")),
    ]
    redis7 = Reference("redis", "7.0.15")
    valkey = Reference("valkey", "8.0.1")
    consumers = step("xinfo", "consumers", "s", "g").argv
    assert excluded("xinfo", consumers, redis7) is not None
    assert excluded("xinfo", consumers, valkey) is None
    groups = step("XINFO", "GROUPS", "s").argv
    assert excluded("claim", groups, redis7) is not None
    assert excluded("lag", groups, redis7) is None
    unbalanced = step("XREAD", "STREAMS", "s", "s2", "0").argv
    assert excluded("xread", unbalanced, redis7) is not None
    assert excluded("xread", unbalanced + (b"0",), redis7) is None


def test_every_script_step_is_valid_resp() -> None:
    for name, steps in SCRIPTS.items():
        assert steps, name
        for step_ in steps:
            assert step_.argv and all(isinstance(arg, bytes) for arg in step_.argv)
            assert step_.normalise is None or step_.normalise in NORMALISERS


def test_connection_pipelines_in_chunks(subject: Server) -> None:
    connection = Connection("127.0.0.1", subject.port)
    try:
        replies = connection.run([(b"ECHO", b"%d" % i) for i in range(450)])
    finally:
        connection.close()
    assert replies == [b"$%d\r\n%d\r\n" % (len(str(i)), i) for i in range(450)]
