"""Shared pieces of the stream benchmarks: servers, a pipelined client, machine facts.

Run on demand only (nothing under tests/ imports this). Every server started here
listens on 127.0.0.1 on a free port, keeps no data on disk, and is stopped by the
context manager that started it, whatever happens.

Invariant: the pipelined client keeps at most ``depth`` commands in flight and
reads every reply, so a measurement always includes the server's full work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import hiredis

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS-streams.md"
# The reference binaries: named by an environment variable, else found on PATH ("" when
# there is none, and that server is left out of the runs).
REDIS_SERVER = os.environ.get("MINIVALKEY_BENCH_REDIS") or shutil.which("redis-server") or ""
VALKEY_SERVER = os.environ.get("MINIVALKEY_BENCH_VALKEY") or shutil.which("valkey-server") or ""

Command = Sequence[bytes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def encode(argv: Command) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for arg in argv:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


class Client:
    """A raw-socket client: hiredis parses replies, commands go out in pipelined batches."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=600)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = hiredis.Reader()

    def close(self) -> None:
        self.sock.close()

    def read(self, count: int = 1) -> list[object]:
        """The next ``count`` replies, waiting for them."""
        replies: list[object] = []
        while len(replies) < count:
            reply = self.reader.gets()
            if reply is False:
                data = self.sock.recv(1 << 20)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.reader.feed(data)
                continue
            replies.append(reply)
        return replies

    def call(self, *argv: bytes | str | int) -> object:
        args = [a if isinstance(a, bytes) else str(a).encode() for a in argv]
        self.sock.sendall(encode(args))
        reply = self.read(1)[0]
        if isinstance(reply, hiredis.ReplyError):
            raise RuntimeError(f"{argv[0]!r}: {reply}")
        return reply

    def pipeline(self, commands: Iterable[Command], depth: int = 100) -> int:
        """Send ``commands`` keeping ``depth`` in flight; the number of error replies."""
        errors = 0
        batch: list[bytes] = []
        for argv in commands:
            batch.append(encode(argv))
            if len(batch) == depth:
                errors += self._flush(batch)
                batch = []
        if batch:
            errors += self._flush(batch)
        return errors

    def _flush(self, batch: list[bytes]) -> int:
        self.sock.sendall(b"".join(batch))
        return sum(isinstance(r, hiredis.ReplyError) for r in self.read(len(batch)))

    def info(self, section: str) -> dict[str, str]:
        text = self.call("INFO", section)
        assert isinstance(text, bytes)
        return parse_info(text)


def parse_info(text: bytes) -> dict[str, str]:
    """The ``name:value`` lines of an INFO reply."""
    fields = {}
    for line in text.decode().splitlines():
        if ":" in line and not line.startswith("#"):
            name, _, value = line.partition(":")
            fields[name] = value
    return fields


def settle(pid: int, limit_s: float = 30.0, trimmed: bool = False) -> None:
    """Wait while minivalkey's cron (process ``pid``) still frees memory (compressing
    sealed stream nodes): until its resident size stops falling for two polls in a
    row, at most ``limit_s``. ``trimmed``: also until a trim interval has passed, so
    that the cron has handed free pages back to the OS at least once since the call."""
    from minivalkey.memtrim import TRIM_EVERY_SECONDS

    began = time.monotonic()
    deadline = began + limit_s
    previous = rss_bytes(pid)
    steady = 0
    while time.monotonic() < deadline:
        trim_due = trimmed and time.monotonic() < began + TRIM_EVERY_SECONDS + 0.5
        if steady >= 2 and not trim_due:
            return
        time.sleep(0.5)  # the server's cron works meanwhile; nothing to poll faster
        current = rss_bytes(pid)
        steady = steady + 1 if current >= previous else 0
        previous = current


@dataclass
class RunningServer:
    name: str
    version: str
    port: int
    pid: int


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def rss_bytes_self() -> int:
    return rss_bytes(os.getpid())


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until a freshly started server answers PING (fail if it exits or 30 s pass)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            client = Client(port)
        except OSError:
            time.sleep(0.05)
            continue
        try:
            if client.call("PING") == b"PONG":
                return
        finally:
            client.close()
    raise RuntimeError("server did not answer PING in time")


@contextlib.contextmanager
def server(kind: str) -> Iterator[RunningServer]:
    """Start ``minivalkey``, ``redis`` or ``valkey`` on a free loopback port; stop it after."""
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        if kind == "minivalkey":
            command = [sys.executable, "-m", "minivalkey", "--port", str(port)]
            command += ["--bind", "127.0.0.1"]
        else:
            binary = REDIS_SERVER if kind == "redis" else VALKEY_SERVER
            command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            command += ["--appendonly", "no", "--dir", scratch]
        process = subprocess.Popen(
            command, cwd=scratch, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_ready(port, process)
            version = reported_version(port)
            if kind == "minivalkey":
                version = f"{_minivalkey_version()} (speaks Valkey {version})"
            yield RunningServer(kind, version, port, process.pid)
        finally:
            stop(process)


def reported_version(port: int) -> str:
    """The version the server on ``port`` reports in INFO (Valkey's, else Redis's)."""
    client = Client(port)
    try:
        fields = client.info("server")
    finally:
        client.close()
    return fields.get("valkey_version") or fields.get("redis_version", "?")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the server has not exited after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _minivalkey_version() -> str:
    from minivalkey import __version__

    return __version__


def available_servers() -> list[str]:
    kinds = ["minivalkey"]
    if REDIS_SERVER and os.path.exists(REDIS_SERVER):
        kinds.append("redis")
    if VALKEY_SERVER and os.path.exists(VALKEY_SERVER):
        kinds.append("valkey")
    return kinds


# -- the data every benchmark uses ------------------------------------------------------------

BASE_MS = 1_700_000_000_000


def entry_id(i: int) -> bytes:
    """The ID of entry ``i``: one entry per millisecond, as a steady producer makes."""
    return b"%d-0" % (BASE_MS + i)


def entry_fields(i: int) -> list[bytes]:
    """Two field/value pairs, like a sensor reading."""
    return [b"temperature", b"%d.%d" % (15 + i % 20, i % 10), b"humidity", b"%d" % (30 + i % 60)]


def xadd(key: bytes, i: int) -> list[bytes]:
    return [b"XADD", key, entry_id(i), *entry_fields(i)]


# -- reporting ----------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_total() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _version_of(binary: str) -> str:
    if not binary or not os.path.exists(binary):
        return "not installed"
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip().split(" sha=")[0]


def machine_info() -> str:
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    lines = [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores ({_cpu_model()}), "
        f"{_memory_total()} RAM, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"event loop {loop}, hiredis {hiredis.__version__}",
        f"- reference servers: {_version_of(REDIS_SERVER)}; {_version_of(VALKEY_SERVER)}",
    ]
    return "\n".join(lines)


def write_section(
    name: str, body: str, results: Path | None = None, header: str | None = None
) -> None:
    """Replace (or append) the section ``name`` of ``results`` (RESULTS-streams.md by
    default); a new file starts with ``header``."""
    results = results or RESULTS
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = results.read_text() if results.exists() else (header or _RESULTS_HEADER)
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip() + "\n\n" + block
    results.write_text(text)


_RESULTS_HEADER = """# Stream benchmarks

Produced by `benchmarks/stream_memory.py` and `benchmarks/stream_costs.py` (run on
demand with `--write`; never part of the test suite). Each section states the
machine and the date it was measured on.
"""


def human_ns(ns: float) -> str:
    if ns >= 1_000_000:
        return f"{ns / 1_000_000:.2f} ms"
    if ns >= 1_000:
        return f"{ns / 1_000:.2f} µs"
    return f"{ns:.0f} ns"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def environment_for_subprocess() -> dict[str, str]:
    """The environment with the project importable (for engine runs in a child process)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


# -- other load on the machine ----------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, steal) clock ticks of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def process_ticks(pid: int | str) -> int:
    """utime + stime of a process (all its threads), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class LoadMeter:
    """CPU used by processes other than this driver and the servers, while measuring.

    Other work (test runs, other benchmarks) may share this 2-core machine; a
    configuration measured while something else ran is visible in the report rather
    than silently slower.
    """

    def __init__(self, server_pids: Sequence[int]) -> None:
        self.pids = list(server_pids)
        self.started = time.monotonic()
        self.busy, self.steal = machine_ticks()
        self.ours = self._ours()

    def _ours(self) -> float:
        """Ticks of this driver, of its children that ended (a load generator such as
        redis-benchmark, once waited for) and of the servers."""
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        ended = (children.ru_utime + children.ru_stime) * CLOCK_TICKS
        return process_ticks("self") + ended + sum(process_ticks(pid) for pid in self.pids)

    def other_percent(self) -> tuple[float, float]:
        """(other processes, hypervisor steal) as % of one CPU since the start."""
        busy, steal = machine_ticks()
        ours = self._ours()
        seconds = max(time.monotonic() - self.started, 1e-9) * CLOCK_TICKS
        other = max(0, (busy - self.busy) - (ours - self.ours))
        return 100 * other / seconds, 100 * (steal - self.steal) / seconds


def wait_quiet(server_pids: Sequence[int], threshold: float, max_wait_s: float) -> None:
    """Wait (at most ``max_wait_s``) for a 100 ms window in which other processes
    used at most ``threshold`` % of a core, so that a repetition starts on a quiet machine."""
    deadline = time.monotonic() + max_wait_s
    while True:
        meter = LoadMeter(server_pids)
        time.sleep(0.1)
        if meter.other_percent()[0] <= threshold or time.monotonic() > deadline:
            return


Sample = TypeVar("Sample")


def interleaved_rounds(
    servers: int,
    repetitions: int,
    extra_rounds: int,
    pids: Sequence[int],
    timed_run: Callable[[int], Sample],
    other_cpu: Callable[[Sample], float],
    quiet_percent: float,
    quiet_wait_s: float,
) -> list[list[Sample]]:
    """The timed runs of one workload on ``servers`` servers, in rounds of one run per
    server in turn (the order rotates), so that a burst of other work on the machine
    falls on all the servers alike. ``timed_run(k)`` measures server ``k``, after a wait
    for a quiet moment; up to ``extra_rounds`` more rounds follow while a server has
    fewer than ``repetitions`` runs in which others used at most ``quiet_percent`` of a
    core. Answers every server's runs, in the order measured."""
    samples: list[list[Sample]] = [[] for _ in range(servers)]
    for round_ in range(repetitions + extra_rounds):
        quiet = min(sum(other_cpu(s) <= quiet_percent for s in got) for got in samples)
        if round_ >= repetitions and quiet >= repetitions:
            break
        turn = round_ % servers
        for k in [*range(turn, servers), *range(turn)]:
            wait_quiet(pids, quiet_percent, quiet_wait_s)
            samples[k].append(timed_run(k))
    return samples


def quietest(
    samples: Sequence[Sample], count: int, other_cpu: Callable[[Sample], float]
) -> list[Sample]:
    """The ``count`` runs during which other processes used the least CPU."""
    return sorted(samples, key=other_cpu)[:count]


def medians(samples: Sequence[object], *fields: str) -> list[float]:
    """The median of each named attribute over ``samples``, in the order named."""
    return [statistics.median(getattr(sample, name) for sample in samples) for name in fields]
