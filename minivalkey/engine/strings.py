"""Strings: stored as immutable ``bytes``; their encodings, memory size and registration.

A string value is ``bytes`` (``type(value) is bytes`` is the string test every command
uses); nothing is stored as ``bytearray`` or a subclass. A change to a string stores a
new ``bytes`` object; the old one is never modified.

Encodings. Valkey's OBJECT ENCODING of a string depends on how it was written, not
only on its bytes: SET, MSET, GETSET, APPEND to a missing key... store what
tryObjectEncoding makes of the value (``int`` for the canonical spelling of a signed
64-bit integer, ``embstr`` up to 44 bytes, ``raw`` beyond), INCR and friends store
``int``, INCRBYFLOAT stores ``embstr`` or ``raw`` by length, and APPEND to an
existing key, SETRANGE, SETBIT, BITFIELD writes and BITOP store ``raw`` whatever the
length. The first rule is the default (``natural_encoding``); values written any
other way are listed in a registry, by identity:

* ``_REGISTRY`` maps ``id(value)`` to ``(value, encoding, sds)``. The entry holds
  the object itself, so its id cannot be reused while it is listed, and a lookup
  checks ``entry[0] is value``. ``sds`` describes the buffer Valkey would hold for
  a raw value (see Memory below); ``(0, 0)`` for other encodings.
* Only values whose encoding or buffer differ from the default are listed
  (``mark_raw`` / ``mark_embstr`` decide, and hand back the object to store). A
  listed object is never a shared one: a one-byte value is copied into a fresh
  object first (CPython shares one object per byte value). The empty string is
  one shared object and cannot be listed: an empty string always reports
  ``embstr`` (Valkey says ``raw`` after APPEND of nothing to an empty string).
* Objects that enter the keyspace otherwise (argument bytes, counters' text) are
  never listed, so they report the default. COPY, RENAME, MOVE and SWAPDB keep the
  same object, hence the same encoding, as Valkey's copies do. Nothing ever
  re-stores a listed object under another key except those.
* An entry is dropped once only the registry references its object (measured with
  ``sys.getrefcount`` against a count calibrated at import): ``forget`` checks the
  value a command has just replaced, and ``sweep`` checks them all whenever the
  registry has doubled since the last sweep (at least ``_SWEEP_FLOOR`` entries),
  so listing stays O(1) amortised. An entry whose object is referenced elsewhere
  (a value COPY shares, a reply being written, a test's snapshot) is kept; dropping
  one early could only make a live value report its default encoding, never another
  value's.

Memory. ``string_memory`` follows objectComputeSize for strings: an ``int`` is the
16-byte object header; an ``embstr`` is one allocation of header, sds header (3),
bytes and terminator, rounded to jemalloc's size class; a ``raw`` value is the
header plus its sds buffer. The buffer depends on how the string grew (sds
preallocates when appending, and keeps the room), so the commands that build raw
values compute it with ``sds_new`` / ``sds_grow`` (Valkey's sdsnewlen and
sdsMakeRoomFor, with jemalloc's size classes) and record it; an unlisted raw value
has the buffer of a fresh sds of its length.
"""

from __future__ import annotations

import sys

from .types import TypeSpec, register

EMBSTR_SIZE_LIMIT = 44
OBJECT_HEADER = 16  # sizeof(robj)
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_SDS_MAX_PREALLOC = 1024 * 1024
_SWEEP_FLOOR = 256  # no sweep before the registry holds this many entries


def is_integer_text(value: bytes) -> bool:
    """``value`` is the canonical decimal form of a signed 64-bit integer."""
    if not value or len(value) > 20:
        return False
    body = value[1:] if value[:1] == b"-" else value
    if not body.isdigit() or (body[:1] == b"0" and (len(body) > 1 or value[:1] == b"-")):
        return False
    return _INT64_MIN <= int(value) <= _INT64_MAX


def natural_encoding(value: bytes) -> str:
    """What tryObjectEncoding makes of ``value`` (SET's encoding)."""
    if is_integer_text(value):
        return "int"
    return "embstr" if len(value) <= EMBSTR_SIZE_LIMIT else "raw"


# -- jemalloc and sds sizes ------------------------------------------------------------


def jemalloc_size(request: int) -> int:
    """The usable size jemalloc (as Valkey builds it, with an 8-byte quantum) gives a
    request: 8-byte steps up to 64, then four size classes per doubling."""
    if request <= 8:
        return 8
    step = max(8, 1 << ((request - 1).bit_length() - 3))
    return (request + step - 1) & ~(step - 1)


_SDS_HEADERS = {5: 1, 8: 3, 16: 5, 32: 9, 64: 17}
_SDS_MAX = {5: (1 << 5) - 1, 8: (1 << 8) - 1, 16: (1 << 16) - 1, 32: (1 << 32) - 1}


def _sds_type(length: int) -> int:
    if length < 1 << 5:
        return 5
    if length <= (1 << 8) - 3 - 1:
        return 8
    if length <= (1 << 16) - 5 - 1:
        return 16
    if length <= (1 << 32) - 9 - 1:
        return 32
    return 64


Sds = tuple[int, int]
"""An sds buffer: (header type 5/8/16/32/64, buffer size as jemalloc hands it out)."""


def _allocate(kind: int, length: int) -> Sds:
    """A buffer for ``length`` bytes under an sds header of ``kind``; a larger header
    is taken when the usable room outgrows what the chosen one can describe."""
    header = _SDS_HEADERS[kind]
    size = jemalloc_size(header + length + 1)
    if kind != 5 and size - header - 1 > _SDS_MAX.get(kind, size):
        kind = _sds_type(size - header - 1)
    return kind, size


def sds_new(length: int) -> Sds:
    """A fresh sds of ``length`` bytes (Valkey's sdsnewlen)."""
    kind = _sds_type(length)
    if kind == 5 and length == 0:
        kind = 8
    return _allocate(kind, length)


def sds_grow(length: int, sds: Sds, extra: int) -> Sds:
    """``sds`` (holding ``length`` bytes) after making room for ``extra`` more
    (sdsMakeRoomFor: the new length doubled, or 1 MB added past 1 MB)."""
    kind, size = sds
    room = 0 if kind == 5 else size - _SDS_HEADERS[kind] - 1 - length
    if room >= extra:
        return sds
    wanted = length + extra
    wanted = wanted * 2 if wanted < _SDS_MAX_PREALLOC else wanted + _SDS_MAX_PREALLOC
    new_kind = _sds_type(wanted)
    return _allocate(8 if new_kind == 5 else new_kind, wanted)


# -- the registry of values not in their natural encoding ------------------------------

_NO_SDS: Sds = (0, 0)
_REGISTRY: dict[int, tuple[bytes, str, Sds]] = {}
_last_sweep_size = 0


def _references(value: bytes) -> int:
    return sys.getrefcount(value)


def _calibrate() -> int:
    """What ``_references`` counts for a listed value held by one local of its caller."""
    probe = bytes(bytearray(b"calibration"))
    _REGISTRY[id(probe)] = (probe, "raw", _NO_SDS)
    count = _references(probe)
    del _REGISTRY[id(probe)]
    return count


_HELD_BY_CALLER_ONLY = _calibrate()


def _unique(value: bytes) -> bytes:
    """An object no other value shares (CPython shares one object per byte value)."""
    return bytes(bytearray(value)) if len(value) == 1 else value


def _list(value: bytes, encoding: str, sds: Sds) -> bytes:
    if not value:
        return value  # the shared empty string cannot be told apart
    value = _unique(value)
    _REGISTRY[id(value)] = (value, encoding, sds)
    if len(_REGISTRY) >= max(_SWEEP_FLOOR, 2 * _last_sweep_size):
        sweep()
    return value


def sweep() -> int:
    """Drop the entries whose object only the registry holds; the number dropped."""
    global _last_sweep_size
    dropped = 0
    for ident, entry in list(_REGISTRY.items()):
        value = entry[0]
        if _references(value) <= _HELD_BY_CALLER_ONLY and _REGISTRY.get(ident) is entry:
            del _REGISTRY[ident]
            dropped += 1
    _last_sweep_size = len(_REGISTRY)
    return dropped


def forget(value: bytes) -> None:
    """``value`` has just been replaced in its key and the caller holds it in one
    local: drop its entry unless something else still references it."""
    entry = _REGISTRY.get(id(value))
    if entry is None or entry[0] is not value:
        return
    del entry
    # One more reference than the calibration: this function's parameter.
    if _references(value) <= _HELD_BY_CALLER_ONLY + 1:
        _REGISTRY.pop(id(value), None)


def registry_size() -> int:
    return len(_REGISTRY)


def mark_raw(value: bytes, sds: Sds) -> bytes:
    """The object to store for ``value`` written as a raw string in ``sds`` (listed
    unless its bytes alone would give that)."""
    if len(value) > EMBSTR_SIZE_LIMIT and sds == sds_new(len(value)):
        return value
    return _list(value, "raw", sds)


def mark_embstr(value: bytes) -> bytes:
    """The object to store for ``value`` made as a plain string object (INCRBYFLOAT's
    result): ``embstr`` up to 44 bytes, else ``raw``; never ``int``."""
    if len(value) > EMBSTR_SIZE_LIMIT:
        return value
    if is_integer_text(value):
        return _list(value, "embstr", _NO_SDS)
    return value


def _entry(value: bytes) -> tuple[bytes, str, Sds] | None:
    entry = _REGISTRY.get(id(value))
    return entry if entry is not None and entry[0] is value else None


def string_encoding(value: bytes) -> str:
    """OBJECT ENCODING of a stored string."""
    entry = _entry(value)
    return entry[1] if entry is not None else natural_encoding(value)


def raw_sds(value: bytes) -> Sds | None:
    """The sds of a raw value (the recorded one, else a fresh one of its length), or
    ``None`` for an ``int`` or ``embstr`` value (which an in-place change first copies
    into a fresh raw sds, as Valkey's dbUnshareStringValue does)."""
    entry = _entry(value)
    if entry is not None:
        return entry[2] if entry[1] == "raw" else None
    return sds_new(len(value)) if natural_encoding(value) == "raw" else None


def string_memory(value: bytes, samples: int) -> int:
    """MEMORY USAGE of a string value without its key (objectComputeSize)."""
    encoding = string_encoding(value)
    if encoding == "int":
        return OBJECT_HEADER
    if encoding == "embstr":
        return jemalloc_size(OBJECT_HEADER + 3 + len(value) + 1)
    sds = raw_sds(value)
    return OBJECT_HEADER + (sds or sds_new(len(value)))[1]


register(TypeSpec(kind=bytes, name="string", encoding=string_encoding, memory=string_memory))
