"""Blocking sorted-set pops: BZPOPMIN, BZPOPMAX and BZMPOP (Valkey 8.0.1's
blockingGenericZpopCommand).

A pop serves the first key of its list, in argument order, that holds a sorted set;
with none, the client blocks on every key until one of them receives a sorted set,
then the request is served again from the first non-empty key in argument order
(not necessarily the key that woke it), exactly as Valkey re-runs the command.

Invariants:
* Checks in Valkey's order: BZPOPMIN / BZPOPMAX read the timeout first; BZMPOP reads
  numkeys, MIN|MAX and COUNT before its timeout. The timeout is in seconds (a long
  double, rounded up to milliseconds; 0 waits forever).
* Keys are looked up as a write looks them up (no hit/miss counts); another type met
  before a sorted set answers WRONGTYPE, also when a woken request is served again.
* Replies: BZPOPMIN / BZPOPMAX ``[key, member, score]``, BZMPOP ``[key, [[member,
  score]...]]``; a timeout, or nothing to pop where blocking is denied (inside
  EXEC), is the null array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..blocking import BlockOn
from ..engine.zsets import ZSet
from ..replies import NULL_ARRAY
from .args import parse_timeout
from .table import BeginIndex, FindKeynum, FindRange, command, key_spec
from .zsetpops import MAX, MIN, MpopRequest, first_existing, parse_mpop, pop, serve_mpop
from .zsets import numkeys_finder

if TYPE_CHECKING:
    from ..session import Client


def _serve_bzpop(client: Client, keys: list[bytes], where: int) -> Any | None:
    found = first_existing(client, keys)
    if found is None:
        return None
    key, zset = found
    ((score, member),) = pop(client, key, zset, where, 1)
    return [key, member, score]


def _serve_bzmpop(client: Client, request: MpopRequest) -> Any | None:
    found = first_existing(client, request.keys)
    if found is None:
        return None
    return serve_mpop(client, found[0], found[1], request)


def _block(client: Client, keys: list[bytes], deadline_ms: int, retry: Any) -> BlockOn:
    db_index = client.db_index
    return BlockOn(
        keys=[(db_index, key) for key in keys],
        deadline_ms=deadline_ms,
        unblock_on_nokey=False,
        retry=retry,
        value_type=ZSet,
        timeout_reply=NULL_ARRAY,
    )


def _bzpop(client: Client, argv: list[bytes], where: int) -> Any:
    deadline = parse_timeout(argv[-1], client.core.keyspace.now_ms)
    keys = argv[1:-1]
    reply = _serve_bzpop(client, keys, where)
    if reply is not None:
        return reply
    return _block(client, keys, deadline, lambda: _serve_bzpop(client, keys, where))


_BZPOP_SPECS = (key_spec("RW access delete", BeginIndex(1), FindRange(-2, 1, 0)),)


@command(
    "bzpopmin",
    -3,
    "write fast blocking",
    keys=(1, -2, 1),
    group="sorted-set",
    since="5.0.0",
    acl="@sortedset",
    key_specs=_BZPOP_SPECS,
    summary="Removes and answers the member with the lowest score from the first non-empty "
    "sorted set of the keys given, waiting for one if there is none.",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
)
def bzpopmin(client: Client, argv: list[bytes]) -> Any:
    return _bzpop(client, argv, MIN)


@command(
    "bzpopmax",
    -3,
    "write fast blocking",
    keys=(1, -2, 1),
    group="sorted-set",
    since="5.0.0",
    acl="@sortedset",
    key_specs=_BZPOP_SPECS,
    summary="Removes and answers the member with the highest score from the first non-empty "
    "sorted set of the keys given, waiting for one if there is none.",
    complexity="O(log(N)) with N being the number of elements in the sorted set.",
)
def bzpopmax(client: Client, argv: list[bytes]) -> Any:
    return _bzpop(client, argv, MAX)


@command(
    "bzmpop",
    -5,
    "write blocking",
    group="sorted-set",
    since="7.0.0",
    acl="@sortedset",
    key_specs=(key_spec("RW access delete", BeginIndex(2), FindKeynum(0, 1, 1)),),
    getkeys=numkeys_finder(0, 2, 3),
    summary="Removes and answers members with the lowest or highest scores from the first "
    "non-empty sorted set of the keys given, waiting for one if there is none.",
    complexity="O(K) + O(M*log(N)) where K is the number of provided keys, N being the "
    "number of elements in the sorted set, and M being the number of elements popped.",
)
def bzmpop(client: Client, argv: list[bytes]) -> Any:
    request = parse_mpop(argv, 2)
    deadline = parse_timeout(argv[1], client.core.keyspace.now_ms)
    reply = _serve_bzmpop(client, request)
    if reply is not None:
        return reply
    return _block(client, request.keys, deadline, lambda: _serve_bzmpop(client, request))
