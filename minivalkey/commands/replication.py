"""WAIT and WAITAOF: waiting for replicas (and the local AOF) to acknowledge writes.

minivalkey is a primary without replicas, so no replica ever acknowledges: the
answers are Valkey's for a primary with none attached.

Invariants (Valkey 8.0.1's replication.c):
* Arguments are checked in Valkey's order (WAITAOF's numlocal, numreplicas, then
  the timeout; WAITAOF's numlocal with appendonly off after them); bad input
  changes nothing.
* A request the present state satisfies (no replicas asked for), or one made where
  blocking is denied (inside EXEC or a script), answers at once; otherwise the
  client waits until its timeout (0: forever, until CLIENT UNBLOCK) and then answers
  the same counts.
* The local AOF counts as synced when appendonly is on (nothing is written to disk,
  so nothing is ever behind); with it off the local count is 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..blocking import BlockOn
from ..errors import CommandError
from .args import INT64_MAX, parse_int
from .table import command

if TYPE_CHECKING:
    from ..session import Client

WAITAOF_NO_AOF = "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled."
NUMLOCAL_RANGE = "ERR value is out of range, value must between 0 and 1"

_TIPS = "request_policy:all_shards response_policy:agg_min"


def _deadline(raw: bytes, now_ms: int) -> int:
    """A timeout in milliseconds as an absolute deadline (0: none), Valkey's checks."""
    timeout = parse_int(raw, errors.TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if timeout > 0:
        if timeout > INT64_MAX - now_ms:
            raise CommandError(errors.TIMEOUT_OUT_OF_RANGE)
        timeout += now_ms
    return timeout


def _never() -> None:
    return None


def _wait_for(client: Client, deadline: int, reply: Any) -> BlockOn:
    """Block on nothing until the deadline, then answer ``reply``."""
    return BlockOn([], deadline, False, _never, type(None), None, reply, reply)


@command(
    "wait",
    3,
    "blocking",
    group="generic",
    since="3.0.0",
    acl="@connection",
    tips=_TIPS,
    group_acl=False,
    summary="Waits for replicas to acknowledge the connection's writes; answers how many did.",
)
def wait(client: Client, argv: list[bytes]) -> Any:
    replicas = parse_int(argv[1])
    deadline = _deadline(argv[2], client.core.keyspace.now_ms)
    if replicas <= 0 or client.deny_blocking:
        return 0
    return _wait_for(client, deadline, 0)


@command(
    "waitaof",
    4,
    "blocking",
    group="generic",
    since="7.2.0",
    acl="@connection",
    tips=_TIPS,
    group_acl=False,
    summary="Waits for the local AOF and replicas' AOFs to hold the connection's writes; "
    "answers how many do.",
)
def waitaof(client: Client, argv: list[bytes]) -> Any:
    local = parse_int(argv[1])
    if not 0 <= local <= 1:
        raise CommandError(NUMLOCAL_RANGE)
    replicas = parse_int(argv[2], errors.VALUE_MUST_BE_POSITIVE)  # its text for both
    if replicas < 0:
        raise CommandError(errors.VALUE_MUST_BE_POSITIVE)
    deadline = _deadline(argv[3], client.core.keyspace.now_ms)
    aof = client.core.config.get_bool("appendonly")
    if local and not aof:
        raise CommandError(WAITAOF_NO_AOF)
    synced = 1 if aof else 0
    if replicas == 0 or client.deny_blocking:
        return [synced, 0]
    return _wait_for(client, deadline, [synced, 0])
