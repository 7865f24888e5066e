"""The hash value type: encodings and their conversions, order, random picks, cursors,
copies and the MEMORY USAGE estimate (figures checked on Valkey 8.0.1)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from minivalkey.engine.hashes import HASHTABLE, LISTPACK, Hash, alloc_size, hash_memory
from minivalkey.engine.types import copy_value, spec_of, state_of

ENTRIES, VALUE = 512, 64  # the default hash-max-listpack-entries / -value


def build(pairs: list[tuple[bytes, bytes]], entries: int = ENTRIES, value: int = VALUE) -> Hash:
    """A hash written the way HSET writes it, one pair per command."""
    result = Hash()
    for field, item in pairs:
        result.prepare([field, item], entries, value)
        result.put(field, item, entries, value)
    return result


def test_a_new_hash_is_a_listpack_in_insertion_order() -> None:
    value = build([(b"b", b"1"), (b"a", b"2"), (b"c", b"3")])
    assert value.encoding == LISTPACK
    assert spec_of(value).name == "hash"
    assert spec_of(value).encoding(value) == "listpack"
    assert list(value.items()) == [(b"b", b"1"), (b"a", b"2"), (b"c", b"3")]


def test_updates_stay_in_place_and_removals_close_the_gap() -> None:
    value = build([(b"a", b"1"), (b"b", b"2"), (b"c", b"3")])
    assert value.put(b"a", b"x", ENTRIES, VALUE) is False
    assert value.remove(b"b") is True
    assert value.remove(b"b") is False
    assert value.put(b"b", b"y", ENTRIES, VALUE) is True
    assert list(value.items()) == [(b"a", b"x"), (b"c", b"3"), (b"b", b"y")]


def test_too_many_pairs_in_one_write_convert_even_when_they_repeat_a_field() -> None:
    value = Hash()
    args = [b"f", b"1", b"f", b"2", b"f", b"3"]
    value.prepare(args, 2, VALUE)  # three pairs > 2 entries: converted before writing
    for index in range(0, len(args), 2):
        value.put(args[index], args[index + 1], 2, VALUE)
    assert value.encoding == HASHTABLE
    assert len(value) == 1


def test_the_entry_limit_converts_after_the_field_that_passes_it() -> None:
    value = build([(b"a", b"1"), (b"b", b"2")], entries=2)
    assert value.encoding == LISTPACK
    value.put(b"c", b"3", 2, VALUE)
    assert value.encoding == HASHTABLE
    value.remove(b"c")
    value.remove(b"b")
    assert value.encoding == HASHTABLE  # never back


def test_a_lowered_entry_limit_converts_on_the_next_update() -> None:
    value = build([(b"a", b"1"), (b"b", b"2")])
    value.prepare([b"a", b"x"], 1, VALUE)
    assert value.encoding == LISTPACK
    value.put(b"a", b"x", 1, VALUE)  # HSET on an existing field, as Valkey's hashTypeSet
    assert value.encoding == HASHTABLE


def test_long_fields_or_values_convert() -> None:
    assert build([(b"abcd", b"abcd")], value=4).encoding == LISTPACK
    assert build([(b"abcde", b"1")], value=4).encoding == HASHTABLE
    assert build([(b"a", b"12345")], value=4).encoding == HASHTABLE
    # HINCRBY / HINCRBYFLOAT store without prepare: put itself checks the lengths
    value = build([(b"a", b"1")], value=4)
    value.put(b"a", b"100000", ENTRIES, 4)
    assert value.encoding == HASHTABLE
    assert value.get(b"a") == b"100000"


def test_an_entry_limit_of_zero_makes_every_hash_a_hashtable() -> None:
    assert build([(b"a", b"1")], entries=0).encoding == HASHTABLE
    value = Hash()
    value.put(b"a", b"1", 0, VALUE)  # HINCRBY on a new key
    assert value.encoding == HASHTABLE


def test_random_picks_are_uniform_and_follow_changes() -> None:
    rng = random.Random(7)
    for entries in (ENTRIES, 1):  # listpack, then hashtable
        value = build([(b"f%d" % n, b"v") for n in range(10)], entries=entries)
        counts = Counter(value.random_fields(10_000, rng))
        assert set(counts) == set(value.fields)
        assert all(800 < count < 1200 for count in counts.values())
        value.remove(b"f3")
        value.put(b"new", b"v", entries, VALUE)
        value.remove(b"f4")
        value.put(b"f4", b"again", entries, VALUE)  # removed and added back: one entry
        counts = Counter(value.random_fields(10_000, rng))
        assert set(counts) == set(value.fields)
        assert all(800 < count < 1200 for count in counts.values())
        value.check_invariants()


def test_the_pick_list_is_compacted_after_many_removals() -> None:
    rng = random.Random(1)
    value = build([(b"f%d" % n, b"v") for n in range(300)], entries=1)
    value.random_field(rng)
    for n in range(290):
        value.remove(b"f%d" % n)
    picks = {value.random_field(rng) for _ in range(500)}
    assert picks == set(value.fields)
    assert value._picks is not None and len(value._picks) == 10


def test_samples_without_repetition() -> None:
    rng = random.Random(3)
    value = build([(b"f%d" % n, b"v") for n in range(10)])
    order = list(value.fields)
    for _ in range(50):
        chosen = value.sample_in_order(4, rng)
        assert len(set(chosen)) == 4
        assert chosen == sorted(chosen, key=order.index)  # the hash's own order
    value.convert()
    drawn = value.sample_distinct(3, rng)
    assert len(set(drawn)) == 3 and set(drawn) <= set(order)


def test_the_scan_order_sees_fields_added_after_it_was_made() -> None:
    value = build([(b"f%d" % n, b"v") for n in range(50)], entries=1)
    order = value.cursor_order()
    value.put(b"late", b"v", 1, VALUE)
    value.remove(b"f0")
    seen: list[bytes] = []
    cursor = 0
    while True:
        cursor, found = order.scan(cursor, 7, value.fields.__contains__, len(value))
        seen += found  # type: ignore[arg-type]
        if cursor == 0:
            break
    assert sorted(seen) == sorted(value.fields)


def test_copies_share_nothing_and_keep_the_encoding() -> None:
    value = build([(b"a", b"1"), (b"b", b"x" * 100)])
    value.cursor_order()
    clone = copy_value(value)
    assert clone is not value and clone.fields is not value.fields
    assert clone.encoding == HASHTABLE and clone.scan_order is None
    assert state_of(clone) == state_of(value)
    clone.put(b"c", b"3", ENTRIES, VALUE)
    assert b"c" not in value.fields
    assert state_of(clone) != state_of(value)


def test_the_state_shows_encoding_and_order() -> None:
    first = build([(b"a", b"1"), (b"b", b"2")])
    second = build([(b"b", b"2"), (b"a", b"1")])
    assert state_of(first) != state_of(second)
    third = build([(b"a", b"1"), (b"b", b"2")])
    third.convert()
    assert state_of(first) != state_of(third)


def test_jemalloc_size_classes() -> None:
    classes = [alloc_size(size) for size in (1, 8, 9, 17, 33, 128, 129, 161, 257, 1025, 14337)]
    assert classes == [8, 8, 16, 32, 48, 128, 160, 192, 320, 1280, 16384]


# MEMORY USAGE on Valkey 8.0.1 less the key's own entry (24 bytes for a key named "h").
@pytest.mark.parametrize(
    ("pairs", "entries", "samples", "size"),
    [
        ([(b"a", b"1")], ENTRIES, 5, 32),
        ([(b"a", b"1"), (b"b", b"x" * 30)], ENTRIES, 5, 64),
        ([(b"f%d" % n, b"%d" % (n * 1000)) for n in range(100)], ENTRIES, 5, 1040),
        ([(b"f%d" % n, b"v%d" % n) for n in range(600)], ENTRIES, 0, 32264),
        ([(b"f%d" % n, b"v%d" % n) for n in range(1000)], ENTRIES, 0, 48264),
        ([(b"f%d" % n, b"v%d" % n) for n in range(4)], 2, 0, 264),
    ],
)
def test_memory_usage_estimates(
    pairs: list[tuple[bytes, bytes]], entries: int, samples: int, size: int
) -> None:
    value = build(pairs, entries=entries)
    assert hash_memory(value, samples) == size
