"""The periodic hand-back of freed memory (minivalkey.memtrim)."""

from __future__ import annotations

import platform
from types import SimpleNamespace

import pytest

from minivalkey import memtrim


def test_malloc_trim_is_found_exactly_where_glibc_is_the_c_library() -> None:
    assert (memtrim._malloc_trim is not None) == (platform.libc_ver()[0] == "glibc")
    if memtrim._malloc_trim is not None:
        assert memtrim._malloc_trim(0) in (0, 1)  # 1: some memory was returned


def test_a_trim_runs_once_per_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    now = SimpleNamespace(value=100.0)
    calls: list[int] = []
    monkeypatch.setattr(memtrim, "time", SimpleNamespace(monotonic=lambda: now.value))
    monkeypatch.setattr(memtrim, "_malloc_trim", lambda pad: calls.append(pad) or 1)
    trimmer = memtrim.MemoryTrimmer(every_seconds=10.0)
    for moment in (100.0, 105.0, 109.9):
        now.value = moment
        trimmer.tick()
    assert calls == []
    now.value = 110.0
    trimmer.tick()
    trimmer.tick()
    assert calls == [0]
    now.value = 119.9
    trimmer.tick()
    now.value = 120.0
    trimmer.tick()
    assert calls == [0, 0]


def test_without_malloc_trim_a_tick_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memtrim, "_malloc_trim", None)
    trimmer = memtrim.MemoryTrimmer(every_seconds=0.0)
    trimmer.tick()  # nothing to call, nothing raised
