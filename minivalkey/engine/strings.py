"""Strings: stored as immutable ``bytes``; their registration as a value type.

Invariants:
* A string value is ``bytes`` (``type(value) is bytes`` is the string test every
  command uses); nothing is stored as ``bytearray`` or a subclass.
* The encoding OBJECT ENCODING reports follows Valkey's tryObjectEncoding for a
  value as SET stores it: ``int`` for the canonical spelling of a signed 64-bit
  integer (at most 20 characters), ``embstr`` up to 44 bytes, ``raw`` beyond.
"""

from __future__ import annotations

from .types import TypeSpec, register

EMBSTR_SIZE_LIMIT = 44
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def is_integer_text(value: bytes) -> bool:
    """``value`` is the canonical decimal form of a signed 64-bit integer."""
    if not value or len(value) > 20:
        return False
    body = value[1:] if value[:1] == b"-" else value
    if not body.isdigit() or (body[:1] == b"0" and (len(body) > 1 or value[:1] == b"-")):
        return False
    return _INT64_MIN <= int(value) <= _INT64_MAX


def string_encoding(value: bytes) -> str:
    if is_integer_text(value):
        return "int"
    return "embstr" if len(value) <= EMBSTR_SIZE_LIMIT else "raw"


def string_memory(value: bytes, samples: int) -> int:
    """MEMORY USAGE of a string value (the object header and its bytes)."""
    if is_integer_text(value):
        return 16
    return 16 + len(value) + 4


register(TypeSpec(kind=bytes, name="string", encoding=string_encoding, memory=string_memory))
