-- cjson: the module table Valkey's cjson presents (Lua CJSON 2.1.0): encode, decode, the
-- configuration functions, new, null. The encoder and decoder are cjson_encode.lua and
-- cjson_decode.lua; this chunk checks arguments as the C functions do and keeps each
-- module table's configuration (it lasts as long as the Lua state, as Valkey's does).
local S, encode, decode, null = ...
local argerror, checkstring, checkinteger = S.argerror, S.checkstring, S.checkinteger
local type, select = type, select
local format, find, sub = string.format, string.find, string.sub

-- json_arg_init: at most `count` arguments.
local function arg_init(fname, nargs, count)
  if nargs > count then
    argerror(fname, count + 1, "found too many arguments")
  end
end

-- json_integer_option: sets cfg[field] from v (unless nil) and returns the setting.
local function integer_option(cfg, field, fname, narg, nargs, v, min, max)
  if v ~= nil then
    local n = checkinteger(fname, narg, nargs, v) % 4294967296
    if n >= 2147483648 then
      n = n - 4294967296 -- the C code stores it in an int
    end
    if n < min or n > max then
      argerror(fname, 1, format("expected integer between %d and %d", min, max))
    end
    cfg[field] = n
  end
  return cfg[field]
end

local OFF_ON = { "off", "on" }
local OFF_ON_NULL = { "off", "on", "null" }

-- json_enum_option: a boolean, or one of the option names; the setting is its index.
local function enum_option(cfg, field, fname, narg, nargs, v, options)
  if v ~= nil then
    if type(v) == "boolean" then
      cfg[field] = v and 1 or 0
    else
      local name = checkstring(fname, narg, nargs, v)
      local z = find(name, "%z")
      if z then
        name = sub(name, 1, z - 1) -- compared as a C string
      end
      local found
      for i = 1, #options do
        if options[i] == name then
          found = i - 1
        end
      end
      if found == nil then
        argerror(fname, narg, "invalid option '" .. name .. "'")
      end
      cfg[field] = found
    end
  end
  local setting = cfg[field]
  if setting == 0 or setting == 1 then
    return setting == 1
  end
  return options[setting + 1]
end

local function new()
  local cfg = {
    encode_sparse_convert = 0,
    encode_sparse_ratio = 2,
    encode_sparse_safe = 10,
    encode_max_depth = 1000,
    decode_max_depth = 1000,
    encode_invalid_numbers = 0,
    decode_invalid_numbers = 1,
    encode_keep_buffer = 1,
    encode_number_precision = 14,
    number_format = "%.14g",
  }
  local M = {}

  function M.encode(...)
    local nargs = select("#", ...)
    if nargs ~= 1 then
      argerror("encode", 1, "expected 1 argument")
    end
    local r = encode(cfg, (...))
    return r
  end

  function M.decode(...)
    local nargs = select("#", ...)
    if nargs ~= 1 then
      argerror("decode", 1, "expected 1 argument")
    end
    local r = decode(cfg, checkstring("decode", 1, nargs, (...)))
    return r
  end

  function M.encode_sparse_array(...)
    local nargs = select("#", ...)
    arg_init("encode_sparse_array", nargs, 3)
    local convert, ratio, safe = ...
    local r1 = enum_option(cfg, "encode_sparse_convert", "encode_sparse_array", 1, nargs,
      convert, OFF_ON)
    local r2 = integer_option(cfg, "encode_sparse_ratio", "encode_sparse_array", 2, nargs,
      ratio, 0, 2147483647)
    local r3 = integer_option(cfg, "encode_sparse_safe", "encode_sparse_array", 3, nargs,
      safe, 0, 2147483647)
    return r1, r2, r3
  end

  function M.encode_max_depth(...)
    local nargs = select("#", ...)
    arg_init("encode_max_depth", nargs, 1)
    local r = integer_option(cfg, "encode_max_depth", "encode_max_depth", 1, nargs, (...),
      1, 2147483647)
    return r
  end

  function M.decode_max_depth(...)
    local nargs = select("#", ...)
    arg_init("decode_max_depth", nargs, 1)
    local r = integer_option(cfg, "decode_max_depth", "decode_max_depth", 1, nargs, (...),
      1, 2147483647)
    return r
  end

  function M.encode_number_precision(...)
    local nargs = select("#", ...)
    arg_init("encode_number_precision", nargs, 1)
    local r = integer_option(cfg, "encode_number_precision", "encode_number_precision", 1,
      nargs, (...), 1, 14)
    cfg.number_format = "%." .. r .. "g"
    return r
  end

  function M.encode_keep_buffer(...)
    local nargs = select("#", ...)
    arg_init("encode_keep_buffer", nargs, 1)
    local r = enum_option(cfg, "encode_keep_buffer", "encode_keep_buffer", 1, nargs, (...),
      OFF_ON)
    return r
  end

  function M.encode_invalid_numbers(...)
    local nargs = select("#", ...)
    arg_init("encode_invalid_numbers", nargs, 1)
    local r = enum_option(cfg, "encode_invalid_numbers", "encode_invalid_numbers", 1, nargs,
      (...), OFF_ON_NULL)
    return r
  end

  function M.decode_invalid_numbers(...)
    local nargs = select("#", ...)
    arg_init("decode_invalid_numbers", nargs, 1)
    local r = enum_option(cfg, "decode_invalid_numbers", "decode_invalid_numbers", 1, nargs,
      (...), OFF_ON)
    return r
  end

  M.new = function()
    local m = new()
    return m
  end
  M.null = null
  M._NAME = "cjson"
  M._VERSION = "2.1.0"
  return M
end

return new()
