"""The script library struct, called from Lua as a script calls it.

Covers struct (pack, unpack, size). Each case is a script
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
            " c:byte()) end)) end return hex(struct.pack('>L', 0/0)), hex(struct.pack('>L', 1/0"
            ")), hex(struct.pack('>L', 2^64)), hex(struct.pack('>L', 1e30)), hex(struct.pack('>"
            "l', -1e30)), hex(struct.pack('>l', 2^63)), hex(struct.pack('>L', 2^63+2^62)), hex("
            "struct.pack('>l', -(0/0))), hex(struct.pack('>L', -1.5)), hex(struct.pack('>L', -1"
            "/0))"
        ),
        (
            'true, "8000000000000000", "0000000000000000", "0000000000000000", "000000000000000'
            '0", "8000000000000000", "8000000000000000", "c000000000000000", "8000000000000000"'
            ', "ffffffffffffffff", "8000000000000000"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(struct.pack('<i16', -1)), hex(struct.pack('>i16', "
            "-2)), hex(struct.pack('>i12', 2^40+5)), hex(struct.pack('b', -1)), hex(struct.pack"
            "('B', 256 + 7)), hex(struct.pack('h', -2)), hex(struct.pack('>H', 65535)), hex(str"
            "uct.pack('i', 1)), hex(struct.pack('>I3', 0x123456)), hex(struct.pack('l', -2)), h"
            "ex(struct.pack('T', 5)), hex(struct.pack('i0', 5))"
        ),
        (
            'true, "ffffffffffffffff0000000000000000", "0000000000000000fffffffffffffffe", "000'
            '000000000010000000005", "ff", "07", "feff", "ffff", "01000000", "123456", "fefffff'
            'fffffffff", "0500000000000000", ""'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(struct.pack('>f', 1.5)), hex(struct.pack('<f', 1.5"
            ")), hex(struct.pack('f', 0.1)), hex(struct.pack('>d', 0.1)), hex(struct.pack('<d',"
            " -2)), hex(struct.pack('>f', 1e300)), hex(struct.pack('>f', -0.0)), hex(struct.pac"
            "k('>d', -0.0)), hex(struct.pack('>d', 0)), hex(struct.pack('>f', 0/0)), hex(struct"
            ".pack('>d', 1/0)), hex(struct.pack('>f', 1e-46)), hex(struct.pack('>f', 3e-45))"
        ),
        (
            'true, "3fc00000", "0000c03f", "cdcccc3d", "3fb999999999999a", "00000000000000c0", '
            '"7f800000", "80000000", "8000000000000000", "8000000000000000", "ffc00000", "fff00'
            '00000000000", "00000000", "00000002"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(struct.pack('c3', 'abcdef')), hex(struct.pack('c0'"
            ", 'abcdef')), hex(struct.pack('s', 'ab')), hex(struct.pack('c', 'xyz')), hex(struc"
            "t.pack('x')), hex(struct.pack('c2', 12))"
        ),
        'true, "616263", "616263646566", "616200", "78", "00", "3132"',
    ),
    (
        "local r = struct.pack('c5', 'ab') return r",
        "false, \"user_script:1: bad argument #3 to 'pack' (string too short)\"",
    ),
    (
        "local r = struct.pack('i', 'ab') return r",
        "false, \"user_script:1: bad argument #2 to 'pack' (number expected, got string)\"",
    ),
    (
        "local r = struct.pack('i') return r",
        "false, \"user_script:1: bad argument #2 to 'pack' (number expected, got nil)\"",
    ),
    (
        "local r = struct.pack('is', 1) return r",
        "false, \"user_script:1: bad argument #3 to 'pack' (string expected, got nil)\"",
    ),
    (
        "local r = struct.pack('q', 1) return r",
        "false, \"user_script:1: bad argument #1 to 'pack' (invalid format option 'q')\"",
    ),
    (
        "local r = struct.pack('i40', 1) return r",
        'false, "user_script:1: integral size 40 is larger than limit of 32"',
    ),
    (
        "local r = struct.pack('i99999999999', 1) return r",
        'false, "user_script:1: integral size overflow"',
    ),
    (
        "local r = struct.pack('!3i', 1) return r",
        'false, "user_script:1: alignment 3 is not a power of 2"',
    ),
    (
        "local r = struct.pack('!0i', 1) return r",
        'false, "user_script:1: alignment 0 is not a power of 2"',
    ),
    (
        "local r = struct.pack('=i', 1) return r",
        "false, \"user_script:1: bad argument #1 to 'pack' (invalid format option '=')\"",
    ),
    (
        "local r = struct.pack('<4', 1) return r",
        "false, \"user_script:1: bad argument #1 to 'pack' (invalid format option '4')\"",
    ),
    (
        "local r = struct.pack('\\200', 1) return r",
        ("false, \"user_script:1: bad argument #1 to 'pack' (invalid format option '\\200')\""),
    ),
    (
        "local r = struct.pack({}, 1) return r",
        "false, \"user_script:1: bad argument #1 to 'pack' (string expected, got table)\"",
    ),
    (
        "local r = struct.pack() return r",
        ("false, \"user_script:1: bad argument #1 to 'pack' (string expected, got no value)\""),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(struct.pack('!bi', 1, 2)), hex(struct.pack('!2bi',"
            " 1, 2)), hex(struct.pack('!bd', 1, 2)), hex(struct.pack('!4bdb', 1, 2, 3)), hex(st"
            "ruct.pack('!bi3', 1, 2)), hex(struct.pack('!8bxbbbbbbi5', 1,2,3,4,5,6,7,8)), hex(s"
            "truct.pack('! b h', 1, 2)), hex(struct.pack('!16bi16', 1, 2))"
        ),
        (
            'true, "0100000002000000", "010002000000", "01000000000000000000000000000040", "010'
            '00000000000000000004003", "010000020000", "0100020304050607000000000800000000", "0'
            '1000200", "0100000000000000000000000000000002000000000000000000000000000000"'
        ),
    ),
    (
        (
            "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x',"
            " c:byte()) end)) end return hex(struct.pack('>i<i', 1, 1)), hex(struct.pack('i\\0i"
            "', 1, 2)), hex(struct.pack('', 1))"
        ),
        'true, "0000000101000000", "01000000", ""',
    ),
    (
        (
            "return struct.unpack('<i9', '\\0\\0\\0\\0\\0\\0\\0\\128\\1'), struct.unpack('<i9',"
            " '\\1\\0\\0\\0\\0\\0\\0\\0\\0'), struct.unpack('>i9', '\\1\\0\\0\\0\\0\\0\\0\\0\\2"
            "55'), struct.unpack('>i16', string.rep('\\255', 16)), struct.unpack('<i16', string"
            ".rep('\\1', 16)), struct.unpack('>i10', '\\0\\128\\0\\0\\0\\0\\0\\0\\0\\0')"
        ),
        "true, -128, 1, -1, -1, 72340172838076672, 0, 11",
    ),
    (
        (
            "return struct.unpack('<I8', string.rep('\\255', 8)), struct.unpack('<i8', string.r"
            "ep('\\255', 8)), struct.unpack('<i0', 'abc'), struct.unpack('>I12', string.rep('\\"
            "255', 12)), struct.unpack('<I5', '\\1\\2\\3\\4\\5'), struct.unpack('>i3', '\\128\\"
            "0\\0'), struct.unpack('<i7', '\\255\\255\\255\\255\\255\\255\\127')"
        ),
        (
            "true, 1.8446744073709552e+19, -1, 0, 1.8446744073709552e+19, 21542142465, -8388608"
            ", 36028797018963968, 8"
        ),
    ),
    (
        "return struct.unpack('bBhHlLTiI', string.rep('\\255', 1+1+2+2+8+8+8+4+4))",
        (
            "true, -1, 255, -1, 65535, -1, 1.8446744073709552e+19, 1.8446744073709552e+19, -1, "
            "4294967295, 39"
        ),
    ),
    (
        (
            "return struct.unpack('', 'abc', -5), struct.unpack('', 'abc', 0/0), struct.unpack("
            "'', 'abc', 2^70)"
        ),
        "true, -5, -9.2233720368547758e+18, -9.2233720368547758e+18",
    ),
    (
        "local r = struct.unpack('!8d', '\\0\\0\\0\\0\\0\\0\\240\\63', -1) return r",
        "false, \"user_script:1: bad argument #2 to 'unpack' (data string too short)\"",
    ),
    (
        "local r = struct.unpack('b', 'abc', 0) return r",
        ("false, \"user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater)\""),
    ),
    (
        "return struct.unpack('b', 'abc', 3)",
        "true, 99, 4",
    ),
    (
        "local r = struct.unpack('b', 'abc', 4) return r",
        "false, \"user_script:1: bad argument #2 to 'unpack' (data string too short)\"",
    ),
    (
        "return struct.unpack('b', 'abc', 3.7)",
        "true, 99, 4",
    ),
    (
        "local r = struct.unpack('b', 'abc', 'x') return r",
        ("false, \"user_script:1: bad argument #3 to 'unpack' (number expected, got string)\""),
    ),
    (
        "local r = struct.unpack('b') return r",
        ("false, \"user_script:1: bad argument #2 to 'unpack' (string expected, got no value)\""),
    ),
    (
        "local r = struct.unpack() return r",
        ("false, \"user_script:1: bad argument #1 to 'unpack' (string expected, got no value)\""),
    ),
    (
        (
            "return struct.unpack('>f<f>d', '\\63\\192\\0\\0\\0\\0\\192\\63\\63\\185\\153\\153"
            "\\153\\153\\153\\154')"
        ),
        "true, 1.5, 1.5, 0.10000000000000001, 17",
    ),
    (
        (
            "local a, b = struct.unpack('>f', '\\127\\192\\0\\1') return tostring(a), struct.pa"
            "ck('>f', a) == '\\127\\192\\0\\1', struct.pack('>d', a)"
        ),
        'true, "nan", true, "\\127\\248\\000\\000 \\000\\000\\000"',
    ),
    (
        (
            "local a = struct.unpack('>d', '\\255\\240\\0\\0\\0\\0\\0\\1') return tostring(a), "
            "struct.pack('>d', a) == '\\255\\240\\0\\0\\0\\0\\0\\1', bit.tobit(a)"
        ),
        'true, "-nan", true, 1',
    ),
    (
        "local a, b = struct.unpack('c3c0', 'abcdefgh') return a, b",
        "false, \"user_script:1: format 'c0' needs a previous size\"",
    ),
    (
        "local r = struct.unpack('c0', 'abc') return r",
        "false, \"user_script:1: format 'c0' needs a previous size\"",
    ),
    (
        "return struct.unpack('bc0', '\\2abc')",
        'true, "ab", 4',
    ),
    (
        "return struct.unpack('c1c0', '3abcd')",
        'true, "abc", 5',
    ),
    (
        "local r = struct.unpack('c1c0', 'xabcd') return r",
        "false, \"user_script:1: format 'c0' needs a previous size\"",
    ),
    (
        "local r = struct.unpack('bc0', '\\9abc') return r",
        "false, \"user_script:1: bad argument #2 to 'unpack' (data string too short)\"",
    ),
    (
        "return struct.unpack('bxc0', '\\2-abc')",
        'true, "ab", 5',
    ),
    (
        "return struct.unpack('s', 'ab\\0cd'), struct.unpack('ss', 'ab\\0cd\\0')",
        'true, "ab", "ab", "cd", 7',
    ),
    (
        "local r = struct.unpack('s', 'abc') return r",
        'false, "user_script:1: unfinished string in data"',
    ),
    (
        "return struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0\\0')",
        "true, 1, 2, 9",
    ),
    (
        "return struct.unpack('!4b i', '\\1\\0\\0\\0\\2\\0\\0\\0', 1)",
        "true, 1, 2, 9",
    ),
    (
        "local r = struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0') return r",
        "false, \"user_script:1: bad argument #2 to 'unpack' (data string too short)\"",
    ),
    (
        "return struct.unpack('b!4i', '\\0\\0\\0\\0\\1\\0\\0\\0\\2\\0\\0\\0', 2)",
        "true, 0, 1, 9",
    ),
    (
        "return struct.unpack('xxb', 'abc')",
        "true, 99, 4",
    ),
    (
        "local r = struct.unpack('z', 'abc') return r",
        ("false, \"user_script:1: bad argument #1 to 'unpack' (invalid format option 'z')\""),
    ),
    (
        "return struct.unpack(' ', 'abc')",
        "true, 1",
    ),
    (
        "local r = struct.unpack(' ', 'abc', 5) return r",
        "false, \"user_script:1: bad argument #2 to 'unpack' (data string too short)\"",
    ),
    (
        "return struct.unpack(' ', 'abc', 4)",
        "true, 4",
    ),
    (
        (
            "return struct.size('i'), struct.size('bhilfdT'), struct.size('!bhilfd'), struct.si"
            "ze('!4bd'), struct.size('c5'), struct.size('i16x'), struct.size(''), struct.size('"
            "z'), struct.size('5'), struct.size('<>'), struct.size('!bi3')"
        ),
        "true, 4, 35, 32, 12, 5, 17, 0, 0, 0, 0, 6",
    ),
    (
        "local r = struct.size('s') return r",
        ("false, \"user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)\""),
    ),
    (
        "local r = struct.size('c0') return r",
        ("false, \"user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size)\""),
    ),
    (
        "local r = struct.size('#') return r",
        "false, \"user_script:1: bad argument #1 to 'size' (invalid format option '#')\"",
    ),
    (
        "local r = struct.size('!5') return r",
        'false, "user_script:1: alignment 5 is not a power of 2"',
    ),
    (
        "local r = struct.size() return r",
        ("false, \"user_script:1: bad argument #1 to 'size' (string expected, got no value)\""),
    ),
    (
        "local r = struct.size(12) return r",
        "true, 0",
    ),
    (
        (
            "local s = string.rep('b', 7998) local ok, e = pcall(struct.unpack, s, string.rep('"
            "\\1', 7998)) return ok, e"
        ),
        'true, false, "stack overflow (too many results)"',
    ),
    (
        (
            "local s = string.rep('b', 7997) local ok, e = pcall(struct.unpack, s, string.rep('"
            "\\1', 7997)) return ok, select('#', struct.unpack(s, string.rep('\\1', 7997)))"
        ),
        "true, true, 7998",
    ),
    (
        (
            "local s = string.rep('b', 7996) local ok, e = pcall(struct.unpack, s, string.rep('"
            "\\1', 7996), 1) return ok, select('#', struct.unpack(s, string.rep('\\1', 7996), 1"
            "))"
        ),
        "true, true, 7997",
    ),
    (
        (
            "local s = string.rep('b', 7997) local ok, e = pcall(struct.unpack, s, string.rep('"
            "\\1', 7997), 1) return ok, e"
        ),
        'true, false, "stack overflow (too many results)"',
    ),
    (
        (
            "return struct.unpack('>i', struct.pack('>i', -123456)), struct.unpack('<d', struct"
            ".pack('<d', 1/3)), struct.unpack('s', struct.pack('s', 'hello'))"
        ),
        'true, -123456, 0.33333333333333331, "hello", 7',
    ),
    (
        (
            'return struct.unpack("I5fc0L", "\\147\\134\\103\\165\\109\\93\\1\\167\\127\\9\\192'
            '\\178\\124\\137\\90\\191\\85\\53\\195\\44\\104\\9", 5)'
        ),
        'true, 548262731117, "", 7.5065893127590615e+18, 22',
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', 0/0) .. 'abc')",
        "true, false, \"bad argument #2 to '?' (data string too short)\"",
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', 1/0) .. 'abc')",
        'true, true, "", 9',
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', -1/0) .. 'abc')",
        "true, false, \"bad argument #2 to '?' (data string too short)\"",
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', 2^63) .. 'abc')",
        "true, false, \"bad argument #2 to '?' (data string too short)\"",
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', 2^64) .. 'abc')",
        'true, true, "", 9',
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', -0.5) .. 'abc')",
        'true, true, "", 9',
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', -1) .. 'abc')",
        "true, false, \"bad argument #2 to '?' (data string too short)\"",
    ),
    (
        "return pcall(struct.unpack, 'dc0', struct.pack('d', 2.9) .. 'abc')",
        'true, true, "ab", 11',
    ),
]


@pytest.mark.parametrize("snippet, expected", CASES)
def test_struct(snippet: str, expected: str) -> None:
    assert run(new_runtime(), snippet) == expected
