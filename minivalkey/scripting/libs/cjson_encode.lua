-- The encoder of cjson (Lua CJSON 2.1.0's rules): encode(cfg, value) -> JSON text.
--
-- Strings are escaped byte by byte (control characters, '"', '\\', '/' and DEL; other
-- bytes pass through untouched); numbers are written with cfg.number_format
-- ("%.<precision>g"); NaN and infinities fail, or are written as the setting
-- encode_invalid_numbers says. A table is an array when every key is an integer >= 1 and
-- it is not "excessively sparse" (encode_sparse_array's ratio and safe size), otherwise
-- an object (an empty table is "{}"). Keys are visited in `next` order, as lua_next visits
-- them. The nesting limit is encode_max_depth, and the 8000 stack slots a C function has.
local S, null = ...
local fail = S.fail
local type, next, rawget, floor = type, next, rawget, math.floor
local format, find, gsub, char = string.format, string.find, string.gsub, string.char
local concat = table.concat

local INF = 1 / 0
local MAXSTACK = 8000 -- LUAI_MAXCSTACK: the stack slots a C function may use

local ESCAPE = {}
for i = 0, 31 do
  ESCAPE[char(i)] = format("\\u%04x", i)
end
ESCAPE["\b"], ESCAPE["\t"], ESCAPE["\n"], ESCAPE["\f"], ESCAPE["\r"] =
  "\\b", "\\t", "\\n", "\\f", "\\r"
ESCAPE['"'], ESCAPE["\\"], ESCAPE["/"], ESCAPE["\127"] = '\\"', "\\\\", "\\/", "\\u007f"
local ESCAPED = '[%z\1-\31"\\/\127]'

local function quote(s)
  if find(s, ESCAPED) then
    s = gsub(s, ESCAPED, ESCAPE)
  end
  return '"' .. s .. '"'
end

local function number_text(cfg, n)
  if n ~= n or n == INF or n == -INF then
    local mode = cfg.encode_invalid_numbers
    if mode == 0 then
      fail("Cannot serialise number: must not be NaN or Inf")
    elseif mode == 1 then
      if n ~= n then
        return "nan"
      end
    else
      return "null"
    end
  end
  return format(cfg.number_format, n)
end

-- int * int as the C code computes it: wrapped to 32 bits.
local function mul32(a, b)
  local p = a * b
  if p < 2147483648 then
    return p
  end
  local lo, hi = b % 65536, floor(b / 65536)
  p = ((a * hi) % 65536 * 65536 + a * lo) % 4294967296
  if p >= 2147483648 then
    p = p - 4294967296
  end
  return p
end

-- The array length of t, or -1 when t is to be an object.
local function array_length(cfg, t)
  local max, items = 0, 0
  for k in next, t do
    if type(k) ~= "number" or k == 0 or floor(k) ~= k or k < 1 then
      return -1
    end
    if k > max then
      -- the C code keeps the maximum in an int: larger keys become INT_MIN
      if k < 2147483648 then
        max = k
      else
        max = -2147483648
      end
    end
    items = items + 1
  end
  local ratio = cfg.encode_sparse_ratio
  if ratio > 0 and max > mul32(items, ratio) and max > cfg.encode_sparse_safe then
    if cfg.encode_sparse_convert == 0 then
      fail("Cannot serialise table: excessively sparse array")
    end
    return -1
  end
  return max
end

local encode_value

-- sp: the stack slots the C encoder would be using with this table on top.
local function encode_table(cfg, t, depth, sp, buf, n)
  depth = depth + 1
  if depth > cfg.encode_max_depth or sp + 3 > MAXSTACK then
    fail(format("Cannot serialise, excessive nesting (%d)", depth))
  end
  local len = array_length(cfg, t)
  if len > 0 then
    n = n + 1
    buf[n] = "["
    for i = 1, len do
      if i > 1 then
        n = n + 1
        buf[n] = ","
      end
      n = encode_value(cfg, rawget(t, i), depth, sp + 1, buf, n)
    end
    n = n + 1
    buf[n] = "]"
    return n
  end
  n = n + 1
  buf[n] = "{"
  local first = true
  for k, v in next, t do
    if first then
      first = false
    else
      n = n + 1
      buf[n] = ","
    end
    local kt = type(k)
    n = n + 1
    if kt == "string" then
      buf[n] = quote(k) .. ":"
    elseif kt == "number" then
      buf[n] = '"' .. number_text(cfg, k) .. '":'
    else
      fail("Cannot serialise " .. kt .. ": table key must be a number or string")
    end
    n = encode_value(cfg, v, depth, sp + 2, buf, n)
  end
  n = n + 1
  buf[n] = "}"
  return n
end

function encode_value(cfg, v, depth, sp, buf, n)
  local t = type(v)
  n = n + 1
  if t == "string" then
    buf[n] = quote(v)
  elseif t == "number" then
    buf[n] = number_text(cfg, v)
  elseif t == "table" then
    return encode_table(cfg, v, depth, sp, buf, n - 1)
  elseif t == "boolean" then
    buf[n] = v and "true" or "false"
  elseif v == nil or v == null then
    buf[n] = "null"
  else
    fail("Cannot serialise " .. t .. ": type not supported")
  end
  return n
end

return function(cfg, value)
  local buf = {}
  local n = encode_value(cfg, value, 0, 1, buf, 0)
  return concat(buf, "", 1, n)
end
