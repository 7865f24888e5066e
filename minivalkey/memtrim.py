"""Handing memory the server has freed back to the system.

CPython frees objects into the C allocator, and glibc's allocator keeps the freed
pages: after a large DEL or FLUSHALL, or when many clients leave, the process's
resident size (which INFO reports as ``used_memory``) would stay at its peak.
glibc's ``malloc_trim`` returns the free pages; the shell's cron calls
``MemoryTrimmer.tick`` and a trim runs at most every ``TRIM_EVERY_SECONDS``, much
as jemalloc's periodic purging gives Valkey's freed memory back.

Invariants: a trim only returns pages that hold no live data (nothing is moved
or freed that is in use); where there is no ``malloc_trim`` (an allocator other
than glibc's) ``tick`` does nothing. One trim costs a few milliseconds on a heap
of a few hundred MB.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable

TRIM_EVERY_SECONDS = 10.0


def _find_malloc_trim() -> Callable[[int], int] | None:
    try:
        function = ctypes.CDLL(None).malloc_trim  # the C library already loaded
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


_malloc_trim = _find_malloc_trim()


class MemoryTrimmer:
    def __init__(self, every_seconds: float = TRIM_EVERY_SECONDS) -> None:
        self.every_seconds = every_seconds
        self._next = time.monotonic() + every_seconds

    def tick(self) -> None:
        """Trim when the interval has passed since the last trim."""
        now = time.monotonic()
        if _malloc_trim is None or now < self._next:
            return
        self._next = now + self.every_seconds
        _malloc_trim(0)
