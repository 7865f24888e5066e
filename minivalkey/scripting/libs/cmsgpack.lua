-- cmsgpack: lua-cmsgpack 0.4.0's MessagePack encoding, as Valkey ships it.
--
-- pack: a number that is an integer in [-2^63, 2^63) takes the smallest integer format,
-- any other number a float 32 when it survives the round trip through a C float, else a
-- float 64; strings take fixstr/str8/str16/str32 by length; a table whose keys are exactly
-- 1..n is an array (an empty table is an empty array), any other a map; tables nested 16
-- deep, and every other type, become nil. unpack: integers of 64 bits wrap as the C code
-- reads them (uint64 above 2^63 turns negative), bin/ext formats are "Bad data format",
-- a map key nil or NaN fails as lua_settable fails. The checks of the Lua stack's 8000 slots
-- the C functions make are reproduced with their messages. Floats are converted exactly
-- by the helpers passed in (bytes in big-endian order).
local S, float_encoding, f32_value, f64_value = ...
local fail, argerror, checkstring, checkinteger, optinteger = S.fail, S.argerror,
  S.checkstring, S.checkinteger, S.optinteger
local results = S.results
local type, next, rawget, select, floor = type, next, rawget, select, math.floor
local error, format = error, string.format
local byte, char, sub = string.byte, string.char, string.sub
local concat = table.concat

local TWO32 = 4294967296
local MAXSTACK = 8000
local MAX_NESTING = 16

local function be32(v)
  return char(floor(v / 16777216), floor(v / 65536) % 256, floor(v / 256) % 256, v % 256)
end

local function encode_int(n)
  if n >= 0 then
    if n <= 127 then
      return char(n)
    elseif n <= 255 then
      return char(0xcc, n)
    elseif n <= 65535 then
      return char(0xcd, floor(n / 256), n % 256)
    elseif n <= 4294967295 then
      return "\206" .. be32(n)
    end
    local hi = floor(n / TWO32)
    return "\207" .. be32(hi) .. be32(n - hi * TWO32)
  end
  if n >= -32 then
    return char(n + 256)
  elseif n >= -128 then
    return char(0xd0, n + 256)
  elseif n >= -32768 then
    n = n + 65536
    return char(0xd1, floor(n / 256), n % 256)
  elseif n >= -2147483648 then
    return "\210" .. be32(n + TWO32)
  end
  local hi = floor(n / TWO32)
  return "\211" .. be32(hi + TWO32) .. be32(n - hi * TWO32)
end

local function string_header(len)
  if len < 32 then
    return char(0xa0 + len)
  elseif len <= 255 then
    return char(0xd9, len)
  elseif len <= 65535 then
    return char(0xda, floor(len / 256), len % 256)
  end
  return "\219" .. be32(len)
end

local function count_header(n, fix, h16, h32)
  if n <= 15 then
    return char(fix + n)
  elseif n <= 65535 then
    return char(h16, floor(n / 256), n % 256)
  end
  return char(h32) .. be32(n)
end

local encode

-- sp: the stack slots the C encoder would be using with this table on top.
local function encode_table(t, level, sp, buf, n)
  if sp + 2 > MAXSTACK then
    fail("stack overflow (in function table_is_an_array)")
  end
  local count, max, array = 0, 0, true
  for k in next, t do
    if type(k) ~= "number" or k <= 0 or floor(k) ~= k or k > 2147483647 then
      array = false
      break
    end
    if k > max then
      max = k
    end
    count = count + 1
  end
  if array and max == count then
    if sp + 1 > MAXSTACK then
      fail("stack overflow (in function mp_encode_lua_table_as_array)")
    end
    n = n + 1
    buf[n] = count_header(count, 0x90, 0xdc, 0xdd)
    for j = 1, count do
      n = encode(rawget(t, j), level + 1, sp + 1, buf, n)
    end
    return n
  end
  if sp + 3 > MAXSTACK then
    fail("stack overflow (in function mp_encode_lua_table_as_map)")
  end
  count = 0
  for _ in next, t do
    count = count + 1
  end
  n = n + 1
  buf[n] = count_header(count, 0x80, 0xde, 0xdf)
  for k, v in next, t do
    n = encode(k, level + 1, sp + 3, buf, n)
    n = encode(v, level + 1, sp + 2, buf, n)
  end
  return n
end

function encode(v, level, sp, buf, n)
  local t = type(v)
  if t == "table" then
    if level == MAX_NESTING then
      n = n + 1
      buf[n] = "\192"
      return n
    end
    return encode_table(v, level, sp, buf, n)
  end
  n = n + 1
  if t == "string" then
    buf[n] = string_header(#v) .. v
  elseif t == "number" then
    if v == floor(v) and v >= -9223372036854775808 and v < 9223372036854775808 then
      buf[n] = encode_int(v)
    else
      buf[n] = float_encoding(v)
    end
  elseif t == "boolean" then
    buf[n] = v and "\195" or "\194"
  else
    buf[n] = "\192"
  end
  return n
end

local M = {}

function M.pack(...)
  local nargs = select("#", ...)
  if nargs == 0 then
    argerror("pack", 0, "MessagePack pack needs input.")
  end
  if nargs > MAXSTACK / 2 then
    argerror("pack", 0, "Too many arguments for MessagePack pack.")
  end
  local buf, n = {}, 0
  if nargs == 1 then
    n = encode((...), 0, 2, buf, n)
  else
    local args = { ... }
    for i = 1, nargs do
      n = encode(args[i], 0, nargs + i, buf, n)
    end
  end
  return concat(buf, "", 1, n)
end

-- ===== decoding =====

local function missing()
  fail("Missing bytes in input.")
end

local function u16(s, p)
  local a, b = byte(s, p, p + 1)
  return a * 256 + b
end

local function u32(s, p)
  local a, b, c, d = byte(s, p, p + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

-- a 64-bit integer as a lua_Integer: the top bit makes it negative
local function i64(s, p)
  local hi = u32(s, p)
  if hi >= 2147483648 then
    hi = hi - TWO32
  end
  return hi * TWO32 + u32(s, p + 4)
end

local decode

local function decode_array(s, p, len, count, sp)
  local t = {}
  if sp + 2 > MAXSTACK then
    fail("stack overflow (in function mp_decode_to_lua_array)")
  end
  local v
  for i = 1, count do
    v, p = decode(s, p, len, sp + 2)
    t[i] = v
  end
  return t, p
end

local function decode_map(s, p, len, count, sp)
  local t = {}
  local k, v
  for _ = 1, count do
    k, p = decode(s, p, len, sp + 1)
    v, p = decode(s, p, len, sp + 2)
    if k == nil then
      error("table index is nil", 0)
    elseif k ~= k then
      error("table index is NaN", 0)
    end
    t[k] = v
  end
  return t, p
end

-- The value at s[p] (s has len bytes) and the position after it.
-- sp: the stack slots the C decoder would be using before pushing it.
function decode(s, p, len, sp)
  if p > len then
    missing()
  end
  if sp + 1 > MAXSTACK then
    fail("stack overflow (too many return values at once; "
      .. "use unpack_one or unpack_limit instead.)")
  end
  local c = byte(s, p)
  if c <= 0x7f then
    return c, p + 1
  elseif c >= 0xe0 then
    return c - 256, p + 1
  elseif c <= 0x8f then
    local t
    t, p = decode_map(s, p + 1, len, c - 0x80, sp)
    return t, p
  elseif c <= 0x9f then
    local t
    t, p = decode_array(s, p + 1, len, c - 0x90, sp)
    return t, p
  elseif c <= 0xbf then
    local l = c - 0xa0
    if p + l > len then
      missing()
    end
    return sub(s, p + 1, p + l), p + 1 + l
  elseif c == 0xc0 then
    return nil, p + 1
  elseif c == 0xc2 then
    return false, p + 1
  elseif c == 0xc3 then
    return true, p + 1
  elseif c == 0xca then
    if p + 4 > len then
      missing()
    end
    return f32_value(sub(s, p + 1, p + 4)), p + 5
  elseif c == 0xcb then
    if p + 8 > len then
      missing()
    end
    return f64_value(sub(s, p + 1, p + 8)), p + 9
  elseif c == 0xcc or c == 0xd0 then
    if p + 1 > len then
      missing()
    end
    local v = byte(s, p + 1)
    if c == 0xd0 and v >= 128 then
      v = v - 256
    end
    return v, p + 2
  elseif c == 0xcd or c == 0xd1 then
    if p + 2 > len then
      missing()
    end
    local v = u16(s, p + 1)
    if c == 0xd1 and v >= 32768 then
      v = v - 65536
    end
    return v, p + 3
  elseif c == 0xce or c == 0xd2 then
    if p + 4 > len then
      missing()
    end
    local v = u32(s, p + 1)
    if c == 0xd2 and v >= 2147483648 then
      v = v - TWO32
    end
    return v, p + 5
  elseif c == 0xcf or c == 0xd3 then
    if p + 8 > len then
      missing()
    end
    return i64(s, p + 1), p + 9
  elseif c == 0xd9 or c == 0xda or c == 0xdb then
    local hdr = c == 0xd9 and 1 or (c == 0xda and 2 or 4)
    if p + hdr > len then
      missing()
    end
    local l = hdr == 1 and byte(s, p + 1) or (hdr == 2 and u16(s, p + 1) or u32(s, p + 1))
    p = p + 1 + hdr
    if p + l - 1 > len then
      missing()
    end
    return sub(s, p, p + l - 1), p + l
  elseif c >= 0xdc and c <= 0xdf then
    local wide = c == 0xdd or c == 0xdf
    if p + (wide and 4 or 2) > len then
      missing()
    end
    local count = wide and u32(s, p + 1) or u16(s, p + 1)
    p = p + (wide and 5 or 3)
    local t
    if c <= 0xdd then
      t, p = decode_array(s, p, len, count, sp)
    else
      t, p = decode_map(s, p, len, count, sp)
    end
    return t, p
  end
  fail("Bad data format in input.")
end

local function int32(n)
  n = n % TWO32
  if n >= 2147483648 then
    n = n - TWO32
  end
  return n
end

-- mp_unpack_full: the values (with the next offset first unless decoding everything) and
-- their count. base: the stack slots in use when decoding starts (the arguments).
local function unpack_full(s, limit, offset, base)
  local len = #s
  if offset < 0 or limit < 0 then
    -- the C code prints the input's length where the limit belongs
    fail(format("Invalid request to unpack with offset of %d and limit of %d.", int32(offset),
      int32(len)))
  elseif offset > len then
    fail(format("Start offset %d greater than input length %d.", int32(offset), int32(len)))
  end
  local all = limit == 0 and offset == 0
  if all then
    limit = 2147483647
  end
  -- without `all`, res[1] is kept for the next offset
  local first = all and 0 or 1
  local res, cnt = {}, 0
  local p = offset + 1
  local v
  while p <= len and cnt < limit do
    v, p = decode(s, p, len, base + cnt)
    cnt = cnt + 1
    res[first + cnt] = v
  end
  if all then
    return res, cnt
  end
  if base + cnt + 1 > MAXSTACK then
    fail("stack overflow (in function mp_unpack_full)")
  end
  res[1] = p > len and -1 or p - 1
  return res, cnt + 1
end

function M.unpack(...)
  local nargs = select("#", ...)
  local s = checkstring("unpack", 1, nargs, (...))
  local res, n = unpack_full(s, 0, 0, nargs)
  return results(res, n)
end

function M.unpack_one(...)
  local nargs = select("#", ...)
  local v, off = ...
  local offset = optinteger("unpack_one", 2, nargs, off, 0)
  -- the C function drops every argument but the first before reading it
  local s = checkstring("unpack_one", 1, nargs > 0 and 1 or 0, v)
  local res, n = unpack_full(s, 1, offset, 1)
  return results(res, n)
end

function M.unpack_limit(...)
  local nargs = select("#", ...)
  local v, lim, off = ...
  local limit = checkinteger("unpack_limit", 2, nargs, lim)
  local offset = optinteger("unpack_limit", 3, nargs, off, 0)
  local s = checkstring("unpack_limit", 1, nargs > 0 and 1 or 0, v)
  local res, n = unpack_full(s, limit, offset, 1)
  return results(res, n)
end

M._NAME = "cmsgpack"
M._VERSION = "lua-cmsgpack 0.4.0"
M._COPYRIGHT = "Copyright (C) 2012, Redis Ltd."
M._DESCRIPTION = "MessagePack C implementation for Lua"

return M
