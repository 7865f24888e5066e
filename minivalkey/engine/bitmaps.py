"""Bit-level work on string values for SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD.

Bit 0 is the most significant bit of the first byte; a string reads as zeros past
its end. Ranges arrive already clamped to the string (see ``clamp_range``), in bits.

BITFIELD arithmetic follows Valkey's 64-bit C code, wrap-arounds of its intermediate
values included (``_wrap``), so the overflow verdicts (and SAT's choice of limit)
are the ones Valkey reaches even for values far outside a field's range.

Invariant: every function is pure (``bytes`` in, numbers or new ``bytes`` out, or an
edit of a ``bytearray`` the caller owns); a leaf module.
"""

from __future__ import annotations

_U64 = (1 << 64) - 1
INT64_MAX = (1 << 63) - 1

WRAP, SAT, FAIL = 0, 1, 2


def _wrap(value: int) -> int:
    """``value`` as C's int64_t holds it after unsigned 64-bit arithmetic."""
    value &= _U64
    return value - (1 << 64) if value >> 63 else value


def clamp_range(start: int, end: int, total: int) -> tuple[int, int]:
    """Valkey's index conversion: negatives count from ``total``, then both are
    clamped into the string; ``start > end`` means an empty range."""
    if start < 0:
        start += total
    if end < 0:
        end += total
    start = max(start, 0)
    end = max(end, 0)
    if end >= total:
        end = total - 1
    return start, end


def count_bits(data: bytes, first_bit: int, last_bit: int) -> int:
    """The set bits among bits ``first_bit..last_bit`` (inclusive) of ``data``."""
    if first_bit > last_bit:
        return 0
    first_byte, last_byte = first_bit >> 3, last_bit >> 3
    chunk = int.from_bytes(data[first_byte : last_byte + 1], "big")
    width = (last_byte - first_byte + 1) * 8
    skip_head = first_bit & 7
    skip_tail = 7 - (last_bit & 7)
    chunk >>= skip_tail
    chunk &= (1 << (width - skip_head - skip_tail)) - 1
    return chunk.bit_count()


def first_bit(data: bytes, bit: int, first: int, last: int) -> int:
    """The position of the first bit equal to ``bit`` among bits ``first..last``
    (inclusive) of ``data``, or -1."""
    if first > last:
        return -1
    first_byte, last_byte = first >> 3, last >> 3
    width = (last_byte - first_byte + 1) * 8
    chunk = int.from_bytes(data[first_byte : last_byte + 1], "big")
    skip_tail = 7 - (last & 7)
    size = width - (first & 7) - skip_tail
    chunk = (chunk >> skip_tail) & ((1 << size) - 1)
    if bit == 0:
        chunk ^= (1 << size) - 1
    if chunk == 0:
        return -1
    return first + size - chunk.bit_length()


def bit_operation(op: str, sources: list[bytes]) -> bytes:
    """BITOP of ``sources`` (shorter ones read as zero-padded) over the longest length."""
    length = max(len(source) for source in sources)
    numbers = [int.from_bytes(source.ljust(length, b"\0"), "big") for source in sources]
    result = numbers[0]
    if op == "not":
        result ^= (1 << (8 * length)) - 1
    elif op == "and":
        for number in numbers[1:]:
            result &= number
    elif op == "or":
        for number in numbers[1:]:
            result |= number
    else:
        for number in numbers[1:]:
            result ^= number
    return result.to_bytes(length, "big")


# -- BITFIELD ---------------------------------------------------------------------------


def get_unsigned(data: bytes | bytearray, offset: int, bits: int) -> int:
    """The ``bits``-wide unsigned field at bit ``offset`` (zeros past the end)."""
    first_byte, last_byte = offset >> 3, (offset + bits - 1) >> 3
    chunk = data[first_byte : last_byte + 1]
    size = last_byte - first_byte + 1
    number = int.from_bytes(bytes(chunk).ljust(size, b"\0"), "big")
    shift = size * 8 - (offset & 7) - bits
    return (number >> shift) & ((1 << bits) - 1)


def get_signed(data: bytes | bytearray, offset: int, bits: int) -> int:
    value = get_unsigned(data, offset, bits)
    return value - (1 << bits) if value >> (bits - 1) else value


def set_field(data: bytearray, offset: int, bits: int, value: int) -> None:
    """Write the low ``bits`` bits of ``value`` at bit ``offset`` (inside ``data``)."""
    first_byte, last_byte = offset >> 3, (offset + bits - 1) >> 3
    size = last_byte - first_byte + 1
    number = int.from_bytes(data[first_byte : last_byte + 1], "big")
    shift = size * 8 - (offset & 7) - bits
    mask = ((1 << bits) - 1) << shift
    number = (number & ~mask) | ((value << shift) & mask)
    data[first_byte : last_byte + 1] = number.to_bytes(size, "big")


def unsigned_overflow(value: int, incr: int, bits: int, behaviour: int) -> tuple[int, int]:
    """Valkey's checkUnsignedBitfieldOverflow: (verdict 0/1/-1, the value to store
    when the verdict is not 0 and ``behaviour`` is WRAP or SAT). ``value`` is the
    unsigned 64-bit field content or operand, ``incr`` a signed 64-bit increment."""
    maximum = (1 << bits) - 1
    max_incr = _wrap(maximum - value)
    min_incr = _wrap(-value)
    if value > maximum or (incr > 0 and incr > max_incr):
        verdict, limit = 1, maximum
    elif incr < 0 and incr < min_incr:
        verdict, limit = -1, 0
    else:
        return 0, 0
    if behaviour == WRAP:
        limit = (value + incr) & maximum
    return verdict, limit


def signed_overflow(value: int, incr: int, bits: int, behaviour: int) -> tuple[int, int]:
    """Valkey's checkSignedBitfieldOverflow, with its 64-bit wrap-arounds."""
    maximum = INT64_MAX if bits == 64 else (1 << (bits - 1)) - 1
    minimum = -maximum - 1
    max_incr = _wrap(maximum - value)
    min_incr = _wrap(minimum - value)
    if (
        value > maximum
        or (bits != 64 and incr > max_incr)
        or (value >= 0 and incr > 0 and incr > max_incr)
    ):
        verdict, limit = 1, maximum
    elif (
        value < minimum
        or (bits != 64 and incr < min_incr)
        or (value < 0 and incr < 0 and incr < min_incr)
    ):
        verdict, limit = -1, minimum
    else:
        return 0, 0
    if behaviour == WRAP:
        total = (value + incr) & _U64
        if bits < 64:
            high = _U64 ^ ((1 << bits) - 1)
            total = total | high if total >> (bits - 1) & 1 else total & ~high
        limit = _wrap(total)
    return verdict, limit
