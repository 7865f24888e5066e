"""struct: the struct library as Valkey loads it (pack, unpack, size). The library is Lua
code (struct.lua); floats are converted by `floats`."""

from __future__ import annotations

from lupa.lua51 import LuaRuntime

from .floats import f32_bytes, f32_value, f64_bytes, f64_value
from .loader import run_chunk, set_global, support


def install(lua: LuaRuntime) -> None:
    """Sets the global table `struct`."""
    table = run_chunk(lua, "struct", support(lua), f32_bytes, f32_value, f64_bytes, f64_value)
    set_global(lua, "struct", table)
