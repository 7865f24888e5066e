"""The stream: entries in nodes under a sorted top-level index, as Valkey's rax of listpacks.

Layout. A ``Stream`` keeps ``nodes`` (each a bounded run of consecutive entries)
and ``keys``, the master ID of every node, sorted, so a lookup or a range start is
a bisect over ``keys`` then a binary search inside one node. A node stores its
entry IDs in two ``array('Q')`` (ms and seq) and one byte of flags per entry. Each
entry is also kept as the exact RESP bytes of its reply, ``*2`` [ID bulk, field
array], all of a node's entries concatenated in one ``bytearray`` with their
offsets. An entry never changes after XADD and its reply is the same in RESP2 and
RESP3, so a read only slices stored bytes (a run of live entries is one slice),
nothing is encoded twice, and every entry the engine answers with is such a
whole ``*2`` [ID, fields] reply.

Memory. When a node stops being the tail it is sealed: its arrays lose their
spare capacity, and later (``pack_sealed_nodes``, from the shell's cron, so XADD
never waits for it) its entry bytes are compressed (zlib, fast level) when that
saves a quarter or more. Reading a compressed node unpacks it into a small
process-wide cache of recently read nodes, so repeated reads of the same region
(the head for ``XRANGE -``, the nodes just behind a consumer group) stay slices.

Invariants (Valkey 8.0.1's t_stream.c, observable through XINFO and trimming):
* Entries are appended to the last node only; a new node starts when the last one
  holds ``stream-node-max-entries`` stored entries (live or deleted) or when its
  listpack byte size plus the new entry's raw field/value bytes reaches
  ``stream-node-max-bytes``. The byte size follows the listpack encoding model in
  ``_element_size`` so node boundaries match Valkey's exactly.
* A deleted entry stays as a tombstone (flag ``DELETED``) until its whole node goes:
  a node is removed when XDEL deletes its last live entry or trimming drops it.
  Exact MINID trimming may leave a node with no live entry (Valkey does too); it
  stays until a later trim removes it. Nodes never merge.
* Hence a node's first stored entry is its master entry (the base of the ID
  deltas in the size model) for as long as the node lives; ``Stream.keys`` holds
  the same IDs for the bisect, so no other copy is kept.
* ``length`` counts live entries; ``last_id`` is the last ID ever added (or set by
  XSETID) and never moves on deletion; ``first_id`` is the first live ID (0 when
  empty); ``max_deleted_id`` is the largest ID removed by XDEL; ``entries_added``
  counts every XADD.
* ``groups`` maps group names to ``ConsumerGroup`` objects (see ``groups``).
* IDs are packed ints (see ``streamid``). No asyncio, no sockets here.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from ..errors import ELEMENTS_TOO_LARGE, STREAM_EXHAUSTED, XADD_ID_NOT_GREATER, CommandError
from .streamid import MAX_ID, MIN_ID, U64, make_id
from .streamnode import DELETED, MAX_NODE_BYTES, Node
from .types import TypeSpec, register

if TYPE_CHECKING:
    from .groups import ConsumerGroup


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
        self.keys: list[int] = []  # the first (master) ID of each node, for the bisect
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
        sequence is chosen after the last ID of the same millisecond. ``*`` never
        goes back: when the clock is behind ``last_id`` the sequence counts up.
        """
        last = self.last_id
        if last == MAX_ID:
            raise CommandError(STREAM_EXHAUSTED)
        if requested is None:
            if now_ms > last >> 64:
                return make_id(now_ms, 0)
            return last + 1  # the carry moves into ms when seq is at its maximum
        if auto_seq:
            if requested >> 64 == last >> 64:
                if last & U64 == U64:
                    raise CommandError(XADD_ID_NOT_GREATER)
                return last + 1
            if requested < last:
                raise CommandError(XADD_ID_NOT_GREATER)
            return requested
        if requested <= last:
            raise CommandError(XADD_ID_NOT_GREATER)
        return requested

    def append(self, stream_id: int, pairs: list[bytes], max_entries: int, max_bytes: int) -> bytes:
        """Add an entry with an ID greater than every other (checked by ``next_id``).

        Answers the ID as text (``ms-seq``), which is what XADD replies.
        """
        raw = sum(map(len, pairs))
        if raw > MAX_NODE_BYTES:
            raise CommandError(ELEMENTS_TOO_LARGE)
        if max_bytes <= 0 or max_bytes > MAX_NODE_BYTES:
            max_bytes = MAX_NODE_BYTES
        nodes = self.nodes
        tail = nodes[-1] if nodes else None
        if (
            tail is None
            or (max_entries and len(tail.flags) >= max_entries)
            or tail.size + raw >= max_bytes
        ):
            if nodes:
                nodes[-1].seal()
            tail = Node(pairs[0::2])
            nodes.append(tail)
            self.keys.append(stream_id)
        text = tail.append(stream_id, pairs)
        self.length += 1
        self.entries_added += 1
        self.last_id = stream_id
        if self.length == 1:
            self.first_id = stream_id
        return text

    # -- reading -------------------------------------------------------------------
    # Every read answers stored entry replies, ``*2`` [ID, fields], as they are.

    def _node_index(self, stream_id: int) -> int:
        """Index of the node that would hold ``stream_id`` (0 when before all)."""
        return max(bisect_right(self.keys, stream_id) - 1, 0)

    def range_ids(self, start: int, end: int, count: int = 0) -> tuple[list[int], bytes]:
        """Like ``range_array`` (ascending), with the IDs of the entries instead of their
        number: what a consumer group needs to record a delivery."""
        ids: list[int] = []
        return ids, self.range_array(start, end, count, ids=ids)[1]

    def range_array(
        self,
        start: int,
        end: int,
        count: int = 0,
        reverse: bool = False,
        ids: list[int] | None = None,
    ) -> tuple[int, bytes]:
        """The RESP array of the live entries in ``start..end`` (XRANGE's reply) and its size.

        At most ``count`` entries (0: all), descending with ``reverse``. Ascending, a
        run of live entries is copied as one slice, and the IDs of the entries are
        appended to ``ids`` when one is given (see ``range_ids``).
        """
        if reverse:
            return self._backward(start, end, count)
        nodes = self.nodes
        if start > end or not nodes:
            return 0, b"*0\r\n"
        if start == MIN_ID:  # "-": the first stored entry, no search
            node_index = position = 0
            node = nodes[0]
        else:
            # in the tail node (where XREAD and XREADGROUP read new entries): no bisect
            node_index = len(nodes) - 1 if start >= self.keys[-1] else self._node_index(start)
            node = nodes[node_index]
            position = node.search(start)
        stored = len(node.flags)
        if not count and end == MAX_ID and node_index == len(nodes) - 1:
            count = stored - position  # the rest of the last node (what XREAD wakes for)
            if not count:
                return 0, b"*0\r\n"
        last = position + count
        if (
            count
            and last <= stored
            and node.count == stored
            and (end == MAX_ID or ((node.ms[last - 1] << 64) | node.seq[last - 1]) <= end)
        ):
            # The usual read (COUNT within one node without tombstones): one slice.
            offsets = node.offsets
            if ids is not None:
                ids += node.ids_between(position, last)
            return count, b"*%d\r\n" % count + node.entries()[offsets[position] : offsets[last]]
        parts: list[bytes | bytearray] = []
        emitted = 0
        while node_index < len(nodes):
            node = nodes[node_index]
            last = len(node.flags)
            finished = node.last_id() > end
            if finished:
                last = node.search(end + 1)
            offsets, blob, ms, seq = node.offsets, node.entries(), node.ms, node.seq
            if node.count == len(node.flags):  # no tombstones: one slice
                if count and last - position > count - emitted:
                    last = position + count - emitted
                    finished = True
                if last > position:
                    parts.append(blob[offsets[position] : offsets[last]])
                    emitted += last - position
                    if ids is not None:
                        ids += node.ids_between(position, last)
            else:
                flags = node.flags
                run = -1  # first index of the current run of live entries
                for index in range(position, last):
                    if flags[index] & DELETED:
                        if run >= 0:
                            parts.append(blob[offsets[run] : offsets[index]])
                            run = -1
                        continue
                    if run < 0:
                        run = index
                    if ids is not None:
                        ids.append((ms[index] << 64) | seq[index])
                    emitted += 1
                    if emitted == count:
                        last = index + 1
                        finished = True
                        break
                if run >= 0:
                    parts.append(blob[offsets[run] : offsets[last]])
            if finished or (count and emitted >= count):
                break
            node_index += 1
            position = 0
        return emitted, b"*%d\r\n" % emitted + b"".join(parts)

    def _backward(self, start: int, end: int, count: int) -> tuple[int, bytes]:
        """``range_array`` descending."""
        parts: list[bytes | bytearray] = []
        if start <= end and self.nodes:
            self._collect_backward(start, end, count, parts)
        return len(parts), b"*%d\r\n" % len(parts) + b"".join(parts)

    def _collect_backward(
        self, start: int, end: int, count: int, parts: list[bytes | bytearray]
    ) -> None:
        """Append the live entries from ``end`` down to ``start`` to ``parts``, one by one,
        until there are ``count`` of them (0: no limit)."""
        nodes = self.nodes
        node_index = self._node_index(end)
        node = nodes[node_index]
        position = node.search(end + 1) - 1 if end < MAX_ID else len(node) - 1
        while node_index >= 0:
            node = nodes[node_index]
            flags, ms, seq, offsets = node.flags, node.ms, node.seq, node.offsets
            blob = node.entries()
            if node.count == len(flags):  # no tombstones: the run down to start at once
                lowest = node.search(start) if start > node.id_at(0) else 0
                if count:
                    lowest = max(lowest, position + 1 - (count - len(parts)))
                run = range(position, lowest - 1, -1)
                parts += [blob[offsets[i] : offsets[i + 1]] for i in run]
                if len(parts) == count or lowest > 0:
                    return
                position = -1  # the node is done
            for index in range(position, -1, -1):
                if ((ms[index] << 64) | seq[index]) < start:
                    return
                if flags[index] & DELETED:
                    continue
                parts.append(blob[offsets[index] : offsets[index + 1]])
                if len(parts) == count:
                    return
            node_index -= 1
            if node_index >= 0:
                position = len(nodes[node_index]) - 1

    def _locate(self, stream_id: int) -> tuple[int, int]:
        """(node index, entry index) of the live entry ``stream_id``, or (-1, -1)."""
        if not self.nodes:
            return -1, -1
        node_index = self._node_index(stream_id)
        node = self.nodes[node_index]
        index = node.search(stream_id)
        if index < len(node.flags) and node.id_at(index) == stream_id and node.is_live(index):
            return node_index, index
        return -1, -1

    def contains(self, stream_id: int) -> bool:
        """Whether ``stream_id`` is a live entry."""
        return self._locate(stream_id)[0] >= 0

    def get(self, stream_id: int) -> bytes | None:
        """The live entry ``stream_id`` (``*2`` [ID, fields]), or ``None``."""
        node_index, index = self._locate(stream_id)
        return None if node_index < 0 else self.nodes[node_index].entry_at(index)

    def last_live_id(self) -> int:
        """The ID of the last live entry, 0 when the stream is empty."""
        nodes = self.nodes
        if nodes and nodes[-1].count == len(nodes[-1].flags):  # a tail without tombstones
            return nodes[-1].last_id()
        for node in reversed(nodes):
            index = node.last_live_index()
            if index >= 0:
                return node.id_at(index)
        return 0

    def first_live_id(self) -> int:
        """The ID of the first live entry, 0 when the stream is empty."""
        for node in self.nodes:
            index = node.first_live_index()
            if index >= 0:
                return node.id_at(index)
        return 0

    def first_entry(self) -> bytes | None:
        """The first live entry, ``None`` when the stream is empty."""
        return self.get(self.first_live_id()) if self.length else None

    def last_entry(self) -> bytes | None:
        """The last live entry, ``None`` when the stream is empty."""
        return self.get(self.last_live_id()) if self.length else None

    # -- removing ------------------------------------------------------------------

    def delete(self, stream_id: int) -> bool:
        """XDEL of one ID: True when a live entry was removed (metadata is the caller's)."""
        node_index, index = self._locate(stream_id)
        if node_index < 0:
            return False
        node = self.nodes[node_index]
        if node.count == 1:  # its last live entry: the node goes, tombstones and all
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
            self.first_id = self.first_live_id()
        return removed

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
        nodes = self.nodes
        while nodes:
            node = nodes[0]
            if maxlen is not None and self.length <= maxlen:
                break
            if limit and removed + node.count > limit:
                break
            if maxlen is not None:
                removable = self.length - node.count >= maxlen
            else:
                assert minid is not None
                removable = node.last_id() < minid
            if removable:
                del nodes[0]
                del self.keys[0]
                self.length -= node.count
                removed += node.count
                continue
            if approx:
                break
            removed += self._trim_inside(node, maxlen, minid)
            break
        if removed:
            self.first_id = self.first_live_id()
        return removed

    def _trim_inside(self, node: Node, maxlen: int | None, minid: int | None) -> int:
        """Exact trimming within the first node: mark its oldest live entries deleted.

        Valkey walks the node from its first stored entry; tombstones before the
        first live one change nothing (for MINID, a tombstone at or past the
        threshold implies the live entries after it are too), so the walk starts
        at the first live entry.
        """
        start = node.first_live_index()
        if start < 0:
            return 0
        flags = node.flags
        removed = 0
        if maxlen is not None:
            for index in range(start, len(flags)):
                if self.length <= maxlen:
                    break
                if not flags[index] & DELETED:
                    node.mark_deleted(index)
                    self.length -= 1
                    removed += 1
            return removed
        assert minid is not None
        ms, seq = node.ms, node.seq
        for index in range(start, len(flags)):
            if ((ms[index] << 64) | seq[index]) >= minid:
                break
            if not flags[index] & DELETED:
                node.mark_deleted(index)
                self.length -= 1
                removed += 1
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


def _stream_memory(stream: Stream, samples: int) -> int:
    """MEMORY USAGE of a stream: its nodes' listpack bytes and a share per group entry.

    An estimate in the shape of Valkey's objectComputeSize for streams (the stream
    struct, the rax of nodes, the listpacks, each group's PEL and consumers). As
    there, at most ``samples`` nodes are measured (0: all of them): the first ones
    stand for every node but the last, which is measured itself.
    """
    nodes = stream.nodes
    size = 64 + 32 * len(nodes)
    if samples <= 0 or samples >= len(nodes):
        for node in nodes:
            size += node.fixed_bytes + node.entry_bytes
    else:
        measured = sum(node.fixed_bytes + node.entry_bytes for node in nodes[:samples])
        last = nodes[-1]
        size += measured // samples * (len(nodes) - 1) + last.fixed_bytes + last.entry_bytes
    for name, group in stream.groups.items():
        size += 104 + len(name) + 80 * len(group.pending) + 64 * len(group.consumers)
    return size


register(
    TypeSpec(
        kind=Stream,
        name="stream",
        encoding=lambda stream: "stream",
        memory=_stream_memory,
        copy=Stream.copy,
    )
)
