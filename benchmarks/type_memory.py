"""Memory per element of a hash, list, set and sorted set: minivalkey next to redis-server
(and Valkey).

Usage: ``python benchmarks/type_memory.py [--elements N] [--types hash,list,set,zset]
[--quick] [--write]``

The data is one key per type holding N elements (default 1,000,000), loaded with
commands of ``BATCH`` elements each:

* hash: fields ``field:<i>``, values ``value:<i>`` (HSET);
* list: elements ``element:<i>`` (RPUSH);
* set: members ``member:<i>`` (SADD; not integers, which would make an intset);
* sorted set: members ``member:<i>`` with score ``i`` (ZADD).

Measured, per type, each in a process of its own (nothing left from another type):

* minivalkey in process: a fresh child process runs the same commands through
  ``dispatcher.execute`` (the command path without sockets, so the stored value is
  exactly the server's), then collects garbage and returns free pages to the OS as
  the server's cron would (``MemoryTrimmer``); resident memory after minus before,
  per element; and in another child the same with tracemalloc tracing (Python
  allocations only);
* minivalkey server: a ``minivalkey`` process fed the commands pipelined over a
  socket, measured once its cron has trimmed (its RSS steady, and a trim interval
  past the load); its RSS delta per element (and its ``used_memory`` delta when that
  is its own accounting rather than its RSS);
* redis-server / valkey-server: the same commands; ``used_memory`` delta per element
  (what the server's allocator accounts) and RSS delta;
* every server's own estimate, ``MEMORY USAGE key SAMPLES 0``, per element (where
  the server has MEMORY).

A type whose commands minivalkey does not have yet is left out (the report names it).
Run on demand only; ``--write`` stores the table in benchmarks/RESULTS-types.md and
the figures in benchmarks/results/type_memory.json (for ``chart.py``). ``--quick``
uses 200,000 elements unless ``--elements`` is given.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import benchlib
import figures

RESULTS = Path(__file__).resolve().parent / "RESULTS-types.md"
HEADER = """# Data-type benchmarks

Memory per element of the data types, produced by `benchmarks/type_memory.py` (run on
demand with `make bench`, or `--write`; never part of the test suite). Each section
states the machine and the date it was measured on. Their throughput is in
`RESULTS.md` (`bench.py`).
"""
BATCH = 100  # elements per command
DEPTH = 10  # commands in flight while loading over a socket


@dataclass(frozen=True)
class DataType:
    name: str  # as the report and the figures name it
    key: bytes
    command: bytes  # the command that loads it
    length: bytes  # the command that counts its elements
    describe: str

    def elements(self, start: int, stop: int) -> list[bytes]:
        """The arguments adding elements ``start`` .. ``stop - 1``."""
        if self.command == b"HSET":
            return [x for i in range(start, stop) for x in (b"field:%d" % i, b"value:%d" % i)]
        if self.command == b"ZADD":
            return [x for i in range(start, stop) for x in (b"%d" % i, b"member:%d" % i)]
        prefix = b"element:" if self.command == b"RPUSH" else b"member:"
        return [prefix + b"%d" % i for i in range(start, stop)]

    def commands(self, count: int) -> Iterator[list[bytes]]:
        for start in range(0, count, BATCH):
            yield [self.command, self.key, *self.elements(start, min(start + BATCH, count))]

    def warmup(self) -> list[list[bytes]]:
        """A small key of the type, created and deleted: first-use allocations."""
        return [[self.command, b"warmup", *self.elements(0, 2)], [b"DEL", b"warmup"]]


TYPES = {
    "hash": DataType(
        "hash", b"hash", b"HSET", b"HLEN", "fields `field:<i>` with values `value:<i>`"
    ),
    "list": DataType("list", b"list", b"RPUSH", b"LLEN", "elements `element:<i>`"),
    "set": DataType("set", b"set", b"SADD", b"SCARD", "members `member:<i>`"),
    "zset": DataType("zset", b"zset", b"ZADD", b"ZCARD", "members `member:<i>` with score `i`"),
}


# -- in process ----------------------------------------------------------------------------------


def engine_child(mode: str, kind: str, elements: int) -> dict[str, float]:
    """Runs in a child process: store the elements through the dispatcher, report the
    growth."""
    from minivalkey.core import ServerCore
    from minivalkey.dispatcher import execute
    from minivalkey.memtrim import MemoryTrimmer
    from minivalkey.session import Client

    data = TYPES[kind]
    client = Client(ServerCore())
    for argv in data.warmup():
        execute(client, argv)
    gc.collect()
    MemoryTrimmer(every_seconds=0).tick()
    if mode == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = benchlib.rss_bytes_self()
    started = time.perf_counter()
    for argv in data.commands(elements):
        reply = execute(client, argv)
        assert not reply.startswith(b"-"), reply
    gc.collect()
    MemoryTrimmer(every_seconds=0).tick()  # what the server's cron does
    elapsed = time.perf_counter() - started
    if mode == "tracemalloc":
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    else:
        after = benchlib.rss_bytes_self()
    assert execute(client, [data.length, data.key]) == b":%d\r\n" % elements
    return {"bytes": after - before, "seconds": elapsed}


def run_engine(mode: str, kind: str, elements: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--engine-child", mode, "--types", kind]
    output = subprocess.run(
        [*command, "--elements", str(elements)],
        capture_output=True,
        text=True,
        check=True,
        env=benchlib.environment_for_subprocess(),
    )
    return json.loads(output.stdout)


# -- servers -------------------------------------------------------------------------------------


def memory_usage(client: benchlib.Client, key: bytes) -> int | None:
    """The server's estimate of the key's size (None: the server has no MEMORY yet)."""
    try:
        used = client.call("MEMORY", "USAGE", key, "SAMPLES", "0")
    except RuntimeError:
        return None
    assert isinstance(used, int)
    return used


@dataclass
class Loaded:
    """One server after loading one type: deltas in bytes."""

    version: str
    used: int  # used_memory delta
    rss: int  # resident size delta
    estimate: int | None  # MEMORY USAGE of the key (None: the server has no MEMORY)
    accounts: bool  # used_memory is the server's own accounting, not its RSS
    seconds: float  # time to load


def run_server(kind: str, data: DataType, elements: int) -> Loaded:
    with benchlib.server(kind) as running:
        client = benchlib.Client(running.port)
        try:
            if client.pipeline(data.warmup()):
                raise RuntimeError(f"{data.command!r} failed on {kind}")
            used_before = int(client.info("memory")["used_memory"])
            rss_before = benchlib.rss_bytes(running.pid)
            started = time.perf_counter()
            errors = client.pipeline(data.commands(elements), DEPTH)
            elapsed = time.perf_counter() - started
            assert errors == 0 and client.call(data.length, data.key) == elements
            if kind == "minivalkey":
                benchlib.settle(running.pid, trimmed=True)
            info = client.info("memory")
            rss_after = benchlib.rss_bytes(running.pid)
            estimate = memory_usage(client, data.key)
        finally:
            client.close()
    used = int(info["used_memory"])
    # minivalkey's used_memory is its RSS, unless it accounts its keys itself
    accounts = kind != "minivalkey" or info.get("used_memory_rss", str(used)) != str(used)
    return Loaded(
        running.version, used - used_before, rss_after - rss_before, estimate, accounts, elapsed
    )


def lacking_commands(types: list[DataType]) -> dict[str, set[bytes]]:
    """The types whose commands minivalkey does not have, with those commands."""
    with benchlib.server("minivalkey") as running:
        client = benchlib.Client(running.port)
        try:
            lacking = {}
            for data in types:
                infos = client.call("COMMAND", "INFO", data.command, data.length)
                assert isinstance(infos, list)
                missing = {
                    c for c, i in zip((data.command, data.length), infos, strict=True) if i is None
                }
                if missing:
                    lacking[data.name] = missing
        finally:
            client.close()
    return lacking


# -- report --------------------------------------------------------------------------------------


def _per(value: float, elements: int) -> str:
    return f"{value / elements:.1f}"


def measure_type(data: DataType, elements: int) -> tuple[list[list[str]], dict[str, object]]:
    """The table rows of one type and its figures (bytes per element)."""
    rss = run_engine("rss", data.name, elements)
    traced = run_engine("tracemalloc", data.name, elements)
    label = "minivalkey in process (`dispatcher.execute`)"
    rows = [
        [
            data.name,
            label,
            "RSS delta",
            _per(rss["bytes"], elements),
            "-",
            f"{rss['seconds']:.1f} s",
        ],
        [data.name, label, "tracemalloc delta", _per(traced["bytes"], elements), "-", "(traced)"],
    ]
    servers: dict[str, dict[str, object]] = {}
    for kind in benchlib.available_servers():
        got = run_server(kind, data, elements)
        servers[kind] = {
            "version": got.version,
            "used_per_element": got.used / elements,
            "rss_per_element": got.rss / elements,
            "memory_usage_per_element": None if got.estimate is None else got.estimate / elements,
        }
        who = f"{kind} {got.version} (over a socket)"
        measures = [("`used_memory` delta", got.used)] if got.accounts else []
        measures.append(("RSS delta", got.rss))
        estimate = "-" if got.estimate is None else _per(got.estimate, elements)
        for name, value in measures:
            rows.append(
                [data.name, who, name, _per(value, elements), estimate, f"{got.seconds:.1f} s"]
            )
    figures_of = {
        "engine_rss_per_element": rss["bytes"] / elements,
        "engine_tracemalloc_per_element": traced["bytes"] / elements,
        "servers": servers,
    }
    return rows, figures_of


def summary_rows(types: dict[str, dict[str, object]]) -> tuple[list[str], list[list[str]]]:
    """Per type: minivalkey's server RSS against each reference's used_memory."""
    references = [k for k in ("redis", "valkey") if k in benchlib.available_servers()]
    header = ["type", "minivalkey server RSS"]
    header += [f"{k} `used_memory`" for k in references]
    header += [f"minivalkey ÷ {k}" for k in references]
    rows = []
    for name, got in types.items():
        servers = got["servers"]
        assert isinstance(servers, dict)
        mine = servers["minivalkey"]["rss_per_element"]
        theirs = [servers[k]["used_per_element"] for k in references]
        rows.append(
            [name, f"{mine:.1f}"]
            + [f"{t:.1f}" for t in theirs]
            + [f"{mine / t:.2f}" if t > 0 else "-" for t in theirs]
        )
    return header, rows


def report(kinds: list[str], elements: int) -> tuple[str, dict[str, object]]:
    """The Markdown section and its figures."""
    wanted = [TYPES[k] for k in kinds]
    lacking = lacking_commands(wanted)
    rows: list[list[str]] = []
    types: dict[str, dict[str, object]] = {}
    for data in wanted:
        if data.name in lacking:
            print(f"{data.name}: left out, minivalkey lacks {lacking[data.name]}", file=sys.stderr)
            continue
        started = time.monotonic()
        got_rows, types[data.name] = measure_type(data, elements)
        rows += got_rows
        print(f"{data.name}: measured in {time.monotonic() - started:.0f} s", file=sys.stderr)
    notes = [f"- {d.name}: {d.describe}" for d in wanted if d.name in types]
    if lacking:
        missing = ", ".join(sorted(c.decode() for cs in lacking.values() for c in cs))
        notes.append(f"- left out: {', '.join(lacking)} (minivalkey lacks {missing} in this build)")
    header, summary = summary_rows(types)
    table = benchlib.markdown_table(
        [
            "type",
            "what",
            "measure",
            "bytes per element",
            "`MEMORY USAGE` per element",
            "time to load",
        ],
        rows,
    )
    section = (
        f"## Memory per element ({elements:,} elements a key)\n\n"
        f"{benchlib.machine_info()}\n"
        + "\n".join(notes)
        + f"\n- loaded with commands of {BATCH} elements ({DEPTH} in flight over 127.0.0.1), "
        "a fresh process per type and server; RSS read from /proc; minivalkey's server "
        "measured once its cron has trimmed free pages\n"
        "- `MEMORY USAGE`: the server's own estimate (`SAMPLES 0`), per element\n\n"
        "Bytes per element, minivalkey's server RSS against the references' `used_memory`:\n\n"
        f"{benchlib.markdown_table(header, summary)}\n\n"
        f"{table}\n"
    )
    stored: dict[str, object] = {
        "elements": elements,
        "types": types,
        "left_out": sorted(lacking),
    }
    return section, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elements", type=int, help="default 1,000,000 (--quick: 200,000)")
    parser.add_argument(
        "--types", default=",".join(TYPES), help="comma-separated, of " + ", ".join(TYPES)
    )
    parser.add_argument("--quick", action="store_true", help="fewer elements")
    parser.add_argument("--write", action="store_true", help="update RESULTS-types.md")
    parser.add_argument("--engine-child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = [k for k in args.types.split(",") if k]
    unknown = [k for k in kinds if k not in TYPES]
    if unknown:
        parser.error(f"unknown types {unknown}; choose from {', '.join(TYPES)}")
    if args.write and args.types != parser.get_default("types"):
        parser.error("--types measures a part: it cannot replace the stored table")
    elements = args.elements or (200_000 if args.quick else 1_000_000)
    if args.engine_child:
        print(json.dumps(engine_child(args.engine_child, kinds[0], elements)))
        return
    section, data = report(kinds, elements)
    print(section)
    if args.write:
        benchlib.write_section("type_memory", section, RESULTS, HEADER)
        figures.save("type_memory", data)


if __name__ == "__main__":
    main()
