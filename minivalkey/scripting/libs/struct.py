"""struct: the struct library as Valkey loads it (pack, unpack, size). The library is Lua
code (struct.lua); floats are converted by `floats`."""

from __future__ import annotations

from typing import Any

from lupa.lua51 import LuaRuntime

from .floats import f32_bytes, f32_value, f64_bytes, f64_value
from .loader import run_chunk, set_global, support


def install(lua: LuaRuntime, helpers: Any = None) -> None:
    """Sets the global table `struct` (helpers: a `loader.support` table to share)."""
    table = run_chunk(
        lua, "struct", support(lua, helpers), f32_bytes, f32_value, f64_bytes, f64_value
    )
    set_global(lua, "struct", table)
