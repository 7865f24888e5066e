"""Command dispatch: Valkey's processCommand and call(), minus the I/O.

``execute(client, argv)`` runs one command line and returns the encoded reply
bytes (empty when CLIENT REPLY suppresses it). In order, as Valkey does:
lookup (unknown command / unknown subcommand), arity, authentication,
commands refused inside MULTI, queueing inside MULTI, then the call.

Invariants:
* This is the only place where a ``CommandError`` becomes an error reply and is
  counted (INFO stats ``total_error_replies``, errorstats, commandstats).
* A rejected command (unknown, arity, NOAUTH, refused in MULTI) marks an open
  transaction as failed, so EXEC answers EXECABORT.
* The command time (``keyspace.now_ms``) is read from the clock once per command
  line; commands run by EXEC share the EXEC's time.
* A handler that returns ``BlockOn`` blocks its client: nothing is answered now,
  and the command is counted in commandstats only when it finally answers. Where
  blocking is denied (``client.deny_blocking``: inside EXEC) the request's
  ``denied_reply`` is the answer, decided here for every blocking command.
* After every command line, the keys it made ready serve their blocked readers
  (Valkey's handleClientsBlockedOnKeys), so a transaction wakes them after EXEC.
* A RESP2 subscriber (``client.subscribed_context``) may run only the commands of
  subscribed mode, and the unsubscribes (``spec.checked``) are refused outside it
  (``pubsub.refusal``): after the OOM check, before the monitor and pause checks and
  MULTI queueing, as Valkey does.
* A client with ``tracking_reads`` (CLIENT TRACKING) takes the slow path, run inside
  ``_process_tracked``; after a read-only command it ran, its keys are remembered.
* While the core is ``gated`` (maxmemory set, a CLIENT NO-TOUCH client connected, a
  monitor attached, a pause in force) every command takes the slow path, which runs
  ``ServerCore.before_command`` after the NOAUTH and no-MULTI checks, as Valkey's
  processCommand handles maxmemory: over the limit, a command flagged denyoom (an
  EXEC whose queue holds one) is refused with OOM, inside MULTI too (the transaction
  then fails); with ``min-replicas-to-write`` in force, a write (an EXEC queuing
  one, a script declaring writes) is refused with NOREPLICAS. Then, as Valkey, a
  monitor is refused commands that touch keys, and a
  command CLIENT PAUSE holds is postponed (``BLOCKED``; ``reprocess`` runs it later).
* While a script is busy (``core.script_busy``, past busy-reply-threshold; the core
  is gated then) the slow path skips ``before_command`` (no evictions, no OOM
  refusal, as Valkey inside a yielding command) and, after the pub/sub checks,
  refuses every command not flagged ``allow_busy`` with BUSY (inside MULTI too:
  the transaction fails; an EXEC answers EXECABORT with the reason); blocked
  readers are not served until the script returns (``scripting/busy.py``).
* Monitors see a command after it ran (``Monitors.feed``), never one refused or
  queued; an EXEC refused before running answers EXECABORT with the reason and is
  shown (Valkey's execCommandAbort). EXEC runs its commands with ``call_shown``
  while a monitor is attached.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from time import perf_counter_ns
from typing import Any

from . import errors
from .blocking import BlockOn, Waiter
from .commands.table import (
    ALLOW_BUSY,
    DENYOOM,
    NO_AUTH,
    NO_MULTI,
    READONLY,
    WRITE,
    CommandSpec,
    lookup,
)
from .errors import CommandError
from .monitor import KEYSPACE_REFUSED, touches_keyspace
from .pubsub import refusal as pubsub_refusal
from .replies import QUEUED, ErrorReply, RawReply
from .resp import encode
from .scripting.busy import refusal as busy_refusal
from .session import Client

log = logging.getLogger("minivalkey")

BLOCKED = object()
"""What ``call`` returns for a command that blocked its client (nothing is sent)."""

# The setting that lets each protected command run (Valkey's allowProtectedAction).
_PROTECTED_SETTING = {"debug": "enable-debug-command", "module": "enable-module-command"}

# Commands that run immediately even inside MULTI (Valkey's list in processCommand).
_RUN_INSIDE_MULTI = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})


def execute(client: Client, argv: list[bytes]) -> bytes:
    """Run one command line for ``client``; the encoded reply, or b"" when suppressed."""
    core = client.core
    keyspace = core.keyspace
    client.last_interaction_ms = keyspace.now_ms = core.clock.now_ms()
    if client.skip_next_reply or client.skip_current_reply:
        client.skip_current_reply = client.skip_next_reply
        client.skip_next_reply = False
    spec = lookup(argv)
    if (
        spec is not None
        and client.fast
        and not spec.checked
        and not core.gated
        and (len(argv) == spec.arity or (spec.arity < 0 and len(argv) >= -spec.arity))
    ):
        # The usual case: a known command, well-formed, outside MULTI, for a client
        # with nothing of its own to check (``Client.update_fast``).
        client.last_spec = spec
        reply = call(client, spec, argv)
    elif not client.tracking_reads:
        reply = _process(client, spec, argv)
    else:
        reply = _process_tracked(client, spec, argv)
    if keyspace.ready_keys and not core.script_busy:
        core.blocking.serve_ready_keys()
    if reply is BLOCKED or client.skip_current_reply or client.reply_off:
        return b""
    return encode(reply, client.protocol)


def _process(client: Client, spec: CommandSpec | None, argv: list[bytes]) -> Any:
    if spec is None:
        client.last_spec = None  # CLIENT LIST shows cmd=NULL after an unknown command
        top = client.core.commands.get(argv[0].lower())
        text = errors.unknown_subcommand(argv) if top else errors.unknown_command(argv)
        return _reject(client, None, argv, text)
    client.last_spec = spec
    arity = spec.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        return _reject(client, spec, argv, errors.wrong_arity(spec.fullname))
    if spec.protected and not client.allowed_by(_PROTECTED_SETTING[spec.name]):
        text = errors.protected_command(spec.name.upper(), _PROTECTED_SETTING[spec.name])
        return _reject(client, spec, argv, text)
    return _admit(client, spec, argv, True)


def _admit(client: Client, spec: CommandSpec, argv: list[bytes], first_run: bool) -> Any:
    """processCommand from the authentication check on: refuse, hold, queue or run.

    ``first_run`` is False when a command postponed by CLIENT PAUSE runs again
    (``reprocess``): monitors never see such a re-run, as in Valkey.
    """
    core = client.core
    if not client.authenticated and NO_AUTH not in spec.flags and core.requires_auth():
        return _reject(client, spec, argv, errors.NOAUTH)
    if client.multi is not None and NO_MULTI in spec.flags:
        return _reject(client, spec, argv, errors.NOT_ALLOWED_IN_MULTI)
    if core.gated and not core.script_busy:
        core.pre_command_oom = oom = core.before_command(client, spec, argv)
        if oom and _uses_memory(client, spec, argv):
            return _reject(client, spec, argv, errors.OOM)
        if core.too_few_replicas and WRITE in _flags_of(client, spec, argv):
            return _reject(client, spec, argv, errors.NOREPLICAS)
    if client.subscribed_context or spec.checked:
        refused = pubsub_refusal(client, spec)
        if refused is not None:
            return _reject(client, spec, argv, refused)
    if core.gated and core.script_busy and ALLOW_BUSY not in spec.flags:
        return _reject(client, spec, argv, busy_refusal(core.script_run))
    monitors = core.monitors
    if monitors.clients or core.pause.actions:  # MONITOR attached, or CLIENT PAUSE in force
        flags = _flags_of(client, spec, argv)
        if client.monitoring and touches_keyspace(flags):
            return _reject(client, spec, argv, KEYSPACE_REFUSED)
        if core.pause.holds(client, flags):
            core.pause.postpone(client, spec, argv)
            return BLOCKED
    if client.multi is not None:
        if spec.name not in _RUN_INSIDE_MULTI or spec.parent is not None:
            if not client.multi_failed and not client.watch_dirty:
                client.multi.append(argv)
            return QUEUED
    reply = call(client, spec, argv)
    if client.tracking_reads and READONLY in spec.flags:
        client.core.tracking.remember(client, spec, argv)  # it may cache what it read
    if monitors.clients or monitors.hidden:
        monitors.feed(client, spec, argv, first_run)
    return reply


def _process_tracked(client: Client, spec: CommandSpec | None, argv: list[bytes]) -> Any:
    """``_process`` for a client whose commands client-side caching sees (tracking.py):
    it is the current client meanwhile; invalidations queued for it follow the reply,
    and those owed before the command ran (an eviction, the table's trimming) precede it."""
    tracking = client.core.tracking
    outer = tracking.begin(client)
    try:
        reply = _process(client, spec, argv)
    finally:
        early = tracking.end(client, spec, outer)
    if early:
        if reply is BLOCKED or client.skip_current_reply or client.reply_off:
            client.send(early)  # no reply to precede now
        else:
            reply = RawReply(early + encode(reply, client.protocol))
    return reply


def reprocess(client: Client, spec: CommandSpec, argv: list[bytes]) -> Any:
    """Run again a command CLIENT PAUSE postponed, now that the pause let it go: its
    reply (``BLOCKED`` when it waits again), with the blocked readers it made ready
    served, as ``execute`` does."""
    core = client.core
    client.last_interaction_ms = core.keyspace.now_ms = core.clock.now_ms()
    reply = _admit(client, spec, argv, False)
    if core.keyspace.ready_keys:
        core.blocking.serve_ready_keys()
    return reply


def _command_flags(client: Client, spec: CommandSpec, argv: list[bytes]) -> Collection[str]:
    """Valkey's getCommandFlags: the spec's flags, or those its arguments decide."""
    flags_for = spec.flags_for
    return spec.flags if flags_for is None else flags_for(client, argv)


def _flags_of(client: Client, spec: CommandSpec, argv: list[bytes]) -> Collection[str]:
    """A command's flags as processCommand weighs them: an EXEC's include those of the
    commands it queued (Valkey's mstate.cmd_flags)."""
    if spec.name != "exec" or spec.parent is not None or not client.multi:
        return _command_flags(client, spec, argv)
    flags = set(spec.flags)
    for line in client.multi:
        queued = lookup(line)
        if queued is not None:
            flags.update(_command_flags(client, queued, line))
    return flags


def _uses_memory(client: Client, spec: CommandSpec, argv: list[bytes]) -> bool:
    """Valkey's denyoom test: the command's flag, or for EXEC any queued command's."""
    if DENYOOM in _command_flags(client, spec, argv):
        return True
    if spec.name != "exec" or spec.parent is not None or client.multi is None:
        return False
    for line in client.multi:
        queued = lookup(line)
        if queued is not None and DENYOOM in _command_flags(client, queued, line):
            return True
    return False


def _reject(
    client: Client, spec: CommandSpec | None, argv: list[bytes], text: str
) -> ErrorReply:
    if spec is not None and spec.name == "exec" and spec.parent is None:
        return _abort_exec(client, spec, argv, text)
    if client.multi is not None:
        client.multi_failed = True
        client.multi = []
    if spec is not None:
        client.core.command_stats_of(spec).rejected_calls += 1
    client.core.stats.count_error(text)
    return ErrorReply(text)


def _abort_exec(client: Client, spec: CommandSpec, argv: list[bytes], text: str) -> ErrorReply:
    """An EXEC refused before it runs (Valkey's execCommandAbort): the transaction is
    discarded, the reason follows EXECABORT, and monitors see the EXEC that closes
    the MULTI they saw."""
    client.discard_multi()
    client.core.command_stats_of(spec).rejected_calls += 1
    reason = text[4:] if text.startswith("ERR ") else text
    text = errors.EXECABORT_BECAUSE + reason
    client.core.stats.count_error(text)
    monitors = client.core.monitors
    if monitors.clients:
        monitors.feed(client, spec, argv, True)
    return ErrorReply(text)


def call(client: Client, spec: CommandSpec, argv: list[bytes]) -> Any:
    """Run a looked-up, validated command and keep its statistics (Valkey's call())."""
    core = client.core
    started = perf_counter_ns()
    try:
        reply = spec.handler(client, argv)  # type: ignore[misc]  # containers never get here
        if type(reply) is BlockOn:
            if not client.deny_blocking:
                core.blocking.block(Waiter(client, spec, reply))
                return BLOCKED
            reply = reply.denied_reply  # inside EXEC: answered at once, as Valkey does
    except CommandError as error:
        reply = error_reply(client, error.text)
    except Exception:  # a bug must not take the connection or the server down
        log.exception("internal error running %s", spec.fullname)
        reply = error_reply(client, errors.INTERNAL_ERROR)
    counters = core.command_stats.get(id(spec)) or core.command_stats_of(spec)
    if type(reply) is ErrorReply:
        counters.failed_calls += 1
    counters.calls += 1
    counters.usec += (perf_counter_ns() - started) // 1000
    core.stats.total_commands_processed += 1
    client.commands_processed += 1
    return reply


def call_shown(client: Client, spec: CommandSpec, argv: list[bytes]) -> Any:
    """``call``, then show the command to the monitors: what EXEC runs its queued
    commands with while a monitor is attached."""
    reply = call(client, spec, argv)
    client.core.monitors.feed(client, spec, argv, True)
    return reply


def error_reply(client: Client, text: str) -> ErrorReply:
    """Turn an error text into a reply, counting it as Valkey counts error replies."""
    client.core.stats.count_error(text)
    return ErrorReply(text)


def lookup_for_exec(argv: list[bytes]) -> CommandSpec:
    spec = lookup(argv)
    assert spec is not None  # queued commands passed lookup already
    return spec
