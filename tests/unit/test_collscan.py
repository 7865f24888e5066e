"""The cursor order of HSCAN / SSCAN / ZSCAN over hashtable-encoded collections."""

from __future__ import annotations

import random

from minivalkey.engine.collscan import ScanOrder, scan_key


def full_scan(order: ScanOrder, members: set[bytes], count: int) -> list[bytes]:
    seen: list[bytes] = []
    cursor = 0
    while True:
        cursor, found = order.scan(cursor, count, members.__contains__, len(members))
        assert len(found) <= count or len({scan_key(m) for m in found[count - 1 :]}) == 1
        seen += found  # type: ignore[arg-type]
        if cursor == 0:
            return seen


def test_a_full_scan_returns_every_member_once() -> None:
    members = {b"m%d" % n for n in range(1000)}
    order = ScanOrder(members)
    seen = full_scan(order, members, 7)
    assert sorted(seen) == sorted(members)


def test_members_present_throughout_are_returned_despite_changes() -> None:
    rng = random.Random(5)
    members = {b"m%d" % n for n in range(500)}
    stable = {member for member in members if rng.random() < 0.5}
    order = ScanOrder(members)
    seen: set[bytes] = set()
    cursor, added = 0, 0
    while True:
        cursor, found = order.scan(cursor, 10, members.__contains__, len(members))
        seen.update(found)  # type: ignore[arg-type]
        for member in list(members - stable)[:3]:
            members.discard(member)  # removed between calls
        for _ in range(3):
            new = b"new%d" % added
            added += 1
            members.add(new)
            order.add(new)
        if cursor == 0:
            break
    assert stable <= seen
    assert all(member in members or member not in stable for member in seen)


def test_adding_a_listed_member_keeps_one_entry_and_removed_ones_are_compacted() -> None:
    members = {b"a", b"b"}
    order = ScanOrder(members)
    order.add(b"a")
    assert order.members.count(b"a") == 1
    for n in range(200):
        order.add(b"x%d" % n)
    _, found = order.scan(0, 1000, members.__contains__, len(members))
    assert sorted(found) == [b"a", b"b"]  # type: ignore[type-var]
    assert len(order.members) == 2  # the 200 dead entries went on that call


def test_scan_keys_are_never_the_end_cursor() -> None:
    assert all(scan_key(member) > 0 for member in (b"", b"a", 0, -1, 2**64))
