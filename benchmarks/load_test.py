"""Load: many concurrent connections producing and consuming through consumer groups.

Usage: ``python benchmarks/load_test.py [--connections 1000] [--seconds 60] [--streams 4]
[--producers 200] [--count 10] [--block-ms 1000] [--drain-seconds 120] [--no-pin] [--write]``

What runs: ``minivalkey-server`` (this interpreter's ``python -m minivalkey``) on a
free 127.0.0.1 port, and this driver, one asyncio loop (uvloop when installed) with
``--connections`` raw-socket connections (replies parsed by ``hiredis.Reader``):

* ``--producers`` producers, spread over ``--streams`` streams, each looping
  ``XADD s * p <producer> n <sequence>`` with one request in flight, for
  ``--seconds`` seconds;
* every other connection is a consumer; each stream has two groups (created at
  ``$`` before the load) and the consumers are shared evenly among the
  (stream, group) pairs, each looping ``XREADGROUP GROUP g c<i> COUNT <count>
  BLOCK <block-ms> STREAMS s >`` then ``XACK s g`` of the IDs it got.

When the producers stop, the consumers go on until each group has been handed
every entry of its stream (at most ``--drain-seconds``), then stop at their next
empty read. A monitor connection samples the server's RSS (``/proc``) and INFO
``used_memory`` twice a second.

Checked (the script exits 1 and says why when one fails): no error reply and no
lost connection; every entry was delivered exactly once to each group (the
driver keeps every ID XADD returned and every ID each group delivered); every
XACK acknowledged each ID it named (its reply equals their number); XPENDING's
summary count is 0 for every group, and XINFO GROUPS shows lag 0 and
entries-read equal to the stream's length; when the clients have left INFO
shows one client (the monitor) and no blocked one; after the streams are
deleted the server's RSS is back near its baseline (measured after start-up,
before the streams and the connections): it keeps at most ``MEMORY_SLACK`` or
half of what it grew by, whichever is more. Leaked sessions or stream data would
keep nearly all of the growth; what CPython's allocator keeps in arenas that
still hold a few live objects stays well under half. The memory after the DEL is
taken ``SETTLE_SECONDS`` later, once the server's periodic hand-back of freed
memory (``minivalkey.memtrim``, every 10 s) has run. INFO ``used_memory`` is
reported beside the RSS.

Method: with two CPUs or more the server is pinned to CPU 0 and this driver to
CPU 1 (``--no-pin`` to leave both to the scheduler). The soft limit on open files
is raised (``resource.setrlimit``, inherited by the server) when
``--connections`` needs more. Rates are over the timed load phase only; the
drain phase is reported apart. The CPU time the server, the driver and all other
processes of the machine used in the load phase (``/proc``) is reported too: on a
shared machine the rates depend on it. Run on demand only; ``--write`` stores the report
in the section ``load`` of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import benchlib
import hiredis
from bench import HEADER, RESULTS

GROUPS = (b"g1", b"g2")
FD_MARGIN = 64  # descriptors beyond the connections: monitor, files, the loop's own
CONNECT_CONCURRENCY = 100  # connection attempts in flight (the listen backlog is 100)
MEMORY_SLACK = 8 * 1024 * 1024  # RSS kept after the run that is "near the baseline"
SETTLE_SECONDS = 11.0  # the server returns freed memory every 10 s (minivalkey.memtrim)
SAMPLE_SECONDS = 0.5
SERVER_CPU, DRIVER_CPU = 0, 1


def human_bytes(n: float) -> str:
    return f"{n / 1024 / 1024:,.1f} MiB"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU time all processes of the machine have used so far (``/proc/stat``)."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# -- one connection ---------------------------------------------------------------------------


class Connection:
    """A raw RESP connection: one request in flight, replies parsed by hiredis."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.parser = hiredis.Reader()

    @classmethod
    async def open(cls, port: int) -> Self:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def call(self, *argv: bytes) -> Any:
        self.writer.write(benchlib.encode(argv))
        while True:
            reply = self.parser.gets()
            if reply is not False:
                return reply
            data = await self.reader.read(1 << 16)
            if not data:
                raise ConnectionError("the server closed the connection")
            self.parser.feed(data)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


class SharedConnection(Connection):
    """The monitor's connection, used by the sampler and the main flow: one call at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        super().__init__(reader, writer)
        self.lock = asyncio.Lock()

    async def call(self, *argv: bytes) -> Any:
        async with self.lock:
            return await super().call(*argv)


# -- the shared record of what happened ----------------------------------------------------


@dataclass
class Record:
    produced: dict[bytes, list[bytes]] = field(default_factory=dict)  # stream -> IDs
    delivered: dict[tuple[bytes, bytes], set[bytes]] = field(default_factory=dict)
    duplicates: int = 0
    ack_mismatches: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    reads: int = 0
    empty_reads: int = 0
    producing: bool = True
    drained: asyncio.Event = field(default_factory=asyncio.Event)

    def error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < 10:
            self.errors.append(text)

    def all_delivered(self) -> bool:
        return all(
            len(ids) == len(self.produced[stream]) for (stream, _), ids in self.delivered.items()
        )


async def produce(conn: Connection, stream: bytes, name: bytes, record: Record) -> None:
    produced = record.produced[stream]
    sequence = 0
    while record.producing:
        sequence += 1
        reply = await conn.call(b"XADD", stream, b"*", b"p", name, b"n", b"%d" % sequence)
        if isinstance(reply, hiredis.ReplyError):
            record.error(f"XADD: {reply}")
            continue
        produced.append(reply)


async def consume(
    conn: Connection,
    stream: bytes,
    group: bytes,
    name: bytes,
    count: int,
    block_ms: int,
    record: Record,
) -> None:
    delivered = record.delivered[(stream, group)]
    read = [b"XREADGROUP", b"GROUP", group, name, b"COUNT", b"%d" % count]
    read += [b"BLOCK", b"%d" % block_ms, b"STREAMS", stream, b">"]
    while True:
        reply = await conn.call(*read)
        record.reads += 1
        if isinstance(reply, hiredis.ReplyError):
            record.error(f"XREADGROUP: {reply}")
            continue
        if reply is None:  # BLOCK timed out: nothing new
            record.empty_reads += 1
            if record.drained.is_set():
                return
            continue
        ids = [entry[0] for entry in reply[0][1]]
        for entry_id in ids:
            if entry_id in delivered:
                record.duplicates += 1
            delivered.add(entry_id)
        acked = await conn.call(b"XACK", stream, group, *ids)
        if isinstance(acked, hiredis.ReplyError):
            record.error(f"XACK: {acked}")
        elif acked != len(ids):
            record.ack_mismatches += 1


# -- memory samples --------------------------------------------------------------------------


@dataclass
class Memory:
    rss: int
    used: int


async def memory_of(monitor: Connection, pid: int) -> Memory:
    info = benchlib.parse_info(await monitor.call(b"INFO", b"memory"))
    return Memory(benchlib.rss_bytes(pid), int(info["used_memory"]))


@dataclass
class Peaks:
    rss: int = 0
    used: int = 0
    clients: int = 0


async def sample(monitor: Connection, pid: int, peaks: Peaks, stop: asyncio.Event) -> None:
    while not stop.is_set():
        memory = await memory_of(monitor, pid)
        clients = benchlib.parse_info(await monitor.call(b"INFO", b"clients"))
        peaks.rss = max(peaks.rss, memory.rss)
        peaks.used = max(peaks.used, memory.used)
        peaks.clients = max(peaks.clients, int(clients["connected_clients"]))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)


# -- the run ------------------------------------------------------------------------------------


@dataclass
class Settings:
    connections: int
    seconds: float
    streams: int
    producers: int
    count: int
    block_ms: int
    drain_seconds: float

    @property
    def consumers(self) -> int:
        return self.connections - self.producers


@dataclass
class Outcome:
    settings: Settings
    version: str
    record: Record
    load_seconds: float
    cpu: tuple[float, float, float]  # server, driver, other processes: cores used
    drain_seconds: float
    commands: int
    baseline: Memory
    peak: Peaks
    loaded: Memory  # clients gone, streams still there
    after: Memory  # streams deleted, and the server's trim done
    settle_seconds: float  # from the DEL to ``after``
    group_checks: list[str]
    failures: list[str]
    nofile: tuple[int, int]
    pinned: bool

    def memories(self) -> list[Memory]:
        peak = Memory(self.peak.rss, self.peak.used)
        return [self.baseline, peak, self.loaded, self.after]


def raise_open_file_limit(needed: int) -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE to ``needed`` when below it; the limits in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SystemExit(f"need {needed} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def pin(pid: int, cpu: int) -> None:
    os.sched_setaffinity(pid, {cpu})


async def open_all(port: int, count: int) -> list[Connection]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one() -> Connection:
        async with gate:
            return await Connection.open(port)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def wait_for_clients(monitor: Connection, expected: int, timeout: float) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        clients = benchlib.parse_info(await monitor.call(b"INFO", b"clients"))
        if int(clients["connected_clients"]) == expected or time.monotonic() > deadline:
            return clients
        await asyncio.sleep(0.05)  # polling the server, with a deadline


async def drive(settings: Settings, port: int, pid: int) -> tuple[Record, dict[str, Any]]:
    """Set up, run the load, drain, check the groups, disconnect, delete; report numbers."""
    record = Record()
    failures: list[str] = []
    monitor = await SharedConnection.open(port)
    baseline = await memory_of(monitor, pid)
    streams = [b"load:%d" % i for i in range(settings.streams)]
    for stream in streams:
        record.produced[stream] = []
        for index, group in enumerate(GROUPS):
            create = [b"XGROUP", b"CREATE", stream, group, b"$"] + ([b"MKSTREAM"] * (index == 0))
            reply = await monitor.call(*create)
            assert reply == b"OK", reply
            record.delivered[(stream, group)] = set()

    connections = await open_all(port, settings.connections)
    clients = await wait_for_clients(monitor, settings.connections + 1, timeout=30)
    if int(clients["connected_clients"]) != settings.connections + 1:
        failures.append(f"connected_clients {clients['connected_clients']} after connecting")
    producers, consumers = connections[: settings.producers], connections[settings.producers :]
    pairs = [(stream, group) for stream in streams for group in GROUPS]
    commands_before = int(
        benchlib.parse_info(await monitor.call(b"INFO", b"stats"))["total_commands_processed"]
    )

    peaks = Peaks()
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(sample(monitor, pid, peaks, stop_sampling))
    tasks = [
        asyncio.create_task(produce(conn, streams[i % len(streams)], b"p%d" % i, record))
        for i, conn in enumerate(producers)
    ]
    consumer_tasks = [
        asyncio.create_task(
            consume(
                conn, *pairs[i % len(pairs)], b"c%d" % i, settings.count, settings.block_ms, record
            )
        )
        for i, conn in enumerate(consumers)
    ]
    started = time.monotonic()
    cpu_before = cpu_seconds(pid), cpu_seconds(os.getpid()), busy_cpu_seconds()
    await asyncio.sleep(settings.seconds)  # the load phase: its length is the measurement
    record.producing = False
    await gather_or_fail(tasks, failures, "producer")
    load_seconds = time.monotonic() - started
    server_cpu = (cpu_seconds(pid) - cpu_before[0]) / load_seconds
    driver_cpu = (cpu_seconds(os.getpid()) - cpu_before[1]) / load_seconds
    others_cpu = (busy_cpu_seconds() - cpu_before[2]) / load_seconds - server_cpu - driver_cpu
    produced_total = sum(len(ids) for ids in record.produced.values())
    deliveries_at_stop = sum(len(ids) for ids in record.delivered.values())
    commands_at_stop = int(
        benchlib.parse_info(await monitor.call(b"INFO", b"stats"))["total_commands_processed"]
    )

    drain_started = time.monotonic()
    while not record.all_delivered() and time.monotonic() - drain_started < settings.drain_seconds:
        await asyncio.sleep(0.05)  # the consumers catch up on their own; we only watch
    if not record.all_delivered():
        failures.append(f"not every entry delivered within {settings.drain_seconds:g} s")
    record.drained.set()
    await gather_or_fail(consumer_tasks, failures, "consumer")
    drain_seconds = time.monotonic() - drain_started
    stop_sampling.set()
    await sampler

    group_checks = await check_groups(monitor, record, failures)
    for conn in connections:
        await conn.close()
    clients = await wait_for_clients(monitor, 1, timeout=30)
    if clients["connected_clients"] != "1" or clients["blocked_clients"] != "0":
        failures.append(
            f"after disconnecting: connected_clients {clients['connected_clients']}, "
            f"blocked_clients {clients['blocked_clients']}"
        )
    loaded = await memory_of(monitor, pid)
    reply = await monitor.call(b"DEL", *streams)
    if reply != len(streams):
        failures.append(f"DEL answered {reply!r}")
    await asyncio.sleep(SETTLE_SECONDS)  # for the server's next trim, not for a state
    after = await memory_of(monitor, pid)
    grown = max(peaks.rss, loaded.rss) - baseline.rss
    if after.rss - baseline.rss > max(MEMORY_SLACK, grown // 2):
        failures.append(
            f"RSS {human_bytes(after.rss)} after, {human_bytes(baseline.rss)} at the start, "
            f"{human_bytes(grown)} grown"
        )
    await monitor.close()
    numbers = {
        "load_seconds": load_seconds,
        "cpu": (server_cpu, driver_cpu, max(0.0, others_cpu)),
        "drain_seconds": drain_seconds,
        "commands": commands_at_stop - commands_before,
        "produced": produced_total,
        "deliveries_at_stop": deliveries_at_stop,
        "baseline": baseline,
        "peak": peaks,
        "loaded": loaded,
        "after": after,
        "settle_seconds": SETTLE_SECONDS,
        "group_checks": group_checks,
        "failures": failures,
    }
    return record, numbers


async def gather_or_fail(tasks: list[asyncio.Task[None]], failures: list[str], kind: str) -> None:
    results = await asyncio.gather(*tasks, return_exceptions=True)
    broken = [r for r in results if isinstance(r, BaseException)]
    if broken:
        failures.append(f"{len(broken)} {kind}s failed, first: {broken[0]!r}")


async def check_groups(monitor: Connection, record: Record, failures: list[str]) -> list[str]:
    """XPENDING summaries, XINFO GROUPS lag and entries-read, XLEN: one line per group."""
    lines = []
    for stream, ids in record.produced.items():
        length = await monitor.call(b"XLEN", stream)
        if length != len(ids):
            failures.append(f"XLEN {stream.decode()} = {length}, {len(ids)} produced")
        groups = {
            info[1]: dict(zip(info[::2], info[1::2], strict=True))
            for info in await monitor.call(b"XINFO", b"GROUPS", stream)
        }
        for group in GROUPS:
            delivered = record.delivered[(stream, group)]
            pending = await monitor.call(b"XPENDING", stream, group)
            info = groups[group]
            missing = len(set(ids) - delivered)
            foreign = len(delivered - set(ids))
            ok = (
                pending == [0, None, None, None]
                and info[b"pending"] == 0
                and info[b"lag"] == 0
                and info[b"entries-read"] == len(ids)
                and missing == foreign == 0
            )
            if not ok:
                failures.append(
                    f"{stream.decode()}/{group.decode()}: XPENDING {pending!r}, "
                    f"pending {info[b'pending']}, lag {info[b'lag']}, "
                    f"entries-read {info[b'entries-read']}, missing {missing}, foreign {foreign}"
                )
            lines.append(
                f"{stream.decode()}/{group.decode()}: {len(ids):,} entries, {len(delivered):,} "
                f"delivered, XPENDING count {pending[0]}, lag {info[b'lag']}"
            )
    if record.duplicates:
        failures.append(f"{record.duplicates} entries delivered twice to one group")
    if record.ack_mismatches:
        failures.append(f"{record.ack_mismatches} XACK replies short of the IDs named")
    if record.error_count:
        failures.append(f"{record.error_count} error replies, first: {record.errors[0]}")
    return lines


def run(settings: Settings, pinned: bool) -> Outcome:
    nofile = raise_open_file_limit(settings.connections + FD_MARGIN)
    with benchlib.server("minivalkey") as server:
        if pinned:
            pin(server.pid, SERVER_CPU)
            pin(0, DRIVER_CPU)
        loop = new_loop()
        try:
            record, numbers = loop.run_until_complete(drive(settings, server.port, server.pid))
        finally:
            loop.close()
        version = server.version
    return Outcome(
        settings=settings,
        version=version,
        record=record,
        load_seconds=numbers["load_seconds"],
        cpu=numbers["cpu"],
        drain_seconds=numbers["drain_seconds"],
        commands=numbers["commands"],
        baseline=numbers["baseline"],
        peak=numbers["peak"],
        loaded=numbers["loaded"],
        after=numbers["after"],
        settle_seconds=numbers["settle_seconds"],
        group_checks=numbers["group_checks"],
        failures=numbers["failures"],
        nofile=nofile,
        pinned=pinned,
    )


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


# -- the report -------------------------------------------------------------------------------


def memory_row(name: str, values: list[int], outcome: Outcome) -> list[str]:
    later = f"+{outcome.settle_seconds:g} s"
    label = f"{name}: before / peak / clients gone / streams deleted ({later})"
    before, peak, after = values[0], max(values[1:3]), values[3]
    kept = f" (keeps {human_bytes(after - before)} of {human_bytes(peak - before)} grown)"
    return [label, " / ".join(human_bytes(value) for value in values) + kept]


def report(outcome: Outcome) -> str:
    s, record = outcome.settings, outcome.record
    produced = sum(len(ids) for ids in record.produced.values())
    deliveries = sum(len(ids) for ids in record.delivered.values())
    rows = [
        [
            "connections",
            f"{s.connections:,} ({s.producers:,} producers, {s.consumers:,} consumers)",
        ],
        [
            "streams, groups",
            f"{s.streams} streams, 2 groups each, "
            f"{s.consumers // (2 * s.streams):,} consumers a group",
        ],
        ["load phase", f"{outcome.load_seconds:.1f} s"],
        ["drain after it", f"{outcome.drain_seconds:.1f} s"],
        ["entries produced", f"{produced:,} ({produced / outcome.load_seconds:,.0f}/s)"],
        ["deliveries (entry × group)", f"{deliveries:,} (each entry once per group)"],
        [
            "commands in the load phase",
            f"{outcome.commands:,} ({outcome.commands / outcome.load_seconds:,.0f}/s)",
        ],
        ["XREADGROUP calls (empty on timeout)", f"{record.reads:,} ({record.empty_reads:,})"],
        ["error replies", f"{record.error_count}"],
        [
            "CPU in the load phase: server / driver / other processes",
            " / ".join(f"{share:.0%}" for share in outcome.cpu) + " of a core",
        ],
        ["peak connected_clients", f"{outcome.peak.clients:,}"],
        memory_row("server RSS", [m.rss for m in outcome.memories()], outcome),
        memory_row("INFO used_memory", [m.used for m in outcome.memories()], outcome),
    ]
    verdict = (
        "all checks passed" if not outcome.failures else "FAILED: " + "; ".join(outcome.failures)
    )
    lines = [
        "## Load: concurrent producers and consumer groups",
        "",
        benchlib.machine_info(),
        f"- server: minivalkey-server {outcome.version}, "
        f"{'pinned to CPU 0, driver to CPU 1' if outcome.pinned else 'not pinned'}; "
        f"open files limit {outcome.nofile[0]:,}",
        f"- driver: `benchmarks/load_test.py --connections {s.connections} --seconds "
        f"{s.seconds:g}`, one asyncio loop, raw sockets, hiredis parsing, one request in "
        f"flight a connection; producers `XADD s * p <name> n <seq>`, consumers "
        f"`XREADGROUP ... COUNT {s.count} BLOCK {s.block_ms} STREAMS s >` then `XACK` of "
        "the IDs read",
        f"- checks: {verdict}",
        "",
        benchlib.markdown_table(["measure", "value"], rows),
        "",
        "Per group at the end:",
        "",
        *[f"- {line}" for line in outcome.group_checks],
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase")
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--producers", type=int, help="default: a fifth of the connections")
    parser.add_argument("--count", type=int, default=10, help="XREADGROUP COUNT")
    parser.add_argument("--block-ms", type=int, default=1000, help="XREADGROUP BLOCK")
    parser.add_argument("--drain-seconds", type=float, default=120.0)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPUs")
    parser.add_argument("--write", action="store_true", help="store in benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    producers = args.producers if args.producers is not None else args.connections // 5
    settings = Settings(
        connections=args.connections,
        seconds=args.seconds,
        streams=args.streams,
        producers=producers,
        count=args.count,
        block_ms=args.block_ms,
        drain_seconds=args.drain_seconds,
    )
    if settings.consumers < 2 * settings.streams or producers < 1:
        parser.error("need a producer and a consumer for every group")
    pinned = not args.no_pin and (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
    outcome = run(settings, pinned)
    body = report(outcome)
    print(body)
    if args.write:
        benchlib.write_section("load", body, RESULTS, HEADER)
        print(f"written to {RESULTS}", file=sys.stderr)
    if outcome.failures:
        print("FAILED:\n" + "\n".join(outcome.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
