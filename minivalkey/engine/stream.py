"""The stream: entries in nodes under a sorted top-level index, as Valkey's rax of listpacks.

Layout. A ``Stream`` keeps ``nodes`` (each a bounded run of consecutive entries)
and ``keys``, the master ID of every node, sorted, so a lookup or a range start is
a bisect over ``keys`` then a binary search inside one node. A node stores its
entry IDs in two ``array('Q')`` (ms and seq), one byte of flags per entry, and the
entries' field/value arrays already encoded as RESP, concatenated in one
``bytearray`` with their offsets: a read slices stored bytes and adds the ID.

Invariants (Valkey 8.0.1's t_stream.c, observable through XINFO and trimming):
* Entries are appended to the last node only; a new node starts when the last one
  reaches ``stream-node-max-entries`` stored entries (live or deleted) or when its
  listpack byte size plus the new entry's raw field/value bytes reaches
  ``stream-node-max-bytes``. The byte size follows the listpack encoding model in
  ``_element_size`` so node boundaries match Valkey's exactly.
* A deleted entry stays as a tombstone (flag ``DELETED``) until its whole node goes:
  a node is removed when its last live entry is deleted or trimming drops it.
  Nodes never merge.
* ``length`` counts live entries; ``last_id`` is the last ID ever added (or set by
  XSETID) and never moves on deletion; ``first_id`` is the first live ID (0 when
  empty); ``max_deleted_id`` is the largest ID removed by XDEL; ``entries_added``
  counts every XADD.
* ``groups`` maps group names to ``ConsumerGroup`` objects (see ``groups``).
* IDs are packed ints (see ``streamid``). No asyncio, no sockets here.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..commands.args import parse_int_or_none
from ..errors import CommandError
from .streamid import MAX_ID, U64, id_bulk, make_id

if TYPE_CHECKING:
    from .groups import ConsumerGroup

DELETED = 1
SAMEFIELDS = 2

ERR_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items"
ERR_NOT_GREATER = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
ERR_TOO_LARGE = "ERR Elements are too large to be stored"

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_MAX_NODE_BYTES = 2**30


# -- the listpack size model ---------------------------------------------------------


def _int_element_size(value: int) -> int:
    """Bytes a listpack spends on an integer element (encoding plus back-length)."""
    if 0 <= value <= 127:
        return 2
    if -4096 <= value <= 4095:
        return 3
    if -32768 <= value <= 32767:
        return 4
    if -8388608 <= value <= 8388607:
        return 5
    if -2147483648 <= value <= 2147483647:
        return 6
    return 10


def _backlen_size(encoded: int) -> int:
    if encoded <= 127:
        return 1
    if encoded < 16383:
        return 2
    if encoded < 2097151:
        return 3
    if encoded < 268435455:
        return 4
    return 5


def _element_size(raw: bytes) -> int:
    """Bytes a listpack spends on a string element (stored as an integer when it is one)."""
    if len(raw) <= 20 and raw:
        first = raw[0]
        if 0x30 <= first <= 0x39 or first == 0x2D:
            number = parse_int_or_none(raw)
            if number is not None:
                return _int_element_size(number)
    size = len(raw)
    encoded = size + (1 if size < 64 else 2 if size < 4096 else 5)
    return encoded + _backlen_size(encoded)


def _signed(value: int) -> int:
    """A 64-bit difference read as Valkey stores it: two's complement int64."""
    value &= U64
    return value - 2**64 if value > _INT64_MAX else value


def encode_fields(pairs: list[bytes]) -> bytes:
    """The RESP array of an entry's fields and values (the same in RESP2 and RESP3)."""
    parts = [b"*%d\r\n" % len(pairs)]
    for item in pairs:
        parts.append(b"$%d\r\n%s\r\n" % (len(item), item))
    return b"".join(parts)


class Node:
    """One run of entries, like a Valkey listpack: see the module docstring."""

    __slots__ = (
        "master_id",
        "master_fields",
        "ms",
        "seq",
        "flags",
        "offsets",
        "blob",
        "count",
        "deleted",
        "fixed_bytes",
        "entry_bytes",
    )

    def __init__(self, master_id: int, master_fields: tuple[bytes, ...]) -> None:
        self.master_id = master_id
        self.master_fields = master_fields
        self.ms = array("Q")
        self.seq = array("Q")
        self.flags = bytearray()
        self.offsets = array("Q", [0])  # entry i is blob[offsets[i]:offsets[i + 1]]
        self.blob = bytearray()
        self.count = 0  # live entries
        self.deleted = 0  # tombstones
        # header, terminator, master field count and names, master terminator
        self.fixed_bytes = (
            7
            + _int_element_size(len(master_fields))
            + sum(_element_size(field) for field in master_fields)
            + _int_element_size(0)
        )
        self.entry_bytes = 0

    @property
    def size(self) -> int:
        """The listpack's byte size in Valkey, which decides where nodes split."""
        return (
            self.fixed_bytes
            + _int_element_size(self.count)
            + _int_element_size(self.deleted)
            + self.entry_bytes
        )

    def __len__(self) -> int:
        return len(self.flags)

    def id_at(self, index: int) -> int:
        return (self.ms[index] << 64) | self.seq[index]

    def fields_at(self, index: int) -> bytes:
        return bytes(self.blob[self.offsets[index] : self.offsets[index + 1]])

    def is_live(self, index: int) -> bool:
        return not self.flags[index] & DELETED

    def search(self, stream_id: int) -> int:
        """Index of the first stored entry with ID >= ``stream_id`` (may be ``len``)."""
        low, high = 0, len(self.flags)
        ms, seq = self.ms, self.seq
        while low < high:
            middle = (low + high) // 2
            if ((ms[middle] << 64) | seq[middle]) < stream_id:
                low = middle + 1
            else:
                high = middle
        return low

    def append(self, stream_id: int, pairs: list[bytes]) -> None:
        fields = tuple(pairs[0::2])
        values = pairs[1::2]
        same = fields == self.master_fields
        ms, seq = stream_id >> 64, stream_id & U64
        cost = (
            2  # flags, always a small integer
            + _int_element_size(_signed(ms - (self.master_id >> 64)))
            + _int_element_size(_signed(seq - (self.master_id & U64)))
            + sum(_element_size(value) for value in values)
        )
        if same:
            cost += _int_element_size(len(fields) + 3)
        else:
            cost += _int_element_size(len(fields)) + sum(_element_size(f) for f in fields)
            cost += _int_element_size(2 * len(fields) + 4)
        self.entry_bytes += cost
        self.ms.append(ms)
        self.seq.append(seq)
        self.flags.append(SAMEFIELDS if same else 0)
        self.blob += encode_fields(pairs)
        self.offsets.append(len(self.blob))
        self.count += 1

    def mark_deleted(self, index: int) -> None:
        self.flags[index] |= DELETED
        self.count -= 1
        self.deleted += 1

    def last_live_index(self) -> int:
        for index in range(len(self.flags) - 1, -1, -1):
            if not self.flags[index] & DELETED:
                return index
        return -1

    def first_live_index(self) -> int:
        for index, flag in enumerate(self.flags):
            if not flag & DELETED:
                return index
        return -1

    def copy(self) -> Node:
        clone = Node.__new__(Node)
        clone.master_id = self.master_id
        clone.master_fields = self.master_fields
        clone.ms = array("Q", self.ms)
        clone.seq = array("Q", self.seq)
        clone.flags = bytearray(self.flags)
        clone.offsets = array("Q", self.offsets)
        clone.blob = bytearray(self.blob)
        clone.count = self.count
        clone.deleted = self.deleted
        clone.fixed_bytes = self.fixed_bytes
        clone.entry_bytes = self.entry_bytes
        return clone


Entry = tuple[int, bytes]
"""An entry as (ID, RESP-encoded field/value array)."""


def entry_reply(stream_id: int, fields: bytes) -> bytes:
    """``*2`` [ID, fields]: one entry as XRANGE and friends answer it."""
    return b"*2\r\n" + id_bulk(stream_id) + fields


class Stream:
    __slots__ = (
        "nodes",
        "keys",
        "length",
        "last_id",
        "first_id",
        "max_deleted_id",
        "entries_added",
        "groups",
    )

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.keys: list[int] = []
        self.length = 0
        self.last_id = 0
        self.first_id = 0
        self.max_deleted_id = 0
        self.entries_added = 0
        self.groups: dict[bytes, ConsumerGroup] = {}

    # -- adding --------------------------------------------------------------------

    def next_id(self, now_ms: int, requested: int | None, auto_seq: bool) -> int:
        """The ID XADD would give the entry (raises Valkey's XADD ID errors).

        ``requested`` is ``None`` for ``*``; with ``auto_seq`` it is ``<ms>-0`` and the
        sequence is chosen after the last ID of the same millisecond.
        """
        last = self.last_id
        if last == MAX_ID:
            raise CommandError(ERR_EXHAUSTED)
        if requested is None:
            if now_ms > last >> 64:
                return make_id(now_ms, 0)
            return last + 1  # the carry moves into ms when seq is at its maximum
        if auto_seq:
            if requested >> 64 == last >> 64:
                if last & U64 == U64:
                    raise CommandError(ERR_NOT_GREATER)
                return last + 1
            if requested < last:
                raise CommandError(ERR_NOT_GREATER)
            return requested
        if requested <= last:
            raise CommandError(ERR_NOT_GREATER)
        return requested

    def append(
        self, stream_id: int, pairs: list[bytes], max_entries: int, max_bytes: int
    ) -> None:
        """Add an entry with an ID greater than every other (checked by ``next_id``)."""
        raw = sum(len(item) for item in pairs)
        if raw > _MAX_NODE_BYTES:
            raise CommandError(ERR_TOO_LARGE)
        if max_bytes <= 0 or max_bytes > _MAX_NODE_BYTES:
            max_bytes = _MAX_NODE_BYTES
        tail = self.nodes[-1] if self.nodes else None
        if (
            tail is None
            or tail.size + raw >= max_bytes
            or (max_entries and len(tail) >= max_entries)
        ):
            tail = Node(stream_id, tuple(pairs[0::2]))
            self.nodes.append(tail)
            self.keys.append(stream_id)
        tail.append(stream_id, pairs)
        self.length += 1
        self.entries_added += 1
        self.last_id = stream_id
        if self.length == 1:
            self.first_id = stream_id

    # -- reading -------------------------------------------------------------------

    def _node_index(self, stream_id: int) -> int:
        """Index of the node that would hold ``stream_id`` (0 when before all)."""
        return max(bisect_right(self.keys, stream_id) - 1, 0)

    def range(self, start: int, end: int, count: int = 0) -> Iterator[Entry]:
        """Live entries with ``start <= id <= end``, ascending, at most ``count`` (0: all)."""
        if start > end or not self.nodes:
            return
        emitted = 0
        nodes = self.nodes
        node_index = self._node_index(start)
        position = nodes[node_index].search(start)
        while node_index < len(nodes):
            node = nodes[node_index]
            flags, ms, seq = node.flags, node.ms, node.seq
            for index in range(position, len(flags)):
                stream_id = (ms[index] << 64) | seq[index]
                if stream_id > end:
                    return
                if flags[index] & DELETED:
                    continue
                yield stream_id, node.fields_at(index)
                emitted += 1
                if emitted == count:
                    return
            node_index += 1
            position = 0

    def range_reversed(self, start: int, end: int, count: int = 0) -> Iterator[Entry]:
        """Live entries with ``start <= id <= end``, descending, at most ``count`` (0: all)."""
        if start > end or not self.nodes:
            return
        emitted = 0
        nodes = self.nodes
        node_index = self._node_index(end)
        node = nodes[node_index]
        position = node.search(end + 1) - 1 if end < MAX_ID else len(node) - 1
        while node_index >= 0:
            node = nodes[node_index]
            flags, ms, seq = node.flags, node.ms, node.seq
            for index in range(position, -1, -1):
                stream_id = (ms[index] << 64) | seq[index]
                if stream_id < start:
                    return
                if flags[index] & DELETED:
                    continue
                yield stream_id, node.fields_at(index)
                emitted += 1
                if emitted == count:
                    return
            node_index -= 1
            if node_index >= 0:
                position = len(nodes[node_index]) - 1

    def get(self, stream_id: int) -> bytes | None:
        """The encoded fields of the live entry ``stream_id``, or ``None``."""
        if not self.nodes:
            return None
        node = self.nodes[self._node_index(stream_id)]
        index = node.search(stream_id)
        if index < len(node) and node.id_at(index) == stream_id and node.is_live(index):
            return node.fields_at(index)
        return None

    def last_live_id(self) -> int:
        """The ID of the last live entry, 0 when the stream is empty."""
        for node in reversed(self.nodes):
            index = node.last_live_index()
            if index >= 0:
                return node.id_at(index)
        return 0

    def first_entry(self) -> Entry | None:
        return next(self.range(0, MAX_ID, 1), None)

    def last_entry(self) -> Entry | None:
        return next(self.range_reversed(0, MAX_ID, 1), None)

    # -- removing ------------------------------------------------------------------

    def delete(self, stream_id: int) -> bool:
        """XDEL of one ID: True when a live entry was removed (metadata is the caller's)."""
        if not self.nodes:
            return False
        node_index = self._node_index(stream_id)
        node = self.nodes[node_index]
        index = node.search(stream_id)
        if index == len(node) or node.id_at(index) != stream_id or not node.is_live(index):
            return False
        if node.count == 1:
            del self.nodes[node_index]
            del self.keys[node_index]
        else:
            node.mark_deleted(index)
        self.length -= 1
        return True

    def delete_ids(self, ids: list[int]) -> int:
        """XDEL: remove each live ID once; keeps max_deleted_id and first_id right."""
        removed = 0
        first_removed = False
        for stream_id in ids:
            if self.delete(stream_id):
                removed += 1
                if stream_id > self.max_deleted_id:
                    self.max_deleted_id = stream_id
                if stream_id == self.first_id:
                    first_removed = True
        if removed and (first_removed or self.length == 0):
            self._refresh_first_id()
        return removed

    def _refresh_first_id(self) -> None:
        first = self.first_entry()
        self.first_id = first[0] if first is not None else 0

    def trim(
        self,
        maxlen: int | None = None,
        minid: int | None = None,
        approx: bool = False,
        limit: int = 0,
    ) -> int:
        """XTRIM / XADD trimming; the number of entries removed.

        Whole nodes go from the head while they are entirely out; with ``approx``
        trimming stops at the first node that is not, otherwise that node's
        entries are marked deleted one by one. ``limit`` (0: none) caps the
        entries removed, in whole nodes, as Valkey's LIMIT does.
        """
        removed = 0
        while self.nodes:
            node = self.nodes[0]
            if maxlen is not None and self.length <= maxlen:
                break
            if limit and removed + node.count > limit:
                break
            if maxlen is not None:
                removable = self.length - node.count >= maxlen
            else:
                assert minid is not None
                removable = node.id_at(len(node) - 1) < minid
            if removable:
                del self.nodes[0]
                del self.keys[0]
                self.length -= node.count
                removed += node.count
                continue
            if approx:
                break
            for index in range(len(node)):
                if maxlen is not None and self.length <= maxlen:
                    break
                if minid is not None and node.id_at(index) >= minid:
                    break
                if node.is_live(index):
                    node.mark_deleted(index)
                    self.length -= 1
                    removed += 1
            break
        if removed:
            self._refresh_first_id()
        return removed

    # -- introspection ---------------------------------------------------------------

    def radix_tree_nodes(self) -> int:
        """The node count of Valkey's rax holding the node keys (XINFO radix-tree-nodes).

        For a set of keys the compressed radix tree has the root, one node per key,
        and for each pair of neighbouring keys their branching node and its two
        children; the count of distinct such prefixes is the rax's node count.
        """
        keys = [key.to_bytes(16, "big") for key in self.keys]
        prefixes: set[bytes] = {b"", *keys}
        for left, right in zip(keys, keys[1:], strict=False):
            common = 0
            while common < 16 and left[common] == right[common]:
                common += 1
            prefixes.add(left[:common])
            prefixes.add(left[: common + 1])
            prefixes.add(right[: common + 1])
        return len(prefixes)

    def copy(self) -> Stream:
        """A deep copy for COPY: same nodes, metadata, groups, consumers and PELs."""
        clone = Stream()
        clone.nodes = [node.copy() for node in self.nodes]
        clone.keys = list(self.keys)
        clone.length = self.length
        clone.last_id = self.last_id
        clone.first_id = self.first_id
        clone.max_deleted_id = self.max_deleted_id
        clone.entries_added = self.entries_added
        clone.groups = {name: group.copy() for name, group in self.groups.items()}
        return clone
