"""Per-connection state: one ``Client`` per connection (Valkey's ``client`` struct).

Invariants:
* ``id`` is unique for the life of the server and never reused.
* ``multi`` is ``None`` outside MULTI, else the list of queued argv lists;
  ``multi_failed`` records a queue-time error (EXEC then answers EXECABORT).
* ``watched`` maps each (db index, key) this client WATCHes to whether the key had
  already expired (but was not yet removed) at WATCH time; it is mirrored in
  ``Keyspace.watched``. ``watch_dirty`` is set when one of them changes: the client
  then stops watching everything (EXEC will fail anyway) and drops its queue.
  EXEC, DISCARD, UNWATCH and RESET clear it.
* ``fast`` equals ``multi is None and authenticated and not subscribed_context and
  not tracking_reads``: whoever changes one of those calls ``update_fast``.
* ``no_touch`` is a property: the core counts the clients that have it on (they
  send every command through the dispatcher's slow path).
* The client does no I/O itself: ``connection`` is the transport's handle, used
  to close it (QUIT, CLIENT KILL), to describe it (CLIENT LIST), and to ``send``
  it bytes outside its replies (pushes, MONITOR lines).
* ``monitoring`` is True exactly while the client is in ``ServerCore.monitors``.
* ``output_class`` indexes ``client-output-buffer-limit``'s classes (``OBUF_*``):
  pub/sub marks a subscribed client ``OBUF_PUBSUB``.
* ``subscriptions`` and ``subscriber`` are kept by the channel registry (pubsub.py) only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .blocking import Waiter
    from .commands.table import CommandSpec
    from .core import ServerCore
    from .engine.keyspace import Database
    from .pause import Postponed
    from .tracking import ClientTracking


OBUF_NORMAL = 0  # client-output-buffer-limit classes, in the parameter's order
OBUF_PUBSUB = 2


class Connection(Protocol):
    """What the asyncio shell provides for one client."""

    def close_after_reply(self) -> None: ...

    def close_now(self) -> None: ...

    def deliver(self, reply: object) -> None:
        """Send the reply of a command that had blocked, then go on with queued input."""
        ...

    def resume_postponed(self, waiter: Postponed) -> None:
        """CLIENT PAUSE let this client's held command go: run it again (after the
        command running now), answer it, then go on with queued input."""
        ...

    def send(self, data: bytes) -> None:
        """Bytes outside a reply (a push, a MONITOR line): buffered, written once per
        loop turn, after the reply of the command running for this client; checked
        against ``client-output-buffer-limit``."""
        ...

    def output_buffer_size(self) -> int:
        """The bytes waiting for the peer (CLIENT LIST ``omem``)."""
        ...


class Client:
    # Fixed attributes: faster to read than an instance dict on every command
    # (``__weakref__``: the fault tests check that a gone client is freed).
    __slots__ = (
        "__weakref__",
        "core",
        "connection",
        "id",
        "addr",
        "laddr",
        "fd",
        "unix",
        "db_index",
        "db",
        "protocol",
        "name",
        "lib_name",
        "lib_ver",
        "authenticated",
        "fast",
        "subscribed_context",
        "subscriptions",
        "subscriber",
        "tracking_reads",
        "tracking",
        "multi",
        "multi_failed",
        "watched",
        "watch_dirty",
        "reply_off",
        "skip_next_reply",
        "skip_current_reply",
        "no_evict",
        "_no_touch",
        "created_ms",
        "last_interaction_ms",
        "last_spec",
        "closing",
        "blocked",
        "deny_blocking",
        "commands_processed",
        "net_input_bytes",
        "net_output_bytes",
        "query_buffer_len",
        "output_class",
        "monitoring",
    )

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
        # The dispatcher's one per-client test (see ``update_fast``).
        self.fast = self.authenticated
        # True while RESP2 subscriptions restrict the commands (pub/sub keeps it).
        self.subscribed_context = False
        # Pub/sub (pubsub.py keeps them): the channels, patterns and shard channels this
        # client listens to, and whether it has any (Valkey's flag.pubsub).
        self.subscriptions: tuple[dict[bytes, None], dict[bytes, None], dict[bytes, None]] = (
            {},
            {},
            {},
        )
        self.subscriber = False
        # True while client-side caching must see this client's commands: to remember
        # what it reads (default mode), or whose writes these are (BCAST with NOLOOP).
        # CLIENT TRACKING keeps it (tracking.py).
        self.tracking_reads = False
        # CLIENT TRACKING's state, from the first time it is turned on (tracking.py).
        self.tracking: ClientTracking | None = None
        self.multi: list[list[bytes]] | None = None
        self.multi_failed = False
        self.watched: dict[tuple[int, bytes], bool] = {}
        self.watch_dirty = False
        self.reply_off = False
        self.skip_next_reply = False
        # True while the command after CLIENT REPLY SKIP runs: its reply is dropped.
        self.skip_current_reply = False
        self.no_evict = False
        self._no_touch = False
        self.created_ms = core.clock.now_ms()
        self.last_interaction_ms = self.created_ms
        self.last_spec: CommandSpec | None = None  # the last command run (CLIENT LIST cmd=)
        self.closing = False
        self.blocked: Waiter | None = None  # set while a blocking read waits
        self.deny_blocking = False  # inside EXEC a blocking read answers at once
        self.commands_processed = 0
        self.net_input_bytes = 0
        self.net_output_bytes = 0
        self.query_buffer_len = 0
        self.output_class = OBUF_NORMAL
        self.monitoring = False  # MONITOR: sees every command (``monitor.py``)

    def update_fast(self) -> None:
        """Recompute ``fast`` after a change to what it folds (every writer calls this).

        ``fast`` is True when the dispatcher may take its fast path for this client:
        outside MULTI, authenticated, not in a RESP2 subscribed context, and with no
        per-command step of its own (tracking). Features a client does not use cost
        it nothing: the fast path tests this one attribute.
        """
        self.fast = (
            self.multi is None
            and self.authenticated
            and not self.subscribed_context
            and not self.tracking_reads
        )

    def send(self, data: bytes) -> None:
        """Bytes for this client outside its replies (see ``Connection.send``)."""
        if self.connection is not None:
            self.connection.send(data)

    @property
    def no_touch(self) -> bool:
        """CLIENT NO-TOUCH: this client's commands leave access times alone."""
        return self._no_touch

    @no_touch.setter
    def no_touch(self, on: bool) -> None:
        if on != self._no_touch:
            self._no_touch = on
            self.core.client_no_touch_changed(on)

    def is_local(self) -> bool:
        """A unix socket or loopback peer (Valkey's test: an address starting 127., or ::1)."""
        if self.unix:
            return True
        host = self.addr.rsplit(":", 1)[0].strip("[]")
        return host.startswith("127.") or host == "::1"

    def allowed_by(self, setting: str) -> bool:
        """Whether a protected action gated by ``setting`` (yes / local / no) may run."""
        value = self.core.config.get_str(setting)
        return value == "yes" or (value == "local" and self.is_local())

    @property
    def last_command(self) -> str:
        """CLIENT LIST's ``cmd``: the last command's full name, ``NULL`` before any."""
        return self.last_spec.fullname if self.last_spec is not None else "NULL"

    def select(self, index: int) -> None:
        self.db_index = index
        self.db = self.core.keyspace[index]

    # -- WATCH ---------------------------------------------------------------------

    def watch(self, key: bytes) -> None:
        entry = (self.db_index, key)
        if entry in self.watched:
            return
        self.watched[entry] = self.db.is_expired(key)
        self.core.keyspace.watch(self, self.db_index, key)

    def unwatch_all(self) -> None:
        self._forget_watched_keys()
        self.watch_dirty = False

    def _forget_watched_keys(self) -> None:
        for index, key in self.watched:
            self.core.keyspace.unwatch(self, index, key)
        self.watched = {}

    def watched_key_touched(self, index: int, key: bytes, still_exists: bool) -> None:
        """A watched key was modified (Valkey's touchWatchedKey, for this client)."""
        if self.watched.get((index, key)):
            # It had expired before WATCH: its removal is no logical change.
            if not still_exists:
                self.watched[(index, key)] = False
                return
        self.mark_watch_dirty()

    def mark_watch_dirty(self, unwatch: bool = True) -> None:
        """EXEC will answer null: drop the queue, and stop watching (nothing can undo it).

        Valkey keeps the watched keys when a FLUSH or SWAPDB dirties the client
        (``unwatch=False``); CLIENT LIST's ``watch=`` shows the difference.
        """
        self.watch_dirty = True
        if self.multi is not None:
            self.multi = []
        if unwatch:
            self._forget_watched_keys()

    def watched_key_expired(self) -> bool:
        """True when a watched key has logically expired since WATCH (Valkey aborts EXEC)."""
        keyspace = self.core.keyspace
        return any(
            not expired_at_watch and keyspace[index].is_expired(key)
            for (index, key), expired_at_watch in self.watched.items()
        )

    # -- MULTI -----------------------------------------------------------------------

    def discard_multi(self) -> None:
        self.multi = None
        self.multi_failed = False
        self.update_fast()
        self.unwatch_all()

    def flag_letters(self) -> str:
        """CLIENT LIST ``flags=``: one letter per state, ``N`` when none."""
        letters = "O" if self.monitoring else ""
        if self.subscriber:
            letters += "P"
        if self.multi is not None:
            letters += "x"
        if self.blocked is not None:
            letters += "b"
        tracking = self.tracking
        if tracking is not None:
            letters += "t" * tracking.on + "R" * tracking.broken + "B" * tracking.bcast
        if self.watch_dirty:
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
