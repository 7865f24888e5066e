"""Running Lua snippets as scripts against the script libraries, with comparable output.

`run(lua, snippet)` compiles the snippet as Valkey compiles a script body (chunk name
"@user_script", so error positions read "user_script:1:"), calls it under pcall and
returns the results as one line of text: every value pcall returned, separated by ", ".
Strings are quoted (%q, with every byte outside printable ASCII as \\ddd), numbers are
"%.17g" (nan and -nan by name), tables list "[key]=value" items sorted, cjson.null is
`null`. The same Lua text (`script(snippet)`) was run through EVAL on valkey-server 8.0.1
to get the expected values the tests write out.
"""

from __future__ import annotations

import lupa.lua51

from minivalkey.scripting.libs import install_all

_SCRIPT = r"""
local function ser(v, depth)
  local t = type(v)
  if t == "string" then
    local q = string.format("%q", v):gsub("\\\n", "\\n")
    return (q:gsub("[%z\1-\31\127-\255]", function(c) return "\\" .. c:byte() end))
  elseif t == "number" then
    if v ~= v then return tostring(v) end
    return string.format("%.17g", v)
  elseif t == "table" then
    if depth > 20 then return "{...}" end
    local items = {}
    for k, x in pairs(v) do
      items[#items + 1] = "[" .. ser(k, depth + 1) .. "]=" .. ser(x, depth + 1)
    end
    table.sort(items)
    return "{" .. table.concat(items, ",") .. "}"
  elseif t == "userdata" then
    if v == cjson.null then return "null" end
    return "userdata"
  end
  return tostring(v)
end
local f, err = loadstring(@CODE@, "@user_script")
if not f then return "COMPILE: " .. err end
local function pack(...) return select("#", ...), {...} end
local n, r = pack(pcall(f))
local out = {}
for i = 1, n do out[i] = ser(r[i], 0) end
return table.concat(out, ", ")
"""


def script(snippet: str) -> str:
    """The Lua text that runs snippet and serialises what it returns."""
    assert "]==]" not in snippet
    return _SCRIPT.replace("@CODE@", "[==[" + snippet + "]==]")


def new_runtime() -> lupa.lua51.LuaRuntime:
    """A runtime built as the server builds its own, with the four libraries."""
    lua = lupa.lua51.LuaRuntime(
        encoding=None, unpack_returned_tuples=True, register_eval=False, register_builtins=False
    )
    install_all(lua)
    return lua


def run(lua: lupa.lua51.LuaRuntime, snippet: str) -> str:
    result = lua.execute(script(snippet).encode())
    assert isinstance(result, bytes)
    return result.decode("latin-1")
