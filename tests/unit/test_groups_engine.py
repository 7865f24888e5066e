"""Consumer groups in the engine, synchronously: PELs, delivery, claiming, lag.

Streams are built with explicit IDs (``ms-0``) and a fixed command time, so every
expected value below is exact. The lag / entries-read sequences are the ones
measured on Valkey 8.0.1 (see the streams specification, section 3.5).
"""

from __future__ import annotations

import random

from minivalkey.engine.groups import (
    ClaimRequest,
    Consumer,
    ConsumerGroup,
    estimate_read_counter,
    lag,
    range_has_tombstones,
)
from minivalkey.engine.stream import Stream
from minivalkey.engine.streamid import MAX_ID, id_bulk, make_id

NOW = 1_700_000_000_000


def sid(ms: int, seq: int = 0) -> int:
    return make_id(ms, seq)


def entry_of(ms: int) -> bytes:
    """The stored reply of entry ``ms-0 f <ms>``: ``*2`` [ID, fields], written out."""
    value = b"%d" % ms
    head = b"*2\r\n" + id_bulk(sid(ms))
    return head + b"*2\r\n$1\r\nf\r\n$%d\r\n%s\r\n" % (len(value), value)


def delivered_ids(delivered: tuple[list[int], bytes]) -> list[int]:
    ids, reply = delivered
    assert reply == b"*%d\r\n" % len(ids) + b"".join(entry_of(i >> 64) for i in ids)
    return ids


def stream_of(*ms_values: int) -> Stream:
    """A stream with one entry ``ms-0 f <ms>`` per value, default node limits."""
    stream = Stream()
    for ms in ms_values:
        stream.append(sid(ms), [b"f", b"%d" % ms], 100, 4096)
    return stream


def add_entry(stream: Stream, ms: int) -> None:
    stream.append(sid(ms), [b"f", b"%d" % ms], 100, 4096)


def pel_ids(pending: object) -> list[int]:
    return list(pending.ids)  # type: ignore[attr-defined]


def alice_and_bob() -> tuple[ConsumerGroup, Consumer, Consumer]:
    """A group ``g`` from the start of the stream, with consumers alice and bob."""
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    bob, _ = group.consumer_seen(b"bob", NOW)
    return group, alice, bob


def delivery_count(group: ConsumerGroup, stream_id: int) -> int:
    entry = group.pending.get(stream_id)
    assert entry is not None
    return entry.delivery_count


def record(group: ConsumerGroup, stream_id: int) -> tuple[bytes, int, int]:
    """(owner, delivery time, delivery count) of a pending entry."""
    entry = group.pending.get(stream_id)
    assert entry is not None
    return entry.consumer.name, entry.delivery_time, entry.delivery_count


def check_shared(group: ConsumerGroup) -> None:
    """Every group PEL entry is the very object in exactly its owner's PEL."""
    owned = 0
    for consumer in group.consumers.values():
        for stream_id, entry in consumer.pending.range():
            assert group.pending.get(stream_id) is entry
            assert entry.consumer is consumer
            owned += 1
    assert owned == len(group.pending)


# -- PEL sharing, delivery, acknowledgement ---------------------------------------


def test_deliver_new_creates_shared_pending_entries() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g", 0)
    alice, created = group.consumer_seen(b"alice", NOW)
    assert created
    delivered = group.deliver_new(stream, alice, 2, False, NOW + 5)
    assert delivered == ([sid(1), sid(2)], b"*2\r\n" + entry_of(1) + entry_of(2))
    assert group.last_id == sid(2)
    assert pel_ids(group.pending) == [sid(1), sid(2)]
    assert pel_ids(alice.pending) == [sid(1), sid(2)]
    entry = group.pending.get(sid(1))
    assert dict(alice.pending.range())[sid(1)] is entry
    assert entry is not None
    assert (entry.delivery_time, entry.delivery_count, entry.consumer) == (NOW + 5, 1, alice)
    assert alice.active_time == NOW + 5
    check_shared(group)


def test_deliver_new_with_noack_moves_the_group_but_records_nothing() -> None:
    stream = stream_of(1, 2)
    group = ConsumerGroup(b"g", 0)
    consumer, _ = group.consumer_seen(b"c", NOW)
    assert delivered_ids(group.deliver_new(stream, consumer, 0, True, NOW)) == [sid(1), sid(2)]
    assert group.last_id == sid(2)
    assert len(group.pending) == 0
    assert consumer.active_time == -1


def test_deliver_new_compares_with_the_last_live_entry() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g", sid(1))
    consumer, _ = group.consumer_seen(b"c", NOW)
    stream.delete_ids([sid(2), sid(3)])
    assert group.deliver_new(stream, consumer, 0, False, NOW) == ([], b"*0\r\n")
    assert group.last_id == sid(1)
    assert consumer.active_time == -1


def test_deliver_new_appends_to_pels_that_hold_earlier_ids() -> None:
    stream = stream_of(*range(1, 601))
    group, alice, bob = alice_and_bob()
    assert delivered_ids(group.deliver_new(stream, alice, 300, False, NOW)) == [
        sid(i) for i in range(1, 301)
    ]
    assert delivered_ids(group.deliver_new(stream, bob, 100, False, NOW + 1)) == [
        sid(i) for i in range(301, 401)
    ]
    assert delivered_ids(group.deliver_new(stream, alice, 0, False, NOW + 2)) == [
        sid(i) for i in range(401, 601)
    ]
    assert pel_ids(group.pending) == [sid(i) for i in range(1, 601)]
    assert pel_ids(alice.pending) == [sid(i) for i in (*range(1, 301), *range(401, 601))]
    assert pel_ids(bob.pending) == [sid(i) for i in range(301, 401)]
    assert group.pending.last_id() == sid(600) and bob.pending.ids.first() == sid(301)
    entry = group.pending.get(sid(450))
    assert entry is not None and (entry.delivery_time, entry.delivery_count) == (NOW + 2, 1)
    assert (group.last_id, group.entries_read) == (sid(600), 600)
    check_shared(group)


def test_deliver_new_after_setid_mixes_redelivered_and_new_entries() -> None:
    stream = stream_of(1, 2, 3, 4)
    group, alice, bob = alice_and_bob()
    group.deliver_new(stream, alice, 3, False, NOW)
    group.acknowledge(sid(3))
    group.last_id = sid(1)  # XGROUP SETID g 1-0: 2-0 is pending, 3-0 acknowledged
    assert delivered_ids(group.deliver_new(stream, bob, 0, False, NOW + 7)) == [
        sid(2),
        sid(3),
        sid(4),
    ]
    assert pel_ids(alice.pending) == [sid(1)]
    assert pel_ids(bob.pending) == [sid(2), sid(3), sid(4)]
    counts = [group.pending.get(sid(i)).delivery_count for i in (2, 3, 4)]  # type: ignore[union-attr]
    assert counts == [1, 1, 1]
    check_shared(group)


def test_entries_read_of_a_batch_equals_reading_one_at_a_time() -> None:
    rng = random.Random(5)
    for _ in range(200):
        stream = stream_of(*range(1, 21))
        stream.delete_ids([sid(rng.randint(1, 20)) for _ in range(rng.randint(0, 3))])
        if rng.random() < 0.3:
            stream.trim(maxlen=rng.randint(0, 20))
        start, entries_read = sid(rng.randint(0, 10)), rng.choice([-1, 0, 3])
        batch = ConsumerGroup(b"batch", start, entries_read)
        single = ConsumerGroup(b"single", start, entries_read)
        consumer = Consumer(b"c", NOW, batch.pending)
        count = rng.choice([0, 2, 5])
        ids, _ = batch.deliver_new(stream, consumer, count, True, NOW)
        for _ in ids:
            single.deliver_new(stream, consumer, 1, True, NOW)
        assert (batch.last_id, batch.entries_read) == (single.last_id, single.entries_read)


def test_redelivery_after_setid_moves_the_entry_and_restarts_its_count() -> None:
    stream = stream_of(1, 2)
    group, alice, bob = alice_and_bob()
    group.deliver_new(stream, alice, 0, False, NOW)
    group.history(stream, alice, 0, 0, NOW + 1)  # delivery count 2 for both
    group.last_id = 0  # XGROUP SETID g 0
    group.deliver_new(stream, bob, 1, False, NOW + 10)
    entry = group.pending.get(sid(1))
    assert entry is not None
    assert (entry.consumer, entry.delivery_count, entry.delivery_time) == (bob, 1, NOW + 10)
    assert pel_ids(alice.pending) == [sid(2)]
    assert pel_ids(bob.pending) == [sid(1)]
    check_shared(group)


def test_assign_transfer_and_acknowledge() -> None:
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.get_or_create_consumer(b"alice", NOW)
    bob, _ = group.get_or_create_consumer(b"bob", NOW)
    entry = group.assign(sid(7), alice, NOW)
    group.transfer(sid(7), entry, bob)
    assert entry.consumer is bob
    assert pel_ids(alice.pending) == []
    assert pel_ids(bob.pending) == [sid(7)]
    group.transfer(sid(7), entry, bob)  # to its owner: nothing changes
    assert pel_ids(bob.pending) == [sid(7)]
    assert group.acknowledge(sid(7)) is True
    assert group.acknowledge(sid(7)) is False
    assert len(group.pending) == 0 and len(bob.pending) == 0


def test_acknowledge_all_in_batches() -> None:
    stream = stream_of(*range(1, 11))
    group, alice, bob = alice_and_bob()
    group.deliver_new(stream, alice, 4, False, NOW)
    group.deliver_new(stream, bob, 4, False, NOW)
    group.deliver_new(stream, alice, 0, False, NOW)
    # one owner, the oldest first; a repeated and an unknown ID count nothing
    assert group.acknowledge_all([sid(1), sid(2), sid(2), sid(99)]) == 2
    assert pel_ids(alice.pending) == [sid(3), sid(4), sid(9), sid(10)]
    # two owners, out of order
    assert group.acknowledge_all([sid(10), sid(6), sid(3)]) == 3
    assert pel_ids(alice.pending) == [sid(4), sid(9)]
    assert pel_ids(bob.pending) == [sid(5), sid(7), sid(8)]
    assert pel_ids(group.pending) == [sid(4), sid(5), sid(7), sid(8), sid(9)]
    check_shared(group)
    assert group.acknowledge_all([]) == 0


def test_delete_consumer_drops_its_pending_entries_from_the_group() -> None:
    stream = stream_of(1, 2, 3)
    group, alice, bob = alice_and_bob()
    group.deliver_new(stream, alice, 2, False, NOW)
    group.deliver_new(stream, bob, 0, False, NOW)
    assert group.delete_consumer(b"alice") == 2
    assert group.delete_consumer(b"alice") == 0
    assert pel_ids(group.pending) == [sid(3)]
    assert list(group.consumers) == [b"bob"]
    check_shared(group)


def test_consumer_seen_marks_time_but_keeps_the_creation() -> None:
    group = ConsumerGroup(b"g", 0)
    consumer, created = group.consumer_seen(b"c", NOW)
    assert created and consumer.seen_time == NOW and consumer.active_time == -1
    again, created = group.consumer_seen(b"c", NOW + 50)
    assert again is consumer and not created and consumer.seen_time == NOW + 50


def test_sorted_consumers_and_consumers_with_pending_are_in_byte_order() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g", 0)
    for name in (b"b", b"B", b"a", b""):
        group.consumer_seen(name, NOW)
    group.deliver_new(stream, group.consumers[b"b"], 1, False, NOW)
    group.deliver_new(stream, group.consumers[b"B"], 2, False, NOW)
    assert [c.name for c in group.sorted_consumers()] == [b"", b"B", b"a", b"b"]
    assert group.consumers_with_pending() == [(b"B", 2), (b"b", 1)]


# -- history ------------------------------------------------------------------------


def test_history_reports_deleted_entries_without_touching_them() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g", 0)
    consumer, _ = group.consumer_seen(b"c", NOW)
    group.deliver_new(stream, consumer, 0, False, NOW)
    stream.delete_ids([sid(2)])
    history = group.history(stream, consumer, 0, 0, NOW + 30)
    assert history == [(sid(1), entry_of(1)), (sid(2), None), (sid(3), entry_of(3))]
    deleted = group.pending.get(sid(2))
    kept = group.pending.get(sid(1))
    assert deleted is not None and kept is not None
    assert (deleted.delivery_time, deleted.delivery_count) == (NOW, 1)
    assert (kept.delivery_time, kept.delivery_count) == (NOW + 30, 2)
    assert group.last_id == sid(3)  # history never moves the group


def test_history_starts_after_the_given_id_and_honours_count() -> None:
    stream = stream_of(1, 2, 3, 4)
    group = ConsumerGroup(b"g", 0)
    consumer, _ = group.consumer_seen(b"c", NOW)
    group.deliver_new(stream, consumer, 0, False, NOW)
    assert [i for i, _ in group.history(stream, consumer, sid(1), 2, NOW)] == [sid(2), sid(3)]
    assert [i for i, _ in group.history(stream, consumer, sid(4), 0, NOW)] == []


# -- pending ranges -------------------------------------------------------------------


def test_pending_range_filters_by_idle_and_counts_only_what_it_returns() -> None:
    stream = stream_of(1, 2, 3, 4)
    group = ConsumerGroup(b"g", 0)
    old, _ = group.consumer_seen(b"old", NOW)
    new, _ = group.consumer_seen(b"new", NOW)
    group.deliver_new(stream, old, 2, False, NOW)
    group.deliver_new(stream, new, 0, False, NOW + 1000)
    now = NOW + 1500
    everything = group.pending_range(0, MAX_ID, 10, 0, now)
    assert [i for i, _ in everything] == [sid(1), sid(2), sid(3), sid(4)]
    idle = group.pending_range(0, MAX_ID, 10, 1000, now)
    assert [i for i, _ in idle] == [sid(1), sid(2)]
    assert [i for i, _ in group.pending_range(0, MAX_ID, 1, 1000, now)] == [sid(1)]
    assert [i for i, _ in group.pending_range(0, MAX_ID, 10, -5, now)] == [
        sid(1),
        sid(2),
        sid(3),
        sid(4),
    ]
    assert [i for i, _ in group.pending_range(sid(2), sid(3), 10, 0, now)] == [sid(2), sid(3)]
    assert [i for i, _ in group.pending_range(0, MAX_ID, 10, 0, now, new)] == [sid(3), sid(4)]
    assert group.pending_range(0, MAX_ID, 0, 0, now) == []


# -- claiming ---------------------------------------------------------------------------


def test_claim_moves_idle_entries_and_counts_a_delivery() -> None:
    stream = stream_of(1, 2)
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    group.deliver_new(stream, alice, 0, False, NOW)
    bob, _ = group.consumer_seen(b"bob", NOW + 100)
    request = ClaimRequest(min_idle=50, delivery_time=NOW + 100)
    claimed = group.claim(stream, bob, [sid(1), sid(9)], request, NOW + 100)
    assert claimed == [entry_of(1)]
    entry = group.pending.get(sid(1))
    assert entry is not None
    assert (entry.consumer, entry.delivery_count, entry.delivery_time) == (bob, 2, NOW + 100)
    assert bob.active_time == NOW + 100
    # Not idle long enough now: nothing moves, the consumer stays inactive.
    carol, _ = group.consumer_seen(b"carol", NOW + 120)
    assert group.claim(stream, carol, [sid(1)], request, NOW + 120) == []
    assert carol.active_time == -1
    check_shared(group)


def test_claim_options_retrycount_justid_and_repeats() -> None:
    stream = stream_of(1)
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    group.deliver_new(stream, alice, 0, False, NOW)
    group.claim(stream, alice, [sid(1)], ClaimRequest(0, NOW, retry_count=7), NOW)
    assert delivery_count(group, sid(1)) == 7
    justid = group.claim(stream, alice, [sid(1)], ClaimRequest(0, NOW, justid=True), NOW)
    assert justid == [b"$3\r\n1-0\r\n"]
    assert delivery_count(group, sid(1)) == 7
    claimed = group.claim(stream, alice, [sid(1), sid(1)], ClaimRequest(0, NOW), NOW)
    assert claimed == [entry_of(1), entry_of(1)]
    assert delivery_count(group, sid(1)) == 9


def test_claim_force_creates_missing_pending_entries_for_existing_entries_only() -> None:
    stream = stream_of(1, 2)
    group = ConsumerGroup(b"g", 0)
    bob, _ = group.consumer_seen(b"bob", NOW)
    request = ClaimRequest(min_idle=10_000, delivery_time=NOW, force=True)
    claimed = group.claim(stream, bob, [sid(1), sid(5)], request, NOW)
    assert claimed == [entry_of(1)]
    entry = group.pending.get(sid(1))
    assert entry is not None and entry.consumer is bob
    assert entry.delivery_count == 2  # created at 1, then one more delivery
    justid = ClaimRequest(0, NOW, force=True, justid=True)
    assert group.claim(stream, bob, [sid(2)], justid, NOW) == [id_bulk(sid(2))]
    forced = group.pending.get(sid(2))
    assert forced is not None and forced.delivery_count == 1
    assert sid(5) not in group.pending
    check_shared(group)


def test_claim_force_entry_is_owned_from_the_start() -> None:
    """Valkey: ``XCLAIM s g c 10000 1-0 1-0 FORCE`` claims once (count 2); the repeat
    finds an entry of its own just delivered, not idle enough."""
    stream = stream_of(1)
    group = ConsumerGroup(b"g", 0)
    carol, _ = group.consumer_seen(b"carol", NOW)
    request = ClaimRequest(min_idle=10_000, delivery_time=NOW, force=True)
    assert group.claim(stream, carol, [sid(1), sid(1)], request, NOW) == [entry_of(1)]
    entry = group.pending.get(sid(1))
    assert entry is not None and (entry.consumer, entry.delivery_count) == (carol, 2)
    assert carol.active_time == NOW
    check_shared(group)


class _NoReads(Stream):
    """A stream whose entries must not be read; ``contains`` answers from ``present``,
    and must not even be asked when that is ``None``."""

    def __init__(self, present: set[int] | None) -> None:
        super().__init__()
        self.present = present

    def get(self, stream_id: int) -> bytes | None:
        raise AssertionError("the entry was read")

    def contains(self, stream_id: int) -> bool:
        assert self.present is not None, "the stream was looked at"
        return stream_id in self.present


def test_claim_reads_the_stream_only_when_it_must() -> None:
    stream = stream_of(1, 2)
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    group.deliver_new(stream, alice, 1, False, NOW)
    # Not pending and no FORCE: the stream is not even asked.
    untouchable = _NoReads(None)
    assert group.claim(untouchable, alice, [sid(2), sid(9)], ClaimRequest(0, NOW), NOW) == []
    # JUSTID: only existence matters.
    bob, _ = group.consumer_seen(b"bob", NOW)
    justid = ClaimRequest(0, NOW, justid=True, force=True)
    present = _NoReads({sid(1), sid(2)})
    assert group.claim(present, bob, [sid(1), sid(2), sid(3)], justid, NOW) == [
        id_bulk(sid(1)),
        id_bulk(sid(2)),
    ]
    result = group.autoclaim(present, alice, 0, 10, 0, True, NOW)
    assert (result.claimed, result.deleted) == ([id_bulk(sid(1)), id_bulk(sid(2))], [])
    check_shared(group)


def test_claim_drops_pending_entries_of_deleted_entries() -> None:
    stream = stream_of(1, 2)
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    group.deliver_new(stream, alice, 0, False, NOW)
    stream.delete_ids([sid(1)])
    claimed = group.claim(stream, alice, [sid(1), sid(2)], ClaimRequest(0, NOW), NOW)
    assert claimed == [entry_of(2)]
    assert pel_ids(group.pending) == [sid(2)]
    assert pel_ids(alice.pending) == [sid(2)]


def test_advance_last_id_only_moves_forward() -> None:
    group = ConsumerGroup(b"g", sid(5), entries_read=3)
    group.advance_last_id(sid(4))
    assert group.last_id == sid(5)
    group.advance_last_id(sid(9))
    assert (group.last_id, group.entries_read) == (sid(9), 3)


def test_autoclaim_cursor_claims_and_deleted_ids() -> None:
    stream = stream_of(1, 2, 3, 4)
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    group.deliver_new(stream, alice, 0, False, NOW)
    bob, _ = group.consumer_seen(b"bob", NOW)
    result = group.autoclaim(stream, bob, 0, 2, 0, False, NOW)
    assert (result.cursor, result.claimed, result.deleted) == (
        sid(3),
        [entry_of(1), entry_of(2)],
        [],
    )
    stream.delete_ids([sid(3)])
    result = group.autoclaim(stream, bob, sid(3), 2, 0, True, NOW)
    assert (result.cursor, result.claimed, result.deleted) == (0, [id_bulk(sid(4))], [sid(3)])
    assert pel_ids(group.pending) == [sid(1), sid(2), sid(4)]
    counts = [group.pending.get(i).delivery_count for i in pel_ids(group.pending)]  # type: ignore[union-attr]
    assert counts == [2, 2, 1]  # JUSTID does not count a delivery
    assert bob.active_time == NOW
    check_shared(group)


def test_autoclaim_looks_at_count_times_ten_entries() -> None:
    # 30 pending entries, only the first idle enough (the specification's example).
    stream = stream_of(*range(1, 31))
    group = ConsumerGroup(b"g", 0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    group.deliver_new(stream, alice, 1, False, NOW)
    group.deliver_new(stream, alice, 0, False, NOW + 100)
    bob, _ = group.consumer_seen(b"bob", NOW + 200)
    now = NOW + 200
    first = group.autoclaim(stream, bob, 0, 1, 150, False, now)
    assert (first.cursor, first.claimed) == (sid(2), [entry_of(1)])
    second = group.autoclaim(stream, bob, first.cursor, 2, 150, False, now)
    assert (second.cursor, second.claimed) == (sid(22), [])
    third = group.autoclaim(stream, bob, first.cursor, 3, 150, False, now)
    assert (third.cursor, third.claimed) == (0, [])


def test_autoclaim_with_nothing_from_start() -> None:
    group = ConsumerGroup(b"g", 0)
    consumer, _ = group.consumer_seen(b"c", NOW)
    result = group.autoclaim(stream_of(1), consumer, 0, 100, 0, False, NOW)
    assert (result.cursor, result.claimed, result.deleted) == (0, [], [])
    assert consumer.active_time == -1


# -- lag and entries-read (specification section 3.5, verbatim) ------------------------


def read_one(stream: Stream, group: ConsumerGroup) -> None:
    consumer, _ = group.consumer_seen(b"reader", NOW)
    assert len(group.deliver_new(stream, consumer, 1, False, NOW)[0]) == 1


def state(stream: Stream, group: ConsumerGroup) -> tuple[int | None, int | None]:
    """(entries-read, lag) as XINFO shows them: ``None`` for null."""
    entries_read = group.entries_read if group.entries_read != -1 else None
    return entries_read, lag(stream, group)


def test_lag_sequence_with_a_tombstone_in_the_middle() -> None:
    stream = stream_of(1, 2, 3, 4, 5)
    g = ConsumerGroup(b"g", 0)
    h = ConsumerGroup(b"h", stream.last_id)
    k = ConsumerGroup(b"k", sid(2))
    assert [state(stream, x) for x in (g, h, k)] == [(None, 5), (None, 0), (None, None)]
    read_one(stream, g)
    assert state(stream, g) == (1, 4)
    stream.delete_ids([sid(3)])
    assert state(stream, g) == (1, None)
    read_one(stream, g)  # 2-0
    assert state(stream, g) == (None, None)
    read_one(stream, g)  # 4-0
    assert state(stream, g) == (None, None)
    read_one(stream, g)  # 5-0
    assert state(stream, g) == (5, 0)
    add_entry(stream, 6)
    assert state(stream, g) == (5, 1)
    assert state(stream, h) == (None, None)


def test_lag_sequence_with_trimming_and_setid() -> None:
    stream = stream_of(1, 2, 3, 4, 5)
    group = ConsumerGroup(b"g", 0)
    stream.delete_ids([sid(1)])
    assert state(stream, group) == (None, 4)
    read_one(stream, group)
    assert state(stream, group) == (2, 3)
    assert stream.trim(maxlen=2) == 2
    assert state(stream, group) == (2, 3)
    expected = [
        ((0, -1), (None, 2)),
        ((sid(3), -1), (None, 2)),
        ((sid(4), -1), (None, 1)),
        ((sid(5), -1), (None, 0)),
        ((sid(4), 3), (3, 2)),
        ((sid(9), -1), (None, None)),
    ]
    for (last_id, entries_read), shown in expected:
        group.last_id, group.entries_read = last_id, entries_read  # XGROUP SETID
        assert state(stream, group) == shown, (last_id, entries_read)
    stream.delete_ids([sid(4), sid(5)])
    assert stream.length == 0
    assert state(stream, group) == (None, None)
    group.last_id, group.entries_read = 0, -1
    assert state(stream, group) == (None, 0)


def test_lag_can_be_negative_and_is_zero_for_an_unused_stream() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g3", sid(99), entries_read=5)
    assert lag(stream, group) == -2
    assert lag(Stream(), ConsumerGroup(b"g", 0)) == 0


def test_range_has_tombstones_and_estimates() -> None:
    stream = stream_of(1, 2, 3, 4)
    assert not range_has_tombstones(stream, 0)
    assert estimate_read_counter(stream, 0) == 0
    assert estimate_read_counter(stream, sid(1)) == 1
    assert estimate_read_counter(stream, sid(4)) == 4
    assert estimate_read_counter(stream, sid(9)) == -1
    assert estimate_read_counter(stream, sid(2)) == -1  # neither first nor last
    stream.delete_ids([sid(2)])
    assert range_has_tombstones(stream, sid(1))
    assert range_has_tombstones(stream, sid(2))
    assert not range_has_tombstones(stream, sid(3))
    assert not range_has_tombstones(stream, 0, sid(1))
    stream.delete_ids([sid(1)])  # first entry now after the largest deleted ID
    assert not range_has_tombstones(stream, 0)
    assert estimate_read_counter(stream, sid(3)) == 3  # the first live entry: 4 - 2 + 1
    assert estimate_read_counter(stream, sid(2)) == 2  # before it: 4 added - 2 left
    assert estimate_read_counter(Stream(), sid(5)) == 0


def test_entries_read_increments_only_without_tombstones_ahead() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g", 0, entries_read=0)
    read_one(stream, group)
    assert group.entries_read == 1
    stream.delete_ids([sid(3)])
    read_one(stream, group)  # 2-0: a tombstone lies ahead, so it is estimated (unknown)
    assert group.entries_read == -1


# -- copying ----------------------------------------------------------------------------


def test_copy_keeps_the_sharing_and_is_independent() -> None:
    stream = stream_of(1, 2, 3)
    group = ConsumerGroup(b"g", 0, entries_read=0)
    alice, _ = group.consumer_seen(b"alice", NOW)
    bob, _ = group.consumer_seen(b"bob", NOW + 1)
    group.deliver_new(stream, alice, 2, False, NOW + 2)
    group.deliver_new(stream, bob, 0, False, NOW + 3)
    stream.groups[b"g"] = group
    clone_stream = stream.copy()
    clone = clone_stream.groups[b"g"]
    assert clone is not group
    assert (clone.last_id, clone.entries_read) == (group.last_id, group.entries_read)
    check_shared(clone)
    copied_alice = clone.consumers[b"alice"]
    assert copied_alice is not alice
    assert (copied_alice.seen_time, copied_alice.active_time) == (alice.seen_time, NOW + 2)
    entry = clone.pending.get(sid(3))
    assert entry is not None
    assert (entry.delivery_time, entry.delivery_count, entry.consumer) == (
        NOW + 3,
        1,
        clone.consumers[b"bob"],
    )
    # Changing the copy leaves the original alone.
    assert clone.acknowledge(sid(1))
    clone.consumer_seen(b"carol", NOW + 9)
    assert sid(1) in group.pending and sid(1) in alice.pending
    assert b"carol" not in group.consumers
    check_shared(group)


def test_drop_forgets_an_entry_everywhere() -> None:
    group = ConsumerGroup(b"g", 0)
    consumer = Consumer(b"c", NOW, group.pending)
    group.consumers[b"c"] = consumer
    group.assign(sid(1), consumer, NOW)
    group.drop(sid(1))
    assert sid(1) not in group.pending and sid(1) not in consumer.pending
    group.drop(sid(1))  # not pending: nothing happens
    assert len(group.pending) == 0


# -- one delivery record for the IDs delivered together --------------------------------


def test_a_change_to_one_entry_of_a_delivery_leaves_the_others_as_they_were() -> None:
    stream = stream_of(1, 2, 3, 4)
    group, alice, bob = alice_and_bob()
    ids, _ = group.deliver_new(stream, alice, 0, False, NOW)
    assert ids == [sid(1), sid(2), sid(3), sid(4)]
    # XCLAIM of one ID: a new owner, time and count for it alone.
    group.claim(stream, bob, [sid(2)], ClaimRequest(0, NOW + 5, retry_count=4), NOW + 5)
    # XAUTOCLAIM of one more.
    group.autoclaim(stream, bob, sid(4), 1, 0, False, NOW + 6)
    # XREADGROUP with an ID re-delivers alice's first remaining entry only (COUNT 1).
    history = group.history(stream, alice, 0, 1, NOW + 7)
    assert [stream_id for stream_id, _ in history] == [sid(1)]
    assert record(group, sid(1)) == (b"alice", NOW + 7, 2)
    assert record(group, sid(2)) == (b"bob", NOW + 5, 4)
    assert record(group, sid(3)) == (b"alice", NOW, 1)
    assert record(group, sid(4)) == (b"bob", NOW + 6, 2)
    assert pel_ids(alice.pending) == [sid(1), sid(3)]
    assert pel_ids(bob.pending) == [sid(2), sid(4)]
    check_shared(group)


def test_a_redelivery_after_setid_gives_each_entry_its_new_owner_alone() -> None:
    stream = stream_of(1, 2, 3)
    group, alice, bob = alice_and_bob()
    group.deliver_new(stream, alice, 0, False, NOW)
    group.last_id = sid(1)  # XGROUP SETID back: 2 and 3 are delivered again
    ids, _ = group.deliver_new(stream, bob, 1, False, NOW + 9)
    assert ids == [sid(2)]
    assert record(group, sid(1)) == (b"alice", NOW, 1)
    assert record(group, sid(2)) == (b"bob", NOW + 9, 1)
    assert record(group, sid(3)) == (b"alice", NOW, 1)
    check_shared(group)
