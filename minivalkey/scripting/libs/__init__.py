"""The four C libraries Valkey loads into its Lua state, for lupa's Lua 5.1: cjson,
cmsgpack, bit and struct.

Each module's `install(lua)` sets one global table; `install_all(lua)` sets all four. They
must run before the sandbox locks the globals. Every function a script can reach is a Lua
function (the libraries are Lua code, `*.lua` beside these modules); the Python float
helpers they use are upvalues no script can reach. Results, error texts and limits are
Valkey 8.0.1's; see each `.lua` file's header for its rules.
"""

from __future__ import annotations

from lupa.lua51 import LuaRuntime

from . import bit, cjson, cmsgpack, struct
from .loader import LIBRARY_SOURCE, support

__all__ = ["LIBRARY_SOURCE", "install_all"]


def install_all(lua: LuaRuntime) -> None:
    """Sets the globals cjson, struct, cmsgpack and bit (Valkey's loading order)."""
    helpers = support(lua)
    cjson.install(lua, helpers)
    struct.install(lua, helpers)
    cmsgpack.install(lua, helpers)
    bit.install(lua, helpers)
