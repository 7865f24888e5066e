"""Installing the script libraries: what a script can reach, and the state they keep.

The table contents (names, types, metadata strings) and the settings carried from one
script to the next were checked against valkey-server 8.0.1 through EVAL.
"""

from __future__ import annotations

from typing import Any

import lupa.lua51
import pytest
from lualib_runner import new_runtime, run

from minivalkey.scripting.libs import LIBRARY_SOURCE, bit, cjson, cmsgpack, install_all, struct

FUNCTIONS = {
    "cjson": [
        "decode",
        "decode_invalid_numbers",
        "decode_max_depth",
        "encode",
        "encode_invalid_numbers",
        "encode_keep_buffer",
        "encode_max_depth",
        "encode_number_precision",
        "encode_sparse_array",
        "new",
    ],
    "cmsgpack": ["pack", "unpack", "unpack_limit", "unpack_one"],
    "bit": [
        "arshift",
        "band",
        "bnot",
        "bor",
        "bswap",
        "bxor",
        "lshift",
        "rol",
        "ror",
        "rshift",
        "tobit",
        "tohex",
    ],
    "struct": ["pack", "size", "unpack"],
}
STRINGS = {
    "cjson": {"_NAME": "cjson", "_VERSION": "2.1.0"},
    "cmsgpack": {
        "_COPYRIGHT": "Copyright (C) 2012, Redis Ltd.",
        "_DESCRIPTION": "MessagePack C implementation for Lua",
        "_NAME": "cmsgpack",
        "_VERSION": "lua-cmsgpack 0.4.0",
    },
    "bit": {},
    "struct": {},
}


def bare_runtime(**options: Any) -> lupa.lua51.LuaRuntime:
    return lupa.lua51.LuaRuntime(
        encoding=None,
        unpack_returned_tuples=True,
        register_eval=False,
        register_builtins=False,
        **options,
    )


def global_names(lua: lupa.lua51.LuaRuntime) -> set[bytes]:
    return set(lua.globals().keys())


def test_install_all_adds_the_four_tables() -> None:
    lua = bare_runtime()
    before = global_names(lua)
    install_all(lua)
    assert global_names(lua) - before == {b"cjson", b"cmsgpack", b"bit", b"struct"}


@pytest.mark.parametrize(
    "module, name", [(cjson, b"cjson"), (cmsgpack, b"cmsgpack"), (bit, b"bit"), (struct, b"struct")]
)
def test_each_library_installs_alone(module: Any, name: bytes) -> None:
    lua = bare_runtime()
    before = global_names(lua)
    module.install(lua)
    assert global_names(lua) - before == {name}


@pytest.mark.parametrize("lib", sorted(FUNCTIONS))
def test_tables_hold_what_valkeys_hold(lib: str) -> None:
    lua = new_runtime()
    listing = run(
        lua,
        f"local t = {{}} for k, v in pairs({lib}) do t[#t + 1] = k .. '=' .. type(v) end "
        "table.sort(t) return table.concat(t, ' ')",
    )
    entries = [f"{name}=function" for name in FUNCTIONS[lib]]
    entries += [f"{name}=string" for name in STRINGS[lib]]
    if lib == "cjson":
        entries.append("null=userdata")
    assert listing == 'true, "' + " ".join(sorted(entries)) + '"'
    for key, text in STRINGS[lib].items():
        assert run(lua, f"return {lib}.{key}") == f'true, "{text}"'


def test_no_python_object_is_reachable() -> None:
    """Every value in the tables, and in the tables cjson.new() makes, is a Lua value."""
    lua = new_runtime()
    tables = [lua.globals()[name.encode()] for name in FUNCTIONS]
    tables.append(lua.eval("cjson.new()"))
    for table in tables:
        for key, value in table.items():
            assert isinstance(key, bytes)
            assert isinstance(value, bytes) or lupa.lua51.lua_type(value) in (
                "function",
                "userdata",
            )
    assert run(lua, "return getmetatable(cjson.null), tostring(cjson.null)") == (
        'true, false, "userdata: (nil)"'
    )


def test_works_with_every_attribute_refused() -> None:
    """The float helpers are called, never looked into: a runtime that refuses every
    attribute (as the server's does) runs them."""

    def refuse(obj: object, name: object, is_setting: bool) -> object:
        raise AttributeError("refused")

    lua = bare_runtime(attribute_filter=refuse)
    install_all(lua)
    assert run(lua, "return struct.unpack('>d', struct.pack('>d', 0.1))") == (
        "true, 0.10000000000000001, 9"
    )
    assert run(lua, "return cmsgpack.unpack(cmsgpack.pack(1.5, 0.1))") == (
        "true, 1.5, 0.10000000000000001"
    )


def test_cjson_settings_last_from_one_script_to_the_next() -> None:
    """As in Valkey, where they last until the Lua state is recreated."""
    lua = new_runtime()
    assert run(lua, "return cjson.encode_max_depth(1)") == "true, 1"
    assert run(lua, "local ok, e = pcall(cjson.encode, {{}}) return ok, e") == (
        'true, false, "Cannot serialise, excessive nesting (2)"'
    )
    assert run(lua, "return cjson.encode_max_depth(1000), cjson.encode({{}})") == (
        'true, 1000, "[{}]"'
    )


def test_cjson_new_has_its_own_settings_and_the_same_null() -> None:
    lua = new_runtime()
    assert (
        run(
            lua,
            "local c = cjson.new() c.encode_max_depth(1) local ok, e = pcall(c.encode, {{}}) "
            "return ok, e, cjson.encode({{}}), c.null == cjson.null, "
            "c.decode('null') == cjson.null",
        )
        == 'true, false, "Cannot serialise, excessive nesting (2)", "[{}]", true, true'
    )


def test_library_frames_share_one_chunk_name() -> None:
    """An error handler skips frames of LIBRARY_SOURCE as it skips C frames: here the
    frame that raised an encoding error is a library frame, and the script's is below."""
    lua = new_runtime()
    locate = lua.eval(
        """function(code)
          local f = loadstring(code, "@user_script")
          local sources = {}
          xpcall(f, function()
            for level = 2, 30 do
              local info = debug.getinfo(level, "S")
              if info == nil then break end
              sources[#sources + 1] = info.source
            end
          end)
          return table.concat(sources, " ")
        end"""
    )
    sources = locate(b"local r = cjson.encode(function() end) return r").decode().split()
    ours = LIBRARY_SOURCE
    assert sources[0] == "=[C]"  # error
    assert sources[1] == ours
    first_outside = next(s for s in sources[1:] if s != ours)
    assert first_outside == "@user_script"


def test_libraries_need_no_global_after_install() -> None:
    """The sandbox may remove globals (debug, math, ...) and lock the rest once the
    libraries are in: they keep what they use. Results as valkey-server 8.0.1 gives them."""
    lua = new_runtime()
    lua.execute(
        b"""
        local G, pairs, rawset, setmetatable, error = _G, pairs, rawset, setmetatable, error
        local keep = {cjson = cjson, cmsgpack = cmsgpack, bit = bit, struct = struct,
          pcall = pcall, loadstring = loadstring, select = select, type = type,
          tostring = tostring, pairs = pairs, unpack = unpack, string = string,
          table = table}
        for k in pairs(G) do G[k] = nil end
        for k, v in pairs(keep) do rawset(G, k, v) end
        setmetatable(G, {__newindex = function(_, k) error("no new global " .. k, 2) end})
        """
    )
    assert run(lua, "local r = cjson.decode('[1,') return r") == (
        'false, "user_script:1: Expected value but found T_END at character 4"'
    )
    assert run(lua, "local r = struct.pack('i', {}) return r") == (
        "false, \"user_script:1: bad argument #2 to 'pack' (number expected, got table)\""
    )
    assert run(lua, "return cmsgpack.unpack(cmsgpack.pack({1, 'a'}, 0.5))") == (
        'true, {[1]=1,[2]="a"}, 0.5'
    )
    assert run(lua, "return bit.tohex(bit.bxor(0x0f, 0xff)), cjson.encode({x = 1})") == (
        'true, "000000f0", "{\\"x\\":1}"'
    )
