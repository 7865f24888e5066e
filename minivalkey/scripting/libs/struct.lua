-- struct: Roberto Ierusalimschy's struct library (pack, unpack, size), as Valkey ships it
-- on a 64-bit little-endian machine: l, L and T are 8 bytes, i and I 4 unless sized (up
-- to 32), the default maximum alignment ("!") is 8, native order is little-endian.
--
-- Integers go through the C library's 64-bit conversions: a negative number is truncated
-- to a signed 64-bit integer, any other to an unsigned one (NaN gives 2^63, 2^64 and more
-- give 0), and sizes above 8 bytes keep only the 64 bits the C code keeps. The format is
-- read as a C string (it ends at a NUL byte). Floats are converted exactly by the
-- helpers passed in (bytes in big-endian order).
local S, f32_bytes, f32_value, f64_bytes, f64_value = ...
local fail, argerror, checkstring, checknumber, optinteger, toint64 = S.fail, S.argerror,
  S.checkstring, S.checknumber, S.optinteger, S.toint64
local results = S.results
local select, tonumber, floor = select, tonumber, math.floor
local byte, char, sub, rep, find, reverse, format = string.byte, string.char, string.sub,
  string.rep, string.find, string.reverse, string.format
local concat = table.concat

-- C's (size_t) of a double, with -1 standing for every value too large to matter here
-- (x86-64 gives 2^63 for NaN, 0 from 2^64 on, and wraps negative values).
local function size_t(v)
  if v ~= v or (v >= 9223372036854775808 and v < 18446744073709551616) or v <= -1 then
    return -1
  elseif v >= 18446744073709551616 or v < 1 then
    return 0
  end
  return floor(v)
end

local BIG, LITTLE = 0, 1
local NATIVE = LITTLE
local MAXINTSIZE = 32
local MAXALIGN = 8
local TWO32 = 4294967296

local B = {}
for _, name in ipairs({ "b", "B", "h", "H", "l", "L", "T", "i", "I", "x", "f", "d", "c", "s",
  " ", ">", "<", "!" }) do
  B[name] = byte(name)
end
local INTEGER = {
  [B.b] = true, [B.B] = true, [B.h] = true, [B.H] = true, [B.l] = true, [B.L] = true,
  [B.T] = true, [B.i] = true, [B.I] = true,
}
local FIXED = { [B.b] = 1, [B.B] = 1, [B.h] = 2, [B.H] = 2, [B.l] = 8, [B.L] = 8, [B.T] = 8,
  [B.f] = 4, [B.d] = 8, [B.x] = 1 }
local SIGNED = { [B.b] = true, [B.h] = true, [B.l] = true, [B.i] = true }

local function isdigit(c)
  return c ~= nil and c >= 48 and c <= 57
end

local function isalnum(c)
  return isdigit(c) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122)
end

-- The format up to its first NUL byte.
local function cstring(s)
  local z = find(s, "%z")
  if z then
    return sub(s, 1, z - 1)
  end
  return s
end

-- getnum: the decimal number at fmt[i] (df when there is none), and the index after it.
local function getnum(fmt, i, df)
  local c = byte(fmt, i)
  if not isdigit(c) then
    return df, i
  end
  local a = 0
  repeat
    local d = c - 48
    if a > 214748364 or a * 10 > 2147483647 - d then
      fail("integral size overflow")
    end
    a = a * 10 + d
    i = i + 1
    c = byte(fmt, i)
  until not isdigit(c)
  return a, i
end

local function optsize(opt, fmt, i)
  local size = FIXED[opt]
  if size then
    return size, i
  elseif opt == B.c then
    return getnum(fmt, i, 1)
  elseif opt == B.i or opt == B.I then
    local sz
    sz, i = getnum(fmt, i, 4)
    if sz > MAXINTSIZE then
      fail(format("integral size %d is larger than limit of %d", sz, MAXINTSIZE))
    end
    return sz, i
  end
  return 0, i
end

-- a AND m for a >= 0 and a small m
local function band_small(a, m)
  local r, b = 0, 1
  while b <= m do
    if m % (2 * b) >= b and a % (2 * b) >= b then
      r = r + b
    end
    b = b * 2
  end
  return r
end

-- gettoalign: the padding before an item of this size at position len.
local function gettoalign(len, align, opt, size)
  if size == 0 or opt == B.c then
    return 0
  end
  if size > align then
    size = align
  end
  if size == 1 then
    return 0
  end
  local m = size - 1
  return band_small(size - band_small(len, m), m)
end

local function ispow2(a)
  if a <= 0 then
    return false
  end
  while a % 2 == 0 do
    a = a / 2
  end
  return a == 1
end

-- controloptions: returns the new endianness, alignment and format index.
local function controloptions(fname, opt, fmt, i, endian, align)
  if opt == B[" "] then
    return endian, align, i
  elseif opt == B[">"] then
    return BIG, align, i
  elseif opt == B["<"] then
    return LITTLE, align, i
  elseif opt == B["!"] then
    local a
    a, i = getnum(fmt, i, MAXALIGN)
    if not ispow2(a) then
      fail(format("alignment %d is not a power of 2", a))
    end
    return endian, a, i
  end
  argerror(fname, 1, "invalid format option '" .. char(opt) .. "'")
end

-- The 64-bit pattern the C code stores for n, as two 32-bit halves.
local function u64(n)
  if n < 0 then
    local t = toint64(n)
    local hi = floor(t / TWO32)
    return hi % TWO32, t - hi * TWO32
  end
  if n ~= n then
    return 2147483648, 0
  end
  if n >= 18446744073709551616 then
    return 0, 0
  end
  local t = floor(n)
  local hi = floor(t / TWO32)
  return hi, t - hi * TWO32
end

-- The size bytes C's putinteger writes for n.
local function integer_bytes(n, endian, size)
  local hi, lo = u64(n)
  local s = char(lo % 256, floor(lo / 256) % 256, floor(lo / 65536) % 256,
    floor(lo / 16777216))
  if size <= 4 then
    s = sub(s, 1, size)
  else
    s = s .. char(hi % 256, floor(hi / 256) % 256, floor(hi / 65536) % 256,
      floor(hi / 16777216))
    if size < 8 then
      s = sub(s, 1, size)
    elseif size > 8 then
      s = s .. rep("\0", size - 8) -- the C value has no more than 64 bits
    end
  end
  if endian == BIG then
    s = reverse(s)
  end
  return s
end

local function float_bytes(conv, n, endian, size)
  local s
  if n == 0 then
    -- the zero's sign does not survive the way to the converter
    s = rep("\0", size)
    if 1 / n < 0 then
      s = "\128" .. rep("\0", size - 1)
    end
  else
    s = conv(n)
  end
  if endian == LITTLE then
    s = reverse(s)
  end
  return s
end

local M = {}

function M.pack(...)
  local nargs = select("#", ...)
  local args = { ... }
  local fmt = cstring(checkstring("pack", 1, nargs, args[1]))
  -- the C function pushes a nil after its arguments: the first missing one reads as nil
  nargs = nargs + 1
  local endian, align = NATIVE, 1
  local arg, total = 2, 0
  local out, n = {}, 0
  local i, flen = 1, #fmt
  while i <= flen do
    local opt = byte(fmt, i)
    local size
    size, i = optsize(opt, fmt, i + 1)
    local toalign = gettoalign(total, align, opt, size)
    total = total + toalign
    if toalign > 0 then
      n = n + 1
      out[n] = rep("\0", toalign)
    end
    if INTEGER[opt] then
      local v = checknumber("pack", arg, nargs, args[arg])
      arg = arg + 1
      n = n + 1
      out[n] = integer_bytes(v, endian, size)
    elseif opt == B.x then
      n = n + 1
      out[n] = "\0"
    elseif opt == B.f or opt == B.d then
      local v = checknumber("pack", arg, nargs, args[arg])
      arg = arg + 1
      n = n + 1
      out[n] = float_bytes(opt == B.f and f32_bytes or f64_bytes, v, endian, size)
    elseif opt == B.c or opt == B.s then
      local s = checkstring("pack", arg, nargs, args[arg])
      arg = arg + 1
      local l = #s
      if size == 0 then
        size = l
      end
      if l < size then
        argerror("pack", arg, "string too short") -- the C code names the next argument
      end
      n = n + 1
      out[n] = sub(s, 1, size)
      if opt == B.s then
        n = n + 1
        out[n] = "\0"
        size = size + 1
      end
    else
      endian, align, i = controloptions("pack", opt, fmt, i, endian, align)
    end
    total = total + size
  end
  return concat(out, "", 1, n)
end

-- The number the C code reads from size bytes at data[p..]: it keeps the last 64 bits it
-- shifts in, and sign-extends from bit (8 * size - 1) mod 64.
local function getinteger(data, p, endian, issigned, size)
  local k = size
  if k > 8 then
    k = 8
  end
  -- only the last 64 bits shifted in count: k bytes, the highest 4 of 8 make hi
  local hi, lo = 0, 0
  if endian == BIG then
    local last = p + size - 1
    for q = last - k + 1, last do
      if last - q >= 4 then
        hi = hi * 256 + byte(data, q)
      else
        lo = lo * 256 + byte(data, q)
      end
    end
  else
    for q = p + k - 1, p, -1 do
      if q - p >= 4 then
        hi = hi * 256 + byte(data, q)
      else
        lo = lo * 256 + byte(data, q)
      end
    end
  end
  if issigned then
    local sh = (size * 8 - 1) % 64
    if sh >= 32 then
      local top = 2 ^ (sh - 32)
      if hi >= top then
        return (hi % top - top) * TWO32 + lo
      end
    else
      local top = 2 ^ sh
      if hi > 0 or lo >= top then
        return lo % top - top
      end
    end
  end
  return hi * TWO32 + lo
end

function M.unpack(...)
  local nargs = select("#", ...)
  local fmt, data, init = ...
  fmt = cstring(checkstring("unpack", 1, nargs, fmt))
  data = checkstring("unpack", 2, nargs, data)
  local pos = optinteger("unpack", 3, nargs, init, 1)
  if pos == 0 then
    argerror("unpack", 3, "offset must be 1 or greater")
  end
  -- pos is 0-based from here; a negative one stands for the huge size_t it is in C
  pos = pos - 1
  local ld = #data
  local endian, align = NATIVE, 1
  local res, n = {}, 0
  local i, flen = 1, #fmt
  while i <= flen do
    local opt = byte(fmt, i)
    local size
    size, i = optsize(opt, fmt, i + 1)
    if pos >= 0 then
      pos = pos + gettoalign(pos, align, opt, size)
    end
    if size > ld or pos < 0 or pos > ld - size then
      argerror("unpack", 2, "data string too short")
    end
    if nargs + n + 2 > 8000 then
      fail("stack overflow (too many results)")
    end
    if INTEGER[opt] then
      n = n + 1
      res[n] = getinteger(data, pos + 1, endian, SIGNED[opt] or false, size)
    elseif opt == B.f or opt == B.d then
      local s = sub(data, pos + 1, pos + size)
      if endian == LITTLE then
        s = reverse(s)
      end
      n = n + 1
      res[n] = (opt == B.f and f32_value or f64_value)(s)
    elseif opt == B.c then
      if size == 0 then
        local prev = n > 0 and tonumber(res[n])
        if not prev then
          fail("format 'c0' needs a previous size")
        end
        size = size_t(prev)
        n = n - 1
        if size < 0 or size > ld or pos > ld - size then
          argerror("unpack", 2, "data string too short")
        end
      end
      n = n + 1
      res[n] = sub(data, pos + 1, pos + size)
    elseif opt == B.s then
      local e = find(data, "%z", pos + 1)
      if e == nil then
        fail("unfinished string in data")
      end
      size = e - pos
      n = n + 1
      res[n] = sub(data, pos + 1, e - 1)
    elseif opt ~= B.x then -- padding returns nothing
      endian, align, i = controloptions("unpack", opt, fmt, i, endian, align)
    end
    pos = pos + size
  end
  n = n + 1
  res[n] = pos + 1
  return results(res, n)
end

function M.size(...)
  local nargs = select("#", ...)
  local fmt = cstring(checkstring("size", 1, nargs, (...)))
  local endian, align = NATIVE, 1
  local pos = 0
  local i, flen = 1, #fmt
  while i <= flen do
    local opt = byte(fmt, i)
    local size
    size, i = optsize(opt, fmt, i + 1)
    pos = pos + gettoalign(pos, align, opt, size)
    if opt == B.s then
      argerror("size", 1, "option 's' has no fixed size")
    elseif opt == B.c and size == 0 then
      argerror("size", 1, "option 'c0' has no fixed size")
    end
    if not isalnum(opt) then
      endian, align, i = controloptions("size", opt, fmt, i, endian, align)
    end
    pos = pos + size
  end
  return pos
end

return M
