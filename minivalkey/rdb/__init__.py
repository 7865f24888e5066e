"""Valkey 8.0.1's RDB serialization of single values: what DUMP writes and RESTORE reads.

``dump(value, compress)`` answers a value's DUMP payload; ``check_footer`` is
RESTORE's version and checksum test; ``load(payload, context)`` rebuilds the value,
raising ``RdbError`` for anything it refuses. The primitives are in ``io`` (lengths,
strings, times), ``lzf``, ``crc64``, ``listpack`` and ``ziplist`` (ziplists,
zipmaps, intsets); each value type's codec is in its own module (``strings``,
``lists``, ``hashes``, ``sets``, ``zsets``, ``streams``), registered by the value's class in
``registry``.

Invariants: nothing here imports a command module, RESP or asyncio; the engine
never imports this package (its value classes are looked up here); loading never
raises anything but ``RdbError`` for a malformed payload, and builds a fresh value
that shares nothing with the keyspace.
"""

from __future__ import annotations

from . import hashes, lists, sets, streams, strings, zsets  # noqa: F401  (register the codecs)
from .io import RdbError
from .payload import RDB_VERSION, check_footer, dump, load
from .registry import CODECS, LoadContext

__all__ = ["CODECS", "RDB_VERSION", "LoadContext", "RdbError", "check_footer", "dump", "load"]
