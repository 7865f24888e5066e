"""The keyspace: numbered databases of keys with optional expiry, and WATCH bookkeeping.

Invariants:
* A key's value is never ``None``; strings are stored as ``bytes``; every value's class
  is registered in ``engine.types`` (its TYPE name, copier, encoding, memory size).
* ``expires`` only holds keys present in ``data``; a key whose deadline is at or
  before the command time (``Keyspace.now_ms``) is logically gone: every read path
  goes through ``lookup``, which deletes it (lazy expiry), and ``active_expire``
  removes the rest from a timer; while ``expire_paused`` (CLIENT PAUSE) it reads as
  absent and stays.
* Keys enter and leave ``data`` only through ``Database`` methods (``set``, ``add``,
  ``delete``, ``set_expire``, ``flush``, expiry) and ``Keyspace.swap``: those keep the
  SCAN order index and the expiry heap in step with ``data``. Values may be changed
  in place by their type's commands, followed by ``Database.touch`` so that WATCHing
  clients see it (Valkey's signalModifiedKey), and client-side caching too while
  ``Keyspace.invalidate`` is set (some client may cache a key); expiry and eviction
  tell it so (``CHANGED_BY_*``).
* No asyncio, no RESP: everything here is synchronous and testable directly.
* Keyspace events (``notify``): ``new`` when a key comes into existence (``add``, or
  ``set`` of an absent key), ``expired`` when expiry removes one, ``evicted`` when
  eviction does; the commands emit their own events. An event whose class is on goes
  to ``event_sink`` (if set) and is published through ``publish`` (pub/sub's, if set).

The SCAN order index. Each time a key is inserted into a database (it was absent
before) it receives the next number of a keyspace-wide, ever-increasing sequence.
``_order_keys`` / ``_order_seqs`` list the keys with their numbers in insertion
order, so the numbers are sorted; an entry is live while ``_seq[key]`` still holds
its number (a deleted key leaves a dead entry behind, dropped by an occasional
compaction that never renumbers anything). A SCAN cursor is a sequence number: a
call returns keys whose numbers are above the cursor, in order, and answers the
number of the last entry it examined (0 once the end is reached). A key present
for the whole iteration keeps its number, so exactly one call examines it, however
many keys are added or removed between calls; keys added meanwhile get higher
numbers and may or may not be seen, as in Valkey.

Access tracking (OBJECT IDLETIME / FREQ, LRU and LFU eviction). Valkey keeps a
24-bit LRU clock or LFU counter in every object and updates it on each lookup. Here
that costs nothing until something needs it: while ``Keyspace.tracking`` is ""
lookups record nothing. Once tracking is on ("lru" or "lfu", see
``Keyspace.track``), each database's ``lookup`` is replaced (an instance attribute)
by one that also records the access: ``access`` maps a key to the command time (ms)
of its last access (LRU), ``lfu`` to its packed LFU state ``(minutes << 8) |
counter`` as Valkey's. ``peek`` is the lookup that never records (Valkey's
LOOKUP_NOTOUCH: TYPE, EXISTS, TTL, OBJECT), and nothing is recorded while
``Keyspace.no_touch`` is set (a CLIENT NO-TOUCH client's command). A key created
while tracking gets Valkey's initial stamp; a key never stamped counts as accessed
at ``Keyspace.tracked_since_ms`` (the server's start). ``access`` and ``lfu`` only
hold keys present in ``data``, and so does ``unshared`` (the keys whose small-integer
string is no shared object: stored or accessed while ``share_integers`` was off).

Memory accounting (maxmemory, INFO used_memory). Off while ``Keyspace.accounting``
is False (maxmemory 0): nothing is kept and writes pay nothing. When on
(``start_accounting``), ``Keyspace.touch``, which every write calls after changing
a key (Valkey's signalModifiedKey), is replaced by one that also adds the key to
its database's ``dirty`` set; ``settle`` re-measures the dirty keys (``measure``:
key overhead plus the value's ``TypeSpec.memory``) and keeps ``used`` equal to the
sum of ``sizes`` (``table``: its tables' bytes, ``Keyspace.used_total``: every
database's ``used + table``). Invariant while on: every key of ``data`` is in
``sizes`` with its size as last measured, or in ``dirty``; ``sizes`` holds no key
that is neither in ``data`` nor in ``dirty``; ``used == sum(sizes.values())`` and
``table == db_table_bytes(db)`` after ``settle``.
A write that skips the touch (XADD's fast path when nobody WATCHes) is covered by the
dispatcher's slow path, which every command takes while accounting is on: it marks a
write command's keys dirty before running it (``mark_dirty``), so the next settle
measures them. A change made in place by a read (a consumer group's PEL by
XREADGROUP, which Valkey does not signal either) is measured at the key's next write.

The expiry heap. ``_deadlines`` is a min-heap of (deadline, key) pushed by
``set_expire``; entries whose key no longer has that deadline are stale and skipped
when popped. Active expiry pops everything due, so (unlike Valkey's sampling) no
expired key outlives one expiry pass, which keeps tests with a manual clock exact.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from ..errors import WRONGTYPE, CommandError
from ..events import EVICTED, EXPIRED, NEW, deliver
from . import strings as _strings  # noqa: F401  (registers bytes as the string type)

# Dead entries tolerated in the SCAN order index before it is compacted.
_COMPACT_SLACK = 64
# Stale entries tolerated in the expiry heap before it is rebuilt.
_HEAP_SLACK = 64
# Upper bound on keys removed by one active expiry pass (over all databases), so
# a huge batch of simultaneous deadlines is spread over several timer ticks.
ACTIVE_EXPIRE_BUDGET = 20_000
# A database's table (Valkey's kvstore dict): its header and lookup-table share, then
# its power-of-two buckets of pointers.
TABLE_HEADER = 96
TABLE_LUT = 32


def table_bytes(keys: int) -> int:
    """A hash table holding ``keys`` entries: its header and its buckets."""
    return TABLE_HEADER + 8 * (1 << max(2, (keys - 1).bit_length())) if keys else TABLE_HEADER


def db_table_bytes(db: Database) -> int:
    """The memory of a database's key and expiry tables (none while it is empty)."""
    if not db.data:
        return 0
    return table_bytes(len(db.data)) + table_bytes(len(db.expires)) + TABLE_LUT


# What changed a key, as ``Keyspace.touch`` tells client-side caching: a command, or
# the server itself expiring or evicting it.
CHANGED_BY_COMMAND = 0
CHANGED_BY_EXPIRY = 1
CHANGED_BY_EVICTION = 2

# LFU (Valkey's): a new key's counter, the counter's ceiling.
LFU_INIT_VAL = 5
LFU_MAX = 255


class Watcher(Protocol):
    """What the keyspace needs of a client that WATCHes keys (see ``session.Client``)."""

    watched: dict[tuple[int, bytes], bool]

    def watched_key_touched(self, index: int, key: bytes, still_exists: bool) -> None: ...

    def mark_watch_dirty(self, unwatch: bool = True) -> None: ...


class Database:
    """One numbered database: a dict of keys and a dict of expiry deadlines (ms)."""

    # The per-database storage that SWAPDB exchanges between two databases.
    STORAGE = (
        "data", "expires", "_seq", "_order_keys", "_order_seqs", "_deadlines",
        "access", "lfu", "unshared", "sizes", "dirty", "used", "table",
    )  # fmt: skip

    def __init__(self, index: int, keyspace: Keyspace) -> None:
        self.index = index
        self.keyspace = keyspace
        self.data: dict[bytes, Any] = {}
        self.expires: dict[bytes, int] = {}
        self._seq: dict[bytes, int] = {}
        self._order_keys: list[bytes] = []
        self._order_seqs: list[int] = []
        self._deadlines: list[tuple[int, bytes]] = []
        # Access tracking and memory accounting (see the module docstring).
        self.access: dict[bytes, int] = {}
        self.lfu: dict[bytes, int] = {}
        # Keys whose value Valkey would hold unshared although it is a small integer
        # (see ``Keyspace.share_integers``).
        self.unshared: set[bytes] = set()
        self.sizes: dict[bytes, int] = {}
        self.dirty: set[bytes] = set()
        self.used = 0
        self.table = 0  # db_table_bytes as last settled

    # -- reading -----------------------------------------------------------------

    def lookup(self, key: bytes) -> Any:
        """The live value of ``key`` or ``None``; expires the key if its time has come."""
        value = self.data.get(key)
        if value is not None and key in self.expires and self._expire_if_due(key):
            return None
        return value

    # The lookup that never records an access (Valkey's LOOKUP_NOTOUCH), whatever
    # ``lookup`` is while tracking is on.
    peek = lookup

    def _lookup_lru(self, key: bytes) -> Any:
        """``lookup`` while LRU tracking is on: also stamps the access time."""
        value = self.data.get(key)
        if value is not None:
            if key in self.expires and self._expire_if_due(key):
                return None
            keyspace = self.keyspace
            if not keyspace.no_touch:
                self.access[key] = keyspace.now_ms
                if not keyspace.share_integers:
                    self.unshared.add(key)
        return value

    def _lookup_lfu(self, key: bytes) -> Any:
        """``lookup`` while LFU tracking is on: also counts the access."""
        value = self.data.get(key)
        if value is not None:
            if key in self.expires and self._expire_if_due(key):
                return None
            keyspace = self.keyspace
            if not keyspace.no_touch:
                self.count_access(key)
                if not keyspace.share_integers:
                    self.unshared.add(key)
        return value

    def lookup_typed(self, key: bytes, kind: type) -> Any:
        """Like ``lookup`` but raises WRONGTYPE when the key holds another type."""
        value = self.lookup(key)
        if value is not None and type(value) is not kind:
            raise CommandError(WRONGTYPE)
        return value

    def exists(self, key: bytes) -> bool:
        return self.peek(key) is not None

    def is_expired(self, key: bytes) -> bool:
        """True when ``key`` is present but logically expired (nothing is deleted)."""
        deadline = self.expires.get(key)
        return deadline is not None and deadline <= self.keyspace.now_ms

    def expire_at(self, key: bytes) -> int | None:
        """The key's deadline in ms, or ``None`` when it has none (or does not exist)."""
        if self.peek(key) is None:
            return None
        return self.expires.get(key)

    def live_keys(self) -> Iterator[bytes]:
        """Every key that has not expired at the command time (expired ones are removed)."""
        for key in list(self.data):
            if self.peek(key) is not None:
                yield key

    def random_key(self) -> bytes | None:
        """A uniformly chosen live key (expired ones met on the way are removed)."""
        misses = 0
        while self.data:
            keys, seqs = self._order_keys, self._order_seqs
            # Dead index entries are at most about half of the index (see _remove),
            # so a retry is rarely needed; the fallback only guards the invariant.
            if misses < 100 and keys:
                position = random.randrange(len(keys))
                key = keys[position]
                if self._seq.get(key) != seqs[position]:
                    misses += 1
                    continue
            else:
                key = random.choice(list(self.data))
            if self.peek(key) is not None:
                return key
        return None

    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """One SCAN step: up to ``count`` keys inserted after ``cursor``, and the next cursor.

        Keys are returned whether or not they have expired; the caller filters.
        At most ``10 * count`` index entries are examined per call (Valkey bounds a
        sparse table the same way), so a long run of dead entries cannot stall it.
        """
        keys, seqs, live = self._order_keys, self._order_seqs, self._seq
        position = bisect_right(seqs, cursor)
        end = len(keys)
        budget = count * 10
        found: list[bytes] = []
        while position < end and len(found) < count and budget > 0:
            key = keys[position]
            if live.get(key) == seqs[position]:
                found.append(key)
            position += 1
            budget -= 1
        next_cursor = seqs[position - 1] if position < end else 0
        return next_cursor, found

    def __len__(self) -> int:
        return len(self.data)

    # -- writing -----------------------------------------------------------------

    def set(self, key: bytes, value: Any, keep_ttl: bool = False) -> None:
        """Store ``value`` under ``key``; an existing expiry is dropped unless ``keep_ttl``.

        A key that is present but past its deadline expires first (as a write lookup
        does in Valkey), so ``keep_ttl`` never carries over a deadline already gone.
        """
        if key in self.expires:
            self._expire_if_due(key)
        replaced = key in self.data
        if not replaced:
            self._index(key)
        self.data[key] = value
        if not keep_ttl:
            self.expires.pop(key, None)
        keyspace = self.keyspace
        if keyspace.tracking:
            # An overwrite keeps the old value's stamp, just touched by the write lookup.
            self.record_access(key) if replaced else self._stamp_new(key)
        self._note_sharing(key)
        self.touch(key)
        if replaced:  # an overwrite counts as a deletion for readers that wait on it
            keyspace.signal_deleted(self.index, key)
        else:
            keyspace.signal_added(self.index, key, value)
            self.notify(NEW, "new", key)

    def add(self, key: bytes, value: Any) -> None:
        """Store a new key (the caller knows it does not exist): Valkey's dbAdd."""
        if key not in self.data:
            self._index(key)
        self.data[key] = value
        if self.keyspace.tracking:
            self._stamp_new(key)
        self._note_sharing(key)
        self.touch(key)
        self.keyspace.signal_added(self.index, key, value)
        self.notify(NEW, "new", key)

    def delete(self, key: bytes) -> bool:
        """Remove ``key``; True when a live key was removed."""
        if self.peek(key) is None:
            return False
        self._remove(key)
        self.touch(key)
        return True

    def set_expire(self, key: bytes, when_ms: int) -> bool:
        """Give an existing key a deadline; a deadline already past deletes it now.

        True when the key now has the deadline, False when it was deleted (or was
        absent). A deletion here is the command's doing, not an expiry, so it is not
        counted in ``stats_expired_keys`` (Valkey counts only keys that expired).
        """
        if key not in self.data:
            return False
        if when_ms <= self.keyspace.now_ms:
            self._remove(key)
            self.touch(key)
            return False
        self.expires[key] = when_ms
        self._push_deadline(key, when_ms)
        self.touch(key)
        return True

    def persist(self, key: bytes) -> bool:
        if self.lookup(key) is None or key not in self.expires:
            return False
        del self.expires[key]
        self.touch(key)
        return True

    def flush(self) -> int:
        """Empty the database, notifying watchers of every key that existed."""
        removed = len(self.data)
        self.keyspace.touch_all_watched(self, None)
        self.keyspace.signal_blocked_keys_replaced(self, None)
        self.data = {}
        self.expires = {}
        self._seq = {}
        self._order_keys = []
        self._order_seqs = []
        self._deadlines = []
        self.access = {}
        self.lfu = {}
        self.unshared = set()
        self.keyspace.used_total -= self.used + self.table
        self.sizes = {}
        self.dirty = set()
        self.used = 0
        self.table = 0
        self.keyspace.on_flush(self)
        return removed

    def touch(self, key: bytes) -> None:
        """Tell WATCHing clients that ``key`` changed (Valkey's signalModifiedKey)."""
        self.keyspace.touch(self.index, key)

    def notify(self, event_class: int, event: str, key: bytes) -> None:
        """The keyspace event a write would publish (Valkey's notifyKeyspaceEvent).

        One integer test while ``notify-keyspace-events`` leaves ``event_class`` out
        (the default: nothing is set); see ``events``.
        """
        keyspace = self.keyspace
        if keyspace.notify_flags & event_class:
            keyspace.publish_event(event_class, event, key, self.index)

    # -- access tracking ---------------------------------------------------------

    def _note_sharing(self, key: bytes) -> None:
        """A value just stored: shared if small integers are shared now (OBJECT REFCOUNT)."""
        if not self.keyspace.share_integers:
            self.unshared.add(key)
        elif self.unshared:
            self.unshared.discard(key)

    def _stamp_new(self, key: bytes) -> None:
        """A new key's stamp (Valkey's initObjectLRUOrLFU)."""
        keyspace = self.keyspace
        if keyspace.tracking == "lfu":
            self.lfu[key] = (keyspace.lfu_minutes() << 8) | LFU_INIT_VAL
        else:
            self.access[key] = keyspace.now_ms

    def record_access(self, key: bytes) -> None:
        """Record an access to ``key`` (TOUCH, overwrites) whatever ``no_touch`` says."""
        keyspace = self.keyspace
        if keyspace.tracking == "lfu":
            self.count_access(key)
        elif keyspace.tracking:
            self.access[key] = keyspace.now_ms

    def count_access(self, key: bytes) -> None:
        """Valkey's updateLFU: decay the counter, then increment it logarithmically."""
        keyspace = self.keyspace
        counter = self.frequency(key)
        if counter < LFU_MAX:
            base = max(0, counter - LFU_INIT_VAL)
            if keyspace.random() < 1.0 / (base * keyspace.lfu_log_factor + 1):
                counter += 1
        self.lfu[key] = (keyspace.lfu_minutes() << 8) | counter

    def frequency(self, key: bytes) -> int:
        """The key's LFU counter after decay (Valkey's LFUDecrAndReturn)."""
        keyspace = self.keyspace
        packed = self.lfu.get(key)
        if packed is None:
            since, counter = keyspace.tracked_since_ms // 60_000 & 0xFFFF, LFU_INIT_VAL
        else:
            since, counter = packed >> 8, packed & 0xFF
        now = keyspace.lfu_minutes()
        elapsed = now - since if now >= since else 0xFFFF - since + now
        periods = elapsed // keyspace.lfu_decay_time if keyspace.lfu_decay_time else 0
        return max(0, counter - periods)

    def idle_ms(self, key: bytes) -> int:
        """Milliseconds since the last recorded access, at LRU clock resolution (1 s)."""
        keyspace = self.keyspace
        stamp = self.access.get(key, keyspace.tracked_since_ms)
        return max(0, keyspace.now_ms // 1000 - stamp // 1000) * 1000

    # -- the SCAN order index and the expiry heap ---------------------------------

    def _index(self, key: bytes) -> None:
        seq = self.keyspace.next_seq()
        self._seq[key] = seq
        self._order_keys.append(key)
        self._order_seqs.append(seq)

    def _remove(self, key: bytes) -> None:
        value = self.data.pop(key)
        self.expires.pop(key, None)
        self._seq.pop(key, None)
        if self.access:
            self.access.pop(key, None)
        if self.lfu:
            self.lfu.pop(key, None)
        if self.unshared:
            self.unshared.discard(key)
        if len(self._order_keys) > 2 * len(self._seq) + _COMPACT_SLACK:
            self._compact()
        self.keyspace.on_delete(self, key, value)
        self.keyspace.signal_deleted(self.index, key)

    def _compact(self) -> None:
        """Drop dead index entries; numbers are kept, so cursors stay valid."""
        live = self._seq
        pairs = [
            (key, seq)
            for key, seq in zip(self._order_keys, self._order_seqs, strict=True)
            if live.get(key) == seq
        ]
        self._order_keys = [key for key, _ in pairs]
        self._order_seqs = [seq for _, seq in pairs]

    def _push_deadline(self, key: bytes, when_ms: int) -> None:
        heap = self._deadlines
        if len(heap) > 2 * len(self.expires) + _HEAP_SLACK:
            heap[:] = [(when, k) for k, when in self.expires.items()]
            heapq.heapify(heap)
            if self.expires.get(key) == when_ms:
                return  # the rebuilt heap already holds this deadline
        heapq.heappush(heap, (when_ms, key))

    # -- expiry --------------------------------------------------------------------

    def _expire_if_due(self, key: bytes) -> bool:
        if self.expires[key] > self.keyspace.now_ms:
            return False
        if self.keyspace.expire_paused:  # CLIENT PAUSE: logically gone, but it stays
            return True
        self._expire(key)
        return True

    def _expire(self, key: bytes) -> None:
        self._remove(key)
        self.keyspace.stats_expired_keys += 1
        self.notify(EXPIRED, "expired", key)
        self.keyspace.touch(self.index, key, CHANGED_BY_EXPIRY)

    def evict(self, key: bytes) -> None:
        """Remove ``key`` to free memory (Valkey's eviction: an ``evicted`` event)."""
        self._remove(key)
        self.keyspace.stats_evicted_keys += 1
        self.keyspace.touch(self.index, key, CHANGED_BY_EVICTION)
        self.notify(EVICTED, "evicted", key)

    def active_expire(self, limit: int = ACTIVE_EXPIRE_BUDGET) -> int:
        """Remove up to ``limit`` keys whose deadline has passed; the number removed."""
        heap = self._deadlines
        now = self.keyspace.now_ms
        removed = 0
        while heap and heap[0][0] <= now and removed < limit:
            when, key = heapq.heappop(heap)
            if self.expires.get(key) == when:  # else stale: the deadline moved or went
                self._expire(key)
                removed += 1
        return removed


class Keyspace:
    """All databases, the command time, and which clients WATCH which keys."""

    def __init__(self, databases: int = 16) -> None:
        self.now_ms = 0
        self._last_seq = 0
        self.dbs = [Database(index, self) for index in range(databases)]
        self.watched: dict[tuple[int, bytes], set[Watcher]] = {}
        self.stats_expired_keys = 0
        self.delete_listeners: list[Callable[[Database, bytes, Any], None]] = []
        self.flush_listeners: list[Callable[[Database], None]] = []
        # Keys a write made ready for blocked readers (Valkey's signalKeyAsReady),
        # in the order they became ready; the blocking layer drains it after each command.
        self.ready_keys: dict[tuple[int, bytes], None] = {}
        # The keys clients are blocked on, and those whose deletion wakes a reader;
        # shared with (and kept by) ``blocking.BlockingRegistry``.
        self.blocked_keys: Mapping[tuple[int, bytes], object] = {}
        self.blocked_keys_on_nokey: Mapping[tuple[int, bytes], int] = {}
        # notify-keyspace-events as bits (``events``), and where events go: the tests'
        # recorder, and pub/sub's publish (set by the server core).
        self.notify_flags = 0
        self.event_sink: Callable[[int, str, bytes, int], None] | None = None
        # Client-side caching (``tracking.Tracking.key_modified``) while some client may
        # cache a key, else None: ``touch`` tells it of every change.
        self.invalidate: Callable[[bytes, int], None] | None = None
        self.publish: Callable[[bytes, bytes], int] | None = None
        self.stats_evicted_keys = 0
        # While CLIENT PAUSE stops expiry, keys past their deadline read as absent but
        # stay (the pause, pause.py, keeps this in step).
        self.expire_paused = False
        # Access tracking: "", "lru" or "lfu" (see the module docstring).
        self.tracking = ""
        self.tracked_since_ms = 0
        self.no_touch = False
        self.lfu_log_factor = 10
        self.lfu_decay_time = 1
        self.random: Callable[[], float] = random.random
        # Valkey shares one object per small integer unless maxmemory is set with an
        # LRU or LFU policy; a value stored, or accessed, while it does not share is
        # its own object from then on (``Database.unshared``).
        self.share_integers = True
        # Memory accounting (see the module docstring).
        self.accounting = False
        self.measure: Callable[[bytes, Any], int] = lambda key, value: 0
        self.used_total = 0  # the sum of every database's ``used``
        self.dirty_dbs: set[Database] = set()

    def __getitem__(self, index: int) -> Database:
        return self.dbs[index]

    def __len__(self) -> int:
        return len(self.dbs)

    def next_seq(self) -> int:
        """The next key insertion number (shared by all databases, so SWAPDB keeps order)."""
        self._last_seq += 1
        return self._last_seq

    # -- access tracking ---------------------------------------------------------

    def lfu_minutes(self) -> int:
        """Valkey's LFU clock: the command time in minutes, on 16 bits."""
        return self.now_ms // 60_000 & 0xFFFF

    def track(self, mode: str) -> None:
        """Turn access tracking to ``mode`` ("lru", "lfu"; "" turns it off)."""
        if mode == self.tracking:
            return
        self.tracking = mode
        for db in self.dbs:
            if mode == "lru":
                db.lookup = db._lookup_lru  # type: ignore[method-assign]
            elif mode == "lfu":
                db.lookup = db._lookup_lfu  # type: ignore[method-assign]
            else:
                db.__dict__.pop("lookup", None)
                db.access, db.lfu = {}, {}

    # -- memory accounting ----------------------------------------------------------

    def start_accounting(self, measure: Callable[[bytes, Any], int]) -> None:
        """Measure every key now and keep the totals up to date from here on."""
        self.measure = measure
        if not self.accounting:
            self.accounting = True
            self.touch = self._touch_counting  # type: ignore[method-assign]
        self.used_total = 0
        for db in self.dbs:
            db.sizes = {key: measure(key, value) for key, value in db.data.items()}
            db.used = sum(db.sizes.values())
            db.table = db_table_bytes(db)
            db.dirty = set()
            self.used_total += db.used + db.table
        self.dirty_dbs = set()

    def stop_accounting(self) -> None:
        if self.accounting:
            self.accounting = False
            del self.touch
        for db in self.dbs:
            db.sizes, db.dirty, db.used, db.table = {}, set(), 0, 0
        self.used_total = 0
        self.dirty_dbs = set()

    def _touch_counting(self, db_index: int, key: bytes, cause: int = CHANGED_BY_COMMAND) -> None:
        db = self.dbs[db_index]
        db.dirty.add(key)
        self.dirty_dbs.add(db)
        Keyspace.touch(self, db_index, key, cause)

    def mark_dirty(self, db: Database, key: bytes) -> None:
        """Have ``key`` re-measured at the next ``settle`` (accounting on only)."""
        if self.accounting:
            db.dirty.add(key)
            self.dirty_dbs.add(db)

    def settle(self) -> int:
        """Re-measure the keys written since the last call; the bytes all keys and the
        databases' tables use."""
        if self.dirty_dbs:
            measure = self.measure
            for db in self.dirty_dbs:
                sizes, data = db.sizes, db.data
                used = db.used
                for key in db.dirty:
                    used -= sizes.pop(key, 0)
                    value = data.get(key)
                    if value is not None:
                        size = sizes[key] = measure(key, value)
                        used += size
                table = db_table_bytes(db)
                self.used_total += used - db.used + table - db.table
                db.used, db.table = used, table
                db.dirty = set()
            self.dirty_dbs = set()
        return self.used_total

    def touch(self, db_index: int, key: bytes, cause: int = CHANGED_BY_COMMAND) -> None:
        """``key`` changed (Valkey's signalModifiedKey): tell its watchers
        (touchWatchedKey), and client-side caching while some client may cache it."""
        watchers = self.watched.get((db_index, key))
        if watchers:
            still_exists = key in self.dbs[db_index].data
            for client in list(watchers):  # a dirty client unwatches while we iterate
                client.watched_key_touched(db_index, key, still_exists)
        if self.invalidate is not None:
            self.invalidate(key, cause)

    def touch_all_watched(self, emptied: Database, replaced_with: Database | None) -> None:
        """``emptied`` is about to be flushed, or swapped with ``replaced_with``.

        Valkey's touchAllWatchedKeysInDb: a watched key that exists on either side
        dirties its watchers, except where it stays logically absent (it had expired
        before WATCH and is now gone, or is replaced by another expired key).
        """
        for (index, key), watchers in list(self.watched.items()):
            if index != emptied.index:
                continue
            in_emptied = key in emptied.data
            in_replacement = replaced_with is not None and key in replaced_with.data
            if not (in_emptied or in_replacement):
                continue
            replacement_expired = in_replacement and replaced_with is not None and (
                replaced_with.is_expired(key)
            )
            for client in list(watchers):
                expired_at_watch = client.watched.get((index, key))
                if expired_at_watch is None:
                    continue
                if expired_at_watch:
                    if not in_replacement:
                        client.watched[(index, key)] = False
                        continue
                    if replacement_expired:
                        continue
                elif not in_emptied and replacement_expired:
                    client.watched[(index, key)] = True
                    continue
                client.mark_watch_dirty(unwatch=False)

    def watch(self, client: Watcher, db_index: int, key: bytes) -> None:
        self.watched.setdefault((db_index, key), set()).add(client)

    def unwatch(self, client: Watcher, db_index: int, key: bytes) -> None:
        watchers = self.watched.get((db_index, key))
        if watchers is not None:
            watchers.discard(client)
            if not watchers:
                del self.watched[(db_index, key)]

    def swap(self, first: int, second: int) -> None:
        """SWAPDB: exchange two databases' contents; watchers of keys in either are touched."""
        a, b = self.dbs[first], self.dbs[second]
        if a is b:
            return
        self.touch_all_watched(a, b)
        self.touch_all_watched(b, a)
        self.signal_blocked_keys_replaced(a, b)
        self.signal_blocked_keys_replaced(b, a)
        for name in Database.STORAGE:
            mine, theirs = getattr(a, name), getattr(b, name)
            setattr(a, name, theirs)
            setattr(b, name, mine)
        if self.accounting:  # the dirty sets changed hands
            self.dirty_dbs.update((a, b))

    def publish_event(self, event_class: int, event: str, key: bytes, db_index: int) -> None:
        """An event of a class that is on (``Database.notify`` tested it): recorded, then
        published on its channels (``events.deliver``)."""
        if self.event_sink is not None:
            self.event_sink(event_class, event, key, db_index)
        if self.publish is not None:
            deliver(self.publish, self.notify_flags, event, key, db_index)

    def on_delete(self, db: Database, key: bytes, value: Any) -> None:
        for listener in self.delete_listeners:
            listener(db, key, value)

    def signal_ready(self, db_index: int, key: bytes) -> None:
        """A write may let a blocked reader of ``key`` proceed (XADD, key creation...)."""
        if (db_index, key) in self.blocked_keys:
            self.ready_keys[(db_index, key)] = None

    def signal_deleted(self, db_index: int, key: bytes) -> None:
        """``key`` was deleted or replaced: wake the readers that must hear of it (XREADGROUP)."""
        if (db_index, key) in self.blocked_keys_on_nokey:
            self.ready_keys[(db_index, key)] = None

    def signal_added(self, db_index: int, key: bytes, value: Any) -> None:
        """A new key, whatever brought it (Valkey's signalKeyAsReady inside dbAdd): its
        waiters are visited, and each serves itself only if the key now has its type."""
        if (db_index, key) in self.blocked_keys:
            self.ready_keys[(db_index, key)] = None

    def signal_blocked_keys_replaced(
        self, emptied: Database, replaced_with: Database | None
    ) -> None:
        """FLUSHDB / SWAPDB: Valkey's scanDatabaseForDeletedKeys and scanDatabaseForReadyKeys.

        ``emptied`` is about to lose its contents (to ``replaced_with``'s, for SWAPDB).
        A blocked-on key that disappears or changes type is signalled as deleted; one
        that will hold a value afterwards is signalled as ready.
        """
        for index, key in list(self.blocked_keys):
            if index != emptied.index:
                continue
            before = emptied.data.get(key)
            after = replaced_with.data.get(key) if replaced_with is not None else None
            if before is not None and (after is None or type(after) is not type(before)):
                self.signal_deleted(index, key)
            if after is not None:
                self.signal_added(index, key, after)

    def on_flush(self, db: Database) -> None:
        for listener in self.flush_listeners:
            listener(db)

    def active_expire(self, limit: int = ACTIVE_EXPIRE_BUDGET) -> int:
        """One active expiry pass over every database; the number of keys removed."""
        removed = 0
        for db in self.dbs:
            if db.expires and removed < limit:
                removed += db.active_expire(limit - removed)
        return removed
