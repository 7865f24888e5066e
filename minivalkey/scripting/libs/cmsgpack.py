"""cmsgpack: lua-cmsgpack 0.4.0 as Valkey loads it (pack, unpack, unpack_one, unpack_limit).
The library is Lua code (cmsgpack.lua); floats are converted by `floats`."""

from __future__ import annotations

from typing import Any

from lupa.lua51 import LuaRuntime

from .floats import f32_value, f64_value, msgpack_float
from .loader import run_chunk, set_global, support


def install(lua: LuaRuntime, helpers: Any = None) -> None:
    """Sets the global table `cmsgpack` (helpers: a `loader.support` table to share)."""
    table = run_chunk(lua, "cmsgpack", support(lua, helpers), msgpack_float, f32_value, f64_value)
    set_global(lua, "cmsgpack", table)
