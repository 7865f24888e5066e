"""LZF, the compression of RDB strings (Valkey's ``RDB_ENC_LZF``).

The format: a control byte ``000LLLLL`` starts a run of L+1 literal bytes;
``LLLooooo oooooooo`` copies L+2 bytes (L of 1..6) from ``o+1`` bytes back;
``111ooooo LLLLLLLL oooooooo`` copies L+9 bytes.

``compress`` produces the bytes liblzf's compressor produces as Valkey builds it
(a 2**16 slot hash table over three-byte windows, the "very fast" re-hashing of two
positions after a match, matches of at most 264 bytes within 8 KiB, a position 0
never referenced), and gives up (``None``) exactly when it would, i.e. when the
output would not fit in ``limit`` bytes. Valkey leaves its hash table
uninitialised between calls, so a stale slot may on rare inputs make it choose
another (equally valid) match; here the table starts empty every time.

``decompress`` follows lzf_decompress's checks: a run or copy that would pass the
expected size, a copy reaching before the start, or input ending inside an
instruction is an error (``None``), as is an output shorter than expected.

Invariant: a leaf module (no imports of the server).
"""

from __future__ import annotations

_MAX_LIT = 1 << 5
_MAX_OFF = 1 << 13
_MAX_REF = (1 << 8) + (1 << 3)
_HSIZE_MASK = (1 << 16) - 1


def compress(data: bytes, limit: int) -> bytes | None:
    """``data`` compressed into at most ``limit`` bytes, or ``None`` when it does not fit."""
    in_len = len(data)
    if not in_len or not limit:
        return None
    out = bytearray(limit + 8)
    op = 1  # the first literal run's control byte is at 0
    lit = 0
    ip = 0
    table: dict[int, int] = {}
    hval = (data[0] << 8) | data[1] if in_len > 1 else data[0] << 8
    end = in_len - 2
    while ip < end:
        hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
        slot = ((hval >> 8) - hval * 5) & _HSIZE_MASK
        ref = table.get(slot, -1)
        table[slot] = ip
        off = ip - ref - 1
        if (
            ref > 0
            and off < _MAX_OFF
            and data[ref + 2] == data[ip + 2]
            and data[ref] == data[ip]
            and data[ref + 1] == data[ip + 1]
        ):
            length = 2
            maxlen = in_len - ip - length
            if maxlen > _MAX_REF:
                maxlen = _MAX_REF
            if op + 4 >= limit and op - (0 if lit else 1) + 4 >= limit:
                return None
            out[op - lit - 1] = lit - 1 & 0xFF
            if not lit:
                op -= 1
            if maxlen > 16:
                # sixteen comparisons before the length is checked, as liblzf unrolls them
                matched = True
                for _ in range(16):
                    length += 1
                    if data[ref + length] != data[ip + length]:
                        matched = False
                        break
                if matched:
                    length += 1
                    while length < maxlen and data[ref + length] == data[ip + length]:
                        length += 1
            else:
                length += 1
                while length < maxlen and data[ref + length] == data[ip + length]:
                    length += 1
            length -= 2  # now the number of bytes minus one
            ip += 1
            if length < 7:
                out[op] = (off >> 8) + (length << 5)
                op += 1
            else:
                out[op] = (off >> 8) + (7 << 5)
                out[op + 1] = length - 7
                op += 2
            out[op] = off & 0xFF
            op += 1
            lit = 0
            op += 1  # the next literal run's control byte
            ip += length + 1
            if ip >= end:
                break
            ip -= 2
            hval = (data[ip] << 8) | data[ip + 1]
            hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
            table[((hval >> 8) - hval * 5) & _HSIZE_MASK] = ip
            ip += 1
            hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
            table[((hval >> 8) - hval * 5) & _HSIZE_MASK] = ip
            ip += 1
        else:
            if op >= limit:
                return None
            lit += 1
            out[op] = data[ip]
            op += 1
            ip += 1
            if lit == _MAX_LIT:
                out[op - lit - 1] = lit - 1
                lit = 0
                op += 1
    if op + 3 > limit:
        return None
    while ip < in_len:
        lit += 1
        out[op] = data[ip]
        op += 1
        ip += 1
        if lit == _MAX_LIT:
            out[op - lit - 1] = lit - 1
            lit = 0
            op += 1
    out[op - lit - 1] = lit - 1 & 0xFF
    if not lit:
        op -= 1
    return bytes(out[:op])


def decompress(data: bytes | memoryview, expected: int) -> bytes | None:
    """The ``expected`` bytes ``data`` decompresses to, or ``None`` when it is invalid."""
    if expected == 0:
        # lzf_decompress answers 0 for any input here, which equals the expected size
        return b""
    out = bytearray()
    ip = 0
    in_len = len(data)
    while ip < in_len:
        ctrl = data[ip]
        ip += 1
        if ctrl < 32:
            ctrl += 1
            if len(out) + ctrl > expected or ip + ctrl > in_len:
                return None
            out += data[ip : ip + ctrl]
            ip += ctrl
            continue
        length = ctrl >> 5
        back = ((ctrl & 0x1F) << 8) + 1
        if ip >= in_len:
            return None
        if length == 7:
            length += data[ip]
            ip += 1
            if ip >= in_len:
                return None
        back += data[ip]
        ip += 1
        length += 2
        if len(out) + length > expected:
            return None
        start = len(out) - back
        if start < 0:
            return None
        if back >= length:
            out += out[start : start + length]
        else:  # an overlapping copy repeats the last ``back`` bytes
            chunk = out[start:]
            while length > 0:
                piece = chunk[:length]
                out += piece
                length -= len(piece)
                chunk = out[start:]
    if len(out) != expected:
        return None
    return bytes(out)
