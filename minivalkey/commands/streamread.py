"""XREAD and XREADGROUP: reading streams, alone or as a consumer of a group.

A read happens in two steps, so that a blocking layer can repeat the second:

1. ``parse_read`` checks the whole command line and resolves it into a
   ``ReadRequest``: the keys, one concrete ID per key (``$`` already replaced by
   the stream's last ID, ``+`` by the ID just before it, ``>`` by ``NEW_ENTRIES``),
   COUNT, the BLOCK deadline, and for XREADGROUP the group, consumer and NOACK.
2. ``serve_read(client, request)`` checks the keys again (type, group), then
   serves every stream that has something and returns the reply, or ``None``
   when no stream could be served. Re-running it for the same request after a
   write is exactly what a woken reader does.

Invariants (Valkey 8.0.1's xreadCommand):
* Every argument error is raised before anything changes; errors about one
  stream (WRONGTYPE, NOGROUP, its ID) come in stream order, so a bad ID of the
  first stream wins over a wrong type of the second.
* XREAD serves a stream when its last live entry is after the given ID.
  XREADGROUP with ``>`` serves new entries after the group's last delivered ID
  (and moves it); with an ID it answers the consumer's own pending history,
  always including the stream, possibly with no entries.
* XREADGROUP creates the consumer of every listed stream and marks it seen,
  even when nothing is delivered.
* Replies: RESP2 an array of ``[key, entries]``, RESP3 a map from key to entries
  (a key listed twice appears twice); nothing served is the null array.
* Each key is looked up (and counted as a keyspace hit or miss) twice per
  command, once while parsing and once while serving, as Valkey does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..blocking import BlockOn
from ..engine.groups import ConsumerGroup
from ..engine.stream import Stream
from ..engine.streamid import MAX_ID, id_bulk, parse_id
from ..errors import CommandError
from ..events import STREAM
from ..replies import NULL_ARRAY, PairList, RawReply
from .args import INT64_MAX, c_bytes, option, parse_int
from .groups import CONSUMER_CREATED, entries_reply, required_group
from .keys import lookup_read_typed
from .table import BeginKeyword, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

NEW_ENTRIES = MAX_ID
"""The resolved ID of ``>``. Valkey marks ``>`` with the largest ID, so an XREADGROUP
given ``18446744073709551615-18446744073709551615`` explicitly reads new entries too."""


class ReadRequest:
    """One resolved XREAD / XREADGROUP: what to read, from where, for whom.

    ``ids[i]`` is the ID after which ``keys[i]`` is read (``NEW_ENTRIES`` for
    XREADGROUP's ``>``). ``count`` 0 means no limit. ``deadline_ms`` is ``None``
    without BLOCK, 0 to block forever, else the absolute time the wait ends.
    ``group`` is ``None`` for XREAD. Never changed once built (a plain slotted
    class: built several times faster than a frozen dataclass, on the hot path).
    """

    __slots__ = ("keys", "ids", "count", "deadline_ms", "group", "consumer", "noack")

    def __init__(
        self,
        keys: tuple[bytes, ...],
        ids: tuple[int, ...],
        count: int = 0,
        deadline_ms: int | None = None,
        group: bytes | None = None,
        consumer: bytes = b"",
        noack: bool = False,
    ) -> None:
        self.keys = keys
        self.ids = ids
        self.count = count
        self.deadline_ms = deadline_ms
        self.group = group
        self.consumer = consumer
        self.noack = noack


# -- parsing -----------------------------------------------------------------------


def _parse_timeout(raw: bytes, now_ms: int) -> int:
    """BLOCK's milliseconds as an absolute deadline (0: forever), Valkey's checks."""
    timeout = parse_int(raw, errors.TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if timeout > 0:
        if timeout > INT64_MAX - now_ms:
            raise CommandError(errors.TIMEOUT_OUT_OF_RANGE)
        timeout += now_ms
    return timeout


def _resolve_id(raw: bytes, stream: Stream | None, group_read: bool) -> int:
    """One stream's ID argument as a concrete ID to read after."""
    if raw[:1].isdigit():  # an ID (not "$", "+" or ">")
        return parse_id(raw, 0, strict=True)
    if raw == b">" and group_read:
        return NEW_ENTRIES
    text = c_bytes(raw)
    if text == b"$":
        if group_read:
            raise CommandError(errors.xreadgroup_meaningless_id("$"))
        return stream.last_id if stream is not None else 0
    if text == b"+":
        if group_read:
            raise CommandError(errors.xreadgroup_meaningless_id("+"))
        if stream is None:
            return 0
        if stream.last_id == 0:
            raise CommandError(errors.XREAD_LAST_ID_IS_ZERO)
        return stream.last_id - 1  # so that the last entry itself is read
    if text == b">":
        if not group_read:
            raise CommandError(errors.XREAD_GT_WITHOUT_GROUP)
        return NEW_ENTRIES
    return parse_id(raw, 0, strict=True)


def parse_read(client: Client, argv: list[bytes], group_read: bool) -> ReadRequest:
    """Check an XREAD / XREADGROUP line and resolve it (see the module docstring)."""
    now = client.core.keyspace.now_ms
    argc = len(argv)
    deadline: int | None = None
    count = 0
    streams_at = 0
    group: bytes | None = None
    consumer = b""
    noack = False
    index = 1
    while index < argc:
        more = argc - index - 1
        word = option(argv[index])
        if word == b"block" and more:
            index += 1
            deadline = _parse_timeout(argv[index], now)
        elif word == b"count" and more:
            index += 1
            count = max(parse_int(argv[index]), 0)
        elif word == b"streams" and more:
            streams_at = index + 1
            if (argc - streams_at) % 2:
                name, symbol = ("xreadgroup", ">") if group_read else ("xread", "$")
                raise CommandError(errors.unbalanced_streams(name, symbol))
            break
        elif word == b"group" and more >= 2:
            if not group_read:
                raise CommandError(errors.XREAD_GROUP_OPTION)
            group, consumer = argv[index + 1], argv[index + 2]
            index += 2
        elif word == b"noack":
            if not group_read:
                raise CommandError(errors.XREAD_NOACK_OPTION)
            noack = True
        else:
            raise CommandError(errors.SYNTAX)
        index += 1
    if not streams_at:
        raise CommandError(errors.SYNTAX)
    if group_read and group is None:
        raise CommandError(errors.XREADGROUP_MISSING_GROUP)
    half = (argc - streams_at) // 2
    keys = tuple(argv[streams_at : streams_at + half])
    ids: list[int] = []
    for index, key in enumerate(keys, streams_at + half):  # index: the key's ID argument
        stream, _ = _checked(client, key, group)
        ids.append(_resolve_id(argv[index], stream, group_read))
    return ReadRequest(keys, tuple(ids), count, deadline, group, consumer, noack)


# -- serving ---------------------------------------------------------------------------


def _history_reply(history: list[tuple[int, bytes | None]]) -> Any:
    """A consumer's history; a deleted entry is ``[id, null array]`` (protocol-specific)."""
    present = [entry for _, entry in history if entry is not None]
    if len(present) == len(history):
        return entries_reply(present)
    return [
        RawReply(entry) if entry is not None else [RawReply(id_bulk(stream_id)), NULL_ARRAY]
        for stream_id, entry in history
    ]


def serve_read(client: Client, request: ReadRequest) -> Any | None:
    """Serve ``request`` now: the reply, or ``None`` when no stream had anything.

    Keys are checked again first (a blocked reader re-runs this after writes that
    may have replaced or removed them), so an error still leaves no trace.
    """
    keys = request.keys
    if len(keys) == 1:  # the usual read, without the lists of the general case
        key = keys[0]
        stream, group = _checked(client, key, request.group)
        if stream is None:
            return None
        entries = _serve_stream(client, request, key, stream, group, request.ids[0])
        return PairList(((key, entries),)) if entries is not None else None
    targets = [_checked(client, key, request.group) for key in keys]
    served: list[tuple[bytes, Any]] = []
    for key, after, (stream, group) in zip(keys, request.ids, targets, strict=True):
        if stream is not None:
            entries = _serve_stream(client, request, key, stream, group, after)
            if entries is not None:
                served.append((key, entries))
    return PairList(served) if served else None


def _checked(
    client: Client, key: bytes, group_name: bytes | None
) -> tuple[Stream | None, ConsumerGroup | None]:
    """The stream at ``key`` (WRONGTYPE otherwise) and, for XREADGROUP, its group (NOGROUP)."""
    stream: Stream | None = lookup_read_typed(client, key, Stream)
    if group_name is None:
        return stream, None
    return stream, required_group(stream, key, group_name, errors.XREADGROUP_NOGROUP_SUFFIX)


def _serve_stream(
    client: Client,
    request: ReadRequest,
    key: bytes,
    stream: Stream,
    group: ConsumerGroup | None,
    after: int,
) -> Any | None:
    """What ``request`` reads from one stream (checked already), or ``None`` if nothing."""
    if group is None:
        if stream.length and stream.last_live_id() > after:
            return RawReply(stream.range_array(after + 1, MAX_ID, request.count)[1])
        return None
    now = client.core.keyspace.now_ms
    consumer, created = group.consumer_seen(request.consumer, now)
    if created:
        client.db.notify(STREAM, CONSUMER_CREATED, key)
    if after == NEW_ENTRIES:
        ids, entries = group.deliver_new(stream, consumer, request.count, request.noack, now)
        return RawReply(entries) if ids else None
    history = group.history(stream, consumer, after, request.count, now)
    return _history_reply(history)


def _read(client: Client, argv: list[bytes], group_read: bool) -> Any:
    request = parse_read(client, argv, group_read)
    reply = serve_read(client, request)
    if reply is not None:
        return reply
    if request.deadline_ms is None:
        return NULL_ARRAY  # no BLOCK
    # Wait until a write makes one of the keys ready, then run ``serve_read`` again
    # with the same resolved IDs (``$`` stays the last ID of the moment we blocked).
    # XREADGROUP also wakes when a key is deleted or replaced, to answer NOGROUP.
    db_index = client.db_index
    return BlockOn(
        keys=[(db_index, key) for key in request.keys],
        deadline_ms=request.deadline_ms,
        unblock_on_nokey=group_read,
        retry=lambda: serve_again(client, request),
        value_type=Stream,
        idle=lambda: nothing_to_serve(client, request),
    )


def serve_again(client: Client, request: ReadRequest) -> Any | None:
    """A woken reader's re-run. Valkey runs the whole command again, whose first pass
    looks every key up (and checks it) before the serving pass; with several keys a
    missing one shows as a second ``keymiss`` (and miss), so that pass is made here too.
    With one key the serving pass's own check is all it takes."""
    if len(request.keys) > 1:
        for key in request.keys:
            _checked(client, key, request.group)
    return serve_read(client, request)


def nothing_to_serve(client: Client, request: ReadRequest) -> bool:
    """True when ``serve_read`` would certainly serve nothing and raise nothing.

    A woken reader is checked with this before its read is re-run, so that many
    readers waiting on one busy stream cost a comparison each instead of a read.
    Anything unusual (a key gone or of another type, a missing group) answers
    False: the full re-run then produces Valkey's reply or error. For XREADGROUP
    the re-run's one lasting side effect, the consumer's seen-time, is applied.
    """
    data = client.db.data
    groups: list[tuple[bytes, ConsumerGroup]] = []
    for key, after in zip(request.keys, request.ids, strict=True):
        stream = data.get(key)
        if type(stream) is not Stream or client.db.is_expired(key):
            return False
        if request.group is None:
            if stream.length and stream.last_live_id() > after:
                return False
            continue
        group = stream.groups.get(request.group)
        if group is None or after != NEW_ENTRIES:
            return False
        if stream.length and stream.last_live_id() > group.last_id:
            return False
        groups.append((key, group))
    now = client.core.keyspace.now_ms
    for key, group in groups:
        if group.consumer_seen(request.consumer, now)[1]:  # deleted while it waited
            client.db.notify(STREAM, CONSUMER_CREATED, key)
    return True


# -- COMMAND GETKEYS -----------------------------------------------------------------


def read_keys(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """The keys of an XREAD / XREADGROUP line when the key spec cannot say (Valkey's
    xreadGetKeys): options are skipped up to STREAMS, and the keys are the first half
    of what follows; nothing when the list is missing or unbalanced."""
    argc = len(argv)
    streams_at = -1
    index = 1
    while index < argc:
        word = option(argv[index])
        if word in (b"block", b"count"):
            index += 2
        elif word == b"group":
            index += 3
        elif word == b"noack":
            index += 1
        else:
            if word == b"streams":
                streams_at = index
            break
    remaining = argc - streams_at - 1 if streams_at >= 0 else 0
    if remaining == 0 or remaining % 2:
        return []
    first = streams_at + 1
    return [(position, ()) for position in range(first, first + remaining // 2)]


# -- the commands ----------------------------------------------------------------------


@command(
    "xread",
    -4,
    "readonly blocking",
    group="stream",
    since="5.0.0",
    acl="@stream",
    summary="Reads the entries after the given IDs from one or more streams, optionally "
    "waiting for new ones.",
    complexity="O(M) for each stream read, M being the number of entries returned",
    key_specs=(key_spec("RO access", BeginKeyword("STREAMS", 1), FindRange(-1, 1, 2)),),
    getkeys=read_keys,
)
def xread(client: Client, argv: list[bytes]) -> Any:
    return _read(client, argv, group_read=False)


@command(
    "xreadgroup",
    -7,
    "write blocking",
    group="stream",
    since="5.0.0",
    acl="@stream",
    summary="Reads new entries for a consumer of a group, or the entries it has pending, "
    "optionally waiting for new ones.",
    complexity="O(M) for each stream read, M being the number of entries returned",
    key_specs=(key_spec("RO access", BeginKeyword("STREAMS", 4), FindRange(-1, 1, 2)),),
    getkeys=read_keys,
)
def xreadgroup(client: Client, argv: list[bytes]) -> Any:
    return _read(client, argv, group_read=True)
