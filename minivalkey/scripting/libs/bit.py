"""bit: Lua BitOp's 32-bit operations as Valkey loads them (tobit, tohex, bnot, band, bor,
bxor, lshift, rshift, arshift, rol, ror, bswap). The library is Lua code (bit.lua)."""

from __future__ import annotations

from lupa.lua51 import LuaRuntime

from .floats import nan_low32
from .loader import run_chunk, set_global, support


def install(lua: LuaRuntime) -> None:
    """Sets the global table `bit`."""
    set_global(lua, "bit", run_chunk(lua, "bit", support(lua), nan_low32))
