"""PUBLISH fan-out: minivalkey-server next to redis-server (and valkey-server).

Usage: ``python benchmarks/pubsub_fanout.py [--quick] [--servers minivalkey,redis,valkey]
[--repetitions 3] [--no-pin] [--write]``

Workloads: one channel with 1, 100 and 1,000 subscribers (RESP2 connections that
SUBSCRIBE and then only read); one publisher connection sends ``PUBLISH`` of a 64-byte
message in batches of ``DEPTH`` (32) pipelined commands. Figure: messages delivered per second
(publishes times subscribers, counted as the bytes the subscribers actually read), and
the publishes per second behind it.

Method: the servers are started at the beginning on free 127.0.0.1 ports and run to
the end; with two CPUs or more they are pinned to CPU 0 (``taskset``) and this driver
to CPU 1. One driver thread multiplexes the publisher and every subscriber with
``select.epoll``: the publisher keeps ``IN_FLIGHT`` (2) batches in flight, and stays at
most ``WINDOW`` (4) batches ahead of the slowest subscriber, so
neither side's buffers grow without bound and a run ends when the last subscriber
has its last message. Subscribers' bytes are counted, not parsed (every message has the
same size); the publisher's replies are checked to name the expected receivers. Per
workload each server has a warm-up that sizes its timed runs (about a second; 0.3 s
with ``--quick``), then the ``--repetitions`` timed runs go in rounds of one run per
server in turn (the order rotates) after a quiet 100 ms, with up to 2 extra rounds
while a server lacks runs during which other processes used at most 15 % of a core;
a figure is the median of the quietest runs. Server, driver and other CPU use are
recorded per run. Every server started is stopped, also on errors. ``--write`` stores
the section ``pubsub_fanout`` of benchmarks/RESULTS-pubsub.md and the figures in
benchmarks/results/pubsub_fanout.json.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import select
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import benchlib
import figures
from bench import LOAD_CPU
from blocking_latency import LABELS, Running, pinning_possible, started
from group_workloads import (
    EXTRA_ROUNDS,
    QUIET_PERCENT,
    QUIET_WAIT_S,
    Meter,
    Sample,
    pinning_text,
    version_lines,
)

RESULTS = Path(__file__).resolve().parent / "RESULTS-pubsub.md"
HEADER = """# Pub/Sub benchmarks

Produced by `benchmarks/pubsub_fanout.py` (run on demand with `make bench`, or with
`--write`; never part of the test suite). Each section states the machine, date and
versions it was measured with.
"""
ALL_KINDS = ("minivalkey", "redis", "valkey")
CHANNEL = b"bench:fanout"
PAYLOAD = b"m" * 64
DEPTH = 32  # publishes in flight
IN_FLIGHT = 2  # batches sent whose replies are not all in yet
WINDOW = 4  # batches the publisher may be ahead of the slowest subscriber
SUBSCRIBERS = (1, 100, 1000)
STALL_S = 30.0  # a run that makes no progress for this long fails


def workload_name(subscribers: int) -> str:
    return f"PUBLISH to {subscribers:,} subscriber{'s' if subscribers > 1 else ''}"


WORKLOADS = tuple(workload_name(count) for count in SUBSCRIBERS)
MESSAGE = b"*3\r\n$7\r\nmessage\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
    len(CHANNEL),
    CHANNEL,
    len(PAYLOAD),
    PAYLOAD,
)
BATCH = benchlib.encode([b"PUBLISH", CHANNEL, PAYLOAD]) * DEPTH


class Fanout:
    """A publisher and ``count`` subscribers of ``CHANNEL`` on one server."""

    def __init__(self, port: int, count: int) -> None:
        self.count = count
        self.publisher = benchlib.Client(port)
        self.subscribers: list[socket.socket] = []
        for _ in range(count):
            sub = benchlib.Client(port)
            sub.sock.sendall(benchlib.encode([b"SUBSCRIBE", CHANNEL]))
            [confirmation] = sub.read(1)
            assert confirmation == [b"subscribe", CHANNEL, 1], confirmation
            self.subscribers.append(sub.sock)
        numsub = self.publisher.call(b"PUBSUB", b"NUMSUB", CHANNEL)
        assert numsub == [CHANNEL, count], numsub
        self.reply = b":%d\r\n" % count
        self.epoll = select.epoll()
        for sock in (self.publisher.sock, *self.subscribers):
            sock.setblocking(False)
            self.epoll.register(sock.fileno(), select.EPOLLIN)
        self.index = {sock.fileno(): i for i, sock in enumerate(self.subscribers)}

    def close(self) -> None:
        self.epoll.close()
        for sock in self.subscribers:
            sock.close()
        self.publisher.close()

    def run(self, batches: int) -> int:
        """Publish ``batches`` batches and wait until every subscriber has every
        message; the messages delivered."""
        batch_bytes = DEPTH * len(MESSAGE)
        reply_bytes = DEPTH * len(self.reply)
        received = [0] * self.count
        # done_at[k]: subscribers that have read the first k batches (k >= 1).
        done_at = [0] * (batches + 2)
        completed = sent = 0
        replies = b""
        replied = 0  # batches whose replies are all in
        publisher = self.publisher.sock
        progress = time.monotonic()
        while completed < batches:
            if sent < batches and sent - replied < IN_FLIGHT and sent - completed < WINDOW:
                publisher.sendall(BATCH)
                sent += 1
            events = self.epoll.poll(1.0)
            if events:
                progress = time.monotonic()
            elif time.monotonic() - progress > STALL_S:
                raise RuntimeError(f"no progress for {STALL_S:g} s")
            for fd, _ in events:
                if fd == publisher.fileno():
                    replies += publisher.recv(1 << 16)
                    while len(replies) >= reply_bytes:
                        if replies[:reply_bytes] != self.reply * DEPTH:
                            raise RuntimeError(f"unexpected PUBLISH replies: {replies[:64]!r}")
                        replies = replies[reply_bytes:]
                        replied += 1
                    continue
                i = self.index[fd]
                data = self.subscribers[i].recv(1 << 20)
                if not data:
                    raise ConnectionError("a subscriber was disconnected")
                before = received[i] // batch_bytes
                received[i] += len(data)
                after = min(received[i] // batch_bytes, batches)
                for k in range(before + 1, after + 1):
                    done_at[k] += 1
                while completed < batches and done_at[completed + 1] == self.count:
                    completed += 1
        expected = batches * batch_bytes
        if any(total != expected for total in received):
            raise RuntimeError("a subscriber received other than every message")
        return batches * DEPTH * self.count


@dataclass
class Settings:
    repetitions: int
    seconds: float
    warmup_messages: int  # deliveries in a warm-up
    pin: bool


@dataclass
class ServerRun:
    kind: str
    version: str
    notes: list[str]
    results: dict[str, tuple[Sample, int]] = field(default_factory=dict)  # median, runs


class Subject:
    """One server with the fan-out of one workload set up."""

    def __init__(self, server: Running, count: int, settings: Settings, pids: list[int]):
        self.server = server
        self.settings = settings
        self.pids = pids
        self.fanout = Fanout(server.port, count)
        self.batches = 1

    def warm_up(self) -> None:
        per_batch = DEPTH * self.fanout.count
        batches = max(self.settings.warmup_messages // per_batch, 4)
        timing = Meter(self.server.pid, self.pids)
        delivered = self.fanout.run(batches)
        rate = timing.sample(delivered, batches * DEPTH).figure
        self.batches = max(int(rate * self.settings.seconds / per_batch), 10)

    def timed(self) -> Sample:
        timing = Meter(self.server.pid, self.pids)
        delivered = self.fanout.run(self.batches)
        return timing.sample(delivered, self.batches * DEPTH)


def _other_cpu(sample: Sample) -> float:
    return sample.other_cpu


def measure_all(servers: Sequence[Running], settings: Settings) -> list[ServerRun]:
    pids = [server.pid for server in servers]
    runs = [ServerRun(s.kind, s.version, s.notes) for s in servers]
    for count, name in zip(SUBSCRIBERS, WORKLOADS, strict=True):
        with contextlib.ExitStack() as stack:
            subjects = []
            for server in servers:
                subject = Subject(server, count, settings, pids)
                stack.callback(subject.fanout.close)
                subjects.append(subject)
            for subject in subjects:
                subject.warm_up()
            samples = benchlib.interleaved_rounds(
                len(subjects),
                settings.repetitions,
                EXTRA_ROUNDS,
                pids,
                lambda k: subjects[k].timed(),  # noqa: B023 (runs within this iteration)
                _other_cpu,
                QUIET_PERCENT,
                QUIET_WAIT_S,
            )
        for out, got in zip(runs, samples, strict=True):
            kept = benchlib.quietest(got, settings.repetitions, _other_cpu)
            figure, commands, server_cpu, driver_cpu = benchlib.medians(
                kept, "figure", "commands", "server_cpu", "driver_cpu"
            )
            other = sum(s.other_cpu for s in kept) / len(kept)
            out.results[name] = (Sample(figure, commands, server_cpu, driver_cpu, other), len(got))
            print(
                f"{out.kind:10} {name}: {figure:,.0f} messages/s ({commands:,.0f} PUBLISH/s; "
                f"CPU: server {server_cpu:.0f}%, driver {driver_cpu:.0f}%, others {other:.0f}%)",
                file=sys.stderr,
            )
    return runs


def run(args: argparse.Namespace) -> tuple[list[ServerRun], Settings, float]:
    settings = Settings(
        repetitions=args.repetitions,
        seconds=0.3 if args.quick else 1.0,
        warmup_messages=20_000 if args.quick else 100_000,
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
    # 1,000 subscribers need as many descriptors here (and in the servers, which inherit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard or (soft < hard and hard < 4096):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    if settings.pin:
        os.sched_setaffinity(0, {LOAD_CPU})
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(started(kind, settings.pin)) for kind in kinds]
        for server in servers:
            print(f"# {server.version} on port {server.port}", file=sys.stderr, flush=True)
        runs = measure_all(servers, settings)
    return runs, settings, time.monotonic() - began


def report(runs: Sequence[ServerRun], settings: Settings, elapsed: float, quick: bool) -> str:
    mine = next((r for r in runs if r.kind == "minivalkey"), None)
    references = [r for r in runs if r.kind != "minivalkey"]
    header = ["workload", *(LABELS[r.kind] for r in runs)]
    if mine:
        header += [f"minivalkey ÷ {LABELS[r.kind]}" for r in references]
    rows = []
    for name in WORKLOADS:
        row = [name, *(f"{r.results[name][0].figure:,.0f}" for r in runs)]
        if mine:
            row += [
                f"{mine.results[name][0].figure / r.results[name][0].figure:.2f}"
                for r in references
            ]
        rows.append(row)
    details = []
    for name in WORKLOADS:
        for r in runs:
            sample, measured = r.results[name]
            details.append(
                [
                    name,
                    LABELS[r.kind],
                    f"{sample.commands:,.0f}",
                    benchlib.human_ns(sample.server_cpu / 100 / sample.figure * 1e9),
                    f"{sample.server_cpu:.0f}%",
                    f"{sample.driver_cpu:.0f}%",
                    f"{sample.other_cpu:.0f}%",
                    f"{settings.repetitions}"
                    + (f" of {measured}" if measured > settings.repetitions else ""),
                ]
            )
    pinning = pinning_text(settings.pin)
    versions = version_lines(runs)
    lines = [
        f"## PUBLISH fan-out ({'quick' if quick else 'full'} mode)",
        "",
        benchlib.machine_info(),
        *versions,
        f"- driver: `benchmarks/pubsub_fanout.py`, one thread, epoll over the publisher and "
        f"every subscriber (RESP2); PUBLISH of {len(PAYLOAD)} bytes in batches of {DEPTH}, "
        f"{IN_FLIGHT} batches in flight, at most {WINDOW} ahead of the slowest subscriber; "
        f"{pinning}",
        f"- figure: messages delivered per second (publishes x subscribers); median of "
        f"{settings.repetitions} runs of about {settings.seconds:g} s after a warm-up, the "
        f"servers' runs interleaved; run time {elapsed:.0f} s",
        "",
        benchlib.markdown_table(header, rows),
        "",
        "PUBLISH commands per second and CPU use during the timed runs (% of one core; "
        "`others`: other processes): a driver near 100% means it set the pace; the server's "
        "CPU time per delivered message depends least on who set it.",
        "",
        benchlib.markdown_table(
            [
                "workload",
                "server",
                "PUBLISH/s",
                "server CPU a message",
                "server CPU",
                "driver CPU",
                "others",
                "runs",
            ],
            details,
        ),
    ]
    return "\n".join(lines) + "\n"


def figures_of(runs: Sequence[ServerRun], quick: bool) -> dict[str, object]:
    return {
        "mode": "quick" if quick else "full",
        "servers": {r.kind: r.version for r in runs},
        "labels": {r.kind: LABELS[r.kind] for r in runs},
        "units": {name: "messages/s" for name in WORKLOADS},
        "rates": {name: {r.kind: r.results[name][0].figure for r in runs} for name in WORKLOADS},
        "publishes": {
            name: {r.kind: r.results[name][0].commands for r in runs} for name in WORKLOADS
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs")
    parser.add_argument("--servers", default=",".join(ALL_KINDS), help="absent ones are skipped")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPUs")
    parser.add_argument("--write", action="store_true", help="store in RESULTS-pubsub.md")
    args = parser.parse_args(argv)
    runs, settings, elapsed = run(args)
    body = report(runs, settings, elapsed, args.quick)
    print(body)
    if args.write:
        benchlib.write_section("pubsub_fanout", body, RESULTS, HEADER)
        saved = figures.save("pubsub_fanout", figures_of(runs, args.quick))
        print(f"written to {RESULTS} and {saved}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
