"""FUNCTION LOAD's library code, checked against Valkey 8.0.1 byte for byte: the
metadata line, the load-time environment (only ``server``/``redis`` with
``register_function``, ``log`` and the constants; everything else a nonexistent
global; the globals read-only), both forms of ``register_function`` and every refusal
of its arguments, the load timeout, and what a function sees when it runs (the full
API, its keys and args, the same read-only globals)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import RawClient

from minivalkey import Server

NAME_RULES = (
    b"Library names can only contain letters, numbers, or underscores(_) and must be at "
    b"least one character long"
)


@pytest.fixture
def fresh(raw: RawClient) -> Iterator[RawClient]:
    """``raw`` with no library loaded (FLUSHALL leaves libraries alone)."""
    assert raw.command("FUNCTION", "FLUSH") == b"+OK\r\n"
    yield raw
    raw.command("FUNCTION", "FLUSH")


def load(client: RawClient, code: str, *options: str) -> bytes:
    return client.command("FUNCTION", "LOAD", *options, code)


def bulk(text: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(text), text)


# -- the metadata line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reply"),
    [
        ("foo", b"-ERR Missing library metadata\r\n"),
        ("#!lua name=t", b"-ERR Invalid library metadata\r\n"),
        ("#!lua name=t\0x\n", b"-ERR Invalid library metadata\r\n"),
        ('#!lua name="t\nx', b"-ERR Invalid library metadata\r\n"),
        ("#!\n", b"-ERR Library name was not given\r\n"),
        ("#!lua\n", b"-ERR Library name was not given\r\n"),
        ("#!lua name=a name=b\n", b"-ERR Invalid metadata value, name argument was given "
         b"multiple times\r\n"),
        ("#!lua name=test foo=bar\nx", b"-ERR Invalid metadata value given: foo=bar\r\n"),
        ("#!lua name=\n", b"-ERR " + NAME_RULES + b"\r\n"),
        ('#!lua name="a b"\nx', b"-ERR " + NAME_RULES + b"\r\n"),
        ("#!lua name=a-b\nx", b"-ERR " + NAME_RULES + b"\r\n"),
        ("#! name=test\nx", b"-ERR Engine '' not found\r\n"),
        ("#!bad_engine name=test\nx", b"-ERR Engine 'bad_engine' not found\r\n"),
        ("#!lua name=t\n", b"-ERR No functions registered\r\n"),
        ("#!lua name=t\nreturn 1", b"-ERR No functions registered\r\n"),
        ("#!lua name=t\nbad script",
         b"-ERR Error compiling function: user_function:2: '=' expected near 'script'\r\n"),
    ],
)
def test_metadata_and_compile_errors(fresh: RawClient, code: str, reply: bytes) -> None:
    assert load(fresh, code) == reply
    assert fresh.command("FUNCTION", "LIST") == b"*0\r\n"


def test_metadata_spellings(fresh: RawClient) -> None:
    body = "\nserver.register_function('f%s', function() return 1 end)"
    assert load(fresh, "#!lua name=plain" + body % 1) == bulk(b"plain")
    assert load(fresh, '#!lua name="quoted"' + body % 2) == bulk(b"quoted")
    assert load(fresh, "#!LUA NAME=upper" + body % 3) == bulk(b"upper")
    assert load(fresh, "#!Lua  name=spaced  " + body % 4) == bulk(b"spaced")
    assert fresh.command("FCALL", "f2", "0") == b":1\r\n"


# -- the load-time environment --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("return math.random()", "user_function:2: Script attempted to access nonexistent "
         "global variable 'math'"),
        ("local x = string.len('a')", "user_function:2: Script attempted to access nonexistent "
         "global variable 'string'"),
        ("error('boom')", "user_function:2: Script attempted to access nonexistent global "
         "variable 'error'"),
        ("return redis.call('ping')", "user_function:2: Script attempted to access nonexistent "
         "global variable 'call'"),
        ("return server.setresp(3)", "user_function:2: Script attempted to access nonexistent "
         "global variable 'setresp'"),
        ("return redis.set_repl(redis.REPL_NONE)", "user_function:2: Script attempted to access "
         "nonexistent global variable 'set_repl'"),
        ("return redis.acl_check_cmd('set','xx',1)", "user_function:2: Script attempted to "
         "access nonexistent global variable 'acl_check_cmd'"),
        ("return redis.redis.call('ping')", "user_function:2: Script attempted to access "
         "nonexistent global variable 'redis'"),
        ("return _G", "user_function:2: Script attempted to access nonexistent global variable "
         "'_G'"),
        ("return KEYS", "user_function:2: Script attempted to access nonexistent global variable "
         "'KEYS'"),
        ("mt = getmetatable(_G)", "user_function:2: Script attempted to access nonexistent "
         "global variable 'getmetatable'"),
        ("a = 1", "user_function:2: Attempt to modify a readonly table"),
        ("redis.x = 1", "user_function:2: Attempt to modify a readonly table"),
    ],
)
def test_load_time_environment(fresh: RawClient, body: str, error: str) -> None:
    reply = load(fresh, "#!lua name=lib\n" + body)
    assert reply == b"-ERR Error registering functions: ERR " + error.encode() + b"\r\n"


def test_load_time_api_has_log_and_constants(fresh: RawClient) -> None:
    code = (
        "#!lua name=lib\n"
        "server.log(server.LOG_NOTICE, 'loading', redis.LOG_DEBUG, server.LOG_VERBOSE)\n"
        "local seen = {server.LOG_WARNING, redis.REDIS_VERSION, server.SERVER_NAME,\n"
        "  server.VALKEY_VERSION, server.REDIS_VERSION_NUM, server.VALKEY_VERSION_NUM}\n"
        "server.register_function('consts', function() return seen end)"
    )
    assert load(fresh, code) == bulk(b"lib")
    assert fresh.command("FCALL", "consts", "0") == (
        b"*6\r\n:3\r\n$5\r\n7.2.4\r\n$6\r\nvalkey\r\n$5\r\n8.0.1\r\n:459268\r\n:524289\r\n"
    )


def test_load_timeout(fresh: RawClient) -> None:
    code = "#!lua name=lib\nlocal a = 1\nwhile 1 do a = a + 1 end"
    assert load(fresh, code) == b"-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n"
    # the state is usable again: the hook is off, the globals back
    body = "\nserver.register_function('f', function() return server.call('ping') end)"
    assert load(fresh, "#!lua name=lib" + body) == bulk(b"lib")
    assert fresh.command("FCALL", "f", "0") == b"+PONG\r\n"


# -- register_function --------------------------------------------------------------------

REGISTRATION_ERRORS = [
    ("server.register_function()", "wrong number of arguments to server.register_function"),
    ("server.register_function('f1', function() return 1 end, {}, 'description', 'extra')",
     "wrong number of arguments to server.register_function"),
    ("server.register_function('f1')", "calling server.register_function with a single "
     "argument is only applicable to Lua table (representing named arguments)."),
    ("server.register_function(function() end)", "calling server.register_function with a "
     "single argument is only applicable to Lua table (representing named arguments)."),
    ("server.register_function(nil, function() return 1 end)",
     "first argument to server.register_function must be a string"),
    ("server.register_function('f', 1)",
     "second argument to server.register_function must be a function"),
    ("server.register_function('test\\0test', function() return 1 end)", NAME_RULES.decode()),
    ("server.register_function('', function() return 1 end)", NAME_RULES.decode()),
    ("server.register_function(1.5, function() return 1 end)", NAME_RULES.decode()),
    ("server.register_function('a-b', function() return 1 end)", NAME_RULES.decode()),
    ("server.register_function('f', function() end) server.register_function('f', function() "
     "end)", "Function already exists in the library"),
    ("server.register_function{function_name=function() return 1 end, callback=function() end}",
     "function_name argument given to server.register_function must be a string"),
    ("server.register_function{function_name='f1', callback='bad'}",
     "callback argument given to server.register_function must be a function"),
    ("server.register_function{function_name='f1', callback=function() end, "
     "description=function() end}",
     "description argument given to server.register_function must be a string"),
    ("server.register_function{function_name='f1', callback=function() end, some_unknown='x'}",
     "unknown argument given to server.register_function"),
    ("server.register_function{'g4', function() end}",
     "unknown argument given to server.register_function"),
    ("server.register_function{callback=function() end, description='desc'}",
     "server.register_function must get a function name argument"),
    ("server.register_function{function_name='f1', description='desc'}",
     "server.register_function must get a callback argument"),
    ("server.register_function{function_name='f1', callback=function() end, flags='bad'}",
     "flags argument to server.register_function must be a table representing function flags"),
    ("server.register_function{function_name='f1', callback=function() end, "
     "flags={function() end}}", "unknown flag given"),
    ("server.register_function{function_name='f1', callback=function() end, flags={'unknown'}}",
     "unknown flag given"),
    ("server.register_function{function_name='f1', callback=function() end, flags={1}}",
     "unknown flag given"),
]


@pytest.mark.parametrize(("body", "error"), REGISTRATION_ERRORS)
def test_registration_errors(fresh: RawClient, body: str, error: str) -> None:
    reply = load(fresh, "#!lua name=lib\n" + body)
    assert reply == b"-ERR Error registering functions: ERR " + error.encode() + b"\r\n"
    assert fresh.command("FUNCTION", "STATS") == (
        b"*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n"
        b"*4\r\n$15\r\nlibraries_count\r\n:0\r\n$15\r\nfunctions_count\r\n:0\r\n"
    )


def test_register_function_forms(fresh: RawClient) -> None:
    code = (
        "#!lua name=forms\n"
        "server.register_function('positional', function(keys, args) return 'p' end)\n"
        "redis.register_function{function_name='named', callback=function() return 'n' end,\n"
        "  description='a description', flags={'no-writes', 'ALLOW-OOM', 'allow-stale',\n"
        "  'no-cluster', 'allow-cross-slot-keys'}}\n"
        "server.register_function{FUNCTION_NAME='upper', CallBack=function() return 'u' end,\n"
        "  Flags={[2]='no-writes'}, DESCRIPTION=42}\n"
        "server.register_function(7, function() return 'number' end)\n"
        "server.register_function{function_name=8, callback=function() return 'eight' end}"
    )
    assert load(fresh, code) == bulk(b"forms")
    for name, reply in [
        ("positional", b"$1\r\np\r\n"),
        ("named", b"$1\r\nn\r\n"),
        ("UPPER", b"$1\r\nu\r\n"),
        ("7", b"$6\r\nnumber\r\n"),
        ("8", b"$5\r\neight\r\n"),
    ]:
        assert fresh.command("FCALL", name, "0") == reply
    listed = fresh.command("FUNCTION", "LIST")
    assert b"$4\r\nname\r\n$5\r\nnamed\r\n$11\r\ndescription\r\n$13\r\na description\r\n" in listed
    assert (
        b"$5\r\nflags\r\n*5\r\n+no-writes\r\n+allow-oom\r\n+allow-stale\r\n+no-cluster\r\n"
        b"+allow-cross-slot-keys\r\n"
    ) in listed
    # a flags table read up to its first hole: no flags; a number description is its text
    assert b"$5\r\nupper\r\n$11\r\ndescription\r\n$2\r\n42\r\n$5\r\nflags\r\n*0\r\n" in listed


def test_registration_failure_reverts_the_whole_load(fresh: RawClient) -> None:
    code = (
        "#!lua name=lib1\n"
        "local function add1(a) return a + 1 end\n"
        "server.register_function('f1', function() return add1(1) end)\n"
        "server.register_function('f2', function() return add1(2) end)"
    )
    assert load(fresh, code) == bulk(b"lib1")
    failing = code.replace("+ 1", "+ 2") + "\nserver.register_function('f3', 'not a function')"
    assert load(fresh, failing, "REPLACE") == (
        b"-ERR Error registering functions: ERR second argument to server.register_function "
        b"must be a function\r\n"
    )
    assert fresh.command("FCALL", "f1", "0") == b":2\r\n"
    assert fresh.command("FCALL", "f3", "0") == b"-ERR Function not found\r\n"


def test_function_names_across_libraries(fresh: RawClient) -> None:
    assert load(fresh, "#!lua name=x\nredis.register_function('f', function() return 1 end)") == (
        bulk(b"x")
    )
    # function names collide whatever their case; library names are case-sensitive
    assert load(fresh, "#!lua name=y\nredis.register_function('F', function() end)") == (
        b"-ERR Function F already exists\r\n"
    )
    assert load(fresh, "#!lua name=X\nredis.register_function('g', function() return 2 end)") == (
        bulk(b"X")
    )
    assert load(fresh, "#!lua name=x\nredis.register_function('h', function() end)") == (
        b"-ERR Library 'x' already exists\r\n"
    )
    # REPLACE frees the old library's names for the new code, and a collision keeps the old
    replaced = "#!lua name=x\nredis.register_function('f', function() return 3 end)"
    assert load(fresh, replaced, "replace") == bulk(b"x")
    assert fresh.command("FCALL", "F", "0") == b":3\r\n"
    colliding = "#!lua name=x\nredis.register_function('G', function() end)"
    assert load(fresh, colliding, "REPLACE") == b"-ERR Function G already exists\r\n"
    assert fresh.command("FCALL", "f", "0") == b":3\r\n"


# -- what a function sees when it runs -----------------------------------------------------

RUNTIME_LIBRARY = (
    "#!lua name=rt\n"
    "local lib = server\n"
    "local function helper() return server.call('ping') end\n"
    "server.register_function('ping_it', function() return helper() end)\n"
    "server.register_function('boom', function() error('boom') end)\n"
    "server.register_function('boom_table', function() error({err='MYERR custom'}) end)\n"
    "server.register_function('nosuch', function() return server.call('nosuch') end)\n"
    "server.register_function('reg', function() return server.register_function('x', "
    "function() end) end)\n"
    "server.register_function('captured', function() return lib.register_function('x', "
    "function() end) end)\n"
    "server.register_function('captured_write', function() lib.call = 1 end)\n"
    "server.register_function('captured_read', function() return lib.call end)\n"
    "server.register_function('keys_global', function() return KEYS end)\n"
    "server.register_function('global_write', function() x = 1 end)\n"
    "server.register_function('rawset_g', function() rawset(_G, 'x', 1) end)\n"
    "server.register_function('g_type', function() return type(_G) .. ' ' .. "
    "type(getmetatable(_G)) end)\n"
    "server.register_function('echo', function(keys, args) return {#keys, #args, keys[1] or "
    "false, args[1] or false} end)\n"
    "server.register_function('mt_trick', function() local mt = getmetatable(_G) local g = "
    "mt.__index g['redis'] = 1 end)\n"
    "server.register_function('fenv', function() local e = getfenv(1) rawset(e, 'y', 1) end)\n"
    "server.register_function('fenv_read', function() local e = getfenv(1) return {type(e), "
    "rawget(e, 'server') == nil} end)\n"
    "server.register_function('resp3', function() server.setresp(3) return "
    "server.call('hgetall', 'h') end)\n"
    "server.register_function('log', function() server.log(server.LOG_NOTICE, 'x') return "
    "server.LOG_WARNING end)\n"
    "server.register_function('status', function() return server.status_reply('FINE') end)\n"
    "server.register_function('pcall_err', function() return server.pcall('incr', 'str') end)\n"
    "server.register_function{function_name='ro', callback=function(keys) return "
    "server.call('set', keys[1], 'v') end, flags={'no-writes'}}"
)

RUNTIME_REPLIES = [
    (("ping_it", "0"), b"+PONG\r\n"),
    (("boom", "0"), b"-ERR user_function:5: boom script: boom, on @user_function:5.\r\n"),
    (("boom_table", "0"), b"-MYERR custom script: boom_table, on @user_function:6.\r\n"),
    (("nosuch", "0"),
     b"-ERR Unknown command called from script script: nosuch, on @user_function:7.\r\n"),
    (("reg", "0"), b"-ERR user_function:8: attempt to call field 'register_function' (a nil "
     b"value) script: reg, on @user_function:8.\r\n"),
    (("captured", "0"), b"-ERR server.register_function can only be called on FUNCTION LOAD "
     b"command script: captured, on @user_function:9.\r\n"),
    (("captured_write", "0"), b"-ERR user_function:10: Attempt to modify a readonly table "
     b"script: captured_write, on @user_function:10.\r\n"),
    (("captured_read", "0"), b"-ERR user_function:11: Script attempted to access nonexistent "
     b"global variable 'call' script: captured_read, on @user_function:11.\r\n"),
    (("keys_global", "0"), b"-ERR user_function:12: Script attempted to access nonexistent "
     b"global variable 'KEYS' script: keys_global, on @user_function:12.\r\n"),
    (("global_write", "0"), b"-ERR user_function:13: Attempt to modify a readonly table "
     b"script: global_write, on @user_function:13.\r\n"),
    (("rawset_g", "0"),
     b"-ERR Attempt to modify a readonly table script: rawset_g, on @user_function:14.\r\n"),
    (("g_type", "0"), b"$11\r\ntable table\r\n"),
    (("echo", "2", "k1", "k2", "a1"), b"*4\r\n:2\r\n:1\r\n$2\r\nk1\r\n$2\r\na1\r\n"),
    (("echo", "0"), b"*4\r\n:0\r\n:0\r\n$-1\r\n$-1\r\n"),
    (("fenv", "0"),
     b"-ERR Attempt to modify a readonly table script: fenv, on @user_function:18.\r\n"),
    (("fenv_read", "0"), b"*2\r\n$5\r\ntable\r\n:1\r\n"),
    (("resp3", "0"), b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (("log", "0"), b":3\r\n"),
    (("status", "0"), b"+FINE\r\n"),
    (("pcall_err", "0"), b"-ERR value is not an integer or out of range\r\n"),
    (("ro", "1", "k"), b"-ERR Write commands are not allowed from read-only scripts. script: "
     b"ro, on @user_function:24.\r\n"),
    (("PING_IT", "0"), b"+PONG\r\n"),
]


@pytest.mark.parametrize(("call", "reply"), RUNTIME_REPLIES, ids=[c[0][0] for c in RUNTIME_REPLIES])
def test_functions_at_run_time(fresh: RawClient, call: tuple[str, ...], reply: bytes) -> None:
    assert load(fresh, RUNTIME_LIBRARY) == bulk(b"rt")
    assert fresh.command("SET", "str", "abc") == b"+OK\r\n"
    assert fresh.command("HSET", "h", "a", "1") == b":1\r\n"
    assert fresh.command("FCALL", *call) == reply


def test_function_globals_survive_script_flush(fresh: RawClient) -> None:
    assert load(fresh, RUNTIME_LIBRARY) == bulk(b"rt")
    assert fresh.command("EVAL", "return 1", "0") == b":1\r\n"
    assert fresh.command("SCRIPT", "FLUSH") == b"+OK\r\n"
    assert fresh.command("FCALL", "ping_it", "0") == b"+PONG\r\n"


def test_trick_global_protection(fresh: RawClient) -> None:
    code = (
        "#!lua name=test1\n"
        "server.register_function('f1', function()\n"
        "  mt = getmetatable(_G)\n"
        "  original_globals = mt.__index\n"
        "  original_globals['redis'] = function() return 1 end\n"
        "end)"
    )
    assert load(fresh, code) == bulk(b"test1")
    assert fresh.command("FCALL", "f1", "0") == (
        b"-ERR user_function:3: Attempt to modify a readonly table script: f1, on "
        b"@user_function:3.\r\n"
    )


def test_separate_servers_do_not_share_libraries(server: Server, fresh: RawClient) -> None:
    other = Server().start()
    try:
        with RawClient(other.port) as client:
            assert load(client, "#!lua name=only\nserver.register_function('o', function() "
                        "return 1 end)") == bulk(b"only")
        assert fresh.command("FCALL", "o", "0") == b"-ERR Function not found\r\n"
    finally:
        other.stop()


def test_loaded_chunks_see_the_loaders_globals(fresh: RawClient) -> None:
    code = (
        "#!lua name=ls\n"
        "server.register_function('ls', function() return loadstring('x = 1 return 2')() end)\n"
        "server.register_function('ls2', function() return loadstring('return redis ~= nil')() "
        "end)"
    )
    assert load(fresh, code) == bulk(b"ls")
    assert fresh.command("FCALL", "ls", "0") == (
        b'-ERR [string "x = 1 return 2"]:1: Attempt to modify a readonly table script: ls, on '
        b"x = 1 return 2:1.\r\n"
    )
    assert fresh.command("FCALL", "ls2", "0") == b":1\r\n"
    assert fresh.command("EVAL", "local ok, f = pcall(loadstring, 'y = 2') return {pcall(f)}",
                         "0") == (
        b'*2\r\n$-1\r\n$54\r\n[string "y = 2"]:1: Attempt to modify a readonly table\r\n'
    )
