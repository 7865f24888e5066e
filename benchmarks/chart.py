"""Draw the benchmarks' figures: minivalkey against redis-server, and cost against size.

Usage: ``python benchmarks/chart.py [--out-dir benchmarks]`` (needs matplotlib: the
project's ``bench`` extra, ``pip install -e '.[bench]'``).

Reads the JSON files that the benchmark scripts write with ``--write`` into
benchmarks/results/ (see ``figures.py``) and draws two PNG files, headless (Agg):

* ``ratios.png``: one horizontal bar per workload, minivalkey ÷ redis-server from the
  same run (1.0 = as fast as redis-server, higher is better), with the project's target
  drawn across the bar where the workload has one (``figures.TARGETS``). Sources:
  ``bench.json`` (redis-benchmark workloads; ÷ the reference server of that run),
  ``group_workloads.json`` (consumer-group workloads; the driver-floor PING rows are
  left out), ``blocking_latency.json`` (wake-up p99, turned around: redis p99 ÷
  minivalkey p99, target 0.5 = at most twice redis-server's), ``stream_memory.json``
  (bytes per entry turned around: redis ``used_memory`` ÷ minivalkey RSS, target 0.25 =
  at most four times) and ``type_memory.json`` (bytes per element of a hash, list,
  set and sorted set, the same way round; no target). A bar is green when it meets
  its target, red when it does not, grey without a target.
* ``scaling.png``: from ``stream_costs.json``, the cost per call of XADD, XRANGE COUNT
  10, XACK and XDEL against the number of entries (log x), one line per column of
  that benchmark (engine, dispatch, each server over the wire).

A missing JSON file leaves its bars out (reported on stderr); with none at all the
script fails. Invariant: nothing is measured here, only drawn from stored figures.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import figures

HERE = Path(__file__).resolve().parent
GREEN, RED, GREY = "#2e8b57", "#c0392b", "#8c9bab"


@dataclass
class Bar:
    label: str
    ratio: float
    target: float | None = None


Section = tuple[str, list[Bar]]  # (title, bars)


def bench_section(data: dict[str, Any]) -> Section:
    label = data["labels"].get("reference", "reference")
    bars = [
        Bar(name, rates["minivalkey"] / rates["reference"], figures.TARGETS.get(name))
        for name, rates in data["rates"].items()
        if rates.get("minivalkey") and rates.get("reference")
    ]
    return f"redis-benchmark, 50 clients (÷ {label}; {data['mode']} run)", bars


def group_section(data: dict[str, Any]) -> Section:
    bars = [
        Bar(name, rates["minivalkey"] / rates["redis"], figures.TARGETS.get(name))
        for name, rates in data["rates"].items()
        if "floor" not in name and rates.get("minivalkey") and rates.get("redis")
    ]
    return f"consumer groups, raw-socket driver (÷ redis-server; {data['mode']} run)", bars


# The latency that counts per blocking workload: every reader served / the one served.
WAKEUP_FIELD = {"XREAD": "last_p99", "XREADGROUP": "first_p99"}


def wakeup_section(data: dict[str, Any]) -> Section:
    by_key = {(r["server"], r["workload"], r["readers"]): r for r in data["results"]}
    bars = []
    for (server, workload, readers), row in sorted(by_key.items(), key=lambda kv: kv[0][1:]):
        theirs = by_key.get(("redis", workload, readers))
        if server != "minivalkey" or theirs is None:
            continue
        name = WAKEUP_FIELD[workload]
        what = "all readers" if workload == "XREAD" else "consumer served"
        bars.append(
            Bar(
                f"{workload} wake-up p99, {readers:,} reader{'s' if readers > 1 else ''} ({what})",
                theirs[name] / row[name],
                figures.WAKEUP_P99_TARGET,
            )
        )
    return f"blocked readers (redis p99 ÷ minivalkey p99; {data['mode']} run)", bars


def memory_section(data: dict[str, Any]) -> Section:
    servers = data["servers"]
    bars = []
    if "minivalkey" in servers and "redis" in servers:
        ratio = servers["redis"]["used_per_entry"] / servers["minivalkey"]["rss_per_entry"]
        bars.append(
            Bar(
                f"memory per entry, {data['entries']:,} entries",
                ratio,
                figures.MEMORY_TARGET,
            )
        )
    return "memory (redis used_memory ÷ minivalkey RSS)", bars


TYPE_NAMES = {"hash": "hash", "list": "list", "set": "set", "zset": "sorted set"}


def type_memory_section(data: dict[str, Any]) -> Section:
    bars = []
    for kind, got in data["types"].items():
        servers = got["servers"]
        if "minivalkey" in servers and "redis" in servers:
            name = (
                f"memory per element, {TYPE_NAMES.get(kind, kind)}, {data['elements']:,} elements"
            )
            ratio = servers["redis"]["used_per_element"] / servers["minivalkey"]["rss_per_element"]
            bars.append(Bar(name, ratio, figures.TARGETS.get(name)))
    return "data-type memory (redis used_memory ÷ minivalkey RSS)", bars


SOURCES = {
    "bench": bench_section,
    "group_workloads": group_section,
    "blocking_latency": wakeup_section,
    "stream_memory": memory_section,
    "type_memory": type_memory_section,
}


def collect() -> tuple[list[Section], list[str]]:
    """The sections with figures, and the names of the JSON files that were missing."""
    sections, missing = [], []
    for name, build in SOURCES.items():
        data = figures.load(name)
        if data is None:
            missing.append(name)
            continue
        title, bars = build(data)
        if bars:
            sections.append((f"{title}, {data['date'][:10]}", bars))
    return sections, missing


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # headless: no display needed
    import matplotlib.pyplot as plt

    return plt


def draw_ratios(sections: Sequence[Section], path: Path) -> None:
    plt = _pyplot()
    labels: list[str] = []
    rows: list[Bar | None] = []  # None: a section title
    for title, bars in sections:
        labels.append(title)
        rows.append(None)
        for one in bars:
            labels.append(one.label)
            rows.append(one)
    top = max([1.2] + [row.ratio * 1.15 for row in rows if row])
    fig, ax = plt.subplots(figsize=(11, 0.36 * len(rows) + 1.6))
    for y, bar in enumerate(rows):
        if bar is None:
            continue
        if bar.target is None:
            color = GREY
        else:
            color = GREEN if bar.ratio >= bar.target else RED
        ax.barh(y, bar.ratio, height=0.7, color=color)
        right = max(bar.ratio, bar.target or 0.0)  # the value never sits on the target mark
        ax.text(right + top * 0.012, y, f"{bar.ratio:.2f}", va="center", fontsize=8)
        if bar.target is not None:
            ax.vlines(bar.target, y - 0.45, y + 0.45, colors="black", linewidth=2)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    for tick, row in zip(ax.get_yticklabels(), rows, strict=True):
        if row is None:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, top)
    ax.set_xlabel("minivalkey ÷ redis-server (higher is better; dashed: parity)")
    ax.set_title(
        "minivalkey against redis-server, same machine, same run\n"
        "black mark: target (green: met, red: not met, grey: no target)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


SCALING_OPERATIONS = ("XADD", "XRANGE COUNT 10", "XACK", "XDEL")
FLOOR = "PING (client floor)"


def draw_scaling(data: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    sizes = data["sizes"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    for ax, operation in zip(axes.flat, SCALING_OPERATIONS, strict=True):
        for key, label in data["labels"].items():
            values = data["ns_per_call"][key].get(operation)
            if not values:
                continue
            points = [(n, v / 1000) for n, v in zip(sizes, values, strict=True) if v is not None]
            style = "-" if key.startswith("wire:") else "--"
            ax.plot(*zip(*points, strict=True), style, marker="o", markersize=4, label=label)
        floor = data["ns_per_call"].get("wire:redis", {}).get(FLOOR)
        if floor:
            ax.plot(sizes, [v / 1000 for v in floor], ":", color="grey", label=f"{FLOOR}, redis")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_title(operation, fontsize=10)
        ax.set_ylabel("µs per call")
        ax.grid(True, which="major", alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("entries in the stream")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    fig.suptitle(
        f"Cost per call against stream size ({data['calls']:,} calls a figure; "
        f"{data['date'][:10]})",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0.09, 1, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=HERE, help="where the PNGs go")
    args = parser.parse_args(argv)
    try:
        _pyplot()
    except ImportError:
        parser.error("matplotlib is missing: pip install -e '.[bench]'")
    sections, missing = collect()
    for name in missing:
        print(f"no {figures.path_of(name)}: run benchmarks/{name}.py --write", file=sys.stderr)
    written = []
    if sections:
        draw_ratios(sections, args.out_dir / "ratios.png")
        written.append(args.out_dir / "ratios.png")
    costs = figures.load("stream_costs")
    if costs is None:
        print(f"no {figures.path_of('stream_costs')}: no scaling chart", file=sys.stderr)
    else:
        draw_scaling(costs, args.out_dir / "scaling.png")
        written.append(args.out_dir / "scaling.png")
    if not written:
        print("nothing to draw", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
