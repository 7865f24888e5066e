"""Conversions between Lua and replies in EVAL scripts, byte for byte as Valkey 8.0.1
answers them, to RESP2 and RESP3 callers.

* What a script returns (Valkey's luaReplyToRedisReply): numbers truncate to integers,
  tables stop at their first nil and are read raw (no metamethod runs), ``{ok=}``,
  ``{err=}``, ``{double=}``, ``{big_number=}``, ``{verbatim_string=}``, ``{map=}`` and
  ``{set=}`` in that order of precedence, booleans by the script's protocol
  (``server.setresp``), anything else a null.
* What ``server.call`` hands a script (redisProtocolToLuaType): in RESP2 a null is
  ``false``, in RESP3 ``nil``; maps, sets, doubles and verbatim strings are tables.

Each row was checked against valkey-server 8.0.1; where RESP3 answers the same bytes
the row says ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, raw_clients

from minivalkey import Server

# A Lua helper the reply-to-Lua rows prepend: a value as "type:value", tables
# sorted, so each row shows exactly what the script received.
SHOW = (
    "local function show(v) if type(v) == 'table' then local t = {} "
    "for k, x in pairs(v) do t[#t+1] = tostring(k) .. '=' .. show(x) end "
    "table.sort(t) return '{' .. table.concat(t, ',') .. '}' end "
    "return type(v) .. ':' .. tostring(v) end "
)

SETUP = (
    ("SET", "s", "val"),
    ("HSET", "h", "f", "v"),
    ("RPUSH", "l", "a", "b"),
    ("SADD", "set", "m"),
    ("ZADD", "z", "1.5", "a", "2", "b"),
    ("XADD", "x", "1-1", "f", "v"),
    ("SET", "n", "10"),
)


@pytest.fixture
def clients(server: Server, raw: RawClient) -> Iterator[Callable[..., RawClient]]:
    with raw_clients(server.port) as open_client:
        yield open_client


RETURNS = [
    (("EVAL", "return 'hello'", "0"), b"$5\r\nhello\r\n", None),
    (("EVAL", "return 100.5", "0"), b":100\r\n", None),
    (("EVAL", "return -100.9", "0"), b":-100\r\n", None),
    (("EVAL", "return 3.0", "0"), b":3\r\n", None),
    (("EVAL", "return 1e300", "0"), b":-9223372036854775808\r\n", None),
    (("EVAL", "return -1e300", "0"), b":-9223372036854775808\r\n", None),
    (("EVAL", "return 0/0", "0"), b":-9223372036854775808\r\n", None),
    (("EVAL", "return 2^63", "0"), b":-9223372036854775808\r\n", None),
    (("EVAL", "return 2^53 + 1", "0"), b":9007199254740992\r\n", None),
    (("EVAL", "return true", "0"), b":1\r\n", None),
    (("EVAL", "return false", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return nil", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return {}", "0"), b"*0\r\n", None),
    (
        ("EVAL", "return {1, 2, 3, 'ciao', {1, 2}}", "0"),
        b"*5\r\n:1\r\n:2\r\n:3\r\n$4\r\nciao\r\n*2\r\n:1\r\n:2\r\n",
        None,
    ),
    (("EVAL", "return {1, 2, nil, 4}", "0"), b"*2\r\n:1\r\n:2\r\n", None),
    (("EVAL", "return {nil, 1}", "0"), b"*0\r\n", None),
    (("EVAL", "return {1, a = 2, 3}", "0"), b"*2\r\n:1\r\n:3\r\n", None),
    (("EVAL", "return {a = 1}", "0"), b"*0\r\n", None),
    (
        ("EVAL", "return {true, false, 'x'}", "0"),
        b"*3\r\n:1\r\n$-1\r\n$1\r\nx\r\n",
        b"*3\r\n:1\r\n_\r\n$1\r\nx\r\n",
    ),
    (("EVAL", "return {ok = 'fine'}", "0"), b"+fine\r\n", None),
    (("EVAL", "return {ok = 'a\\r\\nb'}", "0"), b"+a  b\r\n", None),
    (("EVAL", "return {ok = 'a\\0b'}", "0"), b"+a\r\n", None),
    (("EVAL", "return {err = 'My Error'}", "0"), b"-My Error\r\n", None),
    (("EVAL", "return {err = 'x\\r\\ny\\n'}", "0"), b"-x  y\r\n", None),
    (("EVAL", "return {ok = 1}", "0"), b"*0\r\n", None),
    (("EVAL", "return {err = 1}", "0"), b"*0\r\n", None),
    (("EVAL", "return {err = 'e', ok = 'o'}", "0"), b"-e\r\n", None),
    (("EVAL", "return {double = 3.14159}", "0"), b"$7\r\n3.14159\r\n", b",3.14159\r\n"),
    (("EVAL", "return {double = 1}", "0"), b"$1\r\n1\r\n", b",1\r\n"),
    (("EVAL", "return {double = 1/0}", "0"), b"$3\r\ninf\r\n", b",inf\r\n"),
    (("EVAL", "return {double = -1/0}", "0"), b"$4\r\n-inf\r\n", b",-inf\r\n"),
    (("EVAL", "return {double = 0/0}", "0"), b"$3\r\nnan\r\n", b",nan\r\n"),
    (("EVAL", "return {double = -0.0}", "0"), b"$2\r\n-0\r\n", b",-0\r\n"),
    (("EVAL", "return {double = 0.1}", "0"), b"$3\r\n0.1\r\n", b",0.1\r\n"),
    (("EVAL", "return {double = 1e300}", "0"), b"$6\r\n1e+300\r\n", b",1e+300\r\n"),
    (("EVAL", "return {double = '3'}", "0"), b"*0\r\n", None),
    (
        ("EVAL", "return {big_number = '1234567890123456789012345678901234567890'}", "0"),
        b"$40\r\n1234567890123456789012345678901234567890\r\n",
        b"(1234567890123456789012345678901234567890\r\n",
    ),
    (("EVAL", "return {big_number = 'a\\r\\nb'}", "0"), b"$4\r\na  b\r\n", b"(a  b\r\n"),
    (("EVAL", "return {big_number = 12}", "0"), b"*0\r\n", None),
    (
        ("EVAL", "return {verbatim_string = {format = 'txt', string = 'hello'}}", "0"),
        b"$5\r\nhello\r\n",
        b"=9\r\ntxt:hello\r\n",
    ),
    (
        ("EVAL", "return {verbatim_string = {format = 'markdown', string = 'x'}}", "0"),
        b"$1\r\nx\r\n",
        b"=5\r\nmar:x\r\n",
    ),
    (("EVAL", "return {verbatim_string = {format = 'txt'}}", "0"), b"*0\r\n", None),
    (("EVAL", "return {verbatim_string = 'x'}", "0"), b"*0\r\n", None),
    (
        ("EVAL", "return {map = {a = 1}}", "0"),
        b"*2\r\n$1\r\na\r\n:1\r\n",
        b"%1\r\n$1\r\na\r\n:1\r\n",
    ),
    (("EVAL", "return {map = {}}", "0"), b"*0\r\n", b"%0\r\n"),
    (
        ("EVAL", "return {map = {a = {1, {ok = 'x'}}}}", "0"),
        b"*2\r\n$1\r\na\r\n*2\r\n:1\r\n+x\r\n",
        b"%1\r\n$1\r\na\r\n*2\r\n:1\r\n+x\r\n",
    ),
    (("EVAL", "return {map = 1}", "0"), b"*0\r\n", None),
    (("EVAL", "return {set = {a = true}}", "0"), b"*1\r\n$1\r\na\r\n", b"~1\r\n$1\r\na\r\n"),
    (("EVAL", "return {set = {}}", "0"), b"*0\r\n", b"~0\r\n"),
    (("EVAL", "return {set = {x = false}}", "0"), b"*1\r\n$1\r\nx\r\n", b"~1\r\n$1\r\nx\r\n"),
    (
        ("EVAL", "return {1, {double = 2.5}, {map = {k = 'v'}}, {set = {m = true}}}", "0"),
        b"*4\r\n:1\r\n$3\r\n2.5\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$1\r\nm\r\n",
        b"*4\r\n:1\r\n,2.5\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n~1\r\n$1\r\nm\r\n",
    ),
    (("EVAL", "redis.setresp(3) return true", "0"), b":1\r\n", b"#t\r\n"),
    (("EVAL", "redis.setresp(3) return false", "0"), b":0\r\n", b"#f\r\n"),
    (
        ("EVAL", "redis.setresp(3) return {true, false}", "0"),
        b"*2\r\n:1\r\n:0\r\n",
        b"*2\r\n#t\r\n#f\r\n",
    ),
    (("EVAL", "redis.setresp(2) return false", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return _G", "0"), b"*0\r\n", None),
    (("EVAL", "return string", "0"), b"*0\r\n", None),
    (("EVAL", "return redis.call", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return coroutine.create(function() end)", "0"), b"$-1\r\n", b"_\r\n"),
    (
        (
            "EVAL",
            "local a = {} setmetatable(a, {__index = function() error('no') end}) return a",
            "0",
        ),
        b"*0\r\n",
        None,
    ),
    (
        ("EVAL", "local a = {} setmetatable(a, {__index = function() return 1 end}) return a", "0"),
        b"*0\r\n",
        None,
    ),
    (
        ("EVAL", "local a = {1} setmetatable(a, {__len = function() return 5 end}) return a", "0"),
        b"*1\r\n:1\r\n",
        None,
    ),
    (("EVAL", "return KEYS", "0", "a", "b"), b"*0\r\n", None),
    (
        ("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", "2", "a", "b", "c", "d"),
        b"*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
        None,
    ),
    (("EVAL", "return #ARGV", "1", "k", "x", "y"), b":2\r\n", None),
]


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize(("args", "resp2", "resp3"), RETURNS)
def test_script_results_as_replies(
    clients: Callable[..., RawClient],
    protocol: int,
    args: tuple[str, ...],
    resp2: bytes,
    resp3: bytes | None,
) -> None:
    client = clients(protocol)
    expected = resp2 if protocol == 2 or resp3 is None else resp3
    assert client.command(*args) == expected


CALLS = [
    (("EVAL", SHOW + "return show(redis.call('get', 's'))", "0"), b"$10\r\nstring:val\r\n", None),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('get', 's'))", "0"),
        b"$10\r\nstring:val\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('get', 'nokey'))", "0"),
        b"$13\r\nboolean:false\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('get', 'nokey'))", "0"),
        b"$7\r\nnil:nil\r\n",
        None,
    ),
    (("EVAL", SHOW + "return show(redis.call('incr', 'n'))", "0"), b"$9\r\nnumber:11\r\n", None),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('incr', 'n'))", "0"),
        b"$9\r\nnumber:11\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('set', 'k', 'v'))", "0"),
        b"$14\r\n{ok=string:OK}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('set', 'k', 'v'))", "0"),
        b"$14\r\n{ok=string:OK}\r\n",
        None,
    ),
    (("EVAL", SHOW + "return show(redis.call('ping'))", "0"), b"$16\r\n{ok=string:PONG}\r\n", None),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('ping'))", "0"),
        b"$16\r\n{ok=string:PONG}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('lrange', 'l', 0, -1))", "0"),
        b"$23\r\n{1=string:a,2=string:b}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('lrange', 'l', 0, -1))", "0"),
        b"$23\r\n{1=string:a,2=string:b}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('hgetall', 'h'))", "0"),
        b"$23\r\n{1=string:f,2=string:v}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('hgetall', 'h'))", "0"),
        b"$18\r\n{map={f=string:v}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('smembers', 'set'))", "0"),
        b"$12\r\n{1=string:m}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('smembers', 'set'))", "0"),
        b"$22\r\n{set={m=boolean:true}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('zrange', 'z', 0, -1, 'withscores'))", "0"),
        b"$47\r\n{1=string:a,2=string:1.5,3=string:b,4=string:2}\r\n",
        None,
    ),
    (
        (
            "EVAL",
            SHOW + "redis.setresp(3) return show(redis.call('zrange', 'z', 0, -1, 'withscores'))",
            "0",
        ),
        b"$73\r\n{1={1=string:a,2={double=number:1.5}},2={1=string:b,2={double=number:2}}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('zscore', 'z', 'a'))", "0"),
        b"$10\r\nstring:1.5\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('zscore', 'z', 'a'))", "0"),
        b"$19\r\n{double=number:1.5}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('zscore', 'z', 'nosuch'))", "0"),
        b"$13\r\nboolean:false\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('zscore', 'z', 'nosuch'))", "0"),
        b"$7\r\nnil:nil\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('xrange', 'x', '-', '+'))", "0"),
        b"$44\r\n{1={1=string:1-1,2={1=string:f,2=string:v}}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('xrange', 'x', '-', '+'))", "0"),
        b"$44\r\n{1={1=string:1-1,2={1=string:f,2=string:v}}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('blpop', 'nolist', 0))", "0"),
        b"$13\r\nboolean:false\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('blpop', 'nolist', 0))", "0"),
        b"$7\r\nnil:nil\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('lpop', 'nolist'))", "0"),
        b"$13\r\nboolean:false\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('lpop', 'nolist'))", "0"),
        b"$7\r\nnil:nil\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('lpop', 'nolist', 2))", "0"),
        b"$13\r\nboolean:false\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('lpop', 'nolist', 2))", "0"),
        b"$7\r\nnil:nil\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('mget', 's', 'nokey', 's'))", "0"),
        b"$43\r\n{1=string:val,2=boolean:false,3=string:val}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('mget', 's', 'nokey', 's'))", "0"),
        b"$27\r\n{1=string:val,3=string:val}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.pcall('incr', 's'))", "0"),
        (
            b"$95\r\n{err=string:ERR value is not an integer or out of "
            b"range,ignore_error_stats_update=boolean:true}\r\n"
        ),
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.pcall('incr', 's'))", "0"),
        (
            b"$95\r\n{err=string:ERR value is not an integer or out of "
            b"range,ignore_error_stats_update=boolean:true}\r\n"
        ),
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.pcall('nosuch'))", "0"),
        (
            b"$90\r\n{err=string:ERR Unknown command called from "
            b"script,ignore_error_stats_update=boolean:true}\r\n"
        ),
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.pcall('nosuch'))", "0"),
        (
            b"$90\r\n{err=string:ERR Unknown command called from "
            b"script,ignore_error_stats_update=boolean:true}\r\n"
        ),
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('type', 's'))", "0"),
        b"$18\r\n{ok=string:string}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('type', 's'))", "0"),
        b"$18\r\n{ok=string:string}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('exists', 's', 'h'))", "0"),
        b"$8\r\nnumber:2\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('exists', 's', 'h'))", "0"),
        b"$8\r\nnumber:2\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('hrandfield', 'h', 1, 'withvalues'))", "0"),
        b"$23\r\n{1=string:f,2=string:v}\r\n",
        None,
    ),
    (
        (
            "EVAL",
            SHOW + "redis.setresp(3) return show(redis.call('hrandfield', 'h', 1, 'withvalues'))",
            "0",
        ),
        b"$27\r\n{1={1=string:f,2=string:v}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('xinfo', 'stream', 'x'))", "0"),
        (
            b"$429\r\n{10=string:0-0,11=string:entries-added,12=number:1,13=string:recorded-fir"
            b"st-entry-id,14=string:1-1,15=string:groups,16=number:0,17=string:first-entry,18={"
            b"1=string:1-1,2={1=string:f,2=string:v}},19=string:last-entry,1=string:length,20={"
            b"1=string:1-1,2={1=string:f,2=string:v}},2=number:1,3=string:radix-tree-keys,4=num"
            b"ber:1,5=string:radix-tree-nodes,6=number:2,7=string:last-generated-id,8=string:1-"
            b"1,9=string:max-deleted-entry-id}\r\n"
        ),
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('xinfo', 'stream', 'x'))", "0"),
        (
            b"$314\r\n{map={entries-added=number:1,first-entry={1=string:1-1,2={1=string:f,2=st"
            b"ring:v}},groups=number:0,last-entry={1=string:1-1,2={1=string:f,2=string:v}},last"
            b"-generated-id=string:1-1,length=number:1,max-deleted-entry-id=string:0-0,radix-tr"
            b"ee-keys=number:1,radix-tree-nodes=number:2,recorded-first-entry-id=string:1-1}}\r"
            b"\n"
        ),
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('object', 'encoding', 's'))", "0"),
        b"$13\r\nstring:embstr\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('object', 'encoding', 's'))", "0"),
        b"$13\r\nstring:embstr\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('config', 'get', 'maxmemory'))", "0"),
        (
            b"-ERR This Redis command is not allowed from script script: "
            b"6c241dfa4f61fdb00822672c15d276cea8664d52, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        (
            "EVAL",
            SHOW + "redis.setresp(3) return show(redis.call('config', 'get', 'maxmemory'))",
            "0",
        ),
        (
            b"-ERR This Redis command is not allowed from script script: "
            b"a97055917191e952a186ad4349155f38404a539f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", SHOW + "return show(redis.call('zpopmin', 'nozset'))", "0"), b"$2\r\n{}\r\n", None),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('zpopmin', 'nozset'))", "0"),
        b"$2\r\n{}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('hmget', 'h', 'f', 'g'))", "0"),
        b"$28\r\n{1=string:v,2=boolean:false}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('hmget', 'h', 'f', 'g'))", "0"),
        b"$12\r\n{1=string:v}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('zmscore', 'z', 'a', 'x'))", "0"),
        b"$30\r\n{1=string:1.5,2=boolean:false}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('zmscore', 'z', 'a', 'x'))", "0"),
        b"$23\r\n{1={double=number:1.5}}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('lpos', 'l', 'zz'))", "0"),
        b"$13\r\nboolean:false\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('lpos', 'l', 'zz'))", "0"),
        b"$7\r\nnil:nil\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('incrbyfloat', 'fl', '1.5'))", "0"),
        b"$10\r\nstring:1.5\r\n",
        None,
    ),
    (
        (
            "EVAL",
            SHOW + "redis.setresp(3) return show(redis.call('incrbyfloat', 'fl', '1.5'))",
            "0",
        ),
        b"$10\r\nstring:1.5\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('zincrby', 'z', 1, 'a'))", "0"),
        b"$10\r\nstring:2.5\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('zincrby', 'z', 1, 'a'))", "0"),
        b"$19\r\n{double=number:2.5}\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "return show(redis.call('echo', 'a\\0b'))", "0"),
        b"$10\r\nstring:a\x00b\r\n",
        None,
    ),
    (
        ("EVAL", SHOW + "redis.setresp(3) return show(redis.call('echo', 'a\\0b'))", "0"),
        b"$10\r\nstring:a\x00b\r\n",
        None,
    ),
    (
        ("EVAL", "redis.setresp(3) return redis.call('hgetall', 'h')", "0"),
        b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
        b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n",
    ),
    (
        ("EVAL", "redis.setresp(3) return redis.call('smembers', 'set')", "0"),
        b"*1\r\n$1\r\nm\r\n",
        b"~1\r\n$1\r\nm\r\n",
    ),
    (
        ("EVAL", "redis.setresp(3) return redis.call('zrange', 'z', 0, -1, 'withscores')", "0"),
        b"*2\r\n*2\r\n$1\r\na\r\n$3\r\n1.5\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
        b"*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n",
    ),
    (
        ("EVAL", "redis.setresp(3) return redis.call('zscore', 'z', 'a')", "0"),
        b"$3\r\n1.5\r\n",
        b",1.5\r\n",
    ),
    (("EVAL", "redis.setresp(3) return redis.call('get', 'nokey')", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "redis.setresp(3) return redis.call('blpop', 'nolist', 0)", "0"),
        b"$-1\r\n",
        b"_\r\n",
    ),
    (
        ("EVAL", "redis.setresp(3) return redis.call('xinfo', 'stream', 'x')", "0"),
        (
            b"*20\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1"
            b"\r\n$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$20"
            b"\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$10\r\nlast-entry"
            b"\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$6\r\nlength\r\n:1\r\n$16\r\nr"
            b"adix-tree-nodes\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r"
            b"\n$1\r\nv\r\n"
        ),
        (
            b"%10\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1"
            b"\r\n$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$20"
            b"\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$10\r\nlast-entry"
            b"\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$6\r\nlength\r\n:1\r\n$16\r\nr"
            b"adix-tree-nodes\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r"
            b"\n$1\r\nv\r\n"
        ),
    ),
    (("EVAL", "return redis.call('hgetall', 'h')", "0"), b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n", None),
    (
        ("EVAL", "return redis.call('xrange', 'x', '-', '+')", "0"),
        b"*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
        None,
    ),
    (("EVAL", "return redis.call('blpop', 'nolist', 0)", "0"), b"$-1\r\n", b"_\r\n"),
    (
        (
            "EVAL",
            (
                "redis.setresp(3) local r = redis.call('info', 'keyspace') return {type(r), "
                "r.verbatim_string.format, type(r.verbatim_string.string)}"
            ),
            "0",
        ),
        b"*3\r\n$5\r\ntable\r\n$3\r\ntxt\r\n$6\r\nstring\r\n",
        None,
    ),
    (
        ("EVAL", "redis.setresp(3) redis.setresp(2) return redis.call('zscore', 'z', 'a')", "0"),
        b"$3\r\n1.5\r\n",
        None,
    ),
]


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize(("args", "resp2", "resp3"), CALLS)
def test_command_replies_as_lua_values(
    clients: Callable[..., RawClient],
    protocol: int,
    args: tuple[str, ...],
    resp2: bytes,
    resp3: bytes | None,
) -> None:
    client = clients(protocol)
    for line in SETUP:
        client.command(*line)
    expected = resp2 if protocol == 2 or resp3 is None else resp3
    assert client.command(*args) == expected
