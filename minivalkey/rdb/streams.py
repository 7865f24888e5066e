"""Streams in RDB (type 21, RDB_TYPE_STREAM_LISTPACKS_3; types 15 and 19 load too).

Layout: the node count, then per node its master ID (16 bytes: ms and seq big
endian, as a string) and its listpack (as a string); the length, the last ID, the
first ID, the largest deleted ID (each two lengths: ms, seq) and entries-added;
the groups: name, last delivered ID, entries-read, the group PEL (per entry: the
ID as 16 raw bytes, the delivery time as int64 LE, the delivery count), and the
consumers (name, seen time, active time, and the IDs of their PEL). Type 19 has no
active times (they equal the seen times); type 15 has neither the first ID, the
largest deleted ID, entries-added nor the groups' entries-read (they are derived
as Valkey derives them).

A node's listpack is Valkey's: the master entry (live count, deleted count, the
master field count, the master fields, 0), then per stored entry its flags, the ms
and seq differences from the master ID, either the field count and the fields and
values or (flag SAMEFIELDS) only the values, and its element count. Tombstones
(flag DELETED) stay in the node as in the engine, so the node boundaries, the
radix tree and XINFO STREAM FULL come back unchanged, and the listpack DUMP
writes is byte for byte the one Valkey holds for the same history.

RESTORE refuses, whatever ``sanitize-dump-payload`` says, what the engine cannot
hold and Valkey never writes: entries out of order, a node whose first entry is not
its master ID, counts that do not match the entries, metadata that contradicts the
entries (a last ID below an entry or the largest deleted ID, a first ID other than
the first live entry's, fewer entries added than live), a PEL entry without exactly
one consumer; with deep sanitization also what Valkey's
streamValidateListpackIntegrity refuses (a wrong element count, a non-zero master
terminator, elements left over).
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.groups import Consumer, ConsumerGroup, PendingEntry, estimate_read_counter
from ..engine.stream import Stream
from ..engine.streamid import U64, make_id
from ..engine.streamnode import DELETED, SAMEFIELDS, Node
from . import listpack
from .io import RdbError, Reader, Writer, int64
from .registry import (
    TYPE_STREAM_LISTPACKS,
    TYPE_STREAM_LISTPACKS_2,
    TYPE_STREAM_LISTPACKS_3,
    LoadContext,
    register,
)

# -- the entries as the engine stores them ------------------------------------------------


def _entry_pairs(blob: bytes | bytearray, start: int) -> list[bytes]:
    """The fields and values of the entry reply at ``start``: ``*2``, the ID, then an
    array of bulk strings (the engine's storage format)."""
    pos = blob.index(b"\r\n", start) + 2  # after "*2"
    pos = blob.index(b"\r\n", pos) + 2  # after "$<n>"
    pos = blob.index(b"\r\n", pos) + 2  # after the ID
    end = blob.index(b"\r\n", pos)
    count = int(blob[pos + 1 : end])
    pos = end + 2
    pairs: list[bytes] = []
    for _ in range(count):
        end = blob.index(b"\r\n", pos)
        size = int(blob[pos + 1 : end])
        pos = end + 2
        pairs.append(bytes(blob[pos : pos + size]))
        pos += size + 2
    return pairs


def _python_node_pairs(node: Node) -> list[list[bytes]]:
    blob, offsets = node.entries(), node.offsets
    return [_entry_pairs(blob, offsets[index]) for index in range(len(node.flags))]


_node_pairs: Callable[[Node], list[list[bytes]]] = _python_node_pairs
try:  # hiredis reads the stored replies in C
    import hiredis

    def _hiredis_node_pairs(node: Node) -> list[list[bytes]]:
        reader = hiredis.Reader()
        reader.feed(bytes(node.entries()))
        return [reader.gets()[1] for _ in range(len(node.flags))]  # type: ignore[index]

    _node_pairs = _hiredis_node_pairs
except ImportError:  # pragma: no cover - hiredis is optional
    pass


def node_listpack(node: Node) -> bytes:
    """The listpack Valkey holds for ``node``."""
    encode_int = listpack.encode_int
    encode_string = listpack.encode_string
    master = node.master_fields
    parts = [encode_int(node.count), encode_int(node.deleted), encode_int(len(master))]
    parts += [encode_string(field) for field in master]
    parts.append(encode_int(0))
    flags = node.flags
    master_ms, master_seq = node.ms[0], node.seq[0]
    for index, pairs in enumerate(_node_pairs(node)):
        flag = flags[index]
        parts.append(encode_int(flag))
        parts.append(encode_int(int64(node.ms[index] - master_ms)))
        parts.append(encode_int(int64(node.seq[index] - master_seq)))
        if flag & SAMEFIELDS:
            values = pairs[1::2]
            parts += [encode_string(value) for value in values]
            parts.append(encode_int(len(values) + 3))
        else:
            fields = len(pairs) // 2
            parts.append(encode_int(fields))
            parts += [encode_string(item) for item in pairs]
            parts.append(encode_int(2 * fields + 4))
    return listpack.join(parts)


def _raw_id(stream_id: int) -> bytes:
    return stream_id.to_bytes(16, "big")


def save_stream(writer: Writer, value: Stream) -> int:
    writer.length(len(value.nodes))
    for key, node in zip(value.keys, value.nodes, strict=True):
        writer.string(_raw_id(key))
        writer.string(node_listpack(node))
    writer.length(value.length)
    for stream_id in (value.last_id, value.first_id, value.max_deleted_id):
        writer.length(stream_id >> 64)
        writer.length(stream_id & U64)
    writer.length(value.entries_added)
    writer.length(len(value.groups))
    for name in sorted(value.groups):
        group = value.groups[name]
        writer.string(name)
        writer.length(group.last_id >> 64)
        writer.length(group.last_id & U64)
        writer.length(group.entries_read)
        writer.length(len(group.pending))
        for stream_id, entry in group.pending.range():
            writer.raw(_raw_id(stream_id))
            writer.millis(entry.delivery_time)
            writer.length(entry.delivery_count)
        writer.length(len(group.consumers))
        for consumer in group.sorted_consumers():
            writer.string(consumer.name)
            writer.millis(consumer.seen_time)
            writer.millis(consumer.active_time)
            writer.length(len(consumer.pending))
            for stream_id in consumer.pending.ids:
                writer.raw(_raw_id(stream_id))
    return TYPE_STREAM_LISTPACKS_3


# -- loading ----------------------------------------------------------------------------


def _integer(element: bytes | int) -> int:
    value = listpack.as_int(element)
    if value is None:
        raise RdbError("stream listpack element is not an integer")
    return value


def _count(element: bytes | int) -> int:
    value = _integer(element)
    if value < 0:
        raise RdbError("negative count in a stream listpack")
    return value


def _load_node(master_id: int, blob: bytes, deep: bool, previous_id: int) -> Node:
    """The node of ``blob`` (entries after ``previous_id``, the first at ``master_id``)."""
    elements = listpack.parse(blob, deep)
    if not elements:
        raise RdbError("empty listpack inside stream")
    if len(elements) < 4:
        raise RdbError("stream listpack without a master entry")
    live, deleted, master_count = (_count(element) for element in elements[:3])
    pos = 3 + master_count
    if pos >= len(elements):
        raise RdbError("stream listpack master entry cut short")
    master = [listpack.as_bytes(element) for element in elements[3:pos]]
    if deep and _integer(elements[pos]) != 0:
        raise RdbError("stream master entry not terminated by 0")
    pos += 1
    master_ms, master_seq = master_id >> 64, master_id & U64
    node = Node(master)
    last = len(elements)
    entries = 0
    tombstones = 0
    while pos < last and not (deep and entries == live + deleted):
        if pos + 3 > last:
            raise RdbError("stream entry cut short")
        flags = _integer(elements[pos])
        ms = (master_ms + _integer(elements[pos + 1])) & U64
        seq = (master_seq + _integer(elements[pos + 2])) & U64
        pos += 3
        if flags & SAMEFIELDS:
            fields = master_count
            if pos + fields + 1 > last:
                raise RdbError("stream entry cut short")
            pairs: list[bytes] = []
            for field, element in zip(master, elements[pos : pos + fields], strict=True):
                pairs += (field, listpack.as_bytes(element))
            pos += fields
            expected = fields + 3
        else:
            if pos >= last:
                raise RdbError("stream entry cut short")
            fields = _count(elements[pos])
            pos += 1
            if pos + 2 * fields + 1 > last:
                raise RdbError("stream entry cut short")
            pairs = [listpack.as_bytes(element) for element in elements[pos : pos + 2 * fields]]
            pos += 2 * fields
            expected = 2 * fields + 4
        lp_count = _integer(elements[pos])
        pos += 1
        if deep and lp_count != expected:
            raise RdbError("stream entry element count is wrong")
        stream_id = make_id(ms, seq)
        if entries == 0 and stream_id != master_id:
            raise RdbError("stream node does not start at its master ID")
        if stream_id <= previous_id:
            raise RdbError("stream entries out of order")
        if not fields:
            raise RdbError("stream entry without fields")
        previous_id = stream_id
        node.append(stream_id, pairs)
        if flags & DELETED:
            node.mark_deleted(entries)
            tombstones += 1
        entries += 1
    if pos != last:
        raise RdbError("elements left over in a stream listpack")
    if not entries:
        raise RdbError("stream node without entries")
    if node.count != live or tombstones != deleted:
        raise RdbError("stream node counts do not match its entries")
    return node


def _stream_id(reader: Reader) -> int:
    ms = reader.length()
    return make_id(ms, reader.length())


def _load_groups(reader: Reader, context: LoadContext, stream: Stream, rdb_type: int) -> None:
    for _ in range(reader.length()):
        name = reader.string()
        last_id = _stream_id(reader)
        if rdb_type >= TYPE_STREAM_LISTPACKS_2:
            entries_read = int64(reader.length())
        else:
            entries_read = estimate_read_counter(stream, last_id)
        if name in stream.groups:
            raise RdbError("duplicated consumer group name")
        group = ConsumerGroup(name, last_id, entries_read)
        deliveries: dict[int, tuple[int, int]] = {}
        for _ in range(reader.length()):
            stream_id = int.from_bytes(reader.read(16), "big")
            delivery_time = reader.millis()
            delivery_count = int64(reader.length())
            if stream_id in deliveries:
                raise RdbError("duplicated global PEL entry")
            deliveries[stream_id] = (delivery_time, delivery_count)
        for _ in range(reader.length()):
            consumer_name = reader.string()
            if consumer_name in group.consumers:
                raise RdbError("duplicate stream consumer")
            seen_time = reader.millis()
            consumer = Consumer(consumer_name, seen_time, group.pending)
            consumer.active_time = (
                reader.millis() if rdb_type >= TYPE_STREAM_LISTPACKS_3 else seen_time
            )
            group.consumers[consumer_name] = consumer
            for _ in range(reader.length()):
                stream_id = int.from_bytes(reader.read(16), "big")
                delivery = deliveries.get(stream_id)
                if delivery is None:
                    raise RdbError("consumer entry not found in the group PEL")
                if stream_id in group.pending:
                    raise RdbError("PEL entry owned by two consumers")
                group.pending.add(stream_id, PendingEntry(*delivery, consumer))
                consumer.pending.add(stream_id)
        if len(group.pending) != len(deliveries):
            raise RdbError("stream group PEL entry without consumer")
        stream.groups[name] = group


def load_stream(reader: Reader, context: LoadContext, rdb_type: int) -> Stream:
    stream = Stream()
    previous_id = -1
    for _ in range(reader.length()):
        key = reader.string()
        if len(key) != 16:
            raise RdbError("stream node key is not the size of a stream ID")
        master_id = int.from_bytes(key, "big")
        node = _load_node(master_id, reader.string(), context.deep, previous_id)
        if stream.nodes:
            stream.nodes[-1].seal()
        stream.nodes.append(node)
        stream.keys.append(master_id)
        previous_id = node.last_id()
        stream.length += node.count
    length = reader.length()
    if length != stream.length:
        raise RdbError("stream length does not match its entries")
    stream.last_id = _stream_id(reader)
    if stream.nodes and stream.last_id < previous_id:
        raise RdbError("stream last ID below its last entry")
    first_live = stream.first_live_id()
    if rdb_type >= TYPE_STREAM_LISTPACKS_2:
        stream.first_id = _stream_id(reader)
        stream.max_deleted_id = _stream_id(reader)
        stream.entries_added = reader.length()
    else:
        stream.first_id = first_live
        stream.entries_added = length
    if stream.first_id != first_live:
        raise RdbError("stream first ID is not its first entry")
    if stream.max_deleted_id > stream.last_id or stream.entries_added < length:
        raise RdbError("stream metadata inconsistent")
    _load_groups(reader, context, stream, rdb_type)
    return stream


register(
    Stream,
    save_stream,
    {
        TYPE_STREAM_LISTPACKS: load_stream,
        TYPE_STREAM_LISTPACKS_2: load_stream,
        TYPE_STREAM_LISTPACKS_3: load_stream,
    },
)
