"""The Lua engine of FUNCTION libraries (Valkey 8.0.1's function_lua.c).

One Lua state, separate from EVAL's, runs every library's code and every function.
All library code shares one environment table, empty and read-only, whose lookups go
elsewhere depending on the moment:

* while a library's code runs (FUNCTION LOAD, FUNCTION RESTORE), to the load-time
  globals: only ``server`` and ``redis``, one table holding ``register_function``,
  ``log``, the ``LOG_*`` levels and the version fields. Any other name, in the
  globals or in that table, fails with ``Script attempted to access nonexistent
  global variable 'x'`` (so ``server.call`` at load time fails so);
* at every other moment (a function run by FCALL), to the full globals every script
  sees (the libraries, the whole ``server`` API), whose misses fail the same way.

So a local helper defined by the library sees the full API when a function calls it,
and a function that kept the load-time table finds ``register_function`` refusing:
``server.register_function can only be called on FUNCTION LOAD command``.

Invariants:
* ``register_function`` checks its arguments in Lua (the named-table form is read
  with ``next``, in the order Valkey's ``lua_next`` reads it) and raises error tables
  carrying Valkey's texts; the Python side records the function in the library being
  loaded (``LoadContext``) or answers why it cannot.
* A load stops after 500 ms (FUNCTION LOAD; RESTORE has no limit, as in Valkey):
  the count hook then fails it with ``FUNCTION LOAD timeout`` and keeps failing
  every line, so the code cannot hold it off.
* Whatever the code did, ``load`` leaves the state as before the load: lookups back
  on the full globals, the count hook armed, no load in progress.
"""

from __future__ import annotations

from collections.abc import Collection
from time import monotonic
from typing import TYPE_CHECKING, Any

from .host import ScriptHost

if TYPE_CHECKING:
    from ..core import ServerCore
    from ..session import Client
    from .functions import Function, Library

LOAD_TIMEOUT = 0.5  # seconds (Valkey's LOAD_TIMEOUT_MS)

NAME_RULES = (
    "Library names can only contain letters, numbers, or underscores(_) and must be at "
    "least one character long"
)
NOT_LOADING = "server.register_function can only be called on FUNCTION LOAD command"
DUPLICATE_IN_LIBRARY = "Function already exists in the library"

# Names a script may give a function's flags, in the order FUNCTION LIST shows them.
FLAG_ORDER = ("no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys")

_LOAD_API = r"""
local py, log = ...
local type, next, tostring, select, error, setmetatable = type, next, tostring, select,
  error, setmetatable
local lower, find, sub = string.lower, string.find, string.sub
local register, err_table, loading = py.register, py.err_table, py.loading

local function readonly() error("Attempt to modify a readonly table", 2) end
local function missing(_, name)
  local kind = type(name)
  if kind ~= "string" and kind ~= "number" then
    error("Second argument to luaProtectedTableError must be a string or number", 2)
  end
  name = tostring(name)
  local nul = find(name, "\0", 1, true)
  if nul then name = sub(name, 1, nul - 1) end
  error("Script attempted to access nonexistent global variable '" .. name .. "'", 2)
end

-- Valkey reads strings with lua_isstring / lua_tostring: numbers count, as their text.
local function text(v)
  local kind = type(v)
  if kind == "string" then return v end
  if kind == "number" then return tostring(v) end
  return nil
end
-- strcasecmp's view of a name: up to its first NUL, in any case.
local function folded(s)
  local nul = find(s, "\0", 1, true)
  if nul then s = sub(s, 1, nul - 1) end
  return lower(s)
end

local known = {}
for _, name in next, py.flag_names do known[name] = true end

local function read_flags(t)
  local flags, j = {}, 1
  while true do
    local v = t[j]
    if v == nil then return flags end
    local s = text(v)
    if s == nil then return nil end
    s = folded(s)
    if not known[s] then return nil end
    flags[#flags + 1] = s
    j = j + 1
  end
end

local function named(t)
  if type(t) ~= "table" then
    return nil, "calling server.register_function with a single argument is only applicable "
      .. "to Lua table (representing named arguments)."
  end
  local name, callback, description, flags = nil, nil, nil, {}
  for k, v in next, t do
    local key = text(k)
    if key == nil then
      return nil, "named argument key given to server.register_function is not a string"
    end
    key = folded(key)
    if key == "function_name" then
      name = text(v)
      if name == nil then
        return nil, "function_name argument given to server.register_function must be a string"
      end
    elseif key == "description" then
      description = text(v)
      if description == nil then
        return nil, "description argument given to server.register_function must be a string"
      end
    elseif key == "callback" then
      if type(v) ~= "function" then
        return nil, "callback argument given to server.register_function must be a function"
      end
      callback = v
    elseif key == "flags" then
      if type(v) ~= "table" then
        return nil, "flags argument to server.register_function must be a table representing "
          .. "function flags"
      end
      flags = read_flags(v)
      if flags == nil then return nil, "unknown flag given" end
    else
      return nil, "unknown argument given to server.register_function"
    end
  end
  if name == nil then return nil, "server.register_function must get a function name argument" end
  if callback == nil then return nil, "server.register_function must get a callback argument" end
  return name, callback, description, flags
end

local function positional(first, second)
  local name = text(first)
  if name == nil then return nil, "first argument to server.register_function must be a string" end
  if type(second) ~= "function" then
    return nil, "second argument to server.register_function must be a function"
  end
  return name, second, nil, {}
end

local contents = {}
function contents.register_function(...)
  if not loading() then error(err_table(py.not_loading)) end
  local n = select("#", ...)
  if n < 1 or n > 2 then
    error(err_table("wrong number of arguments to server.register_function"))
  end
  local name, callback, description, flags
  if n == 1 then
    name, callback, description, flags = named((...))
  else
    name, callback, description, flags = positional(...)
  end
  if name == nil then error(err_table(callback)) end
  local refused = register(name, callback, description, flags)
  if refused then error(err_table(refused)) end
end
contents.log = log
for key, value in next, py.constants do contents[key] = value end
setmetatable(contents, {__index = missing})
local api = setmetatable({}, {__index = contents, __newindex = readonly, __metatable = false})

local load_globals = setmetatable({server = api, redis = api}, {__index = missing})
local env_mt = {__index = load_globals, __newindex = readonly, __metatable = false}
local env = setmetatable({}, env_mt)
return env, env_mt, load_globals, api, contents
"""

_CONSTANTS = (
    b"LOG_DEBUG",
    b"LOG_VERBOSE",
    b"LOG_NOTICE",
    b"LOG_WARNING",
    b"REDIS_VERSION_NUM",
    b"REDIS_VERSION",
    b"VALKEY_VERSION_NUM",
    b"VALKEY_VERSION",
    b"SERVER_NAME",
)


def script_command_flags(base: Collection[str], flags: Collection[str]) -> tuple[str, ...]:
    """Valkey's scriptFlagsToCmdFlags: the flags processCommand weighs for a command
    running a script that declared ``flags`` (writes, denyoom and stale come from them,
    may_replicate goes)."""
    kept = [flag for flag in base if flag not in ("stale", "denyoom", "write", "may_replicate")]
    if "no-writes" not in flags:
        kept.append("write")
        if "allow-oom" not in flags:
            kept.append("denyoom")
    if "allow-stale" in flags:
        kept.append("stale")
    return tuple(kept)


def valid_name(name: bytes) -> bool:
    """Valkey's functionsVerifyName: letters, digits and underscores, at least one."""
    return bool(name) and name.isascii() and name.replace(b"_", b"a").isalnum()


class LoadContext:
    """The library whose code is running, and when its load must stop."""

    __slots__ = ("library", "deadline")

    def __init__(self, library: Library, timeout: float | None) -> None:
        self.library = library
        self.deadline = None if timeout is None else monotonic() + timeout

    def expired(self) -> bool:
        return self.deadline is not None and monotonic() > self.deadline


class FunctionHost(ScriptHost):
    """The functions' Lua state: loads libraries and runs their functions."""

    def __init__(self, core: ServerCore) -> None:
        self.loading: LoadContext | None = None
        super().__init__(core, b"@user_function")
        engine = self.engine
        _, run_globals = engine.make_env()
        self._run_globals = run_globals
        py = engine.table_from(
            {
                b"register": self._register,
                b"loading": self._is_loading,
                b"err_table": self._err_table,
                b"not_loading": NOT_LOADING.encode(),
                b"flag_names": engine.table_from([name.encode() for name in FLAG_ORDER]),
                b"constants": engine.table_from({name: self.api[name] for name in _CONSTANTS}),
            }
        )
        chunk = engine.load_internal(_LOAD_API, b"=[functions]")
        env, env_mt, load_globals, api, contents = chunk(py, self.api[b"log"])
        engine.seal(env, engine.table())
        engine.seal(api, contents)
        self.env = env
        self._env_mt = env_mt
        self._load_globals = load_globals
        engine.measure_footprint()

    # -- the count hook during a load ----------------------------------------------------

    def _tick(self) -> bool:
        load = self.loading
        if load is not None:
            return load.expired()
        return super()._tick()

    def _kill_error(self) -> Any:
        if self.loading is not None:
            return self.to_lua.error_table("ERR FUNCTION LOAD timeout", False)
        return super()._kill_error()

    # -- register_function's Python side --------------------------------------------------

    def _is_loading(self) -> bool:
        return self.loading is not None

    def _err_table(self, text: bytes) -> Any:
        return self.to_lua.error_table("ERR " + text.decode(), False)

    def _register(
        self, name: bytes, callback: Any, description: bytes | None, flags: Any
    ) -> bytes | None:
        load = self.loading
        assert load is not None
        chosen = {flag.decode() for flag in flags.values()}
        refused = load.library.add_function(
            name, callback, description, tuple(f for f in FLAG_ORDER if f in chosen)
        )
        return None if refused is None else refused.encode()

    # -- loading and running ----------------------------------------------------------

    def load(self, library: Library, body: bytes, timeout: float | None) -> str | None:
        """Run a library's code (``body``: the code after its metadata line, newline
        first) so it registers its functions in ``library``; None, or why it failed."""
        engine = self.engine
        function, message = engine.compile(body, self.env)
        if function is None:
            return "Error compiling function: " + _text(message)
        self.loading = LoadContext(library, timeout)
        self._env_mt[b"__index"] = self._load_globals
        try:
            ok, value = engine.call(function)
        except MemoryError:
            ok, value = False, None
        finally:
            engine.arm()  # the count hook stays on (a load timeout left the line hook)
            self._env_mt[b"__index"] = self._run_globals
            self.loading = None
        if ok:
            return None
        return "Error registering functions: " + _error_message(value)

    def call_function(
        self,
        caller: Client,
        function: Function,
        keys: list[bytes],
        args: list[bytes],
        read_only: bool,
        allow_oom: bool,
    ) -> Any:
        """Call ``function``'s callback with its keys and args tables; its reply."""
        table_from = self.engine.table_from
        return self.execute(
            caller,
            function.callback,
            function.name.decode(),
            eval_mode=False,
            read_only=read_only,
            allow_oom=allow_oom,
            arguments=(table_from(keys), table_from(args)),
        )


def _text(value: Any) -> str:
    if type(value) is bytes:
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _error_message(error: Any) -> str:
    """The message of a load's error (Valkey's luaExtractErrorInformation): the error
    table's ``err`` (the error handler made a table of any other error value)."""
    if error is None:
        return "ERR not enough memory"
    if not hasattr(error, "keys"):
        return "ERR " + _text(error)
    err = error[b"err"]
    if type(err) is bytes or type(err) in (int, float):
        return _text(err)
    return "(null)"
