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
local string_sub, string_gsub = string.sub, string.gsub

local internal = {}  -- chunk names of the server's own Lua (see the handler)
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

-- The wrappers check their arguments as the C functions they stand for do
-- (luaL_checktype & co.), so a bad call reads as it does in Valkey: the name the
-- caller used, the caller's position, nothing of the wrapper.
-- ``depth``: the frames between argerror and the wrapper (1: called by the wrapper).
local function argerror(narg, extramsg, depth)
  depth = depth or 1
  local ar = getinfo(depth + 1, "n")
  local name = ar and ar.name
  if ar and ar.namewhat == "method" then
    narg = narg - 1
    if narg == 0 then
      error("calling '" .. tostring(name) .. "' on bad self (" .. extramsg .. ")", depth + 2)
    end
  end
  error("bad argument #" .. narg .. " to '" .. (name or "?") .. "' (" .. extramsg .. ")",
    depth + 2)
end
local function check(narg, expected, count, v)
  if count < narg then
    argerror(narg, expected .. " expected, got no value", 2)
  elseif type(v) ~= expected then
    argerror(narg, expected .. " expected, got " .. type(v), 2)
  end
end
local function check_any(narg, count)
  if count < narg then argerror(narg, "value expected", 2) end
end

local wrapped = {}
function wrapped.setmetatable(...)
  local count, t, mt = select("#", ...), ...
  check(1, "table", count, t)
  local kind = type(mt)
  if kind ~= "nil" and kind ~= "table" then argerror(2, "nil or table expected") end
  if real_of[t] then error("Attempt to modify a readonly table", 0) end
  return setmetatable(t, mt)
end
function wrapped.getmetatable(...)
  check_any(1, select("#", ...))
  local v = ...
  if real_of[v] then return shown_mt[v] end
  return getmetatable(v)
end
function wrapped.rawset(...)
  local count, t, k, v = select("#", ...), ...
  check(1, "table", count, t)
  check_any(2, count)
  check_any(3, count)
  if real_of[t] then error("Attempt to modify a readonly table", 0) end
  return rawset(t, k, v)
end
function wrapped.rawget(...)
  local count, t, k = select("#", ...), ...
  check(1, "table", count, t)
  check_any(2, count)
  return rawget(real(t), k)
end
function wrapped.next(...)
  local count, t, k = select("#", ...), ...
  check(1, "table", count, t)
  return next(real(t), k)
end
function wrapped.pairs(...)
  local count, t = select("#", ...), ...
  check(1, "table", count, t)
  return wrapped.next, t, nil
end
local default_env = nil
-- A level as getfenv/setfenv take it (a number, or a string that reads as one),
-- counted from the wrapper's caller; the real function is one level further.
local function level_of(count, f, optional)
  if count < 1 or f == nil then
    if optional then return 2 end
    argerror(1, "number expected, got " .. (count < 1 and "no value" or "nil"), 2)
  end
  local level = tonumber(f)
  if level == nil then argerror(1, "number expected, got " .. type(f), 2) end
  if level < 0 then argerror(1, "level must be non-negative", 2) end
  if level > 0 and getinfo(level + 2, "f") == nil then argerror(1, "invalid level", 2) end
  return level > 0 and level + 1 or 0
end
function wrapped.getfenv(...)
  local count, f = select("#", ...), ...
  if type(f) ~= "function" then f = level_of(count, f, true) end
  local e = real_getfenv(f)
  if rawequal(e, G) and default_env then return default_env end
  return e
end
function wrapped.setfenv(...)
  local count, f, t = select("#", ...), ...
  check(2, "table", count, t)
  if type(f) ~= "function" then
    f = level_of(count, f, false)
  elseif internal[getinfo(f, "S").source] then
    -- the server's functions stand for Valkey's C functions, whose environment
    -- setfenv cannot change
    error("'setfenv' cannot change environment of given object", 2)
  end
  return real_setfenv(f, t)
end
local function set_default_env(e) default_env = e end
-- A chunk a script loads runs in the environment of the script that loaded it (in
-- Valkey it sees the same protected globals), never in the real globals.
local function loader_env()
  local info = getinfo(3, "f")
  local e = info and info.func and real_getfenv(info.func)
  if e == nil or rawequal(e, G) then return default_env or G end
  return e
end
-- A chunk loaded by a script runs in the globals scripts see (read-only, as in
-- Valkey), never in the state's own.
local function in_globals(env, loaded, message)
  if loaded and env then real_setfenv(loaded, env) end
  return loaded, message
end
-- Valkey's Lua reads a precompiled chunk as text, which fails on its first byte;
-- the same message, with the chunk name Lua would print.
local function bytecode_refused(chunkname)
  local _, message = real_loadstring("\1", chunkname)
  return nil, (string_gsub(message, "'char%(1%)'$", "'char(27)'"))
end
function wrapped.loadstring(...)
  local env = loader_env()
  local count, s, name = select("#", ...), ...
  if type(s) ~= "number" then check(1, "string", count, s) end
  s = tostring(s)
  if name ~= nil and type(name) ~= "string" and type(name) ~= "number" then
    argerror(2, "string expected, got " .. type(name))
  end
  name = name == nil and s or tostring(name)
  if string_sub(s, 1, 1) == "\27" then return bytecode_refused(name) end
  return in_globals(env, real_loadstring(s, name))
end
function wrapped.load(...)
  local env = loader_env()
  local count, f, name = select("#", ...), ...
  check(1, "function", count, f)
  if name ~= nil and type(name) ~= "string" and type(name) ~= "number" then
    argerror(2, "string expected, got " .. type(name))
  end
  name = name == nil and "=(load)" or tostring(name)
  local first, refused = true, false
  local function reader()
    local piece = f()
    if first and type(piece) == "string" and piece ~= "" then
      first = false
      if string_sub(piece, 1, 1) == "\27" then
        refused = true
        return nil
      end
    end
    return piece
  end
  local loaded, message = real_load(reader, name)
  if refused then return bytecode_refused(name) end
  return in_globals(env, loaded, message)
end

-- Errors from the wrappers and the API must point at the script's frame, as
-- Valkey's handler skips the C function that raised.
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

-- A table its maker built (metatable included) made read-only the way the proxies
-- are: raw writes refused, raw reads and iteration on ``contents``, ``shown`` what
-- getmetatable answers.
local function seal(t, contents, shown)
  real_of[t] = contents
  shown_mt[t] = shown
end

local function run(f, ...)
  return xpcall(f, handler)
end

return {
  G = G, protect = protect, make_env = make_env, wrapped = wrapped, handler = handler,
  internal = internal, arm = arm, disarm = disarm, set_default_env = set_default_env,
  setfenv = real_setfenv, getfenv = real_getfenv, loadstring = real_loadstring,
  xpcall = xpcall, rawset = rawset, seal = seal,
}
"""
