"""Loading the libraries' Lua sources into a runtime.

Every library chunk (and the shared support chunk) is compiled under one chunk name,
`LIBRARY_SOURCE`: the support code recognises the libraries' frames by it, to report an
error at the script line that called a library function, as a C function's error is.
An error handler that locates errors (Valkey's reports the first frame that is not a C
function) should skip frames whose `source` is `LIBRARY_SOURCE` as it skips C frames.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from lupa.lua51 import LuaRuntime

LIBRARY_SOURCE = "=minivalkey-libs"


@cache
def _source(name: str) -> bytes:
    return resources.files(__package__).joinpath(name + ".lua").read_bytes()


def run_source(lua: LuaRuntime, source: bytes, *args: Any) -> Any:
    """Runs library Lua source with args; returns what it returns."""
    return lua.execute(source, *args, name=LIBRARY_SOURCE)


def run_chunk(lua: LuaRuntime, name: str, *args: Any) -> Any:
    """Runs the library chunk `name`.lua with args; returns what it returns."""
    return run_source(lua, _source(name), *args)


def support(lua: LuaRuntime, helpers: Any = None) -> Any:
    """The table of shared helpers (argument checks, error raising): `helpers` when given
    (one table serves every library of a runtime), else a fresh one."""
    if helpers is not None:
        return helpers
    return run_chunk(lua, "support", LIBRARY_SOURCE.encode())


def set_global(lua: LuaRuntime, name: str, value: Any) -> None:
    lua.globals()[name.encode()] = value
