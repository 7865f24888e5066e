"""Per-connection state: one ``Client`` per connection (Valkey's ``client`` struct).

Invariants:
* ``id`` is unique for the life of the server and never reused.
* ``multi`` is ``None`` outside MULTI, else the list of queued argv lists;
  ``multi_failed`` records a queue-time error (EXEC then answers EXECABORT).
* ``watched`` lists the (db index, key, expired-at-watch) triples this client
  WATCHes, mirrored in ``Keyspace.watched``; ``watch_dirty`` is set by any write to
  one of them and cleared by EXEC, DISCARD, UNWATCH and RESET.
* The client does no I/O itself: ``connection`` is the transport's handle, used
  only to close it (QUIT, CLIENT KILL) or to describe it (CLIENT LIST).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .core import ServerCore
    from .engine.keyspace import Database


class Connection(Protocol):
    """What the asyncio shell provides for one client."""

    def close_after_reply(self) -> None: ...

    def close_now(self) -> None: ...


class Client:
    def __init__(
        self,
        core: ServerCore,
        connection: Connection | None = None,
        addr: str = "",
        laddr: str = "",
        fd: int = -1,
        unix: bool = False,
    ) -> None:
        self.core = core
        self.connection = connection
        self.id = core.next_client_id()
        self.addr = addr
        self.laddr = laddr
        self.fd = fd
        self.unix = unix
        self.db_index = 0
        self.db: Database = core.keyspace[0]
        self.protocol = 2
        self.name = b""
        self.lib_name = b""
        self.lib_ver = b""
        self.authenticated = not core.requires_auth()
        self.multi: list[list[bytes]] | None = None
        self.multi_failed = False
        self.watched: list[tuple[int, bytes, bool]] = []
        self.watch_dirty = False
        self.reply_off = False
        self.skip_next_reply = False
        self.no_evict = False
        self.no_touch = False
        self.created_ms = core.clock.now_ms()
        self.last_interaction_ms = self.created_ms
        self.last_command = "NULL"
        self.closing = False
        self.commands_processed = 0
        self.net_input_bytes = 0
        self.net_output_bytes = 0
        self.query_buffer_len = 0

    def select(self, index: int) -> None:
        self.db_index = index
        self.db = self.core.keyspace[index]

    # -- WATCH ---------------------------------------------------------------------

    def watch(self, key: bytes) -> None:
        index = self.db_index
        if any(db == index and watched == key for db, watched, _ in self.watched):
            return
        expired_now = key in self.db.data and self.db.lookup(key) is None
        self.watched.append((index, key, expired_now))
        self.core.keyspace.watch(self, index, key)

    def unwatch_all(self) -> None:
        for index, key, _ in self.watched:
            self.core.keyspace.unwatch(self, index, key)
        self.watched = []
        self.watch_dirty = False

    def watched_key_expired(self) -> bool:
        """True when a watched key has logically expired since WATCH (Valkey aborts EXEC)."""
        now = self.core.keyspace.now_ms
        for index, key, expired_at_watch in self.watched:
            if expired_at_watch:
                continue
            deadline = self.core.keyspace[index].expires.get(key)
            if deadline is not None and deadline <= now:
                return True
        return False

    # -- MULTI -----------------------------------------------------------------------

    def discard_multi(self) -> None:
        self.multi = None
        self.multi_failed = False
        self.unwatch_all()

    def flag_letters(self) -> str:
        """CLIENT LIST ``flags=``: one letter per state, ``N`` when none."""
        letters = ""
        if self.multi is not None:
            letters += "x"
        if self.watch_dirty and self.watched:
            letters += "d"
        if self.closing:
            letters += "c"
        if self.unix:
            letters += "U"
        if self.no_evict:
            letters += "e"
        if self.no_touch:
            letters += "T"
        return letters or "N"
