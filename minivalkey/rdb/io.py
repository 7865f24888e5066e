"""The RDB primitives: lengths, strings, times and doubles, written and read.

Lengths (Valkey's rdbSaveLen): ``00xxxxxx`` (6 bits), ``01xxxxxx xxxxxxxx`` (14 bits,
big endian), ``0x80`` + 4 bytes big endian, ``0x81`` + 8 bytes big endian. A first
byte ``11xxxxxx`` announces a special string encoding instead: integers of 8, 16
and 32 bits (little endian) or an LZF-compressed string (compressed length,
original length, data). Where a plain length is expected, such a byte reads as its
low six bits, as rdbLoadLen does; ``10xxxxxx`` other than 0x80/0x81 is an error.

Strings are written as Valkey's rdbSaveRawString writes them: up to 11 bytes that
are an integer (string2ll) within 32 bits as that integer; with compression on,
more than 20 bytes compressed when LZF saves at least 4 bytes (strings past
``COMPRESS_MAX`` are left as they are, see ``Writer.string``); else the length
and the bytes.

Reading never goes past the end of the buffer: a short read raises ``RdbError``,
as does every malformed encoding; nothing is allocated from a length before the
bytes are there.

Invariant: no imports of the server beyond this package.
"""

from __future__ import annotations

import struct

from . import lzf

ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF = 0, 1, 2, 3

# Strings longer than this are written uncompressed: the compressor is pure Python
# (about a second per MiB of incompressible bytes); Valkey reads either form.
COMPRESS_MAX = 1 << 20

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_U64 = 2**64 - 1


class RdbError(Exception):
    """A payload this server cannot load (RESTORE answers ``Bad data format``)."""


def int64(value: int) -> int:
    """``value`` read as a C int64 (two's complement of its low 64 bits)."""
    value &= _U64
    return value - 2**64 if value > _INT64_MAX else value


def string_to_int(data: bytes) -> int | None:
    """Valkey's string2ll: the canonical decimal spelling of an int64, else ``None``."""
    size = len(data)
    if not size or size > 20:
        return None
    first = data[0]
    if first == 0x30:
        return 0 if size == 1 else None
    body = data[1:] if first == 0x2D else data
    if not body or not 0x31 <= body[0] <= 0x39 or not body.isdigit():
        return None
    value = int(data)
    if value < _INT64_MIN or value > _INT64_MAX:
        return None
    return value


def encode_length(length: int) -> bytes:
    if length < 1 << 6:
        return bytes((length,))
    if length < 1 << 14:
        return bytes((0x40 | length >> 8, length & 0xFF))
    if length <= 0xFFFFFFFF:
        return b"\x80" + length.to_bytes(4, "big")
    return b"\x81" + length.to_bytes(8, "big")


class Writer:
    """Builds a payload (``out``); ``compress`` is Valkey's ``rdbcompression``."""

    __slots__ = ("out", "compress")

    def __init__(self, compress: bool = True) -> None:
        self.out = bytearray()
        self.compress = compress

    def byte(self, value: int) -> None:
        self.out.append(value)

    def raw(self, data: bytes) -> None:
        self.out += data

    def length(self, length: int) -> None:
        self.out += encode_length(length & _U64)

    def millis(self, value: int) -> None:
        """A millisecond time: int64 little endian."""
        self.out += (value & _U64).to_bytes(8, "little")

    def binary_double(self, value: float) -> None:
        self.out += struct.pack("<d", value)

    def integer_string(self, value: int) -> bool:
        """``value`` in one of the integer encodings when it fits 32 bits (True if written)."""
        out = self.out
        if -(1 << 7) <= value < 1 << 7:
            out.append(0xC0 | ENC_INT8)
            out += (value & 0xFF).to_bytes(1, "little")
        elif -(1 << 15) <= value < 1 << 15:
            out.append(0xC0 | ENC_INT16)
            out += (value & 0xFFFF).to_bytes(2, "little")
        elif -(1 << 31) <= value < 1 << 31:
            out.append(0xC0 | ENC_INT32)
            out += (value & 0xFFFFFFFF).to_bytes(4, "little")
        else:
            return False
        return True

    def string(self, data: bytes) -> None:
        """A string as rdbSaveRawString writes it."""
        size = len(data)
        if size <= 11:
            value = string_to_int(data)
            if value is not None and self.integer_string(value):
                return
        if self.compress and 20 < size <= COMPRESS_MAX:
            packed = lzf.compress(data, size - 4)
            if packed is not None:
                self.out.append(0xC0 | ENC_LZF)
                self.out += encode_length(len(packed))
                self.out += encode_length(size)
                self.out += packed
                return
        self.out += encode_length(size)
        self.out += data


class Reader:
    """Reads a payload from ``pos`` on (the whole DUMP payload, footer included, is
    readable, as Valkey's RESTORE reads from the buffer holding it)."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def read(self, size: int) -> bytes:
        start = self.pos
        end = start + size
        if size < 0 or end > len(self.data):
            raise RdbError("short read")
        self.pos = end
        return self.data[start:end]

    def byte(self) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise RdbError("short read")
        self.pos = pos + 1
        return self.data[pos]

    def length_or_encoding(self) -> tuple[int, bool]:
        """(length, False), or (special encoding, True) for a ``11xxxxxx`` byte."""
        first = self.byte()
        kind = first >> 6
        if kind == 3:
            return first & 0x3F, True
        if kind == 0:
            return first & 0x3F, False
        if kind == 1:
            return (first & 0x3F) << 8 | self.byte(), False
        if first == 0x80:
            return int.from_bytes(self.read(4), "big"), False
        if first == 0x81:
            return int.from_bytes(self.read(8), "big"), False
        raise RdbError(f"unknown length encoding {kind}")

    def length(self) -> int:
        """A length (unsigned 64 bits); an encoding byte reads as its low six bits."""
        return self.length_or_encoding()[0]

    def millis(self) -> int:
        return int64(int.from_bytes(self.read(8), "little"))

    def binary_double(self) -> float:
        value: float = struct.unpack("<d", self.read(8))[0]
        return value

    def string(self) -> bytes:
        """A string in any of its encodings (integers come back as decimal text)."""
        length, encoded = self.length_or_encoding()
        if not encoded:
            return self.read(length)
        if length == ENC_INT8:
            return b"%d" % int.from_bytes(self.read(1), "little", signed=True)
        if length == ENC_INT16:
            return b"%d" % int.from_bytes(self.read(2), "little", signed=True)
        if length == ENC_INT32:
            return b"%d" % int.from_bytes(self.read(4), "little", signed=True)
        if length == ENC_LZF:
            packed_size = self.length()
            size = self.length()
            packed = self.read(packed_size)
            data = lzf.decompress(packed, size)
            if data is None:
                raise RdbError("invalid LZF compressed string")
            return data
        raise RdbError(f"unknown string encoding {length}")
