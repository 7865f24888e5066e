"""Eviction: removing keys while used memory is over ``maxmemory`` (Valkey's evict.c).

``Evictor.perform`` is Valkey's performEvictions: nothing to do when the memory in
use is within the limit; under ``noeviction``, or with nothing left to evict, it
fails (the caller then refuses commands that would use memory); otherwise it
removes keys one at a time, re-measuring after each, until the memory fits or the
time budget (``maxmemory-eviction-tenacity``) runs out, in which case it reports
that eviction is still running (the cron goes on with it).

Which key goes:

* ``allkeys-*`` choose among every key, ``volatile-*`` among keys with a deadline;
* ``*-random``: a random key, visiting the databases in turn;
* ``*-lru`` / ``*-lfu`` / ``volatile-ttl``: Valkey's approximation. Each round samples
  ``maxmemory-samples`` keys of every database into a pool of the 16 best
  candidates seen so far (kept between calls), ordered by score: the idle time
  (LRU), 255 minus the access frequency (LFU), or how soon the deadline comes
  (TTL). The best candidate that still exists is removed.

Invariants: ``pool`` is sorted by ascending score and holds at most ``POOL_SIZE``
distinct (database, key) entries, which may name keys that no longer exist; only
``Database.evict`` removes keys here; no asyncio, no RESP.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .keyspace import Database, Keyspace

POOL_SIZE = 16
OK, RUNNING, FAIL = "ok", "running", "fail"


def time_limit_us(tenacity: int) -> float:
    """Valkey's eviction time budget for a tenacity of 0..100 (100: no limit)."""
    if tenacity <= 10:
        return 50.0 * tenacity
    if tenacity < 100:
        return 500.0 * 1.15 ** (tenacity - 10)
    return float("inf")


class Evictor:
    def __init__(self, keyspace: Keyspace) -> None:
        self.keyspace = keyspace
        self.pool: list[tuple[int, int, bytes]] = []  # (score, db index, key)
        self.next_db = 0
        self.rng = random.Random()

    def perform(
        self,
        limit: int,
        policy: str,
        samples: int,
        budget_us: float,
        used: Callable[[], int],
    ) -> str:
        """Evict until ``used()`` is at most ``limit``: OK, RUNNING or FAIL."""
        if used() <= limit:
            return OK
        if policy == "noeviction":
            return FAIL
        started = time.perf_counter()
        removed = 0
        while used() > limit:
            chosen = self._choose(policy, samples)
            if chosen is None:
                return FAIL
            db, key = chosen
            db.evict(key)
            removed += 1
            if removed % 16 == 0 and (time.perf_counter() - started) * 1e6 > budget_us:
                return RUNNING if used() > limit else OK
        return OK

    # -- choosing a key ---------------------------------------------------------------

    def _choose(self, policy: str, samples: int) -> tuple[Database, bytes] | None:
        allkeys = policy.startswith("allkeys")
        if policy.endswith("random"):
            return self._random(allkeys)
        return self._from_pool(policy, allkeys, samples)

    def _random(self, allkeys: bool) -> tuple[Database, bytes] | None:
        dbs = self.keyspace.dbs
        for _ in range(len(dbs)):
            self.next_db += 1
            db = dbs[self.next_db % len(dbs)]
            found = sample_keys(db, allkeys, 1, self.rng)
            if found:
                return db, found[0]
        return None

    def _from_pool(
        self, policy: str, allkeys: bool, samples: int
    ) -> tuple[Database, bytes] | None:
        dbs = self.keyspace.dbs
        while True:
            total = 0
            for db in dbs:
                count = len(db.data) if allkeys else len(db.expires)
                if count:
                    total += count
                    self._populate(db, policy, allkeys, samples)
            if not total:
                return None
            pool = self.pool
            while pool:
                _, index, key = pool.pop()
                db = dbs[index]
                if key in (db.data if allkeys else db.expires):
                    return db, key
            # Only ghosts were left: sample again (a database with keys always yields one).

    def _populate(self, db: Database, policy: str, allkeys: bool, samples: int) -> None:
        pool = self.pool
        for key in sample_keys(db, allkeys, samples, self.rng):
            score = _score(db, key, policy)
            entry = (score, db.index, key)
            for position, (_, index, known) in enumerate(pool):
                if index == db.index and known == key:
                    del pool[position]
                    break
            at = bisect_left(pool, entry)
            if len(pool) < POOL_SIZE:
                pool.insert(at, entry)
            elif at > 0:  # better than the worst candidate: it replaces it
                del pool[0]
                pool.insert(at - 1, entry)


def _score(db: Database, key: bytes, policy: str) -> int:
    """Higher is a better candidate."""
    if policy.endswith("lru"):
        return db.idle_ms(key)
    if policy.endswith("lfu"):
        return 255 - db.frequency(key)
    return -db.expires[key]  # volatile-ttl: the sooner the deadline, the better


def sample_keys(db: Database, allkeys: bool, count: int, rng: random.Random) -> list[bytes]:
    """Up to ``count`` random keys of ``db`` (any key, or keys with a deadline).

    Drawn from the SCAN order index (or the expiry heap), skipping their dead
    entries; at most about half of either is dead, so a few draws per key suffice.
    Keys are not expired here, and one may come twice (as Valkey's sampling may).
    """
    if allkeys:
        keys, seqs, live = db._order_keys, db._order_seqs, db._seq
        if not keys:
            return []
        found: list[bytes] = []
        for _ in range(count * 4):
            position = rng.randrange(len(keys))
            key = keys[position]
            if live.get(key) == seqs[position]:
                found.append(key)
                if len(found) == count:
                    break
        if not found and db.data:
            found.append(next(iter(db.data)))
        return found
    heap, expires = db._deadlines, db.expires
    if not heap:
        return []
    found = []
    for _ in range(count * 4):
        when, key = heap[rng.randrange(len(heap))]
        if expires.get(key) == when:
            found.append(key)
            if len(found) == count:
                break
    if not found and expires:
        found.append(next(iter(expires)))
    return found
