"""Client-side caching: which clients may hold which keys, and the invalidation
messages telling them a key changed (Valkey's tracking.c).

State:
* ``table`` maps a key name to the ids of the clients that read it while tracking in
  the default mode (Valkey's tracking table). Key names of every database share it,
  as in Valkey. An id stays until its key is invalidated or a flush clears the table,
  even after its client stopped tracking or left: entries are dropped lazily, and
  INFO's ``tracking_total_keys`` / ``tracking_total_items`` count them as Valkey does.
  ``items`` is the number of ids in the table.
* ``prefixes`` maps each BCAST prefix to its ``Prefix``: the clients registered for it
  and the keys under it modified since the last broadcast, each with the client that
  last modified it (``None`` for expiry and eviction), for NOLOOP.
* ``clients`` counts the clients with tracking on (INFO ``tracking_clients``).
* ``Keyspace.invalidate`` is ``key_modified`` exactly while ``table`` or ``prefixes``
  is non-empty, and ``None`` otherwise: while nobody tracks, a write pays one test
  in ``Keyspace.touch``.

The running client. ``current`` is the tracking client whose command runs now
(Valkey's current_client), set by the dispatcher for the clients that take its slow
path because of tracking (``Client.tracking_reads``), and by the blocking registry
while it re-runs such a client's blocked command; otherwise it is ``None``, which no
decision here tells apart from a client that does not track. ``executing`` is False
while the command has not started (the table's trimming before it) and during an
eviction. An invalidation for ``current`` while ``executing`` is queued in
``pending`` and sent when the command is over (after EXEC's reply, for a
transaction), as Valkey's pending tracking keys; anything for ``current`` while not
executing goes in ``early``, which the dispatcher sends before the reply.

Delivery (Valkey's sendTrackingMessage): to the client itself in RESP3 (``>2
invalidate [keys]``, or a null for a flush); to its REDIRECT client instead, as a
push in RESP3 or, to a RESP2 client in a subscribed context, as a message on
``__redis__:invalidate``; nothing to a RESP2 client otherwise. A redirect to a client
that is gone marks the tracking client's redirect broken and, in RESP3, sends it
``tracking-redir-broken``. BCAST invalidations go out once per loop turn
(``broadcast``, scheduled through ``later``), one message per prefix, keys in byte
order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .commands.table import PUBSUB, READONLY
from .engine.keyspace import CHANGED_BY_COMMAND, CHANGED_BY_EVICTION
from .readkeys import read_key_positions

if TYPE_CHECKING:
    from .blocking import Waiter
    from .commands.table import CommandSpec
    from .core import ServerCore
    from .session import Client

_INVALIDATE_PUSH = b">2\r\n$10\r\ninvalidate\r\n"
_INVALIDATE_MESSAGE = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
_REDIRECT_BROKEN = b">2\r\n$21\r\ntracking-redir-broken\r\n"
# Read-only commands that run scripts: the commands the script runs are remembered
# instead (scripting/run.py), as Valkey's call() does.
_SCRIPT_RUNNERS = frozenset({"eval_ro", "evalsha_ro", "fcall_ro"})
# A flush invalidates everything: a null, in the tracking client's own protocol.
_NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
# Keys forgotten per pass of ``limit_table``, times the passes that fell short.
_TRIM_EFFORT = 100


class ClientTracking:
    """One client's CLIENT TRACKING state (Valkey's tracking flags and fields).

    ``redirect`` keeps its value after tracking is turned off, as Valkey's field does
    (invalidations already queued for the client still follow it); ``prefixes`` is
    None unless the client tracks in BCAST mode.
    """

    __slots__ = (
        "on", "redirect", "bcast", "optin", "optout", "noloop", "caching", "broken", "prefixes",
    )  # fmt: skip

    def __init__(self) -> None:
        self.on = False
        self.redirect = 0
        self.bcast = False
        self.optin = False
        self.optout = False
        self.noloop = False
        self.caching = False
        self.broken = False
        self.prefixes: list[bytes] | None = None


class Prefix:
    """A BCAST prefix: its clients and the keys under it modified since the last broadcast."""

    __slots__ = ("clients", "keys")

    def __init__(self) -> None:
        self.clients: dict[Client, None] = {}
        self.keys: dict[bytes, Client | None] = {}


class Tracking:
    """The tracking table, the BCAST prefixes and the delivery of invalidations."""

    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.table: dict[bytes, dict[int, None]] = {}
        self.items = 0
        self.prefixes: dict[bytes, Prefix] = {}
        self.clients = 0
        self.current: Client | None = None
        self.executing = False
        self.pending: list[bytes | None] = []
        self.early: list[bytes] = []
        # How the shell runs ``broadcast`` at the end of this loop turn (its call_soon).
        self.later: Callable[[Callable[[], None]], object] | None = None
        self._broadcast_due = False
        self._short_passes = 0  # trimming passes that ended above the limit, in a row
        self.rng = random.Random()

    # -- enabling and disabling (CLIENT TRACKING) -------------------------------------

    def enable(
        self,
        client: Client,
        redirect: int,
        bcast: bool,
        optin: bool,
        optout: bool,
        noloop: bool,
        prefixes: list[bytes],
    ) -> None:
        """Valkey's enableTracking: the options are checked already."""
        state = client.tracking
        if state is None:
            state = client.tracking = ClientTracking()
        if not state.on:
            self.clients += 1
        state.on = True
        state.redirect = redirect
        state.broken = False
        state.bcast = bcast
        state.optin, state.optout, state.noloop = optin, optout, noloop
        if bcast:
            for prefix in prefixes or [b""]:
                self._register_prefix(client, state, prefix)
        client.tracking_reads = not bcast or noloop
        client.update_fast()
        self._sync_hook()

    def _register_prefix(self, client: Client, state: ClientTracking, prefix: bytes) -> None:
        entry = self.prefixes.get(prefix)
        if entry is None:
            entry = self.prefixes[prefix] = Prefix()
        if client not in entry.clients:
            entry.clients[client] = None
            if state.prefixes is None:
                state.prefixes = []
            state.prefixes.append(prefix)

    def disable(self, client: Client) -> None:
        """Valkey's disableTracking: the client's table entries are left to go lazily."""
        state = client.tracking
        if state is None:
            return
        if state.prefixes is not None:
            for prefix in state.prefixes:
                entry = self.prefixes[prefix]
                entry.clients.pop(client, None)
                if not entry.clients:
                    del self.prefixes[prefix]
            state.prefixes = None
        if state.on:
            self.clients -= 1
            state.on = state.broken = state.bcast = False
            state.optin = state.optout = state.caching = state.noloop = False
        client.tracking_reads = False
        client.update_fast()
        self._sync_hook()

    def _sync_hook(self) -> None:
        keyspace = self.core.keyspace
        keyspace.invalidate = self.key_modified if self.table or self.prefixes else None

    # -- remembering what a client read ----------------------------------------------

    def remember(self, client: Client, spec: CommandSpec, argv: list[bytes]) -> None:
        """After a read-only command of ``client``: it may now cache the command's keys
        (Valkey's trackingRememberKeys), unless OPTIN / OPTOUT and CLIENT CACHING say no."""
        if (
            _remembers(client.tracking)
            and PUBSUB not in spec.flags
            and spec.name not in _SCRIPT_RUNNERS
        ):
            self._add(client, [argv[position] for position in read_key_positions(spec, argv)])

    def _add(self, client: Client, keys: Iterable[bytes]) -> None:
        table = self.table
        was_empty = not table
        client_id = client.id
        for key in keys:
            ids = table.get(key)
            if ids is None:
                ids = table[key] = {}
            if client_id not in ids:
                ids[client_id] = None
                self.items += 1
        if was_empty and table:
            self._sync_hook()

    # -- invalidation ------------------------------------------------------------------

    def key_modified(self, key: bytes, cause: int) -> None:
        """``key`` changed (``Keyspace.touch``): Valkey's trackingInvalidateKey."""
        if self.prefixes:
            self._note_for_broadcast(key, self.current if cause == CHANGED_BY_COMMAND else None)
        if key not in self.table:
            return
        if cause == CHANGED_BY_EVICTION:  # evictions happen before a command, never in one
            executing, self.executing = self.executing, False
            self._invalidate(key)
            self.executing = executing
        else:
            self._invalidate(key)

    def _invalidate(self, key: bytes) -> None:
        ids = self.table.pop(key)
        self.items -= len(ids)
        clients = self.core.clients
        current = self.current
        for client_id in _table_order(ids):
            target = clients.get(client_id)
            if target is None:
                continue
            state = target.tracking
            # A client that switched to BCAST mode hears nothing of its earlier reads.
            if state is None or not state.on or state.bcast:
                continue
            if target is current:
                if state.noloop:
                    continue
                if self.executing:
                    self.pending.append(key)
                    continue
            self._deliver(target, b"*1\r\n$%d\r\n%b\r\n" % (len(key), key))
        if not self.table:
            self._sync_hook()

    def flushed(self) -> None:
        """FLUSHDB / FLUSHALL: every tracking client hears that all its keys are gone
        (a null), and the table is emptied (Valkey's trackingInvalidateKeysOnFlush)."""
        if self.clients:
            for client in list(self.core.clients.values()):
                state = client.tracking
                if state is None or not state.on:
                    continue
                if client is self.current:
                    self.pending.append(None)
                else:
                    self._deliver(client, _NULL[client.protocol])
        if self.table:
            self.table = {}
            self.items = 0
            self._sync_hook()

    def limit_table(self) -> None:
        """Keep the table within ``tracking-table-max-keys`` (Valkey's
        trackingLimitUsedSlots): forget random keys, telling their clients as if the
        keys had changed; each pass that ends above the limit makes the next try harder."""
        limit = self.core.config.values["tracking-table-max-keys"]
        assert isinstance(limit, int)
        table = self.table
        if not limit or len(table) <= limit:
            self._short_passes = 0
            return
        effort = _TRIM_EFFORT * (self._short_passes + 1)
        for key in self.rng.sample(list(table), min(effort, len(table))):
            self._invalidate(key)
            if len(table) <= limit:
                self._short_passes = 0
                return
        self._short_passes += 1

    # -- BCAST ---------------------------------------------------------------------------

    def _note_for_broadcast(self, key: bytes, modifier: Client | None) -> None:
        noted = False
        for prefix, entry in self.prefixes.items():
            if key.startswith(prefix):
                entry.keys[key] = modifier  # the last writer wins, for NOLOOP
                noted = True
        if noted and not self._broadcast_due and self.later is not None:
            self._broadcast_due = True
            self.later(self.broadcast)

    def broadcast(self) -> None:
        """Send each BCAST client the keys modified under its prefixes since the last
        call (Valkey's trackingBroadcastInvalidationMessages, before the loop sleeps)."""
        self._broadcast_due = False
        if not self.clients:
            return
        for prefix in sorted(self.prefixes):
            entry = self.prefixes[prefix]
            if not entry.keys:
                continue
            keys = sorted(entry.keys.items())
            everything = _key_array(key for key, _ in keys)
            for client in list(entry.clients):
                state = client.tracking
                if state is not None and state.noloop:
                    # Not the keys this client itself changed last.
                    mine = [key for key, modifier in keys if modifier is not client]
                    if mine:
                        self._deliver(client, _key_array(mine))
                else:
                    self._deliver(client, everything)
            entry.keys = {}

    # -- delivery --------------------------------------------------------------------------

    def _deliver(self, client: Client, payload: bytes) -> None:
        """Valkey's sendTrackingMessage: ``payload`` (an array of keys, or a null) for
        ``client``, to itself or to the client it redirects to."""
        state = client.tracking
        redirect = state.redirect if state is not None else 0
        if redirect:
            target = self.core.clients.get(redirect)
            if target is None:
                if state is not None:
                    state.broken = True
                if client.protocol == 3:
                    self._send(client, _REDIRECT_BROKEN + b":%d\r\n" % redirect)
                return
            if target.protocol == 3:
                self._send(target, _INVALIDATE_PUSH + payload)
            elif target.subscriber:  # subscribed to anything (Valkey's flag.pubsub)
                self._send(target, _INVALIDATE_MESSAGE + payload)
            return
        if client.protocol == 3:
            self._send(client, _INVALIDATE_PUSH + payload)

    def _send(self, recipient: Client, data: bytes) -> None:
        if recipient is self.current and not self.executing:
            self.early.append(data)  # before the reply of the command about to run
        else:
            recipient.send(data)

    # -- the running client (see the module docstring) --------------------------------------

    def begin(self, client: Client) -> tuple[Client | None, bool, list[bytes | None]]:
        """A command of ``client`` is about to be processed: it is the current client.
        The table is trimmed first, as Valkey does before each command."""
        outer = (self.current, self.executing, self.pending)
        self.current = client
        self.executing = False
        self.pending = []
        if self.table:
            self.limit_table()
        self.executing = True
        return outer

    def end(
        self,
        client: Client,
        spec: CommandSpec | None,
        outer: tuple[Client | None, bool, list[bytes | None]],
    ) -> bytes:
        """The command is over: CLIENT CACHING's choice is spent (unless in MULTI, or the
        command was a CLIENT one), the queued invalidations are sent. Returns what must
        precede the command's reply."""
        state = client.tracking
        if (
            state is not None
            and state.caching
            and client.multi is None
            and (spec is None or spec.parent is None or spec.parent.name != "client")
        ):
            state.caching = False
        self._send_pending(client)
        early = b"".join(self.early)
        self.early = []
        self.current, self.executing, self.pending = outer
        return early

    def begin_retry(self, client: Client) -> tuple[Client | None, bool, list[bytes | None]]:
        """A blocked command of ``client`` runs again: it is the current client."""
        outer = (self.current, self.executing, self.pending)
        self.current, self.executing, self.pending = client, True, []
        return outer

    def end_retry(
        self, waiter: Waiter, outer: tuple[Client | None, bool, list[bytes | None]]
    ) -> None:
        """The re-run is over (its reply delivered): a read remembers its keys again, and
        the invalidations queued meanwhile follow the reply."""
        client = waiter.client
        if READONLY in waiter.spec.flags and _remembers(client.tracking):
            self._add(client, [key for _, key in waiter.keys])  # XREAD read its keys again
        self._send_pending(client)
        self.early = []
        self.current, self.executing, self.pending = outer

    def _send_pending(self, client: Client) -> None:
        pending = self.pending
        if not pending:
            return
        self.pending = []
        if client.closing:
            return
        for key in pending:
            if key is None:
                self._deliver(client, _NULL[client.protocol])
            else:
                self._deliver(client, b"*1\r\n$%d\r\n%b\r\n" % (len(key), key))

    def client_gone(self, client: Client) -> None:
        """The client disconnected or was killed."""
        self.disable(client)
        if client is self.current:
            self.pending = []


def _remembers(state: ClientTracking | None) -> bool:
    """Whether a read of this client now is remembered: tracking in the default mode,
    and OPTIN with CLIENT CACHING YES, OPTOUT without CLIENT CACHING NO, or neither."""
    if state is None or not state.on or state.bcast:
        return False
    return state.caching if state.optin else not (state.optout and state.caching)


def _table_order(ids: dict[int, None]) -> Iterable[int]:
    """Client ids in the order Valkey's table visits them (their 8 bytes, little-endian)."""
    if len(ids) < 2:
        return ids
    return sorted(ids, key=lambda client_id: client_id.to_bytes(8, "little"))


def _key_array(keys: Iterable[bytes]) -> bytes:
    parts = [b"$%d\r\n%b\r\n" % (len(key), key) for key in keys]
    return b"*%d\r\n" % len(parts) + b"".join(parts)


# -- what CLIENT LIST shows -------------------------------------------------------------------


def tracking_redirect(client: Client) -> int:
    """CLIENT LIST's ``redir``: the redirect id while tracking (0: none), else -1."""
    state = client.tracking
    return state.redirect if state is not None and state.on else -1


# Valkey counts a client's BCAST prefixes in its memory as its radix tree's nodes times
# a node header (4 bytes) times a pointer (8 bytes).
_RAX_NODE_BYTES = 4 * 8


def tracking_prefix_bytes(client: Client) -> int:
    """The part of CLIENT LIST's ``tot-mem`` that a BCAST client's prefixes make."""
    state = client.tracking
    if state is None or state.prefixes is None:
        return 0
    return rax_nodes(state.prefixes) * _RAX_NODE_BYTES


def rax_nodes(keys: Iterable[bytes]) -> int:
    """The nodes of Valkey's radix tree (rax) holding ``keys``: a node where a key ends
    or where paths branch, the root, and one per run of single-child bytes."""

    def count(suffixes: list[bytes]) -> int:
        # ``suffixes``: what the keys below this node still spell (b"" if one ends here).
        children: dict[int, list[bytes]] = {}
        for suffix in suffixes:
            if suffix:
                children.setdefault(suffix[0], []).append(suffix[1:])
        if len(children) != 1:
            return 1 + sum(count(below) for below in children.values())
        # One child: a compressed node, its run lasting while nothing ends or branches.
        (below,) = children.values()
        while b"" not in below and len({suffix[0] for suffix in below}) == 1:
            below = [suffix[1:] for suffix in below]
        return 1 + count(below)

    return count(list(dict.fromkeys(keys)))
