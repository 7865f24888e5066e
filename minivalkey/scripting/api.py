"""The ``server`` / ``redis`` table scripts see (Valkey's luaRegisterServerAPI).

``call``, ``pcall``, ``sha1hex``, ``error_reply``, ``status_reply``, ``log`` and
its ``LOG_*`` levels, ``setresp``, ``set_repl`` and the ``REPL_*`` flags,
``replicate_commands``, ``acl_check_cmd``, ``breakpoint``, ``debug`` and the
version fields; plus the global ``pcall`` Valkey replaces (an error table caught
becomes its message).

Invariants:
* Argument checks and raising happen in Lua wrappers (chunk ``=[api]``, whose
  frames the error handler skips), so errors carry the script's line, as the C
  functions' do in Valkey; the Python side only ever returns values.
* ``call`` raises the error table of a failed command; ``pcall`` returns it. Both
  mark it ``ignore_error_stats_update``: the command's error was counted already.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from ..commands.table import lookup
from ..replies import ErrorReply
from ..resp.encoder import format_double
from ..versions import REDIS_VERSION, SERVER_NAME, VALKEY_VERSION, version_number
from .convert import error_fields
from .run import script_call

if TYPE_CHECKING:
    from .host import ScriptHost

log = logging.getLogger("minivalkey")

_LOG_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.INFO, 3: logging.WARNING}


WRAPPERS = r"""
local py = ...
local error, type, select, tostring, rawget = error, type, select, tostring, rawget
local real_pcall = pcall
local err_table, command, sha1, log_line, setresp, setrepl, acl = py.err_table, py.command,
  py.sha1, py.log, py.setresp, py.setrepl, py.acl
local packed = py.packed
local api = {}
-- Python callables take a bounded number of arguments from Lua: many are passed
-- packed in a table (unpack() can give a command thousands).
local MANY = 200
local function run(raise, ...)
  local n = select("#", ...)
  if n < MANY then return command(raise, ...) end
  return command(raise, packed, n, {...})
end
function api.call(...)
  local ok, value = run(true, ...)
  if not ok then error(value) end
  return value
end
function api.pcall(...)
  local ok, value = run(false, ...)
  return value
end
function api.sha1hex(...)
  if select("#", ...) ~= 1 then error(err_table("wrong number of arguments")) end
  local s = ...
  if type(s) == "number" then s = tostring(s) end
  if type(s) ~= "string" then s = "" end
  return sha1(s)
end
local function single(field, ...)
  if select("#", ...) ~= 1 or type(...) ~= "string" then
    return err_table("wrong number or type of arguments")
  end
  return {[field] = ...}
end
function api.error_reply(...)
  if select("#", ...) ~= 1 or type(...) ~= "string" then
    return err_table("wrong number or type of arguments")
  end
  local e = ...
  if e:sub(1, 1) ~= "-" then e = "-" .. e end
  return err_table(e)
end
-- A Lua number as the C functions read it into an int (truncated; NaN or out of
-- range: INT_MIN, which no check accepts).
local function c_int(n)
  if n ~= n or n >= 2^31 or n <= -2^31 - 1 then return -2^31 end
  if n >= 0 then return math.floor(n) end
  return -math.floor(-n)
end
function api.status_reply(...) return single("ok", ...) end
function api.log(...)
  local n = select("#", ...)
  if n < 2 then error(err_table("server.log() requires two arguments or more.")) end
  local level = ...
  if type(level) ~= "number" and tonumber(level) == nil then
    error(err_table("First argument must be a number (log level)."))
  end
  level = c_int(tonumber(level))
  if level < 0 or level > 3 then error(err_table("Invalid log level.")) end
  local parts = {}
  for i = 2, n do
    local v = select(i, ...)
    if type(v) == "string" or type(v) == "number" then parts[#parts + 1] = tostring(v) end
  end
  log_line(level, table.concat(parts, " "))
end
function api.setresp(...)
  if select("#", ...) ~= 1 then error(err_table("server.setresp() requires one argument.")) end
  local resp = c_int(tonumber((...)) or 0)
  if resp ~= 2 and resp ~= 3 then error(err_table("RESP version must be 2 or 3.")) end
  setresp(resp)
end
function api.set_repl(...)
  if select("#", ...) ~= 1 then error(err_table("server.set_repl() requires one argument.")) end
  local flags = c_int(tonumber((...)) or 0)
  if flags ~= 0 and flags ~= 1 and flags ~= 2 and flags ~= 3 then
    error(err_table("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
      .. "REPL_NONE."))
  end
  setrepl(flags)
end
function api.replicate_commands() return true end
function api.breakpoint() return false end
function api.debug() end
function api.acl_check_cmd(...)
  local ok, value
  local n = select("#", ...)
  if n < MANY then ok, value = acl(...) else ok, value = acl(packed, n, {...}) end
  if not ok then error(value) end
  return value
end
local function fix(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == "table" then
    local m = rawget(e, "err")
    if type(m) == "string" or type(m) == "number" then e = m end
  end
  return false, e
end
local function pcall_(f, ...)
  return fix(real_pcall(f, ...))
end
return api, pcall_
"""


class _Packed:
    """Marks arguments passed packed in a table (see ``MANY`` in the wrappers)."""


PACKED = _Packed()


def _unpack(args: tuple[Any, ...]) -> tuple[Any, ...]:
    _, count, table = args
    return tuple(table[index] for index in range(1, int(count) + 1))


def _argv(args: tuple[Any, ...]) -> list[bytes] | bytes:
    """Valkey's luaArgsToRedisArgv: a command line from the Lua arguments of
    ``call``/``pcall``/``acl_check_cmd`` (numbers as integers when they are whole),
    or the message of the error to raise."""
    if args and args[0] is PACKED:
        args = _unpack(args)
    if not args:
        return b"Please specify at least one argument for this call"
    argv: list[bytes] = []
    for arg in args:
        kind = type(arg)
        if kind is bytes:
            argv.append(arg)
        elif kind is int:
            argv.append(b"%d" % arg)
        elif kind is float:
            argv.append(format_double(arg))
        else:
            return b"Command arguments must be strings or integers"
    return argv


def build_api(host: ScriptHost) -> tuple[Any, Any]:
    """The API table for ``host``'s Lua state, and the replacement global ``pcall``."""
    engine = host.engine
    lua = engine.lua
    to_lua = host.to_lua

    def err_table(text: bytes) -> Any:
        message, _ = error_fields(text.decode("utf-8", "replace"))
        return to_lua.error_table(message, False)

    def command(raise_error: bool, *args: Any) -> tuple[bool, Any]:
        argv = _argv(args)
        if isinstance(argv, bytes):
            return not raise_error, err_table(argv)
        run = host.run
        assert run is not None
        reply, refused = script_call(run, argv)
        if refused is not None:
            message, _ = error_fields(refused)
            return not raise_error, to_lua.error_table(message, True)
        if type(reply) is ErrorReply:
            message, _ = error_fields("-" + reply)
            return not raise_error, to_lua.error_table(message, True)
        return True, to_lua.convert(reply, run.client.protocol)

    def sha1(text: bytes) -> bytes:
        return hashlib.sha1(text).hexdigest().encode()

    def log_line(level: int, text: bytes) -> None:
        log.log(_LOG_LEVELS.get(int(level), logging.INFO), "%s", text.decode("utf-8", "replace"))

    def setresp(resp: int) -> None:
        assert host.run is not None
        host.run.client.protocol = int(resp)

    def setrepl(flags: int) -> None:
        return None

    def acl(*args: Any) -> tuple[bool, Any]:
        argv = _argv(args)
        if isinstance(argv, bytes):
            return False, err_table(argv)
        if lookup(argv) is None:
            return False, err_table(b"Invalid command passed to server.acl_check_cmd()")
        return True, True

    unbounded = engine.unbounded  # the callbacks create Lua values (see engine.py)
    py = lua.table_from(
        {
            b"err_table": unbounded(err_table),
            b"command": unbounded(command),
            b"sha1": unbounded(sha1),
            b"log": unbounded(log_line),
            b"setresp": unbounded(setresp),
            b"setrepl": unbounded(setrepl),
            b"acl": unbounded(acl),
            b"packed": PACKED,
        }
    )
    api, pcall_ = engine.load_internal(WRAPPERS, b"=[api]")(py)
    constants: dict[bytes, Any] = {
        b"LOG_DEBUG": 0,
        b"LOG_VERBOSE": 1,
        b"LOG_NOTICE": 2,
        b"LOG_WARNING": 3,
        b"REPL_NONE": 0,
        b"REPL_AOF": 1,
        b"REPL_SLAVE": 2,
        b"REPL_REPLICA": 2,
        b"REPL_ALL": 3,
        b"REDIS_VERSION_NUM": version_number(REDIS_VERSION),
        b"REDIS_VERSION": REDIS_VERSION.encode(),
        b"VALKEY_VERSION_NUM": version_number(VALKEY_VERSION),
        b"VALKEY_VERSION": VALKEY_VERSION.encode(),
        b"SERVER_NAME": SERVER_NAME.encode(),
    }
    for name, value in constants.items():
        api[name] = value
    return api, pcall_
