"""Blocked clients: who waits on which key, and serving them when a key becomes ready.

This is Valkey's blocked.c without the event loop. A handler that has nothing to
serve but may wait returns ``BlockOn``, whatever its type (stream reads, list and
sorted-set pops); the dispatcher turns it into a ``Waiter`` registered here, or,
where blocking is denied (inside EXEC), answers the request's denied reply at
once: that decision is taken there, never in a handler. Writes mark keys ready
(``Keyspace.signal_ready`` for new data, and every key that comes into existence;
``Keyspace.signal_deleted`` for keys deleted or replaced, which only waiters that
asked for it care about: XREADGROUP). After every command the dispatcher calls
``serve_ready_keys``, which visits the ready keys in the order they became ready
and, for each, its waiters in the order they blocked, re-running each waiter's
read: a reply (data, or an error such as NOGROUP) releases the waiter; no reply
puts it back at the end of the key's queue, keeping its original deadline.

Invariants:
* ``by_key[(db, key)]`` holds, in blocking order, every waiter blocked on that key;
  a waiter is in the queue of each of its keys, and in ``by_client`` under its
  client's id, exactly while it is blocked.
* ``nokey[(db, key)]`` counts the waiters of that key that want to hear of its
  deletion; it has no zero entries.
* Only the waiters of a ready key are visited: a write to one key never touches
  another key's waiters.
* A re-run that fails unexpectedly answers its own reader an ERR (one logged
  traceback); the command whose write woke it, and the other readers, go on.
* Timers are the shell's business: ``timers.schedule`` / ``timers.cancel`` are
  called on block and release, and the shell calls ``time_out`` at the deadline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .errors import INTERNAL_ERROR, CommandError
from .replies import NULL_ARRAY, ErrorReply

if TYPE_CHECKING:
    from .commands.table import CommandSpec
    from .core import ServerCore
    from .session import Client

UNBLOCKED_ERROR = "UNBLOCKED client unblocked via CLIENT UNBLOCK"

log = logging.getLogger("minivalkey")

Retry = Callable[[], Any]
"""Re-runs a blocked read: its reply, or ``None`` when it still has nothing to serve."""


class BlockOn:
    """Returned by a handler that must wait for ``keys`` (list of (db index, key))."""

    __slots__ = (
        "keys",
        "deadline_ms",
        "unblock_on_nokey",
        "retry",
        "value_type",
        "idle",
        "timeout_reply",
        "denied_reply",
    )

    def __init__(
        self,
        keys: list[tuple[int, bytes]],
        deadline_ms: int,
        unblock_on_nokey: bool,
        retry: Retry,
        value_type: type,
        idle: Callable[[], bool] | None = None,
        timeout_reply: Any = NULL_ARRAY,
        denied_reply: Any = NULL_ARRAY,
    ) -> None:
        self.keys = keys
        self.deadline_ms = deadline_ms  # absolute, in clock milliseconds; 0: no deadline
        self.unblock_on_nokey = unblock_on_nokey
        self.retry = retry
        self.value_type = value_type  # the type whose arrival at a key may serve the waiter
        # A cheap check that a retry would certainly find nothing (and would only have
        # the side effects ``idle`` performs itself): the waiter then keeps its place,
        # which is where a retry that blocks again would put it among those re-queued.
        self.idle = idle
        # The answer at the deadline (the null array, for every blocking command), and
        # the one given at once where blocking is denied (inside EXEC, later inside
        # scripts): the null array too, but the null bulk of BLMOVE and BRPOPLPUSH.
        self.timeout_reply = timeout_reply
        self.denied_reply = denied_reply


class Timers(Protocol):
    def schedule(self, waiter: Waiter) -> object: ...

    def cancel(self, handle: object) -> None: ...


class Waiter:
    __slots__ = (
        "client",
        "spec",
        "keys",
        "deadline_ms",
        "unblock_on_nokey",
        "retry",
        "value_type",
        "idle",
        "timeout_reply",
        "timer",
    )

    def __init__(self, client: Client, spec: CommandSpec, request: BlockOn) -> None:
        self.client = client
        self.spec = spec
        self.keys = list(dict.fromkeys(request.keys))  # a key listed twice waits once
        self.deadline_ms = request.deadline_ms
        self.unblock_on_nokey = request.unblock_on_nokey
        self.retry = request.retry
        self.value_type = request.value_type
        self.idle = request.idle
        self.timeout_reply = request.timeout_reply
        self.timer: object = None


class BlockingRegistry:
    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.by_key: dict[tuple[int, bytes], dict[Waiter, None]] = {}
        self.nokey: dict[tuple[int, bytes], int] = {}
        self.by_client: dict[int, Waiter] = {}
        self.timers: Timers | None = None
        self._serving = False

    # -- INFO -----------------------------------------------------------------------

    @property
    def blocked_clients(self) -> int:
        return len(self.by_client)

    @property
    def total_blocking_keys(self) -> int:
        return len(self.by_key)

    @property
    def total_blocking_keys_on_nokey(self) -> int:
        return len(self.nokey)

    @property
    def clients_in_timeout_table(self) -> int:
        """Blocked clients with a deadline (BLOCK 0 waits outside the timeout table)."""
        return sum(1 for waiter in self.by_client.values() if waiter.deadline_ms)

    # -- blocking and releasing ------------------------------------------------------

    def block(self, waiter: Waiter, reschedule: bool = True) -> None:
        client = waiter.client
        self.by_client[client.id] = waiter
        client.blocked = waiter
        for key in waiter.keys:
            self.by_key.setdefault(key, {})[waiter] = None
            if waiter.unblock_on_nokey:
                self.nokey[key] = self.nokey.get(key, 0) + 1
        if reschedule and self.timers is not None:
            waiter.timer = self.timers.schedule(waiter)

    def release(self, waiter: Waiter, cancel_timer: bool = True) -> None:
        """Take ``waiter`` out of every queue (it got a reply, or its client left)."""
        if self.by_client.get(waiter.client.id) is not waiter:
            return
        del self.by_client[waiter.client.id]
        waiter.client.blocked = None
        for key in waiter.keys:
            queue = self.by_key.get(key)
            if queue is not None:
                queue.pop(waiter, None)
                if not queue:
                    del self.by_key[key]
            if waiter.unblock_on_nokey:
                remaining = self.nokey.get(key, 0) - 1
                if remaining > 0:
                    self.nokey[key] = remaining
                else:
                    self.nokey.pop(key, None)
        if cancel_timer and waiter.timer is not None and self.timers is not None:
            self.timers.cancel(waiter.timer)
            waiter.timer = None

    def forget_client(self, client: Client) -> None:
        """The client disconnected or was killed: drop its waiter without a reply."""
        waiter = self.by_client.get(client.id)
        if waiter is not None:
            self.release(waiter)

    # -- the ways a wait ends -----------------------------------------------------------

    def time_out(self, waiter: Waiter) -> None:
        """The deadline passed (or CLIENT UNBLOCK ... TIMEOUT): answer as a timeout."""
        if self.by_client.get(waiter.client.id) is not waiter:
            return
        waiter.timer = None
        self.release(waiter)
        self._finish(waiter, waiter.timeout_reply, 0)

    def fail(self, waiter: Waiter, text: str) -> None:
        """CLIENT UNBLOCK ... ERROR: answer an error."""
        if self.by_client.get(waiter.client.id) is not waiter:
            return
        self.release(waiter)
        self._finish(waiter, self._error(text), 0)

    def serve_ready_keys(self) -> None:
        """Serve the waiters of every key made ready since the last pass (Valkey's order)."""
        if self._serving:
            return  # a pass is running: keys signalled now are served by its next round
        keyspace = self.core.keyspace
        self._serving = True
        try:
            while keyspace.ready_keys:
                ready = keyspace.ready_keys
                keyspace.ready_keys = {}
                for key in ready:
                    self._serve_key(key)
        finally:
            self._serving = False

    def _serve_key(self, key: tuple[int, bytes]) -> None:
        queue = self.by_key.get(key)
        if not queue:
            return
        db = self.core.keyspace[key[0]]
        # Only the waiters present now: one that blocks again goes to the end. Waiters
        # whose ``idle`` check holds stay where they are: as every waiter visited in this
        # pass is either served (and leaves) or re-queued in visiting order, leaving
        # them in place gives the same final order without moving anything.
        self.core.keyspace.now_ms = self.core.clock.now_ms()
        # A lone waiter has no place to keep: its retry alone decides (a retry that
        # finds nothing has the same effect as the check), so the check is skipped.
        alone = len(queue) == 1
        for waiter in list(queue):
            if self.by_client.get(waiter.client.id) is not waiter:
                continue  # released while serving an earlier waiter
            value = db.data.get(key[1])
            if value is not None and db.is_expired(key[1]):
                value = None
            if not (type(value) is waiter.value_type or waiter.unblock_on_nokey):
                continue
            if waiter.idle is not None and not alone and _idle(waiter):
                continue
            if waiter.client.tracking_reads:
                self._retry_tracked(waiter)
            else:
                self._retry(waiter)

    def _retry_tracked(self, waiter: Waiter) -> None:
        """``_retry`` for a client whose commands client-side caching sees (tracking.py):
        it is the current client meanwhile, and what it is owed follows its reply."""
        tracking = self.core.tracking
        outer = tracking.begin_retry(waiter.client)
        try:
            self._retry(waiter)
        finally:
            tracking.end_retry(waiter, outer)

    def _retry(self, waiter: Waiter) -> None:
        self.release(waiter, cancel_timer=False)
        started = time.perf_counter_ns()
        try:
            reply = waiter.retry()
        except CommandError as error:
            reply = self._error(error.text)
        except Exception:  # a bug: it must reach neither the writer nor the other readers
            log.exception("internal error serving a blocked %s", waiter.spec.fullname)
            reply = self._error(INTERNAL_ERROR)
        elapsed_us = (time.perf_counter_ns() - started) // 1000
        if reply is None:
            self.block(waiter, reschedule=False)  # same deadline, back of the queue
            return
        if waiter.timer is not None and self.timers is not None:
            self.timers.cancel(waiter.timer)
            waiter.timer = None
        self._finish(waiter, reply, elapsed_us)

    def _error(self, text: str) -> ErrorReply:
        self.core.stats.count_error(text)
        return ErrorReply(text)

    def _finish(self, waiter: Waiter, reply: Any, usec: int) -> None:
        """Count the finished command as Valkey does (time waiting is not time
        running: ``usec`` is the final run's), then send the reply."""
        core = self.core
        counters = core.command_stats.get(id(waiter.spec)) or core.command_stats_of(waiter.spec)
        counters.calls += 1
        counters.usec += usec
        if type(reply) is ErrorReply:
            counters.failed_calls += 1
        core.stats.total_commands_processed += 1
        client = waiter.client
        client.commands_processed += 1
        if client.connection is not None:
            client.connection.deliver(reply)


def _idle(waiter: Waiter) -> bool:
    """The waiter's cheap "nothing to serve" check; a check that fails says no, so the
    full re-run meets the fault, logs it once and answers the error."""
    assert waiter.idle is not None
    try:
        return waiter.idle()
    except Exception:
        return False
