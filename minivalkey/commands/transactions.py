"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.

Invariants (Valkey's multi.c):
* Between MULTI and EXEC the dispatcher queues commands instead of running them;
  a command rejected while queueing (unknown, arity, NOAUTH...) marks the
  transaction failed and EXEC answers EXECABORT.
* EXEC answers the null array when a WATCHed key changed (or logically expired)
  since WATCH; otherwise it runs every queued command in order, with no other
  client's command in between, and answers the array of their replies (errors
  included as error entries).
* EXEC, DISCARD and UNWATCH forget every watched key.
* A tracking client's reads inside EXEC are remembered one by one, as the dispatcher
  remembers a read it runs (client-side caching, tracking.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..dispatcher import call, call_shown, lookup_for_exec
from ..errors import CommandError
from ..replies import NULL_ARRAY, OK
from .table import READONLY, command

if TYPE_CHECKING:
    from ..session import Client

_FLAGS = "noscript loading stale fast allow_busy"


@command(
    "multi",
    1,
    _FLAGS + " no_multi",
    group="transactions",
    since="1.2.0",
    summary="Opens a transaction: later commands are queued until EXEC.",
)
def multi(client: Client, argv: list[bytes]) -> Any:
    client.multi = []
    client.multi_failed = False
    client.update_fast()
    return OK


@command(
    "exec",
    1,
    "noscript loading stale skip_slowlog",
    group="transactions",
    since="1.2.0",
    summary="Runs every command queued since MULTI, atomically.",
    complexity="Depends on commands in the transaction",
)
def exec_(client: Client, argv: list[bytes]) -> Any:
    queued = client.multi
    if queued is None:
        raise CommandError(errors.EXEC_WITHOUT_MULTI)
    if client.multi_failed:
        client.discard_multi()
        raise CommandError(errors.EXECABORT)
    if client.watch_dirty or client.watched_key_expired():
        client.discard_multi()
        return NULL_ARRAY
    client.discard_multi()  # leave MULTI and unwatch before running, as Valkey does
    replies = []
    run = call_shown if client.core.monitors.clients else call  # monitors see each one
    client.deny_blocking = True  # a blocking read inside EXEC answers at once
    try:
        for queued_argv in queued:
            spec = lookup_for_exec(queued_argv)
            replies.append(run(client, spec, queued_argv))
            if client.tracking_reads and READONLY in spec.flags:
                client.core.tracking.remember(client, spec, queued_argv)
    finally:
        client.deny_blocking = False
    return replies


@command(
    "discard",
    1,
    _FLAGS,
    group="transactions",
    since="2.0.0",
    summary="Drops every command queued since MULTI and leaves the transaction.",
    complexity="O(N), when N is the number of queued commands",
)
def discard(client: Client, argv: list[bytes]) -> Any:
    if client.multi is None:
        raise CommandError(errors.DISCARD_WITHOUT_MULTI)
    client.discard_multi()
    return OK


@command(
    "watch",
    -2,
    _FLAGS + " no_multi",
    keys=(1, -1, 1),
    group="transactions",
    since="2.2.0",
    summary="Makes the next EXEC fail if any of these keys changes before it.",
    complexity="O(1) for every key.",
)
def watch(client: Client, argv: list[bytes]) -> Any:
    if not client.watch_dirty:  # no point in watching more once the transaction is doomed
        for key in argv[1:]:
            client.watch(key)
    return OK


@command(
    "unwatch",
    1,
    _FLAGS,
    group="transactions",
    since="2.2.0",
    summary="Forgets every key watched by this connection.",
)
def unwatch(client: Client, argv: list[bytes]) -> Any:
    client.unwatch_all()
    return OK
