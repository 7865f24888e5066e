"""Ziplists, zipmaps and intsets: the older packed encodings RESTORE still accepts,
and the intset sets are still dumped in.

Ziplist (RDB types 10, 12, 13 and the nodes of quicklist 14): total bytes and the
tail offset (uint32 LE), the entry count (uint16 LE), entries, 0xFF. An entry is
the previous entry's size (1 byte, or 0xFE + uint32 LE), then its encoding:
``00xxxxxx`` / ``01xxxxxx xxxxxxxx`` (big endian) / ``10xxxxxx`` + uint32 BE: a string of
that length; ``0xC0``/``0xD0``/``0xE0``/``0xF0``/``0xFE``: a signed integer of
16/32/64/24/8 bits (LE); ``0xF1``..``0xFD``: the integers 0..12 themselves. Valkey
validates every ziplist deeply whatever ``sanitize-dump-payload`` says
(ziplistValidateIntegrity): each previous-size right, the tail offset at the last
entry, the count (unless 65535) right.

Zipmap (RDB type 9, hashes of Redis 2.x): a count byte, then for each pair the
field's length (1 byte, or 254 + uint32 LE), the field, the value's length, one
byte of free space, the value and that free space; 0xFF. Validated deeply too.

Intset (RDB type 11): the width of its integers (2, 4 or 8, uint32 LE), their
count (uint32 LE), and the integers ascending (LE). Valkey checks the header and
the size always and, with deep sanitization, that the integers ascend strictly;
they must here in every case (a set cannot hold an unordered intset).
"""

from __future__ import annotations

from .io import RdbError

_ZIP_END = 0xFF
_ZIP_HEADER = 10
_INT_WIDTHS = {0xC0: 2, 0xD0: 4, 0xE0: 8, 0xF0: 3, 0xFE: 1}


def parse_ziplist(data: bytes) -> list[bytes | int]:
    """The entries of a ziplist (``int`` for integer encodings)."""
    size = len(data)
    if size < _ZIP_HEADER + 1:
        raise RdbError("ziplist too short")
    if int.from_bytes(data[0:4], "little") != size or data[-1] != _ZIP_END:
        raise RdbError("ziplist header does not match its size")
    tail = int.from_bytes(data[4:8], "little")
    if tail > size - 1:
        raise RdbError("ziplist tail outside the ziplist")
    header_count = int.from_bytes(data[8:10], "little")
    last = size - 1
    entries: list[bytes | int] = []
    pos = _ZIP_HEADER
    previous_size = 0
    previous_pos = -1
    while data[pos] != _ZIP_END:
        start = pos
        if data[pos] < 0xFE:
            prevlen = data[pos]
            pos += 1
        else:
            if pos + 5 > last:
                raise RdbError("ziplist entry outside the ziplist")
            prevlen = int.from_bytes(data[pos + 1 : pos + 5], "little")
            pos += 5
        if pos > last:
            raise RdbError("ziplist entry outside the ziplist")
        encoding = data[pos]
        kind = encoding >> 6
        if kind == 0:
            length = encoding & 0x3F
            pos += 1
        elif kind == 1:
            if pos + 2 > last:
                raise RdbError("ziplist entry outside the ziplist")
            length = (encoding & 0x3F) << 8 | data[pos + 1]
            pos += 2
        elif kind == 2:
            # any 10xxxxxx byte is the 32-bit length (Valkey masks the low bits away)
            if pos + 5 > last:
                raise RdbError("ziplist entry outside the ziplist")
            length = int.from_bytes(data[pos + 1 : pos + 5], "big")
            pos += 5
        else:
            length = -1
            pos += 1
        if length >= 0:
            if pos + length > last:
                raise RdbError("ziplist entry outside the ziplist")
            entries.append(data[pos : pos + length])
            pos += length
        elif 0xF1 <= encoding <= 0xFD:
            entries.append((encoding & 0x0F) - 1)
        else:
            width = _INT_WIDTHS.get(encoding)
            if width is None:
                raise RdbError("invalid ziplist encoding")
            if pos + width > last:
                raise RdbError("ziplist entry outside the ziplist")
            entries.append(int.from_bytes(data[pos : pos + width], "little", signed=True))
            pos += width
        if prevlen != previous_size or start - prevlen < _ZIP_HEADER:
            raise RdbError("ziplist previous entry size is wrong")
        previous_size = pos - start
        previous_pos = start
    if pos != last:
        raise RdbError("ziplist terminator before its end")
    if previous_pos >= 0 and previous_pos != tail:
        raise RdbError("ziplist tail offset is wrong")
    if header_count != 0xFFFF and header_count != len(entries):
        raise RdbError("ziplist entry count does not match its header")
    return entries


def parse_zipmap(data: bytes) -> list[tuple[bytes, bytes]]:
    """The field/value pairs of a zipmap."""
    size = len(data)
    if size < 2 or data[-1] != _ZIP_END:
        raise RdbError("zipmap header does not match its size")
    last = size - 1
    pairs: list[tuple[bytes, bytes]] = []
    pos = 1

    def read_length() -> int:
        nonlocal pos
        first = data[pos]
        width = 1 if first < 254 else 5
        if pos + width > last:
            raise RdbError("zipmap entry outside the zipmap")
        length = first if first < 254 else int.from_bytes(data[pos + 1 : pos + 5], "little")
        pos += width
        return length

    while data[pos] != _ZIP_END:
        field_length = read_length()
        field = data[pos : pos + field_length]
        pos += field_length
        if pos > last:
            raise RdbError("zipmap entry outside the zipmap")
        value_length = read_length()
        free = data[pos]
        pos += 1
        value = data[pos : pos + value_length]
        pos += value_length + free
        if pos > last:
            raise RdbError("zipmap entry outside the zipmap")
        pairs.append((field, value))
    if not pairs:
        raise RdbError("empty zipmap")
    if data[0] != 254 and data[0] != len(pairs):
        raise RdbError("zipmap count does not match its entries")
    return pairs


def build_intset(values: list[int]) -> bytes:
    """The intset of ``values`` (ascending), at the narrowest width that holds them."""
    width = 2
    if values:
        low, high = values[0], values[-1]
        if low < -(2**31) or high >= 2**31:
            width = 8
        elif low < -(2**15) or high >= 2**15:
            width = 4
    mask = (1 << 8 * width) - 1
    body = b"".join((value & mask).to_bytes(width, "little") for value in values)
    return width.to_bytes(4, "little") + len(values).to_bytes(4, "little") + body


def parse_intset(data: bytes) -> list[int]:
    """The integers of an intset, checked to ascend strictly."""
    if len(data) < 8:
        raise RdbError("intset too short")
    width = int.from_bytes(data[0:4], "little")
    if width not in (2, 4, 8):
        raise RdbError("invalid intset encoding")
    count = int.from_bytes(data[4:8], "little")
    if 8 + count * width != len(data):
        raise RdbError("intset size does not match its count")
    if not count:
        raise RdbError("empty intset")
    values = [
        int.from_bytes(data[pos : pos + width], "little", signed=True)
        for pos in range(8, len(data), width)
    ]
    for previous, current in zip(values, values[1:], strict=False):
        if current <= previous:
            raise RdbError("intset out of order")
    return values
