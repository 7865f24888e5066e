"""The pure-Python request parser: Valkey's processMultibulkBuffer and
processInlineBuffer byte for byte, inline commands (sdssplitargs' rules) included.

Invariants: see the package docstring (``resp``); this parser is also the one the
hiredis bridge hands a connection to on anything hiredis would read differently.
"""

from __future__ import annotations

from .base import (
    DEFAULT_PROTO_MAX_BULK_LEN,
    PROTO_INLINE_MAX_SIZE,
    PROTO_MAX_MULTIBULK_LEN,
    PROTO_MBULK_BIG_ARG,
    SPACES,
    TOKEN_END,
    UNAUTHENTICATED_MAX_BULK_LEN,
    UNAUTHENTICATED_MAX_MULTIBULK_LEN,
    find_line_end,
    got,
    parse_ll,
)

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
        while i < n and line[i] in SPACES:
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
                    if i + 1 < n and line[i + 1] not in SPACES:
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
                    if i + 1 < n and line[i + 1] not in SPACES:
                        return None
                    i += 1
                    break
                else:
                    current.append(c)
            else:
                if i >= n:
                    break
                c = line[i]
                if c in TOKEN_END:
                    break
                if c == 0x22:
                    quote = 1
                elif c == 0x27:
                    quote = 2
                else:
                    current.append(c)
            i += 1
        args.append(bytes(current))


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
                    newline = find_line_end(buf, b"\r", pos)
                    if newline < 0:
                        if end - pos > PROTO_INLINE_MAX_SIZE:
                            error = "Protocol error: too big mbulk count string"
                        break
                    if newline + 1 >= end:  # the byte after '\r' is skipped unchecked
                        break
                    count = parse_ll(buf[pos + 1 : newline])
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
                    newline = find_line_end(buf, b"\n", pos)
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
                newline = find_line_end(buf, b"\r", pos)
                if newline < 0:
                    if end - pos > PROTO_INLINE_MAX_SIZE:
                        error = "Protocol error: too big bulk count string"
                    break
                if newline + 1 >= end:
                    break
                if buf[pos] != 0x24:  # '$'
                    error = f"Protocol error: expected '$', got '{got(buf[pos])}'"
                    break
                length = parse_ll(buf[pos + 1 : newline])
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
