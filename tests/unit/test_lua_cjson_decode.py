"""The script library cjson_decode, called from Lua as a script calls it.

Covers cjson.decode. Each case is a script
body and what pcall of it returns, serialised by `lualib_runner.run`; every expected value
was produced by the same Lua text run through EVAL on valkey-server 8.0.1 (with cjson's
settings at their defaults before each).
"""

from __future__ import annotations

import pytest
from lualib_runner import new_runtime, run

CASES = [
    (
        "local r = cjson.decode('[1,2,{\"a\":1}]') return r",
        'true, {[1]=1,[2]=2,[3]={["a"]=1}}',
    ),
    (
        "local r = cjson.decode('x') return r",
        'false, "user_script:1: Expected value but found invalid token at character 1"',
    ),
    (
        "local r = cjson.decode('') return r",
        'false, "user_script:1: Expected value but found T_END at character 1"',
    ),
    (
        "local r = cjson.decode('  ') return r",
        'false, "user_script:1: Expected value but found T_END at character 3"',
    ),
    (
        "local r = cjson.decode('[1 2]') return r",
        ('false, "user_script:1: Expected comma or array end but found T_NUMBER at character 4"'),
    ),
    (
        "local r = cjson.decode('{\"a\" 1}') return r",
        'false, "user_script:1: Expected colon but found T_NUMBER at character 6"',
    ),
    (
        "local r = cjson.decode('{1:2}') return r",
        ('false, "user_script:1: Expected object key string but found T_NUMBER at character 2"'),
    ),
    (
        "local r = cjson.decode('[1,]') return r",
        'false, "user_script:1: Expected value but found T_ARR_END at character 4"',
    ),
    (
        "local r = cjson.decode('1 2') return r",
        'false, "user_script:1: Expected the end but found T_NUMBER at character 3"',
    ),
    (
        "local r = cjson.decode('\"abc') return r",
        (
            'false, "user_script:1: Expected value but found unexpected end of string at charac'
            'ter 5"'
        ),
    ),
    (
        "local r = cjson.decode('\"a\\\\qb\"') return r",
        ('false, "user_script:1: Expected value but found invalid escape code at character 3"'),
    ),
    (
        ("local r = cjson.decode('\"\\\\u00e9\\\\u20ac\\\\ud83d\\\\ude00\\\\u0000x\"') return r"),
        'true, "\\195\\169\\226\\130\\172\\240\\159\\152\\128\\000x"',
    ),
    (
        "local r = cjson.decode('\"\\\\udc00\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\ud800\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\ud800\\\\u0041\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\u12\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\u12g4\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('[1]\\0garbage') return r",
        "true, {[1]=1}",
    ),
    (
        "local r = cjson.decode('\\0[') return r",
        'false, "user_script:1: JSON parser does not support UTF-16 or UTF-32"',
    ),
    (
        "local r = cjson.decode('[\\0') return r",
        'false, "user_script:1: JSON parser does not support UTF-16 or UTF-32"',
    ),
    (
        'local r = cjson.decode(\'{"a":null,"b":true,"c":false,"d":[],"e":{}}\') return r',
        'true, {["a"]=null,["b"]=true,["c"]=false,["d"]={},["e"]={}}',
    ),
    (
        (
            "local r = {cjson.decode('[0x10, -0x10, 1e5, 1E-5, -0, 01, 1., -.5, inf, -inf, Infi"
            "nity, +1, nan]')} return #r[1], r[1][1], r[1][9]"
        ),
        "true, 13, 16, inf",
    ),
    (
        "local r = cjson.decode('nan') return tostring(r)",
        'true, "nan"',
    ),
    (
        "local r = cjson.decode('-nan') return tostring(r)",
        'true, "-nan"',
    ),
    (
        "local r = cjson.decode('1.5e') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 4"',
    ),
    (
        "local r = cjson.decode('-') return r",
        'false, "user_script:1: Expected value but found invalid number at character 1"',
    ),
    (
        "local r = cjson.decode('+') return r",
        'false, "user_script:1: Expected value but found invalid number at character 1"',
    ),
    (
        "local r = cjson.decode('0x') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 2"',
    ),
    (
        "local r = cjson.decode('infinit') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 4"',
    ),
    (
        "local r = cjson.decode('.5') return r",
        'false, "user_script:1: Expected value but found invalid token at character 1"',
    ),
    (
        "local r = cjson.decode('nul') return r",
        'false, "user_script:1: Expected value but found invalid token at character 1"',
    ),
    (
        "local r = cjson.decode('NULL') return r",
        'false, "user_script:1: Expected value but found invalid token at character 1"',
    ),
    (
        "local r = cjson.decode('tru') return r",
        'false, "user_script:1: Expected value but found invalid token at character 1"',
    ),
    (
        "local r = cjson.decode('1e999') return r",
        "true, inf",
    ),
    (
        "local r = cjson.decode('0x1p4') return r",
        "true, 16",
    ),
    (
        "local r = cjson.decode('0x1.8p1') return r",
        "true, 3",
    ),
    (
        "local r = cjson.decode('0x.8') return r",
        "true, 0.5",
    ),
    (
        "local r = cjson.decode('[[[[1]]]]') return r",
        "true, {[1]={[1]={[1]={[1]=1}}}}",
    ),
    (
        "local r = cjson.decode(123) return r",
        "true, 123",
    ),
    (
        "local r = cjson.decode({}) return r",
        "false, \"user_script:1: bad argument #1 to 'decode' (string expected, got table)\"",
    ),
    (
        "local r = cjson.decode() return r",
        "false, \"user_script:1: bad argument #1 to 'decode' (expected 1 argument)\"",
    ),
    (
        "local f = cjson.decode local r = f() return r",
        "false, \"user_script:1: bad argument #1 to 'f' (expected 1 argument)\"",
    ),
    (
        "local ok, e = pcall(cjson.decode) return e",
        "true, \"bad argument #1 to '?' (expected 1 argument)\"",
    ),
    (
        (
            "return cjson.decode('{\"a\":[1,2,3]}').a[3], cjson.decode('[null]')[1] == cjson."
            "null, type(cjson.decode('null')), tostring(cjson.decode('null'))"
        ),
        'true, 3, true, "userdata", "userdata: (nil)"',
    ),
    (
        (
            "local s = string.rep('[', 1000) .. string.rep(']', 1000) local ok, e = pcall(cjson"
            ".decode, s) return ok"
        ),
        "true, true",
    ),
    (
        (
            "local s = string.rep('[', 1001) .. string.rep(']', 1001) local ok, e = pcall(cjson"
            ".decode, s) return ok, e"
        ),
        'true, false, "Found too many nested data structures (1001) at character 1001"',
    ),
    (
        'return cjson.decode(\'"\\\\/\\\\b\\\\f\\\\n\\\\r\\\\t\\\\"\\\\\\\\"\')',
        'true, "/\\8\\12\\n\\r\\9\\"\\\\"',
    ),
    (
        "return cjson.decode('\"\\1\\2\\31 raw \\255\"')",
        'true, "\\1\\2\\31 raw \\255"',
    ),
    (
        "return cjson.decode(' \\t\\r\\n 5 \\t\\r\\n ')",
        "true, 5",
    ),
    (
        "local r = cjson.decode('\\f5') return r",
        'false, "user_script:1: Expected value but found invalid token at character 1"',
    ),
    (
        'return cjson.decode(\'["a",{"b":"c"}]\')[2].b',
        'true, "c"',
    ),
    (
        'return cjson.decode(\'{"a":1,"a":2}\').a',
        "true, 2",
    ),
    (
        (
            "return cjson.decode('nan(123)'), cjson.decode('NaN'), cjson.decode('-nan(abc_1)'),"
            " cjson.decode('INFINITY'), cjson.decode('-iNf')"
        ),
        "true, nan, nan, -nan, inf, -inf",
    ),
    (
        "local r = cjson.decode('nan(12') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 4"',
    ),
    (
        "local r = cjson.decode('nan()') return tostring(r)",
        'true, "nan"',
    ),
    (
        "return cjson.decode('1e+5'), cjson.decode('1e-'), 1",
        'false, "user_script:1: Expected the end but found invalid token at character 2"',
    ),
    (
        "local r = cjson.decode('1e-') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 2"',
    ),
    (
        "local r = cjson.decode('0x1p') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 4"',
    ),
    (
        "local r = cjson.decode('0X1P-2') return r",
        "true, 0.25",
    ),
    (
        "local r = cjson.decode('-0x.8p1') return r",
        "true, -1",
    ),
    (
        "local r = cjson.decode('1.e5') return r",
        "true, 100000",
    ),
    (
        "local r = cjson.decode('00012.50') return r",
        "true, 12.5",
    ),
    (
        "local r = cjson.decode('123456789012345678901234567890') return r",
        "true, 1.2345678901234568e+29",
    ),
    (
        "local r = cjson.decode('4.9e-324') return r",
        "true, 4.9406564584124654e-324",
    ),
    (
        "local r = cjson.decode('2.4e-324') return r",
        "true, 0",
    ),
    (
        "local r = cjson.decode('0.1e1x') return r",
        'false, "user_script:1: Expected the end but found invalid token at character 6"',
    ),
    (
        "local r = cjson.decode('[1,2 , 3 ]') return r",
        "true, {[1]=1,[2]=2,[3]=3}",
    ),
    (
        'local r = cjson.decode(\'{"a":1 , "b" : 2 }\') return r',
        'true, {["a"]=1,["b"]=2}',
    ),
    (
        "local r = cjson.decode('{\"a\":1,}') return r",
        ('false, "user_script:1: Expected object key string but found T_OBJ_END at character 8"'),
    ),
    (
        "local r = cjson.decode('{\"a\"}') return r",
        'false, "user_script:1: Expected colon but found T_OBJ_END at character 5"',
    ),
    (
        "local r = cjson.decode('{') return r",
        'false, "user_script:1: Expected object key string but found T_END at character 2"',
    ),
    (
        "local r = cjson.decode('[') return r",
        'false, "user_script:1: Expected value but found T_END at character 2"',
    ),
    (
        "local r = cjson.decode('{\"a\":') return r",
        'false, "user_script:1: Expected value but found T_END at character 6"',
    ),
    (
        "local r = cjson.decode(']') return r",
        'false, "user_script:1: Expected value but found T_ARR_END at character 1"',
    ),
    (
        "local r = cjson.decode(':') return r",
        'false, "user_script:1: Expected value but found T_COLON at character 1"',
    ),
    (
        "local r = cjson.decode(',') return r",
        'false, "user_script:1: Expected value but found T_COMMA at character 1"',
    ),
    (
        "local r = cjson.decode('}') return r",
        'false, "user_script:1: Expected value but found T_OBJ_END at character 1"',
    ),
    (
        "local r = cjson.decode('{\"a\":1]') return r",
        ('false, "user_script:1: Expected comma or object end but found T_ARR_END at character 7"'),
    ),
    (
        "local r = cjson.decode('[1}') return r",
        ('false, "user_script:1: Expected comma or array end but found T_OBJ_END at character 3"'),
    ),
    (
        "local r = cjson.decode('[true false]') return r",
        ('false, "user_script:1: Expected comma or array end but found T_BOOLEAN at character 7"'),
    ),
    (
        "local r = cjson.decode('[null, nan]') return r",
        "true, {[1]=null,[2]=nan}",
    ),
    (
        ("local r = cjson.decode('\"\\\\u0041\\\\u00DF\\\\uFFFF\\\\uD83D\\\\uDE00\"') return r"),
        'true, "A\\195\\159\\239\\191\\191\\240\\159\\152\\128"',
    ),
    (
        "local r = cjson.decode('\"\\\\uD83D\\\\uDBFF\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\uD83D\\\\' .. 'x\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\uD83D\"') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        "local r = cjson.decode('\"\\\\') return r",
        ('false, "user_script:1: Expected value but found invalid escape code at character 2"'),
    ),
    (
        "local r = cjson.decode('\"\\\\u') return r",
        (
            'false, "user_script:1: Expected value but found invalid unicode escape code at cha'
            'racter 2"'
        ),
    ),
    (
        (
            "local r = cjson.decode('[-1.5e-7, 1e308, -1e309, 1.7976931348623157e308, 2.2250738"
            "585072014e-308]') return r"
        ),
        (
            "true, {[1]=-1.4999999999999999e-07,[2]=1e+308,[3]=-inf,[4]=1.7976931348623157e+308"
            ",[5]=2.2250738585072014e-308}"
        ),
    ),
    (
        (
            'local r = cjson.decode(\'{"\\\\u00e9":"caf\\\\u00e9", "\\\\ud83d\\\\ude00":1}\') r'
            "eturn r"
        ),
        'true, {["\\195\\169"]="caf\\195\\169",["\\240\\159\\152\\128"]=1}',
    ),
    (
        "local r = cjson.decode('\"\\\\u0000\"') return #r, r:byte(1)",
        "true, 1, 0",
    ),
]


@pytest.mark.parametrize("snippet, expected", CASES)
def test_cjson_decode(snippet: str, expected: str) -> None:
    assert run(new_runtime(), snippet) == expected
