"""Memory per stream entry: minivalkey's engine and server next to redis-server (and Valkey).

Usage: ``python benchmarks/stream_memory.py [--entries N] [--quick] [--write]``

The data is N entries (default 1,000,000) with two field/value pairs each (see
``benchlib.entry_fields``), IDs one millisecond apart, in one stream key.

Measured:
* engine, RSS: a fresh child process appends the entries with ``Stream.append``,
  then compresses the sealed nodes and returns free pages to the OS as the
  server's cron would (``pack_sealed_nodes``, ``MemoryTrimmer``); resident memory
  after minus before, per entry;
* engine, tracemalloc: the same in another child, with tracemalloc tracing
  (Python allocations only; slower, so it is a separate run);
* minivalkey server: a ``minivalkey`` process fed the entries as pipelined XADDs
  over a socket, measured once its cron has finished compressing (``used_memory``
  stops falling); its RSS delta per entry;
* redis-server / valkey-server: the same XADDs; ``used_memory`` delta per entry
  (what the server's allocator accounts) and RSS delta.

Run on demand only; ``--write`` stores the table in benchmarks/RESULTS-streams.md and
the figures in benchmarks/results/stream_memory.json (for ``chart.py``). ``--quick``
uses 200,000 entries unless ``--entries`` is given.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc

import benchlib
import figures

KEY = b"readings"


def engine_child(mode: str, entries: int) -> dict[str, float]:
    """Runs in a child process: build the stream, report the growth."""
    from minivalkey.engine.stream import Stream
    from minivalkey.engine.streamid import make_id
    from minivalkey.engine.streamnode import pack_sealed_nodes
    from minivalkey.memtrim import MemoryTrimmer

    gc.collect()
    if mode == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = benchlib.rss_bytes_self()
    started = time.perf_counter()
    stream = Stream()
    for i in range(entries):
        stream.append(make_id(benchlib.BASE_MS + i, 0), benchlib.entry_fields(i), 100, 4096)
    pack_sealed_nodes()  # what the server's cron does in the background,
    MemoryTrimmer(every_seconds=0).tick()  # and this too: free pages go back to the OS
    elapsed = time.perf_counter() - started
    gc.collect()
    if mode == "tracemalloc":
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    else:
        after = benchlib.rss_bytes_self()
    assert stream.length == entries
    return {"bytes": after - before, "seconds": elapsed, "nodes": len(stream.keys)}


def run_engine(mode: str, entries: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--engine-child", mode, "--entries", str(entries)],
        capture_output=True,
        text=True,
        check=True,
        env=benchlib.environment_for_subprocess(),
    )
    return json.loads(output.stdout)


def run_server(kind: str, entries: int) -> dict[str, object]:
    with benchlib.server(kind) as running:
        client = benchlib.Client(running.port)
        try:
            client.call("XADD", b"warmup", "1-0", "f", "v")  # first-use allocations
            client.call("DEL", b"warmup")
            used_before = int(client.info("memory").get("used_memory", 0))
            rss_before = benchlib.rss_bytes(running.pid)
            started = time.perf_counter()
            errors = client.pipeline((benchlib.xadd(KEY, i) for i in range(entries)), 1000)
            elapsed = time.perf_counter() - started
            assert errors == 0 and client.call("XLEN", KEY) == entries
            if kind == "minivalkey":
                benchlib.settle(running.pid)
            used_after = int(client.info("memory").get("used_memory", 0))
            rss_after = benchlib.rss_bytes(running.pid)
        finally:
            client.close()
    return {
        "version": running.version,
        "used": used_after - used_before,
        "rss": rss_after - rss_before,
        "seconds": elapsed,
    }


def report(entries: int) -> tuple[str, dict[str, object]]:
    """The Markdown section and its figures (bytes per entry)."""
    rows = []
    rss = run_engine("rss", entries)
    rows.append(
        [
            "minivalkey engine (`Stream.append`)",
            "RSS delta",
            f"{rss['bytes'] / entries:.1f}",
            f"{rss['bytes'] / 2**20:.1f} MiB",
            f"{rss['seconds']:.1f} s",
        ]
    )
    traced = run_engine("tracemalloc", entries)
    servers: dict[str, dict[str, object]] = {}
    data: dict[str, object] = {
        "entries": entries,
        "engine_rss_per_entry": rss["bytes"] / entries,
        "engine_tracemalloc_per_entry": traced["bytes"] / entries,
        "servers": servers,
    }
    rows.append(
        [
            "minivalkey engine (`Stream.append`)",
            "tracemalloc delta",
            f"{traced['bytes'] / entries:.1f}",
            f"{traced['bytes'] / 2**20:.1f} MiB",
            "(traced run)",
        ]
    )
    for kind in benchlib.available_servers():
        result = run_server(kind, entries)
        used, rss_delta = result["used"], result["rss"]
        assert isinstance(used, int) and isinstance(rss_delta, int)
        servers[kind] = {
            "version": result["version"],
            "used_per_entry": used / entries,
            "rss_per_entry": rss_delta / entries,
        }
        label = f"{kind} {result['version']} (XADD over a socket)"
        if kind == "minivalkey":
            measures = [("RSS delta", result["rss"])]
        else:
            measures = [("`used_memory` delta", result["used"]), ("RSS delta", result["rss"])]
        for name, value in measures:
            assert isinstance(value, int)
            rows.append(
                [
                    label,
                    name,
                    f"{value / entries:.1f}",
                    f"{value / 2**20:.1f} MiB",
                    f"{result['seconds']:.1f} s",
                ]
            )
    table = benchlib.markdown_table(
        ["what", "measure", "bytes per entry", "total", "time to load"], rows
    )
    section = (
        f"## Memory per entry ({entries:,} entries, two field/value pairs each)\n\n"
        f"{benchlib.machine_info()}\n"
        f"- entry: ID `<ms>-0` one per millisecond, fields `temperature <d.d>` and "
        f"`humidity <int>`; {int(rss['nodes'])} nodes of 100 entries\n"
        f"- servers loaded with pipelined XADD (1000 in flight) over 127.0.0.1; "
        f"RSS read from /proc\n\n"
        f"{table}\n"
    )
    return section, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, help="default 1,000,000 (--quick: 200,000)")
    parser.add_argument("--quick", action="store_true", help="fewer entries")
    parser.add_argument("--write", action="store_true", help="update RESULTS-streams.md")
    parser.add_argument("--engine-child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_child:
        print(json.dumps(engine_child(args.engine_child, args.entries)))
        return
    entries = args.entries or (200_000 if args.quick else 1_000_000)
    section, data = report(entries)
    print(section)
    if args.write:
        benchlib.write_section("stream_memory", section)
        figures.save("stream_memory", data)


if __name__ == "__main__":
    main()
