"""The tracking table without an event loop: keys read, invalidation, delivery order.

Commands run through ``dispatcher.execute`` on a ``ServerCore``; each client's
connection records what ``send`` hands it, so the order of replies and pushes is the
one the shell would write (a command's reply, then what it sent its own client).
Expected bytes are Valkey 8.0.1's (see ``tests/integration/test_tracking.py``).
"""

from __future__ import annotations

import pytest

import minivalkey.commands  # noqa: F401  (fills the table)
from minivalkey.clock import ManualClock
from minivalkey.commands.table import lookup
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.readkeys import c_atoi, read_key_positions
from minivalkey.session import Client
from minivalkey.tracking import rax_nodes


class Recorder:
    """A connection that keeps what the client was sent, replies and pushes in order."""

    def __init__(self) -> None:
        self.wire: list[bytes] = []

    def close_after_reply(self) -> None: ...

    def close_now(self) -> None: ...

    def deliver(self, reply: object) -> None:
        raise AssertionError("nothing blocks here")

    def send(self, data: bytes) -> None:
        self.wire.append(data)


def push(key: bytes) -> bytes:
    return b">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%b\r\n" % (len(key), key)


@pytest.fixture
def core() -> ServerCore:
    return ServerCore(clock=ManualClock())


def connect(core: ServerCore, resp: int = 3) -> tuple[Client, Recorder]:
    recorder = Recorder()
    client = Client(core, recorder)
    core.add_client(client)
    client.protocol = resp
    return client, recorder


def run(client: Client, recorder: Recorder, *args: str) -> None:
    """One command line, its reply then what it sent its own client, as the shell writes."""
    sent = len(recorder.wire)
    reply = execute(client, [arg.encode() for arg in args])
    recorder.wire.insert(sent, reply)


def test_nothing_is_hooked_while_nobody_tracks(core: ServerCore) -> None:
    client, recorder = connect(core)
    assert core.keyspace.invalidate is None
    run(client, recorder, "CLIENT", "TRACKING", "on")
    assert client.tracking_reads and not client.fast
    assert core.keyspace.invalidate is None  # an empty table: still nothing to tell
    run(client, recorder, "GET", "k")
    assert core.keyspace.invalidate is not None
    run(client, recorder, "SET", "k", "1")
    assert core.keyspace.invalidate is None
    assert recorder.wire[-2:] == [b"+OK\r\n", push(b"k")]
    run(client, recorder, "CLIENT", "TRACKING", "off")
    assert not client.tracking_reads and client.fast


def test_bcast_without_noloop_keeps_the_fast_path(core: ServerCore) -> None:
    client, recorder = connect(core)
    run(client, recorder, "CLIENT", "TRACKING", "on", "BCAST")
    assert client.fast and core.keyspace.invalidate is not None
    run(client, recorder, "CLIENT", "TRACKING", "off")
    run(client, recorder, "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP")
    assert not client.fast  # NOLOOP must know whose writes these are


def test_a_broadcast_waits_for_the_loop_turn(core: ServerCore) -> None:
    scheduled: list[object] = []
    core.tracking.later = scheduled.append
    client, recorder = connect(core)
    other, other_wire = connect(core, 2)
    run(client, recorder, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a")
    run(other, other_wire, "MSET", "b", "1", "ab", "1", "aa", "1")
    run(other, other_wire, "SET", "ab", "2")
    assert scheduled == [core.tracking.broadcast]  # once, however many keys
    assert recorder.wire == [b"+OK\r\n"]
    core.tracking.broadcast()
    assert recorder.wire[1:] == [b">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\naa\r\n$2\r\nab\r\n"]


def test_pending_pushes_follow_the_transaction(core: ServerCore) -> None:
    client, recorder = connect(core)
    run(client, recorder, "CLIENT", "TRACKING", "on")
    run(client, recorder, "MGET", "a", "b")
    run(client, recorder, "MULTI")
    run(client, recorder, "SET", "a", "1")
    run(client, recorder, "FLUSHALL")
    run(client, recorder, "EXEC")
    assert recorder.wire[-3:] == [
        b"*2\r\n+OK\r\n+OK\r\n", push(b"a"), b">2\r\n$10\r\ninvalidate\r\n_\r\n",
    ]  # fmt: skip


def test_trimming_before_a_command_precedes_its_reply(core: ServerCore) -> None:
    client, recorder = connect(core)
    run(client, recorder, "CLIENT", "TRACKING", "on")
    run(client, recorder, "MGET", "a", "b")
    core.config.values["tracking-table-max-keys"] = 1
    core.tracking.rng.seed(1)
    run(client, recorder, "PING")
    # What is owed before the command leaves in front of its reply.
    assert recorder.wire[-1] in (push(b"a") + b"+PONG\r\n", push(b"b") + b"+PONG\r\n")
    assert len(core.tracking.table) == 1 and core.tracking.items == 1


def test_the_table_ignores_databases(core: ServerCore) -> None:
    client, recorder = connect(core)
    other, other_wire = connect(core, 2)
    run(client, recorder, "CLIENT", "TRACKING", "on")
    run(client, recorder, "GET", "k")
    run(other, other_wire, "SELECT", "5")
    run(other, other_wire, "SET", "k", "1")  # another database, the same name
    assert recorder.wire[-1] == push(b"k")


def test_a_client_that_leaves_is_forgotten_lazily(core: ServerCore) -> None:
    client, recorder = connect(core)
    run(client, recorder, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p")
    reader, reader_wire = connect(core)
    run(reader, reader_wire, "CLIENT", "TRACKING", "on")
    run(reader, reader_wire, "GET", "k")
    core.remove_client(client)
    core.remove_client(reader)
    assert core.tracking.clients == 0 and not core.tracking.prefixes
    assert core.tracking.table == {b"k": {reader.id: None}}


# -- the keys of a read -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "positions"),
    [
        ("GET k", [1]),
        ("MGET a b c", [1, 2, 3]),
        ("OBJECT ENCODING k", [2]),
        ("LCS a b", [1, 2]),
        ("ZUNION 2 a b", [2, 3]),
        ("ZUNION 3x a b c", [2, 3, 4]),  # C's atoi
        ("ZUNION 3 a b", []),
        ("ZINTER 0 a", []),
        ("SINTERCARD 2 a b LIMIT 1", [2, 3]),
        ("XREAD COUNT 1 BLOCK 0 STREAMS s t 0 0", [6, 7]),
        ("XREAD STREAMS s t 0", []),
        ("XREAD FOO STREAMS s 0", []),
        ("SORT_RO k BY x", [1]),
        ("DBSIZE", []),
    ],
)
def test_read_key_positions(line: str, positions: list[int]) -> None:
    argv = [word.encode() for word in line.split()]
    spec = lookup(argv)
    assert spec is not None
    assert list(read_key_positions(spec, argv)) == positions


@pytest.mark.parametrize(
    ("raw", "value"),
    [(b"12", 12), (b" 7x", 7), (b"-3", -3), (b"+4", 4), (b"x", 0), (b"", 0),
     (b"4294967297", 1), (b"99999999999999999999", -1)],
)  # fmt: skip
def testc_atoi(raw: bytes, value: int) -> None:
    assert c_atoi(raw) == value


@pytest.mark.parametrize(
    ("prefixes", "nodes"),
    [
        ([], 1), ([b""], 1), ([b"foo"], 2), ([b"foo", b"bar"], 5), ([b"a", b"ba", b"bb"], 5),
        ([b"abcd", b"abx", b"ac"], 7), ([b"user:", b"user2"], 4), ([b"x" * 40, b"y"], 4),
        ([b"a1", b"a2", b"a3", b"b"], 6),
    ],
)  # fmt: skip
def test_rax_nodes(prefixes: list[bytes], nodes: int) -> None:
    """Node counts as CLIENT LIST's tot-mem shows them on Valkey 8.0.1 (32 bytes each)."""
    assert rax_nodes(prefixes) == nodes
