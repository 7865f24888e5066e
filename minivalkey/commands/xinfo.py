"""XINFO: introspection of streams, their consumer groups and consumers.

Subcommands: ``STREAM key [FULL [COUNT n]]``, ``GROUPS key``, ``CONSUMERS key
group`` and ``HELP``.

Invariants (Valkey 8.0.1's xinfoCommand):
* Every subcommand but HELP looks the key up first, as a read (counted as a
  keyspace hit or miss): a missing key answers ``ERR no such key`` and another
  type WRONGTYPE, before any option is checked. Option words are compared as C
  strings (up to a NUL byte), case-insensitively.
* Replies are maps (RESP3) or flat arrays (RESP2) with a fixed field order; groups
  and consumers are listed in byte order of their names.
* ``radix-tree-keys`` is the number of stream nodes and ``radix-tree-nodes`` the
  node count of Valkey's radix tree over their master IDs (see ``Stream``), so both
  follow the node layout exactly.
* Times come from the command time snapshot: ``idle`` is never negative,
  ``inactive`` is -1 for a consumer that was never active (and is not clamped).
* Nothing here changes any state.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from .. import errors
from ..engine.groups import Consumer, ConsumerGroup, PendingEntry, int64, lag
from ..engine.stream import Stream
from ..engine.streamid import MAX_ID, format_id
from ..errors import CommandError
from ..replies import Map, RawReply
from .args import option, parse_int
from .help import help_reply
from .keys import lookup_read_typed
from .table import container, subcommand

if TYPE_CHECKING:
    from ..session import Client

# XINFO STREAM FULL shows this many entries and pending entries unless COUNT says otherwise.
DEFAULT_FULL_COUNT = 10

XINFO = container(
    "xinfo",
    group="stream",
    since="5.0.0",
    summary="Groups the subcommands that describe streams, consumer groups and consumers.",
    acl="@slow",
)

_READ_ACL = "@read @stream @slow"


def _lookup_stream(client: Client, key: bytes) -> Stream:
    stream: Stream | None = lookup_read_typed(client, key, Stream)
    if stream is None:
        raise CommandError(errors.NO_SUCH_KEY)
    return stream


def _single_entry(entry: bytes | None) -> RawReply | None:
    return RawReply(entry) if entry is not None else None


def _limited(items: Iterator[Any], count: int) -> Iterator[Any]:
    """At most ``count`` items; 0 means all of them."""
    return islice(items, count) if count else items


def _entries_read(group: ConsumerGroup) -> int | None:
    return group.entries_read if group.entries_read != -1 else None


def _sorted_groups(stream: Stream) -> list[ConsumerGroup]:
    return [stream.groups[name] for name in sorted(stream.groups)]


# Valkey lists a container's subcommands (COMMAND INFO, COMMAND DOCS) in its hash
# table's order, which changes from one process to the next, so no order can match it;
# here they come in the order they are registered below.

# -- XINFO GROUPS / CONSUMERS ---------------------------------------------------------------


@subcommand(
    XINFO,
    "groups",
    3,
    "readonly",
    keys=(2, 2, 1),
    key_flags="RO access",
    acl=_READ_ACL,
    summary="Lists a stream's consumer groups with their pending counts, positions and lag.",
)
def xinfo_groups(client: Client, argv: list[bytes]) -> Any:
    stream = _lookup_stream(client, argv[2])
    return [
        Map(
            {
                b"name": group.name,
                b"consumers": len(group.consumers),
                b"pending": len(group.pending),
                b"last-delivered-id": format_id(group.last_id),
                b"entries-read": _entries_read(group),
                b"lag": lag(stream, group),
            }
        )
        for group in _sorted_groups(stream)
    ]


@subcommand(
    XINFO,
    "consumers",
    4,
    "readonly",
    keys=(2, 2, 1),
    key_flags="RO access",
    acl=_READ_ACL,
    tips="nondeterministic_output",
    summary="Lists the consumers of a group with their pending counts and idle times.",
)
def xinfo_consumers(client: Client, argv: list[bytes]) -> Any:
    stream = _lookup_stream(client, argv[2])
    group = stream.groups.get(argv[3])
    if group is None:
        raise CommandError(errors.no_such_consumer_group(argv[3], argv[2]))
    now = client.core.keyspace.now_ms
    return [
        Map(
            {
                b"name": consumer.name,
                b"pending": len(consumer.pending),
                b"idle": max(0, now - consumer.seen_time),
                b"inactive": now - consumer.active_time if consumer.active_time != -1 else -1,
            }
        )
        for consumer in group.sorted_consumers()
    ]


# -- XINFO STREAM -------------------------------------------------------------------------


def _parse_stream_options(argv: list[bytes]) -> tuple[bool, int]:
    """(full, count) from the arguments after the key: nothing, FULL, or FULL COUNT n."""
    options = argv[3:]
    if not options:
        return False, DEFAULT_FULL_COUNT
    if len(options) not in (1, 3) or option(options[0]) != b"full":
        raise CommandError(errors.subcommand_syntax_error(argv))
    count = DEFAULT_FULL_COUNT
    if len(options) == 3:
        if option(options[1]) != b"count":
            raise CommandError(errors.subcommand_syntax_error(argv))
        count = parse_int(options[2])
        if count < 0:  # a negative COUNT falls back to the default; 0 means no limit
            count = DEFAULT_FULL_COUNT
    return True, count


def _stream_header(stream: Stream) -> Map:
    """The fields the summary and FULL forms share, in their order."""
    return Map(
        {
            b"length": stream.length,
            b"radix-tree-keys": len(stream.keys),
            b"radix-tree-nodes": stream.radix_tree_nodes(),
            b"last-generated-id": format_id(stream.last_id),
            b"max-deleted-entry-id": format_id(stream.max_deleted_id),
            b"entries-added": int64(stream.entries_added),  # unsigned, shown signed
            b"recorded-first-entry-id": format_id(stream.first_id),
        }
    )


def _group_pending(group: ConsumerGroup, count: int) -> list[list[Any]]:
    pending: Iterator[tuple[int, PendingEntry]] = _limited(group.pending.range(), count)
    return [
        [
            format_id(stream_id),
            entry.consumer.name,
            entry.delivery_time,
            entry.delivery_count,
        ]
        for stream_id, entry in pending
    ]


def _consumer_full(consumer: Consumer, count: int) -> Map:
    pending: Iterator[tuple[int, PendingEntry]] = _limited(consumer.pending.range(), count)
    return Map(
        {
            b"name": consumer.name,
            b"seen-time": consumer.seen_time,
            b"active-time": consumer.active_time,
            b"pel-count": len(consumer.pending),
            b"pending": [
                [format_id(stream_id), entry.delivery_time, entry.delivery_count]
                for stream_id, entry in pending
            ],
        }
    )


def _group_full(stream: Stream, group: ConsumerGroup, count: int) -> Map:
    return Map(
        {
            b"name": group.name,
            b"last-delivered-id": format_id(group.last_id),
            b"entries-read": _entries_read(group),
            b"lag": lag(stream, group),
            b"pel-count": len(group.pending),
            b"pending": _group_pending(group, count),
            b"consumers": [
                _consumer_full(consumer, count) for consumer in group.sorted_consumers()
            ],
        }
    )


@subcommand(
    XINFO,
    "stream",
    -3,
    "readonly",
    keys=(2, 2, 1),
    key_flags="RO access",
    acl=_READ_ACL,
    summary="Describes a stream; FULL adds its entries, groups, consumers and pending entries.",
)
def xinfo_stream(client: Client, argv: list[bytes]) -> Any:
    stream = _lookup_stream(client, argv[2])
    full, count = _parse_stream_options(argv)
    reply = _stream_header(stream)
    if not full:
        reply[b"groups"] = len(stream.groups)
        reply[b"first-entry"] = _single_entry(stream.first_entry())
        reply[b"last-entry"] = _single_entry(stream.last_entry())
        return reply
    # Entries read the same in RESP2 and RESP3: the stored reply bytes are reused.
    reply[b"entries"] = RawReply(stream.range_array(0, MAX_ID, count)[1])
    reply[b"groups"] = [_group_full(stream, group, count) for group in _sorted_groups(stream)]
    return reply


# -- XINFO HELP -------------------------------------------------------------------------------

_XINFO_HELP = (
    "CONSUMERS <key> <groupname>",
    "    List the consumers of <groupname> with their pending entries and idle times.",
    "GROUPS <key>",
    "    List the consumer groups of the stream.",
    # The unbalanced bracket is how Valkey prints this line.
    "STREAM <key> [FULL [COUNT <count>]",
    "    Describe the stream; FULL adds its entries, groups and pending entries.",
)


@subcommand(
    XINFO,
    "help",
    2,
    "loading stale",
    acl="@stream @slow",
    summary="Lists the XINFO subcommands with a short description of each.",
)
def xinfo_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _XINFO_HELP)
