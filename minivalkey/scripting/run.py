"""One script run and the commands it calls (Valkey's script.c).

A ``ScriptRun`` exists from the moment EVAL/FCALL starts a script until it
returns. Commands called by the script (``server.call``) run through
``dispatcher.call`` as the script's own client, after the script rules:

* unknown command / wrong arity (``Unknown command called from script``,
  ``Wrong number of args calling command from script``), commands flagged
  ``noscript`` (MULTI, blocking-only admin commands, SUBSCRIBE ...), writes from a
  read-only run (EVAL_RO, FCALL_RO, ``no-writes``), a first write while
  ``min-replicas-to-write`` refuses writes (NOREPLICAS), and denyoom commands while the
  server was over ``maxmemory`` when the script started and nothing was written
  yet, are refused with Valkey's texts, counted as rejected calls;
* the script's client never blocks (``deny_blocking``): a blocking command answers
  its timeout reply at once, as inside EXEC;
* the script's client starts each run in the caller's database, in RESP2
  (``server.setresp`` changes it); every command of a run shares the caller's
  command time, so time stands still inside a script;
* a write marks the run dirty: SCRIPT KILL then answers UNKILLABLE.

A read-only command of the script lets a caller with client-side caching cache
the keys it read (Valkey remembers them for the caller, never the keys of the
EVAL_RO itself).

Keys the script makes ready are served after the script returns (the dispatcher
serves ready keys after each command line), so a script wakes blocked readers as
EXEC does.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any

from .. import dispatcher
from ..commands.table import (
    DENYOOM,
    MAY_REPLICATE,
    NOSCRIPT,
    READONLY,
    WRITE,
    CommandSpec,
    lookup,
)
from ..errors import NOREPLICAS
from ..replies import ErrorReply
from ..session import Client

if TYPE_CHECKING:
    from ..core import ServerCore

UNKNOWN = "Unknown command called from script"
WRONG_ARITY = "Wrong number of args calling command from script"
NOT_FROM_SCRIPT = "This Redis command is not allowed from script"
READ_ONLY = "Write commands are not allowed from read-only scripts."
OOM = "-OOM command not allowed when used memory > 'maxmemory'."


class ScriptRun:
    """The state of the running script (Valkey's scriptRunCtx)."""

    __slots__ = (
        "caller",
        "client",
        "name",
        "eval_mode",
        "read_only",
        "allow_oom",
        "oom",
        "write_dirty",
        "killed",
        "timed_out",
        "shutting_down",
        "started",
    )

    def __init__(
        self,
        caller: Client,
        client: Client,
        name: str,
        eval_mode: bool,
        read_only: bool,
        allow_oom: bool,
    ) -> None:
        self.caller = caller
        self.client = client
        self.name = name
        self.eval_mode = eval_mode
        self.read_only = read_only
        self.allow_oom = allow_oom
        core = caller.core
        self.oom = bool(core.maxmemory) and core.pre_command_oom
        self.write_dirty = False
        self.killed = False
        self.timed_out = False  # past busy-reply-threshold (busy.py)
        self.shutting_down = False  # stopped by SHUTDOWN NOSAVE (busy.py)
        self.started = monotonic()
        client.select(caller.db_index)
        client.protocol = 2

    def elapsed_ms(self) -> int:
        return int((monotonic() - self.started) * 1000)


def script_client(core: ServerCore) -> Client:
    """The connectionless client scripts run their commands as (one per server)."""
    client = Client(core, None, addr="lua")
    client.deny_blocking = True
    return client


def refusal(run: ScriptRun, spec: CommandSpec | None, argv: list[bytes]) -> str | None:
    """Why the script may not run ``argv`` now (an error message for
    ``convert.error_fields``), or None."""
    if spec is None:
        return UNKNOWN
    arity = spec.arity
    if (arity > 0 and arity != len(argv)) or len(argv) < -arity:
        return WRONG_ARITY
    flags = spec.flags
    if NOSCRIPT in flags:
        return NOT_FROM_SCRIPT
    if run.read_only and (WRITE in flags or MAY_REPLICATE in flags):
        return READ_ONLY
    if WRITE in flags and not run.write_dirty and run.client.core.too_few_replicas:
        return "-" + NOREPLICAS
    if run.oom and not run.allow_oom and not run.write_dirty and DENYOOM in flags:
        return OOM
    return None


def script_call(run: ScriptRun, argv: list[bytes]) -> tuple[Any, str | None]:
    """Run one command for the script: ``(reply, None)``, or ``(None, refusal)`` when
    the script rules refuse it (already counted as Valkey counts it)."""
    spec = lookup(argv)
    refused = refusal(run, spec, argv)
    client = run.client
    core = client.core
    if refused is not None:
        if spec is not None:
            core.command_stats_of(spec).rejected_calls += 1
        core.stats.count_error(refused[1:] if refused.startswith("-") else "ERR " + refused)
        return None, refused
    assert spec is not None
    if WRITE in spec.flags:
        run.write_dirty = True
    client.last_spec = spec
    if core.monitors.clients:
        reply = dispatcher.call_shown(client, spec, argv)
    else:
        reply = dispatcher.call(client, spec, argv)
    caller = run.caller
    if caller.tracking_reads and READONLY in spec.flags:
        core.tracking.remember(caller, spec, argv)  # the caller may cache what it read
    return reply, None


def is_error(reply: Any) -> bool:
    return type(reply) is ErrorReply
