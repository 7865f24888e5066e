"""Sans-IO RESP codec: request parsing and reply encoding.

Requests
--------
``make_parser()`` returns an object with ``feed(data) -> list[list[bytes]]``.
Each call returns every complete command in the data fed so far, in order. When
the input breaks the protocol, ``feed`` still returns the commands that came
before the fault and sets ``parser.error`` to Valkey's message (without the
``ERR`` prefix); the caller answers those commands, then the error, then closes
the connection. After an error the parser accepts nothing more.

Two parsers share these semantics:

* ``PureRequestParser`` follows Valkey's ``processMultibulkBuffer`` and
  ``processInlineBuffer`` byte for byte, inline commands included.
* ``HiredisRequestParser`` lets hiredis split multibulk requests. hiredis
  accepts more than Valkey (RESP3 types, ``+x`` read like a bulk string, larger
  counts and lengths, unbounded lines), so every command it returns is checked
  against the bytes it came from, and an incomplete one is checked as it
  arrives. Whenever the input is not a plain array of bulk strings (an inline
  command, a negative bulk length, a nested type, a limit crossed), the bytes
  from that command on go to a pure parser, which then serves the connection,
  so both parsers return the same commands and errors for every input.

Limits follow Valkey: ``max_bulk_len`` is ``proto-max-bulk-len`` and may change
between feeds (CONFIG SET reaches open connections). While ``unauthenticated``
is set (a password is required and the client has not given it), a count above
10 or a bulk length above 16384 is a protocol error. Because a command earlier in
the same feed may authenticate the client, a parser that meets such a line after
returning a command in that feed *stalls* instead: it keeps the bytes from that
command on, returns what it has, and sets ``stalled``; the caller runs the
commands, updates ``unauthenticated`` and calls ``feed(b"")`` to go on. Data fed
while stalled is only stored. ``buffered`` is what Valkey calls the query buffer
(bytes received and not yet parsed; a bulk's header is parsed once complete, so
a large argument in progress counts its payload so far) and ``bulk_remaining``
how much of a large (32 KiB or more) argument is still to come.

Valkey's quirks are kept on purpose: the two bytes after a bulk payload and the
byte after the ``\r`` ending a count or length line are skipped unchecked, and a
NUL byte in a line hides its terminator (Valkey searches with ``strchr``), so
the server keeps waiting. An error text is ``str``; the byte in "expected '$',
got 'X'" is the byte decoded with ``surrogateescape`` (CR and LF become spaces,
as in Valkey), so encoding it back with ``surrogateescape`` restores the byte.

Replies
-------
``encode(value, protocol)`` returns the bytes of one reply value (see
``replies``) in RESP2 (``protocol == 2``) or RESP3 (``protocol == 3``).
"""

from __future__ import annotations

from .base import (
    DEFAULT_PROTO_MAX_BULK_LEN,
    PROTO_INLINE_MAX_SIZE,
    PROTO_MAX_MULTIBULK_LEN,
    PROTO_MBULK_BIG_ARG,
    UNAUTHENTICATED_MAX_BULK_LEN,
    UNAUTHENTICATED_MAX_MULTIBULK_LEN,
    RequestParser,
)
from .bridge import HAVE_HIREDIS, HiredisRequestParser
from .encoder import encode, format_double
from .pure import PureRequestParser, split_inline_args

__all__ = [
    "DEFAULT_PROTO_MAX_BULK_LEN",
    "HAVE_HIREDIS",
    "PROTO_INLINE_MAX_SIZE",
    "PROTO_MAX_MULTIBULK_LEN",
    "PROTO_MBULK_BIG_ARG",
    "UNAUTHENTICATED_MAX_BULK_LEN",
    "UNAUTHENTICATED_MAX_MULTIBULK_LEN",
    "HiredisRequestParser",
    "PureRequestParser",
    "RequestParser",
    "encode",
    "format_double",
    "make_parser",
    "split_inline_args",
]


def make_parser(
    max_bulk_len: int = DEFAULT_PROTO_MAX_BULK_LEN, use_hiredis: bool | None = None
) -> RequestParser:
    """The fastest parser available (hiredis unless disabled or missing)."""
    if use_hiredis is None:
        use_hiredis = HAVE_HIREDIS
    if use_hiredis and HAVE_HIREDIS:
        return HiredisRequestParser(max_bulk_len)
    return PureRequestParser(max_bulk_len)
