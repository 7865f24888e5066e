"""Listpacks: Valkey's packed sequence of strings and integers, built and parsed.

Layout: total bytes (uint32 LE), element count (uint16 LE, 65535 when unknown), the
elements, and 0xFF. An element is its encoding (the type and the data) followed by
its back-length, the size of the encoding in 1-5 bytes of 7 bits each, readable
from the end. Encodings:

* ``0xxxxxxx`` 7-bit unsigned; ``110xxxxx`` + 1 byte: 13-bit signed;
  ``0xF1``/``0xF2``/``0xF3``/``0xF4`` + 2/3/4/8 bytes LE: 16/24/32/64-bit signed;
* ``10xxxxxx`` string of up to 63 bytes; ``1110xxxx`` + 1 byte: up to 4095;
  ``0xF0`` + uint32 LE: longer.

``build`` encodes as Valkey's lpAppend does: a string that is the canonical text of
an int64 (lpStringToInt64) is stored as the smallest integer encoding, so a
listpack built from the same elements is byte for byte the one Valkey holds.

``parse`` answers the elements (``int`` for integer encodings, ``bytes`` for
strings). It always checks what reading needs (the header size, the terminator,
every element inside the buffer, known encodings); with ``deep`` it also checks
what Valkey's deep sanitization checks (lpValidateIntegrity): every back-length,
no terminator before the end, the element count in the header. Without ``deep``
reading stops at the first terminator, as Valkey's iteration does.
"""

from __future__ import annotations

from collections.abc import Iterable

from .io import RdbError, string_to_int

HEADER_SIZE = 6
_EOF = 0xFF
_UNKNOWN_COUNT = 0xFFFF


def _backlen(size: int) -> bytes:
    """The back-length of an element whose encoding takes ``size`` bytes."""
    if size <= 127:
        return bytes((size,))
    if size < 16383:
        return bytes((size >> 7, (size & 127) | 128))
    if size < 2097151:
        return bytes((size >> 14, ((size >> 7) & 127) | 128, (size & 127) | 128))
    if size < 268435455:
        return bytes(
            (size >> 21, ((size >> 14) & 127) | 128, ((size >> 7) & 127) | 128, (size & 127) | 128)
        )
    return bytes(
        (
            size >> 28,
            ((size >> 21) & 127) | 128,
            ((size >> 14) & 127) | 128,
            ((size >> 7) & 127) | 128,
            (size & 127) | 128,
        )
    )


def encode_int(value: int) -> bytes:
    """One integer element (encoding and back-length)."""
    if 0 <= value <= 127:
        return _SMALL_INTS[value]
    return _encode_int(value)


def _encode_int(value: int) -> bytes:
    if 0 <= value <= 127:
        return bytes((value, 1))
    if -4096 <= value <= 4095:
        unsigned = value & 0x1FFF
        return bytes((0xC0 | unsigned >> 8, unsigned & 0xFF, 2))
    if -32768 <= value <= 32767:
        return b"\xf1" + (value & 0xFFFF).to_bytes(2, "little") + b"\x03"
    if -8388608 <= value <= 8388607:
        return b"\xf2" + (value & 0xFFFFFF).to_bytes(3, "little") + b"\x04"
    if -(2**31) <= value < 2**31:
        return b"\xf3" + (value & 0xFFFFFFFF).to_bytes(4, "little") + b"\x05"
    return b"\xf4" + (value & (2**64 - 1)).to_bytes(8, "little") + b"\x09"


_SMALL_INTS = tuple(_encode_int(value) for value in range(128))

# Encodings of short strings met recently (field names, small values repeat a lot).
_SHORT_CACHE: dict[bytes, bytes] = {}
_SHORT_CACHE_SIZE = 4096
_SHORT = 32


def encode_string(data: bytes) -> bytes:
    """One string element, stored as an integer when it is one (as lpAppend does)."""
    size = len(data)
    if size <= _SHORT:
        cached = _SHORT_CACHE.get(data)
        if cached is None:
            if len(_SHORT_CACHE) >= _SHORT_CACHE_SIZE:
                _SHORT_CACHE.clear()
            cached = _SHORT_CACHE[data] = _encode_string(bytes(data))
        return cached
    return _encode_string(data)


def _encode_string(data: bytes) -> bytes:
    size = len(data)
    if size <= 20:
        value = string_to_int(data)
        if value is not None:
            return encode_int(value)
    if size < 64:
        head = bytes((0x80 | size,))
    elif size < 4096:
        head = bytes((0xE0 | size >> 8, size & 0xFF))
    else:
        head = b"\xf0" + size.to_bytes(4, "little")
    return head + data + _backlen(len(head) + size)


def build(elements: Iterable[bytes | int]) -> bytes:
    """The listpack of ``elements`` (``int`` items as integers, ``bytes`` as lpAppend)."""
    parts = [
        encode_string(item) if isinstance(item, bytes) else encode_int(item) for item in elements
    ]
    return join(parts)


def join(parts: list[bytes]) -> bytes:
    """The listpack holding the already encoded elements ``parts``."""
    body = b"".join(parts)
    total = HEADER_SIZE + len(body) + 1
    count = min(len(parts), _UNKNOWN_COUNT)
    return total.to_bytes(4, "little") + count.to_bytes(2, "little") + body + b"\xff"


def _decode_backlen(data: bytes, last: int, first: int) -> int:
    """The back-length ending at ``last`` (not reading before ``first``), -1 if invalid."""
    value = shift = 0
    pos = last
    while True:
        if pos < first:
            return -1
        byte = data[pos]
        value |= (byte & 127) << shift
        if not byte & 128:
            return value
        shift += 7
        pos -= 1
        if shift > 28:
            return -1


def parse(data: bytes, deep: bool) -> list[bytes | int]:
    """The elements of the listpack ``data`` (see the module docstring)."""
    size = len(data)
    if size < HEADER_SIZE + 1:
        raise RdbError("listpack too short")
    if int.from_bytes(data[0:4], "little") != size or data[-1] != _EOF:
        raise RdbError("listpack header does not match its size")
    elements: list[bytes | int] = []
    append = elements.append
    pos = HEADER_SIZE
    end = size - 1  # the terminator
    while True:
        first = data[pos]
        if first == _EOF:
            if pos != end:
                if deep:
                    raise RdbError("listpack terminator before its end")
            break
        start = pos
        if first < 0x80:
            append(first)
            pos += 1
        elif first < 0xC0:
            length = first & 0x3F
            pos += 1
            if pos + length > end:
                raise RdbError("listpack element outside the listpack")
            append(data[pos : pos + length])
            pos += length
        elif first < 0xE0:
            if pos + 2 > end:
                raise RdbError("listpack element outside the listpack")
            unsigned = (first & 0x1F) << 8 | data[pos + 1]
            append(unsigned - 0x2000 if unsigned >= 0x1000 else unsigned)
            pos += 2
        elif first < 0xF0:
            if pos + 2 > end:
                raise RdbError("listpack element outside the listpack")
            length = (first & 0x0F) << 8 | data[pos + 1]
            pos += 2
            if pos + length > end:
                raise RdbError("listpack element outside the listpack")
            append(data[pos : pos + length])
            pos += length
        elif first == 0xF0:
            if pos + 5 > end:
                raise RdbError("listpack element outside the listpack")
            length = int.from_bytes(data[pos + 1 : pos + 5], "little")
            pos += 5
            if pos + length > end:
                raise RdbError("listpack element outside the listpack")
            append(data[pos : pos + length])
            pos += length
        elif 0xF1 <= first <= 0xF4:
            width = (2, 3, 4, 8)[first - 0xF1]
            if pos + 1 + width > end:
                raise RdbError("listpack element outside the listpack")
            append(int.from_bytes(data[pos + 1 : pos + 1 + width], "little", signed=True))
            pos += 1 + width
        else:
            raise RdbError("unknown listpack encoding")
        encoded = pos - start
        back = _backlen(encoded)
        if pos + len(back) > end:
            raise RdbError("listpack element outside the listpack")
        pos += len(back)
        if deep and _decode_backlen(data, pos - 1, HEADER_SIZE) != encoded:
            raise RdbError("listpack back-length does not match its element")
    if deep:
        count = int.from_bytes(data[4:6], "little")
        if count != _UNKNOWN_COUNT and count != len(elements):
            raise RdbError("listpack element count does not match its header")
    return elements


def as_bytes(element: bytes | int) -> bytes:
    """An element as the string Valkey reads from it (integers in decimal)."""
    return element if isinstance(element, bytes) else b"%d" % element


def as_int(element: bytes | int) -> int | None:
    """An element as an integer (Valkey's lpGetIntegerIfValid), else ``None``."""
    if isinstance(element, int):
        return element
    return string_to_int(element)


def element_size(data: bytes) -> int:
    """The bytes ``encode_string(data)`` takes, without building it."""
    size = len(data)
    if size <= 20:
        value = string_to_int(data)
        if value is not None:
            return len(encode_int(value))
    head = 1 if size < 64 else 2 if size < 4096 else 5
    return head + size + len(_backlen(head + size))


# A listpack never grows past this (Valkey's LISTPACK_MAX_SAFETY_SIZE, lpSafeToAdd).
MAX_SAFETY_SIZE = 1 << 30
EMPTY_SIZE = HEADER_SIZE + 1
