"""The keyspace: numbered databases of keys with optional expiry, and WATCH bookkeeping.

Invariants:
* A key's value is never ``None``; strings are stored as ``bytes``; other types are
  objects whose class is registered in ``TYPE_NAMES``.
* ``expires`` only holds keys present in ``data``; a key whose deadline is at or
  before the command time is logically gone: every read path goes through
  ``lookup`` which deletes it (lazy expiry), and ``active_expire`` samples the rest.
* Every change to a key goes through ``Database`` methods or is followed by
  ``Database.touch`` so that WATCHing clients see it (Valkey's signalModifiedKey).
* No asyncio, no RESP: everything here is synchronous and testable directly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ..errors import WRONGTYPE, CommandError

TYPE_NAMES: dict[type, str] = {bytes: "string"}


def type_name(value: object) -> str:
    return TYPE_NAMES[type(value)]


class Watcher(Protocol):
    """What the keyspace needs of a client that WATCHes keys."""

    watch_dirty: bool


class Database:
    """One numbered database: a dict of keys and a dict of expiry deadlines (ms)."""

    def __init__(self, index: int, keyspace: Keyspace) -> None:
        self.index = index
        self.keyspace = keyspace
        self.data: dict[bytes, Any] = {}
        self.expires: dict[bytes, int] = {}

    # -- reading -----------------------------------------------------------------

    def lookup(self, key: bytes) -> Any:
        """The live value of ``key`` or ``None``; expires the key if its time has come."""
        value = self.data.get(key)
        if value is not None and key in self.expires and self._expire_if_due(key):
            return None
        return value

    def lookup_typed(self, key: bytes, kind: type) -> Any:
        """Like ``lookup`` but raises WRONGTYPE when the key holds another type."""
        value = self.lookup(key)
        if value is not None and type(value) is not kind:
            raise CommandError(WRONGTYPE)
        return value

    def exists(self, key: bytes) -> bool:
        return self.lookup(key) is not None

    def expire_at(self, key: bytes) -> int | None:
        """The key's deadline in ms, or ``None`` when it has none (or does not exist)."""
        if self.lookup(key) is None:
            return None
        return self.expires.get(key)

    def live_keys(self) -> Iterator[bytes]:
        """Every key that has not expired at the command time (expired ones are removed)."""
        for key in list(self.data):
            if self.lookup(key) is not None:
                yield key

    def random_key(self) -> bytes | None:
        while self.data:
            key = random.choice(list(self.data)) if len(self.data) < 64 else self._sample_key()
            if self.lookup(key) is not None:
                return key
        return None

    def _sample_key(self) -> bytes:
        # dicts keep insertion order; sampling a window keeps this O(1) amortised
        # without materialising every key of a large database.
        index = random.randrange(len(self.data))
        for position, key in enumerate(self.data):
            if position == index:
                return key
        raise AssertionError("unreachable")

    def __len__(self) -> int:
        return len(self.data)

    # -- writing -----------------------------------------------------------------

    def set(self, key: bytes, value: Any, keep_ttl: bool = False) -> None:
        """Store ``value`` under ``key``; an existing expiry is dropped unless ``keep_ttl``."""
        self.data[key] = value
        if not keep_ttl:
            self.expires.pop(key, None)
        self.touch(key)

    def add(self, key: bytes, value: Any) -> None:
        """Store a new key (the caller knows it does not exist)."""
        self.data[key] = value
        self.touch(key)

    def delete(self, key: bytes) -> bool:
        """Remove ``key``; True when a live key was removed."""
        if self.lookup(key) is None:
            return False
        self._remove(key)
        self.touch(key)
        return True

    def set_expire(self, key: bytes, when_ms: int) -> None:
        """Give an existing key a deadline; a deadline already past deletes it now."""
        if when_ms <= self.keyspace.now_ms:
            self._remove(key)
            self.keyspace.stats_expired_keys += 1
        else:
            self.expires[key] = when_ms
        self.touch(key)

    def persist(self, key: bytes) -> bool:
        if self.lookup(key) is None or key not in self.expires:
            return False
        del self.expires[key]
        self.touch(key)
        return True

    def flush(self) -> int:
        """Empty the database, notifying watchers of every key that existed."""
        removed = len(self.data)
        keys = list(self.data)
        self.data = {}
        self.expires = {}
        for key in keys:
            self.touch(key)
        self.keyspace.on_flush(self)
        return removed

    def touch(self, key: bytes) -> None:
        """Tell WATCHing clients that ``key`` changed (Valkey's signalModifiedKey)."""
        self.keyspace.touch(self.index, key)

    # -- expiry --------------------------------------------------------------------

    def _remove(self, key: bytes) -> None:
        value = self.data.pop(key)
        self.expires.pop(key, None)
        self.keyspace.on_delete(self, key, value)

    def _expire_if_due(self, key: bytes) -> bool:
        if self.expires[key] > self.keyspace.now_ms:
            return False
        self._remove(key)
        self.keyspace.stats_expired_keys += 1
        self.touch(key)
        return True

    def active_expire(self, sample_size: int = 20) -> int:
        """Valkey's active expiry: sample keys with a deadline, repeat while over 25% expire."""
        removed = 0
        while self.expires:
            keys = list(self.expires)
            sample = keys if len(keys) <= sample_size else random.sample(keys, sample_size)
            expired = sum(1 for key in sample if key in self.expires and self._expire_if_due(key))
            removed += expired
            if expired * 4 <= len(sample):
                break
        return removed


class Keyspace:
    """All databases, the command time, and which clients WATCH which keys."""

    def __init__(self, databases: int = 16) -> None:
        self.now_ms = 0
        self.dbs = [Database(index, self) for index in range(databases)]
        self.watched: dict[tuple[int, bytes], set[Watcher]] = {}
        self.stats_expired_keys = 0
        self.delete_listeners: list[Callable[[Database, bytes, Any], None]] = []
        self.flush_listeners: list[Callable[[Database], None]] = []

    def __getitem__(self, index: int) -> Database:
        return self.dbs[index]

    def __len__(self) -> int:
        return len(self.dbs)

    def touch(self, db_index: int, key: bytes) -> None:
        watchers = self.watched.get((db_index, key))
        if watchers:
            for client in watchers:
                client.watch_dirty = True

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
        for db in (a, b):
            for key in db.data:
                self.touch(first, key)
                self.touch(second, key)
        a.data, b.data = b.data, a.data
        a.expires, b.expires = b.expires, a.expires

    def on_delete(self, db: Database, key: bytes, value: Any) -> None:
        for listener in self.delete_listeners:
            listener(db, key, value)

    def on_flush(self, db: Database) -> None:
        for listener in self.flush_listeners:
            listener(db)

    def active_expire(self) -> int:
        return sum(db.active_expire() for db in self.dbs if db.expires)
