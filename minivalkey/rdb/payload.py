"""DUMP payloads: the value's RDB type and body, then the footer.

The footer is the RDB version (2 bytes, little endian; Valkey 8.0.1's RDB_VERSION
is 11) and the CRC-64 (``crc64``) of everything before the CRC (8 bytes, little
endian). RESTORE accepts any version up to 11 whose CRC matches (``check_footer``),
then reads the value from the start of the payload.
"""

from __future__ import annotations

from typing import Any

from .crc64 import crc64
from .io import RdbError, Reader, Writer
from .registry import CODECS, LOADERS, LoadContext, is_object_type

RDB_VERSION = 11
FOOTER_SIZE = 10


def dump(value: Any, compress: bool = True) -> bytes:
    """The DUMP payload of ``value`` (``compress``: Valkey's ``rdbcompression``)."""
    codec = CODECS[type(value)]
    writer = Writer(compress)
    writer.byte(0)  # the type, known once the body is written
    writer.out[0] = codec.save(writer, value)
    out = writer.out
    out += RDB_VERSION.to_bytes(2, "little")
    out += crc64(out).to_bytes(8, "little")
    return bytes(out)


def check_footer(payload: bytes) -> bool:
    """Valkey's verifyDumpPayload: a version this server reads and a matching CRC."""
    if len(payload) < FOOTER_SIZE:
        return False
    version = int.from_bytes(payload[-10:-8], "little")
    if version > RDB_VERSION:
        return False
    return crc64(memoryview(payload)[:-8]) == int.from_bytes(payload[-8:], "little")


def load(payload: bytes, context: LoadContext) -> Any:
    """The value a payload (whose footer was checked) holds; ``RdbError`` when it
    cannot be loaded (RESTORE's ``Bad data format``)."""
    reader = Reader(payload)
    rdb_type = reader.byte()
    if not is_object_type(rdb_type):
        raise RdbError(f"not an object type: {rdb_type}")
    loader = LOADERS.get(rdb_type)
    if loader is None:
        raise RdbError(f"RDB type {rdb_type} cannot be loaded here")
    try:
        return loader(reader, context, rdb_type)
    except RecursionError:  # pragma: no cover - nothing here recurses
        raise RdbError("nested too deeply") from None
