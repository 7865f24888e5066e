"""Clocks read by the engine.

Invariant: the engine never calls ``time`` itself; it reads ``clock.now_ms()``
once per command (the dispatcher stores it as the command time), so every key
expiry, idle time and generated stream ID inside one command sees one instant.
``ManualClock`` moves only when a test advances it.
"""

from __future__ import annotations

import threading
import time


class SystemClock:
    """Wall-clock time in milliseconds since the Unix epoch."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def now_us(self) -> int:
        return time.time_ns() // 1_000


class ManualClock:
    """A clock that stands still until ``advance`` or ``set`` moves it."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._now_us = (start_ms if start_ms is not None else time.time_ns() // 1_000_000) * 1000
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return self._now_us // 1000

    def now_us(self) -> int:
        return self._now_us

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (fractions allowed, in milliseconds or finer)."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._now_us += round(seconds * 1_000_000)

    def advance_ms(self, milliseconds: int) -> None:
        self.advance(milliseconds / 1000)

    def set_ms(self, now_ms: int) -> None:
        with self._lock:
            self._now_us = now_ms * 1000


Clock = SystemClock | ManualClock
