"""Reply value types returned by command handlers.

Handlers never produce bytes for the socket themselves; they return plain values
that ``resp.encode`` turns into RESP2 or RESP3. The mapping is:

* ``int`` -> integer, ``bytes`` -> bulk string, ``str`` -> bulk string (UTF-8)
* ``bool`` -> RESP3 boolean, RESP2 integer 1/0 (checked before ``int``)
* ``float`` -> RESP3 double, RESP2 bulk string
* ``None`` -> RESP3 null, RESP2 null bulk string (``$-1``)
* ``NULL_ARRAY`` -> RESP3 null, RESP2 null array (``*-1``)
* ``list`` / ``tuple`` -> array
* ``Map`` -> RESP3 map, RESP2 flat array of key, value, ...
* ``Set`` -> RESP3 set, RESP2 array
* ``Push`` -> RESP3 push, RESP2 array
* ``SimpleString`` -> simple string, ``ErrorReply`` -> error
* ``Verbatim`` -> RESP3 verbatim string, RESP2 bulk string
* ``BigNumber`` -> RESP3 big number, RESP2 bulk string
* ``RawReply`` -> bytes written as they are (identical in both protocols)
* ``PairList`` -> RESP3 map that may repeat a key, RESP2 array of two-element
  arrays (XREAD / XREADGROUP)

Invariant: every value here is immutable once built, so constants can be shared.
"""

from __future__ import annotations


class SimpleString(str):
    """A status reply such as ``+OK``; must not contain CR or LF."""

    __slots__ = ()


class ErrorReply(str):
    """An error reply; the text carries its own prefix (``ERR``, ``WRONGTYPE``...)."""

    __slots__ = ()

    @property
    def prefix(self) -> str:
        return self.split(" ", 1)[0]


class Map(dict):  # type: ignore[type-arg]
    """An ordered key/value reply (RESP3 map, flattened in RESP2)."""

    __slots__ = ()


class Set(list):  # type: ignore[type-arg]
    """An unordered collection reply (RESP3 set, array in RESP2)."""

    __slots__ = ()


class Push(list):  # type: ignore[type-arg]
    """An out-of-band push message (RESP3 push, array in RESP2)."""

    __slots__ = ()


class Verbatim:
    """A verbatim string with a three-letter format such as ``txt``."""

    __slots__ = ("fmt", "text")

    def __init__(self, text: bytes, fmt: str = "txt") -> None:
        self.text = text
        self.fmt = fmt


class BigNumber:
    """An arbitrary precision integer reply."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


class RawReply:
    """Pre-encoded reply bytes, valid in RESP2 and RESP3 alike."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class PairList(tuple):  # type: ignore[type-arg]
    """(key, value) pairs answered as a RESP3 map, duplicate keys allowed.

    In RESP2 each pair becomes a two-element array (not a flat list as ``Map``
    gives): XREAD and XREADGROUP answer ``[[key, entries], ...]`` there. Built
    whole from an iterable of pairs (``PairList(pairs)``), as a tuple it cannot
    change afterwards.
    """

    __slots__ = ()


class _NullArray:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_ARRAY"


NULL_ARRAY = _NullArray()

OK = SimpleString("OK")
QUEUED = SimpleString("QUEUED")
PONG = SimpleString("PONG")

Reply = object
"""Any of the values listed in the module docstring."""
