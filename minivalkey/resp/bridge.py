"""The hiredis bridge: hiredis splits plain multibulk requests, each checked against
the bytes it came from; anything else goes to a pure parser (``resp.pure``), which
then serves the connection, so both give the same commands and errors for any input.
"""

from __future__ import annotations

import re
from typing import Any

from .base import (
    DEFAULT_PROTO_MAX_BULK_LEN,
    PROTO_INLINE_MAX_SIZE,
    PROTO_MAX_MULTIBULK_LEN,
    PROTO_MBULK_BIG_ARG,
    UNAUTHENTICATED_MAX_BULK_LEN,
    UNAUTHENTICATED_MAX_MULTIBULK_LEN,
    parse_ll,
)
from .pure import PureRequestParser

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import hiredis as _hiredis
except ImportError:  # pragma: no cover
    _hiredis = None  # type: ignore[assignment]

HAVE_HIREDIS = _hiredis is not None


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
            count = parse_ll(buf[1:newline])
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
            length = parse_ll(buf[pos + 1 : newline])
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
