"""Per-call cost of XADD, XRANGE COUNT 10, XACK and XDEL at several stream sizes.

Usage: ``python benchmarks/stream_costs.py [--sizes 1000,10000,100000,1000000] [--calls N]
[--quick] [--no-wire] [--write]``

For each size N the stream holds N entries (two field/value pairs each, see
``benchlib``) and one consumer group with all N entries pending on one consumer.
Each operation is timed over many calls and reported as time per call:

* engine: the engine's own work (``Stream.next_id`` + ``append``, ``range_array`` of 10
  entries (XRANGE's reply bytes), ``ConsumerGroup.acknowledge``,
  ``Stream.delete_ids``), ``time.perf_counter_ns`` around the whole loop;
* dispatch: the full command path without sockets (``dispatcher.execute``: lookup,
  argument parsing, engine, reply encoding);
* wire: a raw-socket client pipelining 100 commands at a time against a minivalkey
  process, redis-server and (when present) valkey-server; elapsed time / calls.

Streams are measured as the server keeps them: sealed nodes compressed (random
XRANGE starts mostly miss the cache of unpacked nodes and pay for unpacking one).
XRANGE starts at random IDs; XACK and XDEL take distinct random IDs, one per call,
at most N/2 of them so the stream and the PEL stay between N/2 and N. Run on
demand only; ``--write`` stores the table in benchmarks/RESULTS-streams.md and the
figures in benchmarks/results/stream_costs.json (for ``chart.py``). ``--quick`` makes
5,000 calls per figure instead of 20,000 (same sizes).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import benchlib
import figures

from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.engine.groups import ConsumerGroup
from minivalkey.engine.stream import Stream
from minivalkey.engine.streamid import MAX_ID, make_id
from minivalkey.engine.streamnode import pack_sealed_nodes
from minivalkey.session import Client

KEY = b"s"
OPERATIONS = ("XADD", "XRANGE COUNT 10", "XACK", "XDEL")
FLOOR = "PING (client floor)"
DEPTH = 100  # commands in flight on the wire
Timings = dict[str, float]  # operation -> ns per call


def _plan(size: int, calls: int, seed: int) -> dict[str, list[int]]:
    """Entry numbers each operation uses, the same for every measurement of a size."""
    rng = random.Random(seed)
    removable = min(calls, size // 2)
    return {
        "XADD": list(range(size, size + calls)),
        "XRANGE COUNT 10": [rng.randrange(size) for _ in range(calls)],
        "XACK": rng.sample(range(size), removable),
        "XDEL": rng.sample(range(size), removable),
    }


T = TypeVar("T")
PARTS = 3  # each operation's calls are timed in this many parts; the fastest part counts


def best_per_call(items: Sequence[T], run: Callable[[Sequence[T]], None]) -> float:
    """ns per call of ``run`` over ``items``: the best of ``PARTS`` consecutive parts.

    Taking the best part keeps one-off pauses (a garbage collection, a page fault)
    out of a number meant to show the steady cost.
    """
    size = max(len(items) // PARTS, 1)
    best = float("inf")
    for first in range(0, len(items), size):
        part = items[first : first + size]
        started = time.perf_counter_ns()
        run(part)
        best = min(best, (time.perf_counter_ns() - started) / len(part))
    return best


# -- engine -------------------------------------------------------------------------------------


def engine_costs(size: int, plan: dict[str, list[int]]) -> Timings:
    stream = Stream()
    for i in range(size):
        stream.append(make_id(benchlib.BASE_MS + i, 0), benchlib.entry_fields(i), 100, 4096)
    pack_sealed_nodes()  # compressed, as the server's cron leaves them
    group = ConsumerGroup(b"g", 0)
    stream.groups[b"g"] = group
    consumer, _ = group.get_or_create_consumer(b"c", benchlib.BASE_MS)
    group.deliver_new(stream, consumer, 0, False, benchlib.BASE_MS)
    assert len(group.pending) == size

    def ids(name: str) -> list[int]:
        return [make_id(benchlib.BASE_MS + i, 0) for i in plan[name]]

    adds = [
        (stream_id, benchlib.entry_fields(i))
        for stream_id, i in zip(ids("XADD"), plan["XADD"], strict=True)
    ]
    starts, acks, deletes = ids("XRANGE COUNT 10"), ids("XACK"), ids("XDEL")
    now = benchlib.BASE_MS

    def xadd(part: Sequence[tuple[int, list[bytes]]]) -> None:
        for stream_id, pairs in part:
            stream.append(stream.next_id(now, stream_id, False), pairs, 100, 4096)

    def xrange(part: Sequence[int]) -> None:
        for start in part:
            stream.range_array(start, MAX_ID, 10)

    def xack(part: Sequence[int]) -> None:
        for stream_id in part:
            group.acknowledge(stream_id)

    def xdel(part: Sequence[int]) -> None:
        for stream_id in part:
            stream.delete_ids([stream_id])

    return {
        "XADD": best_per_call(adds, xadd),
        "XRANGE COUNT 10": best_per_call(starts, xrange),
        "XACK": best_per_call(acks, xack),
        "XDEL": best_per_call(deletes, xdel),
    }


# -- commands without sockets ----------------------------------------------------------------------


def _commands(plan: dict[str, list[int]]) -> dict[str, list[list[bytes]]]:
    def bulk_id(i: int) -> bytes:
        return benchlib.entry_id(i)

    return {
        "XADD": [benchlib.xadd(KEY, i) for i in plan["XADD"]],
        "XRANGE COUNT 10": [
            [b"XRANGE", KEY, bulk_id(i), b"+", b"COUNT", b"10"] for i in plan["XRANGE COUNT 10"]
        ],
        "XACK": [[b"XACK", KEY, b"g", bulk_id(i)] for i in plan["XACK"]],
        "XDEL": [[b"XDEL", KEY, bulk_id(i)] for i in plan["XDEL"]],
    }


def _setup_commands(size: int) -> list[list[bytes]]:
    commands = [benchlib.xadd(KEY, i) for i in range(size)]
    commands.append([b"XGROUP", b"CREATE", KEY, b"g", b"0"])
    reads = (size + 9999) // 10000
    read = [b"XREADGROUP", b"GROUP", b"g", b"c", b"COUNT", b"10000", b"STREAMS", KEY, b">"]
    commands.extend([read] * reads)
    return commands


def dispatch_costs(size: int, plan: dict[str, list[int]]) -> Timings:
    core = ServerCore()
    client = Client(core)
    for argv in _setup_commands(size):
        reply = execute(client, argv)
        assert not reply.startswith(b"-"), reply
    pack_sealed_nodes()
    timings: Timings = {}

    def run(part: Sequence[list[bytes]]) -> None:
        for argv in part:
            execute(client, argv)

    for name, commands in _commands(plan).items():
        timings[name] = best_per_call(commands, run)
    return timings


# -- over the wire ------------------------------------------------------------


def wire_costs(
    kind: str, sizes: list[int], plans: dict[int, dict[str, list[int]]]
) -> tuple[str, dict[int, Timings]]:
    results: dict[int, Timings] = {}
    with benchlib.server(kind) as running:
        client = benchlib.Client(running.port)
        try:
            for size in sizes:
                client.call("FLUSHALL")
                assert client.pipeline(_setup_commands(size), 1000) == 0
                pending = client.call("XPENDING", KEY, "g")
                assert isinstance(pending, list) and pending[0] == size
                timings: Timings = {}

                def run(part: Sequence[list[bytes]]) -> None:
                    assert client.pipeline(part, DEPTH) == 0

                for name, commands in _commands(plans[size]).items():
                    timings[name] = best_per_call(commands, run)
                # What this Python client itself costs per call: the floor of the column.
                timings[FLOOR] = best_per_call([[b"PING"]] * len(plans[size]["XADD"]), run)
                results[size] = timings
            client.call("FLUSHALL")
        finally:
            client.close()
    return f"{kind} {running.version}", results


# -- report ------------------------------------------------------------


Column = tuple[str, str, dict[int, Timings]]  # (key, label, size -> timings)


def measure(sizes: list[int], calls: int, wire: bool) -> list[Column]:
    plans = {size: _plan(size, calls, seed=size) for size in sizes}
    columns: list[Column] = [
        ("engine", "engine", {size: engine_costs(size, plans[size]) for size in sizes}),
        (
            "dispatch",
            "dispatch (no socket)",
            {size: dispatch_costs(size, plans[size]) for size in sizes},
        ),
    ]
    if wire:
        for kind in benchlib.available_servers():
            label, results = wire_costs(kind, sizes, plans)
            columns.append((f"wire:{kind}", f"wire: {label}", results))
    return columns


def figures_of(sizes: list[int], calls: int, columns: list[Column]) -> dict[str, object]:
    """ns per call: column key -> operation -> one figure per size (null: not measured)."""
    operations = (*OPERATIONS, FLOOR)
    return {
        "sizes": sizes,
        "calls": calls,
        "labels": {key: label for key, label, _ in columns},
        "ns_per_call": {
            key: {op: [results[size].get(op) for size in sizes] for op in operations}
            for key, _, results in columns
        },
    }


def report(sizes: list[int], calls: int, columns: list[Column]) -> str:
    plans = {size: _plan(size, calls, seed=size) for size in sizes}
    rows = []
    for name in (*OPERATIONS, FLOOR):
        for size in sizes:
            count = len(plans[size][name if name != FLOOR else "XADD"])
            cells = [
                benchlib.human_ns(results[size][name]) if name in results[size] else "-"
                for _, _, results in columns
            ]
            rows.append([name, f"{size:,}", f"{count:,}", *cells])
    table = benchlib.markdown_table(
        ["operation", "entries", "calls", *[label for _, label, _ in columns]], rows
    )
    return (
        "## Cost per call\n\n"
        f"{benchlib.machine_info()}\n"
        "- engine and dispatch: `time.perf_counter_ns` around loops of calls (loop "
        f"overhead included); wire: {DEPTH} commands in flight on one connection "
        "(a Python client with hiredis), elapsed time / calls; each figure is the best of "
        f"{PARTS} equal parts of the calls\n"
        f"- `{FLOOR}`: PING through the same client, i.e. what the client costs per call; "
        "wire figures near it are bounded by the client, not the server\n"
        "- each stream has one group with every entry pending on one consumer; XACK and "
        "XDEL remove distinct random IDs (at most half the entries)\n\n"
        f"{table}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--calls", type=int, help="calls per figure (default 20,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 calls per figure")
    parser.add_argument("--no-wire", action="store_true", help="skip the socket measurements")
    parser.add_argument("--write", action="store_true", help="update RESULTS-streams.md")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    calls = args.calls or (5_000 if args.quick else 20_000)
    columns = measure(sizes, calls, not args.no_wire)
    section = report(sizes, calls, columns)
    print(section)
    if args.write:
        benchlib.write_section("stream_costs", section)
        figures.save("stream_costs", figures_of(sizes, calls, columns))


if __name__ == "__main__":
    main()
