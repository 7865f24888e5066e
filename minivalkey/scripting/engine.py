"""One sandboxed Lua 5.1 state (lupa) with Valkey's libraries, API and count hook.

Invariants:
* A state is built once and lives until SCRIPT FLUSH (or FUNCTION FLUSH for the
  functions' state) replaces it; its Lua memory is capped (``max_memory``), so a
  runaway script fails with an error instead of taking the server down.
* What a script can reach is decided in ``sandbox.py``; this module installs the
  libraries and the ``server``/``redis`` API table before the globals are locked.
* The API's Python side is an object with a ``run`` attribute (the running
  ``ScriptRun``); every API function reads it, so there is one API per state.
* The count hook is always on and calls ``tick`` every 100000 Lua instructions
  (``busy.py`` decides there whether the script is busy, serves the other clients
  and reports a kill); a kill swaps in an every-line hook, and ``arm`` restores the
  count hook after that run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lupa import lua51

from . import sandbox
from .libs import LIBRARY_SOURCE, install_all
from .notail import without_tail_calls

# What a script can never reach, whatever the library set.
_REMOVED = (
    b"python",
    b"io",
    b"debug",
    b"package",
    b"require",
    b"module",
    b"dofile",
    b"loadfile",
    b"print",
)

MAX_MEMORY = 1 << 30  # bytes of Lua heap per state
EMPTY_STATE = 31744  # bytes Valkey 8.0.1 reports for a fresh Lua state (used_memory_lua)
GC_PERIOD = 50  # script runs between garbage collection steps


def _refuse_attributes(obj: Any, name: Any, setting: bool) -> Any:
    raise AttributeError("not accessible")


class LuaEngine:
    """A Lua state prepared for scripts: ``compile`` a body, ``call`` a compiled one."""

    def __init__(
        self,
        tick: Callable[[], bool],
        kill_error: Callable[[], Any],
        chunkname: bytes = b"@user_script",
        max_memory: int | None = None,
    ) -> None:
        self.chunkname = chunkname
        lua = self.lua = lua51.LuaRuntime(
            encoding=None,
            unpack_returned_tuples=True,
            register_eval=False,
            register_builtins=False,
            attribute_filter=_refuse_attributes,
            max_memory=MAX_MEMORY,
        )
        self.max_memory = MAX_MEMORY if max_memory is None else max_memory
        self.table = lua.table
        self.table_from = lua.table_from
        globals_ = self.globals = lua.globals()
        self._loadstring = globals_[b"loadstring"]
        self._dump = globals_[b"string"][b"dump"]
        self.rawget = globals_[b"rawget"]
        self.tostring = globals_[b"tostring"]
        self._collect = globals_[b"collectgarbage"]
        self._calls = 0
        install_all(lua)
        os_table = lua.table()
        os_table[b"clock"] = globals_[b"os"][b"clock"]
        globals_[b"os"] = os_table
        self.unlimit()
        tools = self._tools = self.load_internal(sandbox.SETUP, b"=[sandbox]")(
            self.unbounded(tick), self.unbounded(kill_error)
        )
        self.wrap = self.load_internal(
            b"return function(f) return function(...) return f(...) end end", b"=[sandbox]"
        )()
        self._run = self.load_internal(
            b"local xpcall, handler = ... "
            b"return function(f) local ok, v = xpcall(f, handler) return ok, v end",
            b"=[sandbox]",
        )(tools[b"xpcall"], tools[b"handler"])
        self._run_with = self.load_internal(
            b"local xpcall, handler = ... return function(f, a, b) "
            b"local ok, v = xpcall(function() return f(a, b) end, handler) return ok, v end",
            b"=[sandbox]",
        )(tools[b"xpcall"], tools[b"handler"])
        self._setfenv = tools[b"setfenv"]
        self.error_handler = tools[b"handler"]
        self.argerror = tools[b"argerror"]
        self.arm = tools[b"arm"]
        self.disarm = tools[b"disarm"]
        wrapped = tools[b"wrapped"]
        for name in (
            b"setmetatable",
            b"getmetatable",
            b"rawset",
            b"rawget",
            b"next",
            b"pairs",
            b"loadstring",
            b"load",
            b"getfenv",
            b"setfenv",
        ):
            globals_[name] = wrapped[name]
        for name in _REMOVED:
            globals_[name] = None
        self.arm()  # the count hook stays on: it costs one call per 100000 instructions
        # What the libraries written in Lua (cjson, cmsgpack, ... : C code in Valkey,
        # outside its Lua heap) and the sandbox hold once built; ``memory`` leaves it out.
        self._footprint = 0
        self.measure_footprint()

    def _compile(self, source: bytes, name: bytes) -> tuple[Any, Any]:
        result = self._loadstring(source, name)
        if type(result) is tuple:
            return None, result[1]
        return result, None

    def load_internal(self, source: str | bytes, name: bytes) -> Any:
        """Compile a chunk of the server's own Lua (its frames are skipped by the
        error handler once ``name`` is marked internal) and return it uncalled."""
        if isinstance(source, str):
            source = source.encode()
        function, message = self._compile(source, name)
        if function is None:
            raise RuntimeError(message)
        tools = getattr(self, "_tools", None)
        if tools is not None:
            tools[b"internal"][name] = True
        return function

    def install_api(self, api: Any, pcall: Any) -> None:
        """Make ``api`` the ``server`` and ``redis`` globals and ``pcall`` the global
        pcall; then the state's globals are complete."""
        self._tools[b"internal"][b"=[sandbox]"] = True
        self._tools[b"internal"][b"=[api]"] = True
        self._tools[b"internal"][LIBRARY_SOURCE.encode()] = True  # as Valkey skips C frames
        self.globals[b"server"] = api
        self.globals[b"redis"] = api
        self.globals[b"pcall"] = pcall

    def make_env(self, hidden: tuple[bytes, ...] = ()) -> tuple[Any, Any]:
        """A fresh script environment: the proxy scripts see, and the private table of
        its contents (where ``KEYS``/``ARGV`` go)."""
        hide = self.lua.table_from({name: True for name in hidden})
        env, contents = self._tools[b"make_env"](hide)
        self._tools[b"set_default_env"](env)
        string_meta = self.lua.eval('getmetatable("")')
        string_meta[b"__index"] = self._tools[b"protect"](self.globals[b"string"])
        return env, contents

    def seal(self, table: Any, contents: Any, shown: Any = None) -> None:
        """Make ``table`` (a table with its own metatable, built in Lua) read-only to
        scripts as the library proxies are: ``rawset``/``setmetatable`` refused,
        ``rawget``/``next``/``pairs`` reading ``contents``, ``getmetatable`` answering
        ``shown``."""
        self._tools[b"seal"](table, contents, shown)

    def compile(self, body: bytes, env: Any, chunkname: bytes | None = None) -> tuple[Any, Any]:
        """``(function, None)``, or ``(None, error message)`` when the body does not
        compile; the function runs in ``env``."""
        function, message = self._compile(body, chunkname or self.chunkname)
        if function is None:
            return None, message
        function, _ = self._compile(without_tail_calls(self._dump(function)), b"=?")
        self._setfenv(function, env)
        return function, None

    def call(self, function: Any) -> tuple[bool, Any]:
        """Run a compiled function under the error handler: ``(True, result)`` or
        ``(False, error table or value)``; raises MemoryError when the heap limit
        was reached outside any ``pcall`` of the script."""
        self.limit()
        try:
            return self._run(function)  # type: ignore[no-any-return]
        finally:
            self.unlimit()

    def call_with(self, function: Any, first: Any, second: Any) -> tuple[bool, Any]:
        """``call`` passing two arguments (a function's keys and args tables)."""
        self.limit()
        try:
            return self._run_with(function, first, second)  # type: ignore[no-any-return]
        finally:
            self.unlimit()

    # The heap limit holds only while script code runs. Lua reports a failed
    # allocation by unwinding to the nearest protected call: from inside a Python
    # callback (or with no Lua call under way) that would jump over Python's own
    # frames, or abort the process. So the limit is lifted whenever Python code
    # creates Lua values: around every callback (``unbounded``) and between runs.
    def limit(self) -> None:
        lua = self.lua
        if (lua.get_memory_used() or 0) > self.max_memory // 2:
            self.collect()  # garbage left since the last cycle must not count against a run
        lua.set_max_memory(self.max_memory, True)

    def unlimit(self) -> None:
        self.lua.set_max_memory(0)

    def unbounded(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """``callback`` run with the heap limit lifted (then set again for the script)."""
        lua = self.lua
        limit = self.max_memory

        def run(*args: Any) -> Any:
            lua.set_max_memory(0)
            try:
                return callback(*args)
            finally:
                lua.set_max_memory(limit, True)

        return run

    def collect(self) -> None:
        """A full garbage collection (after a run that filled the heap)."""
        self._collect(b"collect")

    def after_call(self) -> None:
        """Every 50 runs a step of garbage collection (of 50), as Valkey's
        luaCallFunction does, so the heap stays near what the scripts hold."""
        self._calls += 1
        if self._calls == GC_PERIOD:
            self._calls = 0
            self._collect(b"step", GC_PERIOD)

    def measure_footprint(self) -> None:
        """Take the heap as it is now (a host fully set up) as the built footprint."""
        self._collect(b"collect")
        self._footprint = int(self.lua.get_memory_used() or 0)

    def memory(self) -> int:
        """Bytes the Lua heap holds now."""
        return int(self.lua.get_memory_used() or 0)

    def reported_memory(self) -> int:
        """What INFO shows for this state: what an empty Lua state of Valkey's holds
        plus the heap above this state's built footprint (the libraries Valkey has in
        C, the sandbox), in whole KB as Valkey's luaMemory."""
        grown = max(0, self.memory() - self._footprint)
        return (EMPTY_STATE + grown) // 1024 * 1024
