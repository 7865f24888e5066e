"""Wake-up latency of blocked stream readers: from XADD to the reader holding the entry.

Usage: ``python benchmarks/blocking_latency.py [--quick] [--readers 1,100,1000] [--samples 300]
[--repetitions 3] [--warmup 50] [--rep-cap 5] [--quiet 15] [--extra 2]
[--servers minivalkey,embedded,redis,valkey] [--budget 240] [--no-spin] [--no-pin]
[--write]``

Two workloads, each with 1, 100 and 1,000 blocked connections:

* ``XREAD``: every reader waits in ``XREAD BLOCK 0 STREAMS s $``. One XADD wakes
  them all; per XADD we keep the latency of the first reply read and of the last
  one ("first reader", "all readers").
* ``XREADGROUP``: every reader is a consumer of one group waiting in
  ``XREADGROUP GROUP g c<i> COUNT 1 BLOCK 0 STREAMS s >``. One XADD wakes exactly
  one of them; we keep the latency of that one.

Latency is measured from just before the producer's ``send`` of the XADD to the
moment the reader's complete reply has been read from its socket.

How client cost is kept out of the numbers:

* raw sockets; every request (XADD, the blocking reads, INFO) is encoded before
  the measurement; the readers sit in one ``select.epoll`` set; replies are only
  length-checked inside the timed window and compared byte for byte with the
  expected reply after it;
* the producer is a separate connection that sends one XADD at a time, and only
  when the server reports all readers blocked (``INFO clients``), so an entry is
  never added while a re-armed reader is still on its way to block;
* readers are re-armed after the last wake-up of an XADD, outside the window;
* with two CPUs, the server is pinned to CPU 0 (``taskset``) and this driver to
  CPU 1, and the driver spins on ``epoll`` (timeout 0) rather than sleeping in
  it, so its own wake-up delay does not count (``--no-spin`` to sleep instead);
* the "driver floor" line measures what the driver needs to drain N replies
  (N > 1) that are already waiting in its sockets: "all readers" minus "first
  reader" cannot be much below it, and a server whose replies leave faster than
  that is measured at the driver's pace. (For one reader the floor is the PING
  round trip, also reported.)

Servers, all started at the beginning on free 127.0.0.1 ports (all on the server
CPU; the ones not being measured sit idle) and stopped at the end:
``minivalkey`` (the ``minivalkey-server`` of the project's .venv, uvloop and
hiredis), ``embedded`` (``minivalkey.Server`` in a child process of its own, so
it does not share this driver's interpreter), ``redis`` (redis-server) and
``valkey`` (valkey-server), each from its environment variable or PATH (see
benchlib). Each (workload, N) is warmed up on every server, then measured in
rounds, a round being one repetition on each server in turn, so that a burst of
other work on the machine falls on all the servers alike; a figure is the median
over the repetitions of that repetition's percentile. The machine may be shared:
the CPU time of other processes is measured during each repetition
(``/proc/stat`` less this driver and the servers), rounds go on (``--extra``
more at most) until every server has ``--repetitions`` during which they used at
most ``--quiet`` % of a core, and the quietest repetitions count; the report
shows that load per row. A repetition also stops at ``--rep-cap`` seconds, and
the whole run at ``--budget`` seconds (configurations not reached are reported
as skipped). Run on demand only; ``--write`` stores the tables in
benchmarks/RESULTS-blocking.md and the figures in
benchmarks/results/blocking_latency.json (for ``chart.py``). ``--quick``
measures 1 and 100 readers, 100 XADDs a repetition, within 60 s (options given
explicitly win). """

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import benchlib
import figures
import hiredis

RESULTS = Path(__file__).resolve().parent / "RESULTS-blocking.md"
VENV_BIN = benchlib.ROOT / ".venv" / "bin"
MINIVALKEY_SERVER = str(VENV_BIN / "minivalkey-server")
VENV_PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable

KEY = b"blocking:stream"
GROUP = b"g"
SERVER_CPU, DRIVER_CPU = 0, 1
SAMPLE_TIMEOUT_NS = 10_000_000_000  # one XADD not answered in 10 s is a failure

ALL_KINDS = ("minivalkey", "embedded", "redis", "valkey")
LABELS = {
    "minivalkey": "minivalkey-server",
    "embedded": "minivalkey embedded Server",
    "redis": "redis-server",
    "valkey": "valkey-server",
}
WORKLOADS = ("XREAD", "XREADGROUP")

# The embedded server: minivalkey.Server on its own thread, in a process of its own.
# Signals are blocked before the server thread starts so that only sigwait sees them.
EMBEDDED_CHILD = """
import signal, sys
from minivalkey import Server
stop = {signal.SIGTERM, signal.SIGINT}
signal.pthread_sigmask(signal.SIG_BLOCK, stop)
server = Server(port=int(sys.argv[1])).start()
signal.sigwait(stop)
server.stop()
"""


# -- RESP pieces, built once -------------------------------------------------------------------


def bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


def array(items: Sequence[bytes]) -> bytes:
    return b"*%d\r\n" % len(items) + b"".join(items)


def read_reply(i: int) -> bytes:
    """The RESP2 reply of an XREAD / XREADGROUP that delivers entry ``i`` (and only it)."""
    entry = array([bulk(benchlib.entry_id(i)), array([bulk(f) for f in benchlib.entry_fields(i)])])
    return array([array([bulk(KEY), array([entry])])])


def xadd_reply(i: int) -> bytes:
    return bulk(benchlib.entry_id(i))


# -- servers -------------------------------------------------------------------------------------


@dataclass
class Running:
    kind: str
    version: str
    port: int
    pid: int
    notes: list[str] = field(default_factory=list)


def pinning_possible() -> bool:
    return (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None


def _command(kind: str, port: int, scratch: str) -> list[str]:
    if kind == "minivalkey":
        return [MINIVALKEY_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    if kind == "embedded":
        return [VENV_PYTHON, "-c", EMBEDDED_CHILD, str(port)]
    binary = benchlib.REDIS_SERVER if kind == "redis" else benchlib.VALKEY_SERVER
    options = ["--save", "", "--appendonly", "no", "--dir", scratch]
    return [binary, "--port", str(port), "--bind", "127.0.0.1", *options]


def _loaded_libraries(pid: int) -> str:
    """Which of uvloop and hiredis the process has mapped (proof of what it runs on)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    found = [name for name in ("uvloop", "hiredis") if name in maps]
    return " + ".join(found) if found else "neither uvloop nor hiredis"


@contextlib.contextmanager
def started(kind: str, pin: bool) -> Iterator[Running]:
    """Start a server of ``kind`` on a free loopback port (pinned to SERVER_CPU); stop it after."""
    port = benchlib.free_port()
    with tempfile.TemporaryDirectory() as scratch:
        command = _command(kind, port, scratch)
        if pin:
            command = ["taskset", "-c", str(SERVER_CPU), *command]  # taskset execs: same pid
        env = benchlib.environment_for_subprocess()
        process = subprocess.Popen(
            command, cwd=scratch, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            benchlib.wait_ready(port, process)
            version = benchlib.reported_version(port)
            notes = []
            if kind in ("minivalkey", "embedded"):
                from minivalkey import __version__

                version = f"minivalkey {__version__} (speaks Valkey {version})"
                notes.append(_loaded_libraries(process.pid))
            else:
                version = f"{kind} {version}"
            yield Running(kind, version, port, process.pid, notes)
        finally:
            benchlib.stop(process)


# -- the driver ----------------------------------------------------------------------------------


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def call(sock: socket.socket, request: bytes) -> bytes:
    """Send one pre-encoded request on a blocking socket; its reply (a simple one) as bytes."""
    sock.sendall(request)
    return _read_one(sock)


def _read_one(sock: socket.socket) -> bytes:
    reader = hiredis.Reader()
    raw = b""
    while True:
        data = sock.recv(1 << 16)
        if not data:
            raise ConnectionError("server closed the connection")
        raw += data
        reader.feed(data)
        if reader.gets() is not False:
            return raw


def recv_exact(sock: socket.socket, expected: bytes) -> None:
    """Read ``len(expected)`` bytes from a blocking socket and check they are ``expected``."""
    got = b""
    while len(got) < len(expected):
        data = sock.recv(len(expected) - len(got))
        if not data:
            raise ConnectionError("server closed the connection")
        got += data
    if got != expected:
        raise AssertionError(f"unexpected reply {got!r}, wanted {expected!r}")


INFO_CLIENTS = benchlib.encode([b"INFO", b"clients"])


def blocked_clients(sock: socket.socket) -> int:
    text = call(sock, INFO_CLIENTS)
    start = text.index(b"blocked_clients:") + len(b"blocked_clients:")
    return int(text[start : text.index(b"\r\n", start)])


def wait_blocked(sock: socket.socket, count: int) -> None:
    """Return once the server has exactly ``count`` blocked clients (the readers re-armed)."""
    deadline = time.monotonic() + 30
    while (blocked := blocked_clients(sock)) != count:
        if blocked > count or time.monotonic() > deadline:
            raise RuntimeError(f"{blocked} clients blocked, expected {count}")
        time.sleep(0.0001)


def send_whole(sock: socket.socket, request: bytes) -> None:
    """Send a small request on a non-blocking reader socket (an idle socket takes it whole)."""
    if sock.send(request) != len(request):
        raise RuntimeError("a reader's request did not fit its socket buffer")


class ReaderSet:
    """N reader connections, and optionally the producer's, in one epoll set."""

    def __init__(self, port: int, count: int, spin: bool) -> None:
        self.socks = [connect(port) for _ in range(count)]
        self.epoll = select.epoll(sizehint=count + 1)
        self.index: dict[int, int] = {}
        self.recv: dict[int, Callable[[int], bytes]] = {}
        for i, sock in enumerate(self.socks):
            sock.setblocking(False)
            self.index[sock.fileno()] = i
            self.recv[sock.fileno()] = sock.recv
            self.epoll.register(sock.fileno(), select.EPOLLIN)
        self.producer_fd = -1
        self.timeout = 0 if spin else -1

    def watch_producer(self, sock: socket.socket) -> None:
        """Also wait for the producer's replies (its socket stays blocking: it is only
        read when epoll says it has data, or outside a measurement)."""
        self.producer_fd = sock.fileno()
        self.recv[self.producer_fd] = sock.recv
        self.epoll.register(self.producer_fd, select.EPOLLIN)

    def close(self) -> None:
        self.epoll.close()
        for sock in self.socks:
            sock.close()

    def send_all(self, request: bytes) -> None:
        for sock in self.socks:
            send_whole(sock, request)

    def drain(
        self, length: int, wanted: int, started_ns: int, producer_length: int = 0
    ) -> tuple[dict[int, tuple[int, bytes]], tuple[int, bytes]]:
        """Read until ``wanted`` readers have ``length`` bytes and the producer has
        ``producer_length``: (reader fd -> (time read, bytes), (time, producer bytes)).

        The hot loop of the measurement: a timestamp right after each recv, a length
        check, nothing else. Partial replies are joined (rare on loopback).
        """
        done: dict[int, tuple[int, bytes]] = {}
        partial: dict[int, bytes] = {}
        producer_fd = self.producer_fd
        acked: tuple[int, bytes] = (0, b"")
        missing_ack = producer_length > 0
        poll, recv, timeout, clock = self.epoll.poll, self.recv, self.timeout, time.perf_counter_ns
        give_up = started_ns + SAMPLE_TIMEOUT_NS
        while len(done) < wanted or missing_ack:
            for fd, _ in poll(timeout):
                data = recv[fd](1 << 16)
                now = clock()
                if fd in partial:
                    data = partial.pop(fd) + data
                if not data:
                    raise ConnectionError("a connection closed")
                if fd == producer_fd:
                    if len(data) >= producer_length:
                        acked, missing_ack = (now, data), False
                    else:
                        partial[fd] = data
                elif len(data) >= length:
                    done[fd] = (now, data)
                else:
                    partial[fd] = data
            if clock() > give_up:
                raise TimeoutError(f"only {len(done)} of {wanted} readers answered")
        return done, acked


@dataclass
class Samples:
    """Latencies in ns, one of each per XADD."""

    first: list[int] = field(default_factory=list)  # the first reader's reply read
    last: list[int] = field(default_factory=list)  # the last reader's reply read
    ack: list[int] = field(default_factory=list)  # the producer's XADD + PING replies read


def percentile(values: Sequence[int], q: float) -> int:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


PING = benchlib.encode([b"PING"])
PONG = b"+PONG\r\n"


class Bench:
    """One server, one workload, N readers: arm, then one XADD at a time."""

    def __init__(self, port: int, workload: str, readers: int, spin: bool) -> None:
        self.workload = workload
        self.count = readers
        self.producer = connect(port)
        call(self.producer, benchlib.encode([b"DEL", KEY]))
        self.next_entry = 1
        self.readers = ReaderSet(port, readers, spin)
        self.readers.watch_producer(self.producer)
        if workload == "XREAD":
            arm = benchlib.encode([b"XREAD", b"BLOCK", b"0", b"STREAMS", KEY, b"$"])
            self.arms = [arm] * readers
        else:
            created = call(
                self.producer,
                benchlib.encode([b"XGROUP", b"CREATE", KEY, GROUP, b"$", b"MKSTREAM"]),
            )
            assert created == b"+OK\r\n", created
            options = [b"COUNT", b"1", b"BLOCK", b"0", b"STREAMS", KEY, b">"]
            self.arms = [
                benchlib.encode([b"XREADGROUP", b"GROUP", GROUP, b"c%d" % i, *options])
                for i in range(readers)
            ]
        for sock, arm in zip(self.readers.socks, self.arms, strict=True):
            send_whole(sock, arm)

    def close(self) -> None:
        self.readers.close()
        self.producer.close()

    def run(self, samples: int, cap_s: float) -> Samples:
        """``samples`` XADDs (fewer if ``cap_s`` runs out); the latencies of each.

        Each XADD goes out with a PING behind it in the same packet: the PING is
        answered once the server has finished the XADD, wake-ups included, which
        gives the ``ack`` latency.
        """
        out = Samples()
        wanted = self.count if self.workload == "XREAD" else 1
        deadline = time.monotonic() + cap_s
        first_entry = self.next_entry
        # Requests for this repetition are encoded before it starts.
        requests = [
            benchlib.encode(benchlib.xadd(KEY, first_entry + k)) + PING for k in range(samples)
        ]
        for k, request in enumerate(requests):
            if k and time.monotonic() > deadline:
                break
            i = first_entry + k
            expected, acked = read_reply(i), xadd_reply(i) + PONG
            wait_blocked(self.producer, self.count)
            started = time.perf_counter_ns()
            self.producer.send(request)
            done, (ack_at, ack) = self.readers.drain(len(expected), wanted, started, len(acked))
            self.next_entry = i + 1
            # Outside the window: check everything, then re-arm the readers woken.
            times = [at for at, _ in done.values()]
            out.first.append(min(times) - started)
            out.last.append(max(times) - started)
            out.ack.append(ack_at - started)
            if ack != acked:
                raise AssertionError(f"producer got {ack!r}, wanted {acked!r}")
            for _, data in done.values():
                if data != expected:
                    raise AssertionError(f"reader got {data!r}, wanted {expected!r}")
            for fd in done:
                reader = self.readers.index[fd]
                send_whole(self.readers.socks[reader], self.arms[reader])
        return out


def driver_floor(port: int, readers: int, tries: int = 5) -> int:
    """ns the driver needs to drain ``readers`` replies that are already in its sockets."""
    best: list[int] = []
    group = ReaderSet(port, readers, spin=True)
    try:
        for _ in range(tries):
            group.send_all(PING)
            # Every PONG is in its socket by then. Spin rather than sleep while waiting,
            # as the driver does during a measurement, so that it starts as warm.
            until = time.perf_counter() + 0.05 + readers * 20e-6
            while time.perf_counter() < until:
                group.epoll.poll(0)
            started = time.perf_counter_ns()
            done, _ = group.drain(len(PONG), readers, started)
            best.append(max(at for at, _ in done.values()) - started)
    finally:
        group.close()
    return int(statistics.median(best))


def ping_rtt(port: int, count: int = 2000) -> int:
    """Median round trip of PING on one connection (the floor of any latency here)."""
    sock = connect(port)
    times = []
    try:
        for _ in range(count):
            started = time.perf_counter_ns()
            sock.send(PING)
            recv_exact(sock, PONG)
            times.append(time.perf_counter_ns() - started)
    finally:
        sock.close()
    return int(statistics.median(times))


# -- one whole run -------------------------------------------------------------------------------


@dataclass
class Result:
    """Median over repetitions of each repetition's percentile, in ns."""

    first_p50: float
    first_p99: float
    last_p50: float
    last_p99: float
    ack_p50: float
    ack_p99: float
    samples: int  # XADDs measured in the repetitions used
    other_cpu: float  # % of one CPU used by other processes during them (mean)
    steal: float  # % of one CPU stolen by the hypervisor during them (mean)
    used: int  # repetitions used
    measured: int  # repetitions measured (the noisiest beyond ``used`` are dropped)


Rep = tuple[float, float, Samples]  # (other CPU %, steal %, latencies)


def summarize(measured: list[Rep], repetitions: int) -> Result:
    """The quietest ``repetitions`` of ``measured``: medians of their percentiles."""
    used = sorted(measured, key=lambda rep: rep[0])[:repetitions]
    reps = [samples for _, _, samples in used]

    def med(pick: Callable[[Samples], list[int]], q: float) -> float:
        return statistics.median(percentile(pick(rep), q) for rep in reps)

    return Result(
        med(lambda s: s.first, 50),
        med(lambda s: s.first, 99),
        med(lambda s: s.last, 50),
        med(lambda s: s.last, 99),
        med(lambda s: s.ack, 50),
        med(lambda s: s.ack, 99),
        sum(len(rep.first) for rep in reps),
        statistics.fmean(other for other, _, _ in used),
        statistics.fmean(steal for _, steal, _ in used),
        len(used),
        len(measured),
    )


def measure(
    servers: Sequence[Running],
    workload: str,
    readers: int,
    args: argparse.Namespace,
    out_of_time: Callable[[], bool],
    patience_until: float,
) -> dict[str, Result]:
    """One configuration on every server, in rounds: each round runs one repetition on
    each server in turn (the order rotates), so a burst of other work on the machine
    falls on all of them alike rather than on one.

    After a warm-up on each server, rounds go on until every server has
    ``args.repetitions`` quiet repetitions (other processes under ``args.quiet`` % of a
    core), or ``args.extra`` more rounds were spent; per server the quietest
    ``args.repetitions`` count. Waiting for quiet and extra rounds stop at
    ``patience_until`` (a ``time.monotonic`` time): a machine that stays busy costs no
    more than the run's schedule allows.
    """
    pids = [server.pid for server in servers]
    benches: dict[str, Bench] = {}
    measured: dict[str, list[Rep]] = {server.kind: [] for server in servers}
    try:
        for server in servers:
            benches[server.kind] = Bench(server.port, workload, readers, spin=not args.no_spin)
            benches[server.kind].run(args.warmup, args.rep_cap)
        for round_ in range(args.repetitions + args.extra):
            quiet = min(
                sum(other <= args.quiet for other, _, _ in reps) for reps in measured.values()
            )
            if quiet >= args.repetitions or (round_ and out_of_time()):
                break
            patience = patience_until - time.monotonic()
            if round_ >= args.repetitions and patience <= 0:
                break
            turn = round_ % len(servers)
            order = [*servers[turn:], *servers[:turn]]
            for server in order:
                benchlib.wait_quiet(pids, args.quiet, max_wait_s=min(1.0, max(patience, 0.0)))
                meter = benchlib.LoadMeter(pids)
                samples = benches[server.kind].run(args.samples, args.rep_cap)
                measured[server.kind].append((*meter.other_percent(), samples))
    finally:
        for bench in benches.values():
            bench.close()
    return {kind: summarize(reps, args.repetitions) for kind, reps in measured.items()}


@dataclass
class Run:
    pin: bool
    kinds: list[str]
    counts: list[int]
    versions: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    rtts: dict[str, int] = field(default_factory=dict)
    floors: dict[int, int] = field(default_factory=dict)
    results: dict[tuple[str, str, int], Result | None] = field(default_factory=dict)
    seconds: float = 0.0


def run(args: argparse.Namespace) -> Run:
    pin = pinning_possible() and not args.no_pin
    if pin:
        os.sched_setaffinity(0, {DRIVER_CPU})
    kinds = [k for k in args.servers.split(",") if k]
    for kind in kinds:
        if kind not in ALL_KINDS:
            raise SystemExit(f"unknown server {kind!r}; choose from {', '.join(ALL_KINDS)}")
    if "redis" in kinds and not os.path.exists(benchlib.REDIS_SERVER):
        kinds.remove("redis")
    if "valkey" in kinds and not os.path.exists(benchlib.VALKEY_SERVER):
        kinds.remove("valkey")
    result = Run(pin, kinds, [int(n) for n in args.readers.split(",")])
    began = time.monotonic()

    def out_of_time() -> bool:
        return time.monotonic() - began > args.budget

    # The schedule: each configuration's share of the budget grows with its readers
    # (1,000 readers cost about ten times 100); it bounds the patience for quiet.
    weights = {n: 1 + n / 100 for n in result.counts}
    share = 0.85 * args.budget / (len(WORKLOADS) * sum(weights.values()))
    done_weight = 0.0
    with contextlib.ExitStack() as stack:
        # Every server runs for the whole run (all on the server CPU; idle ones sleep).
        servers = [stack.enter_context(started(kind, pin)) for kind in kinds]
        for server in servers:
            result.versions[server.kind], result.notes[server.kind] = server.version, server.notes
            result.rtts[server.kind] = ping_rtt(server.port)
        # The driver's cost does not depend on the server.
        result.floors = {n: driver_floor(servers[0].port, n) for n in result.counts if n > 1}
        for workload in WORKLOADS:
            for n in result.counts:
                if out_of_time():
                    for kind in kinds:
                        result.results[(kind, workload, n)] = None
                    continue
                done_weight += weights[n]
                t0 = time.monotonic()
                # On schedule, or at least a quarter of its own share from now.
                patience_until = max(began + share * done_weight, t0 + share * weights[n] / 4)
                measured = measure(servers, workload, n, args, out_of_time, patience_until)
                for kind, one in measured.items():
                    result.results[(kind, workload, n)] = one
                    print(
                        f"{kind:10} {workload:10} N={n:<5} {_describe(one)}",
                        file=sys.stderr,
                        flush=True,
                    )
                print(f"({time.monotonic() - t0:.1f} s)", file=sys.stderr, flush=True)
    result.seconds = time.monotonic() - began
    return result


def _describe(r: Result) -> str:
    ns = benchlib.human_ns
    return (
        f"first {ns(r.first_p50)}/{ns(r.first_p99)}; all {ns(r.last_p50)}/{ns(r.last_p99)}; "
        f"ack {ns(r.ack_p50)}/{ns(r.ack_p99)}; {r.samples} samples; "
        f"other CPU {r.other_cpu:.0f}%, steal {r.steal:.0f}%; {r.used}/{r.measured} reps"
    )


# -- report --------------------------------------------------------------------------------------


def _fmt(ns: float | None) -> str:
    return benchlib.human_ns(ns) if ns is not None else "-"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "-"
    ratio = value / base
    return f"{ratio:.2f}×" if ratio < 0.1 else f"{ratio:.1f}×"


# (column title, Result attribute) per workload; p50 and p99 of each.
METRICS = {
    "XREAD": [("first", "first"), ("all", "last"), ("ack", "ack")],
    "XREADGROUP": [("served", "first"), ("ack", "ack")],
}
TITLES = {
    "XREAD": "### XREAD BLOCK 0 STREAMS s $ — every reader gets each entry",
    "XREADGROUP": "### XREADGROUP GROUP g c<i> COUNT 1 BLOCK 0 STREAMS s > — one of the "
    "consumers gets each entry",
}


def _latency_table(run: Run, workload: str) -> str:
    metrics = METRICS[workload]
    header = ["readers", "server"]
    for title, _ in metrics:
        header += [f"{title} p50", f"{title} p99"]
    header += ["samples", "other CPU"]
    rows = []
    for n in run.counts:
        for kind in run.kinds:
            r = run.results.get((kind, workload, n))
            row = [f"{n:,}", LABELS[kind]]
            for _, attr in metrics:
                row += [_fmt(getattr(r, f"{attr}_p50") if r else None)]
                row += [_fmt(getattr(r, f"{attr}_p99") if r else None)]
            if r:
                reps = f"{r.used}" + (f" of {r.measured}" if r.measured > r.used else "")
                row += [f"{r.samples} ({reps} reps)", f"{r.other_cpu:.0f}%"]
            else:
                row += ["skipped", "-"]
            rows.append(row)
    return benchlib.markdown_table(header, rows)


def _ratio_table(run: Run) -> str:
    """Every other server's figures divided by redis-server's, per workload and N."""
    header = ["workload", "readers", "server"]
    titles = [("first", "first"), ("all", "last"), ("ack", "ack")]
    for title, _ in titles:
        header += [f"{title} p50", f"{title} p99"]
    rows = []
    for workload in WORKLOADS:
        shown = {attr for _, attr in METRICS[workload]}
        for n in run.counts:
            base = run.results.get(("redis", workload, n))
            for kind in run.kinds:
                if kind == "redis":
                    continue
                r = run.results.get((kind, workload, n))
                row = [workload, f"{n:,}", LABELS[kind]]
                for _, attr in titles:
                    for q in ("p50", "p99"):
                        if attr not in shown:
                            row.append("")
                            continue
                        name = f"{attr}_{q}"
                        value = getattr(r, name) if r else None
                        row.append(_ratio(value, getattr(base, name) if base else None))
                rows.append(row)
    return benchlib.markdown_table(header, rows)


def report(run: Run, args: argparse.Namespace) -> str:
    kinds = run.kinds
    servers = [
        f"{LABELS[k]}: {run.versions[k]}"
        + (f" ({', '.join(run.notes[k])})" if run.notes[k] else "")
        for k in kinds
    ]
    pinning = "server on CPU 0, driver on CPU 1 (taskset)" if run.pin else "none"
    waiting = "sleeps in epoll_wait" if args.no_spin else "spins on epoll (timeout 0)"
    lines = [
        "## XADD to blocked reader: wake-up latency",
        "",
        benchlib.machine_info(),
        "- servers: " + "; ".join(servers),
        f"- pinning: {pinning}; the driver {waiting}",
        f"- per configuration: {args.warmup} warm-up XADDs, then {args.repetitions} "
        f"repetitions of up to {args.samples} XADDs (at most {args.rep_cap:g} s each); a "
        "figure is the median over repetitions of that repetition's percentile; `samples` = "
        "XADDs measured in the repetitions used",
        "- all servers run for the whole run, pinned together; a configuration is measured "
        "in rounds of one repetition per server in turn (the order rotates), so that "
        "bursts of other work on the machine fall on every server alike",
        "- the machine may be shared: each repetition starts after a quiet 100 ms (up to 1 s "
        "of waiting); rounds go on until every server has "
        f"{args.repetitions} repetitions during which other processes used at most "
        f"{args.quiet:g}% of a core (at most {args.extra} extra rounds, within the run's "
        f"time schedule), and the {args.repetitions} quietest count (`3 of 5 reps`: two "
        "were dropped)",
        "- latency: from just before the producer sends XADD to the moment a reader's "
        "complete reply has been read; the next XADD is sent only once the server reports "
        "every reader blocked again",
        "- `ack`: the producer has read the XADD's reply and that of a PING sent behind it "
        "in the same packet, i.e. the server has finished the XADD and every wake-up it "
        "caused",
        "- `other CPU`: CPU time used by processes other than the driver and the servers "
        "during the repetitions used, in % of one core (mean): a row measured while other "
        "work ran on the 2 cores is slower, its p99 most of all",
        f"- whole run: {run.seconds:.0f} s",
        "",
        "PING round trip on one connection (median): "
        + ", ".join(f"{LABELS[k]} {_fmt(run.rtts[k])}" for k in kinds)
        + ". Driver floor, what this driver needs to drain N replies already waiting in "
        "its sockets (`all` − `first` cannot be much below it; a server whose replies "
        "leave faster is measured at the driver's pace): "
        + ", ".join(
            f"N={n:,} {_fmt(floor)} ({_fmt(floor / n)} a reply)" for n, floor in run.floors.items()
        )
        + ".",
        "",
        TITLES["XREAD"],
        "",
        "`first`: the first reply read after an XADD; `all`: the last one (every reader served).",
        "",
        _latency_table(run, "XREAD"),
        "",
        TITLES["XREADGROUP"],
        "",
        "`served`: the one consumer that gets the entry.",
        "",
        _latency_table(run, "XREADGROUP"),
        "",
    ]
    if "redis" in kinds:
        lines += [
            "### Ratios to redis-server (p50 ÷ p50, p99 ÷ p99; below 1 is faster)",
            "",
            "For XREADGROUP the `first` column is the consumer served.",
            "",
            _ratio_table(run),
            "",
        ]
    return "\n".join(lines)


_HEADER = """# Blocking read benchmarks

Produced by `benchmarks/blocking_latency.py` (run on demand with `--write`; never
part of the test suite). The section states the machine and the date it was
measured on.
"""


def write_results(body: str) -> None:
    benchlib.write_section("blocking_latency", body, RESULTS, _HEADER)


FULL: dict[str, object] = {"readers": "1,100,1000", "samples": 300, "budget": 240.0}
QUICK: dict[str, object] = {"readers": "1,100", "samples": 100, "budget": 60.0}


def figures_of(run: Run, args: argparse.Namespace) -> dict[str, object]:
    """The latencies (ns) of every configuration measured, for chart.py."""
    rows = [
        {"server": kind, "workload": workload, "readers": readers, **dataclasses.asdict(result)}
        for (kind, workload, readers), result in run.results.items()
        if result is not None
    ]
    return {
        "mode": "quick" if args.quick else "full",
        "servers": run.versions,
        "labels": {kind: LABELS[kind] for kind in run.kinds},
        "results": rows,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer readers and XADDs")
    parser.add_argument("--readers", help="blocked readers per config (default 1,100,1000)")
    parser.add_argument("--samples", type=int, help="XADDs per repetition (default 300)")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=50, help="XADDs before measuring")
    parser.add_argument("--rep-cap", type=float, default=5.0, help="seconds at most per repetition")
    parser.add_argument(
        "--quiet", type=float, default=15.0, help="%% of a core others may use in a quiet rep"
    )
    parser.add_argument("--extra", type=int, default=2, help="repetitions to replace noisy ones")
    parser.add_argument("--servers", default=",".join(ALL_KINDS))
    parser.add_argument("--budget", type=float, help="seconds for the whole run (default 240)")
    parser.add_argument("--no-spin", action="store_true", help="sleep in epoll_wait")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPUs")
    parser.add_argument("--write", action="store_true", help="store in RESULTS-blocking.md")
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    result = run(args)
    body = report(result, args)
    print(body)
    if args.write:
        write_results(body)
        saved = figures.save("blocking_latency", figures_of(result, args))
        print(f"written to {RESULTS} and {saved}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
