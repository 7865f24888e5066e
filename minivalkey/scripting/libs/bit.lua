-- bit: Lua BitOp 1.0's 32-bit operations, as Valkey ships them.
--
-- An argument becomes 32 bits the way the C library converts it: the double plus
-- 2^52 + 2^51, whose low 32 mantissa bits are taken (so 1.5 -> 2 and 2.5 -> 2, rounding to
-- even, and large values wrap). Every result is a signed 32-bit number. Arguments of
-- band/bor/bxor are converted from the last to the second, then the first, so the error
-- for a bad argument names the one the C library names.
local S, nan_low32 = ...
local typeerror = S.typeerror
local select, tonumber, floor, frexp, format, sub = select, tonumber, math.floor, math.frexp,
  string.format, string.sub

local TWO32, TWO31 = 4294967296, 2147483648
local INF = 1 / 0

local POW = {}
for i = 0, 32 do
  POW[i] = 2 ^ i
end

-- x AND y for 4-bit x and y, at AND4[x * 16 + y]
local AND4 = {}
for x = 0, 15 do
  for y = 0, 15 do
    local r, b = 0, 1
    for _ = 1, 4 do
      if x % (2 * b) >= b and y % (2 * b) >= b then
        r = r + b
      end
      b = b * 2
    end
    AND4[x * 16 + y] = r
  end
end

local function and32(a, b)
  local r, m = 0, 1
  while a > 0 and b > 0 do
    local x, y = a % 16, b % 16
    r = r + AND4[x * 16 + y] * m
    a, b, m = (a - x) / 16, (b - y) / 16, m * 16
  end
  return r
end

local function tobits(n)
  if n > -2251799813685248 and n < 2251799813685248 then
    -- |n| < 2^51: the sum lies in [2^52, 2^53), where the mantissa is sum - 2^52
    return (n + 6755399441055744 - 4503599627370496) % TWO32
  end
  local s = n + 6755399441055744
  if s ~= s then
    return nan_low32(s) -- the NaN's payload bits
  end
  if s == 0 or s == INF or s == -INF then
    return 0
  end
  local f = frexp(s)
  if f < 0 then
    f = -f
  end
  return ((f * 2 - 1) * 4503599627370496) % TWO32
end

local function barg(fname, narg, nargs, v)
  local n = tonumber(v)
  if n == nil then
    typeerror(fname, narg, nargs, v, "number")
  end
  return tobits(n)
end

local function signed(b)
  if b >= TWO31 then
    return b - TWO32
  end
  return b
end

local M = {}

function M.tobit(...)
  local b = barg("tobit", 1, select("#", ...), (...))
  return signed(b)
end

function M.bnot(...)
  local b = barg("bnot", 1, select("#", ...), (...))
  return signed(TWO32 - 1 - b)
end

local function fold(fname, op, ...)
  local nargs = select("#", ...)
  local b = barg(fname, 1, nargs, (...))
  for i = nargs, 2, -1 do
    local a = barg(fname, i, nargs, (select(i, ...)))
    local both = and32(a, b)
    if op == 0 then
      b = both
    elseif op == 1 then
      b = a + b - both
    else
      b = a + b - 2 * both
    end
  end
  return b
end

function M.band(...)
  local b = fold("band", 0, ...)
  return signed(b)
end

function M.bor(...)
  local b = fold("bor", 1, ...)
  return signed(b)
end

function M.bxor(...)
  local b = fold("bxor", 2, ...)
  return signed(b)
end

local function shift_args(fname, ...)
  local nargs = select("#", ...)
  local v, c = ...
  local b = barg(fname, 1, nargs, v)
  local n = barg(fname, 2, nargs, c) % 32
  return b, n
end

function M.lshift(...)
  local b, n = shift_args("lshift", ...)
  return signed(b * POW[n] % TWO32)
end

function M.rshift(...)
  local b, n = shift_args("rshift", ...)
  return signed(floor(b / POW[n]))
end

function M.arshift(...)
  local b, n = shift_args("arshift", ...)
  return signed(floor(signed(b) / POW[n]) % TWO32)
end

function M.rol(...)
  local b, n = shift_args("rol", ...)
  return signed(b * POW[n] % TWO32 + floor(b / POW[32 - n]))
end

function M.ror(...)
  local b, n = shift_args("ror", ...)
  return signed(b * POW[32 - n] % TWO32 + floor(b / POW[n]))
end

function M.bswap(...)
  local b = barg("bswap", 1, select("#", ...), (...))
  local b0, b1, b2 = b % 256, floor(b / 256) % 256, floor(b / 65536) % 256
  local b3 = floor(b / 16777216)
  return signed(((b0 * 256 + b1) * 256 + b2) * 256 + b3)
end

function M.tohex(...)
  local nargs = select("#", ...)
  local v, c = ...
  local b = barg("tohex", 1, nargs, v)
  local n = 8
  if nargs >= 2 then
    n = signed(barg("tohex", 2, nargs, c))
  end
  local spec = "%08x"
  if n == -TWO31 then
    n = -TWO31 + 1
  end
  if n < 0 then
    n = -n
    spec = "%08X"
  end
  if n > 8 then
    n = 8
  end
  local r = sub(format(spec, b), 9 - n)
  return r
end

return M
