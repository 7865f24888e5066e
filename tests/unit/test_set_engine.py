"""The Set value: encodings and their conversions, orders, random picks, cursors, copies."""

from __future__ import annotations

import random

import pytest

from minivalkey.engine.sets import (
    HASHTABLE,
    INTSET,
    LISTPACK,
    Set,
    SetLimits,
    as_int64,
    listpack_entry_size,
    set_memory,
)
from minivalkey.engine.types import copy_value, spec_of, state_of, type_name

DEFAULT = SetLimits(512, 128, 64)
SMALL = SetLimits(4, 3, 5)


def make(members: list[bytes], limits: SetLimits = DEFAULT) -> Set:
    """A set built as one SADD of ``members`` would build it."""
    value = Set.create(members[0], len(members), limits)
    for member in members:
        value.add(member, limits)
    return value


def ints(*values: int) -> list[bytes]:
    return [b"%d" % value for value in values]


# -- the integer test ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b"0", 0),
        (b"-1", -1),
        (b"9223372036854775807", 2**63 - 1),
        (b"-9223372036854775808", -(2**63)),
        (b"9223372036854775808", None),
        (b"-9223372036854775809", None),
        (b"01", None),
        (b"-0", None),
        (b"+1", None),
        (b" 1", None),
        (b"1 ", None),
        (b"", None),
        (b"-", None),
        (b"1.0", None),
        (b"1\x00", None),
    ],
)
def test_only_the_canonical_spelling_of_a_64_bit_integer_counts(
    text: bytes, value: int | None
) -> None:
    assert as_int64(text) == value


# -- creation ----------------------------------------------------------------------------


def test_create_picks_the_encoding_from_the_first_member_and_the_hint() -> None:
    assert Set.create(b"1", 1, DEFAULT).encoding == INTSET
    assert Set.create(b"a", 1, DEFAULT).encoding == LISTPACK
    assert Set.create(b"1", 512, DEFAULT).encoding == INTSET
    assert Set.create(b"1", 513, DEFAULT).encoding == HASHTABLE
    assert Set.create(b"a", 128, DEFAULT).encoding == LISTPACK
    assert Set.create(b"a", 129, DEFAULT).encoding == HASHTABLE
    # Past the intset limit but within the listpack one: a listpack.
    assert Set.create(b"1", 5, SMALL._replace(listpack_entries=10)).encoding == LISTPACK
    # No intsets at all under a zero limit.
    assert Set.create(b"1", 1, SetLimits(0, 128, 64)).encoding == LISTPACK


def test_one_batch_decides_from_its_first_member() -> None:
    # SADD k a 1 2: a listpack from the start (intset only when the first is an integer).
    assert make([b"a", b"1", b"2"]).encoding == LISTPACK
    assert make([b"1", b"2", b"a"]).encoding == LISTPACK
    assert make(ints(1, 2, 3)).encoding == INTSET


def test_a_batch_too_large_for_the_encoding_converts_first_even_if_all_duplicates() -> None:
    value = make([b"a"], SMALL)
    value.maybe_convert(4, SMALL)  # four members announced, the listpack holds three
    assert value.encoding == HASHTABLE
    value = make(ints(1), SMALL)
    value.maybe_convert(4, SMALL)
    assert value.encoding == INTSET  # an intset holds four
    value.maybe_convert(5, SMALL)
    assert value.encoding == HASHTABLE
    value = make(ints(1), SMALL)
    value.maybe_convert(3, SMALL)
    assert value.encoding == INTSET


# -- conversions on add ---------------------------------------------------------------------


def test_an_intset_given_a_string_becomes_a_listpack_when_it_fits() -> None:
    value = make(ints(3, 1, 2))
    assert value.add(b"a", DEFAULT)
    assert value.encoding == LISTPACK
    assert value.members() == [b"1", b"2", b"3", b"a"]  # sorted integers, then the string


def test_an_intset_given_a_string_becomes_a_hashtable_when_it_does_not_fit() -> None:
    limits = SetLimits(512, 3, 5)
    full = make(ints(1, 2, 3), limits)  # three entries: a fourth passes the listpack limit
    full.add(b"a", limits)
    assert full.encoding == HASHTABLE
    long_member = make(ints(1), limits)
    long_member.add(b"abcdef", limits)  # six bytes, the listpack value limit is five
    assert long_member.encoding == HASHTABLE
    long_integer = make(ints(123456), limits)  # an integer of six digits
    long_integer.add(b"a", limits)
    assert long_integer.encoding == HASHTABLE
    negative = make(ints(-1234), limits)  # five characters with the sign: it fits
    negative.add(b"a", limits)
    assert negative.encoding == LISTPACK


def test_an_intset_past_its_limit_becomes_a_hashtable() -> None:
    value = make(ints(1, 2, 3, 4), SMALL)
    assert value.encoding == INTSET
    assert not value.add(b"4", SMALL)  # a duplicate changes nothing
    assert value.encoding == INTSET
    assert value.add(b"5", SMALL)
    assert value.encoding == HASHTABLE
    assert sorted(value.members()) == sorted(ints(1, 2, 3, 4, 5))


def test_a_listpack_past_either_limit_becomes_a_hashtable() -> None:
    value = make([b"a", b"b", b"c"], SMALL)
    assert value.encoding == LISTPACK
    value.add(b"d", SMALL)
    assert value.encoding == HASHTABLE
    value = make([b"a"], SMALL)
    value.add(b"bbbbb", SMALL)
    assert value.encoding == LISTPACK
    value.add(b"cccccc", SMALL)
    assert value.encoding == HASHTABLE


def test_removals_never_convert() -> None:
    value = make([b"x" * 100, b"a", b"1"])
    assert value.encoding == HASHTABLE
    assert value.remove(b"x" * 100)
    assert not value.remove(b"x" * 100)
    assert value.encoding == HASHTABLE
    small = make(ints(1, 2))
    small.add(b"a", DEFAULT)
    small.remove(b"a")
    assert small.encoding == LISTPACK


def test_to_intset_if_fits() -> None:
    value = Set(LISTPACK)
    for member in ints(5, -3, 10):
        value.add(member, DEFAULT)
    value.to_intset_if_fits(DEFAULT)
    assert value.encoding == INTSET
    assert value.members() == ints(-3, 5, 10)
    big = Set(HASHTABLE)
    for member in ints(*range(5)):
        big.add(member, SMALL)
    big.to_intset_if_fits(SMALL)  # five integers, the intset holds four
    assert big.encoding == HASHTABLE


# -- reading -------------------------------------------------------------------------------


def test_orders_intset_numeric_listpack_insertion() -> None:
    value = make(ints(10, -2, 3, 9223372036854775807, -9223372036854775808))
    assert value.members() == ints(-9223372036854775808, -2, 3, 10, 9223372036854775807)
    assert list(value) == value.members()
    listpack = make([b"z", b"1", b"a", b"m"])
    listpack.remove(b"1")
    listpack.add(b"1", DEFAULT)
    assert listpack.members() == [b"z", b"a", b"m", b"1"]


def test_membership_in_each_encoding() -> None:
    for members in (ints(1, 2, 3), [b"a", b"1"], [b"a", b"x" * 100]):
        value = make(members)
        for member in members:
            assert member in value
        assert b"nope" not in value
        assert b"01" not in value
        assert len(value) == len(members)
    assert b"01" not in make(ints(1))
    assert b"-0" not in make(ints(0))


# -- random members --------------------------------------------------------------------------


@pytest.mark.parametrize("members", [ints(*range(20)), [b"a%d" % n for n in range(20)]])
def test_random_picks_come_from_the_set(members: list[bytes]) -> None:
    random.seed(3)
    value = make(members)
    for _ in range(50):
        assert value.random_member() in value
    assert set(value.random_members(200)) <= set(members)
    sample = value.distinct_sample(7)
    assert len(set(sample)) == 7 and set(sample) <= set(members)


def test_an_ordered_sample_keeps_the_sets_order() -> None:
    random.seed(5)
    value = make([b"e", b"d", b"c", b"b", b"a", b"1"])
    order = value.members()
    for _ in range(20):
        sample = value.ordered_sample(3)
        assert len(sample) == 3
        assert sample == [member for member in order if member in sample]


def test_pop_random_until_empty_in_each_encoding() -> None:
    random.seed(8)
    for members in (ints(*range(10)), [b"a%d" % n for n in range(10)], [b"x" * 70, b"a"]):
        value = make(members)
        popped = [value.pop_random() for _ in range(len(members))]
        assert sorted(popped) == sorted(members)
        assert len(value) == 0


def test_hashtable_removal_keeps_the_index_consistent() -> None:
    rng = random.Random(1)
    value = make([b"m%d" % n for n in range(300)])
    assert value.encoding == HASHTABLE
    alive = {b"m%d" % n for n in range(300)}
    for _ in range(1000):
        member = b"m%d" % rng.randrange(400)
        if rng.random() < 0.5:
            assert value.remove(member) == (member in alive)
            alive.discard(member)
        else:
            assert value.add(member, DEFAULT) == (member not in alive)
            alive.add(member)
        assert len(value) == len(alive)
    assert set(value.members()) == alive
    assert all(member in value for member in alive)


def test_remove_all_and_replace_with() -> None:
    value = make([b"a", b"b", b"c", b"d"])
    value.remove_all([b"b", b"d"])
    assert value.members() == [b"a", b"c"]
    other = make(ints(7, 8))
    value.replace_with(other)
    assert value.encoding == INTSET and value.members() == ints(7, 8)


# -- cursors -----------------------------------------------------------------------------------


def test_a_hashtable_scan_returns_every_member_once_despite_changes() -> None:
    value = make([b"m%d" % n for n in range(500)])
    stable = {b"m%d" % n for n in range(250)}
    seen: list[bytes] = []
    cursor, added = 0, 0
    while True:
        cursor, found = value.scan(cursor, 10)
        seen += found
        for n in range(3):
            value.remove(b"m%d" % (499 - added - n))
        for _ in range(3):
            value.add(b"new%d" % added, DEFAULT)
            added += 1
        if cursor == 0:
            break
    assert stable <= set(seen)
    assert len(seen) == len(set(seen))
    assert all(member in value or not member.startswith(b"new") for member in seen)


def test_conversions_and_copies_drop_the_cursor_order() -> None:
    value = make([b"x" * 70, b"a"])
    value.scan(0, 1)
    assert value.scan_order is not None
    assert value.copy().scan_order is None
    value.replace_with(make([b"b"]))
    assert value.scan_order is None


# -- the type registration --------------------------------------------------------------------


def test_registered_as_the_set_type() -> None:
    value = make([b"a", b"1"])
    assert type_name(value) == "set"
    assert spec_of(value).encoding(value) == "listpack"
    assert state_of(value) == ("listpack", (b"a", b"1"))


def test_copy_shares_nothing_and_keeps_encoding_and_order() -> None:
    for members in (ints(3, 1), [b"b", b"a"], [b"x" * 70, b"a"]):
        value = make(members)
        clone = copy_value(value)
        assert clone is not value
        assert state_of(clone) == state_of(value)
        clone.add(b"new", DEFAULT)
        assert b"new" not in value
        assert len(value) == len(members)


def test_memory_grows_with_the_members() -> None:
    assert listpack_entry_size(b"1") == 2
    assert listpack_entry_size(b"abc") == 5
    assert listpack_entry_size(b"x" * 100) == 2 + 100 + 1
    for members in (ints(1, 2), [b"a", b"b"], [b"x" * 70, b"a"]):
        small = make(members)
        large = make(members + [b"%d" % n for n in range(100, 120)])
        assert 0 < set_memory(small, 5) < set_memory(large, 5)
    hashtable = make([b"x" * 70] + [b"m%d" % n for n in range(200)])
    assert set_memory(hashtable, 0) > 200 * 24
