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
* ``HiredisRequestParser`` lets hiredis split multibulk requests. Whenever
  hiredis meets something that is not a plain array of bulk strings (an inline
  command, a negative bulk length, a nested type), the bytes fed since the last
  command boundary are parsed again by the pure parser, which then serves the
  connection, so faults still get Valkey's exact text. One divergence is
  accepted: hiredis reads a simple string (``+x``) inside a request array as a
  bulk string, where Valkey answers ``expected '$', got '+'``.

Replies
-------
``encode(value, protocol)`` returns the bytes of one reply value (see
``replies``) in RESP2 (``protocol == 2``) or RESP3 (``protocol == 3``).
"""

from __future__ import annotations

from typing import Any, Protocol

from .replies import (
    NULL_ARRAY,
    BigNumber,
    ErrorReply,
    Map,
    Push,
    RawReply,
    Set,
    SimpleString,
    Verbatim,
)

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import hiredis as _hiredis
except ImportError:  # pragma: no cover
    _hiredis = None

HAVE_HIREDIS = _hiredis is not None

PROTO_INLINE_MAX_SIZE = 64 * 1024
PROTO_MAX_MULTIBULK_LEN = 2**31 - 1
DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024

_SPACES = b" \t\n\r\v\f"


class RequestParser(Protocol):
    error: str | None

    def feed(self, data: bytes) -> list[list[bytes]]: ...


# ---------------------------------------------------------------------------
# Inline argument splitting (the rules of Valkey's sdssplitargs)
# ---------------------------------------------------------------------------

_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("a"): 7}
_HEX = b"0123456789abcdefABCDEF"


def split_inline_args(line: bytes) -> list[bytes] | None:
    """Split an inline request line; ``None`` means unbalanced quotes."""
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
                if c in _SPACES:
                    break
                if c == 0x22:
                    quote = 1
                elif c == 0x27:
                    quote = 2
                else:
                    current.append(c)
            i += 1
        args.append(bytes(current))


def _parse_ll(raw: bytes) -> int | None:
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


class PureRequestParser:
    """A pure-Python request parser with Valkey's exact rules and errors."""

    def __init__(self, max_bulk_len: int = DEFAULT_PROTO_MAX_BULK_LEN) -> None:
        self.max_bulk_len = max_bulk_len
        self.error: str | None = None
        self._buf = b""
        self._argc = 0  # arguments still expected for the current multibulk
        self._args: list[bytes] = []
        self._bulklen = -1

    def feed(self, data: bytes) -> list[list[bytes]]:
        if self.error is not None:
            return []
        buf = self._buf + data if self._buf else data
        pos = 0
        commands: list[list[bytes]] = []
        end = len(buf)
        while pos < end:
            if self._argc == 0:
                if buf[pos] == 0x2A:  # '*'
                    newpos = self._multibulk_header(buf, pos)
                    if newpos < 0:
                        break
                    pos = newpos
                    if self._argc == 0:
                        continue
                else:
                    newpos = self._inline(buf, pos, commands)
                    if newpos < 0:
                        break
                    pos = newpos
                    continue
            newpos = self._multibulk_body(buf, pos)
            if newpos < 0:
                break
            pos = newpos
            if self._argc:
                break  # the rest of this command has not arrived yet
            commands.append(self._args)
            self._args = []
        self._buf = buf[pos:] if self.error is None else b""
        return commands

    # Each step returns the new position, or -1 when it needs more data or failed.

    def _fail(self, message: str) -> int:
        self.error = message
        return -1

    def _inline(self, buf: bytes, pos: int, commands: list[list[bytes]]) -> int:
        newline = buf.find(b"\n", pos)
        if newline < 0:
            if len(buf) - pos > PROTO_INLINE_MAX_SIZE:
                return self._fail("Protocol error: too big inline request")
            return -1
        line_end = newline - 1 if newline > pos and buf[newline - 1] == 0x0D else newline
        args = split_inline_args(buf[pos:line_end])
        if args is None:
            return self._fail("Protocol error: unbalanced quotes in request")
        if args:
            commands.append(args)
        return newline + 1

    def _multibulk_header(self, buf: bytes, pos: int) -> int:
        newline = buf.find(b"\r", pos)
        if newline < 0:
            if len(buf) - pos > PROTO_INLINE_MAX_SIZE:
                return self._fail("Protocol error: too big mbulk count string")
            return -1
        if newline + 1 >= len(buf):
            return -1
        count = _parse_ll(buf[pos + 1 : newline])
        if count is None or count > PROTO_MAX_MULTIBULK_LEN:
            return self._fail("Protocol error: invalid multibulk length")
        if count > 0:
            self._argc = count
            self._args = []
        return newline + 2

    def _multibulk_body(self, buf: bytes, pos: int) -> int:
        end = len(buf)
        args = self._args
        while self._argc:
            if self._bulklen == -1:
                newline = buf.find(b"\r", pos)
                if newline < 0:
                    if end - pos > PROTO_INLINE_MAX_SIZE:
                        return self._fail("Protocol error: too big bulk count string")
                    return -1
                if newline + 1 >= end:
                    return -1
                if buf[pos] != 0x24:  # '$'
                    return self._fail(f"Protocol error: expected '$', got '{chr(buf[pos])}'")
                length = _parse_ll(buf[pos + 1 : newline])
                if length is None or length < 0 or length > self.max_bulk_len:
                    return self._fail("Protocol error: invalid bulk length")
                pos = newline + 2
                self._bulklen = length
            if end - pos < self._bulklen + 2:
                return pos  # wait for the rest; what was parsed stays in self._args
            args.append(buf[pos : pos + self._bulklen])
            pos += self._bulklen + 2
            self._bulklen = -1
            self._argc -= 1
        return pos


class HiredisRequestParser:
    """Multibulk parsing by hiredis, falling back to the pure parser on anything odd."""

    def __init__(self, max_bulk_len: int = DEFAULT_PROTO_MAX_BULK_LEN) -> None:
        assert _hiredis is not None
        self.max_bulk_len = max_bulk_len
        self._reader = _hiredis.Reader()
        self._since_boundary: list[bytes] = []
        self._served_since_boundary = 0
        self._fallback: PureRequestParser | None = None

    @property
    def error(self) -> str | None:
        return self._fallback.error if self._fallback is not None else None

    def feed(self, data: bytes) -> list[list[bytes]]:
        if self._fallback is not None:
            return self._fallback.feed(data)
        if not self._since_boundary and data[:1] != b"*":
            return self._switch_to_pure(data)
        self._since_boundary.append(data)
        self._reader.feed(data)
        commands: list[list[bytes]] = []
        gets = self._reader.gets
        try:
            while True:
                command = gets()
                if command is False:
                    break
                if type(command) is not list:
                    if command is None:  # *-1 is ignored, like *0
                        continue
                    return self._switch_to_pure(b"")
                for arg in command:
                    if type(arg) is not bytes:
                        return self._switch_to_pure(b"")
                if command:
                    commands.append(command)
        except _hiredis.ProtocolError:
            return self._switch_to_pure(b"")
        if self._reader.has_data():
            self._served_since_boundary += len(commands)
        else:
            self._since_boundary.clear()
            self._served_since_boundary = 0
        return commands

    def _switch_to_pure(self, data: bytes) -> list[list[bytes]]:
        pure = PureRequestParser(self.max_bulk_len)
        self._fallback = pure
        replay = b"".join(self._since_boundary) + data
        self._since_boundary = []
        return pure.feed(replay)[self._served_since_boundary :]


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


def format_double(value: float) -> bytes:
    """Doubles the way Valkey prints them: shortest round-trip form, inf/nan spelled out."""
    if value != value:
        return b"nan"
    if value in (float("inf"), float("-inf")):
        return b"inf" if value > 0 else b"-inf"
    if value.is_integer() and abs(value) < 1e17:
        return b"%d" % int(value)
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = exponent[0] if exponent[0] in "+-" else "+"
        digits = exponent.lstrip("+-").lstrip("0") or "0"
        text = f"{mantissa}e{sign}{digits.zfill(2)}"
    return text.encode()


def encode(value: Any, protocol: int = 2) -> bytes:
    """Encode one reply value as RESP bytes."""
    kind = type(value)
    if kind is bytes:
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if kind is SimpleString:
        return b"+" + value.encode() + b"\r\n"
    if kind is int:
        if -1 <= value <= 1023:
            return _SMALL_INTS[value + 1]
        return b":%d\r\n" % value
    if kind is RawReply:
        return value.data
    parts: list[bytes] = []
    _encode_into(value, protocol, parts)
    return b"".join(parts)


def _encode_into(value: Any, protocol: int, out: list[bytes]) -> None:
    kind = type(value)
    if kind is bytes:
        out.append(b"$%d\r\n%s\r\n" % (len(value), value))
    elif kind is int:
        out.append(_SMALL_INTS[value + 1] if -1 <= value <= 1023 else b":%d\r\n" % value)
    elif kind is list or kind is tuple:
        out.append(b"*%d\r\n" % len(value))
        for item in value:
            _encode_into(item, protocol, out)
    elif value is None:
        out.append(b"_\r\n" if protocol == 3 else b"$-1\r\n")
    elif kind is SimpleString:
        out.append(b"+" + value.encode() + b"\r\n")
    elif kind is ErrorReply:
        out.append(b"-" + value.encode() + b"\r\n")
    elif kind is str:
        data = value.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    elif kind is RawReply:
        out.append(value.data)
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
