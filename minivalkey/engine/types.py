"""Value types: one ``TypeSpec`` registration per type the keyspace can hold.

Everything that spans types (TYPE, SCAN ... TYPE, COPY, OBJECT ENCODING, MEMORY
USAGE, keyspace snapshots in the tests) asks the spec of a value's class here; no
other module switches on value classes.

Invariants:
* Each Python class of stored value has exactly one spec (``register``); several
  classes may share a TYPE name (none do today).
* A value's encoding is read from the value (``spec.encoding(value)``), never from
  its class: a hash converted from listpack to hashtable keeps ``type(value)``.
* ``copy`` returns a value sharing no mutable part with the original (immutable
  values, such as the ``bytes`` of strings, are returned as they are).
* ``memory`` estimates the bytes Valkey's MEMORY USAGE would report for the value
  (without the key), looking at no more than ``samples`` elements of a collection
  (0: all of them), as Valkey's objectComputeSize does.
* ``malloc_size`` is the allocation Valkey's allocator (jemalloc, 8-byte quantum)
  makes for a request: estimates use it where Valkey measures an allocation.
* ``key_memory`` is what MEMORY USAGE and the memory accounting charge for a key
  and its value: the key's dictionary entry (with the key in it) plus ``memory``.
* This module imports nothing of the server: it is a leaf.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TypeSpec:
    kind: type
    name: str  # what TYPE answers
    encoding: Callable[[Any], str]  # what OBJECT ENCODING answers
    memory: Callable[[Any, int], int]  # MEMORY USAGE of the value, sampling at most n elements
    copy: Callable[[Any], Any] | None = None  # None: the value is immutable and shared
    state: Callable[[Any], Any] | None = None  # a comparable snapshot (tests, DEBUG DIGEST)


TYPES: dict[type, TypeSpec] = {}
"""Every registered value class and its spec."""

# The names SCAN TYPE accepts (Valkey's object types, whether or not any exists yet).
TYPE_NAMES = frozenset({"string", "list", "set", "zset", "hash", "stream"})


def register(spec: TypeSpec) -> TypeSpec:
    if spec.kind in TYPES and TYPES[spec.kind] != spec:
        raise ValueError(f"value type {spec.kind.__name__} registered twice")
    TYPES[spec.kind] = spec
    return spec


def spec_of(value: object) -> TypeSpec:
    return TYPES[type(value)]


def type_name(value: object) -> str:
    return TYPES[type(value)].name


def copy_value(value: Any) -> Any:
    """An independent duplicate of ``value`` for COPY (immutable values are shared)."""
    spec = TYPES.get(type(value))
    if spec is None:
        return _copy.deepcopy(value)
    return value if spec.copy is None else spec.copy(value)


def state_of(value: Any) -> Any:
    """A comparable picture of ``value``: equal states mean equal values and encodings."""
    spec = TYPES[type(value)]
    return value if spec.state is None else spec.state(value)


def malloc_size(size: int) -> int:
    """The bytes jemalloc hands out for a request of ``size`` (Valkey's zmalloc_size).

    Size classes: multiples of 8 up to 64, then four per doubling (80, 96, 112, 128,
    160, 192...).
    """
    if size <= 64:
        return max(8, (size + 7) & ~7)
    step = 1 << ((size - 1).bit_length() - 3)
    return (size + step - 1) & -step


def key_overhead(key: bytes) -> int:
    """A key's dictionary entry with the key embedded (two pointers and an sds string)."""
    length = len(key)
    header = 3 if length < 256 else 5 if length < 65536 else 9
    return malloc_size(16 + header + length + 1)


def key_memory(key: bytes, value: Any, samples: int = 5) -> int:
    """MEMORY USAGE of ``key``: its entry plus the value's estimate (``samples`` 0: all)."""
    return key_overhead(key) + TYPES[type(value)].memory(value, samples)
