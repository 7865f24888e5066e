"""CLIENT PAUSE: holding clients' commands back until a deadline or CLIENT UNPAUSE.

Valkey's pauseActions / updatePausedActions and processCommand's pause check. A pause
covers a set of actions (bits below): ALL holds every command of every client, WRITE
the commands that write or may replicate (PFCOUNT, PUBLISH, an EXEC with such a
command queued, Valkey's is_may_replicate_command); both also stop key expiry (lazy
and active) and eviction. A second CLIENT PAUSE keeps the later of the two deadlines
and the more restrictive of the two modes.

A held command is postponed, as Valkey's blockPostponeClient: its client is blocked
(``Postponed``, a waiter on no key, registered with the blocking registry, so it shows
``b`` in CLIENT LIST and counts in ``blocked_clients``), and its later input waits
behind it in the connection, in order. When the pause ends or becomes less restrictive
every postponed client is released, in the order it was postponed, and its command is
run again from the authentication check on (``dispatcher.reprocess``): it may be held
again, blocked on its keys, queued in MULTI, or answered.

Invariants:
* ``actions`` is the set of paused actions now; it is 0 once the deadline has passed
  (the shell's timer, on the monotonic clock, ends the pause at the deadline; a timer
  firing early re-arms). While ``actions`` holds WRITE or ALL the core is ``gated``:
  every command takes the dispatcher's slow path, which asks ``holds``. Otherwise
  nothing is tested per command.
* ``Keyspace.expire_paused`` mirrors the EXPIRE action: keys past their deadline read
  as absent but stay (INFO ``expired_keys`` does not move) until the pause ends.
* Monitors (replicas in Valkey) are never held. Commands an EXEC runs are never held
  (the EXEC was admitted as a whole), so a pause issued inside a transaction begins
  after it.
* ``postponed`` holds, in order, the waiters not yet released; a client that leaves
  is dropped by the blocking registry and skipped here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Protocol

from .blocking import BlockOn, Waiter
from .commands.table import MAY_REPLICATE, WRITE

if TYPE_CHECKING:
    from .commands.table import CommandSpec
    from .core import ServerCore
    from .session import Client

# Paused actions (Valkey's PAUSE_ACTION_* bits).
CLIENT_WRITE = 1
CLIENT_ALL = 2
EXPIRE = 4
EVICT = 8
REPLICA = 16
WRITE_SET = CLIENT_WRITE | EXPIRE | EVICT | REPLICA
ALL_SET = CLIENT_ALL | EXPIRE | EVICT | REPLICA
_CLIENT_MASK = CLIENT_WRITE | CLIENT_ALL

# The longest single timer: a far deadline is reached by re-arming.
_MAX_TIMER_SECONDS = 3600.0


class Timers(Protocol):
    """What the shell provides: a timer on its loop, and cancelling one."""

    def call_later(self, seconds: float, callback: Callable[[], None]) -> object: ...

    def cancel(self, handle: object) -> None: ...


class Postponed(Waiter):
    """A client whose command a pause holds: a waiter on no key, with no deadline."""

    __slots__ = ("argv",)

    def __init__(self, client: Client, spec: CommandSpec, argv: list[bytes]) -> None:
        super().__init__(client, spec, BlockOn([], 0, False, _never, type(None)))
        self.argv = argv


def _never() -> None:
    return None  # a postponed client waits on no key: nothing ever re-runs it from there


class Pause:
    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.actions = 0
        # The CLIENT PAUSE purpose: its actions and deadline (monotonic seconds, 0: none).
        self._requested = 0
        self._end = 0.0
        self.postponed: list[Postponed] = []
        self.timers: Timers | None = None
        self._timer: object = None

    # -- CLIENT PAUSE / UNPAUSE ----------------------------------------------------------

    def pause(self, timeout_ms: int, everything: bool) -> None:
        """CLIENT PAUSE ``timeout_ms`` ALL (``everything``) or WRITE."""
        if everything or self._requested & CLIENT_ALL:
            self._requested = ALL_SET
        else:
            self._requested = WRITE_SET
        if timeout_ms > 0:  # 0 moves no deadline: it only changes an ongoing pause's mode
            end = time.monotonic() + timeout_ms / 1000
            if end > self._end:
                self._end = end
                self._arm()
        self.update()

    def unpause(self) -> None:
        self._requested = 0
        self._end = 0.0
        self.update()

    def update(self) -> None:
        """Recompute the paused actions (Valkey's updatePausedActions); release the
        postponed clients when the pause ended or became less restrictive."""
        previous = self.actions
        if self._end > time.monotonic():
            self.actions = self._requested
        else:
            self.actions = self._requested = 0
            self._end = 0.0
            self._disarm()
        self.core.keyspace.expire_paused = bool(self.actions & EXPIRE)
        self.core._update_gate()
        if (self.actions & _CLIENT_MASK) < (previous & _CLIENT_MASK):
            self._release_all()

    # -- holding commands -------------------------------------------------------------------

    def holds(self, client: Client, flags: Collection[str]) -> bool:
        """Whether the pause holds a command with ``flags`` (for EXEC, with its queued
        commands' flags) of ``client`` now."""
        actions = self.actions
        if not actions & _CLIENT_MASK or client.monitoring:
            return False
        return bool(actions & CLIENT_ALL) or WRITE in flags or MAY_REPLICATE in flags

    def postpone(self, client: Client, spec: CommandSpec, argv: list[bytes]) -> None:
        """Block ``client`` until the pause ends; its command runs then."""
        waiter = Postponed(client, spec, argv)
        self.core.blocking.block(waiter)
        self.postponed.append(waiter)

    def _release_all(self) -> None:
        waiters, self.postponed = self.postponed, []
        for waiter in waiters:
            client = waiter.client
            if self.core.blocking.by_client.get(client.id) is not waiter:
                continue  # the client left
            if client.connection is not None:
                client.connection.resume_postponed(waiter)

    def release(self, waiter: Postponed) -> bool:
        """Unblock ``waiter`` to run its command again; False if it is gone meanwhile."""
        registry = self.core.blocking
        if registry.by_client.get(waiter.client.id) is not waiter:
            return False
        registry.release(waiter)
        return True

    # -- the deadline --------------------------------------------------------------------

    def attach_timers(self, timers: Timers) -> None:
        """The shell starts (again): the deadline of a pause in force is armed on it."""
        self.timers = timers
        self._timer = None  # a handle of an earlier loop is gone with that loop
        if self._end:
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        if self.timers is None:
            return
        delay = min(_MAX_TIMER_SECONDS, max(0.0, self._end - time.monotonic()))
        self._timer = self.timers.call_later(delay, self._deadline_reached)

    def _disarm(self) -> None:
        if self._timer is not None and self.timers is not None:
            self.timers.cancel(self._timer)
        self._timer = None

    def _deadline_reached(self) -> None:
        self._timer = None
        if self._end and time.monotonic() < self._end:  # early, or a far deadline: wait on
            self._arm()
            return
        self.update()
