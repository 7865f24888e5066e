"""Exact float conversions for the script libraries (struct, cmsgpack, bit).

Lua has no access to a double's bits, so the libraries hand floats to these functions,
which the libraries keep as private upvalues (no script can reach them). Conversions
between double and float go through C's own conversion (ctypes), as the C libraries'
do: rounding to nearest, overflow to infinity, NaN payloads kept. Byte strings are in
big-endian order. Zeros are handled by the Lua side: lupa hands -0.0 over as the int 0.
"""

from __future__ import annotations

import ctypes
import struct
import sys

_DOUBLE = struct.Struct(">d")
_LE_DOUBLE = struct.Struct("<d")
_LE_U32 = struct.Struct("<I")
_LITTLE = sys.byteorder == "little"


def _float_raw(x: float) -> bytes:
    raw = bytes(ctypes.c_float(x))
    return raw[::-1] if _LITTLE else raw


def f64_bytes(x: float) -> bytes:
    """The 8 bytes of the double x."""
    return _DOUBLE.pack(x)


def f64_value(data: bytes) -> float:
    """The double whose 8 bytes are data."""
    return float(_DOUBLE.unpack(data)[0])


def f32_bytes(x: float) -> bytes:
    """The 4 bytes of the float C's (float)x gives."""
    return _float_raw(x)


def f32_value(data: bytes) -> float:
    """The float whose 4 bytes are data, widened to a double."""
    raw = data[::-1] if _LITTLE else data
    return float(ctypes.c_float.from_buffer_copy(raw).value)


def msgpack_float(x: float) -> bytes:
    """cmsgpack's encoding of a non-integer number: float 32 when the double survives the
    round trip through a C float, else float 64."""
    if ctypes.c_float(x).value == x:
        return b"\xca" + _float_raw(x)
    return b"\xcb" + _DOUBLE.pack(x)


def nan_low32(x: float) -> int:
    """The low 32 bits of a NaN's payload (bit's conversion of a NaN argument)."""
    return int(_LE_U32.unpack(_LE_DOUBLE.pack(x)[:4])[0])
