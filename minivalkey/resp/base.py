"""What both request parsers share: Valkey's protocol limits, the parser interface
and the line-level helpers (string2ll, the NUL-blind line search, the byte in an
"expected" error).

Invariant: a leaf of the codec; the limits are Valkey 8.0.1's.
"""

from __future__ import annotations

from typing import Protocol

PROTO_INLINE_MAX_SIZE = 64 * 1024
PROTO_MAX_MULTIBULK_LEN = 2**31 - 1
DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024
PROTO_MBULK_BIG_ARG = 32 * 1024  # Valkey reads an argument this large on its own
UNAUTHENTICATED_MAX_MULTIBULK_LEN = 10  # before AUTH, when a password is required
UNAUTHENTICATED_MAX_BULK_LEN = 16384

SPACES = b" \t\n\r\v\f"  # isspace(): skipped between arguments and allowed after a quote
TOKEN_END = b" \t\n\r"  # what ends an unquoted argument (\v and \f do not)


class RequestParser(Protocol):
    max_bulk_len: int
    unauthenticated: bool

    @property
    def error(self) -> str | None: ...

    @property
    def stalled(self) -> bool: ...

    @property
    def buffered(self) -> int: ...

    @property
    def bulk_remaining(self) -> int: ...

    def feed(self, data: bytes) -> list[list[bytes]]: ...


def parse_ll(raw: bytes | bytearray) -> int | None:
    """Valkey's string2ll: optional '-', digits, no leading zeros or spaces."""
    if not raw or len(raw) > 20:
        return None
    body = raw[1:] if raw[:1] == b"-" else raw
    if not body.isdigit() or (len(body) > 1 and body[:1] == b"0"):
        return None
    if raw == b"-0":
        return None
    value = int(raw)
    if value < -(2**63) or value > 2**63 - 1:
        return None
    return value


def find_line_end(buf: bytes, char: bytes, pos: int) -> int:
    """Valkey's ``strchr(querybuf + pos, char)``: the search stops at a NUL byte.

    A NUL before the terminator hides it, so Valkey keeps waiting for more data
    (until the 64 KiB limit); -1 means "not found" in that sense too.
    """
    found = buf.find(char, pos)
    if found > pos and buf.find(b"\0", pos, found) >= 0:
        return -1
    return found


def got(byte: int) -> str:
    """The character in "expected '$', got 'X'": Valkey maps CR and LF to spaces.

    Other bytes round-trip through ``surrogateescape``, the project's convention
    for client bytes inside error texts (see ``errors.as_text``).
    """
    return " " if byte in (0x0D, 0x0A) else bytes([byte]).decode("utf-8", "surrogateescape")
