"""The script library cjson_config, called from Lua as a script calls it.

Covers cjson's configuration functions and cjson.new. Each case is a script
body and what pcall of it returns, serialised by `lualib_runner.run`; every expected value
was produced by the same Lua text run through EVAL on valkey-server 8.0.1 (with cjson's
settings at their defaults before each).
"""

from __future__ import annotations

import pytest
from lualib_runner import new_runtime, run

CASES = [
    (
        "return {cjson.encode_sparse_array()}",
        "true, {[1]=false,[2]=2,[3]=10}",
    ),
    (
        (
            "local a,b,c = cjson.encode_sparse_array(true, 3, 5) local r = cjson.encode({[1]=1,"
            "[16]=2}) return a,b,c,r"
        ),
        'true, true, 3, 5, "{\\"1\\":1,\\"16\\":2}"',
    ),
    (
        (
            "local a,b,c = cjson.encode_sparse_array(true, 3, 5) local r = cjson.encode({[1]=1,"
            "[6]=2}) return a,b,c,r"
        ),
        'true, true, 3, 5, "[1,null,null,null,null,2]"',
    ),
    (
        (
            "local a,b,c = cjson.encode_sparse_array(false, 0) local r = cjson.encode({[1]=1,[1"
            "000]=2}) return a,b,c,#r,r:sub(1, 12),r:sub(-6)"
        ),
        'true, false, 0, 10, 4995, "[1,null,null", "ull,2]"',
    ),
    (
        "local r = cjson.encode_sparse_array(1, 2, 3, 4) return r",
        (
            "false, \"user_script:1: bad argument #4 to 'encode_sparse_array' (found too many "
            'arguments)"'
        ),
    ),
    (
        "local r = cjson.encode_sparse_array('on') return r",
        "true, true",
    ),
    (
        "local r = cjson.encode_sparse_array('yes') return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_sparse_array' (invalid option "
            "'yes')\""
        ),
    ),
    (
        "local r = cjson.encode_sparse_array(1) return r",
        ("false, \"user_script:1: bad argument #1 to 'encode_sparse_array' (invalid option '1')\""),
    ),
    (
        "local r = cjson.encode_sparse_array('on\\0x') return r",
        "true, true",
    ),
    (
        (
            "local r = {pcall(cjson.encode_sparse_array, true, 'x')} return r[2], cjson.encode_"
            "sparse_array()"
        ),
        "true, \"bad argument #2 to '?' (number expected, got string)\", true, 2, 10",
    ),
    (
        "local r = cjson.encode_sparse_array(nil, -1) return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_sparse_array' (expected intege"
            'r between 0 and 2147483647)"'
        ),
    ),
    (
        "local r = cjson.encode_sparse_array(nil, 2^31) return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_sparse_array' (expected intege"
            'r between 0 and 2147483647)"'
        ),
    ),
    (
        "local a,b,c = cjson.encode_sparse_array(nil, 2^32 + 7) return a, b, c",
        "true, false, 7, 10",
    ),
    (
        "local a,b,c = cjson.encode_sparse_array(nil, 1.9, '12') return a, b, c",
        "true, false, 1, 12",
    ),
    (
        (
            "local a,b,c = cjson.encode_sparse_array(nil, 2147483647, 0) local r = cjson.encode"
            "({[1]=1,[2000]=2}) return r"
        ),
        'false, "user_script:1: Cannot serialise table: excessively sparse array"',
    ),
    (
        "local r = cjson.encode_max_depth() return r",
        "true, 1000",
    ),
    (
        "local r = cjson.encode_max_depth(0) return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_max_depth' (expected integer b"
            'etween 1 and 2147483647)"'
        ),
    ),
    (
        (
            "local r = cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{{1}}}) ret"
            "urn r, ok, e, cjson.encode({{1}})"
        ),
        'true, 2, false, "Cannot serialise, excessive nesting (3)", "[[1]]"',
    ),
    (
        (
            "local r = cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, '[[[1]]]') r"
            "eturn r, ok, e, #cjson.decode('[[1]]')"
        ),
        'true, 2, false, "Found too many nested data structures (3) at character 3", 1',
    ),
    (
        (
            'cjson.decode_max_depth(1) local ok, e = pcall(cjson.decode, \'{"a":{"b":1}}\') ret'
            "urn ok, e"
        ),
        'true, false, "Found too many nested data structures (2) at character 6"',
    ),
    (
        ("cjson.decode_max_depth(1) local ok, e = pcall(cjson.decode, '  [  [1]]') return ok, e"),
        'true, false, "Found too many nested data structures (2) at character 6"',
    ),
    (
        "local r = cjson.decode_max_depth('x') return r",
        (
            "false, \"user_script:1: bad argument #1 to 'decode_max_depth' (number expected, g"
            'ot string)"'
        ),
    ),
    (
        "local r = cjson.decode_max_depth(1, 2) return r",
        (
            "false, \"user_script:1: bad argument #2 to 'decode_max_depth' (found too many arg"
            'uments)"'
        ),
    ),
    (
        "local r = cjson.encode_number_precision() return r",
        "true, 14",
    ),
    (
        "local r = cjson.encode_number_precision(15) return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_number_precision' (expected in"
            'teger between 1 and 14)"'
        ),
    ),
    (
        "local r = cjson.encode_number_precision(0) return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_number_precision' (expected in"
            'teger between 1 and 14)"'
        ),
    ),
    (
        (
            "local p = cjson.encode_number_precision(3) return p, cjson.encode({1/3, 12345, 0.0"
            "001234, 1e20, 2^53})"
        ),
        'true, 3, "[0.333,1.23e+04,0.000123,1e+20,9.01e+15]"',
    ),
    (
        (
            "local p = cjson.encode_number_precision(1) return p, cjson.encode({1/3, 12345, 0.5"
            ", 1.5, 2.5, 9.5})"
        ),
        'true, 1, "[0.3,1e+04,0.5,2,2,1e+01]"',
    ),
    (
        (
            "local p = cjson.encode_number_precision(10) return p, cjson.encode({1/3, 123456789"
            "01, 3.14159265358979})"
        ),
        'true, 10, "[0.3333333333,1.23456789e+10,3.141592654]"',
    ),
    (
        (
            "return cjson.encode_keep_buffer(), cjson.encode_keep_buffer(false), cjson.encode_k"
            "eep_buffer('on'), cjson.encode_keep_buffer('off'), cjson.encode({1})"
        ),
        'true, true, false, true, false, "[1]"',
    ),
    (
        "local r = cjson.encode_keep_buffer('null') return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_keep_buffer' (invalid option "
            "'null')\""
        ),
    ),
    (
        (
            "return cjson.encode_invalid_numbers(), cjson.encode_invalid_numbers('null'), cjson"
            ".encode({1/0, -1/0, 0/0, 1})"
        ),
        'true, false, "null", "[null,null,null,1]"',
    ),
    (
        (
            "return cjson.encode_invalid_numbers(true), cjson.encode({1/0, -1/0, 0/0, -(0/0), 1"
            ", [5]=0/0})"
        ),
        'true, true, "[inf,-inf,nan,nan,1]"',
    ),
    (
        "cjson.encode_invalid_numbers(true) return cjson.encode({[1/0]=1})",
        'true, "{\\"inf\\":1}"',
    ),
    (
        "cjson.encode_invalid_numbers('null') return cjson.encode({[1/0]=1})",
        'true, "{\\"null\\":1}"',
    ),
    (
        (
            "cjson.encode_invalid_numbers('null') return cjson.encode({[0/0 ~= 0/0 and 'x' or 1"
            "]=0/0})"
        ),
        'true, "{\\"x\\":null}"',
    ),
    (
        "return cjson.encode_invalid_numbers('on'), cjson.encode_invalid_numbers('off')",
        "true, true, false",
    ),
    (
        "local r = cjson.encode_invalid_numbers('maybe') return r",
        (
            "false, \"user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid opti"
            "on 'maybe')\""
        ),
    ),
    (
        "return cjson.decode_invalid_numbers(), cjson.decode_invalid_numbers(false)",
        "true, true, false",
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, 'nan') retur"
            "n ok, e"
        ),
        'true, false, "Expected value but found invalid token at character 1"',
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '0x10') retu"
            "rn ok, e"
        ),
        'true, false, "Expected value but found invalid number at character 1"',
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '-Infinity')"
            " return ok, e"
        ),
        'true, false, "Expected value but found invalid number at character 1"',
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '+1') return"
            " ok, e"
        ),
        'true, false, "Expected value but found invalid token at character 1"',
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '01') return"
            " ok, e"
        ),
        'true, false, "Expected value but found invalid number at character 1"',
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '-0') return"
            " ok, e"
        ),
        "true, true, -0",
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '[1.5e3, -2,"
            " 0.25]') return ok, e"
        ),
        "true, true, {[1]=1500,[2]=-2,[3]=0.25}",
    ),
    (
        (
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, 'inf') retur"
            "n ok, e"
        ),
        'true, false, "Expected value but found invalid token at character 1"',
    ),
    (
        (
            "local c = cjson.new() c.encode_max_depth(1) local ok, e = pcall(c.encode, {{}}) re"
            "turn ok, e, cjson.encode({{}}), c.null == cjson.null, c._NAME, c._VERSION, type(c."
            "new)"
        ),
        (
            'true, false, "Cannot serialise, excessive nesting (2)", "[{}]", true, "cjson", "2.'
            '1.0", "function"'
        ),
    ),
    (
        ("local n = cjson.new() local m = n.new() return type(m), m.encode_max_depth(), n == m"),
        'true, "table", 1000, false',
    ),
    (
        (
            "cjson.decode_max_depth(100000) local s = string.rep('[', 9000) .. string.rep(']', "
            "9000) local ok, e = pcall(cjson.decode, s) return ok, e"
        ),
        'true, false, "Found too many nested data structures (7999) at character 7999"',
    ),
    (
        (
            "cjson.decode_max_depth(100000) local s = string.rep('{\"a\":', 5000) .. '1' .. s"
            "tring.rep('}', 5000) local ok, e = pcall(cjson.decode, s) return ok, e"
        ),
        'true, false, "Found too many nested data structures (4000) at character 19996"',
    ),
    (
        (
            "cjson.decode_max_depth(100000) local s = string.rep('[{\"a\":', 3000) .. '1' .. "
            "string.rep('}]', 3000) local ok, e = pcall(cjson.decode, s) return ok, e"
        ),
        'true, false, "Found too many nested data structures (5333) at character 15997"',
    ),
    (
        (
            "cjson.encode_max_depth(100000) local a = {} a[1] = a local ok, e = pcall(cjson.enc"
            "ode, a) return ok, e"
        ),
        'true, false, "Cannot serialise, excessive nesting (7998)"',
    ),
    (
        (
            "cjson.encode_max_depth(100000) local a = {} a.x = a local ok, e = pcall(cjson.enco"
            "de, a) return ok, e"
        ),
        'true, false, "Cannot serialise, excessive nesting (4000)"',
    ),
    (
        (
            "cjson.encode_max_depth(100000) local a = {} local b = {x = a} a[1] = b local ok, e"
            " = pcall(cjson.encode, a) return ok, e"
        ),
        'true, false, "Cannot serialise, excessive nesting (5333)"',
    ),
]


@pytest.mark.parametrize("snippet, expected", CASES)
def test_cjson_config(snippet: str, expected: str) -> None:
    assert run(new_runtime(), snippet) == expected
