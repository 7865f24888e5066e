"""Consumer-group workloads: minivalkey-server next to redis-server (and valkey-server).

Usage: ``python benchmarks/group_workloads.py [--quick] [--servers minivalkey,redis,valkey]
[--repetitions 3] [--entries N] [--pending N] [--no-pin] [--write]``

Workloads, each measured on every server:

* consume: a stream of ``--entries`` entries (200,000; 50,000 with ``--quick``), one
  group created at ``0`` and 4 consumers on 4 connections, each looping
  ``XREADGROUP GROUP g c<i> COUNT 10 STREAMS s >`` then ``XACK s g`` of the IDs it got
  until the read answers nil. One driver thread multiplexes the 4 connections with
  ``select.epoll``, so each connection always has its one request in flight (an XACK
  needs the IDs of the read before it: one round trip each). Figure: entries
  consumed and acknowledged per second (and commands per second).
* XPENDING: a stream of ``--pending`` entries (100,000; 20,000 with ``--quick``), all
  delivered to consumer c1 and not acknowledged; ``XPENDING s g`` (summary) and
  ``XPENDING s g - + 10`` (range), unpipelined and pipelined 32 deep, on one
  connection. Figure: commands per second.
* XAUTOCLAIM: on the same pending entries, sweeps of
  ``XAUTOCLAIM s g <c> 0 <cursor> COUNT 100`` that follow the returned cursor until it
  comes back as ``0-0``; with a min-idle-time of 0 a sweep claims every pending entry.
  Successive sweeps alternate the claimant between c2 and c3, so every sweep moves
  each entry from one consumer to another. Figures: entries claimed per second and the
  time of one full sweep.
* floor: PING unpipelined and pipelined 32 deep through the same driver, what a round
  trip and the driver's own reply handling cost; figures near it say more about the
  driver than about the server.

Method: all the servers are started at the beginning on free 127.0.0.1 ports and
run until the end; with two CPUs or more they are pinned to CPU 0 (``taskset``; the
ones not being measured sit idle) and this driver to CPU 1. Every request is encoded
before its timed loop except XACK and XAUTOCLAIM, whose arguments come from the reply
before them; replies are parsed by ``hiredis.Reader``. Per workload each server has a
warm-up (which also sizes its timed runs of the fixed-request workloads to about a
second, 0.3 s with ``--quick``), then the ``--repetitions`` timed runs go in rounds of
one run per server in turn (the order rotates), each run starting after a quiet
100 ms (up to 1 s of waiting), so that other work on a shared machine falls on every
server alike; while a server has fewer than ``--repetitions`` runs during which other
processes used at most 15 % of a core, up to 2 more rounds are run, and the quietest
``--repetitions`` runs count; a figure is their median. During each run the CPU time
of the server (``/proc/<pid>/stat``), of the driver and of every other process
(``/proc/stat``) is recorded: a driver near 100 % with a server well below it means
the driver set the pace, and other processes' CPU shows a run disturbed by other work.

Invariants checked on every server (a failure stops the run): every entry is
delivered exactly once per consume pass (count and distinct IDs) and XPENDING's
summary count is 0 after it; each XACK acknowledges every ID it names; XPENDING
answers the expected summary and range; a sweep claims every pending entry once,
ends at cursor ``0-0``, reports no deleted IDs and leaves them all with its claimant.
A short probe (fixed IDs, 30 entries) runs the group commands once on each server
and its replies (idle times masked) are compared with the reference servers'; the
report lists every difference. Every server started is stopped, also on errors.
``--write`` stores the section ``group_workloads`` of benchmarks/RESULTS.md and the
figures in benchmarks/results/group_workloads.json (for ``chart.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import benchlib
import figures
import hiredis
from bench import HEADER, LOAD_CPU, RESULTS, SERVER_CPU
from blocking_latency import LABELS, Running, pinning_possible, started

CONSUME_KEY = b"gw:consume"
PENDING_KEY = b"gw:pending"
PROBE_KEY = b"gw:probe"
GROUP = b"g"
CONSUMERS = 4
READ_COUNT = 10
CLAIM_COUNT = 100
DEPTH = 32
LOAD_BATCH = 10_000  # entries per XREADGROUP when making entries pending
ALL_KINDS = ("minivalkey", "redis", "valkey")

CONSUME = "XREADGROUP COUNT 10 + XACK, 4 consumers"
SUMMARY = "XPENDING s g"
SUMMARY_PIPELINED = "XPENDING s g, pipeline 32"
RANGE = "XPENDING s g - + 10"
RANGE_PIPELINED = "XPENDING s g - + 10, pipeline 32"
AUTOCLAIM = "XAUTOCLAIM COUNT 100 sweeps"
PING = "PING (driver floor)"
PING_PIPELINED = "PING, pipeline 32 (driver floor)"
WORKLOADS = (
    CONSUME,
    SUMMARY,
    SUMMARY_PIPELINED,
    RANGE,
    RANGE_PIPELINED,
    AUTOCLAIM,
    PING,
    PING_PIPELINED,
)
UNITS = {CONSUME: "entries/s", AUTOCLAIM: "entries claimed/s"}  # others: commands/s
TARGETS = {name: figures.TARGETS[name] for name in WORKLOADS if name in figures.TARGETS}


def bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


# -- one connection -------------------------------------------------------------------------------


class Conn(benchlib.Client):
    """A blocking raw-socket connection (``benchlib.Client``) that can also answer a
    reply's raw bytes and every reply of a pipeline."""

    def call_raw(self, argv: Sequence[bytes]) -> tuple[bytes, object]:
        """One command (nothing else in flight): its reply's raw bytes and parsed value."""
        self.sock.sendall(benchlib.encode(argv))
        reader, raw = hiredis.Reader(), b""
        while True:
            reply = reader.gets()
            if reply is not False:
                return raw, reply
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("server closed the connection")
            raw += data
            reader.feed(data)

    def replies_of(self, commands: Sequence[Sequence[bytes]], depth: int = 1000) -> list[object]:
        """Every reply of ``commands``, sent ``depth`` at a time (error replies raise)."""
        replies: list[object] = []
        for first in range(0, len(commands), depth):
            batch = commands[first : first + depth]
            self.sock.sendall(b"".join(benchlib.encode(argv) for argv in batch))
            replies += self.read(len(batch))
        errors = [r for r in replies if isinstance(r, hiredis.ReplyError)]
        if errors:
            raise RuntimeError(f"{len(errors)} errors, the first: {errors[0]}")
        return replies


# -- measuring ------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One timed run."""

    figure: float  # the headline rate (see UNITS)
    commands: float  # commands per second
    server_cpu: float  # % of one core
    driver_cpu: float  # % of one core
    other_cpu: float  # % of one core used by other processes (neither driver nor servers)
    sweep_s: float = 0.0  # XAUTOCLAIM: seconds per full sweep


class Meter:
    """Wall time and CPU time over one run: the server's, this driver's, and the
    rest of the machine's (other work on a shared machine shows in the report)."""

    def __init__(self, pid: int, all_pids: Sequence[int]) -> None:
        self.pid = pid
        self.machine = benchlib.LoadMeter(all_pids)
        self.server = benchlib.process_ticks(pid)
        self.driver = time.process_time()
        self.started = time.perf_counter()

    def sample(self, figure_count: float, commands: int, sweeps: int = 0) -> Sample:
        elapsed = time.perf_counter() - self.started
        driver = time.process_time() - self.driver
        server = (benchlib.process_ticks(self.pid) - self.server) / benchlib.CLOCK_TICKS
        return Sample(
            figure_count / elapsed,
            commands / elapsed,
            100 * server / elapsed,
            100 * driver / elapsed,
            self.machine.other_percent()[0],
            elapsed / sweeps if sweeps else 0.0,
        )


@dataclass
class Figures:
    """Medians over the repetitions (other CPU: the mean)."""

    figure: float
    commands: float
    server_cpu: float
    driver_cpu: float
    other_cpu: float
    sweep_s: float
    runs: int  # the runs these figures come from
    measured: int  # the runs measured (the noisiest beyond ``runs`` are dropped)


def median_of(samples: Sequence[Sample], measured: int) -> Figures:
    figure, commands, server_cpu, driver_cpu, sweep_s = benchlib.medians(
        samples, "figure", "commands", "server_cpu", "driver_cpu", "sweep_s"
    )
    return Figures(
        figure,
        commands,
        server_cpu,
        driver_cpu,
        statistics.fmean(s.other_cpu for s in samples),
        sweep_s,
        len(samples),
        measured,
    )


@dataclass
class Settings:
    entries: int  # stream of the consume workload
    pending: int  # pending entries of the XPENDING and XAUTOCLAIM workloads
    repetitions: int
    seconds: float  # length of a timed run of a fixed-request workload
    warmup: int  # commands of a fixed-request workload's warm-up
    sweeps: int  # XAUTOCLAIM full sweeps per timed run
    pin: bool


# -- consume: XREADGROUP + XACK on 4 connections --------------------------------------------------


@dataclass
class Pass:
    """One consume pass: what each consumer got, in order."""

    ids: list[list[bytes]]
    reads: int
    acks: int
    sample: Sample | None = None


class ConsumerSet:
    """CONSUMERS connections in one epoll set, each consumer c<i> on its own."""

    def __init__(self, port: int) -> None:
        self.conns = [Conn(port) for _ in range(CONSUMERS)]
        self.reads = [
            benchlib.encode(
                [b"XREADGROUP", b"GROUP", GROUP, b"c%d" % (i + 1), b"COUNT", b"%d" % READ_COUNT]
                + [b"STREAMS", CONSUME_KEY, b">"]
            )
            for i in range(CONSUMERS)
        ]
        # XACK s g <ids>: the array header depends on how many IDs follow.
        self.ack_head = bulk(b"XACK") + bulk(CONSUME_KEY) + bulk(GROUP)
        self.epoll = select.epoll(CONSUMERS)
        for conn in self.conns:
            conn.sock.setblocking(False)
            self.epoll.register(conn.sock.fileno(), select.EPOLLIN)

    def close(self) -> None:
        self.epoll.close()
        for conn in self.conns:
            conn.close()

    def run(self, meter: Callable[[], Meter], limit: int | None) -> Pass:
        """Consume until every consumer's read answers nil (or ``limit`` entries were
        delivered: a warm-up); each consumer keeps one request in flight."""
        socks = [conn.sock for conn in self.conns]
        readers = [conn.reader for conn in self.conns]
        index = {sock.fileno(): i for i, sock in enumerate(socks)}
        ids: list[list[bytes]] = [[] for _ in socks]
        acking = [0] * len(socks)  # IDs of the XACK in flight; 0: a read is in flight
        reads = acks = delivered = 0
        active = len(socks)
        poll, ack_head, requests = self.epoll.poll, self.ack_head, self.reads

        def send(i: int, request: bytes) -> None:
            if socks[i].send(request) != len(request):
                raise RuntimeError("a request did not fit its socket buffer")

        timing = meter()
        for i in range(len(socks)):
            send(i, requests[i])
            reads += 1
        while active:
            for fd, _ in poll():
                i = index[fd]
                data = socks[i].recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed a consumer's connection")
                reader = readers[i]
                reader.feed(data)
                reply = reader.gets()
                if reply is False:
                    continue  # the rest of the reply is still on its way
                if acking[i]:
                    if reply != acking[i]:
                        raise AssertionError(f"XACK of {acking[i]} IDs answered {reply!r}")
                    acking[i] = 0
                    if limit is not None and delivered >= limit:
                        active -= 1
                    else:
                        send(i, requests[i])
                        reads += 1
                    continue
                if reply is None:  # nothing left for this consumer
                    active -= 1
                    continue
                if not isinstance(reply, list):
                    raise AssertionError(f"XREADGROUP answered {reply!r}")
                got = [entry[0] for entry in reply[0][1]]
                ids[i] += got
                delivered += len(got)
                send(i, b"*%d\r\n" % (3 + len(got)) + ack_head + b"".join(map(bulk, got)))
                acking[i] = len(got)
                acks += 1
        return Pass(ids, reads, acks, timing.sample(delivered, reads + acks))


def _check_consumed(control: Conn, done: Pass, entries: int) -> None:
    """Every entry delivered exactly once, all acknowledged."""
    delivered = [stream_id for got in done.ids for stream_id in got]
    if len(delivered) != entries or len(set(delivered)) != entries:
        raise AssertionError(
            f"{len(delivered)} deliveries of {len(set(delivered))} distinct IDs; "
            f"the stream has {entries} entries"
        )
    summary = control.call(b"XPENDING", CONSUME_KEY, GROUP)
    if not isinstance(summary, list) or summary[0] != 0:
        raise AssertionError(f"XPENDING after the pass answered {summary!r}")


# -- XPENDING: fixed requests, pipelined or not ---------------------------------------------------


def repeat(conn: Conn, request: bytes, depth: int, batches: int) -> None:
    """Send ``request`` ``depth`` at a time, ``batches`` times; read every reply."""
    batch = request * depth
    sock, reader = conn.sock, conn.reader
    gets, feed, recv, sendall = reader.gets, reader.feed, sock.recv, sock.sendall
    error = hiredis.ReplyError
    for _ in range(batches):
        sendall(batch)
        got = 0
        while got < depth:
            reply = gets()
            if reply is False:
                data = recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed the connection")
                feed(data)
                continue
            if type(reply) is error:
                raise RuntimeError(f"error reply: {reply}")
            got += 1


def load_pending(conn: Conn, entries: int) -> None:
    """PENDING_KEY: ``entries`` entries, all delivered to c1 of group g, none acknowledged."""
    conn.call(b"DEL", PENDING_KEY)
    conn.replies_of([benchlib.xadd(PENDING_KEY, i) for i in range(1, entries + 1)])
    conn.call(b"XGROUP", b"CREATE", PENDING_KEY, GROUP, b"0")
    read = [b"XREADGROUP", b"GROUP", GROUP, b"c1", b"COUNT", b"%d" % LOAD_BATCH]
    read += [b"STREAMS", PENDING_KEY, b">"]
    replies = conn.replies_of([read] * (-(-entries // LOAD_BATCH)), depth=1)
    delivered = sum(len(reply[0][1]) for reply in replies if isinstance(reply, list))
    if delivered != entries:
        raise AssertionError(f"{delivered} of {entries} entries delivered to c1")


def pending_summary(entries: int, owner: bytes) -> list[object]:
    """XPENDING's summary with every entry pending on ``owner`` (RESP2, as hiredis parses)."""
    first, last = benchlib.entry_id(1), benchlib.entry_id(entries)
    return [entries, first, last, [[owner, b"%d" % entries]]]


def check_pending(conn: Conn, entries: int, owner: bytes) -> None:
    summary = conn.call(b"XPENDING", PENDING_KEY, GROUP)
    if summary != pending_summary(entries, owner):
        raise AssertionError(f"XPENDING summary answered {summary!r}")


def check_range(conn: Conn) -> None:
    """``XPENDING s g - + 10`` right after load_pending: entries 1..10, c1, delivered once."""
    reply = conn.call(b"XPENDING", PENDING_KEY, GROUP, b"-", b"+", b"10")
    assert isinstance(reply, list)
    shape = [[item[0], item[1], item[3]] for item in reply if isinstance(item, list)]
    if shape != [[benchlib.entry_id(i), b"c1", 1] for i in range(1, 11)]:
        raise AssertionError(f"XPENDING - + 10 answered {reply!r}")


# -- XAUTOCLAIM sweeps ----------------------------------------------------------------------------


def sweep(conn: Conn, claimant: bytes, entries: int) -> int:
    """One full XAUTOCLAIM sweep to ``claimant`` (min-idle-time 0); the calls it took."""
    head = b"*8\r\n" + b"".join(map(bulk, [b"XAUTOCLAIM", PENDING_KEY, GROUP, claimant, b"0"]))
    tail = bulk(b"COUNT") + bulk(b"%d" % CLAIM_COUNT)
    sock, reader = conn.sock, conn.reader
    gets, feed, recv, sendall = reader.gets, reader.feed, sock.recv, sock.sendall
    cursor, calls, claimed = b"0-0", 0, 0
    while True:
        sendall(head + bulk(cursor) + tail)
        calls += 1
        while (reply := gets()) is False:
            data = recv(1 << 20)
            if not data:
                raise ConnectionError("server closed the connection")
            feed(data)
        if not isinstance(reply, list) or len(reply) != 3 or reply[2]:
            raise AssertionError(f"XAUTOCLAIM answered {reply!r}"[:300])
        cursor = reply[0]
        claimed += len(reply[1])
        if cursor == b"0-0":
            break
    if claimed != entries:
        raise AssertionError(f"a sweep claimed {claimed} of {entries} pending entries")
    return calls


# -- the probe: the same group commands on every server -------------------------------------------


def probe_commands() -> list[list[bytes]]:
    ids = [benchlib.entry_id(i) for i in range(1, 31)]
    key, g = PROBE_KEY, GROUP

    def read(consumer: bytes, count: int) -> list[bytes]:
        return [b"XREADGROUP", b"GROUP", g, consumer, b"COUNT", b"%d" % count]

    return [
        [b"DEL", key],
        *(benchlib.xadd(key, i) for i in range(1, 31)),
        [b"XGROUP", b"CREATE", key, g, b"0"],
        [*read(b"c1", 10), b"STREAMS", key, b">"],
        [b"XACK", key, g, *ids[:10]],
        [*read(b"c1", 10), b"STREAMS", key, b">"],
        [b"XPENDING", key, g],
        [b"XPENDING", key, g, b"-", b"+", b"3"],
        [b"XPENDING", key, g, b"-", b"+", b"3", b"c1"],
        [b"XPENDING", key, g, b"IDLE", b"0", b"-", b"+", b"2"],
        [b"XAUTOCLAIM", key, g, b"c2", b"0", b"0", b"COUNT", b"4"],
        [b"XPENDING", key, g],
        [b"XAUTOCLAIM", key, g, b"c2", b"0", ids[14], b"COUNT", b"100", b"JUSTID"],
        [b"XPENDING", key, g, b"-", b"+", b"10", b"c2"],
        [*read(b"c3", 100), b"STREAMS", key, b">"],
        [*read(b"c3", 100), b"STREAMS", key, b">"],
        [*read(b"c1", 100), b"STREAMS", key, b"0"],
        [b"XACK", key, g, *ids],
        [b"XPENDING", key, g],
        [b"XINFO", b"GROUPS", key],
        [b"DEL", key],
    ]


def _masked(argv: Sequence[bytes], reply: object) -> object:
    """The reply with what depends on timing (idle times) replaced by 0."""
    if argv[0] == b"XPENDING" and len(argv) > 3 and isinstance(reply, list):
        return [[*item[:2], 0, *item[3:]] if isinstance(item, list) else item for item in reply]
    return reply


Probe = list[tuple[list[bytes], bytes, object]]  # (command, raw reply, masked reply)


def run_probe(port: int) -> Probe:
    conn = Conn(port)
    try:
        out = []
        for argv in probe_commands():
            raw, reply = conn.call_raw(argv)
            out.append((argv, raw, _masked(argv, reply)))
        return out
    finally:
        conn.close()


def probe_differences(mine: Probe, theirs: Probe) -> list[str]:
    """One line per command whose replies differ (idle times aside)."""
    lines = []
    for (argv, raw, value), (_, their_raw, their_value) in zip(mine, theirs, strict=True):
        timed = argv[0] == b"XPENDING" and len(argv) > 3  # raw bytes hold idle times
        if value != their_value or (raw != their_raw and not timed):
            command = b" ".join(argv).decode(errors="replace")
            lines.append(f"`{command}`: minivalkey {raw!r}, reference {their_raw!r}")
    return lines


# -- all servers ---------------------------------------------------------------------------------

FIXED: dict[str, tuple[list[bytes], int]] = {  # workload -> (request, depth)
    SUMMARY: ([b"XPENDING", PENDING_KEY, GROUP], 1),
    SUMMARY_PIPELINED: ([b"XPENDING", PENDING_KEY, GROUP], DEPTH),
    RANGE: ([b"XPENDING", PENDING_KEY, GROUP, b"-", b"+", b"10"], 1),
    RANGE_PIPELINED: ([b"XPENDING", PENDING_KEY, GROUP, b"-", b"+", b"10"], DEPTH),
    PING: ([b"PING"], 1),
    PING_PIPELINED: ([b"PING"], DEPTH),
}
CLAIMANTS = (b"c2", b"c3")
QUIET_PERCENT = 15.0  # a timed run starts once others use at most this much of a core ...
QUIET_WAIT_S = 1.0  # ... or after this long
EXTRA_ROUNDS = 2  # rounds beyond --repetitions while a server lacks quiet runs


class Subject:
    """One running server with its connections and data, ready for every workload."""

    def __init__(self, server: Running, settings: Settings, all_pids: Sequence[int]) -> None:
        self.server = server
        self.settings = settings
        self.all_pids = list(all_pids)
        self.control = Conn(server.port)
        self.consumers = ConsumerSet(server.port)
        self.batches: dict[str, int] = {}  # fixed-request workload -> batches a timed run
        self.sweeps_done = 0

    def close(self) -> None:
        self.consumers.close()
        self.control.close()

    def meter(self) -> Meter:
        return Meter(self.server.pid, self.all_pids)

    def load(self) -> None:
        """The consume stream and the pending entries, checked."""
        entries, conn = self.settings.entries, self.control
        conn.call(b"DEL", CONSUME_KEY)
        conn.replies_of([benchlib.xadd(CONSUME_KEY, i) for i in range(1, entries + 1)])
        load_pending(conn, self.settings.pending)
        check_pending(conn, self.settings.pending, b"c1")
        check_range(conn)

    def warm_up(self, workload: str) -> None:
        if workload == CONSUME:
            self._consume(limit=self.settings.entries // 5)
        elif workload == AUTOCLAIM:
            self._sweeps(1)
        else:
            argv, depth = FIXED[workload]
            warm = max(self.settings.warmup // depth, 1)
            timing = self.meter()
            repeat(self.control, benchlib.encode(argv), depth, warm)
            rate = timing.sample(warm * depth, 0).figure
            self.batches[workload] = max(int(rate * self.settings.seconds / depth), 20)

    def timed(self, workload: str) -> Sample:
        if workload == CONSUME:
            return self._consume(limit=None)
        if workload == AUTOCLAIM:
            sweeps = self.settings.sweeps
            timing = self.meter()
            calls = self._sweeps(sweeps)
            return timing.sample(self.settings.pending * sweeps, calls, sweeps=sweeps)
        argv, depth = FIXED[workload]
        batches = self.batches[workload]
        timing = self.meter()
        repeat(self.control, benchlib.encode(argv), depth, batches)
        return timing.sample(batches * depth, batches * depth)

    def finish(self) -> None:
        """The checks that only the end of the run can make; the data deleted."""
        if self.sweeps_done:
            last = CLAIMANTS[(self.sweeps_done - 1) % 2]
            check_pending(self.control, self.settings.pending, last)
        self.control.call(b"DEL", CONSUME_KEY, PENDING_KEY)

    def _consume(self, limit: int | None) -> Sample:
        """One pass on a new group (a full one is checked: each entry exactly once)."""
        self.control.call(b"XGROUP", b"DESTROY", CONSUME_KEY, GROUP)
        self.control.call(b"XGROUP", b"CREATE", CONSUME_KEY, GROUP, b"0")
        done = self.consumers.run(self.meter, limit)
        if limit is None:
            _check_consumed(self.control, done, self.settings.entries)
        assert done.sample is not None
        return done.sample

    def _sweeps(self, count: int) -> int:
        calls = 0
        for _ in range(count):
            claimant = CLAIMANTS[self.sweeps_done % 2]
            calls += sweep(self.control, claimant, self.settings.pending)
            self.sweeps_done += 1
        return calls


@dataclass
class ServerRun:
    kind: str
    version: str
    notes: list[str]
    results: dict[str, Figures] = field(default_factory=dict)
    probe: Probe = field(default_factory=list)


def _describe(name: str, r: Figures) -> str:
    extra = f", {r.sweep_s * 1000:.1f} ms a sweep" if r.sweep_s else ""
    return (
        f"{name}: {r.figure:,.0f} {UNITS.get(name, 'commands/s')} "
        f"({r.commands:,.0f} commands/s{extra}; CPU: server {r.server_cpu:.0f}%, "
        f"driver {r.driver_cpu:.0f}%, others {r.other_cpu:.0f}%)"
    )


def _other_cpu(sample: Sample) -> float:
    return sample.other_cpu


def measure_all(servers: Sequence[Running], settings: Settings) -> list[ServerRun]:
    """Every workload on every server. Per workload each server warms up, then the
    timed runs go in rounds, one run per server in turn (the order rotates), so that
    a burst of other work on the machine falls on all the servers alike."""
    pids = [server.pid for server in servers]
    runs = [ServerRun(s.kind, s.version, s.notes) for s in servers]
    with contextlib.ExitStack() as stack:
        subjects = []
        for server, out in zip(servers, runs, strict=True):
            out.probe = run_probe(server.port)
            subject = Subject(server, settings, pids)
            stack.callback(subject.close)
            subject.load()
            subjects.append(subject)
        for workload in WORKLOADS:
            for subject in subjects:
                subject.warm_up(workload)
            samples = benchlib.interleaved_rounds(
                len(subjects),
                settings.repetitions,
                EXTRA_ROUNDS,
                pids,
                lambda k: subjects[k].timed(workload),  # noqa: B023 (runs within this iteration)
                _other_cpu,
                QUIET_PERCENT,
                QUIET_WAIT_S,
            )
            for out, got in zip(runs, samples, strict=True):
                kept = benchlib.quietest(got, settings.repetitions, _other_cpu)
                out.results[workload] = median_of(kept, measured=len(got))
                print(
                    f"{out.kind:10} {_describe(workload, out.results[workload])}", file=sys.stderr
                )
        for subject in subjects:
            subject.finish()
    return runs


def run(args: argparse.Namespace) -> tuple[list[ServerRun], Settings, float]:
    quick = args.quick
    settings = Settings(
        entries=args.entries or (50_000 if quick else 200_000),
        pending=args.pending or (20_000 if quick else 100_000),
        repetitions=args.repetitions,
        seconds=0.3 if quick else 1.0,
        warmup=2_000 if quick else 10_000,
        sweeps=2,
        pin=pinning_possible() and not args.no_pin,
    )
    kinds = [k for k in args.servers.split(",") if k]
    for kind in kinds:
        if kind not in ALL_KINDS:
            raise SystemExit(f"unknown server {kind!r}; choose from {', '.join(ALL_KINDS)}")
    binaries = {"redis": benchlib.REDIS_SERVER, "valkey": benchlib.VALKEY_SERVER}
    for kind, binary in binaries.items():
        if kind in kinds and not os.access(binary, os.X_OK):
            print(f"# {kind}: no {binary}, skipped", file=sys.stderr)
            kinds.remove(kind)
    if settings.pin:
        os.sched_setaffinity(0, {LOAD_CPU})
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        # All servers run for the whole run (pinned together; the idle ones sleep).
        servers = [stack.enter_context(started(kind, settings.pin)) for kind in kinds]
        for server in servers:
            print(f"# {server.version} on port {server.port}", file=sys.stderr, flush=True)
        runs = measure_all(servers, settings)
    return runs, settings, time.monotonic() - began


# -- report ---------------------------------------------------------------------------------------


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def pinning_text(pin: bool) -> str:
    """How server and driver were placed, for a results page."""
    if pin:
        return f"server pinned to CPU {SERVER_CPU}, driver to CPU {LOAD_CPU} (taskset)"
    return "no CPU pinning"


def version_lines(runs: Sequence[Running]) -> list[str]:
    """One results-page line per server measured: its label, version and notes."""
    return [
        f"- {LABELS[r.kind]}: {r.version}" + (f" ({', '.join(r.notes)})" if r.notes else "")
        for r in runs
    ]



def report(runs: Sequence[ServerRun], settings: Settings, elapsed: float, quick: bool) -> str:
    by_kind = {r.kind: r for r in runs}
    mine = by_kind.get("minivalkey")
    references = [r for r in runs if r.kind != "minivalkey"]
    header = ["workload", "unit", *(LABELS[r.kind] for r in runs)]
    if mine:
        header += [f"minivalkey ÷ {LABELS[r.kind]}" for r in references]
    header.append("target")
    rows = []
    for name in WORKLOADS:
        row = [name, UNITS.get(name, "commands/s")]
        row += [_rate(r.results[name].figure) for r in runs]
        if mine:
            row += [f"{mine.results[name].figure / r.results[name].figure:.2f}" for r in references]
        row.append(f"≥ {TARGETS[name]:g}" if name in TARGETS else "")
        rows.append(row)
    detail_rows = []
    for name in WORKLOADS:
        for r in runs:
            f = r.results[name]
            extra = f"{f.sweep_s * 1000:.1f} ms a sweep" if f.sweep_s else ""
            detail_rows.append(
                [
                    name,
                    LABELS[r.kind],
                    _rate(f.commands),
                    f"{f.server_cpu:.0f}%",
                    f"{f.driver_cpu:.0f}%",
                    f"{f.other_cpu:.0f}%",
                    f"{f.runs}" + (f" of {f.measured}" if f.measured > f.runs else ""),
                    extra,
                ]
            )
    pinning = pinning_text(settings.pin)
    versions = version_lines(runs)
    lines = [
        f"## Consumer-group workloads ({'quick' if quick else 'full'} mode)",
        "",
        benchlib.machine_info(),
        *versions,
        f"- driver: `benchmarks/group_workloads.py`, raw sockets, requests encoded before the "
        f"timed loops (XACK and XAUTOCLAIM from the reply before them), hiredis parsing; "
        f"{pinning}",
        f"- consume: {settings.entries:,} entries of 2 fields, {CONSUMERS} consumers on "
        f"{CONSUMERS} connections multiplexed with epoll, each with one request in flight: "
        f"XREADGROUP COUNT {READ_COUNT} then XACK of the IDs it got; checked: every entry "
        "delivered exactly once, XPENDING count 0 after each pass",
        f"- XPENDING and XAUTOCLAIM: {settings.pending:,} entries pending on one consumer; "
        f"XPENDING on one connection, unpipelined or {DEPTH} in flight; XAUTOCLAIM min-idle 0, "
        f"COUNT {CLAIM_COUNT}, following the cursor to 0-0 ({settings.sweeps} full sweeps a "
        "run, claimant alternating c2/c3)",
        f"- median of {settings.repetitions} runs after a warm-up; fixed-request runs sized to "
        f"about {settings.seconds:g} s from the warm-up's rate; all servers run throughout, "
        "their runs interleaved (one per server in turn, each after a quiet 100 ms); up to "
        f"{EXTRA_ROUNDS} extra rounds replace runs during which other processes used more "
        f"than {QUIET_PERCENT:g}% of a core (`3 of 5`: the quietest 3 count); "
        f"run time {elapsed:.0f} s",
        "",
        benchlib.markdown_table(header, rows),
        "",
        "Commands per second and CPU use during the timed runs (% of one core; medians, "
        "`others`: mean CPU of all other processes): a driver near 100% with the server well "
        "below means the driver set the pace, so the ratio understates the gap; a row with "
        "`others` well above 0 was measured while other work shared the machine.",
        "",
        benchlib.markdown_table(
            ["workload", "server", "commands/s", "server CPU", "driver CPU", "others", "runs", ""],
            detail_rows,
        ),
    ]
    if mine:
        for ref in references:
            differences = probe_differences(mine.probe, ref.probe)
            lines += ["", _probe_summary(ref, differences)]
    return "\n".join(lines) + "\n"


def _probe_summary(ref: ServerRun, differences: list[str]) -> str:
    count = len(probe_commands())
    if not differences:
        return (
            f"Probe ({count} commands: a 30-entry stream with fixed IDs, then XGROUP, "
            "XREADGROUP, XACK, XPENDING, XAUTOCLAIM, XINFO GROUPS; idle times masked): "
            f"minivalkey's replies are identical to {LABELS[ref.kind]}'s."
        )
    lines = [f"Probe: {len(differences)} of {count} replies differ from {LABELS[ref.kind]}'s:"]
    lines += [f"- {line}" for line in differences]
    return "\n".join(lines)


def figures_of(runs: Sequence[ServerRun], settings: Settings, quick: bool) -> dict[str, object]:
    return {
        "mode": "quick" if quick else "full",
        "servers": {r.kind: r.version for r in runs},
        "labels": {r.kind: LABELS[r.kind] for r in runs},
        "units": {name: UNITS.get(name, "commands/s") for name in WORKLOADS},
        "rates": {name: {r.kind: r.results[name].figure for r in runs} for name in WORKLOADS},
        "commands": {name: {r.kind: r.results[name].commands for r in runs} for name in WORKLOADS},
        "sweep_seconds": {r.kind: r.results[AUTOCLAIM].sweep_s for r in runs},
        "entries": settings.entries,
        "pending": settings.pending,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small streams, short runs")
    parser.add_argument("--servers", default=",".join(ALL_KINDS), help="absent ones are skipped")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--entries", type=int, help="stream of the consume workload")
    parser.add_argument("--pending", type=int, help="pending entries for XPENDING/XAUTOCLAIM")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPUs")
    parser.add_argument("--write", action="store_true", help="store in benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    runs, settings, elapsed = run(args)
    body = report(runs, settings, elapsed, args.quick)
    print(body)
    mine = next((r for r in runs if r.kind == "minivalkey"), None)
    differences = [
        line
        for r in runs
        if mine and r is not mine
        for line in probe_differences(mine.probe, r.probe)
    ]
    if args.write:
        benchlib.write_section("group_workloads", body, RESULTS, HEADER)
        saved = figures.save("group_workloads", figures_of(runs, settings, args.quick))
        print(f"written to {RESULTS} and {saved}", file=sys.stderr)
    if differences:
        print(f"{len(differences)} probe replies differ (see the report)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
