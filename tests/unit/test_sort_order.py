"""What SORT reads and how it orders, without a server.

* ``strtod``: values and refusals as glibc 2.36's strtod gives them (checked with a C
  program calling it, errno and end pointer included), including the range errors at
  the edges of the double format.
* ``partial_quicksort``: the permutations Valkey 8.0.1's pqsort leaves (checked by
  running it on the same inputs), which decide the order of equal elements.
* SORT's argument handling: LIMIT clamping, patterns taken apart as C sees them,
  the keys COMMAND GETKEYS names, and ``List.built`` (the stored list's layout).
"""

from __future__ import annotations

import math

import pytest

from minivalkey.commands.sort import Pattern, _sort_keys, clamp_limit, parse_options
from minivalkey.commands.sortorder import partial_quicksort, strtod
from minivalkey.engine.lists import List
from minivalkey.errors import CommandError

# (argument, the double strtod gives, or None when SORT refuses the argument)
STRTOD = [
    (b"12", 12.0),
    (b"-0", -0.0),
    (b"1.5", 1.5),
    (b".5", 0.5),
    (b"5.", 5.0),
    (b"+.5", 0.5),
    (b"-.5e-1", -0.05),
    (b"1.e5", 100000.0),
    (b"00012", 12.0),
    (b" 12", 12.0),
    (b"\t\n\v\f\r7", 7.0),
    (b"", 0.0),
    (b"12 ", None),
    (b" ", None),
    (b"+", None),
    (b"-", None),
    (b".", None),
    (b"1e", None),
    (b"1e+", None),
    (b"1,5", None),
    (b"1_0", None),
    (b"+-1", None),
    (b"- 1", None),
    (b"12\x00abc", 12.0),
    (b"\x0012", 0.0),
    (b"0x10", 16.0),
    (b"  -0x10", -16.0),
    (b"0X1P3", 8.0),
    (b"0x1.", 1.0),
    (b"0x.8", 0.5),
    (b"0x", None),
    (b"0x.p1", None),
    (b"0x1p+", None),
    (b"0x1_0", None),
    (b"inf", math.inf),
    (b"INF", math.inf),
    (b"-infinity", -math.inf),
    (b"Infinity", math.inf),
    (b"infinit", None),
    (b"nan", None),
    (b"-nan", None),
    (b"nan(1)", None),
    (b"1e308", 1e308),
    (b"1e309", None),
    (b"1e99999999999999999999", None),
    (b"0x1.fffffffffffffp1023", 1.7976931348623157e308),
    (b"0x1.fffffffffffff8p1023", None),
    (b"0e-999999", 0.0),
    (b"0.0000", 0.0),
    (b"+0x0p9999999", 0.0),
    (b"1e-400", None),
    (b"-1e-400", None),
    (b"1e-99999999999999999999", None),
    (b"1e-320", None),
    (b"4.9406564584124654e-324", None),
    (b"0x1p-1074", 5e-324),
    (b"0x1p-1070", 7.905050333459945e-323),
    (b"0x1.8p-1074", None),
    (b"0x1p-1075", None),
    (b"0x1.ffffffffffffep-1023", 2.225073858507200889e-308),
    (b"0x0.fffffffffffff8p-1022", None),
    (b"0x0.fffffffffffffcp-1022", 2.2250738585072014e-308),
    (b"0x1.0000000000001p-1022", 2.225073858507201877e-308),
    (b"2.2250738585072011e-308", None),
    (b"2.2250738585072012e-308", None),
    (b"2.2250738585072013e-308", 2.2250738585072014e-308),
    (b"2.2250738585072014e-308", 2.2250738585072014e-308),
    (b"3.14159265358979323846264338327950288", 3.141592653589793),
    (b"9223372036854775807", 9.223372036854776e18),
]


@pytest.mark.parametrize(("raw", "expected"), STRTOD)
def test_strtod(raw: bytes, expected: float | None) -> None:
    value = strtod(raw)
    if expected is None:
        assert value is None
    else:
        assert value == expected and math.copysign(1, value) == math.copysign(1, expected)


def test_strtod_long_subnormal_inputs() -> None:
    # 2**-1074 written out exactly is no range error; one digit more makes it inexact.
    exact = format(2.0**-1074, ".1100f").rstrip("0").encode()
    assert len(exact) > 700
    assert strtod(exact) == 2.0**-1074
    assert strtod(exact + b"1") is None
    assert strtod(b"0." + b"0" * 5000 + b"1") is None
    assert strtod(b"1" + b"0" * 5000 + b"e-5300") == 1e-300


# (keys, first, last, desc, the permutation of positions pqsort leaves)
PQSORT = [
    ([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], 0, 3, False, [9, 1, 3, 5, 7, 8, 6, 2, 0, 4]),
    ([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], 2, 4, True, [2, 6, 4, 8, 0, 9, 1, 3, 5, 7]),
    ([0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0], 0, 4, False, [11, 1, 10, 0, 3, 4, 5, 6, 8, 9, 2, 7]),
    ([2, 1, 2, 1, 2, 1], 0, 2, False, [1, 3, 5, 0, 2, 4]),
    ([1, 1, 1, 1, 1, 1, 1, 1], 7, 7, True, [7, 1, 2, 3, 4, 5, 6, 0]),
    (
        [1, 0, 2, 0, 3, 3, 3, 3, 1, 0, 3, 0, 3, 3, 0, 3, 2, 1, 0, 2, 0, 0, 0, 0, 3, 1, 3, 0, 1,
         3, 3, 1, 2, 1, 1, 3, 2, 0, 3, 0, 1, 2, 0, 2, 3],
        10,
        12,
        False,
        [20, 18, 42, 3, 39, 37, 27, 23, 1, 9, 22, 11, 21, 14, 34, 8, 17, 25, 28, 31, 33, 0, 40,
         7, 24, 4, 26, 6, 44, 29, 30, 41, 32, 2, 43, 35, 36, 5, 16, 38, 15, 19, 13, 12, 10],
    ),
    ([], 0, -1, False, []),
]


@pytest.mark.parametrize(("keys", "first", "last", "desc", "expected"), PQSORT)
def test_partial_quicksort_takes_valkeys_steps(
    keys: list[int], first: int, last: int, desc: bool, expected: list[int]
) -> None:
    items = list(enumerate(keys))
    sign = -1 if desc else 1

    def compare(a: tuple[int, int], b: tuple[int, int]) -> int:
        return sign * ((a[1] > b[1]) - (a[1] < b[1]))

    partial_quicksort(items, compare, first, last)
    assert [position for position, _ in items] == expected


def test_partial_quicksort_sorts_the_wanted_range() -> None:
    keys = [(7 * n) % 101 for n in range(300)]
    for first, last in ((0, 9), (150, 160), (290, 299), (0, 299)):
        items = list(keys)
        partial_quicksort(items, lambda a, b: (a > b) - (a < b), first, last)
        assert items[first : last + 1] == sorted(keys)[first : last + 1]


@pytest.mark.parametrize(
    ("offset", "count", "length", "expected"),
    [
        (0, -1, 5, (0, 4)),
        (1, 2, 5, (1, 2)),
        (-5, 2, 5, (0, 1)),
        (3, -7, 5, (3, 4)),
        (4, 10, 5, (4, 4)),
        (5, 1, 5, (4, 3)),
        (9, 9, 5, (4, 3)),
        (0, 0, 5, (0, -1)),
        (0, -1, 0, (-1, -2)),
        (2**63 - 1, 2**63 - 1, 3, (2, 1)),
        (-(2**63), 2, 3, (0, 1)),
    ],
)
def test_limit_clamping(offset: int, count: int, length: int, expected: tuple[int, int]) -> None:
    assert clamp_limit(offset, count, length) == expected


@pytest.mark.parametrize(
    ("raw", "element", "constant", "prefix", "suffix", "field"),
    [
        (b"#", True, False, b"", b"", None),
        (b"#\x00x", True, False, b"", b"", None),
        (b"##", False, True, b"", b"", None),
        (b"nosort", False, True, b"", b"", None),
        (b"w_\x00*", False, True, b"", b"", None),
        (b"w_*", False, False, b"w_", b"", None),
        (b"a*b*c", False, False, b"a", b"b*c", None),
        (b"h_*->f", False, False, b"h_", b"", b"f"),
        (b"h_*x->f->g", False, False, b"h_", b"x", b"f->g"),
        (b"h_*->", False, False, b"h_", b"->", None),
        (b"h_*->\x00f", False, False, b"h_", b"->\x00f", None),
        (b"h_*->f\x00g", False, False, b"h_", b"", b"f\x00g"),
        (b"h_*\x00->f", False, False, b"h_", b"\x00->f", None),
        (b"h->*", False, False, b"h->", b"", None),
    ],
)
def test_patterns_as_c_sees_them(
    raw: bytes,
    element: bool,
    constant: bool,
    prefix: bytes,
    suffix: bytes,
    field: bytes | None,
) -> None:
    pattern = Pattern(raw)
    assert (pattern.element, pattern.constant) == (element, constant)
    if not element and not constant:
        assert (pattern.prefix, pattern.suffix, pattern.field) == (prefix, suffix, field)


def test_options() -> None:
    # A constant BY turns sorting off for good, even when a later BY has a '*'.
    opts = parse_options([b"SORT", b"k", b"BY", b"no", b"by", b"w_*", b"LIMIT", b"1", b"2"], False)
    assert opts.dontsort and opts.by is not None and not opts.by.constant
    assert (opts.offset, opts.count) == (1, 2)
    opts = parse_options([b"SORT", b"k", b"STORE", b"a", b"STORE", b"b", b"DESC", b"ASC"], False)
    assert opts.store == b"b" and not opts.desc
    with pytest.raises(CommandError, match="syntax error"):
        parse_options([b"SORT_RO", b"k", b"STORE", b"a"], True)
    with pytest.raises(CommandError, match="not an integer"):
        parse_options([b"SORT", b"k", b"LIMIT", b"1", b"x", b"junk"], False)


@pytest.mark.parametrize(
    ("argv", "positions"),
    [
        ([b"SORT", b"k"], [1]),
        ([b"SORT", b"k", b"STORE"], [1]),
        ([b"SORT", b"k", b"store", b"a", b"STORE", b"b"], [1, 5]),
        ([b"SORT", b"k", b"STORE", b"limit", b"1", b"2"], [1, 3]),
        ([b"SORT", b"k", b"LIMIT", b"STORE", b"x", b"y", b"STORE", b"z"], [1, 7]),
        ([b"SORT", b"k", b"BY", b"store", b"GET", b"store", b"x"], [1]),
    ],
)
def test_sort_keys(argv: list[bytes], positions: list[int]) -> None:
    found = _sort_keys(argv)
    assert [position for position, _ in found] == positions
    assert found[0][1] == ("RO", "access")
    assert all(flags == ("OW", "update") for _, flags in found[1:])


@pytest.mark.parametrize(
    ("items", "fill", "depth", "encoding", "nodes"),
    [
        ([b"%d" % n for n in range(1, 10)], 4, 0, "quicklist", [4, 4, 1]),
        ([b"%d" % n for n in range(1, 5)], 4, 0, "listpack", [4]),
        ([b"x" * 1000] * 9, -1, 2, "quicklist", [4, 4, 1]),
        ([b"x" * 1000] * 4, -1, 2, "listpack", [4]),
        ([b"x" * 1000], 0, 0, "listpack", [1]),
        ([b"y" * 9000], -2, 0, "quicklist", [1]),
        ([b"1"] * 6000, -1, 12, "quicklist", [2041, 2041, 1918]),
    ],
)
def test_built_lists(
    items: list[bytes], fill: int, depth: int, encoding: str, nodes: list[int]
) -> None:
    """The layouts DEBUG OBJECT shows for lists SORT ... STORE built on Valkey 8.0.1."""
    built = List.built(items, fill, depth)
    built.check_invariants()
    assert built.encoding == encoding
    assert [len(node.items) for node in built.nodes] == nodes
    assert built.to_list() == items
    if encoding == "quicklist":
        assert (built.fill, built.compress) == (fill, depth)
