"""cjson: Lua CJSON 2.1.0 as Valkey loads it (encode, decode, the configuration functions,
new, null). The library is Lua code: cjson.lua (the module table and argument checks),
cjson_encode.lua and cjson_decode.lua, whose headers state the rules.

cjson.null is one userdata for the runtime, shared by every table cjson.new() makes (the C
library's is the NULL light userdata, which is the same everywhere). It prints as that one
does ("userdata: (nil)"); getmetatable on it gives false where Valkey gives nil (a full
userdata needs a metatable to print so, and hides it this way).
"""

from __future__ import annotations

from typing import Any

from lupa.lua51 import LuaRuntime

from .loader import run_chunk, run_source, set_global, support

_NULL = b"""
local null = newproxy(true)
local mt = getmetatable(null)
mt.__tostring = function()
  return "userdata: (nil)"
end
mt.__metatable = false
return null
"""


def install(lua: LuaRuntime, helpers: Any = None) -> None:
    """Sets the global table `cjson` (helpers: a `loader.support` table to share)."""
    helpers = support(lua, helpers)
    null = run_source(lua, _NULL)
    encode = run_chunk(lua, "cjson_encode", helpers, null)
    decode = run_chunk(lua, "cjson_decode", helpers, null)
    set_global(lua, "cjson", run_chunk(lua, "cjson", helpers, encode, decode, null))
