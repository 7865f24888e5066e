-- The decoder of cjson (Lua CJSON 2.1.0's rules): decode(cfg, text) -> value.
--
-- The text ends at its first NUL byte (the C library reads a C string); a NUL among its
-- first two bytes is refused as UTF-16/32. Numbers are read as strtod reads them, so
-- hexadecimal, "inf" and "nan" are accepted unless decode_invalid_numbers is off; \u
-- escapes become UTF-8 (surrogate pairs joined, lone surrogates refused); other bytes pass
-- through untouched. null is cjson.null; a repeated key keeps its last value. Errors are
-- the C library's ("Expected <what> but found <token> at character <n>"); the nesting
-- limit is decode_max_depth, and the 8000 stack slots a C function has.
local S, null = ...
local fail = S.fail
local tonumber, floor = tonumber, math.floor
local format, find, sub, byte, char = string.format, string.find, string.sub, string.byte,
  string.char
local concat = table.concat

local MAXSTACK = 8000 -- LUAI_MAXCSTACK: the stack slots a C function may use

-- Token kinds are the C library's names: a parse error reports them.
local T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END = "T_OBJ_BEGIN", "T_OBJ_END",
  "T_ARR_BEGIN", "T_ARR_END"
local T_STRING, T_NUMBER, T_BOOLEAN, T_NULL = "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL"
local T_COLON, T_COMMA, T_END, T_ERROR = "T_COLON", "T_COMMA", "T_END", "T_ERROR"

local SINGLE = {
  [123] = T_OBJ_BEGIN, [125] = T_OBJ_END, [91] = T_ARR_BEGIN, [93] = T_ARR_END,
  [44] = T_COMMA, [58] = T_COLON,
}
-- bytes that may start a literal or (with decode_invalid_numbers) a number
local WORDY = { [102] = true, [105] = true, [73] = true, [110] = true, [78] = true,
  [116] = true, [43] = true }
local UNESCAPE = { [34] = '"', [92] = "\\", [47] = "/", [98] = "\b", [116] = "\t",
  [110] = "\n", [102] = "\f", [114] = "\r" }

-- ASCII lower case of a byte (strncasecmp in the C locale)
local function lower(c)
  if c ~= nil and c >= 65 and c <= 90 then
    return c + 32
  end
  return c
end

local function ci_match(s, p, word)
  for i = 1, #word do
    if lower(byte(s, p + i - 1)) ~= byte(word, i) then
      return false
    end
  end
  return true
end

-- json_is_invalid_number: forms strtod accepts that strict JSON does not.
local function is_invalid_number(s, p)
  local c = byte(s, p)
  if c == 43 then
    return true
  end
  if c == 45 then
    p = p + 1
    c = byte(s, p)
  end
  if c == 48 then
    local c2 = byte(s, p + 1)
    return c2 ~= nil and (c2 == 120 or c2 == 88 or (c2 >= 48 and c2 <= 57))
  elseif c == nil or c <= 57 then
    return false
  end
  return ci_match(s, p, "inf") or ci_match(s, p, "nan")
end

-- The end (exclusive) of what strtod reads at p, or nil when it reads nothing.
local function strtod_end(s, p)
  local q = p
  local c = byte(s, q)
  if c == 43 or c == 45 then
    q = q + 1
    c = byte(s, q)
  end
  if ci_match(s, q, "inf") then
    if ci_match(s, q + 3, "inity") then
      return q + 8
    end
    return q + 3
  end
  if ci_match(s, q, "nan") then
    q = q + 3
    if byte(s, q) == 40 then
      local _, e = find(s, "^[0-9A-Za-z_]*%)", q + 1)
      if e then
        return e + 1
      end
    end
    return q
  end
  if c == 48 and lower(byte(s, q + 1)) == 120 then
    local _, e1 = find(s, "^[0-9A-Fa-f]*", q + 2)
    local digits = e1 - (q + 1)
    local r = e1 + 1
    if byte(s, r) == 46 then
      local _, e2 = find(s, "^[0-9A-Fa-f]*", r + 1)
      digits = digits + (e2 - r)
      r = e2 + 1
    end
    if digits > 0 then
      if lower(byte(s, r)) == 112 then
        local _, e3 = find(s, "^[+-]?[0-9]+", r + 1)
        if e3 then
          r = e3 + 1
        end
      end
      return r
    end
    -- "0x" without hexadecimal digits: strtod reads the "0"
  end
  local _, e1 = find(s, "^[0-9]*", q)
  local digits = e1 - q + 1
  local r = e1 + 1
  if byte(s, r) == 46 then
    local _, e2 = find(s, "^[0-9]*", r + 1)
    digits = digits + (e2 - r)
    r = e2 + 1
  end
  if digits == 0 then
    return nil
  end
  if lower(byte(s, r)) == 101 then
    local _, e3 = find(s, "^[+-]?[0-9]+", r + 1)
    if e3 then
      r = e3 + 1
    end
  end
  return r
end

-- bytes that may continue a number after its integer digits
local NUMBER_GOES_ON = { [46] = true, [101] = true, [69] = true, [120] = true, [88] = true }

local function number_token(s, p)
  -- the common case first: digits that nothing can continue
  local _, e = find(s, "^-?[0-9]+", p)
  if e then
    local c = byte(s, e + 1)
    if not NUMBER_GOES_ON[c] then
      return T_NUMBER, tonumber(sub(s, p, e)), p, e + 1
    elseif c == 46 then
      local _, f = find(s, "^[0-9]*", e + 2)
      c = byte(s, f + 1)
      if c ~= 101 and c ~= 69 then
        return T_NUMBER, tonumber(sub(s, p, f)), p, f + 1
      end
    end
  end
  e = strtod_end(s, p)
  if e == nil then
    return T_ERROR, "invalid number", p, p
  end
  -- tonumber reads the text with the same strtod
  return T_NUMBER, tonumber(sub(s, p, e - 1)), p, e
end

local function hex4(s, p)
  local h = sub(s, p, p + 3)
  if #h == 4 and find(h, "^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$") then
    return tonumber(h, 16)
  end
  return nil
end

local function utf8(cp)
  if cp <= 0x7F then
    return char(cp)
  elseif cp <= 0x7FF then
    return char(floor(cp / 64) + 0xC0, cp % 64 + 0x80)
  elseif cp <= 0xFFFF then
    return char(floor(cp / 4096) + 0xE0, floor(cp / 64) % 64 + 0x80, cp % 64 + 0x80)
  end
  return char(floor(cp / 262144) + 0xF0, floor(cp / 4096) % 64 + 0x80,
    floor(cp / 64) % 64 + 0x80, cp % 64 + 0x80)
end

-- The string token at p (an opening quote).
local function string_token(s, p)
  local q = p + 1
  local e = find(s, '["\\]', q)
  if e and byte(s, e) == 34 then
    return T_STRING, sub(s, q, e - 1), p, e + 1 -- no escapes
  end
  local parts, n = {}, 0
  while true do
    if e == nil then
      return T_ERROR, "unexpected end of string", #s + 1, #s + 1
    end
    if e > q then
      n = n + 1
      parts[n] = sub(s, q, e - 1)
    end
    if byte(s, e) == 34 then
      return T_STRING, concat(parts, "", 1, n), p, e + 1
    end
    local c = byte(s, e + 1)
    if c == 117 then
      local cp = hex4(s, e + 2)
      local len = 6
      if cp ~= nil and cp >= 0xD800 and cp <= 0xDFFF then
        if cp >= 0xDC00 or sub(s, e + 6, e + 7) ~= "\\u" then
          cp = nil
        else
          local low = hex4(s, e + 8)
          if low == nil or low < 0xDC00 or low > 0xDFFF then
            cp = nil
          else
            cp = (cp - 0xD800) * 1024 + (low - 0xDC00) + 0x10000
            len = 12
          end
        end
      end
      if cp == nil then
        return T_ERROR, "invalid unicode escape code", e, e
      end
      n = n + 1
      parts[n] = utf8(cp)
      q = e + len
      e = find(s, '["\\]', q)
    else
      local ch = UNESCAPE[c]
      if ch == nil then
        return T_ERROR, "invalid escape code", e, e
      end
      n = n + 1
      parts[n] = ch
      q = e + 2
      e = find(s, '["\\]', q)
    end
  end
end

-- Returns kind, value, position reported for it (1-based), position after it.
local WHITESPACE = { [32] = true, [9] = true, [10] = true, [13] = true }

local function next_token(cfg, s, p)
  local c = byte(s, p)
  if WHITESPACE[c] then
    p = find(s, "[^ \t\n\r]", p)
    c = p and byte(s, p)
  end
  if c == nil then
    local e = #s + 1
    return T_END, nil, e, e
  end
  local single = SINGLE[c]
  if single then
    return single, nil, p, p + 1
  end
  if c == 34 then
    return string_token(s, p)
  elseif c == 45 or (c >= 48 and c <= 57) then
    if cfg.decode_invalid_numbers == 0 and is_invalid_number(s, p) then
      return T_ERROR, "invalid number", p, p
    end
    return number_token(s, p)
  elseif WORDY[c] then
    if sub(s, p, p + 3) == "true" then
      return T_BOOLEAN, true, p, p + 4
    elseif sub(s, p, p + 4) == "false" then
      return T_BOOLEAN, false, p, p + 5
    elseif sub(s, p, p + 3) == "null" then
      return T_NULL, nil, p, p + 4
    elseif cfg.decode_invalid_numbers ~= 0 and is_invalid_number(s, p) then
      return number_token(s, p)
    end
  end
  return T_ERROR, "invalid token", p, p
end

local function parse_error(expected, kind, value, at)
  local found = kind
  if kind == T_ERROR then
    found = value
  end
  fail(format("Expected %s but found %s at character %d", expected, found, at))
end

local parse_value

-- Tokens are kinds of the C tokeniser; where the next byte alone decides one (a
-- separator right after a value), it is taken without the tokeniser.
local SCALAR = { [T_STRING] = true, [T_NUMBER] = true, [T_BOOLEAN] = true }

-- p: the position after the opening bracket; sp: the C parser's stack slots in use.
local function parse_array(cfg, s, p, depth, sp)
  depth = depth + 1
  if depth > cfg.decode_max_depth or sp + 2 > MAXSTACK then
    fail(format("Found too many nested data structures (%d) at character %d", depth, p - 1))
  end
  local t = {}
  local kind, value, at
  kind, value, at, p = next_token(cfg, s, p)
  if kind == T_ARR_END then
    return t, p
  end
  local i = 1
  while true do
    if not SCALAR[kind] then
      value, p = parse_value(cfg, s, kind, value, at, p, depth, sp + 1)
    end
    t[i] = value
    i = i + 1
    local c = byte(s, p)
    if c == 44 then
      kind, value, at, p = next_token(cfg, s, p + 1)
    elseif c == 93 then
      return t, p + 1
    else
      kind, value, at, p = next_token(cfg, s, p)
      if kind == T_ARR_END then
        return t, p
      end
      if kind ~= T_COMMA then
        parse_error("comma or array end", kind, value, at)
      end
      kind, value, at, p = next_token(cfg, s, p)
    end
  end
end

local function parse_object(cfg, s, p, depth, sp)
  depth = depth + 1
  if depth > cfg.decode_max_depth or sp + 3 > MAXSTACK then
    fail(format("Found too many nested data structures (%d) at character %d", depth, p - 1))
  end
  local t = {}
  local kind, value, at
  kind, value, at, p = next_token(cfg, s, p)
  if kind == T_OBJ_END then
    return t, p
  end
  while true do
    if kind ~= T_STRING then
      parse_error("object key string", kind, value, at)
    end
    local key = value
    if byte(s, p) == 58 then
      p = p + 1
    else
      kind, value, at, p = next_token(cfg, s, p)
      if kind ~= T_COLON then
        parse_error("colon", kind, value, at)
      end
    end
    kind, value, at, p = next_token(cfg, s, p)
    if not SCALAR[kind] then
      value, p = parse_value(cfg, s, kind, value, at, p, depth, sp + 2)
    end
    t[key] = value
    local c = byte(s, p)
    if c == 44 then
      kind, value, at, p = next_token(cfg, s, p + 1)
    elseif c == 125 then
      return t, p + 1
    else
      kind, value, at, p = next_token(cfg, s, p)
      if kind == T_OBJ_END then
        return t, p
      end
      if kind ~= T_COMMA then
        parse_error("comma or object end", kind, value, at)
      end
      kind, value, at, p = next_token(cfg, s, p)
    end
  end
end

function parse_value(cfg, s, kind, value, at, p, depth, sp)
  if kind == T_STRING or kind == T_NUMBER or kind == T_BOOLEAN then
    return value, p
  elseif kind == T_NULL then
    return null, p
  elseif kind == T_OBJ_BEGIN then
    local t
    t, p = parse_object(cfg, s, p, depth, sp)
    return t, p
  elseif kind == T_ARR_BEGIN then
    local t
    t, p = parse_array(cfg, s, p, depth, sp)
    return t, p
  end
  parse_error("value", kind, value, at)
end

return function(cfg, s)
  if #s >= 2 and (byte(s, 1) == 0 or byte(s, 2) == 0) then
    fail("JSON parser does not support UTF-16 or UTF-32")
  end
  local z = find(s, "%z")
  if z then
    s = sub(s, 1, z - 1)
  end
  local kind, value, at, p = next_token(cfg, s, 1)
  value, p = parse_value(cfg, s, kind, value, at, p, 0, 1)
  local rest, rest_value, rest_at = next_token(cfg, s, p)
  if rest ~= T_END then
    parse_error("the end", rest, rest_value, rest_at)
  end
  return value
end
