"""The List value: entry sizes, node layouts and encoding conversions.

Every expected size and layout below was read from Valkey 8.0.1 itself (DEBUG LISTPACK /
DEBUG QUICKLIST after the same writes): a layout is ``("listpack", bytes, count)`` or
``("quicklist", fill, [(plain, bytes, count) per node])``. The helpers replay what the
commands do around the engine (the growth check before writing, the shrink check after
removing).
"""

from __future__ import annotations

from typing import Any

import pytest

from minivalkey.engine.lists import LISTPACK, QUICKLIST, List, entry_size, list_memory
from minivalkey.engine.types import copy_value, spec_of, state_of


def layout(value: List) -> tuple[Any, ...]:
    value.check_invariants()
    if value.encoding == LISTPACK:
        node = value.nodes[0]
        return (LISTPACK, node.sz, len(node.items))
    return (QUICKLIST, value.fill, [(n.plain, n.sz, len(n.items)) for n in value.nodes])


def push(value: List, items: list[bytes], fill: int, head: bool = False) -> List:
    value.grow(sum(map(len, items)), len(items), fill, 0)
    for item in items:
        value.push(item, head)
    return value


def built(items: list[bytes], fill: int = -2, *more: list[bytes]) -> List:
    value = push(List(), items, fill)
    for batch in more:
        push(value, batch, fill)
    return value


def x(size: int, char: bytes = b"x") -> bytes:
    return char * size


def numbers(count: int) -> list[bytes]:
    return [b"%d" % n for n in range(1, count + 1)]


# -- entry sizes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "size"),
    [
        (b"0", 2), (b"127", 2), (b"128", 3), (b"-1", 3), (b"4095", 3), (b"4096", 4),
        (b"-4096", 3), (b"-4097", 4), (b"32767", 4), (b"32768", 5), (b"-32768", 4),
        (b"-32769", 5), (b"8388607", 5), (b"8388608", 6), (b"2147483647", 6),
        (b"2147483648", 10), (b"-2147483648", 6), (b"-2147483649", 10),
        (b"9223372036854775807", 10), (b"-9223372036854775808", 10),
        (b"9223372036854775808", 21), (b"01", 4), (b"-0", 4), (b"a", 3),
        (x(62), 64), (x(63), 65), (x(64), 67), (x(125), 128), (x(126), 130), (x(127), 131),
        (x(4094), 4098), (x(4095), 4099), (x(4096), 4103),
    ],
)  # fmt: skip
def test_entry_sizes_follow_the_listpack_encodings(element: bytes, size: int) -> None:
    assert entry_size(element) == size
    assert layout(built([element])) == (LISTPACK, 7 + size, 1)


# -- listpack to quicklist ---------------------------------------------------------------


def test_the_byte_limit_is_checked_with_the_raw_lengths_before_writing() -> None:
    assert layout(built([x(100)] * 79)) == (LISTPACK, 8144, 79)
    # One push of 80 strings: 7 + 8000 raw bytes fit, so all of them join the listpack.
    assert layout(built([x(100)] * 80)) == (LISTPACK, 8247, 80)
    assert layout(built([x(100)] * 81)) == (LISTPACK, 8350, 81)
    # One more on top of 8144 bytes outgrows 8192: a quicklist, the listpack its first node.
    grown = built([x(100)] * 79, -2, [x(100)])
    assert layout(grown) == (QUICKLIST, -2, [(False, 8144, 79), (False, 110, 1)])


def test_quicklist_nodes_fill_up_with_the_entry_overhead_estimate() -> None:
    value = built([x(100)] * 79, -2, [x(100)] * 121)
    nodes = [(False, 8144, 79), (False, 8144, 79), (False, 4333, 42)]
    assert layout(value) == (QUICKLIST, -2, nodes)


def test_count_fills() -> None:
    assert layout(built([b"a", b"b", b"c"], 3)) == (LISTPACK, 16, 3)
    assert layout(built([b"a", b"b", b"c", b"d"], 3)) == (
        QUICKLIST, 3, [(False, 16, 3), (False, 10, 1)],
    )  # fmt: skip
    # 0 is taken as 1.
    assert layout(built([b"a"], 0)) == (LISTPACK, 10, 1)
    assert layout(built([b"a", b"b"], 0)) == (QUICKLIST, 0, [(False, 10, 1), (False, 10, 1)])


def test_fills_below_minus_five_use_64kb() -> None:
    value = built([x(60000)], -6, [x(5536)])
    assert layout(value) == (QUICKLIST, -5, [(False, 60015, 1), (False, 5550, 1)])
    assert layout(built([x(60000)], -6, [x(5520)])) == (LISTPACK, 65542, 2)


# -- quicklist to listpack -------------------------------------------------------------


def test_shrinking_goes_back_to_listpack_only_within_half_the_limits() -> None:
    value = built([b"a", b"b", b"c", b"d", b"e", b"f", b"g"], 3)
    value.pop_many(head=False, count=5)
    value.shrink(3)
    assert layout(value) == (QUICKLIST, 3, [(False, 13, 2)])  # 2 > 3 // 2
    value = built([b"a", b"b", b"c", b"d", b"e", b"f", b"g"], 3)
    value.pop_many(head=False, count=6)
    value.shrink(3)
    assert layout(value) == (LISTPACK, 10, 1)
    # Two nodes left: no conversion, however small.
    value = built([b"a", b"b", b"c", b"d", b"e"], 4)
    value.pop_many(head=True, count=3)
    value.shrink(4)
    assert layout(value) == (QUICKLIST, 4, [(False, 10, 1), (False, 10, 1)])


def test_trim_and_replace_shrink() -> None:
    value = built([b"a", b"b", b"c", b"d"], 3)
    assert value.trim(1, 1) == 3
    value.shrink(3)
    assert layout(value) == (LISTPACK, 10, 1)
    value = built([b"a", b"b", b"c", b"d"], 3)
    value.trim(1, 2)
    value.shrink(3)
    assert layout(value) == (QUICKLIST, 3, [(False, 13, 2)])
    value = built([x(5000, b"L"), b"a", b"b"], -1)
    value.pop_many(head=False, count=2)
    value.shrink(-1)
    assert value.encoding == QUICKLIST
    value.grow(1, 1, -1, 0)
    assert value.replace(-1, b"c")
    value.shrink(-1)
    assert layout(value) == (LISTPACK, 10, 1)


def test_a_failed_replace_may_still_have_converted() -> None:
    value = built([b"a"], 1)
    value.grow(1, 1, 1, 0)  # LSET's check counts one more element, as Valkey's does
    assert not value.replace(1, b"b")
    assert layout(value) == (QUICKLIST, 1, [(False, 10, 1)])


# -- inserts, splits, merges ------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "pivot", "after", "expected"),
    [
        (8, b"2", True, [(False, 11, 2), (False, 14, 3), (False, 15, 4)]),
        (8, b"6", False, [(False, 15, 4), (False, 12, 2), (False, 13, 3)]),
        (8, b"4", True, [(False, 15, 4), (False, 10, 1), (False, 15, 4)]),
        (8, b"5", False, [(False, 15, 4), (False, 10, 1), (False, 15, 4)]),
        (7, b"4", True, [(False, 15, 4), (False, 16, 4)]),
    ],
)
def test_insert_into_full_nodes(
    count: int, pivot: bytes, after: bool, expected: list[tuple[bool, int, int]]
) -> None:
    value = built(numbers(count), 4)
    value.grow(1, 1, 4, 0)
    assert value.insert(pivot, b"n", after)
    assert layout(value) == (QUICKLIST, 4, expected)


def test_a_split_merges_the_neighbours_that_fit() -> None:
    value = built(numbers(12), 4)
    for gone in (b"5", b"6", b"1"):
        value.remove(gone, 0)
    value.grow(1, 1, 4, 0)
    assert value.insert(b"10", b"n", after=True)
    assert layout(value) == (QUICKLIST, 4, [(False, 13, 3), (False, 15, 4), (False, 14, 3)])
    assert value.to_list() == [b"2", b"3", b"4", b"7", b"8", b"9", b"10", b"n", b"11", b"12"]


def test_plain_nodes() -> None:
    big = x(9000, b"L")
    value = built([b"a", big, b"b"])
    assert layout(value) == (QUICKLIST, -2, [(False, 10, 1), (True, 9000, 1), (False, 10, 1)])
    value = built([b"a", b"b", b"c", b"d"])
    value.grow(len(big), 1, -2, 0)
    assert value.insert(b"b", big, after=True)
    assert layout(value) == (QUICKLIST, -2, [(False, 13, 2), (True, 9000, 1), (False, 13, 2)])
    value = built([b"a", b"b", b"c", b"d"])
    value.grow(len(big), 1, -2, 0)
    assert value.replace(1, big)
    assert layout(value) == (QUICKLIST, -2, [(False, 10, 1), (True, 9000, 1), (False, 13, 2)])
    assert value.to_list() == [b"a", big, b"c", b"d"]


def test_replacing_in_a_plain_node() -> None:
    big = x(9000, b"L")
    value = built([b"a", big, b"b"])
    assert value.replace(1, b"small")
    assert layout(value) == (QUICKLIST, -2, [(False, 10, 1), (False, 17, 2)])
    value = built([b"a", big, b"b"])
    assert value.replace(1, x(9500, b"M"))
    assert layout(value) == (QUICKLIST, -2, [(False, 10, 1), (True, 9500, 1), (False, 10, 1)])
    value = built([b"a", big, b"b"])
    assert value.remove(big, 0) == 1
    assert layout(value) == (QUICKLIST, -2, [(False, 10, 1), (False, 10, 1)])


# -- reading -----------------------------------------------------------------------------


def test_index_range_and_positions_across_nodes() -> None:
    value = built([b"%d" % (n % 5) for n in range(40)], 3)
    assert len(value.nodes) == 14
    assert value.index(0) == b"0"
    assert value.index(-1) == b"4"
    assert value.index(40) is None
    assert value.index(-41) is None
    assert value.range(3, 7) == [b"3", b"4", b"0", b"1", b"2"]
    assert value.range(-3, 100) == [b"2", b"3", b"4"]
    assert value.range(5, 2) == []
    assert value.positions(b"1", 1, 0, 0) == [1, 6, 11, 16, 21, 26, 31, 36]
    assert value.positions(b"1", -2, 2, 0) == [31, 26]
    assert value.positions(b"1", 1, -1, 0) == [1]
    assert value.positions(b"1", 1, 0, 7) == [1, 6]
    assert value.positions(b"9", 1, 0, 0) == []


def test_pop_many_answers_in_popping_order() -> None:
    value = built(numbers(10), 3)
    assert value.pop_many(head=False, count=4) == [b"10", b"9", b"8", b"7"]
    assert value.pop_many(head=True, count=2) == [b"1", b"2"]
    assert value.pop(head=True) == b"3"
    assert value.to_list() == [b"4", b"5", b"6"]
    layout(value)


def test_remove_from_either_end() -> None:
    value = built([b"a", b"b", b"a", b"c", b"a"], 2)
    assert value.remove(b"a", -2) == 2
    assert value.to_list() == [b"a", b"b", b"c"]
    assert value.remove(b"a", 5) == 1
    assert value.to_list() == [b"b", b"c"]
    layout(value)


# -- the value type ------------------------------------------------------------------------


def test_copy_shares_nothing_and_keeps_the_layout() -> None:
    value = built(numbers(10), 3)
    duplicate = copy_value(value)
    assert duplicate is not value
    assert state_of(duplicate) == state_of(value)
    duplicate.push(b"new", head=True)
    assert value.to_list() == numbers(10)
    assert state_of(duplicate) != state_of(value)
    assert all(a is not b for a, b in zip(value.nodes, duplicate.nodes, strict=False))


def test_the_type_spec() -> None:
    value = built([b"a"])
    spec = spec_of(value)
    assert spec.name == "list"
    assert spec.encoding(value) == "listpack"
    assert spec.encoding(built(numbers(4), 3)) == "quicklist"
    assert list_memory(value, 5) == 16 + 16  # the object and a 10-byte listpack's class
    assert list_memory(built(numbers(4), 3), 0) > 56
