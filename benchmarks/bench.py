"""Throughput of minivalkey-server next to redis-server (and valkey-server) and a
do-nothing Python server.

Usage: ``python benchmarks/bench.py [--quick] [--reference-server PATH] [--no-valkey]
[--no-pin] [--repetitions 3] [--only NAME-PART] [--write]``

Load comes from ``redis-benchmark`` (Debian's redis-tools). Three or four servers are
measured side by side (all started first, stopped at the end):

* ``minivalkey-server`` from the project's .venv (uvloop and hiredis);
* the reference: redis-server from ``MINIVALKEY_BENCH_REDIS`` or PATH by default
  (``--reference-server`` for another binary, e.g. a valkey-server build);
* valkey-server from ``MINIVALKEY_BENCH_VALKEY`` or PATH, when there is one (not with
  ``--no-valkey``), as a second reference;
* ``benchmarks/null_server.py``: uvloop + hiredis parsing and constant replies, the rate
  no Python server can exceed on this machine.

Workloads (50 clients each): PING; XADD with one field; XADD pipelined 32 deep; XADD with
10 fields; XRANGE and XREVRANGE with COUNT 10 on a 100,000-entry stream (loaded once
per server with pipelined XADD), unpipelined and pipelined 32 deep. Then the data
types, each unpipelined and pipelined 32 deep: HSET of random fields (``-r 100000``:
the hash grows towards 100,000 fields) and HGET of random fields of a 100,000-field
hash; LPUSH of random elements and LPOP of a list filled before each run with as
many elements as the run pops; SADD of random members; ZADD of random members with
random scores; ZRANGE 0 9 of a 100,000-member sorted set. Then EVALSHA of a small Lua
script (an INCR of its first key, then an XADD to its second key of its two arguments
and the counter), unpipelined and pipelined 32 deep; the script is loaded once per
server with SCRIPT LOAD and named by its SHA1. The keys a run writes are deleted
before it (so every run of a workload starts alike); the read workloads' data sets
are loaded once per server, by pipelined commands. A workload whose commands
minivalkey does not have yet is left out (the report names it). The null server
answers XRANGE, EVALSHA and every data-type command with an empty array, so for
those it bounds only the request side.

Method: with two CPUs or more the servers run on CPU 0 and redis-benchmark on CPU 1
(``taskset``). All the servers run for the whole run (the idle ones wait in their
event loops). Per workload each server first runs a warm-up whose rate sizes its
measured runs (about ``--seconds`` each, so slow and fast servers take similar time);
then come rounds of one measured run per server in turn, the order rotating, each
after a quiet 100 ms, so that bursts of other work on the machine fall on every
server alike. Up to two extra rounds replace runs during which other processes used
more than 15% of a core; the ``--repetitions`` quietest runs count and a figure is
their median. Besides requests/s, each run records the CPU time the server used per
request and the CPU use of the server and of redis-benchmark: a load generator near
100% with the server well below it means the client set the pace. ``--quick`` (under
two minutes) shortens the runs; the full mode stays under ten. Every server started
is stopped, also on errors or Ctrl-C. ``--write`` stores the tables in
benchmarks/RESULTS.md (section ``bench``) and the figures in
benchmarks/results/bench.json (for ``chart.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import benchlib
import figures

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
VENV_BIN = benchlib.ROOT / ".venv" / "bin"
MINIVALKEY_SERVER = str(VENV_BIN / "minivalkey-server")
VENV_PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
NULL_SERVER = str(HERE / "null_server.py")
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "redis-benchmark"
SERVER_CPU, LOAD_CPU = 0, 1
CLIENTS = 50
STREAM_ENTRIES = 100_000
RANGE_KEY = b"bench:range"
XADD_KEY = "bench:xadd"
RUN_TIMEOUT_S = 120  # one redis-benchmark run; far above any sized run
KINDS = ("minivalkey", "reference", "valkey", "null")  # valkey only when there is one
QUIET_PERCENT = 15.0  # a measured run starts once others use at most this much of a core ...
QUIET_WAIT_S = 1.0  # ... or after this long
EXTRA_ROUNDS = 2  # rounds beyond --repetitions while a server lacks quiet runs

HEADER = """# Benchmarks

Throughput measured with `redis-benchmark` by `benchmarks/bench.py` (run on demand with
`make bench`, or `benchmarks/bench.py --write`; never part of the test suite). Each
section states the machine, date and versions it was measured with.
"""


@dataclass(frozen=True)
class Workload:
    name: str
    argv: tuple[str, ...]
    pipeline: int = 1
    data: str = ""  # the data set it reads (DATA_SETS), loaded once per server
    writes: tuple[str, ...] = (XADD_KEY,)  # keys deleted before each run
    random: int = 0  # redis-benchmark's -r: __rand_int__ draws from [0, random)
    refill: str = ""  # a list filled before each run with an element per request
    script: str = ""  # a Lua script loaded once per server (SCRIPT LOAD); argv names its SHA1

    def commands(self) -> set[str]:
        """Every command the workload sends, its set-up included."""
        needed = {self.argv[0]}
        if self.data:
            needed.add(DATA_SETS[self.data].command)
        if self.refill:
            needed.add("RPUSH")
        if self.script:
            needed.add("SCRIPT")
        return needed


@dataclass(frozen=True)
class DataSet:
    key: bytes
    command: str  # the command that loads it
    size: int
    describe: str

    def load_commands(self) -> Iterator[list[bytes]]:
        """The commands building it: an XADD per entry, else LOAD_BATCH elements a command."""
        if self.command == "XADD":
            yield from (benchlib.xadd(self.key, i) for i in range(1, self.size + 1))
            return
        for start in range(0, self.size, LOAD_BATCH):
            args = [self.command.encode(), self.key]
            for i in range(start, min(start + LOAD_BATCH, self.size)):
                if self.command == "HSET":
                    args += [b"field:%012d" % i, b"value:%d" % i]
                else:  # ZADD
                    args += [b"%d" % i, b"member:%012d" % i]
            yield args


LOAD_BATCH = 100  # elements per command when loading a data set other than the stream
RANDOM = 100_000  # the -r of the data-type workloads, and the size of the sets they read
DATA_SETS = {
    "stream": DataSet(RANGE_KEY, "XADD", STREAM_ENTRIES, f"{STREAM_ENTRIES:,} entries of 2 fields"),
    "hash": DataSet(
        b"bench:hget", "HSET", RANDOM, f"{RANDOM:,} fields `field:<12 digits>`, values `value:<n>`"
    ),
    "zset": DataSet(
        b"bench:zrange", "ZADD", RANDOM, f"{RANDOM:,} members `member:<12 digits>`, scores 0.."
    ),
}


def _pair(
    name: str,
    argv: tuple[str, ...],
    data: str = "",
    writes: tuple[str, ...] = (),
    random: int = 0,
    refill: str = "",
    script: str = "",
) -> tuple[Workload, Workload]:
    """A workload unpipelined and pipelined 32 deep."""
    return (
        Workload(name, argv, 1, data, writes, random, refill, script),
        Workload(f"{name}, pipeline 32", argv, 32, data, writes, random, refill, script),
    )


TEN_FIELDS = tuple(x for i in range(10) for x in (f"f{i}", f"value-{i}"))
RANGE = RANGE_KEY.decode()
# EVALSHA's script: a counter and a stream entry carrying it, both keys and the field and
# value from the caller.
EVAL_SCRIPT = (
    "local n = redis.call('INCR', KEYS[1]) "
    "return redis.call('XADD', KEYS[2], '*', ARGV[1], ARGV[2], 'n', n)"
)
EVAL_SHA = hashlib.sha1(EVAL_SCRIPT.encode()).hexdigest()
EVAL_KEYS = ("bench:evalsha:counter", "bench:evalsha:stream")
WORKLOADS = (
    Workload("PING", ("PING",)),
    Workload("XADD 1 field", ("XADD", XADD_KEY, "*", "f", "v")),
    Workload("XADD 1 field, pipeline 32", ("XADD", XADD_KEY, "*", "f", "v"), 32),
    Workload("XADD 10 fields", ("XADD", XADD_KEY, "*", *TEN_FIELDS)),
    *_pair("XRANGE COUNT 10", ("XRANGE", RANGE, "-", "+", "COUNT", "10"), data="stream"),
    *_pair("XREVRANGE COUNT 10", ("XREVRANGE", RANGE, "+", "-", "COUNT", "10"), data="stream"),
    *_pair(
        "HSET",
        ("HSET", "bench:hset", "field:__rand_int__", "value:__rand_int__"),
        writes=("bench:hset",),
        random=RANDOM,
    ),
    *_pair("HGET", ("HGET", "bench:hget", "field:__rand_int__"), data="hash", random=RANDOM),
    *_pair(
        "LPUSH",
        ("LPUSH", "bench:lpush", "element:__rand_int__"),
        writes=("bench:lpush",),
        random=RANDOM,
    ),
    *_pair("LPOP", ("LPOP", "bench:lpop"), refill="bench:lpop"),
    *_pair(
        "SADD", ("SADD", "bench:sadd", "member:__rand_int__"), writes=("bench:sadd",), random=RANDOM
    ),
    *_pair(
        "ZADD",
        ("ZADD", "bench:zadd", "__rand_int__", "member:__rand_int__"),
        writes=("bench:zadd",),
        random=RANDOM,
    ),
    *_pair("ZRANGE 0 9", ("ZRANGE", "bench:zrange", "0", "9"), data="zset"),
    *_pair(
        "EVALSHA INCR + XADD",
        ("EVALSHA", EVAL_SHA, "2", *EVAL_KEYS, "f", "v"),
        writes=EVAL_KEYS,
        script=EVAL_SCRIPT,
    ),
)


def selected(only: str) -> list[Workload]:
    return [workload for workload in WORKLOADS if only in workload.name]


# -- servers -------------------------------------------------------------------------------------


@dataclass
class Running:
    kind: str
    label: str
    version: str
    port: int
    pid: int


def pinning_possible() -> bool:
    return (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None


def _command(kind: str, port: int, scratch: str, reference: str) -> list[str]:
    if kind == "minivalkey":
        return [MINIVALKEY_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    if kind == "null":
        return [VENV_PYTHON, NULL_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    options = ["--save", "", "--appendonly", "no", "--dir", scratch]
    return [reference, "--port", str(port), "--bind", "127.0.0.1", *options]


def _version(kind: str, port: int, pid: int, reference: str) -> str:
    if kind == "null":
        import hiredis
        import uvloop

        libs = f"uvloop {uvloop.__version__}, hiredis {hiredis.__version__}"
        return f"benchmarks/null_server.py ({libs})"
    version = benchlib.reported_version(port)
    if kind == "minivalkey":
        from minivalkey import __version__

        maps = Path(f"/proc/{pid}/maps").read_text()
        libs = " + ".join(n for n in ("uvloop", "hiredis") if n in maps) or "no uvloop/hiredis"
        return f"minivalkey {__version__} (speaks Valkey {version}; {libs})"
    return f"{Path(reference).name} {version}"


LABELS = {"minivalkey": "minivalkey-server", "null": "null server"}


def kinds(args: argparse.Namespace) -> list[str]:
    """The servers of this run: valkey-server when one was found and is not the reference."""
    valkey = benchlib.VALKEY_SERVER
    with_valkey = bool(valkey) and os.path.exists(valkey) and not args.no_valkey
    if with_valkey and os.path.realpath(valkey) == os.path.realpath(args.reference_server):
        with_valkey = False
    return [kind for kind in KINDS if kind != "valkey" or with_valkey]


def binary_of(kind: str, args: argparse.Namespace) -> str:
    return benchlib.VALKEY_SERVER if kind == "valkey" else args.reference_server


@contextlib.contextmanager
def started(kind: str, reference: str, pin: bool) -> Iterator[Running]:
    """Start a server on a free loopback port (pinned to SERVER_CPU); stop it after.
    ``reference``: the binary of a reference kind."""
    port = benchlib.free_port()
    with tempfile.TemporaryDirectory() as scratch:
        command = _command(kind, port, scratch, reference)
        if pin:
            command = ["taskset", "-c", str(SERVER_CPU), *command]  # taskset execs: same pid
        process = subprocess.Popen(
            command,
            cwd=scratch,
            env=benchlib.environment_for_subprocess(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            benchlib.wait_ready(port, process)
            label = LABELS.get(kind, Path(reference).name)
            version = _version(kind, port, process.pid, reference)
            yield Running(kind, label, version, port, process.pid)
        finally:
            benchlib.stop(process)


# -- load ----------------------------------------------------------------------------------------


def redis_benchmark(port: int, workload: Workload, requests: int, pin: bool) -> float:
    """One redis-benchmark run; its requests/s."""
    command = [REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port), "-c", str(CLIENTS)]
    command += ["-n", str(requests), "-P", str(workload.pipeline), "--csv"]
    if workload.random:
        command += ["-r", str(workload.random)]
    command += workload.argv
    if pin:
        command = ["taskset", "-c", str(LOAD_CPU), *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    rows = [row for row in csv.reader(io.StringIO(done.stdout)) if row and row[0] != "test"]
    if done.returncode != 0 or len(rows) != 1:
        raise RuntimeError(f"redis-benchmark failed ({done.returncode}): {done.stderr.strip()}")
    return float(rows[0][1])


def load(port: int, data: DataSet) -> None:
    """A data set (DATA_SETS), by pipelined commands."""
    client = benchlib.Client(port)
    try:
        client.call("DEL", data.key)
        depth = 1000 if data.command == "XADD" else 1000 // LOAD_BATCH
        errors = client.pipeline(data.load_commands(), depth)
        if errors:
            raise RuntimeError(f"{errors} {data.command}s failed while loading {data.key!r}")
    finally:
        client.close()


def load_script(server: Running, body: str) -> None:
    """SCRIPT LOAD ``body``; a real server must answer its SHA1 (the null server answers
    an empty array, and its EVALSHA too)."""
    client = benchlib.Client(server.port)
    try:
        sha = client.call("SCRIPT", "LOAD", body)
    finally:
        client.close()
    expected = hashlib.sha1(body.encode()).hexdigest().encode()
    if server.kind != "null" and sha != expected:
        raise RuntimeError(f"SCRIPT LOAD on {server.label} answered {sha!r}, not {expected!r}")


def missing_commands(port: int, names: set[str]) -> set[str]:
    """The commands of ``names`` the server on ``port`` does not know (COMMAND INFO)."""
    client = benchlib.Client(port)
    try:
        infos = client.call("COMMAND", "INFO", *sorted(names))
    finally:
        client.close()
    assert isinstance(infos, list)
    return {name for name, info in zip(sorted(names), infos, strict=True) if info is None}


def prepare(port: int, workload: Workload, requests: int) -> None:
    """Before a run: delete the keys the workload writes; fill the list it pops with an
    element per request (and the most the clients can send beyond ``requests``)."""
    client = benchlib.Client(port)
    try:
        for key in workload.writes:
            client.call("DEL", key)
        if workload.refill:
            target = workload.refill.encode()
            client.call("DEL", target)
            count = requests + CLIENTS * workload.pipeline
            batches = (
                [b"RPUSH", target, *(b"element:%012d" % i for i in range(n, min(n + 1000, count)))]
                for n in range(0, count, 1000)
            )
            if client.pipeline(batches, depth=10):
                raise RuntimeError(f"RPUSH failed while filling {target!r}")
    finally:
        client.close()


@dataclass
class Settings:
    repetitions: int
    seconds: float  # target length of a measured run
    warmup: int  # requests of the warm-up run (times the pipeline depth)
    pin: bool


@dataclass
class Sample:
    """One measured run of one workload on one server."""

    rate: float  # requests/s, as redis-benchmark reports it
    server_us: float  # server CPU time per request, µs
    server_cpu: float  # server CPU use, % of one core
    load_cpu: float  # redis-benchmark's CPU use, % of one core
    other_cpu: float  # CPU of every other process, % of one core


@dataclass
class Figures:
    """Medians over the runs that count (``others``: their mean)."""

    rate: float
    server_us: float
    server_cpu: float
    load_cpu: float
    other_cpu: float
    runs: int  # runs that count
    measured: int  # runs measured (the noisiest beyond ``runs`` are dropped)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(
    server: Running, workload: Workload, requests: int, pin: bool, pids: Sequence[int]
) -> Sample:
    """One measured redis-benchmark run, with the CPU every party used during it."""
    prepare(server.port, workload, requests)
    machine = benchlib.LoadMeter(pids)
    server_ticks = benchlib.process_ticks(server.pid)
    load_s = _children_cpu_s()
    started = time.perf_counter()
    rate = redis_benchmark(server.port, workload, requests, pin)
    elapsed = time.perf_counter() - started
    server_s = (benchlib.process_ticks(server.pid) - server_ticks) / benchlib.CLOCK_TICKS
    load_s = _children_cpu_s() - load_s
    return Sample(
        rate,
        1e6 * server_s / requests,
        100 * server_s / elapsed,
        100 * load_s / elapsed,
        machine.other_percent()[0],
    )


def _other_cpu(sample: Sample) -> float:
    return sample.other_cpu


def summarize(samples: Sequence[Sample], repetitions: int) -> Figures:
    kept = benchlib.quietest(samples, repetitions, _other_cpu)
    rate, server_us, server_cpu, load_cpu = benchlib.medians(
        kept, "rate", "server_us", "server_cpu", "load_cpu"
    )
    other_cpu = statistics.fmean(sample.other_cpu for sample in kept)
    return Figures(rate, server_us, server_cpu, load_cpu, other_cpu, len(kept), len(samples))


def measure(
    servers: Sequence[Running], workload: Workload, settings: Settings
) -> dict[str, Figures]:
    """Warm up each server (its rate sizes its runs), then the interleaved rounds."""
    pids = [server.pid for server in servers]
    sizes = []
    for server in servers:
        warmup = settings.warmup * workload.pipeline
        prepare(server.port, workload, warmup)
        warm_rate = redis_benchmark(server.port, workload, warmup, settings.pin)
        sizes.append(max(int(warm_rate * settings.seconds), CLIENTS * workload.pipeline * 20))
    samples = benchlib.interleaved_rounds(
        len(servers),
        settings.repetitions,
        EXTRA_ROUNDS,
        pids,
        lambda k: timed_run(servers[k], workload, sizes[k], settings.pin, pids),
        _other_cpu,
        QUIET_PERCENT,
        QUIET_WAIT_S,
    )
    return {
        server.kind: summarize(got, settings.repetitions)
        for server, got in zip(servers, samples, strict=True)
    }


@dataclass
class Run:
    results: dict[str, dict[str, Figures]]  # workload -> server kind -> figures, in order
    servers: list[Running]
    elapsed: float  # seconds
    skipped: dict[str, set[str]]  # workload -> the commands minivalkey lacks


def run(args: argparse.Namespace) -> Run:
    settings = Settings(
        repetitions=args.repetitions,
        seconds=0.4 if args.quick else 2.0,
        warmup=3_000 if args.quick else 10_000,
        pin=pinning_possible() and not args.no_pin,
    )
    results: dict[str, dict[str, Figures]] = {}
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(started(kind, binary_of(kind, args), settings.pin))
            for kind in kinds(args)
        ]
        by_kind = {server.kind: server for server in servers}
        lacking = missing_commands(
            by_kind["minivalkey"].port, set().union(*(w.commands() for w in WORKLOADS))
        )
        skipped = {w.name: w.commands() & lacking for w in selected(args.only)}
        workloads = [w for w in selected(args.only) if not skipped[w.name]]
        skipped = {name: lacks for name, lacks in skipped.items() if lacks}
        for name, lacks in skipped.items():
            print(
                f"  {name}: left out, minivalkey lacks {', '.join(sorted(lacks))}", file=sys.stderr
            )
        data_sets = sorted({w.data for w in workloads if w.data})
        scripts = sorted({w.script for w in workloads if w.script})
        for server in servers:
            print(f"# {server.version} on port {server.port}", file=sys.stderr)
            for name in data_sets:
                t0 = time.monotonic()
                load(server.port, DATA_SETS[name])
                print(f"  loaded {name} in {time.monotonic() - t0:.1f} s", file=sys.stderr)
            for body in scripts:
                load_script(server, body)
        for workload in workloads:
            results[workload.name] = measure(servers, workload, settings)
            for kind, got in results[workload.name].items():
                print(
                    f"  {workload.name} on {kind}: {got.rate:,.0f} req/s, "
                    f"{got.server_us:.2f} µs server CPU a request, server {got.server_cpu:.0f}%,"
                    f" load {got.load_cpu:.0f}%, others {got.other_cpu:.0f}%",
                    file=sys.stderr,
                )
    return Run(results, servers, time.monotonic() - began, skipped)


# -- report --------------------------------------------------------------------------------------


def _benchmark_version() -> str:
    done = subprocess.run(
        [REDIS_BENCHMARK, "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip().split(" sha=")[0] or "unknown"


def report(got: Run, args: argparse.Namespace) -> str:
    results, servers = got.results, got.servers
    refs = [s for s in servers if s.kind not in ("minivalkey", "null")]
    pinned = pinning_possible() and not args.no_pin
    header = ["workload", "minivalkey-server req/s"]
    header += [f"{s.label} req/s" for s in refs] + ["null server req/s"]
    header += [f"minivalkey / {s.label}" for s in refs] + ["minivalkey / null"]
    rows = []
    for name, figures_of in results.items():
        mini = figures_of["minivalkey"].rate
        others = [figures_of[s.kind].rate for s in refs] + [figures_of["null"].rate]
        rows.append(
            [name, f"{mini:,.0f}"]
            + [f"{rate:,.0f}" for rate in others]
            + [f"{mini / rate:.2f}" for rate in others]
        )
    cpu_rows = []
    for name, figures_of in results.items():
        for server in servers:
            f = figures_of[server.kind]
            counted = f"{f.runs}" if f.runs == f.measured else f"{f.runs} of {f.measured}"
            cpu_rows.append(
                [
                    name,
                    server.label,
                    f"{f.rate:,.0f}",
                    f"{f.server_us:.2f} µs",
                    f"{f.server_cpu:.0f}%",
                    f"{f.load_cpu:.0f}%",
                    f"{f.other_cpu:.0f}%",
                    counted,
                ]
            )
    measured = [w for w in WORKLOADS if w.name in results]
    data_sets = [
        f"{n}: {d.describe}" for n, d in DATA_SETS.items() if any(w.data == n for w in measured)
    ]
    randoms = sorted({w.random for w in measured if w.random})
    notes = []
    if data_sets:
        notes.append(
            "- data the read workloads read (loaded once per server): "
            f"{'; '.join(data_sets)}; the null server answers every read with an empty array"
        )
    if randoms:
        draws = ", ".join(f"{r:,}" for r in randoms)
        notes.append(f"- `__rand_int__`: 12 digits redis-benchmark draws from [0, {draws}) (`-r`)")
    if any(w.writes for w in measured):
        notes.append("- the keys a run writes are deleted before it: every run starts alike")
    if any(w.refill for w in measured):
        notes.append("- LPOP's list is filled before each run with an element per request")
    for body in sorted({w.script for w in measured if w.script}):
        notes.append(
            f"- EVALSHA's script, loaded once per server with SCRIPT LOAD: `{body}` "
            f"(KEYS: `{'`, `'.join(EVAL_KEYS)}`; ARGV: `f`, `v`); the null server answers "
            "EVALSHA with an empty array"
        )
    if got.skipped:
        lacking = ", ".join(sorted(set().union(*got.skipped.values())))
        left_out = ", ".join(got.skipped)
        notes.append(f"- left out: {left_out} (minivalkey lacks {lacking} in this build)")
    mode = "quick" if args.quick else "full"
    pinning = (
        f"servers pinned to CPU {SERVER_CPU}, load to CPU {LOAD_CPU}"
        if pinned
        else "no CPU pinning"
    )
    lines = [
        f"## Throughput (redis-benchmark, {mode} mode)",
        "",
        benchlib.machine_info(),
        f"- load: {_benchmark_version()}, {CLIENTS} clients; {pinning}",
        f"- all servers run throughout; per workload, rounds of one run per server in turn "
        f"(the order rotates), each after a quiet 100 ms; up to {EXTRA_ROUNDS} extra rounds "
        f"replace runs during which other processes used more than {QUIET_PERCENT:g}% of a "
        f"core; the {args.repetitions} quietest runs count (`3 of 5`), a figure is their "
        f"median; run time {got.elapsed:.0f} s",
        *(f"- {s.label}: {s.version}" for s in servers),
        *notes,
        "- unpipelined, redis-benchmark (one thread, on one CPU) is itself a limit: rates close "
        "to the null server's show the client's ceiling rather than the server's",
        "",
        benchlib.markdown_table(header, rows),
        "",
        "CPU during the measured runs (medians; `others`: mean CPU of all other processes). "
        "`server CPU a request` is the server's CPU time (user + system, so the kernel's "
        "share of each socket read and write included) divided by the requests: the cost "
        "of a request to the server, whoever set the pace. A load generator near 100% with "
        "the server below it means redis-benchmark set the pace.",
        "",
        benchlib.markdown_table(
            [
                "workload",
                "server",
                "req/s",
                "server CPU a request",
                "server CPU",
                "redis-benchmark CPU",
                "others",
                "runs",
            ],
            cpu_rows,
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under two minutes)")
    parser.add_argument("--reference-server", default=benchlib.REDIS_SERVER)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to CPUs")
    parser.add_argument("--no-valkey", action="store_true", help="leave valkey-server out")
    parser.add_argument("--write", action="store_true", help="store in benchmarks/RESULTS.md")
    parser.add_argument(
        "--only", default="", help="only the workloads whose name contains this (not with --write)"
    )
    args = parser.parse_args(argv)
    if args.only and args.write:
        parser.error("--only measures a part: it cannot replace the stored tables")
    if not os.access(args.reference_server, os.X_OK):
        parser.error(f"no executable reference server at {args.reference_server}")
    if shutil.which(REDIS_BENCHMARK) is None:
        parser.error("redis-benchmark is not on PATH (Debian: apt-get install redis-tools)")
    got = run(args)
    results, servers = got.results, got.servers
    body = report(got, args)
    print(body)
    if args.write:
        benchlib.write_section("bench", body, RESULTS, HEADER)
        saved = figures.save(
            "bench",
            {
                "mode": "quick" if args.quick else "full",
                "servers": {s.kind: s.version for s in servers},
                "labels": {s.kind: s.label for s in servers},
                # workload -> server kind -> requests/s, and server CPU µs a request
                "rates": {w: {k: f.rate for k, f in got.items()} for w, got in results.items()},
                "server_us": {
                    w: {k: f.server_us for k, f in got.items()} for w, got in results.items()
                },
            },
        )
        print(f"written to {RESULTS} and {saved}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
