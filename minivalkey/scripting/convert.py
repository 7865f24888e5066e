"""Conversions between reply values and Lua values, both ways, as Valkey's script_lua.c.

Command reply -> Lua (what ``server.call`` returns), by the script's protocol
(``server.setresp``): integers are numbers, bulk strings strings, a RESP2 null
(bulk or array) is ``false`` and a RESP3 null ``nil``; a status is ``{ok=...}``, an
error ``{err=...}``; arrays are tables (a RESP3 null inside leaves a hole); RESP3
maps are ``{map={k=v}}``, sets ``{set={k=true}}``, doubles ``{double=n}``, big
numbers ``{big_number=s}``, verbatim strings ``{verbatim_string={format=, string=}}``,
booleans booleans. The common values convert directly; the rest go through their
encoding and ``_Parser``, so the result is the one the bytes describe.

Lua -> reply (what a script returns), by the script's protocol for booleans:
strings are bulk strings, numbers integers (truncated, as C's cast), ``true`` is
``:1`` (RESP2 script) or a boolean, ``false`` a null (RESP2 script) or a boolean;
tables are, in order of precedence, an error (``err``), a status (``ok``), a double,
a big number, a verbatim string, a map, a set, else an array up to the first nil.
Anything else (functions, userdata, nil) is a null.

Invariant: an error table written in a reply counts in the error statistics unless
it carries ``ignore_error_stats_update`` (its error was counted when the command
that raised it answered).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lupa import lua51

from ..replies import SimpleString
from ..resp import encode
from ..resp.encoder import format_double

_lua_type = lua51.lua_type
_LLONG_MIN = -(2**63)
_TWO_63 = 2.0**63


def error_fields(text: str) -> tuple[str, bool]:
    """Valkey's luaPushErrorBuff: the ``err`` text for an error message, either
    ``-CODE message`` (the code kept) or a bare message (``ERR`` prepended)."""
    if text.startswith("-"):
        body = text[1:]
        code, space, message = body.partition(" ")
        if not space:
            code, message = "ERR", body
    else:
        code, message = "ERR", text
    return code + " " + message.strip("\r\n"), True


def to_lua_number(value: float) -> int:
    """C's ``(long long)`` cast of a Lua number (x86: out of range gives LLONG_MIN)."""
    if isinstance(value, int):
        return value
    if not math.isfinite(value) or not -_TWO_63 <= value < _TWO_63:
        return _LLONG_MIN
    return math.trunc(value)


# Lua helpers for the conversions: one call across the boundary per value instead of
# one per field. ``shape`` classifies a returned table as luaReplyToRedisReply does
# (raw reads, in its order of precedence) and hands an array's items back at once.
CONVERSION_HELPERS = r"""
local rawget, type, unpack = rawget, type, unpack
local function status(s) return {ok = s} end
local function failure(e, ignore)
  if ignore then return {err = e, ignore_error_stats_update = true} end
  return {err = e}
end
local function shape(t)
  local v = rawget(t, "err")
  if type(v) == "string" then return 1, v, rawget(t, "ignore_error_stats_update") end
  v = rawget(t, "ok")
  if type(v) == "string" then return 2, v end
  v = rawget(t, "double")
  if type(v) == "number" then return 3, v, v == 0 and 1 / v < 0 end
  v = rawget(t, "big_number")
  if type(v) == "string" then return 4, v end
  v = rawget(t, "verbatim_string")
  if type(v) == "table" then
    local f, s = rawget(v, "format"), rawget(v, "string")
    if type(f) == "string" and type(s) == "string" then return 5, f, s end
  end
  v = rawget(t, "map")
  if type(v) == "table" then return 6, v end
  v = rawget(t, "set")
  if type(v) == "table" then return 7, v end
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  if n > 4000 then return 8, n end
  return 0, n, unpack(t, 1, n)
end
return status, failure, shape
"""


class ReplyToLua:
    """Converts a command's reply value to the Lua value ``server.call`` returns."""

    def __init__(
        self, table: Callable[[], Any], table_from: Callable[..., Any], helpers: Any
    ) -> None:
        self.table = table
        self.table_from = table_from
        self.status, self.failure, self.shape = helpers

    def error_table(self, text: str, ignore_stats: bool) -> Any:
        return self.failure(text.encode(), ignore_stats)

    def convert(self, value: Any, resp: int) -> Any:
        kind = type(value)
        if kind is int or kind is bytes:
            return value
        if value is None:
            return False if resp == 2 else None
        if kind is SimpleString:
            return self.status(value.encode())
        if kind is list:
            convert = self.convert
            return self.table_from([convert(item, resp) for item in value])
        if kind is str:
            return value.encode()
        if kind is bool:
            return value if resp == 3 else int(value)
        return _Parser(self, encode(value, resp)).parse()


class _Parser:
    """RESP2/RESP3 reply bytes to Lua values (the values ``ReplyToLua`` does not
    convert directly: pre-encoded stream entries, maps, doubles ...)."""

    def __init__(self, owner: ReplyToLua, data: bytes) -> None:
        self.owner = owner
        self.data = data
        self.pos = 0

    def _line(self) -> bytes:
        end = self.data.index(b"\r\n", self.pos)
        line = self.data[self.pos + 1 : end]
        self.pos = end + 2
        return line

    def parse(self) -> Any:
        data = self.data
        kind = data[self.pos : self.pos + 1]
        line = self._line()
        table = self.owner.table
        if kind == b":":
            return int(line)
        if kind == b"$" or kind == b"=":
            length = int(line)
            if length < 0:
                return False
            body = data[self.pos : self.pos + length]
            self.pos += length + 2
            if kind == b"$":
                return body
            verbatim = table()
            inner = table()
            inner[b"format"] = body[:3]
            inner[b"string"] = body[4:]
            verbatim[b"verbatim_string"] = inner
            return verbatim
        if kind == b"+":
            status = table()
            status[b"ok"] = line
            return status
        if kind == b"-":
            text, _ = error_fields("-" + line.decode("utf-8", "replace"))
            return self.owner.error_table(text, True)
        if kind == b"*" or kind == b">":
            count = int(line)
            if count < 0:
                return False
            items = table()
            for index in range(1, count + 1):
                item = self.parse()
                if item is not None:
                    items[index] = item
            return items
        if kind == b"%":
            inner = table()
            for _ in range(int(line)):
                key = self.parse()
                value = self.parse()
                if key is not None:
                    inner[key] = value
            result = table()
            result[b"map"] = inner
            return result
        if kind == b"~":
            inner = table()
            for _ in range(int(line)):
                key = self.parse()
                if key is not None:
                    inner[key] = True
            result = table()
            result[b"set"] = inner
            return result
        if kind == b"_":
            return None
        if kind == b"#":
            return line == b"t"
        if kind == b",":
            result = table()
            result[b"double"] = float(line)
            return result
        if kind == b"(":
            result = table()
            result[b"big_number"] = line
            return result
        if kind == b"|":  # attributes are read past, as Valkey does
            for _ in range(2 * int(line)):
                self.parse()
            return self.parse()
        raise ValueError(f"unexpected reply type {kind!r}")


# Valkey converts a script's result on the Lua stack and refuses to go on once the
# stack would pass LUAI_MAXCSTACK (8000 slots, 4 kept free): a value at stack slot
# ``slot`` converts while ``slot + 4 <= 8000``. The result itself sits at slot 2 (the
# error handler is below it); an array's element one slot above its table, a map's
# value three and its key four (the map table, the key, the value, a copy of the key),
# a set's member three.
_STACK_LIMIT = 8000 - 4
_RESULT_SLOT = 2
STACK_LIMIT_ERROR = b"ERR reached lua stack limit"


def _c_string(text: bytes) -> bytes:
    """What C reads of a Lua string through ``lua_tostring`` + ``sdsnew``: up to a NUL."""
    end = text.find(b"\0")
    return text if end < 0 else text[:end]


class LuaToReply:
    """Encodes a script's return value for the caller (Valkey's luaReplyToRedisReply).

    ``count_error`` is called with each error text written that was not counted yet.
    Tables are read raw (no metamethod runs), as Valkey reads them; nesting is walked
    with a stack of our own, so a table that contains itself ends, as in Valkey, with
    the stack-limit error after ~8000 levels. After ``encode``, ``counted`` and
    ``uncounted`` say how many error replies were written that did / did not count in
    the error statistics (the command's failed_calls follow from them).
    """

    def __init__(
        self, count_error: Callable[[str], None], helpers: Any, rawget: Callable[[Any, Any], Any]
    ) -> None:
        self.count_error = count_error
        self.shape = helpers[2]
        self.rawget = rawget
        self.counted = 0
        self.uncounted = 0

    def encode(self, value: Any, script_resp: int, caller_resp: int) -> bytes:
        self.counted = self.uncounted = 0
        out: list[bytes] = []
        write = self._write
        # Open containers, innermost last: [children (value, slot) to write, next
        # child's index]. A container's header is written before its children.
        stack: list[list[Any]] = []
        children = write(value, _RESULT_SLOT, script_resp, caller_resp, out)
        if children:
            stack.append([children, 0])
        while stack:
            frame = stack[-1]
            children, index = frame
            if index == len(children):
                stack.pop()
                continue
            frame[1] = index + 1
            child, slot = children[index]
            nested = write(child, slot, script_resp, caller_resp, out)
            if nested:
                stack.append([nested, 0])
        return b"".join(out)

    def _error(self, text: bytes, counted: bool, out: list[bytes]) -> None:
        text = text.rstrip(b"\r\n").replace(b"\r", b" ").replace(b"\n", b" ")
        if counted:
            self.counted += 1
            self.count_error(text.decode("utf-8", "replace"))
        else:
            self.uncounted += 1
        out.append(b"-%s\r\n" % text)

    def _write(
        self, value: Any, slot: int, sresp: int, cresp: int, out: list[bytes]
    ) -> list[tuple[Any, int]] | None:
        """Write a scalar, or a container's header (answering its children)."""
        if slot > _STACK_LIMIT:
            self._error(STACK_LIMIT_ERROR, True, out)
            return None
        kind = type(value)
        if kind is bytes:
            out.append(b"$%d\r\n%s\r\n" % (len(value), value))
        elif kind is bool:
            if sresp == 2:
                out.append(b":1\r\n" if value else (b"$-1\r\n" if cresp == 2 else b"_\r\n"))
            elif cresp == 3:
                out.append(b"#t\r\n" if value else b"#f\r\n")
            else:
                out.append(b":1\r\n" if value else b":0\r\n")
        elif kind is int or kind is float:
            out.append(b":%d\r\n" % to_lua_number(value))
        elif _lua_type(value) == "table":
            return self._write_table(value, slot, cresp, out)
        else:
            out.append(b"$-1\r\n" if cresp == 2 else b"_\r\n")
        return None

    def _write_table(
        self, table: Any, slot: int, cresp: int, out: list[bytes]
    ) -> list[tuple[Any, int]] | None:
        found = self.shape(table)
        kind = found[0]
        if kind == 0:
            out.append(b"*%d\r\n" % found[1])
            inner = slot + 1
            return [(item, inner) for item in found[2:]]
        if kind == 1:
            self._error(_c_string(found[1]), found[2] is not True, out)
        elif kind == 2:
            out.append(b"+%s\r\n" % _c_string(found[1]).replace(b"\r", b" ").replace(b"\n", b" "))
        elif kind == 3:  # (a -0 crosses into Python as the integer 0: told apart)
            text = b"-0" if found[2] else format_double(float(found[1]))
            out.append(b",%s\r\n" % text if cresp == 3 else b"$%d\r\n%s\r\n" % (len(text), text))
        elif kind == 4:
            big = found[1].replace(b"\r", b" ").replace(b"\n", b" ")
            out.append(b"(%s\r\n" % big if cresp == 3 else b"$%d\r\n%s\r\n" % (len(big), big))
        elif kind == 5:
            fmt, text = found[1], found[2]
            if cresp == 3:
                fmt = (fmt + b"\0\0\0")[:3]
                out.append(b"=%d\r\n%s:%s\r\n" % (len(text) + 4, fmt, text))
            else:
                out.append(b"$%d\r\n%s\r\n" % (len(text), text))
        elif kind == 6:
            children: list[tuple[Any, int]] = []
            for key, value in found[1].items():
                children.append((key, slot + 4))
                children.append((value, slot + 3))
            pairs = len(children) // 2
            out.append(b"%%%d\r\n" % pairs if cresp == 3 else b"*%d\r\n" % (2 * pairs))
            return children
        elif kind == 7:
            children = [(key, slot + 3) for key in found[1].keys()]
            out.append(b"~%d\r\n" % len(children) if cresp == 3 else b"*%d\r\n" % len(children))
            return children
        else:  # a long array: read item by item
            count = found[1]
            out.append(b"*%d\r\n" % count)
            rawget = self.rawget
            inner = slot + 1
            return [(rawget(table, index), inner) for index in range(1, count + 1)]
        return None
