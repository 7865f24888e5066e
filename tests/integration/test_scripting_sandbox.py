"""The EVAL sandbox against hostile scripts: what Valkey 8.0.1 refuses is refused with
its texts, and nothing of Python can be reached.

* Removed libraries and functions (io, debug, package, require, dofile, loadfile,
  print, module, os but os.clock) are nonexistent globals; the globals, the library
  tables and the API are read-only (``Attempt to modify a readonly table``), through
  rawset, setmetatable and getfenv too; a chunk a script loads runs in the same
  read-only globals.
* Precompiled chunks never load (string.dump + loadstring / load answer Valkey's
  parse error), and a misused base function answers Valkey's argument error, naming
  the function as the script called it.
* Every value reachable from the globals is a Lua value: no userdata, no Python
  object's text.
* A script that fills the Lua heap fails with an error (the heap has a ceiling,
  lowered here) and the server goes on.

Rows were checked against valkey-server 8.0.1 (``None``: RESP3 answers the same).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import RawClient, raw_clients

from minivalkey import Server
from minivalkey.scripting import engine

sys.path.insert(0, str(Path(__file__).parent.parent))
from inprocess import Harness  # noqa: E402


@pytest.fixture
def clients(server: Server, raw: RawClient) -> Iterator[Callable[..., RawClient]]:
    with raw_clients(server.port) as open_client:
        yield open_client
    raw.command("SCRIPT", "FLUSH")  # a fresh Lua state for the tests that follow


HOSTILE = [
    (
        ("EVAL", "return io", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable 'io' "
            b"script: badfe324d30f60abd2dbecf4d4b0f915038384e2, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return os.execute", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return os.exit", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return os.getenv", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return type(os.clock)", "0"), b"$8\r\nfunction\r\n", None),
    (
        ("EVAL", "return debug", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'debug' script: 7f0eed9eaa523ec9e1ff69159f45a399473d9771, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return package", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'package' script: bfab18646c3a65e87365badef4807726c27a0041, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return require", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'require' script: 68c9d8918a98cebaec1948aff703e96c57af9fdd, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return dofile", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'dofile' script: 0c5f629ecf4a281cada464398cd571c2f6828b27, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return loadfile", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'loadfile' script: a08fbe72c95f67027cc9b6349f5d335b598397b7, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return module", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'module' script: 2803774b6b78613fcfa3f4ce44070f589e937542, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return print", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'print' script: df4c752a7558004676bbee87e38b92e0b9056d68, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return python", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'python' script: ed259608eb62f6f3a7eea58d8f570d05295c7db6, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return getfenv(0).python", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'python' script: d43eddf51452743d9f3ba2ffcbab0872307b52d5, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return loadstring(string.dump(function() return 1 end))()", "0"),
        (
            b"-ERR user_script:1: attempt to call a nil value script: "
            b"5dcb142d767eb350dbcc8f0ae66433b0e227f5a2, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "local f, m = loadstring(string.dump(function() return 1 end)) return m", "0"),
        b"$53\r\n[string \"\x1bLuaQ\"]:1: unexpected symbol near 'char(27)'\r\n",
        None,
    ),
    (
        (
            "EVAL",
            "local f, m = loadstring(string.dump(function() return 1 end), '=abc') return m",
            "0",
        ),
        b"$40\r\nabc:1: unexpected symbol near 'char(27)'\r\n",
        None,
    ),
    (
        (
            "EVAL",
            (
                "local d = string.dump(function() return 1 end) local done = false local f, m "
                "= load(function() if done then return nil end done = true return d end) "
                "return m"
            ),
            "0",
        ),
        b"$43\r\n(load):1: unexpected symbol near 'char(27)'\r\n",
        None,
    ),
    (
        ("EVAL", "return load(string.dump(function() return 1 end))", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'load' (function expected, got string) "
            b"script: 6a2405ae9fa839970f3a102f7ad0da5e4da5bcab, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "local f = loadstring('x = 1') return {pcall(f)}", "0"),
        b'*2\r\n$-1\r\n$54\r\n[string "x = 1"]:1: Attempt to modify a readonly table\r\n',
        b'*2\r\n_\r\n$54\r\n[string "x = 1"]:1: Attempt to modify a readonly table\r\n',
    ),
    (("EVAL", "local f = loadstring('return getfenv(1) == _G') return f()", "0"), b":1\r\n", None),
    (
        ("EVAL", "getfenv(0).x = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"0a0c9e04aeb45c5cbdcd2984e1f29859d074973c, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "local e = getfenv(1) e.x = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"82960869ec959413521f24ac11f0316d178dc986, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "getfenv().redis = nil", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"6c90be47f1df7830df76bc34f8b9fb30f8f41996, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return rawequal(getfenv(0), _G)", "0"), b":1\r\n", None),
    (
        ("EVAL", "setmetatable(_G, {})", "0"),
        (
            b"-ERR Attempt to modify a readonly table script: "
            b"0bf0a51fbb051c942113de0105d3f8e18cdcddb5, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return {pcall(setmetatable, _G, {})}", "0"),
        b"*2\r\n$-1\r\n$34\r\nAttempt to modify a readonly table\r\n",
        b"*2\r\n_\r\n$34\r\nAttempt to modify a readonly table\r\n",
    ),
    (("EVAL", "return type(getmetatable(_G))", "0"), b"$5\r\ntable\r\n", None),
    (
        ("EVAL", "getmetatable(_G).__index = nil", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"1ec4f48ee3d02bfee5da8ba9aeab8a503d3032f1, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "rawset(_G, 'x', 1)", "0"),
        (
            b"-ERR Attempt to modify a readonly table script: "
            b"e2c706419da183d6229a1230c3be09cc32cdeee0, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "rawset(string, 'x', 1)", "0"),
        (
            b"-ERR Attempt to modify a readonly table script: "
            b"520efe0be9eced50ab34c0e956295bc924abd703, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "rawset(redis, 'call', print)", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'print' script: f1b729337982e5c356c55b047cf8ed876765f02b, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "string.x = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"c3eb0a2a15b3d4790b323c4104029c1ae425a769, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "redis.call = nil", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"2786c35ed73d3860851cf52e0b5dfbbc0bdb4803, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "redis.x = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"0e3b052f72a1147275fd3ab2c8c15d4453b9010f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "table.insert = nil", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"5930172eaf13a2d39bccc689d15bde0632333dab, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "os.clock = nil", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"cc08838557e822563d955497345b1210a6d6af0f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "setmetatable(string, {})", "0"),
        (
            b"-ERR Attempt to modify a readonly table script: "
            b"f77b14463e19b108fd21de6f1ba202c4266299ca, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "setmetatable(redis, {})", "0"),
        (
            b"-ERR Attempt to modify a readonly table script: "
            b"6ae3b573071d027833c6f717b4786d090accc273, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "setmetatable(os, {__index = {}})", "0"),
        (
            b"-ERR Attempt to modify a readonly table script: "
            b"13c1a62939c854d49c97a22d0b880fbf43ea61f4, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "x = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "_G.x = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"e5cf4a26667af1721988fe8c9829d5cd2e26c62e, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "KEYS = {}", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"6f9c2135c385ef4406555ad3ccccb97d6af382cb, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "local t = _G t.redis = 1", "0"),
        (
            b"-ERR user_script:1: Attempt to modify a readonly table script: "
            b"94a857ce7d322536de3de6cd8ec68e961620322d, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.call.__globals__", "0"),
        (
            b"-ERR user_script:1: attempt to index field 'call' (a function value) script: "
            b"075232db6541db2beaf4dc55571be460a426493f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.pcall.x", "0"),
        (
            b"-ERR user_script:1: attempt to index field 'pcall' (a function value) script: "
            b"adf3894143db287be002e5a15639f7176105a156, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return ('x').__class__", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return tostring(redis.call):sub(1, 9)", "0"), b"$9\r\nfunction:\r\n", None),
    (
        ("EVAL", "setfenv(redis.call, {})", "0"),
        (
            b"-ERR user_script:1: 'setfenv' cannot change environment of given object script: "
            b"7a6e48bdd6e58ea0a65b4946f302152403520e00, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "setfenv(1, {})", "0"),
        b"$-1\r\n",
        b"_\r\n",
    ),
    (
        ("EVAL", "return setfenv(print, {})", "0"),
        (
            b"-ERR user_script:1: Script attempted to access nonexistent global variable "
            b"'print' script: 116d441a2cfabdf728193f35e102c557ef956207, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return loadstring()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'loadstring' (string expected, got no "
            b"value) script: d80723d7d8427f977d218ab648c910adce50e8a3, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return loadstring(nil)", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'loadstring' (string expected, got nil) "
            b"script: f2a3535376d65c94af2825ca50e892f34558e37d, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return setmetatable()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'setmetatable' (table expected, got no "
            b"value) script: 57df074193a7369d4535b7190dff901374e79006, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return setmetatable(1, {})", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'setmetatable' (table expected, got "
            b"number) script: cde81fee4cf25bd0b7dc3685af446d862fd43845, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return rawget()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'rawget' (table expected, got no value) "
            b"script: 7bb6b9ef5848f3d587ef2afe27a073f8c7ed4a9a, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return getfenv('x')", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'getfenv' (number expected, got string) "
            b"script: eb5b85c429d7748f471eaefca6b8a557b07ad89a, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return getfenv(100)", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'getfenv' (invalid level) script: "
            b"4c1e129441a3884a0414bff3eb9d1e98d05a5e8f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return setfenv(1)", "0"),
        (
            b"-ERR user_script:1: bad argument #2 to 'setfenv' (table expected, got no value) "
            b"script: dd68e8caf4a36d145c48e49fc2ffed7280d7231a, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return next()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'next' (table expected, got no value) "
            b"script: 7afcffdf9667aa0090537841aa54a3176adc1b3e, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return pairs()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'pairs' (table expected, got no value) "
            b"script: e8495aaf1a4b35f64568a9b28855af63316d29d4, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return getmetatable()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'getmetatable' (value expected) script: "
            b"079907dcac7a4f1ecf68e10e298d3983826b55b6, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return {pcall(rawset)}", "0"),
        b"*2\r\n$-1\r\n$53\r\nbad argument #1 to '?' (table expected, got no value)\r\n",
        b"*2\r\n_\r\n$53\r\nbad argument #1 to '?' (table expected, got no value)\r\n",
    ),
    (
        ("EVAL", "return {pcall(load, 'x')}", "0"),
        b"*2\r\n$-1\r\n$54\r\nbad argument #1 to '?' (function expected, got string)\r\n",
        b"*2\r\n_\r\n$54\r\nbad argument #1 to '?' (function expected, got string)\r\n",
    ),
    (
        ("EVAL", "local l = load return l('x')", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'l' (function expected, got string) "
            b"script: e1295fa19309efa47f79e00e5096a9e1ffa3c6ab, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return load()", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'load' (function expected, got no value) "
            b"script: a6fcbea7c6189fb0ab8d5189022a9a1440eee157, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return __redis__err__handler('x')", "0"), b"-ERR x\r\n", None),
    (
        (
            "EVAL",
            "local e = __redis__err__handler({err = 'E x'}) return {e.err, e.source, e.line}",
            "0",
        ),
        b"*3\r\n$3\r\nE x\r\n$12\r\n@user_script\r\n:1\r\n",
        None,
    ),
    (
        (
            "EVAL",
            (
                "local co = coroutine.create(function() redis.call('set', 'co', '1') end) "
                "return {coroutine.resume(co)}"
            ),
            "0",
        ),
        b"*1\r\n:1\r\n",
        None,
    ),
]


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize(("args", "resp2", "resp3"), HOSTILE)
def test_hostile_scripts(
    clients: Callable[..., RawClient],
    protocol: int,
    args: tuple[str, ...],
    resp2: bytes,
    resp3: bytes | None,
) -> None:
    client = clients(protocol)
    expected = resp2 if protocol == 2 or resp3 is None else resp3
    assert client.command(*args) == expected
    assert client.command("EVAL", "return redis.call('ping')", "0") == b"+PONG\r\n"


# Walks everything reachable from the globals (tables through pairs, and their
# metatables) and answers what does not look like plain Lua: a userdata, or a value
# whose text is not Lua's own ("table: 0x...", "function: 0x...", a plain string).
# cjson.null is the one userdata, in Valkey too (a light userdata).
WALK = r"""
local seen, odd = {}, {}
local function walk(v, path)
  local t = type(v)
  if t == 'userdata' or t == 'thread' then
    if path ~= '_G.cjson.null' then odd[#odd + 1] = path .. ':' .. t end
    return
  end
  if t == 'function' or t == 'table' then
    local text = tostring(v)
    if not text:match('^' .. t .. ': 0x%x+$') then odd[#odd + 1] = path .. ':' .. text end
  end
  if t ~= 'table' or seen[v] then return end
  seen[v] = true
  for k, x in pairs(v) do walk(x, path .. '.' .. tostring(k)) end
  local mt = getmetatable(v)
  if mt ~= nil then walk(mt, path .. '<mt>') end
end
walk(_G, '_G')
walk(getmetatable(''), '<string mt>')
return odd
"""


def test_nothing_reachable_is_python(raw: RawClient) -> None:
    assert raw.command("EVAL", WALK, "0") == b"*0\r\n"
    # lupa's attribute access and its python table are not there
    for script, reply in (
        ("return type(python)", b"nonexistent global variable 'python'"),
        ("return redis.call.__class__", b"attempt to index field 'call' (a function value)"),
        ("return ('x').__class__", b"$-1\r\n"),
        ("return type(string.rep)", b"$8\r\nfunction\r\n"),
    ):
        assert reply in raw.command("EVAL", script, "0")


def test_a_script_may_change_its_own_environment_for_good(raw: RawClient) -> None:
    # The script is compiled once: like Valkey's, its environment is its own to change,
    # and the change stays with the cached script (other scripts see the globals).
    assert raw.command("EVAL", "setfenv(1, {}) return 1", "0") == b":1\r\n"
    assert raw.command("EVAL", "setfenv(1, {}) return 1", "0") == (
        b"-ERR user_script:1: attempt to call global 'setfenv' (a nil value) script: "
        b"f2a1ecad5c0a31a787e394a4e3a24bcd862d68b3, on @user_script:1.\r\n"
    )
    assert raw.command("EVAL", "return type(setfenv)", "0") == b"$8\r\nfunction\r\n"
    raw.command("SCRIPT", "FLUSH")


def test_the_string_metatable_is_open_until_script_flush(raw: RawClient) -> None:
    # As in Valkey: the string metatable is not protected, and a change made to it
    # lasts until SCRIPT FLUSH replaces the Lua state.
    assert raw.command("EVAL", "getmetatable('').__index = {}", "0") == b"$-1\r\n"
    reply = raw.command("EVAL", "return ('x'):rep(2)", "0")
    assert reply.startswith(b"-ERR user_script:1: attempt to call method 'rep' (a nil value)")
    assert raw.command("SCRIPT", "FLUSH") == b"+OK\r\n"
    assert raw.command("EVAL", "return ('x'):rep(2)", "0") == b"$2\r\nxx\r\n"


@pytest.fixture
def small_heap(monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.setattr(engine, "MAX_MEMORY", 32 << 20)
    return Harness()


# The memory bomb makes each string distinct: Lua interns strings, so repeating the
# same one would only grow the table's array, 16 bytes a turn.
BOMB = "local t = {} while true do t[#t + 1] = string.rep('x', 1e6) .. #t end"


def test_a_memory_bomb_fails_and_the_server_goes_on(small_heap: Harness) -> None:
    h = small_heap
    sha = "69f76f73edfd3e54c7d0410b422786d4b9a1c5fe"
    assert h.run("EVAL", BOMB, "0") == (
        b"-ERR Error running script %s, not enough memory\r\n" % sha.encode()
    )
    assert h.run("EVAL", "return 1", "0") == b":1\r\n"
    caught = f"local ok, e = pcall(function() {BOMB} end) return {{tostring(ok), e}}"
    assert h.run("EVAL", caught, "0") == b"*2\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n"
    assert h.run("EVAL", "local s = string.rep('x', 1e9) return #s", "0").startswith(
        b"-ERR Error running script "
    )
    # what the failed runs held was collected: the next ones have the whole heap
    big = "return redis.call('set', 'k', string.rep('y', 1e7))"
    assert h.run("EVAL", big, "0") == b"+OK\r\n"
    assert h.run("EVAL", "return #redis.call('get', 'k')", "0") == b":10000000\r\n"
    assert h.core.eval_scripts.lua_memory() < 32 << 20
    assert h.run("PING") == b"+PONG\r\n"
    assert h.info("errorstats") == {"errorstat_ERR": "count=2"}
