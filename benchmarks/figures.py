"""The benchmarks' figures as small JSON files, for ``chart.py`` to draw.

Each benchmark script run with ``--write`` stores, next to its Markdown section, the
numbers behind it in ``benchmarks/results/<name>.json``: one object with ``name``,
``date`` (UTC, ISO 8601), ``machine`` (the same lines as the Markdown section) and
the script's own fields. A later run of the same script replaces the file.

Invariant: a file is written whole or not at all (written beside, then renamed), so
``chart.py`` never reads half a run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import benchlib

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# The project's targets, as minivalkey ÷ redis-server on the same machine in the same run
# (higher is better), per workload name as the scripts write it. The two "at most" targets
# are turned around to fit: wake-up p99 at most 2x redis-server's is redis ÷ minivalkey
# >= 0.5; memory per entry at most 4x is redis ÷ minivalkey >= 0.25.
TARGETS: dict[str, float] = {
    "PING": 0.9,
    "XADD 1 field": 0.9,
    "XADD 10 fields": 0.9,
    "XADD 1 field, pipeline 32": 0.6,
    "XRANGE COUNT 10": 1.0,
    "XRANGE COUNT 10, pipeline 32": 1.0,
    "XREADGROUP COUNT 10 + XACK, 4 consumers": 0.5,
}
WAKEUP_P99_TARGET = 0.5  # redis p99 ÷ minivalkey p99
MEMORY_TARGET = 0.25  # redis bytes per entry ÷ minivalkey bytes per entry


def path_of(name: str) -> Path:
    return RESULTS_DIR / f"{name}.json"


def save(name: str, data: dict[str, Any]) -> Path:
    """Store ``data`` (JSON-able) as the figures of benchmark ``name``; the file's path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    document = {
        "name": name,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": benchlib.machine_info(),
        **data,
    }
    target = path_of(name)
    scratch = target.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    os.replace(scratch, target)
    return target


def load(name: str) -> dict[str, Any] | None:
    """The figures of benchmark ``name``, or None when it has not been written yet."""
    try:
        return json.loads(path_of(name).read_text())
    except FileNotFoundError:
        return None
