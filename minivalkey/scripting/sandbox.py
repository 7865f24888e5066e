"""The Lua sandbox: Valkey's locked globals and read-only tables, on stock Lua 5.1.

Valkey patches its Lua to mark tables read-only; lupa's Lua 5.1 is stock, so the
same effect is built from proxies. Scripts never see a library table itself: each
global table (``string``, ``redis``, ``cjson`` ...) is seen through an empty proxy
whose metatable reads from a private copy and refuses every write with Valkey's
``Attempt to modify a readonly table``. A script's environment is such a proxy of
the globals, whose misses raise ``Script attempted to access nonexistent global
variable 'x'``; ``KEYS`` and ``ARGV`` are the only globals set per run.

Invariants:
* Nothing of Python is reachable from a script: the globals hold Lua values only
  (the ``python`` table lupa installs is removed; every API function is a Lua
  closure over a Python callable, and the debug library is gone once the hook and
  the error handler have taken what they need).
* ``setmetatable``, ``getmetatable``, ``rawset``, ``rawget``, ``next``, ``pairs``,
  ``getfenv`` and ``setfenv`` are wrapped so a proxy behaves as the read-only table
  it stands for: its metatable is hidden (``_G``'s shows a read-only stand-in, as
  Valkey's does), raw writes fail, iteration walks the real contents.
* ``loadstring`` and ``load`` refuse precompiled chunks (Valkey rejects bytecode),
  answering nil and a message, so calling the result fails with "attempt to call
  a nil value".
* The error handler turns any error into a table ``{err=..., source=..., line=...}``
  pointing at the script's own frame, skipping the wrappers' frames as Valkey's
  skips its C functions, so messages read ``... script: <name>, on @user_script:1.``
"""

from __future__ import annotations

# The privileged set-up, run once per Lua state with the debug library still present.
# It takes the Python callables the API needs, returns what the engine keeps.
SETUP = r"""
local tick, kill_error = ...
local G = _G
local dbg = debug
local sethook, getinfo = dbg.sethook, dbg.getinfo
local rawget, rawset, rawequal = rawget, rawset, rawequal
local setmetatable, getmetatable = setmetatable, getmetatable
local type, error, next, tostring, select = type, error, next, tostring, select
local real_getfenv, real_setfenv = getfenv, setfenv
local real_loadstring, real_load = loadstring, load
local string_sub = string.sub

local real_of = setmetatable({}, {__mode = "k"})   -- proxy -> its private contents
local shown_mt = setmetatable({}, {__mode = "k"})  -- proxy -> what getmetatable shows
local proxy_of = {}                                -- library table -> its proxy

local function readonly() error("Attempt to modify a readonly table", 2) end

local function protect(t)
  local p = proxy_of[t]
  if p then return p end
  p = {}
  proxy_of[t] = p
  local contents = {}
  for k, v in next, t do
    if type(v) == "table" then v = protect(v) end
    contents[k] = v
  end
  real_of[p] = contents
  setmetatable(p, {__index = contents, __newindex = readonly, __metatable = false})
  return p
end

local function real(t)
  return real_of[t] or t
end

-- The environment scripts run in: reads fall through to the protected globals,
-- a miss is an error, a write is refused.
local function missing(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end

local function make_env(hidden)
  local contents = {}
  for k, v in next, G do
    if not hidden[k] then
      if type(v) == "table" then v = protect(v) end
      contents[k] = v
    end
  end
  setmetatable(contents, {__index = missing})
  local env = {}
  contents._G = env
  real_of[env] = contents
  local shown = protect({__index = missing})
  shown_mt[env] = shown
  setmetatable(env, {__index = contents, __newindex = readonly, __metatable = false})
  return env, contents
end

local wrapped = {}
function wrapped.setmetatable(t, mt)
  if real_of[t] then error("Attempt to modify a readonly table", 0) end
  return setmetatable(t, mt)
end
function wrapped.getmetatable(v)
  if real_of[v] then return shown_mt[v] end
  return getmetatable(v)
end
function wrapped.rawset(t, k, v)
  if real_of[t] then error("Attempt to modify a readonly table", 0) end
  return rawset(t, k, v)
end
function wrapped.rawget(t, k)
  return rawget(real(t), k)
end
function wrapped.next(t, k)
  return next(real(t), k)
end
function wrapped.pairs(t)
  return wrapped.next, t, nil
end
local default_env = nil
local function level_of(f)
  if f == nil then return 2 end
  if type(f) == "number" and f > 0 then return f + 1 end
  return f
end
function wrapped.getfenv(f)
  local e = real_getfenv(level_of(f))
  if rawequal(e, G) and default_env then return default_env end
  return e
end
function wrapped.setfenv(f, t)
  return real_setfenv(level_of(f), t)
end
local function set_default_env(e) default_env = e end
function wrapped.loadstring(s, name)
  if type(s) == "string" and string_sub(s, 1, 1) == "\27" then
    return nil, "bytecode loading is not allowed"
  end
  return real_loadstring(s, name)
end
function wrapped.load(f, name)
  if type(f) == "string" then return wrapped.loadstring(f, name) end
  local first = true
  return real_load(function()
    local piece = f()
    if first and type(piece) == "string" and piece ~= "" then
      first = false
      if string_sub(piece, 1, 1) == "\27" then error("bytecode loading is not allowed", 0) end
    end
    return piece
  end, name)
end

-- Errors from the wrappers and the API must point at the script's frame, as
-- Valkey's handler skips the C function that raised.
local internal = {}
local function handler(err)
  local level = 2
  local info = getinfo(level, "nSl")
  if info and info.what == "C" then
    level = 3
    info = getinfo(level, "nSl")
  end
  while info and internal[info.source] do
    level = level + 1
    info = getinfo(level, "nSl")
    if info and info.what == "C" then
      level = level + 1
      info = getinfo(level, "nSl")
    end
  end
  if type(err) ~= "table" then
    err = {err = "ERR " .. tostring(err)}
  end
  if info then
    err.source = info.source
    err.line = info.currentline
  end
  return err
end

-- The count hook (Valkey's luaMaskCountHook): every 100000 instructions ask the
-- engine; once a kill is asked, fail at every line so pcall cannot hold it off.
-- Lines of the server's own chunks (the error handler, the runner, disarm) are
-- let through: the kill is for the script, and must not break its unwinding.
local function killed()
  local info = getinfo(2, "S")
  if info and internal[info.source] then return end
  error(kill_error(), 0)
end
local function count_hook()
  if tick() then
    sethook(killed, "l")
    error(kill_error(), 0)
  end
end
local function arm() sethook(count_hook, "", 100000) end
local function disarm() sethook() end

local function run(f, ...)
  return xpcall(f, handler)
end

return {
  G = G, protect = protect, make_env = make_env, wrapped = wrapped, handler = handler,
  internal = internal, arm = arm, disarm = disarm, set_default_env = set_default_env,
  setfenv = real_setfenv, getfenv = real_getfenv, loadstring = real_loadstring,
  xpcall = xpcall, rawset = rawset,
}
"""
