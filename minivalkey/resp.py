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

import math
import re
from typing import Any, Protocol

from .replies import (
    NULL_ARRAY,
    BigNumber,
    ErrorReply,
    Map,
    PairList,
    Push,
    RawReply,
    Set,
    SimpleString,
    Verbatim,
)

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import hiredis as _hiredis
except ImportError:  # pragma: no cover
    _hiredis = None  # type: ignore[assignment]

HAVE_HIREDIS = _hiredis is not None

PROTO_INLINE_MAX_SIZE = 64 * 1024
PROTO_MAX_MULTIBULK_LEN = 2**31 - 1
DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024
PROTO_MBULK_BIG_ARG = 32 * 1024  # Valkey reads an argument this large on its own
UNAUTHENTICATED_MAX_MULTIBULK_LEN = 10  # before AUTH, when a password is required
UNAUTHENTICATED_MAX_BULK_LEN = 16384

_SPACES = b" \t\n\r\v\f"  # isspace(): skipped between arguments and allowed after a quote
_TOKEN_END = b" \t\n\r"  # what ends an unquoted argument (\v and \f do not)


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


# ---------------------------------------------------------------------------
# Inline argument splitting (the rules of Valkey's sdssplitargs)
# ---------------------------------------------------------------------------

_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("a"): 7}
_HEX = b"0123456789abcdefABCDEF"


def split_inline_args(line: bytes) -> list[bytes] | None:
    """Split an inline request line; ``None`` means unbalanced quotes."""
    if b"\0" in line:  # sdssplitargs reads a C string: a NUL ends the line
        line = line[: line.index(b"\0")]
    args: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in _SPACES:
            i += 1
        if i >= n:
            return args
        current = bytearray()
        quote = 0  # 0: none, 1: double quotes, 2: single quotes
        while True:
            if quote == 1:
                if i >= n:
                    return None
                c = line[i]
                if (
                    c == 0x5C
                    and i + 3 < n
                    and line[i + 1] == ord("x")
                    and line[i + 2] in _HEX
                    and line[i + 3] in _HEX
                ):
                    current.append(int(line[i + 2 : i + 4], 16))
                    i += 3
                elif c == 0x5C and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(line[i], line[i]))
                elif c == 0x22:
                    if i + 1 < n and line[i + 1] not in _SPACES:
                        return None
                    i += 1
                    break
                else:
                    current.append(c)
            elif quote == 2:
                if i >= n:
                    return None
                c = line[i]
                if c == 0x5C and i + 1 < n and line[i + 1] == 0x27:
                    i += 1
                    current.append(0x27)
                elif c == 0x27:
                    if i + 1 < n and line[i + 1] not in _SPACES:
                        return None
                    i += 1
                    break
                else:
                    current.append(c)
            else:
                if i >= n:
                    break
                c = line[i]
                if c in _TOKEN_END:
                    break
                if c == 0x22:
                    quote = 1
                elif c == 0x27:
                    quote = 2
                else:
                    current.append(c)
            i += 1
        args.append(bytes(current))


def _parse_ll(raw: bytes | bytearray) -> int | None:
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


def _find_line_end(buf: bytes, char: bytes, pos: int) -> int:
    """Valkey's ``strchr(querybuf + pos, char)``: the search stops at a NUL byte.

    A NUL before the terminator hides it, so Valkey keeps waiting for more data
    (until the 64 KiB limit); -1 means "not found" in that sense too.
    """
    found = buf.find(char, pos)
    if found > pos and buf.find(b"\0", pos, found) >= 0:
        return -1
    return found


def _got(byte: int) -> str:
    """The character in "expected '$', got 'X'": Valkey maps CR and LF to spaces.

    Other bytes round-trip through ``surrogateescape``, the project's convention
    for client bytes inside error texts (see ``errors.as_text``).
    """
    return " " if byte in (0x0D, 0x0A) else bytes([byte]).decode("utf-8", "surrogateescape")


class PureRequestParser:
    """A pure-Python request parser with Valkey's exact rules and errors.

    State between feeds is what Valkey keeps on the client: the unparsed bytes,
    the arguments of the command being read (``_args``), how many are still
    expected (``_argc``) and the length of the bulk being read (``_bulklen``).
    While a large bulk payload arrives, chunks are only collected and joined once
    it is complete (``_need``), so a big value costs O(n), not O(n^2).
    """

    def __init__(self, max_bulk_len: int = DEFAULT_PROTO_MAX_BULK_LEN) -> None:
        self.max_bulk_len = max_bulk_len
        self.unauthenticated = False
        self.error: str | None = None
        self._stalled = False
        self._chunks: list[bytes] = []  # unparsed input, oldest first
        self._have = 0  # total length of _chunks
        self._need = 1  # parsing can progress once _have reaches this
        self._argc = 0  # arguments still expected for the current multibulk
        self._args: list[bytes] = []
        self._bulklen = -1  # length of the bulk being read, -1 before its header

    @property
    def stalled(self) -> bool:
        return self._stalled

    @property
    def buffered(self) -> int:
        return self._have

    @property
    def bulk_remaining(self) -> int:
        bulklen = self._bulklen
        if not self._argc or bulklen < PROTO_MBULK_BIG_ARG:
            return 0
        return max(0, bulklen + 2 - self._have)

    def feed(self, data: bytes) -> list[list[bytes]]:
        return self._feed(data, False)

    def _feed(self, data: bytes, after_commands: bool) -> list[list[bytes]]:
        """``feed``; ``after_commands``: the caller returns commands parsed before these bytes."""
        if self.error is not None:
            return []
        chunks = self._chunks
        if data:
            chunks.append(bytes(data))
            self._have += len(data)
        if self._stalled:
            if data:  # stored until the caller has run the commands before
                return []
            self._stalled = False
        elif not data or self._have < self._need:
            return []
        if not chunks:
            return []
        buf = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        end = len(buf)
        pos = 0
        need = 0
        commands: list[list[bytes]] = []
        error: str | None = None
        stalled = False
        cmd_start = 0  # where the command being read starts, when it started in buf
        while True:
            if not self._argc:  # at a command boundary
                if pos >= end:
                    break
                cmd_start = pos
                if buf[pos] == 0x2A:  # '*': processMultibulkBuffer, count line
                    newline = _find_line_end(buf, b"\r", pos)
                    if newline < 0:
                        if end - pos > PROTO_INLINE_MAX_SIZE:
                            error = "Protocol error: too big mbulk count string"
                        break
                    if newline + 1 >= end:  # the byte after '\r' is skipped unchecked
                        break
                    count = _parse_ll(buf[pos + 1 : newline])
                    if count is None or count > PROTO_MAX_MULTIBULK_LEN:
                        error = "Protocol error: invalid multibulk length"
                        break
                    if count > UNAUTHENTICATED_MAX_MULTIBULK_LEN and self.unauthenticated:
                        if commands or after_commands:
                            stalled = True  # an earlier command may authenticate
                        else:
                            error = "Protocol error: unauthenticated multibulk length"
                        break
                    pos = newline + 2
                    if count <= 0:  # *0 and *-1 are ignored
                        continue
                    self._argc = count
                    self._args = []
                else:  # processInlineBuffer
                    newline = _find_line_end(buf, b"\n", pos)
                    if newline < 0:
                        if end - pos > PROTO_INLINE_MAX_SIZE:
                            error = "Protocol error: too big inline request"
                        break
                    line_end = newline
                    if newline > pos and buf[newline - 1] == 0x0D:
                        line_end -= 1
                    argv = split_inline_args(buf[pos:line_end])
                    if argv is None:
                        error = "Protocol error: unbalanced quotes in request"
                        break
                    pos = newline + 1
                    if argv:  # empty lines are ignored
                        commands.append(argv)
                    continue
            if self._bulklen < 0:  # bulk count line
                if pos >= end:
                    break
                newline = _find_line_end(buf, b"\r", pos)
                if newline < 0:
                    if end - pos > PROTO_INLINE_MAX_SIZE:
                        error = "Protocol error: too big bulk count string"
                    break
                if newline + 1 >= end:
                    break
                if buf[pos] != 0x24:  # '$'
                    error = f"Protocol error: expected '$', got '{_got(buf[pos])}'"
                    break
                length = _parse_ll(buf[pos + 1 : newline])
                if length is None or length < 0 or length > self.max_bulk_len:
                    error = "Protocol error: invalid bulk length"
                    break
                if length > UNAUTHENTICATED_MAX_BULK_LEN and self.unauthenticated:
                    if commands or after_commands:
                        stalled = True  # read the command again once they have run
                        pos = cmd_start
                        self._argc = 0
                        self._args = []
                    else:
                        error = "Protocol error: unauthenticated bulk length"
                    break
                pos = newline + 2
                self._bulklen = length
            bulklen = self._bulklen
            if end - pos < bulklen + 2:  # the payload and its 2 trailing bytes
                need = bulklen + 2
                break
            self._args.append(buf[pos : pos + bulklen])
            pos += bulklen + 2  # the 2 bytes after the payload are not checked
            self._bulklen = -1
            self._argc -= 1
            if not self._argc:
                commands.append(self._args)
                self._args = []
        if error is not None:
            self.error = error
            self._chunks = []
            self._have = 0
            self._args = []
            return commands
        rest = buf[pos:] if pos else buf
        self._chunks = [rest] if rest else []
        self._have = len(rest)
        self._need = need or len(rest) + 1
        self._stalled = stalled
        return commands


_BIG_COUNT = re.compile(rb"\*[1-9][0-9]{5}")  # a count of 100000 or more
_BULK_OVERHEAD = [5 + len(str(size)) for size in range(10000)]  # "$<size>\r\n" + 2 bytes


def _bulk_walk(command: list[Any], view: bytes | bytearray, off: int) -> int:
    """Where the bulk strings of ``command`` end in ``view`` when each starts with
    ``$`` at the offset its predecessors imply (from ``off``), else -1."""
    for arg in command:
        if type(arg) is not bytes or off >= len(view) or view[off] != 0x24:
            return -1
        size = len(arg)
        off += size + 5 + len(str(size))
    return off


class HiredisRequestParser:
    """Multibulk parsing by hiredis, handing over to the pure parser on anything odd.

    hiredis accepts more than Valkey does (RESP3 types, ``+x`` read as a string,
    counts up to 2**32-1, any bulk length) and has no 64 KiB line limit, so each
    result is checked against the bytes: the parser keeps the offset of the first
    byte not yet returned as a command, and every command it returns must have
    been a ``*N`` array of ``$L`` bulk strings at exactly the offsets implied by
    the values hiredis built (hiredis reads counts and lengths with the same
    string2ll rules as Valkey, so the bytes between are then what Valkey would
    have accepted too). A command still incomplete is checked incrementally
    (``_pending_ok``) for everything Valkey would reject before it is complete.
    On any doubt the bytes from that command on are handed to a
    ``PureRequestParser`` that serves the connection from then on, which gives
    Valkey's exact behaviour, errors included.
    """

    def __init__(self, max_bulk_len: int = DEFAULT_PROTO_MAX_BULK_LEN) -> None:
        assert _hiredis is not None
        self.max_bulk_len = max_bulk_len
        self.unauthenticated = False
        self._reader: Any = _hiredis.Reader()
        self._pending = bytearray()  # bytes of the incomplete command hiredis holds
        self._scan_pos = 0  # where _pending_ok resumes, relative to _pending
        self._scan_left = -1  # bulks still to check; -1: count line not checked yet
        self._payload_start = 0  # where the payload of the last bulk checked starts
        self._fallback: PureRequestParser | None = None

    @property
    def error(self) -> str | None:
        return self._fallback.error if self._fallback is not None else None

    @property
    def stalled(self) -> bool:
        return self._fallback is not None and self._fallback.stalled

    @property
    def buffered(self) -> int:
        if self._fallback is not None:
            return self._fallback.buffered
        size = len(self._pending)
        if self._scan_left < 0:  # the count line is not complete yet
            return size
        if self._scan_pos > size:  # inside a payload: its header is parsed
            return size - self._payload_start
        return size - self._scan_pos

    @property
    def bulk_remaining(self) -> int:
        if self._fallback is not None:
            return self._fallback.bulk_remaining
        size = len(self._pending)
        if self._scan_left < 0 or self._scan_pos <= size:
            return 0
        if self._scan_pos - self._payload_start - 2 < PROTO_MBULK_BIG_ARG:
            return 0
        return self._scan_pos - size

    def feed(self, data: bytes) -> list[list[bytes]]:
        fallback = self._fallback
        if fallback is not None:
            fallback.max_bulk_len = self.max_bulk_len
            fallback.unauthenticated = self.unauthenticated
            return fallback.feed(data)
        if not data:
            return []
        # hiredis allocates the whole list as soon as it reads a count line: 16 GiB
        # and seconds of deallocation for "*2147483647". Any "*" and 6+ digits in the
        # new bytes (a payload too, rarely) sends the connection to the pure parser.
        pending = self._pending
        if pending:
            pending += data
            view: bytes | bytearray = pending
            # Bytes before _scan_pos are known payload or already checked lines.
            scan_from = max(len(view) - len(data), self._scan_pos) - 6
            big_count = _BIG_COUNT.search(view, max(0, scan_from))
        else:
            if data[0] != 0x2A:  # an inline command: the pure parser's job
                return self._hand_over([], data, 0)
            view = data
            big_count = _BIG_COUNT.search(data)
        if big_count is not None:
            self._pending = bytearray()
            return self._hand_over([], view, 0)
        reader = self._reader
        reader.feed(data)
        commands: list[list[bytes]] = []
        max_bulk_len = self.max_bulk_len
        unauthenticated = self.unauthenticated
        overhead = _BULK_OVERHEAD
        off = 0  # offset in view of the first byte not yet returned as a command
        gets = reader.gets
        while True:
            try:
                command = gets()
            except Exception:  # hiredis.ProtocolError, or anything hiredis cannot build
                return self._hand_over(commands, view, off)
            if command is False:
                break
            if type(command) is not list or view[off] != 0x2A:  # '*': else inline
                if command is None and view[off] == 0x2A:  # *-1, ignored like *0
                    off += 5
                    continue
                return self._hand_over(commands, view, off)
            argc = len(command)
            start = off
            off += 4 if argc < 10 else 5 if argc < 100 else 3 + len(str(argc))
            args_at = off
            try:
                for arg in command:
                    # Only a bulk string starts with '$': bytes, or None for "$-1",
                    # which len() rejects.
                    if view[off] != 0x24:
                        return self._hand_over(commands, view, start)
                    size = len(arg)
                    off += size + overhead[size]
            except TypeError:
                return self._hand_over(commands, view, start)
            except IndexError:  # an argument past the table's sizes: the general walk
                off = _bulk_walk(command, view, args_at)
                if off < 0:
                    return self._hand_over(commands, view, start)
            if off - start > max_bulk_len and max(map(len, command)) > max_bulk_len:
                return self._hand_over(commands, view, start)
            if unauthenticated and (
                argc > UNAUTHENTICATED_MAX_MULTIBULK_LEN
                or (
                    off - start > UNAUTHENTICATED_MAX_BULK_LEN
                    and max(map(len, command)) > UNAUTHENTICATED_MAX_BULK_LEN
                )
            ):
                return self._hand_over(commands, view, start)
            if argc:
                commands.append(command)
        if off == len(view):  # at a command boundary
            if pending:  # (with nothing pending, the scan state is already a boundary's)
                pending.clear()
                self._scan_pos = 0
                self._scan_left = -1
            return commands
        if view is data:
            self._pending = bytearray(memoryview(data)[off:])
        else:
            del pending[:off]
        if off:  # a new command started: check it from its first byte
            self._scan_pos = 0
            self._scan_left = -1
        if not self._pending_ok():
            pending_bytes = bytes(self._pending)
            self._pending = bytearray()
            return self._hand_over(commands, pending_bytes, 0)
        return commands

    def _pending_ok(self) -> bool:
        """Whether Valkey too would still be waiting on the incomplete command.

        False when the bytes so far hold anything besides a valid ``*N`` count line
        and valid ``$L`` lines, or a line longer than Valkey's 64 KiB limit.
        Payloads are skipped, so each line is looked at once however the command
        is split across reads.
        """
        buf = self._pending
        end = len(buf)
        pos = self._scan_pos
        left = self._scan_left
        if left < 0:
            if buf[0] != 0x2A:
                return False
            newline = buf.find(b"\r")
            if newline < 0:
                return end <= PROTO_INLINE_MAX_SIZE
            if newline + 1 >= end:
                return True
            if buf[newline + 1] != 0x0A:
                return False
            count = _parse_ll(buf[1:newline])
            if count is None or not 0 < count <= PROTO_MAX_MULTIBULK_LEN:
                return False
            if count > UNAUTHENTICATED_MAX_MULTIBULK_LEN and self.unauthenticated:
                return False
            left = count
            pos = newline + 2
        while left and pos < end:
            if buf[pos] != 0x24:
                return False
            newline = buf.find(b"\r", pos)
            if newline < 0:
                if end - pos > PROTO_INLINE_MAX_SIZE:
                    return False
                break
            if newline + 1 >= end:
                break
            if buf[newline + 1] != 0x0A:
                return False
            length = _parse_ll(buf[pos + 1 : newline])
            if length is None or length < 0 or length > self.max_bulk_len:
                return False
            if length > UNAUTHENTICATED_MAX_BULK_LEN and self.unauthenticated:
                return False
            self._payload_start = newline + 2
            pos = newline + 4 + length  # may lie beyond end: the payload is incomplete
            left -= 1
        self._scan_pos = pos
        self._scan_left = left
        return True

    def _hand_over(
        self, commands: list[list[bytes]], view: bytes | bytearray, off: int
    ) -> list[list[bytes]]:
        """Serve the connection with the pure parser from the command at ``off`` on."""
        pure = PureRequestParser(self.max_bulk_len)
        pure.unauthenticated = self.unauthenticated
        self._fallback = pure
        self._reader = None
        self._pending = bytearray()
        commands.extend(pure._feed(bytes(view[off:]), bool(commands)))
        return commands


def make_parser(
    max_bulk_len: int = DEFAULT_PROTO_MAX_BULK_LEN, use_hiredis: bool | None = None
) -> RequestParser:
    """The fastest parser available (hiredis unless disabled or missing)."""
    if use_hiredis is None:
        use_hiredis = HAVE_HIREDIS
    if use_hiredis and HAVE_HIREDIS:
        return HiredisRequestParser(max_bulk_len)
    return PureRequestParser(max_bulk_len)


# ---------------------------------------------------------------------------
# Reply encoding
# ---------------------------------------------------------------------------

_SMALL_INTS = [b":%d\r\n" % i for i in range(-1, 1025)]
_INF = float("inf")
_LLONG_MAX_HALF = float(2**62)  # (double)(LLONG_MAX / 2), the bound of Valkey's double2ll


def format_double(value: float) -> bytes:
    """A double the way Valkey 8 prints it (``d2string``).

    nan, inf, -inf and -0 are spelled out; integral values up to 2**62 print as
    integers; anything else is fpconv_dtoa's layout of the shortest round-trip
    digits: plain up to 6 zeros after the point or 7 before it, scientific
    otherwise, with an unpadded exponent (``1.5e-7``, ``5e+18``). The digits are
    Python's shortest repr; fpconv's Grisu2 may, very rarely, print a longer form.
    """
    if value != value:
        return b"nan"
    if value == _INF:
        return b"inf"
    if value == -_INF:
        return b"-inf"
    if value == 0:
        return b"-0" if math.copysign(1.0, value) < 0 else b"0"
    if -_LLONG_MAX_HALF <= value <= _LLONG_MAX_HALF and value.is_integer():
        return b"%d" % int(value)
    text = repr(value)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    k = (int(exponent) if exponent else 0) - len(fraction)  # value = digits * 10**k
    stripped = digits.rstrip("0")
    k += len(digits) - len(stripped)
    digits = stripped
    ndigits = len(digits)
    exp = abs(k + ndigits - 1)
    if k >= 0 and exp < ndigits + 7:
        text = digits + "0" * k
    elif k < 0 and (k > -7 or exp < 4):
        offset = ndigits + k
        if offset <= 0:
            text = "0." + "0" * -offset + digits
        else:
            text = digits[:offset] + "." + digits[offset:]
    else:
        text = digits[0] + ("." + digits[1:] if ndigits > 1 else "")
        text += ("e-" if k + ndigits - 1 < 0 else "e+") + str(exp)
    return (sign + text).encode()


def encode(value: Any, protocol: int = 2) -> bytes:
    """Encode one reply value as RESP bytes."""
    kind = type(value)
    if kind is bytes:
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if kind is RawReply:
        return value.data
    if kind is SimpleString:
        return b"+" + value.encode("utf-8", "surrogateescape") + b"\r\n"
    if kind is int:
        if -1 <= value <= 1023:
            return _SMALL_INTS[value + 1]
        return b":%d\r\n" % value
    if kind is PairList and len(value) == 1:  # XREAD / XREADGROUP of one stream
        key, item = value[0]
        if type(key) is bytes and type(item) is RawReply:
            head = b"%1\r\n" if protocol == 3 else b"*1\r\n*2\r\n"
            return b"%b$%d\r\n%b\r\n%b" % (head, len(key), key, item.data)
    parts: list[bytes] = []
    _encode_into(value, protocol, parts)
    return b"".join(parts)


def _encode_into(value: Any, protocol: int, out: list[bytes]) -> None:
    kind = type(value)
    if kind is bytes:
        out.append(b"$%d\r\n%s\r\n" % (len(value), value))
    elif kind is RawReply:  # stream entries: the most frequent item after bytes
        out.append(value.data)
    elif kind is int:
        out.append(_SMALL_INTS[value + 1] if -1 <= value <= 1023 else b":%d\r\n" % value)
    elif kind is list or kind is tuple:
        out.append(b"*%d\r\n" % len(value))
        for item in value:
            _encode_into(item, protocol, out)
    elif value is None:
        out.append(b"_\r\n" if protocol == 3 else b"$-1\r\n")
    elif kind is PairList:
        out.append(b"%%%d\r\n" % len(value) if protocol == 3 else b"*%d\r\n" % len(value))
        for key, item in value:
            if protocol != 3:
                out.append(b"*2\r\n")
            _encode_into(key, protocol, out)
            _encode_into(item, protocol, out)
    elif kind is SimpleString:
        out.append(b"+" + value.encode("utf-8", "surrogateescape") + b"\r\n")
    elif kind is ErrorReply:
        out.append(b"-" + value.encode("utf-8", "surrogateescape") + b"\r\n")
    elif kind is str:
        data = value.encode("utf-8", "surrogateescape")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    elif kind is bool:
        if protocol == 3:
            out.append(b"#t\r\n" if value else b"#f\r\n")
        else:
            out.append(b":1\r\n" if value else b":0\r\n")
    elif kind is Map:
        if protocol == 3:
            out.append(b"%%%d\r\n" % len(value))
        else:
            out.append(b"*%d\r\n" % (2 * len(value)))
        for key, item in value.items():
            _encode_into(key, protocol, out)
            _encode_into(item, protocol, out)
    elif kind is Set or kind is Push:
        marker = (b"~" if kind is Set else b">") if protocol == 3 else b"*"
        out.append(b"%s%d\r\n" % (marker, len(value)))
        for item in value:
            _encode_into(item, protocol, out)
    elif value is NULL_ARRAY:
        out.append(b"_\r\n" if protocol == 3 else b"*-1\r\n")
    elif kind is float:
        text = format_double(value)
        if protocol == 3:
            out.append(b"," + text + b"\r\n")
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(text), text))
    elif kind is Verbatim:
        if protocol == 3:
            body = value.fmt.encode() + b":" + value.text
            out.append(b"=%d\r\n%s\r\n" % (len(body), body))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(value.text), value.text))
    elif kind is BigNumber:
        digits = b"%d" % value.value
        if protocol == 3:
            out.append(b"(" + digits + b"\r\n")
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(digits), digits))
    elif isinstance(value, dict):
        _encode_into(Map(value), protocol, out)
    else:
        raise TypeError(f"cannot encode reply value of type {kind.__name__}")
