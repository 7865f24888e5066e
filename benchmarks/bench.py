"""Throughput of minivalkey-server next to redis-server and a do-nothing Python server.

Usage: ``python benchmarks/bench.py [--quick] [--reference-server PATH] [--no-pin]
[--repetitions 3] [--only NAME-PART] [--write]``

Load comes from ``redis-benchmark`` (Debian's redis-tools). Three servers are measured
side by side (all started first, stopped at the end):

* ``minivalkey-server`` from the project's .venv (uvloop and hiredis);
* the reference: redis-server from ``MINIVALKEY_BENCH_REDIS`` or PATH by default
  (``--reference-server`` for another binary, e.g. a valkey-server build);
* ``benchmarks/null_server.py``: uvloop + hiredis parsing and constant replies, the rate
  no Python server can exceed on this machine.

Workloads (50 clients each): PING; XADD with one field; XADD pipelined 32 deep; XADD with
10 fields; XRANGE and XREVRANGE with COUNT 10 on a 100,000-entry stream (loaded once
per server with pipelined XADD), unpipelined and pipelined 32 deep. The null server
answers XRANGE with an empty array, so for the range workloads it bounds only the
request side.

Method: with two CPUs or more the servers run on CPU 0 and redis-benchmark on CPU 1
(``taskset``). All three servers run for the whole run (the idle ones wait in their
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
KINDS = ("minivalkey", "reference", "null")
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
    needs_stream: bool = False


TEN_FIELDS = tuple(x for i in range(10) for x in (f"f{i}", f"value-{i}"))
WORKLOADS = (
    Workload("PING", ("PING",)),
    Workload("XADD 1 field", ("XADD", XADD_KEY, "*", "f", "v")),
    Workload("XADD 1 field, pipeline 32", ("XADD", XADD_KEY, "*", "f", "v"), 32),
    Workload("XADD 10 fields", ("XADD", XADD_KEY, "*", *TEN_FIELDS)),
    Workload("XRANGE COUNT 10", ("XRANGE", RANGE_KEY.decode(), "-", "+", "COUNT", "10"), 1, True),
    Workload(
        "XRANGE COUNT 10, pipeline 32",
        ("XRANGE", RANGE_KEY.decode(), "-", "+", "COUNT", "10"),
        32,
        True,
    ),
    Workload(
        "XREVRANGE COUNT 10", ("XREVRANGE", RANGE_KEY.decode(), "+", "-", "COUNT", "10"), 1, True
    ),
    Workload(
        "XREVRANGE COUNT 10, pipeline 32",
        ("XREVRANGE", RANGE_KEY.decode(), "+", "-", "COUNT", "10"),
        32,
        True,
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


@contextlib.contextmanager
def started(kind: str, reference: str, pin: bool) -> Iterator[Running]:
    """Start a server on a free loopback port (pinned to SERVER_CPU); stop it after."""
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
    command += ["-n", str(requests), "-P", str(workload.pipeline), "--csv", *workload.argv]
    if pin:
        command = ["taskset", "-c", str(LOAD_CPU), *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    rows = [row for row in csv.reader(io.StringIO(done.stdout)) if row and row[0] != "test"]
    if done.returncode != 0 or len(rows) != 1:
        raise RuntimeError(f"redis-benchmark failed ({done.returncode}): {done.stderr.strip()}")
    return float(rows[0][1])


def load_stream(port: int) -> None:
    """STREAM_ENTRIES entries of two fields in RANGE_KEY, by pipelined XADD."""
    client = benchlib.Client(port)
    try:
        client.call("DEL", RANGE_KEY)
        errors = client.pipeline(
            (benchlib.xadd(RANGE_KEY, i) for i in range(1, STREAM_ENTRIES + 1)), depth=1000
        )
        if errors:
            raise RuntimeError(f"{errors} XADDs failed while loading the stream")
    finally:
        client.close()


def reset_xadd_key(port: int) -> None:
    client = benchlib.Client(port)
    try:
        client.call("DEL", XADD_KEY)
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
    if not workload.needs_stream:
        reset_xadd_key(server.port)
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
        if not workload.needs_stream:
            reset_xadd_key(server.port)
        warm_rate = redis_benchmark(
            server.port, workload, settings.warmup * workload.pipeline, settings.pin
        )
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


def run(args: argparse.Namespace) -> tuple[dict[str, dict[str, Figures]], list[Running], float]:
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
            stack.enter_context(started(kind, args.reference_server, settings.pin))
            for kind in KINDS
        ]
        for server in servers:
            print(f"# {server.version} on port {server.port}", file=sys.stderr)
            t0 = time.monotonic()
            load_stream(server.port)
            print(f"  loaded stream in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        for workload in selected(args.only):
            results[workload.name] = measure(servers, workload, settings)
            for kind, got in results[workload.name].items():
                print(
                    f"  {workload.name} on {kind}: {got.rate:,.0f} req/s, "
                    f"{got.server_us:.2f} µs server CPU a request, server {got.server_cpu:.0f}%,"
                    f" load {got.load_cpu:.0f}%, others {got.other_cpu:.0f}%",
                    file=sys.stderr,
                )
    return results, servers, time.monotonic() - began


# -- report --------------------------------------------------------------------------------------


def _benchmark_version() -> str:
    done = subprocess.run(
        [REDIS_BENCHMARK, "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip().split(" sha=")[0] or "unknown"


def report(
    results: dict[str, dict[str, Figures]],
    servers: Sequence[Running],
    elapsed: float,
    args: argparse.Namespace,
) -> str:
    by_kind = {s.kind: s for s in servers}
    ref_label = by_kind["reference"].label
    pinned = pinning_possible() and not args.no_pin
    header = [
        "workload",
        "minivalkey-server req/s",
        f"{ref_label} req/s",
        "null server req/s",
        f"minivalkey / {ref_label}",
        "minivalkey / null",
    ]
    rows = []
    for workload in selected(args.only):
        got = results[workload.name]
        mini, ref, null = (got[kind].rate for kind in KINDS)
        rows.append(
            [
                workload.name,
                f"{mini:,.0f}",
                f"{ref:,.0f}",
                f"{null:,.0f}",
                f"{mini / ref:.2f}",
                f"{mini / null:.2f}",
            ]
        )
    cpu_rows = []
    for workload in selected(args.only):
        for server in servers:
            f = results[workload.name][server.kind]
            counted = f"{f.runs}" if f.runs == f.measured else f"{f.runs} of {f.measured}"
            cpu_rows.append(
                [
                    workload.name,
                    server.label,
                    f"{f.rate:,.0f}",
                    f"{f.server_us:.2f} µs",
                    f"{f.server_cpu:.0f}%",
                    f"{f.load_cpu:.0f}%",
                    f"{f.other_cpu:.0f}%",
                    counted,
                ]
            )
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
        f"median; run time {elapsed:.0f} s",
        *(f"- {s.label}: {s.version}" for s in servers),
        f"- stream for the range workloads: {STREAM_ENTRIES:,} entries of 2 fields; "
        "the null server answers every range with an empty array",
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
    results, servers, elapsed = run(args)
    body = report(results, servers, elapsed, args)
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
