"""The sorted-set engine: the chunked ordered structure checked against a naive model,
positional queries, bounds, range deletion, encodings, copies and the type spec."""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right

import pytest

from minivalkey.engine import zsets
from minivalkey.engine.types import copy_value, spec_of, state_of
from minivalkey.engine.zsets import LISTPACK, SKIPLIST, ZSet, from_pairs


def model_keys(model: dict[bytes, float]) -> list[tuple[float, bytes]]:
    return sorted((score, member) for member, score in model.items())


def check_against(zset: ZSet, model: dict[bytes, float]) -> None:
    keys = model_keys(model)
    assert list(zset) == keys
    assert list(reversed(zset)) == keys[::-1]
    assert len(zset) == len(keys)
    assert zset.scores == model
    # Internal invariants: no empty chunk, maxes are the chunks' last keys.
    assert all(zset._lists)
    assert zset._maxes == [chunk[-1] for chunk in zset._lists]
    assert all(len(chunk) <= 2 * zsets.LOAD for chunk in zset._lists)


@pytest.mark.parametrize("seed", range(6))
def test_random_operations_match_a_naive_model(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks, so that splits, merges and multi-chunk ranges all happen often.
    monkeypatch.setattr(zsets, "LOAD", 4)
    rng = random.Random(seed)
    zset = ZSet(SKIPLIST)
    model: dict[bytes, float] = {}
    members = [b"m%d" % i for i in range(80)] + [b"", b"a", b"ab", b"b\x00", b"\xff"]
    scores = [0.0, -0.0, 1.0, 1.5, -2.0, 3.0, math.inf, -math.inf, 1e300, 5e-324]
    for step in range(1500):
        op = rng.random()
        member = rng.choice(members)
        if op < 0.45:
            score = rng.choice(scores) if rng.random() < 0.5 else float(rng.randint(-20, 20))
            if member in model:
                zset.update(member, score)
            else:
                zset.insert(member, score)
            model[member] = score
        elif op < 0.65:
            assert zset.discard(member) == (member in model)
            model.pop(member, None)
        elif op < 0.75 and model:
            size = len(model)
            start = rng.randrange(size)
            stop = rng.randrange(start, size + 1)
            removed = zset.delete_range(start, stop)
            keys = model_keys(model)
            assert removed == keys[start:stop]
            for _, gone in removed:
                del model[gone]
        elif op < 0.8 and model:
            count = rng.randint(1, 5)
            keys = model_keys(model)
            if rng.random() < 0.5:
                assert zset.pop_first(count) == keys[:count]
                for _, gone in keys[:count]:
                    del model[gone]
            else:
                expected = keys[::-1][:count]
                assert zset.pop_last(count) == expected
                for _, gone in expected:
                    del model[gone]
        if step % 25 == 0:
            check_against(zset, model)
        keys = model_keys(model)
        if keys:
            index = rng.randrange(len(keys))
            assert zset.at(index) == keys[index]
            assert zset.rank(keys[index][1]) == index
            start = rng.randrange(len(keys))
            stop = rng.randrange(start, len(keys)) + 1
            assert zset.slice(start, stop) == keys[start:stop]
            assert zset.rev_slice(start, stop) == keys[::-1][start:stop]
            assert list(zset.iter_from(index)) == keys[index:]
            assert list(zset.iter_from(index, reverse=True)) == keys[: index + 1][::-1]
            bound = rng.choice(scores + [2.5, -100.0])
            only_scores = [score for score, _ in keys]
            assert zset.score_ge(bound) == bisect_left(only_scores, bound)
            assert zset.score_gt(bound) == bisect_right(only_scores, bound)
        assert zset.rank(b"absent") is None
    check_against(zset, model)


def test_lex_bounds_on_equal_scores() -> None:
    zset = from_pairs([(m, 0.0) for m in (b"a", b"b", b"c", b"d")], LISTPACK)
    assert zset.member_ge(b"b") == 1
    assert zset.member_gt(b"b") == 2
    assert zset.member_ge(b"") == 0
    assert zset.member_gt(b"z") == 4


def sign(zset: ZSet, member: bytes) -> float:
    score = zset.score(member)
    assert score is not None
    return math.copysign(1, score)


def test_listpack_keeps_negative_zero_as_zero_and_skiplist_keeps_its_sign() -> None:
    small = ZSet(LISTPACK)
    small.insert(b"a", -0.0)
    assert sign(small, b"a") == 1
    big = ZSet(SKIPLIST)
    big.insert(b"a", -0.0)
    assert sign(big, b"a") == -1
    big.to_listpack()
    assert sign(big, b"a") == 1
    assert math.copysign(1, big.first()[0]) == 1
    assert big.encoding == LISTPACK


def test_copy_shares_nothing_mutable_and_keeps_the_encoding() -> None:
    zset = from_pairs([(b"a", 1.0), (b"b", 2.0)], SKIPLIST)
    twin = copy_value(zset)
    assert twin is not zset
    assert state_of(twin) == state_of(zset)
    twin.insert(b"c", 3.0)
    twin.update(b"a", 5.0)
    assert list(zset) == [(1.0, b"a"), (2.0, b"b")]
    assert twin.encoding == SKIPLIST


def test_type_spec() -> None:
    zset = from_pairs([(b"a", 1.0)], LISTPACK)
    spec = spec_of(zset)
    assert spec.name == "zset"
    assert spec.encoding(zset) == "listpack"
    zset.to_skiplist()
    assert spec.encoding(zset) == "skiplist"
    assert state_of(zset) != state_of(from_pairs([(b"a", 1.0)], LISTPACK))


def test_memory_grows_with_the_members_and_samples_bound_the_walk() -> None:
    small = from_pairs([(b"a", 1.0)], LISTPACK)
    larger = from_pairs([(b"m%d" % i, i + 0.5) for i in range(50)], LISTPACK)
    assert 0 < spec_of(small).memory(small, 5) < spec_of(larger).memory(larger, 5)
    big = from_pairs([(b"m%d" % i, float(i)) for i in range(1000)], SKIPLIST)
    assert spec_of(big).memory(big, 5) > spec_of(larger).memory(larger, 0)
    assert abs(spec_of(big).memory(big, 5) - spec_of(big).memory(big, 0)) < 2000


def test_malloc_size_classes() -> None:
    assert [zsets.malloc_size(n) for n in (1, 9, 16, 17, 128, 129, 300, 513, 1025)] == [
        8, 16, 16, 32, 128, 160, 320, 640, 1280,
    ]


def test_from_sorted_chunks_a_long_run() -> None:
    keys = [(float(i), b"m%05d" % i) for i in range(3000)]
    zset = ZSet.from_sorted(keys, SKIPLIST)
    assert len(zset._lists) > 1
    assert zset.at(2999) == keys[2999]
    assert zset.rank(b"m01500") == 1500
    zset.insert(b"x", 1500.5)
    assert zset.rank(b"x") == 1501
