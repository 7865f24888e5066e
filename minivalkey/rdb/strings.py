"""Strings in RDB: one string (RDB type 0), in any string encoding.

DUMP writes the value as rdbSaveStringObject does (an integer of up to 32 bits in
an integer encoding, a string over 20 bytes compressed when that pays, else the
bytes); RESTORE answers the bytes (integer encodings as their decimal text), whose
OBJECT ENCODING then follows from the bytes, as Valkey's tryObjectEncoding does.
"""

from __future__ import annotations

from .io import Reader, Writer
from .registry import TYPE_STRING, LoadContext, register


def save_string(writer: Writer, value: bytes) -> int:
    writer.string(value)
    return TYPE_STRING


def load_string(reader: Reader, context: LoadContext, rdb_type: int) -> bytes:
    return reader.string()


register(bytes, save_string, {TYPE_STRING: load_string})
