"""bit: Lua BitOp's 32-bit operations as Valkey loads them (tobit, tohex, bnot, band, bor,
bxor, lshift, rshift, arshift, rol, ror, bswap). The library is Lua code (bit.lua)."""

from __future__ import annotations

from typing import Any

from lupa.lua51 import LuaRuntime

from .floats import nan_low32
from .loader import run_chunk, set_global, support


def install(lua: LuaRuntime, helpers: Any = None) -> None:
    """Sets the global table `bit` (helpers: a `loader.support` table to share)."""
    set_global(lua, "bit", run_chunk(lua, "bit", support(lua, helpers), nan_low32))
