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
  (``pubsub.refusal``): after the OOM check, before MULTI queueing, as Valkey does.
* While the core is ``gated`` (maxmemory set, or a CLIENT NO-TOUCH client connected)
  every command takes the slow path, which runs ``ServerCore.before_command`` after
  the NOAUTH and no-MULTI checks, as Valkey's processCommand handles maxmemory:
  over the limit, a command flagged denyoom (an EXEC whose queue holds one) is
  refused with OOM, inside MULTI too (the transaction then fails).
"""

from __future__ import annotations

import logging
from time import perf_counter_ns
from typing import Any

from . import errors
from .blocking import BlockOn, Waiter
from .commands.table import DENYOOM, NO_AUTH, NO_MULTI, CommandSpec, lookup
from .errors import CommandError
from .pubsub import refusal as pubsub_refusal
from .replies import QUEUED, ErrorReply
from .resp import encode
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
    else:
        reply = _process(client, spec, argv)
    if keyspace.ready_keys:
        core.blocking.serve_ready_keys()
    if reply is BLOCKED or client.skip_current_reply or client.reply_off:
        return b""
    return encode(reply, client.protocol)


def _process(client: Client, spec: CommandSpec | None, argv: list[bytes]) -> Any:
    if spec is None:
        client.last_spec = None  # CLIENT LIST shows cmd=NULL after an unknown command
        top = client.core.commands.get(argv[0].lower())
        text = errors.unknown_subcommand(argv) if top else errors.unknown_command(argv)
        return _reject(client, None, text)
    client.last_spec = spec
    arity = spec.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        return _reject(client, spec, errors.wrong_arity(spec.fullname))
    if spec.protected and not client.allowed_by(_PROTECTED_SETTING[spec.name]):
        text = errors.protected_command(spec.name.upper(), _PROTECTED_SETTING[spec.name])
        return _reject(client, spec, text)
    if not client.authenticated and NO_AUTH not in spec.flags and client.core.requires_auth():
        return _reject(client, spec, errors.NOAUTH)
    if client.multi is not None and NO_MULTI in spec.flags:
        return _reject(client, spec, errors.NOT_ALLOWED_IN_MULTI)
    if client.core.gated and client.core.before_command(client, spec, argv) and _uses_memory(
        client, spec
    ):
        if spec.name == "exec" and spec.parent is None:
            client.discard_multi()
            return _reject(client, spec, errors.EXECABORT_BECAUSE + errors.OOM)
        return _reject(client, spec, errors.OOM)
    if client.subscribed_context or spec.checked:
        refused = pubsub_refusal(client, spec)
        if refused is not None:
            return _reject(client, spec, refused)
    if client.multi is not None:
        if spec.name not in _RUN_INSIDE_MULTI or spec.parent is not None:
            if not client.multi_failed and not client.watch_dirty:
                client.multi.append(argv)
            return QUEUED
    return call(client, spec, argv)


def _uses_memory(client: Client, spec: CommandSpec) -> bool:
    """Valkey's denyoom test: the command's flag, or for EXEC any queued command's."""
    if DENYOOM in spec.flags:
        return True
    if spec.name != "exec" or spec.parent is not None or client.multi is None:
        return False
    for argv in client.multi:
        queued = lookup(argv)
        if queued is not None and DENYOOM in queued.flags:
            return True
    return False


def _reject(client: Client, spec: CommandSpec | None, text: str) -> ErrorReply:
    if client.multi is not None:
        client.multi_failed = True
        client.multi = []
    if spec is not None:
        client.core.command_stats_of(spec).rejected_calls += 1
    client.core.stats.count_error(text)
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
    elif spec.writes:
        core.dirty += 1  # a command making other than one change says so (count_changes)
    counters.calls += 1
    counters.usec += (perf_counter_ns() - started) // 1000
    core.stats.total_commands_processed += 1
    client.commands_processed += 1
    return reply


def error_reply(client: Client, text: str) -> ErrorReply:
    """Turn an error text into a reply, counting it as Valkey counts error replies."""
    client.core.stats.count_error(text)
    return ErrorReply(text)


def lookup_for_exec(argv: list[bytes]) -> CommandSpec:
    spec = lookup(argv)
    assert spec is not None  # queued commands passed lookup already
    return spec
