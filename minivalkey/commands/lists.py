"""List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LINDEX, LRANGE, LSET,
LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP.

Also what the blocking pops (``listblock``) share with them: ``pop_from_keys`` (the
first non-empty list of several keys), ``move`` (LMOVE's pop and push) and
``parse_mpop`` (LMPOP's arguments).

Invariants (Valkey 8.0.1's t_list.c):
* Arguments are checked in Valkey's order, and all of them before the first change;
  the one exception is Valkey's own: LSET and LINSERT convert a listpack that the
  new element would outgrow before looking for the index or the pivot, so an LSET
  out of range may leave a quicklist behind, as it does on Valkey.
* A list emptied by a command is deleted (``del`` event of class GENERIC after the
  command's own event); a list that shrank is offered the conversion back to
  listpack (``List.shrink``) under the current ``list-max-listpack-size``.
* Every change touches the key for WATCH after its event, where Valkey calls
  signalModifiedKey; a push onto an existing list marks it ready for blocked
  clients (a new list is signalled by ``Database.add``).
* LSET reads its index as a signed 64-bit integer and then keeps only the low 32
  bits, as Valkey's int parameter does.
* Reads that reply (LLEN, LINDEX, LRANGE, LPOS) count keyspace hits and misses;
  the lookups of writers (pushes, pops, LSET...) do not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.lists import QUICKLIST, List
from ..engine.strings import is_integer_text
from ..errors import (
    NO_SUCH_KEY,
    NOT_INTEGER,
    SYNTAX,
    CommandError,
    value_out_of_range,
    wrong_arity,
)
from ..events import GENERIC, LIST
from ..replies import NULL_ARRAY, OK
from .args import INT64_MAX, option, parse_int_or_none
from .keys import lookup_read_typed
from .table import BeginIndex, FindKeynum, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
INDEX_OUT_OF_RANGE = "ERR index out of range"
RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    "or use negative to start from the end of the list"
)
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"
NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0"
MPOP_COUNT_NOT_POSITIVE = "ERR count should be greater than 0"


# -- shared helpers ---------------------------------------------------------------------


def parse_long(raw: bytes, low: int, high: int, error: str | None = None) -> int:
    """Valkey's getRangeLongFromObjectOrReply: ``error`` (when given) for a bad integer
    and for one out of range alike; without it, Valkey's two generic texts."""
    value = parse_int_or_none(raw)
    if value is None:
        raise CommandError(error or NOT_INTEGER)
    if value < low or value > high:
        raise CommandError(error or value_out_of_range(low, high))
    return value


def parse_index(raw: bytes) -> int:
    value = parse_int_or_none(raw)
    if value is None:
        raise CommandError(NOT_INTEGER)
    return value


def parse_end(raw: bytes) -> bool:
    """LEFT (the head: True) or RIGHT (the tail: False), compared as strcasecmp."""
    word = option(raw)
    if word == b"left":
        return True
    if word == b"right":
        return False
    raise CommandError(SYNTAX)


def list_limits(client: Client) -> tuple[int, int]:
    """``list-max-listpack-size`` and ``list-compress-depth``, as now configured."""
    config = client.core.config
    return config.get_int("list-max-listpack-size"), config.get_int("list-compress-depth")


def write_lookup(client: Client, key: bytes) -> List | None:
    """The list at ``key`` for a writer (no hit/miss counted), WRONGTYPE otherwise."""
    value: List | None = client.db.lookup_typed(key, List)
    return value


def push_onto(
    client: Client,
    key: bytes,
    value: List | None,
    elements: list[bytes],
    head: bool,
    counted_bytes: int | None = None,
) -> List:
    """Push ``elements`` one by one onto the list at ``key`` (created when ``value`` is
    None), with the conversion check first, then the WATCH touch and the event.

    ``counted_bytes`` is what the conversion check adds for the elements (their
    length unless given: an integer popped from a quicklist counts none in Valkey)."""
    db = client.db
    if value is None:
        value = List()
        db.add(key, value)
    else:
        client.core.keyspace.signal_ready(db.index, key)
    fill, depth = list_limits(client)
    added = sum(map(len, elements)) if counted_bytes is None else counted_bytes
    value.grow(added, len(elements), fill, depth)
    for element in elements:
        value.push(element, head)
    db.touch(key)
    db.notify(LIST, "lpush" if head else "rpush", key)
    return value


def elements_removed(client: Client, key: bytes, value: List, head: bool) -> None:
    """After a pop (Valkey's listElementsRemoved): the event, the deletion of an
    emptied list or the shrinking check, and the WATCH touch."""
    db = client.db
    db.notify(LIST, "lpop" if head else "rpop", key)
    if not value.count:
        db.delete(key)
        db.notify(GENERIC, "del", key)
    else:
        value.shrink(list_limits(client)[0])
    db.touch(key)


def pop_from_keys(
    client: Client, keys: list[bytes], head: bool, count: int | None
) -> list[Any] | None:
    """The first list among ``keys`` (missing keys are skipped, another type answers
    WRONGTYPE) gives ``[key, element]``, or with ``count`` ``[key, [elements...]]``;
    None when every key is missing."""
    for key in keys:
        value = write_lookup(client, key)
        if value is None:
            continue
        if count is None:
            element = value.pop(head)
            elements_removed(client, key, value, head)
            return [key, element]
        elements = value.pop_many(head, count)
        elements_removed(client, key, value, head)
        return [key, elements]
    return None


def move(client: Client, source: bytes, destination: bytes, from_head: bool, to_head: bool) -> Any:
    """LMOVE: pop from ``source``, push onto ``destination``; the element, or None when
    ``source`` is missing. Both keys are type-checked before anything moves."""
    src = write_lookup(client, source)
    if src is None:
        return None
    dst = write_lookup(client, destination)
    from_quicklist = src.encoding == QUICKLIST
    element = src.pop(from_head)
    # Valkey pops an integer out of a quicklist as an integer object, whose length the
    # destination's conversion check does not count.
    counted = 0 if from_quicklist and is_integer_text(element) else len(element)
    push_onto(client, destination, dst, [element], to_head, counted)
    elements_removed(client, source, src, from_head)
    return element


def parse_mpop(argv: list[bytes], numkeys_at: int) -> tuple[list[bytes], bool, int]:
    """LMPOP / BLMPOP after their fixed part: the keys, the end, COUNT (1 by default)."""
    numkeys = parse_long(argv[numkeys_at], 1, INT64_MAX, NUMKEYS_NOT_POSITIVE)
    where_at = numkeys_at + numkeys + 1
    if where_at >= len(argv):
        raise CommandError(SYNTAX)
    head = parse_end(argv[where_at])
    count = -1
    index = where_at + 1
    while index < len(argv):
        if count == -1 and option(argv[index]) == b"count" and index + 1 < len(argv):
            index += 1
            count = parse_long(argv[index], 1, INT64_MAX, MPOP_COUNT_NOT_POSITIVE)
        else:
            raise CommandError(SYNTAX)
        index += 1
    return argv[numkeys_at + 1 : where_at], head, 1 if count == -1 else count


# -- pushes ---------------------------------------------------------------------------------


def _push(client: Client, argv: list[bytes], head: bool, only_existing: bool) -> int:
    key = argv[1]
    value = write_lookup(client, key)
    if value is None and only_existing:
        client.core.count_changes(0)
        return 0
    length = push_onto(client, key, value, argv[2:], head).count
    client.core.count_changes(len(argv) - 2)
    return length


_PUSH: dict[str, Any] = dict(
    flags="write denyoom fast",
    group="list",
    acl="@list",
    complexity="O(1) for each element pushed",
    keys=(1, 1, 1),
    key_specs=(key_spec("RW insert", BeginIndex(1), FindRange(0)),),
)


@command("lpush", -3, **_PUSH, summary="Adds elements at the head of a list, creating it.")
def lpush(client: Client, argv: list[bytes]) -> Any:
    return _push(client, argv, head=True, only_existing=False)


@command("rpush", -3, **_PUSH, summary="Adds elements at the tail of a list, creating it.")
def rpush(client: Client, argv: list[bytes]) -> Any:
    return _push(client, argv, head=False, only_existing=False)


@command(
    "lpushx",
    -3,
    **_PUSH,
    since="2.2.0",
    summary="Adds elements at the head of a list, only when the list exists.",
)
def lpushx(client: Client, argv: list[bytes]) -> Any:
    return _push(client, argv, head=True, only_existing=True)


@command(
    "rpushx",
    -3,
    **_PUSH,
    since="2.2.0",
    summary="Adds elements at the tail of a list, only when the list exists.",
)
def rpushx(client: Client, argv: list[bytes]) -> Any:
    return _push(client, argv, head=False, only_existing=True)


# -- pops ---------------------------------------------------------------------------------


def _pop(client: Client, argv: list[bytes], head: bool) -> Any:
    if len(argv) > 3:
        raise CommandError(wrong_arity("lpop" if head else "rpop"))
    with_count = len(argv) == 3
    count = parse_long(argv[2], 0, INT64_MAX, MUST_BE_POSITIVE) if with_count else 0
    key = argv[1]
    value = write_lookup(client, key)
    if value is None or with_count and not count:
        client.core.count_changes(0)
        if value is None:
            return NULL_ARRAY if with_count else None
        return []
    if not with_count:
        element = value.pop(head)
        elements_removed(client, key, value, head)
        return element
    elements = value.pop_many(head, count)
    elements_removed(client, key, value, head)
    client.core.count_changes(len(elements))
    return elements


_POP: dict[str, Any] = dict(
    flags="write fast",
    group="list",
    acl="@list",
    complexity="O(N) where N is the number of elements popped",
    keys=(1, 1, 1),
    key_specs=(key_spec("RW access delete", BeginIndex(1), FindRange(0)),),
)


@command("lpop", -2, **_POP, summary="Removes and answers the first elements of a list.")
def lpop(client: Client, argv: list[bytes]) -> Any:
    return _pop(client, argv, head=True)


@command("rpop", -2, **_POP, summary="Removes and answers the last elements of a list.")
def rpop(client: Client, argv: list[bytes]) -> Any:
    return _pop(client, argv, head=False)


@command(
    "lmpop",
    -4,
    "write",
    group="list",
    since="7.0.0",
    acl="@list",
    summary="Pops elements from the first non-empty list among several keys.",
    complexity="O(N+M) where N is the number of keys given and M the number of elements popped",
    key_specs=(key_spec("RW access delete", BeginIndex(1), FindKeynum(0, 1, 1)),),
)
def lmpop(client: Client, argv: list[bytes]) -> Any:
    keys, head, count = parse_mpop(argv, 1)
    reply = pop_from_keys(client, keys, head, count)
    return NULL_ARRAY if reply is None else reply


# -- reads ----------------------------------------------------------------------------------


@command(
    "llen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="list",
    acl="@list",
    key_flags="RO",
    summary="Answers the number of elements of a list.",
)
def llen(client: Client, argv: list[bytes]) -> Any:
    value: List | None = lookup_read_typed(client, argv[1], List)
    return 0 if value is None else value.count


@command(
    "lindex",
    3,
    "readonly",
    keys=(1, 1, 1),
    group="list",
    acl="@list",
    key_flags="RO access",
    summary="Answers the element at an index of a list (negative indexes count from the tail).",
    complexity="O(N) where N is the distance from the nearer end to the index",
)
def lindex(client: Client, argv: list[bytes]) -> Any:
    value: List | None = lookup_read_typed(client, argv[1], List)
    if value is None:
        return None
    return value.index(parse_index(argv[2]))


@command(
    "lrange",
    4,
    "readonly",
    keys=(1, 1, 1),
    group="list",
    acl="@list",
    key_flags="RO access",
    summary="Answers the elements of a list between two indexes (both included).",
    complexity="O(S+N) where S is the distance to the start index and N the number of "
    "elements answered",
)
def lrange(client: Client, argv: list[bytes]) -> Any:
    start, end = parse_index(argv[2]), parse_index(argv[3])
    value: List | None = lookup_read_typed(client, argv[1], List)
    if value is None:
        return []
    return value.range(start, end)


@command(
    "lpos",
    -3,
    "readonly",
    keys=(1, 1, 1),
    group="list",
    since="6.0.6",
    acl="@list",
    key_flags="RO access",
    summary="Answers the indexes of the elements of a list equal to a value.",
    complexity="O(N) where N is the number of elements scanned",
)
def lpos(client: Client, argv: list[bytes]) -> Any:
    rank, count, maxlen = 1, -1, 0
    index = 3
    while index < len(argv):
        word = option(argv[index])
        more = index + 1 < len(argv)
        if word == b"rank" and more:
            index += 1
            rank = parse_long(argv[index], -INT64_MAX, INT64_MAX)
            if rank == 0:
                raise CommandError(RANK_ZERO)
        elif word == b"count" and more:
            index += 1
            count = parse_long(argv[index], 0, INT64_MAX, COUNT_NEGATIVE)
        elif word == b"maxlen" and more:
            index += 1
            maxlen = parse_long(argv[index], 0, INT64_MAX, MAXLEN_NEGATIVE)
        else:
            raise CommandError(SYNTAX)
        index += 1
    value: List | None = lookup_read_typed(client, argv[1], List)
    if value is None:
        return [] if count != -1 else None
    found = value.positions(argv[2], rank, count, maxlen)
    if count != -1:
        return found
    return found[0] if found else None


# -- changes in place ---------------------------------------------------------------------


@command(
    "lset",
    4,
    "write denyoom",
    keys=(1, 1, 1),
    group="list",
    acl="@list",
    key_flags="RW update",
    summary="Replaces the element at an index of a list.",
    complexity="O(N) where N is the distance from the nearer end to the index",
)
def lset(client: Client, argv: list[bytes]) -> Any:
    key, element = argv[1], argv[3]
    value = write_lookup(client, key)
    if value is None:
        raise CommandError(NO_SUCH_KEY)
    # Valkey hands the index on as a C int: only its low 32 bits count, so 4294967296
    # is 0 and 9223372036854775807 is -1.
    index = (parse_index(argv[2]) + 2**31) % 2**32 - 2**31
    fill, depth = list_limits(client)
    value.grow(len(element), 1, fill, depth)
    if not value.replace(index, element):
        raise CommandError(INDEX_OUT_OF_RANGE)
    value.shrink(fill)
    client.db.touch(key)
    client.db.notify(LIST, "lset", key)
    return OK


@command(
    "linsert",
    5,
    "write denyoom",
    keys=(1, 1, 1),
    group="list",
    since="2.2.0",
    acl="@list",
    key_flags="RW insert",
    summary="Inserts an element before or after the first occurrence of a pivot in a list.",
    complexity="O(N) where N is the number of elements before the pivot",
)
def linsert(client: Client, argv: list[bytes]) -> Any:
    word = option(argv[2])
    if word not in (b"after", b"before"):
        raise CommandError(SYNTAX)
    key = argv[1]
    value = write_lookup(client, key)
    if value is None:
        return 0
    fill, depth = list_limits(client)
    value.grow(len(argv[4]), 1, fill, depth)
    if not value.insert(argv[3], argv[4], after=word == b"after"):
        return -1
    client.db.touch(key)
    client.db.notify(LIST, "linsert", key)
    return value.count


def _after_removal(client: Client, key: bytes, value: List, event: str) -> None:
    db = client.db
    db.notify(LIST, event, key)
    if not value.count:
        db.delete(key)
        db.notify(GENERIC, "del", key)
    else:
        value.shrink(list_limits(client)[0])
    db.touch(key)


@command(
    "lrem",
    4,
    "write",
    keys=(1, 1, 1),
    group="list",
    acl="@list",
    key_flags="RW delete",
    summary="Removes elements equal to a value from a list (from the head, the tail, or all).",
    complexity="O(N+M) where N is the length of the list and M the number of elements removed",
)
def lrem(client: Client, argv: list[bytes]) -> Any:
    count = parse_long(argv[2], -INT64_MAX, INT64_MAX)
    key = argv[1]
    value = write_lookup(client, key)
    if value is None:
        return 0
    removed = value.remove(argv[3], count)
    if removed:
        _after_removal(client, key, value, "lrem")
    return removed


@command(
    "ltrim",
    4,
    "write",
    keys=(1, 1, 1),
    group="list",
    acl="@list",
    key_flags="RW delete",
    summary="Keeps only the elements of a list between two indexes (both included).",
    complexity="O(N) where N is the number of elements removed",
)
def ltrim(client: Client, argv: list[bytes]) -> Any:
    start, end = parse_index(argv[2]), parse_index(argv[3])
    key = argv[1]
    value = write_lookup(client, key)
    if value is None:
        return OK
    value.trim(start, end)
    _after_removal(client, key, value, "ltrim")
    return OK


# -- moves ----------------------------------------------------------------------------------

_MOVE_KEYS = (
    key_spec("RW access delete", BeginIndex(1), FindRange(0)),
    key_spec("RW insert", BeginIndex(2), FindRange(0)),
)


@command(
    "lmove",
    5,
    "write denyoom",
    group="list",
    since="6.2.0",
    acl="@list",
    keys=(1, 2, 1),
    key_specs=_MOVE_KEYS,
    summary="Pops an element from one end of a list and pushes it onto an end of another.",
)
def lmove(client: Client, argv: list[bytes]) -> Any:
    from_head, to_head = parse_end(argv[3]), parse_end(argv[4])
    return _counted_move(client, argv[1], argv[2], from_head, to_head)


def _counted_move(
    client: Client, source: bytes, destination: bytes, from_head: bool, to_head: bool
) -> Any:
    moved = move(client, source, destination, from_head, to_head)
    if moved is None:  # no source list: nothing changed
        client.core.count_changes(0)
    return moved


@command(
    "rpoplpush",
    3,
    "write denyoom",
    group="list",
    since="1.2.0",
    acl="@list",
    keys=(1, 2, 1),
    key_specs=_MOVE_KEYS,
    summary="Pops the last element of a list and pushes it at the head of another "
    "(LMOVE RIGHT LEFT).",
)
def rpoplpush(client: Client, argv: list[bytes]) -> Any:
    return _counted_move(client, argv[1], argv[2], from_head=False, to_head=True)
