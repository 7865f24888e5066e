"""CRC-64 with the Jones polynomial, as the DUMP footer carries it.

The parameters are Valkey's (crc64.c): polynomial 0xad93d23594c935a9, input and
output reflected, initial value 0, no final xor; ``crc64(b"123456789")`` is
0xe9c6d914c4b8d9ca. The computation is table driven, eight bytes per step
("slicing by eight"), so a payload costs one Python iteration per eight bytes.

Invariant: a leaf module (no imports of the server).
"""

from __future__ import annotations

_REFLECTED_POLY = 0x95AC9329AC4BC9B5  # 0xad93d23594c935a9 with its bits reversed


def _make_tables() -> list[list[int]]:
    first: list[int] = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _REFLECTED_POLY if crc & 1 else crc >> 1
        first.append(crc)
    tables = [first]
    for _ in range(7):
        previous = tables[-1]
        tables.append([(value >> 8) ^ first[value & 0xFF] for value in previous])
    return tables


_T0, _T1, _T2, _T3, _T4, _T5, _T6, _T7 = _make_tables()


def crc64(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """The CRC of ``data``, continuing from ``crc`` (0 to start)."""
    view = memoryview(data).cast("B")
    length = len(view)
    whole = length - length % 8
    t0, t1, t2, t3, t4, t5, t6, t7 = _T0, _T1, _T2, _T3, _T4, _T5, _T6, _T7
    from_bytes = int.from_bytes
    for start in range(0, whole, 8):
        crc ^= from_bytes(view[start : start + 8], "little")
        crc = (
            t7[crc & 0xFF]
            ^ t6[(crc >> 8) & 0xFF]
            ^ t5[(crc >> 16) & 0xFF]
            ^ t4[(crc >> 24) & 0xFF]
            ^ t3[(crc >> 32) & 0xFF]
            ^ t2[(crc >> 40) & 0xFF]
            ^ t1[(crc >> 48) & 0xFF]
            ^ t0[crc >> 56]
        )
    for byte in view[whole:]:
        crc = t0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc
