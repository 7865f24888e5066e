"""Stream IDs as packed integers, and Valkey's rules for parsing them.

An ID ``ms-seq`` (two unsigned 64-bit numbers) is stored as the single integer
``ms << 64 | seq``, so IDs compare, sort and bisect as plain ints. ``MAX_ID`` is
``18446744073709551615-18446744073709551615``.

Parsing follows Valkey's ``streamGenericParseIDOrReply``: at most 127 bytes, cut at
the first NUL byte, split at the first ``-``; each part is an unsigned 64-bit
number read first strictly and then with C ``strtoull``'s leniency (leading
blanks, a sign, leading zeros), so ``01-02`` is ``1-2`` and ``1- -1`` wraps to
``1-18446744073709551615``. Errors raise ``CommandError`` with Valkey's text.
Only XADD's ID takes the ``<ms>-*`` form (``parse_id_with_auto``).
"""

from __future__ import annotations

from ..commands.args import c_bytes, parse_int_or_none
from ..errors import INVALID_END_ID, INVALID_START_ID, INVALID_STREAM_ID, CommandError

U64 = 2**64 - 1
MAX_ID = (U64 << 64) | U64
MIN_ID = 0

# Valkey refuses an ID argument longer than this before reading it.
_MAX_ID_ARGUMENT = 127

_BLANKS = b" \t\n\v\f\r"


def make_id(ms: int, seq: int) -> int:
    return (ms << 64) | seq


def format_id(stream_id: int) -> bytes:
    """An ID as Valkey prints it: ``b"<ms>-<seq>"``."""
    return b"%d-%d" % (stream_id >> 64, stream_id & U64)


def id_bulk(stream_id: int) -> bytes:
    """The RESP bulk string of an ID (identical in RESP2 and RESP3)."""
    text = format_id(stream_id)
    return b"$%d\r\n%s\r\n" % (len(text), text)


def _parse_u64(text: bytes) -> int | None:
    """Valkey's string2ull: the strict signed parser first, then strtoull's rules."""
    if text.isdigit():  # the usual case; strtoull also takes leading zeros
        value = int(text)
        return value if value <= U64 else None
    if parse_int_or_none(text) is not None:
        return None  # a negative number: string2ull refuses it without trying strtoull
    body = text.lstrip(_BLANKS)
    negative = False
    if body[:1] in (b"+", b"-"):
        negative = body[:1] == b"-"
        body = body[1:]
    if not body or not body.isdigit():
        return None
    value = int(body)
    if value > U64:
        return None
    return (-value) & U64 if negative else value


def parse_id(raw: bytes, missing_seq: int = 0, strict: bool = True) -> int:
    """Parse an ID argument.

    With ``strict`` the bare ``-`` and ``+`` are refused; otherwise they mean the
    smallest and the largest ID. ``missing_seq`` is the sequence of ``<ms>`` alone.
    """
    ms_text, dash, seq_text = raw.partition(b"-")
    if dash and ms_text.isdigit() and seq_text.isdigit() and len(raw) <= 41:
        # The usual "<ms>-<seq>" in plain digits (leading zeros are fine for strtoull).
        high, low = int(ms_text), int(seq_text)
        if high <= U64 and low <= U64:
            return (high << 64) | low
    if len(raw) > _MAX_ID_ARGUMENT:
        raise CommandError(INVALID_STREAM_ID)
    text = c_bytes(raw)
    if text == b"-" or text == b"+":
        if strict:
            raise CommandError(INVALID_STREAM_ID)
        return MIN_ID if text == b"-" else MAX_ID
    ms_text, dash, seq_text = text.partition(b"-")
    ms = _parse_u64(ms_text)
    if ms is None:
        raise CommandError(INVALID_STREAM_ID)
    if not dash:
        return (ms << 64) | missing_seq
    seq = _parse_u64(seq_text)
    if seq is None:
        raise CommandError(INVALID_STREAM_ID)
    return (ms << 64) | seq


def parse_ids(args: list[bytes]) -> list[int]:
    """Strict IDs (XACK, XDEL), all parsed before anything changes; the first error raises.

    IDs sent together mostly share their millisecond part, so that part is converted
    once per run of equal ones; anything but plain ``<ms>-<seq>`` digits of at most 19
    each (which always fit in 64 bits) goes through ``parse_id``.
    """
    ids: list[int] = []
    last_ms_text: bytes | None = None
    high = 0
    for raw in args:
        ms_text, dash, seq_text = raw.partition(b"-")
        if ms_text != last_ms_text:
            if not (dash and ms_text.isdigit() and len(ms_text) < 20):
                ids.append(parse_id(raw, 0, strict=True))
                continue
            high = int(ms_text) << 64
            last_ms_text = ms_text
        if seq_text.isdigit() and len(seq_text) < 20:
            ids.append(high | int(seq_text))
        else:
            ids.append(parse_id(raw, 0, strict=True))
    return ids


def parse_id_with_auto(raw: bytes) -> tuple[int, bool]:
    """XADD's explicit ID: a strict ID, or ``<ms>-*`` (then the flag is True and the
    sequence part is 0: ``Stream.next_id`` picks it)."""
    if raw[-1:] == b"*" or 0 in raw:  # else it cannot end in "-*" as a C string
        text = c_bytes(raw)
        if text.endswith(b"-*") and len(raw) <= _MAX_ID_ARGUMENT:
            ms_text, _, seq_text = text.partition(b"-")
            if seq_text == b"*":  # the first "-" is the one before "*"
                ms = _parse_u64(ms_text)
                if ms is None:
                    raise CommandError(INVALID_STREAM_ID)
                return ms << 64, True
    return parse_id(raw), False


def parse_range_start(raw: bytes) -> int:
    """A range's low bound: ``-``, an ID (missing seq 0), or ``(ID`` (exclusive)."""
    if raw == b"-":
        return MIN_ID
    if len(raw) > 1 and raw[:1] == b"(":
        value = parse_id(raw[1:], 0, strict=True)
        if value == MAX_ID:
            raise CommandError(INVALID_START_ID)
        return value + 1
    return parse_id(raw, 0, strict=False)


def parse_range_end(raw: bytes) -> int:
    """A range's high bound: ``+``, an ID (missing seq is the maximum), or ``(ID``."""
    if raw == b"+":
        return MAX_ID
    if len(raw) > 1 and raw[:1] == b"(":
        value = parse_id(raw[1:], U64, strict=True)
        if value == MIN_ID:
            raise CommandError(INVALID_END_ID)
        return value - 1
    return parse_id(raw, U64, strict=False)
