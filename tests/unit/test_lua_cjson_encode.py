"""The script library cjson_encode, called from Lua as a script calls it.

Covers cjson.encode and cjson.null. Each case is a script
body and what pcall of it returns, serialised by `lualib_runner.run`; every expected value
was produced by the same Lua text run through EVAL on valkey-server 8.0.1 (with cjson's
settings at their defaults before each).
"""

from __future__ import annotations

import pytest
from lualib_runner import new_runtime, run

CASES = [
    (
        "local r = cjson.encode({1,2,{a=1}}) return r",
        'true, "[1,2,{\\"a\\":1}]"',
    ),
    (
        "local r = cjson.encode({}) return r",
        'true, "{}"',
    ),
    (
        "local r = cjson.encode({[1]=1,[2]=2,[4]=4}) return r",
        'true, "[1,2,null,4]"',
    ),
    (
        "local r = cjson.encode({[1]=1,[11]=2}) return r",
        'false, "user_script:1: Cannot serialise table: excessively sparse array"',
    ),
    (
        "local r = cjson.encode({[1]=1,[20]=2}) return r",
        'false, "user_script:1: Cannot serialise table: excessively sparse array"',
    ),
    (
        "local r = cjson.encode({[0]=1}) return r",
        'true, "{\\"0\\":1}"',
    ),
    (
        "local r = cjson.encode({[-1]=1}) return r",
        'true, "{\\"-1\\":1}"',
    ),
    (
        "local r = cjson.encode({[1.5]=1}) return r",
        'true, "{\\"1.5\\":1}"',
    ),
    (
        (
            'local r = cjson.encode("a\\"b\\\\c/d\\0e\\1f\\127g\\128h\\255\\n\\r\\t\\b\\f\\11")'
            " return r"
        ),
        (
            'true, "\\"a\\\\\\"b\\\\\\\\c\\\\/d\\\\u0000e\\\\u0001f\\\\u007fg\\128h\\255\\\\n\\'
            '\\r\\\\t\\\\b\\\\f\\\\u000b\\""'
        ),
    ),
    (
        (
            "local r = cjson.encode({0.1, 1/3, 1e300, -1e-300, 123456789012345678, 2^53, -0.0, "
            "100, 1e14, 1e15, 1e16, 5e-324}) return r"
        ),
        (
            'true, "[0.1,0.33333333333333,1e+300,-1e-300,1.2345678901235e+17,9.007199254741e+15'
            ',-0,100,1e+14,1e+15,1e+16,4.9406564584125e-324]"'
        ),
    ),
    (
        "local r = cjson.encode(1/0) return r",
        'false, "user_script:1: Cannot serialise number: must not be NaN or Inf"',
    ),
    (
        "local r = cjson.encode(-1/0) return r",
        'false, "user_script:1: Cannot serialise number: must not be NaN or Inf"',
    ),
    (
        "local r = cjson.encode(0/0) return r",
        'false, "user_script:1: Cannot serialise number: must not be NaN or Inf"',
    ),
    (
        "local r = cjson.encode({[1/0]=1}) return r",
        'false, "user_script:1: Cannot serialise number: must not be NaN or Inf"',
    ),
    (
        "local r = cjson.encode(function() end) return r",
        'false, "user_script:1: Cannot serialise function: type not supported"',
    ),
    (
        "local r = cjson.encode(coroutine.create(function() end)) return r",
        'false, "user_script:1: Cannot serialise thread: type not supported"',
    ),
    (
        "local r = cjson.encode(newproxy()) return r",
        'false, "user_script:1: Cannot serialise userdata: type not supported"',
    ),
    (
        "local r = cjson.encode({[true]=1}) return r",
        ('false, "user_script:1: Cannot serialise boolean: table key must be a number or string"'),
    ),
    (
        "local r = cjson.encode({[{}]=1}) return r",
        ('false, "user_script:1: Cannot serialise table: table key must be a number or string"'),
    ),
    (
        "local r = cjson.encode() return r",
        "false, \"user_script:1: bad argument #1 to 'encode' (expected 1 argument)\"",
    ),
    (
        "local r = cjson.encode(1, 2) return r",
        "false, \"user_script:1: bad argument #1 to 'encode' (expected 1 argument)\"",
    ),
    (
        "local r = cjson.encode(nil) return r",
        'true, "null"',
    ),
    (
        "local r = cjson.encode(cjson.null) return r",
        'true, "null"',
    ),
    (
        "local r = cjson.encode({cjson.null, true, false}) return r",
        'true, "[null,true,false]"',
    ),
    (
        "local a = {} a[1] = a local r = cjson.encode(a) return r",
        'false, "user_script:1: Cannot serialise, excessive nesting (1001)"',
    ),
    (
        "local a = {} a.x = a local r = cjson.encode(a) return r",
        'false, "user_script:1: Cannot serialise, excessive nesting (1001)"',
    ),
    (
        "local r = cjson.encode({[1]=1, [2]=2, [3]=nil, [4]=4}) return r",
        'true, "[1,2,null,4]"',
    ),
    (
        "local r = cjson.encode({a={b={c={1,2,{}}}}}) return r",
        'true, "{\\"a\\":{\\"b\\":{\\"c\\":[1,2,{}]}}}"',
    ),
    (
        "local r = cjson:decode() return r",
        ("false, \"user_script:1: calling 'decode' on bad self (string expected, got table)\""),
    ),
    (
        (
            'local s = cjson.encode({a = {1, 2, {b = "x\\n"}}, c = true}) local d = cjson.decod'
            "e(s) return s, d.a[3].b, d.c"
        ),
        'true, "{\\"a\\":[1,2,{\\"b\\":\\"x\\\\n\\"}],\\"c\\":true}", "x\\n", true',
    ),
    (
        (
            "local big = {} for i = 1, 1000 do big[i] = i * 1.5 end local s = cjson.encode(big)"
            " return #s, cjson.decode(s)[1000]"
        ),
        "true, 5263, 1500",
    ),
    (
        ("local t = {} for i = 1, 12 do t['k' .. i] = i end local s = cjson.encode(t) return s"),
        (
            'true, "{\\"k12\\":12,\\"k9\\":9,\\"k8\\":8,\\"k1\\":1,\\"k3\\":3,\\"k2\\":2,\\"k10'
            '\\":10,\\"k11\\":11,\\"k6\\":6,\\"k7\\":7,\\"k4\\":4,\\"k5\\":5}"'
        ),
    ),
    (
        "local r = cjson.encode('\\195\\169\\226\\130\\172 \\240\\159\\152\\128') return r",
        'true, "\\"\\195\\169\\226\\130\\172 \\240\\159\\152\\128\\""',
    ),
    (
        (
            "local s = '' for i = 0, 255 do s = s .. string.char(i) end local e = cjson.encode("
            "s) return #e, cjson.decode(e) == s"
        ),
        "true, 406, true",
    ),
    (
        "local r = cjson.encode({{}, {{}}, {a = {}}}) return r",
        'true, "[{},[{}],{\\"a\\":{}}]"',
    ),
    (
        "local r = cjson.encode({1, 2, a = 3}) return r",
        'true, "{\\"1\\":1,\\"2\\":2,\\"a\\":3}"',
    ),
    (
        "local r = cjson.encode({[1] = 'a', ['1'] = 'b'}) return r",
        'true, "{\\"1\\":\\"a\\",\\"1\\":\\"b\\"}"',
    ),
    (
        "local r = cjson.encode({2^63, -2^63, 2^53 + 1, 1e21, 123.456, -1e-7, 3}) return r",
        (
            'true, "[9.2233720368548e+18,-9.2233720368548e+18,9.007199254741e+15,1e+21,123.456,'
            '-1e-07,3]"'
        ),
    ),
    (
        "local r = cjson.encode({'1', '1.5', ''}) return r",
        'true, "[\\"1\\",\\"1.5\\",\\"\\"]"',
    ),
    (
        (
            "local t = cjson.decode(cjson.encode({a = {1, 2, {b = cjson.null}}, c = 'x'})) retu"
            "rn t.a[3].b == cjson.null, #t.a, t.c"
        ),
        'true, true, 3, "x"',
    ),
    (
        ("local r = type(cjson.null) return r, tostring(cjson.null), not getmetatable(cjson.null)"),
        'true, "userdata", "userdata: (nil)", true',
    ),
    (
        "local r = cjson.encode(12) return r, cjson.decode(r)",
        'true, "12", 12',
    ),
    (
        "local r = cjson.encode(true) return r",
        'true, "true"',
    ),
]


@pytest.mark.parametrize("snippet, expected", CASES)
def test_cjson_encode(snippet: str, expected: str) -> None:
    assert run(new_runtime(), snippet) == expected
