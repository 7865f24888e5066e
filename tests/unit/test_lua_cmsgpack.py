"""The script library cmsgpack, called from Lua as a script calls it.

Covers cmsgpack (pack, unpack, unpack_one, unpack_limit). Each case is a script
body and what pcall of it returns, serialised by `lualib_runner.run`; every expected value
was produced by the same Lua text run through EVAL on valkey-server 8.0.1 (with cjson's
settings at their defaults before each).
"""

from __future__ import annotations

import pytest
from lualib_runner import new_runtime, run

CASES = [
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 655"
            "36, 2^32-1, 2^32, 2^53, 2^63 - 1024, -1, -32, -33, -128, -129, -32768, -32769, -2^"
            "31, -2^31-1, -2^53, -2^63))"
        ),
        (
            'true, "00017fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000cf002000000'
            "0000000cf7ffffffffffffc00ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7ff"
            'fffffd3ffe0000000000000d38000000000000000"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(cmsgpack.pack(0.5, 0.1, 1.5, -2.25, 1e300, 1/0, -1"
            "/0, 0/0, -(0/0), 2^63, -2^63 - 4096, 2^64, 3.4028234663852886e38, 1e-45, 1e-320, -"
            "0.0, 16777217.5))"
        ),
        (
            'true, "ca3f000000cb3fb999999999999aca3fc00000cac0100000cb7e37e43c8800759cca7f80000'
            "0caff800000cbfff8000000000000cb7ff8000000000000ca5f000000cbc3e0000000000002ca5f800"
            '000ca7f7fffffcb3696d601ad376ab9cb00000000000007e800cb4170000018000000"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(cmsgpack.pack('', 'a', string.rep('x', 31))), #cms"
            "gpack.pack(string.rep('x', 32)), hex(cmsgpack.pack(string.rep('x', 32)):sub(1, 3))"
            ", hex(cmsgpack.pack(string.rep('x', 255)):sub(1,3)), hex(cmsgpack.pack(string.rep("
            "'x', 256)):sub(1,4)), hex(cmsgpack.pack(string.rep('x', 65535)):sub(1,4)), hex(cms"
            "gpack.pack(string.rep('x', 65536)):sub(1,6))"
        ),
        (
            'true, "a0a161bf78787878787878787878787878787878787878787878787878787878787878", 34'
            ', "d92078", "d9ff78", "da010078", "daffff78", "db0001000078"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(cmsgpack.pack(true, false, nil, function() end, ne"
            "wproxy(), coroutine.create(function() end), cjson.null))"
        ),
        'true, "c3c2c0c0c0c0c0"',
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(cmsgpack.pack({}, {1, 2, 3}, {[1]=1, [3]=3}, {a=1}"
            ", {[1.5]=1}, {[0]=1}, {[-1]=1}, {[2^31]=1}, {[1]=1, [2]=2, x=3}))"
        ),
        (
            'true, "9093010203820101030381a1610181ca3fc000000181000181ff0181ce80000000018301010'
            '202a17803"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end local t = {} for i = 1, 16 do t[i] = i end local u = {} for i"
            " = 1, 65536 do u[i] = 0 end return hex(cmsgpack.pack(t)), hex(cmsgpack.pack(u):sub"
            "(1, 6)), #cmsgpack.pack(u)"
        ),
        'true, "dc00100102030405060708090a0b0c0d0e0f10", "dd0001000000", 65541',
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end local t = {} for i = 1, 16 do t['k' .. i] = true end local s "
            "= cmsgpack.pack(t) return hex(s:sub(1,3)), #s"
        ),
        'true, "de0010", 74',
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end local a = {} a[1] = a return hex(cmsgpack.pack(a))"
        ),
        'true, "91919191919191919191919191919191c0"',
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end local a = {x = {}} a.x.y = a return hex(cmsgpack.pack(a))"
        ),
        (
            'true, "81a17881a17981a17881a17981a17881a17981a17881a17981a17881a17981a17881a17981a'
            '17881a17981a17881a179c0"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(cmsgpack.pack({[{}] = {1}, [true] = false}))"
        ),
        'true, "82909101c3c2"',
    ),
    (
        "local r = cmsgpack.pack() return r",
        ("false, \"user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)\""),
    ),
    (
        "local r = cmsgpack:pack() return r",
        (
            'true, "\\136\\172_DESCRIPTION\\217$MessagePack C implementation for Lua\\164pack\\'
            "192\\165_NAME\\168cmsgpack\\166unpack\\192\\170_COPYRIGHT\\190Copyright (C) 2012, "
            "Redis Ltd.\\168_VERSION\\178lua-cmsgpack 0.4.0\\170unpack_one\\192\\172unpack_limi"
            't\\192"'
        ),
    ),
    (
        (
            "local t = {} for i = 1, 4001 do t[i] = i end local ok, e = pcall(cmsgpack.pack, un"
            "pack(t)) return ok, e"
        ),
        "true, false, \"bad argument #0 to '?' (Too many arguments for MessagePack pack.)\"",
    ),
    (
        (
            "local t = {} for i = 1, 4000 do t[i] = i end local ok, e = pcall(cmsgpack.pack, un"
            "pack(t)) return ok, #e"
        ),
        "true, true, 11618",
    ),
    (
        (
            "local t = {} for i = 1, 3999 do t[i] = i end t[4000] = {{{{{1}}}}} local ok, e = p"
            "call(cmsgpack.pack, unpack(t)) return ok, #e"
        ),
        "true, false, 46",
    ),
    (
        (
            "local t = {} for i = 1, 3999 do t[i] = i end t[4000] = {a = {b = 1}} local ok, e ="
            " pcall(cmsgpack.pack, unpack(t)) return ok, e"
        ),
        'true, false, "stack overflow (in function table_is_an_array)"',
    ),
    (
        (
            "local t = {} for i = 1, 3997 do t[i] = i end t[3998] = {a = {b = 1}} local ok, e ="
            " pcall(cmsgpack.pack, unpack(t)) return ok, e"
        ),
        'true, false, "stack overflow (in function mp_encode_lua_table_as_map)"',
    ),
    (
        (
            "local t = {} for i = 1, 3990 do t[i] = i end t[3991] = {{{{{{{{1}}}}}}}} local ok,"
            " e = pcall(cmsgpack.pack, unpack(t)) return ok, #e, (e:sub(-8):gsub('.', function("
            "c) return string.format('%02x', c:byte()) end))"
        ),
        'true, true, 11597, "9191919191919101"',
    ),
    (
        (
            "return cmsgpack.unpack(cmsgpack.pack(1, -1, 0.5, 'abc', true, false, {1, 2, {a = '"
            "b'}}))"
        ),
        'true, 1, -1, 0.5, "abc", true, false, {[1]=1,[2]=2,[3]={["a"]="b"}}',
    ),
    (
        "return cmsgpack.unpack('')",
        "true",
    ),
    (
        "return select('#', cmsgpack.unpack(''))",
        "true, 0",
    ),
    (
        ("return cmsgpack.unpack('\\192\\192\\1'), select('#', cmsgpack.unpack('\\192\\192\\1'))"),
        "true, nil, 3",
    ),
    (
        (
            "return cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255', '\\207\\12"
            "8\\0\\0\\0\\0\\0\\0\\0', '\\211\\255\\255\\255\\255\\255\\255\\255\\254')"
        ),
        "true, -1",
    ),
    (
        (
            "return cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255\\207\\128\\0"
            "\\0\\0\\0\\0\\0\\0\\211\\255\\255\\255\\255\\255\\255\\255\\254\\207\\0\\0\\0\\0\\"
            "255\\255\\255\\255\\206\\255\\255\\255\\255\\210\\255\\255\\255\\255\\209\\128\\0"
            "\\205\\255\\255\\208\\128\\204\\255\\255\\224')"
        ),
        (
            "true, -1, -9.2233720368547758e+18, -2, 4294967295, 4294967295, -1, -32768, 65535, "
            "-128, 255, -1, -32"
        ),
    ),
    (
        (
            "return cmsgpack.unpack('\\202\\63\\192\\0\\0\\202\\127\\128\\0\\0\\202\\255\\192\\"
            "0\\0\\203\\63\\185\\153\\153\\153\\153\\153\\154\\203\\127\\240\\0\\0\\0\\0\\0\\1'"
            ")"
        ),
        "true, 1.5, inf, -nan, 0.10000000000000001, nan",
    ),
    (
        (
            "local a, b = cmsgpack.unpack('\\202\\127\\192\\0\\1\\203\\255\\248\\0\\0\\0\\0\\0"
            "\\7') return tostring(a), tostring(b), bit.tobit(b), struct.pack('>d', b) == '\\25"
            "5\\248\\0\\0\\0\\0\\0\\7', cmsgpack.pack(b) == '\\203\\255\\248\\0\\0\\0\\0\\0\\7'"
        ),
        'true, "nan", "-nan", 7, true, true',
    ),
    (
        "local r = cmsgpack.unpack('\\193') return r",
        'false, "user_script:1: Bad data format in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\196\\1a') return r",
        'false, "user_script:1: Bad data format in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\212\\1\\1') return r",
        'false, "user_script:1: Bad data format in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\146\\1') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\205\\1') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\217\\5abc') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\219\\0\\0\\0\\5abc') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\219\\0\\0') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\165abc') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\221\\255\\255\\255\\255\\1\\2') return r",
        'false, "user_script:1: Missing bytes in input."',
    ),
    (
        "local r = cmsgpack.unpack('\\129\\192\\1') return r",
        'false, "table index is nil"',
    ),
    (
        "local r = cmsgpack.unpack('\\129\\1\\192') return r",
        "true, {}",
    ),
    (
        "local r = cmsgpack.unpack('\\130\\1\\2\\1\\3') return r",
        "true, {[1]=3}",
    ),
    (
        "local r = cmsgpack.unpack('\\147\\192\\1\\192') return r, #r",
        "true, {[2]=1}, 0",
    ),
    (
        (
            "return cmsgpack.unpack('\\222\\0\\1\\161a\\1', '\\220\\0\\2\\1\\2', '\\223\\0\\0\\"
            "0\\1\\1\\1', '\\221\\0\\0\\0\\1\\7')"
        ),
        'true, {["a"]=1}',
    ),
    (
        "local r = cmsgpack.unpack({}) return r",
        "false, \"user_script:1: bad argument #1 to 'unpack' (string expected, got table)\"",
    ),
    (
        "local r = cmsgpack.unpack() return r",
        ("false, \"user_script:1: bad argument #1 to 'unpack' (string expected, got no value)\""),
    ),
    (
        "return cmsgpack.unpack(5)",
        "true, 53",
    ),
    (
        "return cmsgpack.unpack(12)",
        "true, 49, 50",
    ),
    (
        "return cmsgpack.unpack_one('\\1\\2\\3')",
        "true, 1, 1",
    ),
    (
        "return cmsgpack.unpack_one('\\1\\2\\3', 1)",
        "true, 2, 2",
    ),
    (
        "return cmsgpack.unpack_one('\\1\\2\\3', 2)",
        "true, -1, 3",
    ),
    (
        "return cmsgpack.unpack_one('\\1\\2\\3', 3)",
        "true, -1",
    ),
    (
        "local r = cmsgpack.unpack_one('\\1\\2\\3', 4) return r",
        'false, "user_script:1: Start offset 4 greater than input length 3."',
    ),
    (
        "local r = cmsgpack.unpack_one('\\1\\2\\3', -1) return r",
        ('false, "user_script:1: Invalid request to unpack with offset of -1 and limit of 3."'),
    ),
    (
        "local r = cmsgpack.unpack_one('\\1\\2\\3', 'x') return r",
        ("false, \"user_script:1: bad argument #2 to 'unpack_one' (number expected, got string)\""),
    ),
    (
        "local r = cmsgpack.unpack_one() return r",
        (
            "false, \"user_script:1: bad argument #1 to 'unpack_one' (string expected, got no "
            'value)"'
        ),
    ),
    (
        "local r = cmsgpack.unpack_one(nil, 'x') return r",
        ("false, \"user_script:1: bad argument #2 to 'unpack_one' (number expected, got string)\""),
    ),
    (
        "return cmsgpack.unpack_one('\\1\\2\\3', 1.9)",
        "true, 2, 2",
    ),
    (
        "return cmsgpack.unpack_one('', 0)",
        "true, -1",
    ),
    (
        "return cmsgpack.unpack_limit('\\1\\2\\3', 2)",
        "true, 2, 1, 2",
    ),
    (
        "return cmsgpack.unpack_limit('\\1\\2\\3', 5)",
        "true, -1, 1, 2, 3",
    ),
    (
        "return cmsgpack.unpack_limit('\\1\\2\\3', 0)",
        "true, 1, 2, 3",
    ),
    (
        "return cmsgpack.unpack_limit('\\1\\2\\3', 0, 1)",
        "true, 1",
    ),
    (
        "return cmsgpack.unpack_limit('\\1\\2\\3', 2, 1)",
        "true, -1, 2, 3",
    ),
    (
        "local r = cmsgpack.unpack_limit('\\1\\2\\3') return r",
        (
            "false, \"user_script:1: bad argument #2 to 'unpack_limit' (number expected, got n"
            'o value)"'
        ),
    ),
    (
        "local r = cmsgpack.unpack_limit('\\1\\2\\3', -1) return r",
        'false, "user_script:1: Invalid request to unpack with offset of 0 and limit of 3."',
    ),
    (
        "local r = cmsgpack.unpack_limit('\\1\\2\\3', 1, 2^32 + 5) return r",
        'false, "user_script:1: Start offset 5 greater than input length 3."',
    ),
    (
        "local r = cmsgpack.unpack_limit('\\1\\2\\3', -1, 2^32 + 5) return r",
        'false, "user_script:1: Invalid request to unpack with offset of 5 and limit of 3."',
    ),
    (
        "local r = cmsgpack.unpack_limit('\\1\\2\\3', 1, -2^33) return r",
        'false, "user_script:1: Invalid request to unpack with offset of 0 and limit of 3."',
    ),
    (
        "local r = cmsgpack.unpack_limit(nil, 1) return r",
        ("false, \"user_script:1: bad argument #1 to 'unpack_limit' (string expected, got nil)\""),
    ),
    (
        "return cmsgpack.unpack_limit('\\1\\2\\3', '1', '1')",
        "true, 2, 2",
    ),
    (
        "local s = string.rep('\\1', 7999) return select('#', cmsgpack.unpack(s))",
        "true, 7999",
    ),
    (
        ("local s = string.rep('\\1', 8000) local ok, e = pcall(cmsgpack.unpack, s) return ok, e"),
        (
            'true, false, "stack overflow (too many return values at once; use unpack_one or un'
            'pack_limit instead.)"'
        ),
    ),
    (
        (
            "local s = string.rep('\\1', 7998) local ok, e = pcall(cmsgpack.unpack, s, 1) retur"
            "n ok, e"
        ),
        "true, true, 1",
    ),
    (
        (
            "local s = string.rep('\\1', 7997) local ok, e = pcall(cmsgpack.unpack, s, 1) retur"
            "n ok, select('#', cmsgpack.unpack(s, 1))"
        ),
        "true, true, 7997",
    ),
    (
        (
            "local s = string.rep('\\1', 7999) local ok, e = pcall(cmsgpack.unpack_limit, s, 80"
            "00) return ok, e"
        ),
        'true, false, "stack overflow (in function mp_unpack_full)"',
    ),
    (
        ("local s = string.rep('\\1', 7998) return select('#', cmsgpack.unpack_limit(s, 8000))"),
        "true, 7999",
    ),
    (
        (
            "local s = string.rep('\\145', 5000) .. '\\1' local ok, e = pcall(cmsgpack.unpack, "
            "s) return ok, e"
        ),
        'true, false, "stack overflow (in function mp_decode_to_lua_array)"',
    ),
    (
        (
            "local s = string.rep('\\129\\1', 5000) .. '\\1' local ok, e = pcall(cmsgpack.unpac"
            "k, s) return ok, e"
        ),
        (
            'true, false, "stack overflow (too many return values at once; use unpack_one or un'
            'pack_limit instead.)"'
        ),
    ),
    (
        (
            "local s = string.rep('\\129\\145\\1', 5000) .. '\\1' local ok, e = pcall(cmsgpack."
            "unpack, s) return ok, e"
        ),
        (
            'true, false, "stack overflow (too many return values at once; use unpack_one or un'
            'pack_limit instead.)"'
        ),
    ),
    (
        (
            "local s = string.rep('\\145', 3999) .. '\\1' local ok, e = pcall(cmsgpack.unpack, "
            "s) return ok"
        ),
        "true, true",
    ),
    (
        (
            "local s = string.rep('\\1', 7990) .. '\\147\\1\\2\\147\\1\\2\\3' local ok, e = pca"
            "ll(cmsgpack.unpack, s) return ok, e"
        ),
        "true, true, 1",
    ),
    (
        (
            "local t = {} t[1] = {} t[1][1] = t[1] local r = cmsgpack.unpack(cmsgpack.pack(t)) "
            "local d = 0 while type(r) == 'table' do r = r[1] d = d + 1 end return d"
        ),
        "true, 16",
    ),
    (
        (
            "local s = '' for _, n in ipairs({0, 1, 31, 32, 255, 256, 65535, 65536}) do local x"
            " = string.rep('y', n) local p = cmsgpack.pack(x) s = s .. #p .. ':' .. tostring(cm"
            "sgpack.unpack(p) == x) .. ' ' end return s"
        ),
        'true, "1:true 2:true 32:true 34:true 257:true 259:true 65538:true 65541:true "',
    ),
    (
        (
            "local t = {1, 'two', {3, {four = 4}}, true, 1.5, -7} local u = cmsgpack.unpack(cms"
            "gpack.pack(t)) return u"
        ),
        'true, {[1]=1,[2]="two",[3]={[1]=3,[2]={["four"]=4}},[4]=true,[5]=1.5,[6]=-7}',
    ),
    (
        (
            "local a, b, c = cmsgpack.unpack(cmsgpack.pack({x = {y = 'z'}}, -2^40, 'end')) retu"
            "rn a, b, c"
        ),
        'true, {["x"]={["y"]="z"}}, -1099511627776, "end"',
    ),
]


@pytest.mark.parametrize("snippet, expected", CASES)
def test_cmsgpack(snippet: str, expected: str) -> None:
    assert run(new_runtime(), snippet) == expected
