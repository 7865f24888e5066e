"""Consumer groups: the group, its consumers, and the pending entries lists (PELs).

Invariants (Valkey 8.0.1's t_stream.c):
* A ``PendingEntry`` (Valkey's NACK) is shared: every entry of a group's PEL is
  also in exactly its owner's PEL, the same object in both, and it always has an
  owner. The group's PEL is a dict from ID to entry plus a ``SortedIds`` of the
  same IDs, so membership is O(1) and an ordered range starts in O(log n). A
  consumer's PEL (``OwnedPending``) is only the sorted IDs it owns: its entries
  are read from the group's dict.
* The IDs that one XREADGROUP delivers share one ``SharedPendingEntry`` (same
  time, count 1, same owner), which is never changed: whatever changes an entry
  first gives its ID an entry of its own (``PendingList.own``).
* ``last_id`` is the last ID delivered to the group; ``entries_read`` is how many
  entries the group has read, or -1 when unknown (then lag is computed by
  estimation, and may be unknown too: ``None``).
* ``entries_read``, delivery counts and lag are signed 64-bit values: arithmetic on
  them wraps around as Valkey's does (``int64``).
* ``seen_time`` changes on every XREADGROUP, XCLAIM and XAUTOCLAIM by a consumer;
  ``active_time`` (-1 = never) only when it is given a new entry or claims one.
* Times are milliseconds of the command time; nothing here reads a clock.
* Claiming (``claim``, ``autoclaim``) never leaves a pending entry for an ID the
  stream no longer holds once it has looked at it: such entries are dropped from
  both PELs (XCLAIM silently, XAUTOCLAIM reporting them).
* Entries are handed out as the stream stores them, ``*2`` [ID, fields] replies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .idindex import SortedIds
from .streamid import MAX_ID, id_bulk

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .stream import Stream


class PendingEntry:
    __slots__ = ("delivery_time", "delivery_count", "consumer")

    def __init__(self, delivery_time: int, delivery_count: int, consumer: Consumer) -> None:
        self.delivery_time = delivery_time
        self.delivery_count = delivery_count
        self.consumer = consumer


class SharedPendingEntry(PendingEntry):
    """The one delivery record of several IDs delivered together; never changed."""

    __slots__ = ()


def _entries_between(
    ids: SortedIds, entries: dict[int, PendingEntry], start: int, end: int
) -> Iterator[tuple[int, PendingEntry]]:
    """(ID, entry) for the ``ids`` within ``start..end`` that ``entries`` holds, ascending."""
    for stream_id in ids.irange(start, end):
        entry = entries.get(stream_id)
        if entry is not None:
            yield stream_id, entry


class PendingList:
    """An ordered map from stream ID to ``PendingEntry``: ``entries`` by ID, and
    ``ids``, the same IDs sorted."""

    __slots__ = ("entries", "ids")

    def __init__(self) -> None:
        self.entries: dict[int, PendingEntry] = {}
        self.ids = SortedIds()

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, stream_id: int) -> bool:
        return stream_id in self.entries

    def get(self, stream_id: int) -> PendingEntry | None:
        return self.entries.get(stream_id)

    def add(self, stream_id: int, entry: PendingEntry) -> None:
        if stream_id not in self.entries:
            self.ids.add(stream_id)
        self.entries[stream_id] = entry

    def extend_new(self, ids: list[int], entry: SharedPendingEntry) -> None:
        """Add ``entry`` under every ID of ``ids``; they ascend, all past the last one held."""
        self.entries.update(dict.fromkeys(ids, entry))
        self.ids.extend_sorted(ids)

    def own(self, stream_id: int, entry: PendingEntry) -> PendingEntry:
        """``stream_id``'s entry (``entry``) as one no other ID shares, ready to change."""
        if type(entry) is SharedPendingEntry:
            entry = PendingEntry(entry.delivery_time, entry.delivery_count, entry.consumer)
            self.entries[stream_id] = entry
        return entry

    def remove(self, stream_id: int) -> PendingEntry | None:
        entry = self.entries.pop(stream_id, None)
        if entry is not None:
            self.ids.discard(stream_id)
        return entry

    def range(self, start: int = 0, end: int = MAX_ID) -> Iterator[tuple[int, PendingEntry]]:
        """(ID, entry) pairs with ``start <= ID <= end``, ascending; safe to mutate meanwhile."""
        return _entries_between(self.ids, self.entries, start, end)

    def first_id(self) -> int | None:
        return self.ids.first()

    def last_id(self) -> int | None:
        return self.ids.last()


class OwnedPending:
    """A consumer's PEL: the sorted IDs of the entries it owns. The entries are the
    group's (``group_entries``), so taking or giving up an entry touches only ``ids``;
    callers change ``PendingEntry.consumer`` and the group's PEL themselves."""

    __slots__ = ("group_entries", "ids")

    def __init__(self, group_entries: dict[int, PendingEntry]) -> None:
        self.group_entries = group_entries
        self.ids = SortedIds()

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, stream_id: int) -> bool:
        return stream_id in self.ids

    def add(self, stream_id: int) -> None:
        """Own ``stream_id``, which this consumer did not own."""
        self.ids.add(stream_id)

    def extend_new(self, ids: list[int]) -> None:
        """Own ``ids``: ascending, all past the last ID owned."""
        self.ids.extend_sorted(ids)

    def remove(self, stream_id: int) -> None:
        self.ids.discard(stream_id)

    def remove_all(self, ids: list[int]) -> None:
        """Give up ``ids``, which are all owned and distinct."""
        self.ids.discard_all(ids)

    def range(self, start: int = 0, end: int = MAX_ID) -> Iterator[tuple[int, PendingEntry]]:
        """(ID, entry) pairs with ``start <= ID <= end``, ascending; safe to mutate meanwhile."""
        return _entries_between(self.ids, self.group_entries, start, end)


class Consumer:
    __slots__ = ("name", "seen_time", "active_time", "pending")

    def __init__(self, name: bytes, now_ms: int, group_pending: PendingList) -> None:
        self.name = name
        self.seen_time = now_ms
        self.active_time = -1
        self.pending = OwnedPending(group_pending.entries)


def _claimed_item(stream: Stream, stream_id: int, justid: bool) -> bytes | None:
    """What a claim answers for ``stream_id`` (the entry, or with ``justid`` its ID as a
    bulk string), or ``None`` when the stream no longer holds it."""
    if justid:
        return id_bulk(stream_id) if stream.contains(stream_id) else None
    return stream.get(stream_id)


class ConsumerGroup:
    __slots__ = ("name", "last_id", "entries_read", "pending", "consumers")

    def __init__(self, name: bytes, last_id: int, entries_read: int = -1) -> None:
        self.name = name
        self.last_id = last_id
        self.entries_read = entries_read
        self.pending = PendingList()
        self.consumers: dict[bytes, Consumer] = {}

    # -- consumers -----------------------------------------------------------------

    def get_or_create_consumer(self, name: bytes, now_ms: int) -> tuple[Consumer, bool]:
        """The named consumer, created if needed; the flag says whether it was created."""
        consumer = self.consumers.get(name)
        if consumer is not None:
            return consumer, False
        consumer = Consumer(name, now_ms, self.pending)
        self.consumers[name] = consumer
        return consumer, True

    def delete_consumer(self, name: bytes) -> int:
        """Remove a consumer and its pending entries; the number of entries it had pending."""
        consumer = self.consumers.pop(name, None)
        if consumer is None:
            return 0
        for stream_id in consumer.pending.ids:  # only the group's PEL changes
            self.pending.remove(stream_id)
        return len(consumer.pending)

    def consumer_seen(self, name: bytes, now_ms: int) -> tuple[Consumer, bool]:
        """The named consumer (created if needed), marked as seen now; True if created.

        XREADGROUP, XCLAIM and XAUTOCLAIM do this whatever they go on to deliver.
        """
        consumer, created = self.get_or_create_consumer(name, now_ms)
        consumer.seen_time = now_ms
        return consumer, created

    def sorted_consumers(self) -> list[Consumer]:
        """Consumers in byte order of their names, as Valkey lists them."""
        return [self.consumers[name] for name in sorted(self.consumers)]

    # -- pending entries ---------------------------------------------------------------

    def assign(self, stream_id: int, consumer: Consumer, now_ms: int) -> PendingEntry:
        """Record a delivery of ``stream_id`` to ``consumer`` (a new or re-delivered entry).

        An entry already pending (the group's ID was moved back) changes owner and
        restarts its delivery count at 1, as Valkey does.
        """
        entry = self.pending.get(stream_id)
        if entry is None:
            entry = PendingEntry(now_ms, 1, consumer)
            self.pending.add(stream_id, entry)
            consumer.pending.add(stream_id)
        else:
            entry = self.pending.own(stream_id, entry)
            self.transfer(stream_id, entry, consumer)
            entry.delivery_time = now_ms
            entry.delivery_count = 1
        return entry

    def transfer(self, stream_id: int, entry: PendingEntry, consumer: Consumer) -> None:
        """Make ``consumer`` the owner of a pending entry (XCLAIM, XAUTOCLAIM); the
        entry is the ID's own (``PendingList.own``)."""
        assert type(entry) is PendingEntry, "a shared entry changes through own() only"
        if entry.consumer is consumer:
            return
        entry.consumer.pending.remove(stream_id)
        entry.consumer = consumer
        consumer.pending.add(stream_id)

    def acknowledge(self, stream_id: int) -> bool:
        """XACK of one ID: True when it was pending."""
        entry = self.pending.remove(stream_id)
        if entry is None:
            return False
        entry.consumer.pending.remove(stream_id)
        return True

    def acknowledge_all(self, ids: list[int]) -> int:
        """XACK: acknowledge each ID; how many were pending."""
        entries = self.pending.entries
        acknowledged: list[int] = []
        owners: list[Consumer] = []
        for stream_id in ids:
            entry = entries.pop(stream_id, None)
            if entry is not None:  # (an ID listed twice is found once)
                acknowledged.append(stream_id)
                owners.append(entry.consumer)
        if not acknowledged:
            return 0
        self.pending.ids.discard_all(acknowledged)
        owner = owners[0]
        if owners.count(owner) == len(owners):  # the usual batch: one consumer's entries
            owner.pending.remove_all(acknowledged)
        else:
            for stream_id, owner in zip(acknowledged, owners, strict=True):
                owner.pending.remove(stream_id)
        return len(acknowledged)

    def drop(self, stream_id: int) -> None:
        """Forget a pending entry whose stream entry is gone (claiming found it deleted)."""
        self.acknowledge(stream_id)

    def advance_last_id(self, stream_id: int) -> None:
        """XCLAIM LASTID: move ``last_id`` forward only; ``entries_read`` is left alone."""
        if stream_id > self.last_id:
            self.last_id = stream_id

    def pending_range(
        self,
        start: int,
        end: int,
        count: int,
        min_idle: int,
        now_ms: int,
        consumer: Consumer | None = None,
    ) -> list[tuple[int, PendingEntry]]:
        """XPENDING's extended form: up to ``count`` entries of ``start..end``, ascending.

        The consumer's PEL when one is given, else the group's. A non-zero
        ``min_idle`` skips entries delivered less than that long ago (skipped
        entries do not count against ``count``).
        """
        pel = consumer.pending if consumer is not None else self.pending
        found: list[tuple[int, PendingEntry]] = []
        if count <= 0:
            return found
        for stream_id, entry in pel.range(start, end):
            if min_idle and now_ms - entry.delivery_time < min_idle:
                continue
            found.append((stream_id, entry))
            if len(found) == count:
                break
        return found

    def consumers_with_pending(self) -> list[tuple[bytes, int]]:
        """(name, pending count) of consumers with something pending, in name order."""
        return [
            (consumer.name, len(consumer.pending))
            for consumer in self.sorted_consumers()
            if len(consumer.pending)
        ]

    # -- claiming ------------------------------------------------------------------------

    def _take(
        self,
        stream_id: int,
        entry: PendingEntry,
        consumer: Consumer,
        delivery_time: int,
        retry_count: int,
        justid: bool,
        now_ms: int,
    ) -> None:
        """Give a pending entry to ``consumer`` as XCLAIM and XAUTOCLAIM do: a new
        delivery time, and the count set to ``retry_count`` (when >= 0) or counting one
        more delivery (none with ``justid``); the consumer becomes active."""
        entry = self.pending.own(stream_id, entry)
        self.transfer(stream_id, entry, consumer)
        entry.delivery_time = delivery_time
        if retry_count >= 0:
            entry.delivery_count = retry_count
        elif not justid:
            entry.delivery_count = int64(entry.delivery_count + 1)
        consumer.active_time = now_ms

    def claim(
        self,
        stream: Stream,
        consumer: Consumer,
        ids: list[int],
        request: ClaimRequest,
        now_ms: int,
    ) -> list[bytes]:
        """XCLAIM: move the listed pending entries to ``consumer``; the claimed entries
        (``*2`` [ID, fields]), or with ``justid`` their IDs as bulk strings.

        IDs are handled in the order given (a repeated ID is handled again). An ID
        the stream no longer holds leaves the PEL unreported; with ``force`` an
        existing entry that is not pending becomes pending, owned by ``consumer``
        from the start (so it is taken whatever ``min_idle`` says). An entry
        already pending is only taken when it has been idle for ``min_idle`` ms
        (0: always).
        """
        claimed: list[bytes] = []
        for stream_id in ids:
            entry = self.pending.get(stream_id)
            if entry is None and not request.force:
                continue  # nothing to claim, whatever the stream holds
            item = _claimed_item(stream, stream_id, request.justid)
            if item is None:
                if entry is not None:
                    self.drop(stream_id)
                continue
            if entry is None:
                entry = PendingEntry(now_ms, 1, consumer)
                self.pending.add(stream_id, entry)
                consumer.pending.add(stream_id)
            elif request.min_idle and now_ms - entry.delivery_time < request.min_idle:
                continue
            self._take(
                stream_id,
                entry,
                consumer,
                request.delivery_time,
                request.retry_count,
                request.justid,
                now_ms,
            )
            claimed.append(item)
        return claimed

    def autoclaim(
        self,
        stream: Stream,
        consumer: Consumer,
        start: int,
        count: int,
        min_idle: int,
        justid: bool,
        now_ms: int,
    ) -> AutoClaimResult:
        """XAUTOCLAIM: scan the group PEL from ``start``, claiming idle entries.

        At most ``count`` entries are claimed or found deleted, and at most
        ``count * 10`` PEL entries are looked at. The cursor is the first PEL ID
        after the last one looked at (0 when the scan reached the end).
        """
        result = AutoClaimResult()
        attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR
        last_seen: int | None = None
        for stream_id, entry in self.pending.range(start, MAX_ID):
            if attempts == 0 or count == 0:
                break
            attempts -= 1
            last_seen = stream_id
            item = _claimed_item(stream, stream_id, justid)
            if item is None:
                self.drop(stream_id)
                result.deleted.append(stream_id)
                count -= 1
                continue
            if min_idle and now_ms - entry.delivery_time < min_idle:
                continue
            self._take(stream_id, entry, consumer, now_ms, -1, justid, now_ms)
            result.claimed.append(item)
            count -= 1
        if last_seen is not None:
            following = next(self.pending.ids.irange(last_seen + 1, MAX_ID), None)
            result.cursor = following if following is not None else 0
        return result

    # -- reading -----------------------------------------------------------------------

    def deliver_new(
        self, stream: Stream, consumer: Consumer, count: int, noack: bool, now_ms: int
    ) -> tuple[list[int], bytes]:
        """XREADGROUP ``>``: the entries after ``last_id``, at most ``count`` (0: all),
        as their IDs and the RESP array of the entries (no IDs: nothing to deliver).

        Moves ``last_id`` and keeps ``entries_read`` exact where it can (see ``lag``);
        unless ``noack`` the entries become pending for ``consumer``.
        """
        if stream.length == 0 or stream.last_live_id() <= self.last_id:
            return [], b"*0\r\n"
        ids, reply = stream.range_ids(self.last_id + 1, MAX_ID, count)
        self._count_read(stream, ids)
        self.last_id = ids[-1]
        if not noack:
            last_pending = self.pending.last_id()
            if last_pending is None or last_pending < ids[0]:
                # The usual case: every ID is new and past all the PELs hold (a
                # consumer's PEL is part of the group's), so they go in at the end.
                self.pending.extend_new(ids, SharedPendingEntry(now_ms, 1, consumer))
                consumer.pending.extend_new(ids)
            else:  # the group's ID was moved back: some may be pending already
                for stream_id in ids:
                    self.assign(stream_id, consumer, now_ms)
            consumer.active_time = now_ms
        return ids, reply

    def _count_read(self, stream: Stream, ids: list[int]) -> None:
        """Advance ``entries_read`` over the delivered ``ids`` (ascending), as Valkey does
        entry by entry: one more per entry while no tombstone may lie ahead, else the
        estimate (which may be unknown, -1)."""
        if self.entries_read != -1 and not range_has_tombstones(stream, ids[0]):
            # No tombstone at or after the first ID: none after the later ones either.
            self.entries_read = int64(self.entries_read + len(ids))
            return
        for stream_id in ids:
            if self.entries_read != -1 and not range_has_tombstones(stream, stream_id):
                self.entries_read = int64(self.entries_read + 1)
            elif stream.entries_added:
                self.entries_read = estimate_read_counter(stream, stream_id)

    def history(
        self, stream: Stream, consumer: Consumer, after: int, count: int, now_ms: int
    ) -> list[tuple[int, bytes | None]]:
        """XREADGROUP with an ID: the consumer's own pending entries after ``after``.

        Each comes as (ID, entry), the entry ``None`` when the stream no longer holds
        it; such an entry keeps its pending record unchanged, the others count one
        more delivery.
        """
        result: list[tuple[int, bytes | None]] = []
        for stream_id, entry in consumer.pending.range(after + 1, MAX_ID):
            data = stream.get(stream_id)
            if data is not None:
                entry = self.pending.own(stream_id, entry)
                entry.delivery_time = now_ms
                entry.delivery_count = int64(entry.delivery_count + 1)
            result.append((stream_id, data))
            if count and len(result) == count:
                break
        return result

    def copy(self) -> ConsumerGroup:
        """A deep copy that keeps the sharing between group and consumer PELs."""
        clone = ConsumerGroup(self.name, self.last_id, self.entries_read)
        consumers: dict[int, Consumer] = {}
        for name, consumer in self.consumers.items():
            copied = Consumer(name, consumer.seen_time, clone.pending)
            copied.active_time = consumer.active_time
            clone.consumers[name] = copied
            consumers[id(consumer)] = copied
        for stream_id, entry in self.pending.range():
            owner = consumers[id(entry.consumer)]
            copied_entry = PendingEntry(entry.delivery_time, entry.delivery_count, owner)
            clone.pending.add(stream_id, copied_entry)
            owner.pending.add(stream_id)
        return clone


_U64 = 2**64 - 1
_WRAP = 2**64
_INT64_MAX = 2**63 - 1

# XAUTOCLAIM looks at up to this many PEL entries per entry it may return.
AUTOCLAIM_ATTEMPTS_FACTOR = 10


@dataclass(frozen=True)
class ClaimRequest:
    """XCLAIM's options, validated: what a claim does to each entry it takes.

    ``delivery_time`` is the new delivery time (already resolved from IDLE/TIME);
    ``retry_count`` is the new delivery count, or -1 to count one more delivery
    (none with ``justid``).
    """

    min_idle: int
    delivery_time: int
    retry_count: int = -1
    force: bool = False
    justid: bool = False


@dataclass
class AutoClaimResult:
    """XAUTOCLAIM's answer: next cursor, what was claimed (entries, or ID bulk strings
    with JUSTID), IDs dropped as deleted."""

    cursor: int = 0
    claimed: list[bytes] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)


# -- lag and entries-read (Valkey's streamRangeHasTombstones and
# streamEstimateDistanceFromFirstEverEntry)


def int64(value: int) -> int:
    """``value`` wrapped to a signed 64-bit integer, as Valkey's counters behave.

    Valkey keeps entries-read and delivery counts in 64 bits and reports entries-added
    (unsigned) and lag as signed 64-bit numbers, so a counter set near the top by
    ENTRIESREAD, ENTRIESADDED or RETRYCOUNT wraps around instead of growing past what
    a RESP integer can carry.
    """
    value &= _U64
    return value - _WRAP if value > _INT64_MAX else value


def range_has_tombstones(stream: Stream, start: int, end: int = MAX_ID) -> bool:
    """Whether an entry deleted by XDEL may lie within ``start..end``."""
    if stream.length == 0 or stream.max_deleted_id == 0:
        return False
    if stream.first_id > stream.max_deleted_id:
        return False
    return start <= stream.max_deleted_id <= end


def estimate_read_counter(stream: Stream, stream_id: int) -> int:
    """How many entries were added up to ``stream_id``, or -1 when it cannot be known."""
    if stream.entries_added == 0:
        return 0
    if stream.length == 0 and stream_id <= stream.last_id:
        return int64(stream.entries_added)
    if stream_id == stream.last_id:
        return int64(stream.entries_added)
    if stream_id > stream.last_id:
        return -1
    if stream.max_deleted_id == 0 or stream.max_deleted_id < stream.first_id:
        if stream_id < stream.first_id:
            return int64(stream.entries_added - stream.length)
        if stream_id == stream.first_id:
            return int64(stream.entries_added - stream.length + 1)
    return -1


def lag(stream: Stream, group: ConsumerGroup) -> int | None:
    """Entries not yet delivered to the group, or ``None`` when unknown (XINFO)."""
    if stream.entries_added == 0:
        return 0
    if group.entries_read != -1 and not range_has_tombstones(stream, group.last_id):
        return int64(stream.entries_added - group.entries_read)
    estimate = estimate_read_counter(stream, group.last_id)
    return int64(stream.entries_added - estimate) if estimate != -1 else None
