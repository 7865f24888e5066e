-- Shared helpers of the script libraries: the argument checks and error raising of
-- Lua's C API (luaL_check*, luaL_argerror, luaL_error), written in Lua.
--
-- Valkey's libraries are C functions: an error they raise names the script line that
-- called them ("user_script:1: ...") and a bad argument names the function as the caller
-- spelled it ("bad argument #1 to 'decode' ..."). Here the library functions are Lua
-- functions compiled under one chunk name; `where` walks up past every frame of that
-- chunk to the first frame that is not a library frame and reports that one, so what a
-- script sees is what the C versions show. Library code must not tail-call a library
-- function from a function a script called: that frame would be lost.
local CHUNK = ...
local getinfo, error, format, type, tonumber, tostring, floor, ceil =
  debug.getinfo, error, string.format, type, tonumber, tostring, math.floor, math.ceil

-- Whether the frame at this level belongs to the libraries: a library function's frame, or a library frame lost to a tail call inside
-- the libraries (a "tail" pseudo-frame with a library frame above it).
local function inside(level)
  local info = getinfo(level, "S")
  while info ~= nil and info.what == "tail" do
    level = level + 1
    info = getinfo(level, "S")
  end
  return info ~= nil and info.source == CHUNK
end

-- Returns the first frame outside the libraries (nil when there is none) and the
-- outermost library frame's name info. The library frames are the levels below the
-- first outside one; it is found by doubling then halving, as getinfo(level) costs
-- `level` steps and a deep recursion (nested tables) may hold thousands of frames.
local function where()
  -- levels as `inside` counts them: 1 inside, 2 where, 3 fail or argerror, 4 their caller
  local lo, hi = 4, 5
  while inside(hi) do
    lo, hi = hi, hi * 2
  end
  while hi - lo > 1 do
    local mid = floor((lo + hi) / 2)
    if inside(mid) then
      lo = mid
    else
      hi = mid
    end
  end
  -- hi is the first outside level; here (one level less deep) it is hi - 1
  return getinfo(hi - 1, "Sl"), getinfo(hi - 2, "n")
end

local function prefix(caller)
  if caller ~= nil and caller.currentline > 0 then
    return caller.short_src .. ":" .. caller.currentline .. ": "
  end
  return ""
end

local S = {}

-- luaL_error: the message, after the position of the calling script line.
function S.fail(msg)
  local caller = where()
  error(prefix(caller) .. msg, 0)
end

-- luaL_argerror. fname is the library's name for the function, used when the caller's
-- frame was replaced by a tail call (a C function would still see the call's name).
function S.argerror(fname, narg, extramsg)
  local caller, entry = where()
  local name, namewhat = entry and entry.name, entry and entry.namewhat
  if caller ~= nil and caller.what == "tail" then
    name, namewhat = fname, ""
  end
  if namewhat == "method" then
    narg = narg - 1
    if narg == 0 then
      error(prefix(caller) .. format("calling '%s' on bad self (%s)", name, extramsg), 0)
    end
  end
  if name == nil then
    name = "?"
  end
  error(prefix(caller) .. format("bad argument #%d to '%s' (%s)", narg, name, extramsg), 0)
end

local argerror = S.argerror

-- luaL_typename for argument narg of nargs.
local function typename(narg, nargs, v)
  if narg > nargs then
    return "no value"
  end
  return type(v)
end
S.typename = typename

-- luaL_typerror
function S.typeerror(fname, narg, nargs, v, tname)
  argerror(fname, narg, tname .. " expected, got " .. typename(narg, nargs, v))
end
local typeerror = S.typeerror

-- luaL_checknumber: numbers and numeric strings.
function S.checknumber(fname, narg, nargs, v)
  local n = tonumber(v)
  if n == nil then
    typeerror(fname, narg, nargs, v, "number")
  end
  return n
end

-- The C cast of a double to a 64-bit integer (lua_tointeger): truncation, and the
-- "integer indefinite" value -2^63 for NaN and out-of-range values.
local function toint64(n)
  if n ~= n or n >= 9223372036854775808 or n < -9223372036854775808 then
    return -9223372036854775808
  end
  if n >= 0 then
    return floor(n)
  end
  return ceil(n) + 0 -- never -0: the C cast gives 0
end
S.toint64 = toint64

-- luaL_checkinteger
function S.checkinteger(fname, narg, nargs, v)
  local n = tonumber(v)
  if n == nil then
    typeerror(fname, narg, nargs, v, "number")
  end
  return toint64(n)
end

-- luaL_optinteger
function S.optinteger(fname, narg, nargs, v, default)
  if v == nil then
    return default
  end
  local n = tonumber(v)
  if n == nil then
    typeerror(fname, narg, nargs, v, "number")
  end
  return toint64(n)
end

-- luaL_checklstring: strings, and numbers in their "%.14g" form.
function S.checkstring(fname, narg, nargs, v)
  local t = type(v)
  if t == "string" then
    return v
  elseif t == "number" then
    return tostring(v)
  end
  typeerror(fname, narg, nargs, v, "string")
end

-- Returns up to 7999 values held in t[1..n] (unpack alone stops short of that: it needs
-- stack room for its own arguments too).
local unpack = unpack
function S.results(t, n)
  if n <= 7000 then
    return unpack(t, 1, n)
  end
  return t[1], t[2], t[3], unpack(t, 4, n)
end

return S
