"""Stream commands outside consumer groups: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID.

Invariants (Valkey 8.0.1's t_stream.c):
* Every argument is parsed and validated before the key is looked at or changed,
  in Valkey's order, so a command line with several faults gets Valkey's error.
  The exceptions are Valkey's own: XDEL on a missing key answers 0 without
  parsing its IDs.
* Only XADD creates a stream key (unless NOMKSTREAM); no command here deletes
  one: a stream emptied by XDEL or trimming stays, with its ``last_id``,
  ``entries_added`` and groups.
* WATCH (``Database.touch``) is triggered once by a successful XADD (by
  ``Database.add`` when it creates the key), and by XDEL and XTRIM only when they
  removed something; XSETID does not trigger it. A successful XADD also marks the
  key ready for blocked readers.
* XRANGE and XLEN count keyspace hits and misses (a read lookup); the writers do
  not.
* Keyspace events (Valkey's): ``xadd`` after a successful XADD (after ``new`` for a
  key it creates), then ``xtrim`` when its trimming removed something; ``xdel`` and
  ``xtrim`` when those removed something; ``xsetid`` on success. XADD tests the
  notify setting once before calling ``notify`` (its hot path pays one test).
* Replies of entries are the stored RESP bytes (``Stream.range_array``): the
  same in RESP2 and RESP3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.stream import Stream
from ..engine.streamid import (
    MAX_ID,
    MIN_ID,
    parse_id,
    parse_ids,
    parse_range_end,
    parse_range_start,
)
from ..errors import (
    NO_SUCH_KEY,
    SYNTAX,
    XADD_ID_ZERO,
    XSETID_BELOW_GIVEN_MAX_DELETED,
    XSETID_BELOW_MAX_DELETED,
    XSETID_BELOW_TOP_ITEM,
    XSETID_ENTRIES_ADDED_NEGATIVE,
    XSETID_ENTRIES_ADDED_TOO_SMALL,
    CommandError,
    wrong_arity,
)
from ..events import STREAM
from ..replies import NULL_ARRAY, OK, RawReply
from .args import SMALL_INTS, option, parse_int
from .keys import lookup_read_typed
from .streamopts import TrimOptions, parse_trim_options
from .table import BeginIndex, FindRange, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

_EMPTY_ARRAY = RawReply(b"*0\r\n")
_COUNT_WORDS = frozenset((b"COUNT", b"count"))


def _node_limits(client: Client) -> tuple[int, int]:
    """The node shape in force now: (stream-node-max-entries, stream-node-max-bytes)."""
    values = client.core.config.values
    return values["stream-node-max-entries"], values["stream-node-max-bytes"]  # type: ignore[return-value]


# -- XADD ------------------------------------------------------------------------------


@command(
    "xadd",
    -5,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    tips="nondeterministic_output",
    key_specs=(
        key_spec(
            "RW update",
            BeginIndex(1),
            FindRange(0),
            notes="UPDATE instead of INSERT because of the optional trimming feature",
        ),
    ),
    summary="Appends an entry to a stream (creating it unless NOMKSTREAM) and may trim it.",
    complexity="O(1) when adding a new entry, O(N) when trimming where N being the number "
    "of entries evicted.",
)
def xadd(client: Client, argv: list[bytes]) -> Any:
    max_entries, max_bytes = _node_limits(client)
    options: TrimOptions | None = None
    if argv[2] == b"*":  # the usual form, no option and an automatic ID: nothing to parse
        pairs = argv[3:]
        explicit: int | None = None
        auto_seq = False
    else:
        options = parse_trim_options(argv, True, max_entries)
        pairs = argv[options.id_pos + 1 :]
        explicit, auto_seq = options.entry_id, options.auto_seq
    if not pairs or len(pairs) % 2:
        raise CommandError(wrong_arity("xadd"))
    if explicit == 0 and not auto_seq:
        raise CommandError(XADD_ID_ZERO)
    key = argv[1]
    db = client.db
    stream: Stream | None = db.lookup_typed(key, Stream)
    created = stream is None
    if stream is None:
        if options is not None and options.nomkstream:
            return None
        stream = Stream()
    keyspace = client.core.keyspace
    new_id = stream.next_id(keyspace.now_ms, explicit, auto_seq)
    text = stream.append(new_id, pairs, max_entries, max_bytes)
    if created:  # only now: a failed XADD leaves no key behind (adding touches WATCH)
        db.add(key, stream)
    elif keyspace.watched or keyspace.invalidate is not None:  # WATCH, client-side caching
        keyspace.touch(db.index, key)
    if keyspace.notify_flags:
        db.notify(STREAM, "xadd", key)
    if options is not None and options.trims and options.trim(stream):
        db.notify(STREAM, "xtrim", key)
    if keyspace.blocked_keys:
        keyspace.signal_ready(db.index, key)
    return text


# -- XRANGE, XREVRANGE, XLEN -----------------------------------------------------------


def _range(client: Client, argv: list[bytes], reverse: bool) -> Any:
    """XRANGE / XREVRANGE: bounds (low one first), COUNT, then the key."""
    low, high = (argv[3], argv[2]) if reverse else (argv[2], argv[3])
    # "-" and "+" (the usual bounds) without a call
    start = MIN_ID if low == b"-" else parse_range_start(low)
    end = MAX_ID if high == b"+" else parse_range_end(high)
    count = -1  # no COUNT
    j = 4
    if len(argv) == 6 and argv[4] in _COUNT_WORDS:  # the usual form, without a call
        count = SMALL_INTS.get(argv[5], -1)
        j = 6 if count >= 0 else 4
    while j < len(argv):
        if option(argv[j]) == b"count" and j + 1 < len(argv):
            count = max(parse_int(argv[j + 1]), 0)
            j += 2
        else:
            raise CommandError(SYNTAX)
    stream: Stream | None = lookup_read_typed(client, argv[1], Stream)
    if stream is None:
        return _EMPTY_ARRAY
    if count == 0:
        return NULL_ARRAY
    return RawReply(stream.range_array(start, end, max(count, 0), reverse)[1])


@command(
    "xrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    key_flags="RO access",
    summary="Answers the entries of a stream between two IDs, oldest first.",
    complexity="O(N) with N being the number of elements being returned. If N is constant "
    "(e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
)
def xrange(client: Client, argv: list[bytes]) -> Any:
    return _range(client, argv, reverse=False)


@command(
    "xrevrange",
    -4,
    "readonly",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    key_flags="RO access",
    summary="Answers the entries of a stream between two IDs, newest first.",
    complexity="O(N) with N being the number of elements returned. If N is constant "
    "(e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
)
def xrevrange(client: Client, argv: list[bytes]) -> Any:
    return _range(client, argv, reverse=True)


@command(
    "xlen",
    2,
    "readonly fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    key_flags="RO",
    summary="Answers the number of entries in a stream.",
)
def xlen(client: Client, argv: list[bytes]) -> Any:
    stream: Stream | None = lookup_read_typed(client, argv[1], Stream)
    return stream.length if stream is not None else 0


# -- XDEL, XTRIM -----------------------------------------------------------------------


@command(
    "xdel",
    -3,
    "write fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    key_flags="RW delete",
    summary="Removes entries from a stream by ID; answers how many existed.",
    complexity="O(1) for each single item to delete in the stream, regardless of the stream size.",
)
def xdel(client: Client, argv: list[bytes]) -> Any:
    key = argv[1]
    db = client.db
    stream: Stream | None = db.lookup_typed(key, Stream)
    if stream is None:
        return 0
    ids = parse_ids(argv[2:])
    removed = stream.delete_ids(ids)
    if removed:
        db.touch(key)
        db.notify(STREAM, "xdel", key)
    return removed


@command(
    "xtrim",
    -4,
    "write",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    tips="nondeterministic_output",
    key_flags="RW delete",
    summary="Removes a stream's oldest entries by length or by ID, exactly or by whole nodes.",
    complexity="O(N), with N being the number of evicted entries. Constant times are very "
    "small however, since entries are organized in macro nodes containing multiple entries "
    "that can be released with a single deallocation.",
)
def xtrim(client: Client, argv: list[bytes]) -> Any:
    max_entries, _ = _node_limits(client)
    options = parse_trim_options(argv, False, max_entries)
    key = argv[1]
    db = client.db
    stream: Stream | None = db.lookup_typed(key, Stream)
    if stream is None:
        return 0
    removed = options.trim(stream)
    if removed:
        db.touch(key)
        db.notify(STREAM, "xtrim", key)
    return removed


# -- XSETID ------------------------------------------------------------------------------


@command(
    "xsetid",
    -3,
    "write denyoom fast",
    keys=(1, 1, 1),
    group="stream",
    since="5.0.0",
    key_flags="RW update",
    summary="Sets a stream's last generated ID, and optionally its added and deleted counters.",
)
def xsetid(client: Client, argv: list[bytes]) -> Any:
    last_id = parse_id(argv[2], 0, strict=True)
    entries_added = -1
    max_deleted = 0
    j = 3
    while j < len(argv):
        name = option(argv[j])
        if name == b"entriesadded" and j + 1 < len(argv):
            entries_added = parse_int(argv[j + 1])
            if entries_added < 0:
                raise CommandError(XSETID_ENTRIES_ADDED_NEGATIVE)
        elif name == b"maxdeletedid" and j + 1 < len(argv):
            max_deleted = parse_id(argv[j + 1], 0, strict=True)
            if last_id < max_deleted:
                raise CommandError(XSETID_BELOW_GIVEN_MAX_DELETED)
        else:
            raise CommandError(SYNTAX)
        j += 2
    db = client.db
    stream: Stream | None = db.lookup_typed(argv[1], Stream)
    if stream is None:
        raise CommandError(NO_SUCH_KEY)
    if last_id < stream.max_deleted_id:
        raise CommandError(XSETID_BELOW_MAX_DELETED)
    if stream.length:
        if last_id < stream.last_live_id():
            raise CommandError(XSETID_BELOW_TOP_ITEM)
        if entries_added != -1 and entries_added < stream.length:
            raise CommandError(XSETID_ENTRIES_ADDED_TOO_SMALL)
    stream.last_id = last_id
    if entries_added != -1:
        stream.entries_added = entries_added
    if max_deleted:
        stream.max_deleted_id = max_deleted
    db.notify(STREAM, "xsetid", argv[1])
    return OK
