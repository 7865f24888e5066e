"""Faults: clients that stop reading, clients that vanish, and SIGTERM under load.

What these tests hold the server to:

* A client that never reads a huge reply costs the others nothing: its connection
  stops being read (back-pressure) while every other client is answered, and the
  reply arrives whole once the client reads again.
* A client that disconnects in the middle of a request, of a blocking read, of a
  MULTI block or while WATCHing keys leaves nothing behind: no client record, no
  waiter, no watched key, no queued command that later runs, and the session
  object itself is freed.
* SIGTERM: the process logs Valkey's shutdown lines, stops accepting, sends every
  reply it has produced in full (a client sees complete replies, then EOF),
  closes blocked clients and exits 0.

State is checked through INFO and, for what INFO does not show, through the
embedded server's core, read on the server's own loop thread. Nothing sleeps to
wait for a state: ``wait_until`` polls with a deadline.
"""

from __future__ import annotations

import asyncio
import gc
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import hiredis
import pytest
from helpers import RawClient, accepts, encode_command, free_port, wait_until

from minivalkey import Server

T = TypeVar("T")

BIG_ENTRIES = 1_500
BIG_VALUE = b"v" * 20_000  # 1,500 entries of 20 kB: an XRANGE reply of about 30 MB


# -- helpers --------------------------------------------------------------------------------------


def on_loop(server: Server, function: Callable[[], T]) -> T:
    """Run ``function`` on the server's loop thread (where its state may be read safely)."""
    loop = server._loop
    assert loop is not None

    async def call() -> T:
        return function()

    return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=10)


def info(client: RawClient, section: str) -> dict[str, str]:
    reply = client.command("INFO", section)
    text = reply.split(b"\r\n", 1)[1].decode()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line and line[0] != "#")


def client_id(client: RawClient) -> int:
    reply = client.command("CLIENT", "ID")
    assert reply.startswith(b":")
    return int(reply[1:])


def leftovers(server: Server) -> dict[str, int]:
    """Everything a client can leave behind in the core and the shell, as counts."""

    def count() -> dict[str, int]:
        core, shell = server.core, server._shell
        assert shell is not None
        return {
            "clients": len(core.clients),
            "connections": len(shell.connections),
            "blocked clients": len(core.blocking.by_client),
            "blocking keys": len(core.blocking.by_key),
            "blocking keys on nokey": len(core.blocking.nokey),
            "watched keys": len(core.keyspace.watched),
            "ready keys": len(core.keyspace.ready_keys),
        }

    return on_loop(server, count)


def session_ref(server: Server, cid: int) -> weakref.ref[Any]:
    """A weak reference to the server's session object of client ``cid``."""
    return on_loop(server, lambda: weakref.ref(server.core.clients[cid]))


def connection_of(server: Server, cid: int) -> Any:
    def find() -> Any:
        shell = server._shell
        assert shell is not None
        return next(c for c in shell.connections if c.client is not None and c.client.id == cid)

    return on_loop(server, find)


def reading_paused_with_backlog(server: Server, connection: Any) -> bool:
    """The connection has a reply backlog in user space and no longer reads requests."""

    def check() -> bool:
        transport = connection.transport
        return (
            transport is not None
            and transport.get_write_buffer_size() > 1_000_000
            and not transport.is_reading()
        )

    return on_loop(server, check)


def read_replies(sock: socket.socket, count: int) -> list[Any]:
    """``count`` whole replies from ``sock``, parsed by hiredis."""
    reader = hiredis.Reader()
    replies: list[Any] = []
    while len(replies) < count:
        reply = reader.gets()
        if reply is False:
            data = sock.recv(1 << 20)
            if not data:
                raise ConnectionError("closed before the replies were complete")
            reader.feed(data)
            continue
        replies.append(reply)
    return replies


def fill_big_stream(port: int, key: str = "big") -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"".join(
                encode_command("XADD", key, f"{i + 1}-0", "f", BIG_VALUE)
                for i in range(BIG_ENTRIES)
            )
        )
        replies = read_replies(sock, BIG_ENTRIES)
    assert replies[-1] == f"{BIG_ENTRIES}-0".encode()


def no_client_left(server: Server, checker: RawClient) -> dict[str, int]:
    """Wait until the checker is the only client, then return INFO clients and leftovers."""
    wait_until(
        lambda: info(checker, "clients")["connected_clients"] == "1",
        timeout=10,
        message="the vanished client is gone",
    )
    fields = info(checker, "clients")
    assert fields["blocked_clients"] == "0"
    assert fields["total_blocking_keys"] == "0"
    assert fields["total_blocking_keys_on_nokey"] == "0"
    return leftovers(server)


def assert_freed(reference: weakref.ref[Any]) -> None:
    gc.collect()
    assert reference() is None, "the vanished client's session is still referenced"


# -- a client that stops reading ------------------------------------------------------------------


def test_a_client_that_never_reads_a_huge_reply_stalls_no_one(
    make_server: Callable[..., Server],
) -> None:
    server = make_server()
    fill_big_stream(server.port)
    with (
        RawClient(server.port) as checker,
        RawClient(server.port, timeout=30) as slow,
        RawClient(server.port, timeout=30) as vanishing,
    ):
        baseline = leftovers(server)
        slow_id, vanishing_id = client_id(slow), client_id(vanishing)
        vanishing_session = session_ref(server, vanishing_id)
        slow_connection = connection_of(server, slow_id)
        vanishing_connection = connection_of(server, vanishing_id)

        slow.send(encode_command("XRANGE", "big", "-", "+"))
        vanishing.send(encode_command("XRANGE", "big", "-", "+"))
        for connection in (slow_connection, vanishing_connection):
            wait_until(
                lambda c=connection: reading_paused_with_backlog(server, c),
                timeout=20,
                message="back-pressure on the slow reader",
            )
        del slow_connection, vanishing_connection, connection

        # A request sent now is not even read while the reply is stuck.
        slow.send(encode_command("INCR", "read-after-the-range"))

        # Everyone else is answered, one round trip at a time, within the socket timeout.
        started = time.monotonic()
        checker.sock.settimeout(5)
        for i in range(200):
            assert checker.command("PING") == b"+PONG\r\n"
            assert checker.command("XADD", "other", f"{i + 1}-0", "n", i) == (
                b"$%d\r\n%d-0\r\n" % (len(str(i + 1)) + 2, i + 1)
            )
            assert checker.command("XLEN", "big") == b":%d\r\n" % BIG_ENTRIES
        assert time.monotonic() - started < 20
        assert checker.command("GET", "read-after-the-range") == b"$-1\r\n"
        assert info(checker, "clients")["connected_clients"] == "3"

        # The reader that vanishes with its reply unsent takes its backlog with it.
        vanishing.close()
        wait_until(
            lambda: info(checker, "clients")["connected_clients"] == "2",
            timeout=10,
            message="the vanished slow reader is gone",
        )
        assert_freed(vanishing_session)

        # The slow reader reads at last: the whole reply, then the request it sent after.
        entries, counter = read_replies(slow.sock, 2)
        assert len(entries) == BIG_ENTRIES
        assert entries[0] == [b"1-0", [b"f", BIG_VALUE]]
        assert entries[-1] == [f"{BIG_ENTRIES}-0".encode(), [b"f", BIG_VALUE]]
        assert counter == 1
        assert checker.command("GET", "read-after-the-range") == b"$1\r\n1\r\n"
        assert slow.command("PING") == b"+PONG\r\n"
        assert leftovers(server) == {**baseline, "clients": 2, "connections": 2}


# -- clients that vanish ------------------------------------------------------------------------


def vanish_mid_command(server: Server, client: RawClient) -> None:
    client.send(b"*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n$1\r\nf\r\n")  # a value short


def vanish_mid_bulk(server: Server, client: RawClient) -> None:
    client.send(b"*3\r\n$3\r\nSET\r\n$8\r\nqueued-k\r\n$100\r\nonly part of the value")


def vanish_blocked_in_xread(server: Server, client: RawClient) -> None:
    # Commands pipelined behind the blocking read wait for it; they must never run.
    client.send(
        encode_command("XREAD", "BLOCK", 0, "STREAMS", "s", "t", "$", "$")
        + encode_command("SET", "queued-k", "ran")
    )
    wait_until(lambda: server.core.blocked_clients == 1, timeout=10, message="blocked")


def vanish_blocked_in_xreadgroup(server: Server, client: RawClient) -> None:
    client.send(encode_command("XREADGROUP", "GROUP", "g", "c1", "BLOCK", 0, "STREAMS", "s", ">"))
    wait_until(lambda: server.core.blocked_clients == 1, timeout=10, message="blocked")


def vanish_blocked_with_timeout(server: Server, client: RawClient) -> None:
    client.send(
        encode_command("XREADGROUP", "GROUP", "g", "c2", "BLOCK", 60_000, "STREAMS", "s", ">")
    )
    wait_until(lambda: server.core.clients_in_timeout_table == 1, timeout=10, message="blocked")


def vanish_mid_multi(server: Server, client: RawClient) -> None:
    assert client.command("MULTI") == b"+OK\r\n"
    assert client.command("SET", "queued-k", "ran") == b"+QUEUED\r\n"
    assert client.command("XADD", "s", "*", "f", "v") == b"+QUEUED\r\n"


def vanish_watching(server: Server, client: RawClient) -> None:
    assert client.command("WATCH", "s", "queued-k", "w1", "w2") == b"+OK\r\n"
    assert on_loop(server, lambda: len(server.core.keyspace.watched)) == 4


def vanish_watching_in_multi(server: Server, client: RawClient) -> None:
    assert client.command("WATCH", "s", "queued-k") == b"+OK\r\n"
    assert client.command("MULTI") == b"+OK\r\n"
    assert client.command("SET", "queued-k", "ran") == b"+QUEUED\r\n"
    client.send(b"*1\r\n$4\r\nEX")  # the start of an EXEC that never completes


VANISHINGS = {
    "mid-command": vanish_mid_command,
    "mid-bulk": vanish_mid_bulk,
    "blocked XREAD BLOCK 0": vanish_blocked_in_xread,
    "blocked XREADGROUP BLOCK 0": vanish_blocked_in_xreadgroup,
    "blocked XREADGROUP with a deadline": vanish_blocked_with_timeout,
    "mid-MULTI": vanish_mid_multi,
    "WATCHing": vanish_watching,
    "WATCHing in MULTI": vanish_watching_in_multi,
}


@pytest.mark.parametrize("vanish", VANISHINGS.values(), ids=VANISHINGS.keys())
def test_a_vanished_client_leaves_nothing_behind(
    make_server: Callable[..., Server], vanish: Callable[[Server, RawClient], None]
) -> None:
    server = make_server()
    with RawClient(server.port) as checker:
        assert checker.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == b"+OK\r\n"
        baseline = leftovers(server)
        for round_ in range(20):  # repeated, so that anything left behind would pile up
            client = RawClient(server.port)
            session = session_ref(server, client_id(client))
            vanish(server, client)
            client.close()
            assert no_client_left(server, checker) == baseline, f"round {round_}"
            assert_freed(session)

        # Writes to the keys wake nobody, deliver nothing and fail nowhere.
        added = checker.command("XADD", "s", "*", "f", "v")
        assert added.startswith(b"$")
        assert checker.command("XADD", "t", "*", "f", "v").startswith(b"$")
        assert checker.command("XPENDING", "s", "g") == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"
        groups = checker.command("XINFO", "GROUPS", "s")
        assert b"$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n" in groups
        assert checker.command("EXISTS", "queued-k") == b":0\r\n"
        assert checker.command("XLEN", "s") == b":1\r\n"
        assert info(checker, "errorstats") == {}
        assert leftovers(server) == baseline
        assert checker.command("PING") == b"+PONG\r\n"


# -- SIGTERM under load -------------------------------------------------------------------------

XADD_REPLIES = re.compile(rb"(?:\$\d+\r\n\d+-\d+\r\n)*")
BATCH = 50


class Producer(threading.Thread):
    """Pipelines batches of XADD to its own stream and keeps every byte it receives."""

    def __init__(self, port: int, key: str) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.batch = b"".join(encode_command("XADD", key, "*", "n", "1") for _ in range(BATCH))
        self.received = bytearray()
        self.sent = 0
        self.answered_count = 0
        self.answered = threading.Event()  # one whole batch answered: the load is on

    def run(self) -> None:
        try:
            while True:
                self.sock.sendall(self.batch)
                self.sent += BATCH
                while self.complete_replies() < self.sent:
                    data = self.sock.recv(65536)
                    if not data:
                        return
                    self.received += data
                self.answered.set()
        except OSError:
            self.drain()
        finally:
            self.sock.close()

    def complete_replies(self) -> int:
        complete = XADD_REPLIES.match(self.received)
        return complete[0].count(b"$") if complete else 0

    def drain(self) -> None:
        """After a failed send, whatever replies are still on their way."""
        try:
            while data := self.sock.recv(65536):
                self.received += data
        except OSError:
            pass


class ServerProcess:
    """``python -m minivalkey`` on ``port``, its log collected line by line as it comes."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "minivalkey", "--port", str(port), "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.stopping = threading.Event()  # "User requested shutdown..." was logged
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if "User requested shutdown..." in line:
                self.stopping.set()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.reader.join(timeout=10)


def test_sigterm_under_load_answers_what_it_has_and_exits_cleanly() -> None:
    port = free_port()
    server = ServerProcess(port)
    try:
        wait_until(lambda: accepts(port, timeout=1), timeout=20, message="server accepting")
        checker = RawClient(port, timeout=10)
        fill_big_stream(port)
        assert checker.command("XGROUP", "CREATE", "idle", "g", "$", "MKSTREAM") == b"+OK\r\n"
        blocked = RawClient(port, timeout=20)
        blocked.send(
            encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "idle", ">")
        )
        # A reader whose 30 MB reply is written but not read when the signal comes.
        big = RawClient(port, timeout=20)
        sent_before = int(info(checker, "stats")["total_net_output_bytes"])
        big.send(encode_command("XRANGE", "big", "-", "+"))
        producers = [Producer(port, f"load:{i}") for i in range(4)]
        for producer in producers:
            producer.start()
        wait_until(
            lambda: (
                info(checker, "clients")["blocked_clients"] == "1"
                and int(info(checker, "stats")["total_net_output_bytes"])
                > sent_before + BIG_ENTRIES * len(BIG_VALUE)
                and all(p.answered.is_set() for p in producers)
            ),
            timeout=20,
            message="load running, a reader blocked, the big reply written",
        )

        server.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert server.stopping.wait(timeout=20)
        # Only now, the server stopping, does the big reader read: all of it, then EOF.
        entries = read_replies(big.sock, 1)[0]
        assert len(entries) == BIG_ENTRIES
        assert entries[-1] == [f"{BIG_ENTRIES}-0".encode(), [b"f", BIG_VALUE]]
        assert big.read_until_closed() == b""
        assert server.process.wait(timeout=20) == 0
        exit_seconds = time.monotonic() - started
        assert not accepts(port, timeout=1)
        for producer in producers:
            producer.join(timeout=20)
            assert not producer.is_alive()
        server.reader.join(timeout=10)
        log = server.log
    finally:
        server.close()

    # Every reply a producer got is whole, and it got no more than it asked for.
    for producer in producers:
        answered = XADD_REPLIES.match(producer.received)
        assert answered is not None and answered[0] == bytes(producer.received), (
            f"a truncated or foreign reply: {bytes(producer.received[-60:])!r}"
        )
        ids = re.findall(rb"\r\n(\d+-\d+)\r\n", producer.received)
        assert BATCH <= len(ids) <= producer.sent
        order = [tuple(int(part) for part in i.split(b"-")) for i in ids]
        assert order == sorted(set(order))  # every XADD answered once, in order
    # The blocked reader is closed without a reply; the checker sees EOF too.
    assert blocked.read_until_closed() == b""
    assert checker.read_until_closed() == b""
    for client in (blocked, checker, big):
        client.close()

    # Valkey's lines: the signal handler's, then the shutdown's.
    stamp = r"\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3}"
    assert re.search(
        r"(?m)^\d+:signal-handler \(\d+\) Received SIGTERM scheduling shutdown\.\.\.$", log
    )
    assert re.search(rf"(?m)^{stamp} \* User requested shutdown\.\.\.$", log)
    assert re.search(rf"(?m)^{stamp} # Valkey is now ready to exit, bye bye\.\.\.$", log)
    order = [log.index(s) for s in ("Received SIGTERM", "User requested", "bye bye")]
    assert order == sorted(order)
    assert "Traceback" not in log
    assert exit_seconds < 15


def start_with_a_stuck_reader(port: int) -> tuple[ServerProcess, RawClient, RawClient]:
    """A server, a checker, and a client whose 30 MB reply is written but never read."""
    server = ServerProcess(port)
    wait_until(lambda: accepts(port, timeout=1), timeout=20, message="server accepting")
    checker = RawClient(port, timeout=10)
    fill_big_stream(port)
    stuck = RawClient(port, timeout=20)
    sent_before = int(info(checker, "stats")["total_net_output_bytes"])
    stuck.send(encode_command("XRANGE", "big", "-", "+"))
    wait_until(
        lambda: (
            int(info(checker, "stats")["total_net_output_bytes"])
            > sent_before + BIG_ENTRIES * len(BIG_VALUE)
        ),
        timeout=20,
        message="the big reply written",
    )
    return server, checker, stuck


def test_a_peer_that_never_reads_does_not_hold_the_stop_for_ever() -> None:
    port = free_port()
    server, checker, stuck = start_with_a_stuck_reader(port)
    try:
        server.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert server.process.wait(timeout=30) == 0
        # The flush waits SHUTDOWN_FLUSH_SECONDS (3 s) for the stuck peer, then aborts it.
        assert 2.5 < time.monotonic() - started < 20
        assert checker.read_until_closed() == b""
        server.reader.join(timeout=10)
        assert "bye bye" in server.log
    finally:
        checker.close()
        stuck.close()
        server.close()


def test_a_second_sigint_while_stopping_exits_at_once_with_status_1() -> None:
    port = free_port()
    server, checker, stuck = start_with_a_stuck_reader(port)
    try:
        server.process.send_signal(signal.SIGINT)
        assert server.stopping.wait(timeout=20)  # held by the stuck reader's flush
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=20) == 1
        server.reader.join(timeout=10)
        log = server.log
    finally:
        checker.close()
        stuck.close()
        server.close()
    assert re.search(
        r"(?m)^\d+:signal-handler \(\d+\) Received SIGINT scheduling shutdown\.\.\.$", log
    )
    assert re.search(r"(?m)^\d+:signal-handler \(\d+\) You insist\.\.\. exiting now\.$", log)
    assert "bye bye" not in log
