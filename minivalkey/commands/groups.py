"""Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
DELCONSUMER, HELP), XACK, XPENDING, XCLAIM and XAUTOCLAIM.

The group model and the claiming rules live in ``engine.groups``; these handlers
parse, validate and shape replies.

Invariants (Valkey 8.0.1's t_stream.c):
* Every argument is checked, in Valkey's order, before the first change: an
  error leaves no consumer created, no ID acknowledged, no group moved.
* XGROUP subcommands share one prologue: options (MKSTREAM, ENTRIESREAD), then
  the key (WRONGTYPE; must exist unless MKSTREAM), then the group where the
  subcommand needs it, and only then the subcommand's own argument count.
* Only XGROUP CREATE ... MKSTREAM creates a key (WATCH sees it, blocked readers
  are signalled); XGROUP DESTROY signals blocked readers so that a waiting
  XREADGROUP learns its group is gone. Nothing else here touches WATCH.
* Consumers are created by CREATECONSUMER and implicitly by XCLAIM and
  XAUTOCLAIM (after validation, even when nothing is claimed), which also mark
  them seen; claiming something marks them active.
* Names of keys, groups and consumers are arbitrary bytes compared exactly.
* Keyspace events (Valkey's): ``xgroup-create`` (after ``new`` with MKSTREAM),
  ``xgroup-setid``, ``xgroup-destroy`` and ``xgroup-delconsumer`` when they change
  something, ``xgroup-createconsumer`` whenever a consumer is created (CREATECONSUMER,
  XCLAIM, XAUTOCLAIM, and XREADGROUP in ``streamread``); XACK and the claims' own
  changes publish nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import errors
from ..engine.groups import ClaimRequest, ConsumerGroup
from ..engine.stream import Stream
from ..engine.streamid import (
    format_id,
    id_bulk,
    parse_id,
    parse_ids,
    parse_range_end,
    parse_range_start,
)
from ..errors import CommandError
from ..events import STREAM
from ..replies import NULL_ARRAY, OK, RawReply
from .args import c_bytes, option, parse_int, parse_int_or_none
from .help import help_reply
from .keys import lookup_read, lookup_read_typed
from .table import command, container, subcommand

if TYPE_CHECKING:
    from ..session import Client

# XAUTOCLAIM's COUNT limit: Valkey allocates COUNT 16-byte IDs, so it caps COUNT
# at LONG_MAX / 16.
XAUTOCLAIM_MAX_COUNT = (2**63 - 1) // 16
XAUTOCLAIM_DEFAULT_COUNT = 100

_WRITE_ACL = "@write @stream @slow"
# The keyspace event of a consumer created by XGROUP CREATECONSUMER, XREADGROUP, XCLAIM
# or XAUTOCLAIM alike.
CONSUMER_CREATED = "xgroup-createconsumer"


# -- shared helpers (XREADGROUP uses them too) -------------------------------------


def required_group(
    stream: Stream | None, key: bytes, name: bytes, suffix: str = ""
) -> ConsumerGroup:
    """The group a command works on; NOGROUP when the key or the group is missing.

    XPENDING, XCLAIM and XAUTOCLAIM word the error plainly; XREADGROUP passes a
    ``suffix`` naming its GROUP option.
    """
    group = stream.groups.get(name) if stream is not None else None
    if group is None:
        raise CommandError(errors.no_such_key_or_group(key, name, suffix))
    return group


def entries_reply(items: Sequence[bytes]) -> RawReply:
    """An array of encoded items (entries, or ID bulk strings): the same in RESP2 and RESP3."""
    return RawReply(b"*%d\r\n" % len(items) + b"".join(items))


def _is_dollar(raw: bytes) -> bool:
    """``$`` as Valkey's strcmp sees it (the bytes before a NUL)."""
    return c_bytes(raw) == b"$"


def _strict_id_or_none(raw: bytes) -> int | None:
    try:
        return parse_id(raw, 0, strict=True)
    except CommandError:
        return None


# -- XGROUP -------------------------------------------------------------------------

XGROUP = container(
    "xgroup",
    group="stream",
    since="5.0.0",
    summary="Groups the subcommands that manage consumer groups and their consumers.",
    acl="@slow",
)


@dataclass
class _XGroupTarget:
    """What the XGROUP prologue found: the stream (``None`` only with MKSTREAM), the group
    (``None`` when absent), and the parsed options."""

    stream: Stream | None
    group: ConsumerGroup | None
    mkstream: bool
    entries_read: int


_NEEDS_GROUP = (b"setid", b"createconsumer", b"delconsumer")


def _xgroup_target(client: Client, argv: list[bytes]) -> _XGroupTarget:
    """The checks every XGROUP subcommand with a key makes first, in Valkey's order."""
    subcommand_name = option(argv[1])
    create = subcommand_name == b"create"
    setid = subcommand_name == b"setid"
    mkstream = False
    entries_read = -1
    argc = len(argv)
    index = 5
    while index < argc:
        word = option(argv[index])
        if create and word == b"mkstream":
            mkstream = True
            index += 1
        elif (create or setid) and word == b"entriesread" and index + 1 < argc:
            entries_read = parse_int(argv[index + 1])
            if entries_read < -1:
                raise CommandError(errors.ENTRIESREAD_INVALID)
            index += 2
        else:
            raise CommandError(errors.subcommand_syntax_error(argv))
    key, name = argv[2], argv[3]
    stream: Stream | None = client.db.lookup_typed(key, Stream)
    group = stream.groups.get(name) if stream is not None else None
    if not mkstream:
        if stream is None:
            raise CommandError(errors.XGROUP_KEY_REQUIRED)
        if group is None and subcommand_name in _NEEDS_GROUP:
            raise CommandError(errors.no_such_consumer_group(name, key))
    return _XGroupTarget(stream, group, mkstream, entries_read)


@subcommand(
    XGROUP,
    "create",
    -5,
    "write denyoom",
    keys=(2, 2, 1),
    key_flags="RW insert",
    acl=_WRITE_ACL,
    summary="Creates a consumer group, and with MKSTREAM the stream too.",
)
def xgroup_create(client: Client, argv: list[bytes]) -> Any:
    target = _xgroup_target(client, argv)
    if not 5 <= len(argv) <= 8:
        raise CommandError(errors.subcommand_syntax_error(argv))
    stream = target.stream
    if _is_dollar(argv[4]):
        last_id = stream.last_id if stream is not None else 0
    else:
        last_id = parse_id(argv[4], 0, strict=True)
    key, name = argv[2], argv[3]
    if stream is None:
        stream = Stream()
        client.db.add(key, stream)
        client.core.keyspace.signal_ready(client.db_index, key)
    if name in stream.groups:
        raise CommandError(errors.BUSYGROUP)
    stream.groups[name] = ConsumerGroup(name, last_id, target.entries_read)
    client.db.notify(STREAM, "xgroup-create", key)
    return OK


@subcommand(
    XGROUP,
    "setid",
    -5,
    "write",
    keys=(2, 2, 1),
    key_flags="RW update",
    acl=_WRITE_ACL,
    summary="Moves a group's last delivered ID, and sets its count of entries read.",
)
def xgroup_setid(client: Client, argv: list[bytes]) -> Any:
    target = _xgroup_target(client, argv)
    if len(argv) not in (5, 7):
        raise CommandError(errors.subcommand_syntax_error(argv))
    stream, group = target.stream, target.group
    assert stream is not None and group is not None  # the prologue made sure
    # SETID takes ``-`` and ``+`` too (the non-strict parser), unlike CREATE.
    last_id = stream.last_id if _is_dollar(argv[4]) else parse_id(argv[4], 0, strict=False)
    group.last_id = last_id
    group.entries_read = target.entries_read
    client.db.notify(STREAM, "xgroup-setid", argv[2])
    return OK


@subcommand(
    XGROUP,
    "destroy",
    4,
    "write",
    keys=(2, 2, 1),
    key_flags="RW delete",
    acl=_WRITE_ACL,
    summary="Deletes a consumer group with its consumers and pending entries.",
    complexity="O(N) where N is the number of entries pending in the group",
)
def xgroup_destroy(client: Client, argv: list[bytes]) -> Any:
    target = _xgroup_target(client, argv)
    if target.group is None:
        return 0
    assert target.stream is not None
    del target.stream.groups[argv[3]]
    client.db.notify(STREAM, "xgroup-destroy", argv[2])
    # A reader blocked on this group must wake up to learn that it is gone.
    client.core.keyspace.signal_ready(client.db_index, argv[2])
    return 1


@subcommand(
    XGROUP,
    "createconsumer",
    5,
    "write denyoom",
    keys=(2, 2, 1),
    key_flags="RW insert",
    since="6.2.0",
    acl=_WRITE_ACL,
    summary="Adds a consumer to a group.",
)
def xgroup_createconsumer(client: Client, argv: list[bytes]) -> Any:
    group = _xgroup_target(client, argv).group
    assert group is not None
    _, created = group.get_or_create_consumer(argv[4], client.core.keyspace.now_ms)
    if created:
        client.db.notify(STREAM, CONSUMER_CREATED, argv[2])
    return 1 if created else 0


@subcommand(
    XGROUP,
    "delconsumer",
    5,
    "write",
    keys=(2, 2, 1),
    key_flags="RW delete",
    acl=_WRITE_ACL,
    summary="Removes a consumer from a group; its pending entries are dropped.",
)
def xgroup_delconsumer(client: Client, argv: list[bytes]) -> Any:
    group = _xgroup_target(client, argv).group
    assert group is not None
    if argv[4] not in group.consumers:
        return 0
    pending = group.delete_consumer(argv[4])
    client.db.notify(STREAM, "xgroup-delconsumer", argv[2])
    return pending


_XGROUP_HELP = (
    "CREATE <key> <groupname> <id|$> [option]",
    "    Make a consumer group that delivers the entries after <id>. Options:",
    "    * MKSTREAM",
    "      Start with an empty stream when the key is missing.",
    "    * ENTRIESREAD entries_read",
    "      Start the group's count of entries read at this value (used for lag).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Add a consumer to the group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove a consumer, dropping what it has pending.",
    "DESTROY <key> <groupname>",
    "    Delete the group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Move the group's last delivered ID and set its count of entries read.",
)


@subcommand(
    XGROUP,
    "help",
    2,
    "loading stale",
    acl="@stream @slow",
    summary="Lists the XGROUP subcommands with a short description of each.",
)
def xgroup_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _XGROUP_HELP)


# -- XACK ---------------------------------------------------------------------------


@command(
    "xack",
    -4,
    "write fast",
    keys=(1, 1, 1),
    key_flags="RW update",
    group="stream",
    since="5.0.0",
    acl="@stream",
    summary="Acknowledges entries pending in a consumer group, removing them from its PEL.",
    complexity="O(1) for each ID",
)
def xack(client: Client, argv: list[bytes]) -> Any:
    stream: Stream | None = lookup_read_typed(client, argv[1], Stream)
    group = stream.groups.get(argv[2]) if stream is not None else None
    if group is None:
        return 0  # nothing to acknowledge: the IDs are not even parsed
    ids = parse_ids(argv[3:])
    return group.acknowledge_all(ids)


# -- XPENDING -----------------------------------------------------------------------


@command(
    "xpending",
    -3,
    "readonly",
    keys=(1, 1, 1),
    key_flags="RO access",
    group="stream",
    since="5.0.0",
    acl="@stream",
    tips="nondeterministic_output",
    summary="Summarises a group's pending entries, or lists them with owner, idle time "
    "and delivery count.",
    complexity="O(N) for the N entries returned, plus the entries skipped by IDLE",
)
def xpending(client: Client, argv: list[bytes]) -> Any:
    argc = len(argv)
    if argc != 3 and not 6 <= argc <= 9:
        raise CommandError(errors.SYNTAX)
    min_idle = count = start = end = 0
    consumer_name: bytes | None = None
    if argc >= 6:
        at = 3
        if option(argv[3]) == b"idle":
            min_idle = parse_int(argv[4])
            if argc < 8:
                raise CommandError(errors.SYNTAX)
            at = 5
        count = max(parse_int(argv[at + 2]), 0)
        start = parse_range_start(argv[at])
        end = parse_range_end(argv[at + 1])
        if at + 3 < argc:
            consumer_name = argv[at + 3]  # anything after it is ignored, as in Valkey
    group = required_group(lookup_read_typed(client, argv[1], Stream), argv[1], argv[2])
    if argc == 3:
        return _pending_summary(group)
    consumer = None
    if consumer_name is not None:
        consumer = group.consumers.get(consumer_name)
        if consumer is None:
            return []
    now = client.core.keyspace.now_ms
    # Each row is [ID, consumer, idle, deliveries]: the same bytes in RESP2 and RESP3.
    rows = [b"*%d\r\n" % 0]
    for stream_id, entry in group.pending_range(start, end, count, min_idle, now, consumer):
        text = format_id(stream_id)
        name = entry.consumer.name
        idle = max(now - entry.delivery_time, 0)
        rows.append(_PENDING_ROW % (len(text), text, len(name), name, idle, entry.delivery_count))
    rows[0] = b"*%d\r\n" % (len(rows) - 1)
    return RawReply(b"".join(rows))


_PENDING_ROW = b"*4\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n:%d\r\n:%d\r\n"


def _pending_summary(group: ConsumerGroup) -> list[Any]:
    """XPENDING key group: count, smallest and largest ID, and pending per consumer."""
    first = group.pending.first_id()
    last = group.pending.last_id()
    if first is None or last is None:
        return [0, None, None, NULL_ARRAY]
    owners = [[name, b"%d" % pending] for name, pending in group.consumers_with_pending()]
    return [len(group.pending), format_id(first), format_id(last), owners]


# -- XCLAIM -------------------------------------------------------------------------


@command(
    "xclaim",
    -6,
    "write fast",
    keys=(1, 1, 1),
    key_flags="RW update",
    group="stream",
    since="5.0.0",
    acl="@stream",
    tips="nondeterministic_output",
    summary="Gives pending entries of a group to another consumer when idle long enough.",
    complexity="O(log N) for each ID, N being the size of the group's PEL",
)
def xclaim(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    stream: Stream | None = lookup_read_typed(client, key, Stream)
    group = required_group(stream, key, argv[2])
    assert stream is not None
    min_idle = max(parse_int(argv[4], errors.XCLAIM_MIN_IDLE), 0)
    argc = len(argv)
    ids: list[int] = []
    index = 5
    while index < argc:  # IDs run up to the first argument that is not one
        stream_id = _strict_id_or_none(argv[index])
        if stream_id is None:
            break
        ids.append(stream_id)
        index += 1
    now = client.core.keyspace.now_ms
    delivery_time: int | None = None
    retry_count = -1
    force = justid = False
    last_id = 0
    while index < argc:
        more = argc - 1 - index
        word = option(argv[index])
        if word == b"force":
            force = True
        elif word == b"justid":
            justid = True
        elif word == b"idle" and more:
            index += 1
            delivery_time = now - parse_int(argv[index], errors.XCLAIM_IDLE)
        elif word == b"time" and more:
            index += 1
            delivery_time = parse_int(argv[index], errors.XCLAIM_TIME)
        elif word == b"retrycount" and more:
            index += 1
            retry_count = parse_int(argv[index], errors.XCLAIM_RETRYCOUNT)
        elif word == b"lastid" and more:
            index += 1
            last_id = parse_id(argv[index], 0, strict=True)
        else:
            raise CommandError(errors.unrecognized_xclaim_option(argv[index]))
        index += 1
    # A delivery time in the future or before the epoch is taken as "now", not refused.
    if delivery_time is None or delivery_time < 0 or delivery_time > now:
        delivery_time = now
    group.advance_last_id(last_id)
    consumer, created = group.consumer_seen(argv[3], now)
    if created:
        client.db.notify(STREAM, CONSUMER_CREATED, key)
    request = ClaimRequest(min_idle, delivery_time, retry_count, force, justid)
    return entries_reply(group.claim(stream, consumer, ids, request, now))


# -- XAUTOCLAIM -----------------------------------------------------------------------


@command(
    "xautoclaim",
    -6,
    "write fast",
    keys=(1, 1, 1),
    key_flags="RW delete",
    group="stream",
    since="6.2.0",
    acl="@stream",
    tips="nondeterministic_output",
    summary="Scans a group's pending entries from a cursor and gives the idle ones to a consumer.",
    complexity="O(1) when COUNT is small",
)
def xautoclaim(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    # Valkey looks the key up before parsing anything but checks its type only after.
    stream = lookup_read(client, key)
    min_idle = max(parse_int(argv[4], errors.XAUTOCLAIM_MIN_IDLE), 0)
    start = parse_range_start(argv[5])
    count = XAUTOCLAIM_DEFAULT_COUNT
    justid = False
    argc = len(argv)
    index = 6
    while index < argc:
        more = argc - 1 - index
        word = option(argv[index])
        if word == b"count" and more:
            value = parse_int_or_none(argv[index + 1])
            if value is None or not 1 <= value <= XAUTOCLAIM_MAX_COUNT:
                raise CommandError(errors.XAUTOCLAIM_COUNT)
            count = value
            index += 1
        elif word == b"justid":
            justid = True
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    if stream is not None and type(stream) is not Stream:
        raise CommandError(errors.WRONGTYPE)
    group = required_group(stream, key, argv[2])
    assert stream is not None
    now = client.core.keyspace.now_ms
    consumer, created = group.consumer_seen(argv[3], now)
    if created:
        client.db.notify(STREAM, CONSUMER_CREATED, key)
    result = group.autoclaim(stream, consumer, start, count, min_idle, justid, now)
    claimed = entries_reply(result.claimed).data
    deleted = entries_reply([id_bulk(stream_id) for stream_id in result.deleted]).data
    return RawReply(b"*3\r\n" + id_bulk(result.cursor) + claimed + deleted)
