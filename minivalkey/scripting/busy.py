"""Busy scripts: what the server does while a script runs past busy-reply-threshold.

Valkey's scriptInterrupt, processEventsWhileBlocked and scriptKill, on one thread.

A script is atomic: until it has run for ``busy-reply-threshold`` milliseconds (alias
``lua-time-limit``; 0 switches the check off) nothing else runs, and other clients
simply wait for their replies. Past the threshold the script is *timed out*: the log
says ``Slow script detected ...`` and, from then on, every ``tick`` (the count hook
calls it every 100000 Lua instructions) serves the other connections from inside the
hook, as Valkey re-enters its event loop from its hook:

* The asyncio loop is stuck in the callback that runs the script, so no transport
  reads or accepts meanwhile. ``serve`` hands each pass to the shell's
  ``core.busy_io`` (``busyserve.BusyService``): each connection reads what waits on
  its socket without blocking and runs it through its normal path (the parser,
  ``dispatcher.execute``), replies leaving with ``transport.write``, which sends at
  once; bytes ``send`` queued for a connection (a message the script published, a
  MONITOR line) are written too. Connections waiting on a listener are accepted and
  served the same way, then handed to the loop when the script is over. Up to four
  passes per tick, while some connection had input (Valkey's iterations). This
  works alike on uvloop and on the plain asyncio loop.
* While timed out the core is ``script_busy`` (and so ``gated``: every command takes
  the dispatcher's slow path). There, after the pub/sub context checks and before
  CLIENT PAUSE and MULTI queueing, a command without the ``allow_busy`` flag is
  refused with ``BUSY`` (``refusal``): what remains is AUTH, HELLO, MULTI, DISCARD,
  WATCH, UNWATCH, QUIT, RESET, SCRIPT KILL, FUNCTION KILL, FUNCTION STATS and
  SHUTDOWN (NOSAVE only: ``shutdown``). A refused command inside MULTI fails the
  transaction; EXEC is refused too, answering ``EXECABORT ... because of: BUSY ...``.
  Evictions and the OOM check are skipped, and blocked readers are not served, until
  the script returns.
* The script's own caller is protected: its socket is not read, its further input
  (pipelined behind the script or sent meanwhile) runs after the script's reply, and
  what the script sends it (a push) follows that reply.
* The command time stands still for the script: what served commands change of it
  (``keyspace.now_ms``) is put back after each pass. Timers (blocked clients'
  timeouts, CLIENT PAUSE's end, the cron) wait for the loop, as in Valkey; so do
  signals, and connections a peer closed are noticed once the script is over.

SCRIPT KILL / FUNCTION KILL (``kill``) mark the run killed; the next tick reports it
and the sandbox's hook raises ``Script killed by user with SCRIPT KILL...``, then
again at every line, so ``pcall`` cannot hold it off. A run that wrote cannot be
killed (UNKILLABLE); SHUTDOWN NOSAVE stops the server anyway: the script is stopped
at its next tick, its caller gets no reply, and the shell stops every connection.

Invariants:
* ``core.script_busy`` is True exactly while a timed-out script runs (``enter`` /
  ``leave``); nothing of this module runs on the command path otherwise, and a tick
  before the threshold costs one clock read.
* ``tick`` never raises: a failure while serving is logged and the script goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .. import logs

if TYPE_CHECKING:
    from ..core import ServerCore
    from .run import ScriptRun

log = logging.getLogger("minivalkey")

BUSY_EVAL = (
    "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
)
BUSY_FUNCTION = (
    "BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)
NOT_BUSY = "NOTBUSY No scripts in execution right now."
UNKILLABLE = (
    "UNKILLABLE Sorry the script already executed write commands against the "
    "dataset. You can either wait the script termination or kill the server in a "
    "hard way using the SHUTDOWN NOSAVE command."
)


class BusyIO(Protocol):
    """What the shell provides (``core.busy_io``): the I/O of a busy period."""

    def serve(self, protected: object, stop: Callable[[], bool]) -> bool:
        """Serve every connection but ``protected`` once, accepting new ones; True
        when something was read or accepted. ``stop`` ends the pass early."""
        ...

    def stop_listening(self) -> None:
        """The server is going away: accept no more connections."""
        ...

    def finished(self) -> None:
        """The busy period is over: the loop takes back what was done meanwhile."""
        ...


_ROUNDS = 4  # passes over the connections per tick while some had input (Valkey's)


def refusal(run: ScriptRun) -> str:
    """The BUSY error a command is refused with while ``run`` is timed out."""
    return BUSY_EVAL if run.eval_mode else BUSY_FUNCTION


def tick(core: ServerCore, run: ScriptRun) -> bool:
    """Called by the count hook: True when the script must stop (SCRIPT KILL,
    FUNCTION KILL, SHUTDOWN NOSAVE)."""
    if not run.timed_out:
        threshold: int = core.config.values["busy-reply-threshold"]  # type: ignore[assignment]
        if not threshold:
            return False
        elapsed = run.elapsed_ms()
        if elapsed < threshold:
            return False
        log.warning(
            "Slow script detected: still in execution after %d milliseconds. You can try "
            "killing the script using the %s command. Script name is: %s.",
            elapsed,
            "SCRIPT KILL" if run.eval_mode else "FUNCTION KILL",
            run.name,
        )
        enter(core, run)
    try:
        serve(core, run)
    except Exception:  # the script must not fail because serving someone else did
        log.exception("internal error serving clients during a busy script")
    if not run.killed:
        return False
    if not run.shutting_down:
        logs.notice("Lua script killed by user with SCRIPT KILL.")
    return True


def enter(core: ServerCore, run: ScriptRun) -> None:
    """The script passed the threshold: other clients are answered from now on."""
    run.timed_out = True
    core.script_busy = True
    core._update_gate()


def leave(core: ServerCore, run: ScriptRun) -> None:
    """The timed-out script returned (or was stopped): back to normal service."""
    core.script_busy = False
    core._update_gate()
    if core.busy_io is not None:
        core.busy_io.finished()
    if run.shutting_down:
        # SHUTDOWN NOSAVE stopped it: the server goes away without answering its
        # caller, and nothing the caller sent after the script runs.
        caller = run.caller
        caller.skip_current_reply = True
        caller.closing = True


def serve(core: ServerCore, run: ScriptRun) -> None:
    """Valkey's processEventsWhileBlocked: the other connections' input is read and
    answered, their queued bytes written; the caller's are left alone."""
    io: BusyIO | None = core.busy_io
    if io is None:  # no shell (a core driven directly): nobody to serve
        return
    keyspace = core.keyspace
    now_ms = keyspace.now_ms
    tracking = core.tracking
    early = tracking.early  # invalidations owed before the caller's reply
    tracking.early = []
    protected = run.caller.connection
    try:
        for _ in range(_ROUNDS):
            if not io.serve(protected, lambda: run.shutting_down) or run.shutting_down:
                break
    finally:
        keyspace.now_ms = now_ms
        tracking.early = early


def shutdown(core: ServerCore, nosave: bool) -> None:
    """SHUTDOWN while a script is timed out: only NOSAVE may stop the server, and the
    script is stopped at its next tick (Valkey exits from inside the script)."""
    from ..errors import CommandError

    run = core.script_run
    if not core.script_busy or run is None:
        return
    if not nosave:
        raise CommandError(refusal(run))
    run.killed = True
    run.shutting_down = True
    if core.busy_io is not None:
        core.busy_io.stop_listening()


def kill(core: ServerCore, eval_mode: bool) -> object:
    """SCRIPT KILL (``eval_mode``) or FUNCTION KILL: Valkey's scriptKill."""
    from ..errors import CommandError
    from ..replies import OK

    run = core.script_run
    if run is None:
        raise CommandError(NOT_BUSY)
    if run.write_dirty:
        raise CommandError(UNKILLABLE)
    if eval_mode and not run.eval_mode:
        raise CommandError(BUSY_FUNCTION)
    if not eval_mode and run.eval_mode:
        raise CommandError(BUSY_EVAL)
    run.killed = True
    return OK
