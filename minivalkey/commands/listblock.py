"""The blocking list pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.

Each command first does what its non-blocking form would (LPOP, LMOVE, LMPOP) when
one of its keys holds a list; otherwise it returns ``BlockOn`` and the blocking
registry re-runs the same request (``retry``) each time one of the keys becomes
ready with a list, until it serves something, answers an error (a key of another
type, BLMOVE's destination of another type) or reaches its deadline.

Invariants (Valkey 8.0.1's t_list.c and timeout.c):
* Arguments are checked in Valkey's order: BLPOP / BRPOP / BRPOPLPUSH read their
  timeout first; BLMOVE its two ends, then the timeout; BLMPOP its numkeys, end and
  COUNT, then the timeout. Nothing changes before all of them passed.
* A timeout is a number of seconds read as C's ``strtold`` reads it (decimal or
  hexadecimal, ``inf``; no spaces, no NaN), in the 64-bit-significand long double
  arithmetic Valkey uses: milliseconds are ``ceil(seconds * 1000)``, 0 waits
  forever, and a deadline past the largest signed 64-bit time is out of range.
* A served waiter pops from the first of its keys, in argument order, that holds a
  list, exactly as the command would have when sent then.
* A wait that ends without data (deadline, CLIENT UNBLOCK ... TIMEOUT) answers the
  null array, for BLMOVE and BRPOPLPUSH too, as Valkey answers blocked list
  clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..blocking import BlockOn
from ..engine.lists import List
from ..replies import NULL_ARRAY
from .args import parse_timeout
from .lists import move, parse_end, parse_mpop, pop_from_keys, write_lookup
from .table import BeginIndex, FindKeynum, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

# -- the commands ---------------------------------------------------------------------------


def _block(
    client: Client, keys: list[bytes], deadline: int, retry: Any, denied: Any = NULL_ARRAY
) -> BlockOn:
    """A wait for a list on ``keys``. A timeout answers the null array; where blocking is
    denied (inside EXEC) Valkey answers ``denied``: the null array, or for BLMOVE and
    BRPOPLPUSH the null bulk."""
    db_index = client.db_index
    return BlockOn(
        keys=[(db_index, key) for key in keys],
        deadline_ms=deadline,
        unblock_on_nokey=False,
        retry=retry,
        value_type=List,
        timeout_reply=NULL_ARRAY,
        denied_reply=denied,
    )


def _blocking_pop(client: Client, argv: list[bytes], head: bool) -> Any:
    deadline = parse_timeout(argv[-1], client.core.keyspace.now_ms)
    keys = argv[1:-1]
    reply = pop_from_keys(client, keys, head, None)
    if reply is not None:
        return reply
    return _block(client, keys, deadline, lambda: pop_from_keys(client, keys, head, None))


_BPOP: dict[str, Any] = dict(
    flags="write blocking",
    group="list",
    since="2.0.0",
    acl="@list",
    complexity="O(N) where N is the number of keys given",
    keys=(1, -2, 1),
    key_specs=(key_spec("RW access delete", BeginIndex(1), FindRange(-2)),),
)


@command(
    "blpop",
    -3,
    **_BPOP,
    summary="Pops the first element of the first non-empty list among several keys, "
    "waiting for one when all are empty.",
)
def blpop(client: Client, argv: list[bytes]) -> Any:
    return _blocking_pop(client, argv, head=True)


@command(
    "brpop",
    -3,
    **_BPOP,
    summary="Pops the last element of the first non-empty list among several keys, "
    "waiting for one when all are empty.",
)
def brpop(client: Client, argv: list[bytes]) -> Any:
    return _blocking_pop(client, argv, head=False)


def _blocking_move(
    client: Client, argv: list[bytes], from_head: bool, to_head: bool, deadline: int
) -> Any:
    source, destination = argv[1], argv[2]
    if write_lookup(client, source) is not None:
        return move(client, source, destination, from_head, to_head)
    return _block(
        client,
        [source],
        deadline,
        lambda: move(client, source, destination, from_head, to_head),
        denied=None,
    )


_BMOVE_KEYS = (
    key_spec("RW access delete", BeginIndex(1), FindRange(0)),
    key_spec("RW insert", BeginIndex(2), FindRange(0)),
)


@command(
    "blmove",
    6,
    "write denyoom blocking",
    group="list",
    since="6.2.0",
    acl="@list",
    keys=(1, 2, 1),
    key_specs=_BMOVE_KEYS,
    summary="Moves an element between the ends of two lists, waiting for the source "
    "when it is empty.",
)
def blmove(client: Client, argv: list[bytes]) -> Any:
    from_head, to_head = parse_end(argv[3]), parse_end(argv[4])
    deadline = parse_timeout(argv[5], client.core.keyspace.now_ms)
    return _blocking_move(client, argv, from_head, to_head, deadline)


@command(
    "brpoplpush",
    4,
    "write denyoom blocking",
    group="list",
    since="2.2.0",
    acl="@list",
    keys=(1, 2, 1),
    key_specs=_BMOVE_KEYS,
    summary="Moves the last element of a list to the head of another, waiting for the "
    "source when it is empty (BLMOVE RIGHT LEFT).",
)
def brpoplpush(client: Client, argv: list[bytes]) -> Any:
    deadline = parse_timeout(argv[3], client.core.keyspace.now_ms)
    return _blocking_move(client, argv, False, True, deadline)


@command(
    "blmpop",
    -5,
    "write blocking",
    group="list",
    since="7.0.0",
    acl="@list",
    key_specs=(key_spec("RW access delete", BeginIndex(2), FindKeynum(0, 1, 1)),),
    summary="Pops elements from the first non-empty list among several keys, waiting for "
    "one when all are empty.",
    complexity="O(N+M) where N is the number of keys given and M the number of elements popped",
)
def blmpop(client: Client, argv: list[bytes]) -> Any:
    keys, head, count = parse_mpop(argv, 2)
    deadline = parse_timeout(argv[1], client.core.keyspace.now_ms)
    reply = pop_from_keys(client, keys, head, count)
    if reply is not None:
        return reply
    return _block(client, keys, deadline, lambda: pop_from_keys(client, keys, head, count))
