"""FUNCTION's subcommands, FCALL and FCALL_RO over sockets, in RESP2 and RESP3, checked
against Valkey 8.0.1 byte for byte: every subcommand and its errors in Valkey's order
of checks (DUMP and RESTORE in test_function_dump.py), FUNCTION LIST and STATS shapes,
the function flags (FCALL_RO, no-writes, allow-oom and the OOM refusal, MULTI, CLIENT
PAUSE WRITE), MONITOR, and the INFO / MEMORY STATS figures.

Valkey lists libraries, and a library's functions, in its hash tables' order (seeded
at random per process), so the replies checked whole have one function per library."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
import redis
from function_samples import (
    FLAGGED,
    FLAGGED_LIST,
    MYLIB,
    MYLIB_LIST,
    NULL,
    OK,
    bulk,
    info_fields,
    stats_reply,
)
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server


@pytest.fixture
def fresh(raw: RawClient) -> Iterator[RawClient]:
    """``raw`` with no library loaded (FLUSHALL leaves libraries alone)."""
    assert raw.command("FUNCTION", "FLUSH") == OK
    yield raw
    raw.command("FUNCTION", "FLUSH")
    raw.command("CONFIG", "SET", "maxmemory", "0")


@pytest.fixture
def clients(server: Server, fresh: RawClient) -> Iterator[Callable[..., RawClient]]:
    with raw_clients(server.port) as open_client:
        yield open_client


@pytest.fixture
def fr(r: redis.Redis) -> Iterator[redis.Redis]:
    """``r`` with no library loaded."""
    r.function_flush()
    yield r
    r.function_flush()


# -- FCALL and FCALL_RO --------------------------------------------------------------------


def test_fcall_through_redis_py(fr: redis.Redis) -> None:
    assert fr.function_load(MYLIB) == b"mylib"
    assert fr.fcall("myfunc", 0, "hello") == b"hello"
    assert fr.fcall("MYFUNC", 1, "key", "arg") == b"arg"
    assert fr.function_load(FLAGGED) == b"flagged"
    fr.set("k", "v")
    assert fr.fcall_ro("reader", 1, "k") == b"v"
    with pytest.raises(redis.ResponseError, match="^Function not found$"):
        fr.fcall("nosuch", 0)
    with pytest.raises(
        redis.ResponseError, match=r"^Can not execute a script with write flag using \*_ro"
    ):
        fr.fcall_ro("myfunc", 0, "x")


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("nosuch", "x"), b"-ERR Function not found\r\n"),
        (("myfunc", "x"), b"-ERR Bad number of keys provided\r\n"),
        (("myfunc", "01"), b"-ERR Bad number of keys provided\r\n"),
        (("myfunc", " 1"), b"-ERR Bad number of keys provided\r\n"),
        (("myfunc", "9223372036854775808"), b"-ERR Bad number of keys provided\r\n"),
        (("myfunc", "2", "a"), b"-ERR Number of keys can't be greater than number of args\r\n"),
        (("myfunc", "-1", "a"), b"-ERR Number of keys can't be negative\r\n"),
        (("myfunc",), b"-ERR wrong number of arguments for 'fcall' command\r\n"),
        (("myfunc", "0"), NULL[2]),
        (("myfunc", "1", "k", "v"), b"$1\r\nv\r\n"),
    ],
)
def test_fcall_arguments(fresh: RawClient, args: tuple[str, ...], reply: bytes) -> None:
    assert fresh.command("FUNCTION", "LOAD", MYLIB) == bulk(b"mylib")
    assert fresh.command("FCALL", *args) == reply


def test_function_flags(fresh: RawClient) -> None:
    code = (
        "#!lua name=fl\n"
        "server.register_function('w', function(k) return server.call('set', k[1], 'v') end)\n"
        "server.register_function{function_name='r', callback=function(k) return "
        "server.call('get', k[1]) end, flags={'no-writes'}}\n"
        "server.register_function{function_name='nw', callback=function(k) return "
        "server.call('set', k[1], 'x') end, flags={'no-writes'}}"
    )
    assert fresh.command("FUNCTION", "LOAD", code) == bulk(b"fl")
    assert fresh.command("FCALL", "w", "1", "k") == OK
    assert fresh.command("FCALL_RO", "w", "1", "k") == (
        b"-ERR Can not execute a script with write flag using *_ro command.\r\n"
    )
    assert fresh.command("FCALL_RO", "r", "1", "k") == b"$1\r\nv\r\n"
    assert fresh.command("FCALL", "r", "1", "k") == b"$1\r\nv\r\n"
    assert fresh.command("FCALL", "nw", "1", "k") == (
        b"-ERR Write commands are not allowed from read-only scripts. script: nw, on "
        b"@user_function:4.\r\n"
    )
    assert fresh.command("GET", "k") == b"$1\r\nv\r\n"


def test_function_flags_over_maxmemory(fresh: RawClient) -> None:
    code = (
        "#!lua name=fl\n"
        "server.register_function('w', function(k) return server.call('set', k[1], 'v') end)\n"
        "server.register_function{function_name='r', callback=function(k) return "
        "server.call('get', k[1]) end, flags={'no-writes'}}\n"
        "server.register_function{function_name='o', callback=function(k) return "
        "server.call('set', k[1], 'o') end, flags={'allow-oom'}}"
    )
    assert fresh.command("FUNCTION", "LOAD", code) == bulk(b"fl")
    payload = fresh.command("FUNCTION", "DUMP")
    assert fresh.command("CONFIG", "RESETSTAT") == OK
    assert fresh.command("CONFIG", "SET", "maxmemory", "1") == OK
    oom = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    assert fresh.command("FCALL", "w", "1", "k") == oom
    assert fresh.command("FCALL_RO", "w", "1", "k") == oom
    assert fresh.command("FCALL", "r", "1", "k") == NULL[2]
    assert fresh.command("FCALL", "o", "1", "k") == OK
    assert fresh.command("FCALL", "nosuch", "1", "k") == b"-ERR Function not found\r\n"
    assert fresh.command("MULTI") == OK
    assert fresh.command("FCALL", "r", "1", "k") == b"+QUEUED\r\n"
    assert fresh.command("FCALL", "w", "1", "k") == oom
    assert fresh.command("EXEC") == (
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    )
    # FUNCTION LOAD and RESTORE are denyoom, DELETE and FLUSH are not
    assert fresh.command("FUNCTION", "LOAD", "REPLACE", code) == oom
    assert fresh.command("FUNCTION", "RESTORE", payload, "REPLACE") == oom
    assert fresh.command("FUNCTION", "DELETE", "nosuch") == b"-ERR Library not found\r\n"
    assert fresh.command("CONFIG", "SET", "maxmemory", "0") == OK
    stats = info_fields(fresh, "commandstats")
    assert stats["cmdstat_fcall"].endswith(",rejected_calls=2,failed_calls=1")
    assert stats["cmdstat_fcall"].startswith("calls=3,")
    assert stats["cmdstat_fcall_ro"].endswith(",rejected_calls=1,failed_calls=0")
    assert info_fields(fresh, "errorstats") == {
        "errorstat_ERR": "count=2",
        "errorstat_EXECABORT": "count=1",
        "errorstat_OOM": "count=5",
    }


def test_client_pause_write_holds_only_functions_that_write(
    server: Server, clients: Callable[..., RawClient]
) -> None:
    control, caller = clients(), clients()
    code = (
        "#!lua name=fl\n"
        "server.register_function('w', function(k) return server.call('set', k[1], 'v') end)\n"
        "server.register_function{function_name='r', callback=function(k) return "
        "server.call('get', k[1]) end, flags={'no-writes'}}"
    )
    assert control.command("FUNCTION", "LOAD", code) == bulk(b"fl")
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    try:
        assert caller.command("FCALL", "r", "1", "k") == NULL[2]
        assert caller.command("FCALL_RO", "r", "1", "k") == NULL[2]
        caller.send(encode_command("FCALL", "w", "1", "k"))
        wait_until(lambda: server.core.blocked_clients == 1, message="the write held")
        assert control.command("GET", "k") == NULL[2]
    finally:
        assert control.command("CLIENT", "UNPAUSE") == OK
    assert caller.read_reply() == OK
    assert control.command("GET", "k") == b"$1\r\nv\r\n"


def test_fcall_in_transactions_and_scripts(fresh: RawClient) -> None:
    code = (
        "#!lua name=m\n"
        "server.register_function('f', function(k) return server.call('incr', k[1]) end)"
    )
    assert fresh.command("FUNCTION", "LOAD", code) == bulk(b"m")
    assert fresh.command("MULTI") == OK
    assert fresh.command("FCALL", "f", "1", "n") == b"+QUEUED\r\n"
    assert fresh.command("FUNCTION", "DELETE", "m") == b"+QUEUED\r\n"
    assert fresh.command("FCALL", "f", "1", "n") == b"+QUEUED\r\n"
    assert fresh.command("EXEC") == b"*3\r\n:1\r\n+OK\r\n-ERR Function not found\r\n"
    assert fresh.command("EVAL", "return server.pcall('fcall', 'f', 0)", "0") == (
        b"-ERR This Redis command is not allowed from script\r\n"
    )


def test_monitors_see_fcall_before_its_commands(server: Server, fresh: RawClient) -> None:
    code = (
        "#!lua name=mon\nserver.register_function('mset', function(k) "
        "server.call('set', k[1], 'v') return server.call('get', k[1]) end)"
    )
    assert fresh.command("FUNCTION", "LOAD", code) == bulk(b"mon")
    watcher = RawClient(server.port)
    try:
        assert watcher.command("MONITOR") == OK
        assert fresh.command("FCALL", "mset", "1", "key") == b"$1\r\nv\r\n"
        assert fresh.command("FCALL", "nosuch", "0") == b"-ERR Function not found\r\n"
        lines = [re.sub(rb"^\+\d+\.\d{6} ", b"+<t> ", watcher.read_reply()) for _ in range(4)]
    finally:
        watcher.close()
        wait_until(lambda: not server.core.monitors.clients, message="the monitor left")
    host, port = fresh.sock.getsockname()[:2]
    me = f"{host}:{port}".encode()
    assert lines == [
        b'+<t> [0 %s] "FCALL" "mset" "1" "key"\r\n' % me,
        b'+<t> [0 lua] "set" "key" "v"\r\n',
        b'+<t> [0 lua] "get" "key"\r\n',
        b'+<t> [0 %s] "FCALL" "nosuch" "0"\r\n' % me,
    ]


def test_command_getkeys(fresh: RawClient) -> None:
    assert fresh.command("COMMAND", "GETKEYS", "fcall", "f", "2", "a", "b", "c") == (
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    )
    assert fresh.command("COMMAND", "GETKEYS", "fcall_ro", "f", "1", "x", "foo") == (
        b"*1\r\n$1\r\nx\r\n"
    )


# -- FUNCTION LOAD, DELETE, FLUSH --------------------------------------------------------


def test_load_options(fresh: RawClient) -> None:
    code = "#!lua name=a\nredis.register_function('a', function() return 1 end)"
    assert fresh.command("FUNCTION", "LOAD", "x\0y", code) == b"-ERR Unknown option given: x\r\n"
    assert fresh.command("FUNCTION", "LOAD", "replace", "REPLACE", code) == bulk(b"a")
    assert fresh.command("FUNCTION", "LOAD", code) == b"-ERR Library 'a' already exists\r\n"
    assert fresh.command("FUNCTION", "LOAD", "replace") == b"-ERR Missing library metadata\r\n"
    assert fresh.command("FUNCTION", "LOAD") == (
        b"-ERR wrong number of arguments for 'function|load' command\r\n"
    )


def test_delete_and_flush(fresh: RawClient) -> None:
    for name in ("a", "b", "c"):
        code = f"#!lua name={name}\nredis.register_function('f{name}', function() return 1 end)"
        assert fresh.command("FUNCTION", "LOAD", code) == bulk(name.encode())
    assert fresh.command("FUNCTION", "DELETE", "a") == OK
    assert fresh.command("FUNCTION", "DELETE", "a") == b"-ERR Library not found\r\n"
    assert fresh.command("FUNCTION", "DELETE", "B") == b"-ERR Library not found\r\n"
    assert fresh.command("FCALL", "fa", "0") == b"-ERR Function not found\r\n"
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 2, 2)
    assert fresh.command("FUNCTION", "DELETE") == (
        b"-ERR wrong number of arguments for 'function|delete' command\r\n"
    )
    assert fresh.command("FUNCTION", "FLUSH", "bad_arg") == (
        b"-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n"
    )
    assert fresh.command("FUNCTION", "FLUSH", "sync", "extra_arg") == (
        b"-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.\r\n"
    )
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 2, 2)
    assert fresh.command("FUNCTION", "FLUSH", "ASYNC") == OK
    assert fresh.command("FUNCTION", "LIST") == b"*0\r\n"
    for mode in ("sync", None):
        code = "#!lua name=a\nredis.register_function('fa', function() return 1 end)"
        assert fresh.command("FUNCTION", "LOAD", code) == bulk(b"a")
        assert fresh.command("FUNCTION", "FLUSH", *([mode] if mode else [])) == OK
        assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 0, 0)


def test_flushall_and_flushdb_keep_libraries(fresh: RawClient) -> None:
    assert fresh.command("FUNCTION", "LOAD", MYLIB) == bulk(b"mylib")
    assert fresh.command("FLUSHALL") == OK
    assert fresh.command("FLUSHDB") == OK
    assert fresh.command("FCALL", "myfunc", "0", "still") == b"$5\r\nstill\r\n"


# -- FUNCTION LIST and STATS -------------------------------------------------------------

@pytest.mark.parametrize("protocol", [2, 3])
def test_list_shapes(server: Server, fresh: RawClient, protocol: int) -> None:
    with raw_clients(server.port, protocol) as open_client:
        client = open_client()
        assert client.command("FUNCTION", "LIST") == b"*0\r\n"
        assert client.command("FUNCTION", "LOAD", FLAGGED) == bulk(b"flagged")
        assert client.command("FUNCTION", "LIST") == FLAGGED_LIST[protocol]
        with_code = FLAGGED_LIST[protocol].replace(b"*1\r\n*6\r\n", b"*1\r\n*8\r\n", 1)
        with_code = with_code.replace(b"*1\r\n%3\r\n", b"*1\r\n%4\r\n", 1)
        with_code += b"$12\r\nlibrary_code\r\n" + bulk(FLAGGED.encode())
        assert client.command("FUNCTION", "LIST", "WITHCODE") == with_code
        assert client.command("FUNCTION", "LOAD", MYLIB) == bulk(b"mylib")
        assert client.command("FUNCTION", "LIST", "libraryname", "MY*") == MYLIB_LIST[protocol]
        assert client.command("FUNCTION", "LIST", "withcode", "libraryname", "fl*") == with_code
        assert client.command("FUNCTION", "LIST", "LIBRARYNAME", "x*") == b"*0\r\n"
        assert client.command("FUNCTION", "STATS") == stats_reply(protocol, 2, 2)


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("bad_argument",), b"-ERR Unknown argument bad_argument\r\n"),
        (("libraryname",), b"-ERR library name argument was not given\r\n"),
        (("withcode", "withcode"), b"-ERR Unknown argument withcode\r\n"),
        (("withcode", "libraryname", "foo", "libraryname", "foo"),
         b"-ERR Unknown argument libraryname\r\n"),
        (("foo\0bar",), b"-ERR Unknown argument foo\r\n"),
    ],
)
def test_list_errors(fresh: RawClient, args: tuple[str, ...], reply: bytes) -> None:
    assert fresh.command("FUNCTION", "LIST", *args) == reply


def test_list_and_stats_through_redis_py(fr: redis.Redis) -> None:
    assert fr.function_load(FLAGGED) == b"flagged"
    listed = fr.function_list()
    assert len(listed) == 1
    library = listed[0]
    if isinstance(library, list):  # RESP2: a flat list of fields and values
        library = dict(zip(library[::2], library[1::2], strict=True))
    assert library[b"library_name"] == b"flagged"
    assert library[b"engine"] == b"LUA"
    (function,) = library[b"functions"]
    if isinstance(function, list):
        function = dict(zip(function[::2], function[1::2], strict=True))
    assert function[b"name"] == b"reader"
    assert function[b"description"] == b"reads a key"
    assert sorted(function[b"flags"]) == [b"allow-stale", b"no-writes"]


def test_stats_counts(fresh: RawClient) -> None:
    test1 = (
        "#!lua name=test1\nserver.register_function('f1', function() return 1 end)\n"
        "server.register_function('f2', function() return 1 end)"
    )
    test2 = "#!lua name=test2\nserver.register_function('f3', function() return 1 end)"
    assert fresh.command("FUNCTION", "LOAD", test1) == bulk(b"test1")
    assert fresh.command("FUNCTION", "LOAD", test2) == bulk(b"test2")
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 2, 3)
    assert fresh.command("FUNCTION", "LOAD", test1) == b"-ERR Library 'test1' already exists\r\n"
    assert fresh.command("FUNCTION", "DELETE", "test1") == OK
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 1, 1)
    assert fresh.command("FUNCTION", "STATS", "x") == (
        b"-ERR wrong number of arguments for 'function|stats' command\r\n"
    )


# -- KILL, HELP, unknown subcommands -----------------------------------------------------


def test_kill_help_and_unknown(fresh: RawClient) -> None:
    assert fresh.command("FUNCTION", "KILL") == b"-NOTBUSY No scripts in execution right now.\r\n"
    assert fresh.command("FUNCTION", "KILL", "x") == (
        b"-ERR wrong number of arguments for 'function|kill' command\r\n"
    )
    assert fresh.command("FUNCTION", "bad_subcommand") == (
        b"-ERR unknown subcommand 'bad_subcommand'. Try FUNCTION HELP.\r\n"
    )
    assert fresh.command("FUNCTION") == b"-ERR wrong number of arguments for 'function' command\r\n"
    assert fresh.command("FUNCTION", "DUMP", "x") == (
        b"-ERR wrong number of arguments for 'function|dump' command\r\n"
    )
    help_text = fresh.command("FUNCTION", "HELP")
    lines = help_text.split(b"\r\n")
    assert lines[0] == b"*39"
    assert lines[1] == b"+FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    for syntax in (
        b"+LOAD [REPLACE] <FUNCTION CODE>",
        b"+DELETE <LIBRARY NAME>",
        b"+LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        b"+STATS",
        b"+KILL",
        b"+FLUSH [ASYNC|SYNC]",
        b"+DUMP",
        b"+RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    ):
        assert syntax in lines
    assert lines[-3:] == [b"+HELP", b"+    Print this help.", b""]


# -- INFO and MEMORY STATS ---------------------------------------------------------------


def test_info_and_memory_stats(fresh: RawClient) -> None:
    def figures() -> tuple[str, str, str, str]:
        fields = info_fields(fresh, "memory")
        return (
            fields["number_of_functions"],
            fields["number_of_libraries"],
            fields["used_memory_functions"],
            fields["used_memory_scripts"],
        )

    assert fresh.command("SCRIPT", "FLUSH") == OK
    assert figures() == ("0", "0", "184", "184")
    a = "#!lua name=a\nredis.register_function('f', function() return 1 end)"
    b = "#!lua name=b\nredis.register_function('g', function() return 1 end)"
    c = (
        "#!lua name=c\nredis.register_function('h', function() return 1 end)\n"
        "redis.register_function('h2', function() return 1 end)"
    )
    assert fresh.command("FUNCTION", "LOAD", a) == bulk(b"a")
    assert figures() == ("1", "1", "416", "416")
    assert fresh.command("FUNCTION", "LOAD", b) == bulk(b"b")
    assert figures() == ("2", "2", "616", "616")
    assert fresh.command("FUNCTION", "LOAD", c) == bulk(b"c")
    assert figures() == ("4", "3", "944", "944")
    stats = fresh.command("MEMORY", "STATS")
    assert b"$16\r\nfunctions.caches\r\n:944\r\n" in stats
    fields = info_fields(fresh, "memory")
    vm = int(fields["used_memory_vm_functions"])
    assert vm > 0
    assert int(fields["used_memory_vm_total"]) == vm + int(fields["used_memory_vm_eval"])
    names = [name for name in fields if "lua" in name or "scripts" in name or "vm_" in name
             or "functions" in name or "libraries" in name]
    assert names == [
        "used_memory_lua",
        "used_memory_vm_eval",
        "used_memory_lua_human",
        "used_memory_scripts_eval",
        "number_of_cached_scripts",
        "number_of_functions",
        "number_of_libraries",
        "used_memory_vm_functions",
        "used_memory_vm_total",
        "used_memory_vm_total_human",
        "used_memory_functions",
        "used_memory_scripts",
        "used_memory_scripts_human",
    ]
    assert fresh.command("FUNCTION", "FLUSH") == OK
    assert figures() == ("0", "0", "184", "184")


def test_stats_names_the_running_function() -> None:
    # A function runs while STATS is asked only when a busy script serves other
    # clients; the reply is built from the running script the server records.
    from minivalkey.core import ServerCore
    from minivalkey.dispatcher import execute
    from minivalkey.scripting.functions import functions_of
    from minivalkey.scripting.run import ScriptRun, script_client
    from minivalkey.session import Client

    core = ServerCore()
    caller, other = Client(core), Client(core)
    functions = functions_of(core)
    core.script_run = ScriptRun(caller, script_client(core), "test", False, False, False)
    functions.running_argv = [b"fcall", b"test", b"0"]
    reply = execute(other, [b"FUNCTION", b"STATS"])
    assert reply.startswith(
        b"*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\ntest\r\n$7\r\ncommand\r\n"
        b"*3\r\n$5\r\nfcall\r\n$4\r\ntest\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:"
    )
    assert reply.endswith(
        b"\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:0\r\n"
        b"$15\r\nfunctions_count\r\n:0\r\n"
    )
    assert execute(other, [b"FUNCTION", b"KILL"]) == OK
    assert core.script_run.killed
    # while an EVAL script runs, STATS and KILL answer BUSY
    core.script_run = ScriptRun(caller, script_client(core), "sha", True, False, False)
    busy = (
        b"-BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
        b"NOSAVE."
    )
    assert execute(other, [b"FUNCTION", b"STATS"]) == busy + b"\r\n"
    assert execute(other, [b"FUNCTION", b"KILL"]) == busy + b"\r\n"
    core.script_run = None
